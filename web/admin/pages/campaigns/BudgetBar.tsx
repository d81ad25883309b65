import { Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../shared/format';
import type { Campaign } from './model';

/** Spent of planned as a bar with the figures beside it. */
export function BudgetBar({ c }: { c: Campaign }) {
  const { t } = useTranslation('console-campaigns');
  const { planned, spent } = c.report.budget;
  const share = planned > 0 ? Math.min(100, (spent / planned) * 100) : 0;
  return (
    <Stack gap={2}>
      <Progress value={share} color={c.report.budget.exhausted ? 'orange' : 'teal'} aria-label={t('list.budgetBar', { name: c.name })} />
      <Text size="sm">{t('list.spentOf', { spent: formatNumber(spent), planned: formatNumber(planned) })}</Text>
    </Stack>
  );
}
