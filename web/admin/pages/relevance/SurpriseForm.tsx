/**
 * Adding or changing a surprise: the occasion (kind and, where it needs one, the day, the threshold or the level),
 * what it gives (points, or a reward ordered for the member) and the message per language. The server checks it
 * all (PUT /v1/surprises/{key}); its field errors land next to the field they name.
 */
import { useState } from 'react';
import { Button, Group, NumberInput, SegmentedControl, Select, Stack, Switch, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, fieldError, notifySuccess } from '../../../shared/feedback';
import { languageNames, languages } from '../../../shared/i18n';

export const surpriseKinds = ['birthday', 'anniversary', 'orders', 'lifetime_points', 'tier', 'seasonal'] as const;

export interface SurpriseValues {
  key: string;
  kind: string;
  enabled: boolean;
  points: number;
  rewardId: string | null;
  month: number | null;
  day: number | null;
  threshold: number | null;
  tierKey: string | null;
  message: Record<string, string>;
}

const blank: SurpriseValues = { key: '', kind: 'birthday', enabled: true, points: 500, rewardId: null, month: null, day: null, threshold: null, tierKey: null, message: {} };

const toNumber = (v: string | number): number | null => (typeof v === 'number' ? v : v.trim() === '' ? null : Number(v));

export function SurpriseForm({ editing, onDone }: { editing: SurpriseValues | null; onDone: () => void }) {
  const { t } = useTranslation('console-relevance');
  const client = useQueryClient();
  const [v, setV] = useState<SurpriseValues>(editing ?? blank);
  const [gives, setGives] = useState<'points' | 'reward'>(editing?.rewardId ? 'reward' : 'points');
  const set = (patch: Partial<SurpriseValues>) => setV((old) => ({ ...old, ...patch }));
  const rewards = useQuery({
    queryKey: ['surprise-reward-choices'],
    queryFn: () => api.get<{ data: Array<{ id: string; name: string; pricePoints: number }> }>('/v1/rewards?limit=200'),
  });
  const tiers = useQuery({ queryKey: ['tiers'], queryFn: () => api.get<{ levels: Array<{ code: string }> }>('/v1/tiers').catch(() => ({ levels: [] })) });
  const save = useMutation({
    mutationFn: () => {
      const message = Object.fromEntries(Object.entries(v.message).filter(([, text]) => text.trim() !== ''));
      const body = {
        key: v.key.trim(),
        kind: v.kind,
        enabled: v.enabled,
        points: gives === 'points' ? v.points : 0,
        rewardId: gives === 'reward' ? v.rewardId : null,
        month: v.kind === 'seasonal' ? v.month : null,
        day: v.kind === 'seasonal' ? v.day : null,
        threshold: v.kind === 'orders' || v.kind === 'lifetime_points' ? v.threshold : null,
        tierKey: v.kind === 'tier' ? v.tierKey : null,
        message,
      };
      return api.put(`/v1/surprises/${encodeURIComponent(body.key || '-')}`, body);
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['surprises'] });
      notifySuccess(t('surprises.form.saved'));
      onDone();
    },
  });
  const err = save.error;
  const fields = ['key', 'kind', 'points', 'rewardId', 'month', 'day', 'threshold', 'tierKey', 'message'];
  const unplaced = save.isError && !fields.some((f) => fieldError(err, f));
  const months = Array.from({ length: 12 }, (_, i) => ({
    value: String(i + 1),
    label: new Intl.DateTimeFormat(undefined, { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, i, 1))),
  }));

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        {unplaced && <ErrorAlert error={err} />}
        <TextInput
          label={t('surprises.form.key')}
          description={t('surprises.form.keyHint')}
          required
          disabled={editing !== null}
          value={v.key}
          onChange={(e) => set({ key: e.currentTarget.value })}
          error={fieldError(err, 'key')}
          data-autofocus
        />
        <Select
          label={t('surprises.form.kind')}
          data={surpriseKinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
          value={v.kind}
          onChange={(k) => k && set({ kind: k })}
          allowDeselect={false}
          error={fieldError(err, 'kind')}
        />
        {v.kind === 'seasonal' && (
          <Group grow>
            <Select label={t('surprises.form.month')} data={months} value={v.month ? String(v.month) : null} onChange={(m) => set({ month: m ? Number(m) : null })} error={fieldError(err, 'month')} />
            <NumberInput label={t('surprises.form.day')} min={1} max={31} allowDecimal={false} value={v.day ?? ''} onChange={(d) => set({ day: toNumber(d) })} error={fieldError(err, 'day')} />
          </Group>
        )}
        {(v.kind === 'orders' || v.kind === 'lifetime_points') && (
          <NumberInput
            label={t(v.kind === 'orders' ? 'surprises.form.orderNumber' : 'surprises.form.pointsEarned')}
            min={1}
            allowDecimal={false}
            thousandSeparator=" "
            value={v.threshold ?? ''}
            onChange={(n) => set({ threshold: toNumber(n) })}
            error={fieldError(err, 'threshold')}
          />
        )}
        {v.kind === 'tier' && (
          <Select
            label={t('surprises.form.tier')}
            data={(tiers.data?.levels ?? []).map((l) => l.code)}
            value={v.tierKey}
            onChange={(k) => set({ tierKey: k })}
            error={fieldError(err, 'tierKey')}
          />
        )}
        <SegmentedControl
          aria-label={t('surprises.form.gives')}
          value={gives}
          onChange={(g) => setGives(g as 'points' | 'reward')}
          data={[
            { value: 'points', label: t('surprises.form.givesPoints') },
            { value: 'reward', label: t('surprises.form.givesReward') },
          ]}
        />
        {gives === 'points' ? (
          <NumberInput
            label={t('surprises.form.points')}
            min={0}
            allowDecimal={false}
            thousandSeparator=" "
            value={v.points}
            onChange={(n) => set({ points: toNumber(n) ?? 0 })}
            error={fieldError(err, 'points')}
          />
        ) : (
          <Select
            label={t('surprises.form.reward')}
            searchable
            data={(rewards.data?.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
            value={v.rewardId}
            onChange={(id) => set({ rewardId: id })}
            error={fieldError(err, 'rewardId')}
          />
        )}
        {languages.map((l) => (
          <Textarea
            key={l}
            lang={l}
            label={t('surprises.form.message', { language: languageNames[l] })}
            description={l === languages[0] ? t('surprises.form.messageHint', { name: '{{name}}', points: '{{points}}' }) : undefined}
            autosize
            minRows={2}
            value={v.message[l] ?? ''}
            onChange={(e) => {
              const text = e.currentTarget.value;
              setV((old) => ({ ...old, message: { ...old.message, [l]: text } }));
            }}
            error={fieldError(err, `message.${l}`)}
          />
        ))}
        <Switch label={t('surprises.form.enabled')} checked={v.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('surprises.form.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t('surprises.form.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
