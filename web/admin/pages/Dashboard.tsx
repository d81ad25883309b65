/** The program at a glance: points issued, redeemed, expired and outstanding, and what the outstanding points are worth. */
import { Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatMoney, formatNumber } from '../../shared/format';
import { Loading } from '../../shared/root';

interface Summary {
  currency: string;
  issued: number;
  reversed: number;
  spent: number;
  redeemed: number;
  expired: number;
  adjusted: number;
  outstandingAvailable: number;
  outstandingPending: number;
  liabilityMinor: number;
}

export default function Dashboard() {
  const { t } = useTranslation('console');
  const summary = useQuery({ queryKey: ['ledger-summary'], queryFn: () => api.get<Summary>('/v1/ledger/summary') });
  if (summary.isPending) return <Loading />;
  if (summary.isError) return <ErrorAlert error={summary.error} />;
  const s = summary.data;
  const figures: Array<[string, string]> = [
    [t('dashboard.issued'), formatNumber(s.issued)],
    [t('dashboard.redeemed'), formatNumber(s.redeemed)],
    [t('dashboard.expired'), formatNumber(s.expired)],
    [t('dashboard.outstanding'), formatNumber(s.outstandingAvailable + s.outstandingPending)],
    [t('dashboard.liability'), formatMoney(s.liabilityMinor, s.currency)],
  ];
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('nav.dashboard')}
      </Title>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }}>
        {figures.map(([label, value]) => (
          <Card key={label} withBorder>
            <Text size="sm" c="dimmed">
              {label}
            </Text>
            <Text fz="xl" fw={700}>
              {value}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
