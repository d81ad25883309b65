/**
 * Loyalty types: how the program's accounts spread over the types of the latest nightly scores, each account's
 * type with the reasons for it, and how accounts moved from one type to another since the month before — as a
 * table of from-type (rows) × to-type (columns) counts.
 */
import { useState } from 'react';
import { Button, Group, List, Pagination, Progress, Select, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { Empty } from '../insight/shared';

const types = ['advocate', 'satisfaction', 'price', 'opportunistic', 'convenience', 'occasional', 'inactive'] as const;
interface Overview { scoreDate: string | null; accounts: number; types: Array<{ type: string; name: string; count: number }>; middleBand: number }
interface Movement { from: string; to: string; moves: Array<{ from: string; to: string; count: number }> }
interface Scored {
  accountId: string;
  name: string;
  externalId: string | null;
  rankPercent: number;
  loyaltyType: string;
  loyaltyTypeName: string;
  reasons: Array<{ key: string; text: string }>;
}
const pageSize = 25;

export default function LoyaltyTypes() {
  const { t } = useTranslation(['console-relevance', 'console-segments']);
  const [type, setType] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [month, setMonth] = useState<string | null>(null);
  const overview = useQuery({ queryKey: ['scores'], queryFn: () => api.get<Overview>('/v1/scores') });
  const movement = useQuery({ queryKey: ['scores-movement', month], queryFn: () => api.get<Movement>(`/v1/scores/movement${query({ month })}`), placeholderData: keepPreviousData });
  const accounts = useQuery({
    queryKey: ['scored-accounts', type, page],
    queryFn: () => api.get<{ total: number; data: Scored[] }>(`/v1/scores/accounts${query({ type, limit: pageSize, offset: (page - 1) * pageSize })}`),
    placeholderData: keepPreviousData,
  });
  const typeName = (x: string) => (x === 'new' ? t('loyalty.new') : t(`console-segments:type.${x}`));
  const o = overview.data;
  const mv = movement.data;
  const fromTypes = ['new', ...types].filter((f) => mv?.moves.some((m) => m.from === f));
  const cell = (from: string, to: string) => mv?.moves.find((m) => m.from === from && m.to === to)?.count ?? 0;
  const shiftMonth = (ym: string, by: number) => {
    const [y, m] = ym.split('-').map(Number) as [number, number];
    const d = new Date(Date.UTC(y, m - 1 + by, 1));
    return d.toISOString().slice(0, 7);
  };

  // The first load waits for all three parts, so none pushes another down as it arrives; later months and pages
  // keep the previous answer on screen until the next one is there.
  if (overview.isPending || movement.isPending || accounts.isPending) {
    return (
      <Stack>
        <Title order={2}>{t('loyalty.title')}</Title>
        <Text c="dimmed">{t('loyalty.intro')}</Text>
        <Loading />
      </Stack>
    );
  }

  return (
    <Stack>
      <Title order={2}>{t('loyalty.title')}</Title>
      <Text c="dimmed">{t('loyalty.intro')}</Text>
      <ErrorAlert error={overview.error ?? movement.error ?? accounts.error} />
      {overview.isPending ? (
        <Loading />
      ) : !o?.scoreDate ? (
        <Empty>{t('loyalty.none')}</Empty>
      ) : (
        <>
          <Text>{t('loyalty.date', { date: o.scoreDate, n: formatNumber(o.accounts) })}</Text>
          <Title order={3}>{t('loyalty.distribution')}</Title>
          <Table aria-label={t('loyalty.distribution')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('loyalty.col.type')}</Table.Th>
                <Table.Th ta="right">{t('loyalty.col.accounts')}</Table.Th>
                <Table.Th ta="right">{t('loyalty.col.share')}</Table.Th>
                <Table.Th w="40%" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {o.types.map((x) => {
                const share = o.accounts ? (100 * x.count) / o.accounts : 0;
                return (
                  <Table.Tr key={x.type}>
                    <Table.Td>{x.name}</Table.Td>
                    <Table.Td ta="right">{formatNumber(x.count)}</Table.Td>
                    <Table.Td ta="right">{`${formatNumber(Math.round(share * 10) / 10)} %`}</Table.Td>
                    <Table.Td>
                      <Progress value={share} aria-label={t('loyalty.shareOf', { type: x.name })} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </>
      )}

      <Title order={3}>{t('loyalty.moves', { from: mv?.from ?? '', to: mv?.to ?? '' })}</Title>
      {mv && (
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => setMonth(shiftMonth(mv.to, -1))}>
            {t('loyalty.earlier')}
          </Button>
          <Button variant="default" size="xs" onClick={() => setMonth(shiftMonth(mv.to, 1))}>
            {t('loyalty.later')}
          </Button>
        </Group>
      )}
      {movement.isPending ? (
        <Loading />
      ) : !mv || mv.moves.length === 0 ? (
        <Empty h={80}>{t('loyalty.noMoves')}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table withTableBorder withColumnBorders data-testid="type-moves" aria-label={t('loyalty.movesLabel', { from: mv.from, to: mv.to })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('loyalty.fromTo')}</Table.Th>
                {types.map((to) => (
                  <Table.Th key={to} ta="right" scope="col">
                    {typeName(to)}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {fromTypes.map((from) => (
                <Table.Tr key={from}>
                  <Table.Th scope="row">{typeName(from)}</Table.Th>
                  {types.map((to) => {
                    const n = cell(from, to);
                    return (
                      <Table.Td key={to} ta="right" fw={from === to ? 400 : n ? 700 : 400} c={n ? undefined : 'dimmed'}>
                        {formatNumber(n)}
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Title order={3}>{t('loyalty.accounts')}</Title>
      <Select
        label={t('loyalty.filter')}
        w={260}
        clearable
        placeholder={t('loyalty.allTypes')}
        value={type}
        data={types.map((x) => ({ value: x, label: typeName(x) }))}
        onChange={(v) => {
          setType(v);
          setPage(1);
        }}
      />
      {accounts.isPending ? (
        <Loading />
      ) : (accounts.data?.data ?? []).length === 0 ? (
        <Empty h={80}>{t('loyalty.noAccounts')}</Empty>
      ) : (
        <>
          <Table striped aria-label={t('loyalty.accounts')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('loyalty.col.account')}</Table.Th>
                <Table.Th>{t('loyalty.col.type')}</Table.Th>
                <Table.Th>{t('loyalty.col.reasons')}</Table.Th>
                <Table.Th ta="right">{t('loyalty.col.rank')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {accounts.data!.data.map((a) => (
                <Table.Tr key={a.accountId}>
                  <Table.Td>
                    {a.name}
                    {a.externalId && (
                      <Text size="xs" c="dimmed">
                        {a.externalId}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{a.loyaltyTypeName}</Table.Td>
                  <Table.Td>
                    <List size="sm" spacing={0}>
                      {a.reasons.map((r) => (
                        <List.Item key={r.key}>{r.text}</List.Item>
                      ))}
                    </List>
                  </Table.Td>
                  <Table.Td ta="right">{`${formatNumber(a.rankPercent)} %`}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {accounts.data!.total > pageSize && (
            <Pagination
              total={Math.ceil(accounts.data!.total / pageSize)}
              value={page}
              onChange={setPage}
              getControlProps={(c) => ({ 'aria-label': t(`loyalty.page.${c}`) })}
              getItemProps={(p) => ({ 'aria-label': t('loyalty.page.number', { n: p }) })}
            />
          )}
        </>
      )}
    </Stack>
  );
}
