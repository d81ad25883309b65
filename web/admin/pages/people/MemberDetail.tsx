/** One member: their points, tier, account, history, claims and orders; adjust their points. */
import { Anchor, Breadcrumbs, Card, Group, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { AdjustPoints, BalanceAndTier, ClaimsAndOrders, History } from './WalletSections';
import { StateBadge } from './common';

interface Member {
  id: string;
  accountId: string;
  externalId: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  role: string | null;
  language: string | null;
  status: string;
}

export default function MemberDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation('console-people');
  const member = useQuery({ queryKey: ['member', id], queryFn: () => api.get<Member>(`/v1/members/${id}`) });
  const account = useQuery({
    queryKey: ['account', member.data?.accountId],
    enabled: !!member.data,
    queryFn: () => api.get<{ id: string; name: string }>(`/v1/accounts/${member.data!.accountId}`),
  });
  if (member.isPending) return <Skeleton h={400} />;
  if (member.isError) return <ErrorAlert error={member.error} />;
  const m = member.data;
  const facts: Array<[string, string | null]> = [
    [t('fields.externalId'), m.externalId],
    [t('fields.email'), m.email],
    [t('fields.phone'), m.phone],
    [t('fields.role'), m.role],
    [t('fields.language'), m.language],
  ];
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/accounts?tab=members">
          {t('nav.accounts')}
        </Anchor>
        <Anchor component={Link} to={`/accounts/${m.accountId}`}>
          {account.data?.name ?? '…'}
        </Anchor>
        <Text>{m.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {m.name}
        </Title>
        <StateBadge state={m.status} />
      </Group>
      <BalanceAndTier kind="members" id={id} />
      <Card withBorder maw={640}>
        <Table variant="vertical" layout="fixed" aria-label={t('account.facts')}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={200}>{t('member.account')}</Table.Th>
              <Table.Td>
                <Anchor component={Link} to={`/accounts/${m.accountId}`}>
                  {account.data?.name ?? '…'}
                </Anchor>
              </Table.Td>
            </Table.Tr>
            {facts.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th>{label}</Table.Th>
                <Table.Td>{value ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <AdjustPoints kind="members" id={id} />
      <History kind="members" id={id} />
      <ClaimsAndOrders filter={`memberId=${id}`} />
    </Stack>
  );
}
