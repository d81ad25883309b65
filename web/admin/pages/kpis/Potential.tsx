/**
 * One account's up-sell and cross-sell potential (GET /v1/accounts/{id}/potential): its cluster of comparable
 * companies, its loyal peers, and the ranked list of categories and margin classes they buy and it does not (or
 * less), in money: what a key-account manager takes to a visit, also as CSV. The chosen account is in the address
 * (`?account=`), so a link opens the same list.
 */
import { Anchor, Badge, Card, Group, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, query } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { currentLanguage } from '../../../shared/i18n';
import { formatDateTime, formatMoney, formatNumber } from '../../../shared/format';
import { ServerSelect, type Option } from '../rules/ServerSelect';
import { Empty } from '../insight/shared';
import { How, percent } from './figures';

interface Line {
  categoryCode: string;
  categoryName: string | null;
  marginClass: string;
  kind: 'cross-sell' | 'up-sell';
  peersBuying: number;
  peerMedianSpend: number;
  expected: number;
  own: number;
  potential: number;
}
interface Potential {
  accountId: string;
  cluster: {
    segment: string;
    sizeBand: number;
    accounts: number;
    loyalPeers: number;
    loyal: boolean;
    recency: number;
    frequency: number;
    monetary: number;
    volume: number;
    peerMedianVolume: number | null;
    sizeRatio: number | null;
  } | null;
  window: { from: string; to: string } | null;
  currency: string;
  lines: Line[];
  totalPotential: number;
  freshness: { refreshedAt: string | null };
}
interface AccountClv {
  currency: string;
  history: { repeatPurchases: number } | null;
  probabilityAlive: number | null;
  expectedPurchases: number | null;
  expectedValuePerPurchase: number | null;
  predictedClv: number | null;
  model: { observedThrough: string } | null;
  unavailable: string | null;
}
interface AccountRow {
  id: string;
  name: string;
  externalId: string | null;
}

