/** The first page after signing in: what I have, what is on its way, and what is about to expire. */
import { Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatDate } from '../../shared/format';
import { Loading } from '../../shared/root';
import { useMember } from '../session';

export interface Balance {
  available: number;
  pending: number;
  expiring: Array<{ points: number; on: string }>;
  lifetimeEarned: number;
  lifetimeSpent: number;
  company?: { available: number };
}

export default function Home() {
  const { t } = useTranslation('portal');
  const member = useMember();
  const balance = useQuery({ queryKey: ['balance'], queryFn: () => api.get<Balance>('/portal/v1/balance') });
  if (balance.isPending) return <Loading />;
  if (balance.isError) return <ErrorAlert error={balance.error} />;
  const b = balance.data;
  return (
    <Stack>
      <Title order={1} size="h3">
        {t('home.hello', { name: member.name })}
      </Title>
      <Card withBorder padding="lg">
        <Text size="sm" c="dimmed">
          {t('home.available')}
        </Text>
        <Text fz={36} fw={800} data-testid="balance-available">
          {t('web:points', { count: b.available })}
        </Text>
      </Card>
      <SimpleGrid cols={2}>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            {t('home.pending')}
          </Text>
          <Text fw={700}>{t('web:points', { count: b.pending })}</Text>
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            {t('home.expiring')}
          </Text>
          {b.expiring.length === 0 ? (
            <Text fw={700}>{t('home.nothingExpiring')}</Text>
          ) : (
            b.expiring.slice(0, 2).map((e) => (
              <Group key={e.on} gap={4}>
                <Text fw={700}>{t('web:points', { count: e.points })}</Text>
                <Text size="sm">{t('home.on', { date: formatDate(e.on) })}</Text>
              </Group>
            ))
          )}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
