/** The editor fields of one kind of reward: a code's source, an experience's date, a cashback's or donation's value. */
import { Card, SegmentedControl, Text, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatMoney, moneyError, parseMoney } from '../../../shared/format';
import type { Draft } from './rewardDraft';

export function TypeFields({ d, set, fe, creating, currency }: { d: Draft; set: <K extends keyof Draft>(k: K, v: Draft[K]) => void; fe: (f: string) => string | undefined; creating: boolean; currency: string }) {
  const { t } = useTranslation('console-shop');
  if (d.type === 'code') {
    return (
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('rewards.types.code')}
        </Title>
        <SegmentedControl
          aria-label={t('rewards.codeSource')}
          value={d.codeSource}
          onChange={(v) => set('codeSource', v as Draft['codeSource'])}
          disabled={!creating}
          data={[
            { value: 'pool', label: t('rewards.codePool') },
            { value: 'generated', label: t('rewards.codeGenerated') },
          ]}
        />
        {fe('codeSource') && <Text c="red" size="sm">{fe('codeSource')}</Text>}
      </Card>
    );
  }
  if (d.type === 'experience') {
    return (
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('rewards.types.experience')}
        </Title>
        <TextInput type="datetime-local" label={t('rewards.eventAt')} value={d.eventAt} onChange={(e) => set('eventAt', e.currentTarget.value)} error={fe('eventAt')} w={280} />
      </Card>
    );
  }
  if (d.type === 'cashback' || d.type === 'charity') {
    return (
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t(`rewards.types.${d.type}`)}
        </Title>
        <TextInput
          label={t(d.type === 'cashback' ? 'rewards.cashValue' : 'rewards.donation', { currency })}
          description={t(d.type === 'cashback' ? 'rewards.cashValueHint' : 'rewards.donationHint')}
          value={d.cashValue}
          onChange={(e) => set('cashValue', e.currentTarget.value)}
          inputMode="decimal"
          required={d.type === 'cashback'}
          error={fe('cashValueMinor') ?? (d.cashValue.trim() ? moneyError(d.cashValue, currency) : undefined)}
          w={280}
        />
        {d.cashValue.trim() && parseMoney(d.cashValue, currency) !== undefined && (
          <Text size="sm" mt={4}>
            {formatMoney(parseMoney(d.cashValue, currency)!, currency)}
          </Text>
        )}
      </Card>
    );
  }
  return null;
}
