/** One account: its points, tier, place in a chain, members, history, claims, orders and co-op fund; adjust its points. */
import { Anchor, Badge, Breadcrumbs, Card, Group, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatMoney } from '../../../shared/format';
import { AdjustPoints, BalanceAndTier, ClaimsAndOrders, History } from './WalletSections';
import { PagedTable, StateBadge, usePaged } from './common';

interface Account {
  id: string;
  externalId: string | null;
  name: string;
  legalName: string | null;
  orgNumber: string | null;
  country: string | null;
  segment: string | null;
  tags: string[];
  parentId: string | null;
  status: string;
  keyAccountManager: string | null;
}

interface Member {
  id: string;
  name: string;
  email: string | null;
  role: string | null;
  status: string;
}

interface Fund {
  currency: string;
  balance: number;
  accrued: number;
  reimbursed: number;
}

export default function AccountDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation('console-people');
  const account = useQuery({ queryKey: ['account', id], queryFn: () => api.get<Account>(`/v1/accounts/${id}`) });
  const parent = useQuery({
    queryKey: ['account', account.data?.parentId],
    enabled: !!account.data?.parentId,
    queryFn: () => api.get<Account>(`/v1/accounts/${account.data!.parentId}`),
  });
  const branches = usePaged<Account>(['accounts', { parentId: id }], `/v1/accounts?parentId=${id}`);
  const members = usePaged<Member>(['account-members', id], `/v1/accounts/${id}/members`);
  const fund = useQuery({
    queryKey: ['coop-fund', id],
    queryFn: async () => {
      try {
        return await api.get<Fund>(`/v1/accounts/${id}/coop-fund`);
      } catch (err) {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) return null;
        throw err;
      }
    },
  });
  if (account.isPending) return <Skeleton h={400} />;
  if (account.isError) return <ErrorAlert error={account.error} />;
  const a = account.data;
  const facts: Array<[string, string | null]> = [
    [t('fields.externalId'), a.externalId],
    [t('fields.legalName'), a.legalName],
    [t('fields.orgNumber'), a.orgNumber],
    [t('fields.country'), a.country],
    [t('fields.segment'), a.segment],
    [t('fields.keyAccountManager'), a.keyAccountManager],
  ];
  const branchCount = branches.data?.pages.flatMap((p) => p.data).length ?? 0;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/accounts">
          {t('nav.accounts')}
        </Anchor>
        <Text>{a.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="center">
        <Title order={1} size="h2">
          {a.name}
        </Title>
        <StateBadge state={a.status} />
      </Group>
      <BalanceAndTier kind="accounts" id={id} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('account.facts')}
          </Title>
          <Table variant="vertical" layout="fixed" aria-label={t('account.facts')}>
            <Table.Tbody>
              {facts.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Th w={200}>{label}</Table.Th>
                  <Table.Td>{value ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
              <Table.Tr>
                <Table.Th>{t('fields.tags')}</Table.Th>
                <Table.Td>
                  {a.tags.length ? a.tags.map((tag) => <Badge key={tag} variant="outline" mr={4}>{tag}</Badge>) : '—'}
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('account.hierarchy')}
          </Title>
          <Stack gap="xs">
            <Text>
              {t('account.parent')}:{' '}
              {a.parentId ? (
                <Anchor component={Link} to={`/accounts/${a.parentId}`}>
                  {parent.data?.name ?? '…'}
                </Anchor>
              ) : (
                t('account.noParent')
              )}
            </Text>
            <Text>
              {t('account.branches', { count: branchCount })}
              {branches.data?.pages[0]?.nextCursor ? '+' : ''}
              {branchCount > 0 && (
                <>
                  {' · '}
                  <Anchor component={Link} to={`/accounts?parentId=${id}`}>
                    {t('account.showBranches')}
                  </Anchor>
                </>
              )}
            </Text>
            {fund.data && (
              <Text>
                {t('account.coopFund')}: <b>{formatMoney(fund.data.balance, fund.data.currency)}</b> ({t('account.coopAccrued', { amount: formatMoney(fund.data.accrued, fund.data.currency) })})
              </Text>
            )}
          </Stack>
        </Card>
      </SimpleGrid>
      <Stack gap="xs">
        <Title order={2} size="h3">
          {t('account.members')}
        </Title>
        <PagedTable
          query={members}
          caption={t('account.members')}
          head={[t('fields.name'), t('fields.email'), t('fields.role'), t('fields.status')]}
          row={(m) => (
            <Table.Tr key={m.id}>
              <Table.Td>
                <Anchor component={Link} to={`/accounts/members/${m.id}`}>
                  {m.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{m.email ?? '—'}</Table.Td>
              <Table.Td>{m.role ?? '—'}</Table.Td>
              <Table.Td>
                <StateBadge state={m.status} />
              </Table.Td>
            </Table.Tr>
          )}
          empty={t('members.none')}
        />
      </Stack>
      <AdjustPoints kind="accounts" id={id} />
      <History kind="accounts" id={id} />
      <ClaimsAndOrders filter={`accountId=${id}`} />
    </Stack>
  );
}
