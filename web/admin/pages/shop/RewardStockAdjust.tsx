/** Adding to or taking from a reward's stock: the change, and the stock it will leave. */
import { useState } from 'react';
import { Button, Card, Group, NumberInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { notifyError, notifySuccess } from '../../../shared/feedback';
import { formatNumber } from '../../../shared/format';
import type { Reward } from './rewardModel';

export function StockAdjust({ reward }: { reward: Reward }) {
  const { t } = useTranslation('console-shop');
  const client = useQueryClient();
  const [delta, setDelta] = useState<number | string>('');
  const next = (reward.stock ?? 0) + Number(delta || 0);
  const run = useMutation({
    mutationFn: () => api.patch<Reward>(`/v1/rewards/${reward.id}`, { stock: next }),
    onSuccess: (r) => {
      setDelta('');
      client.setQueryData(['reward', r.id], r);
      void client.invalidateQueries({ queryKey: ['rewards'] });
      notifySuccess(t('rewards.stockAdjusted', { stock: formatNumber(r.stock ?? 0) }));
    },
    onError: notifyError,
  });
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        {t('rewards.adjustStock')}
      </Title>
      <Group align="flex-end">
        <NumberInput label={t('rewards.adjustBy')} description={t('rewards.adjustHint', { stock: formatNumber(reward.stock ?? 0) })} value={delta} onChange={setDelta} allowDecimal={false} w={220} />
        <Button onClick={() => run.mutate()} loading={run.isPending} disabled={!delta || next < 0}>
          {t('rewards.adjustButton', { stock: formatNumber(next) })}
        </Button>
      </Group>
    </Card>
  );
}