export default function PotentialPage() {
  const { t } = useTranslation('console-roi');
  const [params, setParams] = useSearchParams();
  const accountId = params.get('account');
  const account = useQuery({
    queryKey: ['account', accountId],
    queryFn: () => api.get<AccountRow>(`/v1/accounts/${accountId}`),
    enabled: !!accountId,
  });
  const potential = useQuery({
    queryKey: ['insight-potential', accountId],
    queryFn: () => api.get<Potential>(`/v1/accounts/${accountId}/potential`),
    enabled: !!accountId,
  });
  const clv = useQuery({
    queryKey: ['insight-clv', accountId],
    queryFn: () => api.get<AccountClv>(`/v1/accounts/${accountId}/clv`),
    enabled: !!accountId,
  });
  const chosen: Option | null = account.data ? { value: account.data.id, label: account.data.name } : null;
  const p = potential.data;
  const money = (minor: number | null | undefined) => (minor === null || minor === undefined || !p ? '–' : formatMoney(minor, p.currency));
  const c = p?.cluster;

  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t('potential.title')}
        </Title>
        <Text c="dimmed" size="sm">
          {t('potential.intro')}
        </Text>
      </div>
      <ServerSelect
        label={t('potential.account')}
        placeholder={t('potential.accountHint')}
        searchKey={['potential-accounts']}
        search={async (q) =>
          (await api.get<{ data: AccountRow[] }>(`/v1/accounts${query({ q: q || undefined, limit: 20 })}`)).data.map((a) => ({
            value: a.id,
            label: a.externalId ? `${a.name} (${a.externalId})` : a.name,
          }))
        }
        value={chosen}
        onChange={(o) => setParams(o ? { account: o.value } : {})}
        maw={420}
      />
      {(potential.isError || account.isError || clv.isError) && <ErrorAlert error={potential.error ?? account.error ?? clv.error} />}
      {!accountId ? (
        <Empty>{t('potential.choose')}</Empty>
      ) : !p || !clv.data ? (
        <Skeleton h={200} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
            <Card withBorder>
              <Text size="sm" c="dimmed">
                {t('potential.cluster')}
              </Text>
              <Text fz="lg" fw={700}>
                {c ? t('potential.clusterName', { segment: c.segment || t('potential.noSegment'), band: t(`potential.bands.${c.sizeBand}`) }) : '–'}
              </Text>
              {c && (
                <Text size="sm">
                  {t('potential.clusterSize', { accounts: formatNumber(c.accounts), peers: formatNumber(c.loyalPeers) })}
                </Text>
              )}
              {c?.loyal && <Badge mt={4} color="teal.9">{t('potential.loyal')}</Badge>}
              <How ns="console-roi">{t('potential.clusterHow')}</How>
            </Card>
            <Card withBorder>
              <Text size="sm" c="dimmed">
                {t('potential.volume')}
              </Text>
              <Text fz="lg" fw={700}>
                {money(c?.volume)}
              </Text>
              {c && (
                <Text size="sm">
                  {t('potential.ratio', { peers: money(c.peerMedianVolume), ratio: c.sizeRatio === null ? '–' : formatNumber(c.sizeRatio) })}
                </Text>
              )}
              {c && <Text size="sm">{t('potential.rfm', { r: c.recency, f: c.frequency, m: c.monetary })}</Text>}
              <How ns="console-roi">{t('potential.volumeHow')}</How>
            </Card>
            <Card withBorder>
              <Text size="sm" c="dimmed">
                {t('potential.total')}
              </Text>
              <Text fz="lg" fw={700}>
                {money(p.totalPotential)}
              </Text>
              {p.window && <Text size="sm">{t('potential.window', { from: p.window.from, to: p.window.to })}</Text>}
              <How ns="console-roi">{t('potential.totalHow')}</How>
            </Card>
            <Card withBorder>
              <Text size="sm" c="dimmed">
                {t('potential.clv')}
              </Text>
              <Text fz="lg" fw={700}>
                {clv.data.predictedClv === null ? '–' : formatMoney(clv.data.predictedClv, clv.data.currency)}
              </Text>
              <Text size="sm">
                {!clv.data.model
                  ? t(`potential.clvUnavailable.${clv.data.unavailable ?? 'no_purchases'}`)
                  : !clv.data.history
                    ? t('potential.clvNoHistory', { date: clv.data.model.observedThrough })
                    : t('potential.clvSub', {
                        purchases: formatNumber(Math.round((clv.data.expectedPurchases ?? 0) * 10) / 10),
                        value: clv.data.expectedValuePerPurchase === null ? '–' : formatMoney(clv.data.expectedValuePerPurchase, clv.data.currency),
                        alive: percent(clv.data.probabilityAlive),
                      })}
              </Text>
              <How ns="console-roi">{t('potential.clvHow')}</How>
            </Card>
          </SimpleGrid>
          <Group justify="space-between">
            <Title order={2} size="h4">
              {t('potential.list')}
            </Title>
            <Anchor href={`/v1/accounts/${p.accountId}/potential/csv${query({ language: currentLanguage() })}`} download size="sm">
              <Group gap={4} component="span">
                <IconDownload size={16} aria-hidden />
                {t('potential.csv')}
              </Group>
            </Anchor>
          </Group>
          {p.lines.length === 0 ? (
            <Empty>{c ? t('potential.none') : t('potential.noCluster')}</Empty>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">#</Table.Th>
                    <Table.Th scope="col">{t('potential.cols.category')}</Table.Th>
                    <Table.Th scope="col">{t('potential.cols.marginClass')}</Table.Th>
                    <Table.Th scope="col">{t('potential.cols.kind')}</Table.Th>
                    <Table.Th scope="col" ta="right">{t('potential.cols.peers')}</Table.Th>
                    <Table.Th scope="col" ta="right">{t('potential.cols.peerMedian')}</Table.Th>
                    <Table.Th scope="col" ta="right">{t('potential.cols.expected')}</Table.Th>
                    <Table.Th scope="col" ta="right">{t('potential.cols.own')}</Table.Th>
                    <Table.Th scope="col" ta="right">{t('potential.cols.potential')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {p.lines.map((l, i) => (
                    <Table.Tr key={`${l.categoryCode}|${l.marginClass}`}>
                      <Table.Td>{i + 1}</Table.Td>
                      <Table.Td>{l.categoryName ?? (l.categoryCode || t('potential.noCategory'))}</Table.Td>
                      <Table.Td>{l.marginClass || t('noClass')}</Table.Td>
                      <Table.Td>{t(`potential.kinds.${l.kind}`)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(l.peersBuying)}</Table.Td>
                      <Table.Td ta="right">{money(l.peerMedianSpend)}</Table.Td>
                      <Table.Td ta="right">{money(l.expected)}</Table.Td>
                      <Table.Td ta="right">{money(l.own)}</Table.Td>
                      <Table.Td ta="right" fw={700}>
                        {money(l.potential)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <How ns="console-roi">{t('potential.linesHow')}</How>
          {p.freshness.refreshedAt && (
            <Text size="xs" c="dimmed">
              {t('freshness', { time: formatDateTime(p.freshness.refreshedAt) })}
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}
