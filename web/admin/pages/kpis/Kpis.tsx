/**
 * The program's KPIs (GET /v1/insight/kpis, /cohorts, /participation): headline figures, charts per period, a
 * table per period and segment, the monthly cohort table as a heat map and CSV downloads. Every figure carries a
 * short note of how it is computed (the formulas of docs/insight.md, in the reader's language). The figures come
 * from summary tables a job rebuilds; the page says when they were built and offers a refresh.
 */
import { useState } from 'react';
import { BarChart, LineChart } from '@mantine/charts';
import { Anchor, Button, Card, Group, Select, SegmentedControl, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import { IconCalendar, IconDownload, IconRefresh } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import '@mantine/charts/styles.css';
import { api, query } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { currentLanguage } from '../../../shared/i18n';
import { formatDateTime, formatMoney, formatNumber, localeOf } from '../../../shared/format';
import { Empty, LocalDates } from '../insight/shared';
import { How, percent } from './figures';

const periods = ['day', 'week', 'month', 'quarter', 'year'] as const;
type Period = (typeof periods)[number];
const segmentFields = ['none', 'segment', 'tier', 'country', 'role'] as const;
type SegmentField = (typeof segmentFields)[number];
const exportKinds = ['accounts', 'members', 'ledger-entries', 'orders', 'claims', 'kpis', 'cohorts'] as const;

interface Freshness {
  refreshedAt: string | null;
  stale: boolean;
  tookMs: number | null;
}

interface KpiRow {
  period: string;
  segment: string;
  buyers: number;
  repeaters: number;
  newBuyers: number;
  purchases: number;
  revenue: number;
  returns: number;
  returned: number;
  netRevenue: number;
  cumulativeBuyers: number;
  cumulativeRepeaters: number;
  cumulativeRevenue: number;
  cumulativeReturned: number;
  repeatRate: number | null;
  cumulativeRepeatRate: number | null;
  purchaseFrequency: number | null;
  averageOrderValue: number | null;
  historicalClv: number | null;
}

interface Kpis {
  from: string;
  to: string;
  period: Period;
  segmentBy: SegmentField;
  currency: string;
  rows: KpiRow[];
  totals: Omit<KpiRow, 'period' | 'segment'>;
  points: Array<{ period: string; issued: number; redeemed: number; expired: number; breakageRate: number | null }>;
  tiers: { migration: Array<{ period: string; upgrades: number; downgrades: number }> };
  liability: { outstandingPoints: number; liabilityMinor: number };
  listening: { nps: number | null; npsAnswers: number; csatShare: number | null; csatMean: number | null; csatAnswers: number };
  predictedClv: { model: ClvModel | null; unavailable: string | null };
  freshness: Freshness;
}

interface ClvModel {
  fittedAt: string;
  observedThrough: string;
  horizonWeeks: number;
  accounts: number;
  holdout: { calibrationThrough: string; weeks: number; actual: number; predicted: number; meanAbsoluteError: number; aggregateError: number | null };
  predicted: { meanClv: number | null };
}

interface Cohorts {
  through: string | null;
  cohorts: Array<{ cohort: string; size: number; active: number[]; retention: Array<number | null> }>;
}

interface Participation {
  accounts: { all: number; active: number; rate: number | null };
}

const decimal = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : new Intl.NumberFormat(localeOf(), { maximumFractionDigits: 2 }).format(x);

/** Heat-map colour: white to teal.4 by retention; dark text stays readable (AA) on every shade. */
function heat(share: number | null): string {
  if (share === null) return 'transparent';
  const s = Math.max(0, Math.min(1, share));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * s);
  return `rgb(${mix(255, 56)}, ${mix(255, 217)}, ${mix(255, 169)})`;
}

export default function KpisPage() {
  const { t } = useTranslation(['console-kpis', 'console']);
  const [period, setPeriod] = useState<Period>('month');
  const [segmentBy, setSegmentBy] = useState<SegmentField>('none');
  const [range, setRange] = useState<DatesRangeValue<string>>([null, null]);
  const [from, to] = range;
  const client = useQueryClient();
  const kpis = useQuery({
    queryKey: ['insight-kpis', from, to, period, segmentBy],
    queryFn: () => api.get<Kpis>(`/v1/insight/kpis${query({ from: from && to ? from : undefined, to: from && to ? to : undefined, period, segmentBy })}`),
    placeholderData: keepPreviousData,
  });
  const cohorts = useQuery({ queryKey: ['insight-cohorts'], queryFn: () => api.get<Cohorts>('/v1/insight/cohorts') });
  const participation = useQuery({ queryKey: ['insight-participation'], queryFn: () => api.get<Participation>('/v1/insight/participation') });
  const refresh = useMutation({
    mutationFn: () => api.post('/v1/insight/refresh', {}),
    onSuccess: () => client.invalidateQueries({ predicate: (q) => String(q.queryKey[0]).startsWith('insight-') }),
  });

  const k = kpis.data;
  const total = k?.totals;
  const purchases = total?.purchases ?? 0;
  const lastPoints = k?.points.at(-1);
  const label = (p: string) =>
    new Intl.DateTimeFormat(localeOf(), period === 'year' ? { year: 'numeric' } : period === 'month' || period === 'quarter' ? { month: 'short', year: 'numeric' } : { day: 'numeric', month: 'short' }).format(
      new Date(`${p}T12:00:00`),
    );
  // Charts show the whole program (not split) so that they stay readable; the table below is split.
  const unsplit = segmentBy === 'none' ? (k?.rows ?? []) : [];
  const chartRows = unsplit.map((r) => ({ ...r, label: label(r.period), repeatPct: r.repeatRate === null ? null : r.repeatRate * 100, cumulativePct: r.cumulativeRepeatRate === null ? null : r.cumulativeRepeatRate * 100 }));
  const money = (minor: number | null | undefined) => (minor === null || minor === undefined || !k ? '–' : formatMoney(minor, k.currency));

  const figure = (key: string, value: string | undefined, how: string, sub?: string, subLines = 1) => (
    <Card withBorder key={key}>
      <Text size="sm" c="dimmed">
        {t(`figures.${key}`)}
      </Text>
      {value === undefined ? (
        <Skeleton h={31} w="70%" />
      ) : (
        <Text fz="xl" fw={700} style={{ overflowWrap: 'anywhere' }}>
          {value}
        </Text>
      )}
      {/* A figure's detail keeps its place while loading (a no-break space, or as many lines as its longest text may
          take), so nothing below moves when it lands. */}
      {sub !== undefined && (
        <Text size="sm" mih={subLines > 1 ? `${subLines}lh` : undefined}>
          {sub || '\u00a0'}
        </Text>
      )}
      <How ns="console-kpis">{how}</How>
    </Card>
  );
  const listening = k?.listening;
  const clv = k?.predictedClv.model;
  const day = (d: string) => new Intl.DateTimeFormat(localeOf(), { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${d}T12:00:00`));
  const signedPercent = (x: number | null | undefined) =>
    x === null || x === undefined ? '–' : new Intl.NumberFormat(localeOf(), { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(x);

  const fresh = k?.freshness;
  return (
    <LocalDates>
      <Stack>
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <div>
            <Title order={1} size="h2">
              {t('title')}
            </Title>
            <Text c="dimmed" size="sm">
              {t('intro')}
            </Text>
          </div>
          <Group align="flex-end" wrap="wrap">
            <DatePickerInput
              type="range"
              label={t('range')}
              value={range}
              onChange={setRange}
              allowSingleDateInRange
              clearable
              valueFormat="D MMM YYYY"
              leftSection={<IconCalendar size={16} aria-hidden />}
              miw={240}
            />
            <Select
              label={t('segmentBy')}
              value={segmentBy}
              onChange={(v) => setSegmentBy((v as SegmentField) ?? 'none')}
              data={segmentFields.map((f) => ({ value: f, label: t(`segments.${f}`) }))}
              allowDeselect={false}
              w={170}
            />
            <SegmentedControl
              aria-label={t('period')}
              value={period}
              onChange={(v) => setPeriod(v as Period)}
              data={periods.map((p) => ({ value: p, label: t(`periods.${p}`) }))}
            />
          </Group>
        </Group>

        <Group gap="xs" aria-live="polite">
          <Text size="sm" c="dimmed">
            {!fresh ? '' : fresh.refreshedAt === null ? t('freshness.never') : t('freshness.at', { time: formatDateTime(fresh.refreshedAt) })}
            {fresh?.stale && fresh.refreshedAt !== null ? ` ${t('freshness.stale')}` : ''}
          </Text>
          <Button size="xs" variant="default" leftSection={<IconRefresh size={14} aria-hidden />} loading={refresh.isPending} onClick={() => refresh.mutate()}>
            {t('freshness.refresh')}
          </Button>
        </Group>
        {kpis.isError && <ErrorAlert error={kpis.error} />}
        {refresh.isError && <ErrorAlert error={refresh.error} />}

        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          {figure('repeatRate', k && percent(total?.cumulativeRepeatRate), t('figures.repeatRateHow'))}
          {figure('frequency', k && decimal(total?.purchaseFrequency), t('figures.frequencyHow'))}
          {figure('aov', k && money(total?.averageOrderValue), t('figures.aovHow'))}
          {figure('clv', k && money(total?.historicalClv), t('figures.clvHow'))}
          {figure('netRevenue', k && money(total?.netRevenue), t('figures.netRevenueHow'))}
          {figure('participation', participation.data && percent(participation.data.accounts.rate), t('figures.participationHow'))}
          {figure('breakage', k && percent(lastPoints?.breakageRate), t('figures.breakageHow'))}
          {figure('liability', k && money(k.liability.liabilityMinor), t('figures.liabilityHow'))}
          {figure(
            'predictedClv',
            k && (clv ? money(clv.predicted.meanClv) : '–'),
            t('figures.predictedClvHow'),
            !k ? '' : clv ? t('figures.predictedClvSub', { date: day(clv.fittedAt.slice(0, 10)) }) : t(`figures.clvUnavailable.${k.predictedClv.unavailable ?? 'no_purchases'}`),
            2,
          )}
          {figure(
            'clvHoldout',
            k && (clv ? signedPercent(clv.holdout.aggregateError) : '–'),
            t('figures.clvHoldoutHow'),
            !k || !clv ? '' : t('figures.clvHoldoutSub', { predicted: decimal(clv.holdout.predicted), actual: formatNumber(clv.holdout.actual), mae: decimal(clv.holdout.meanAbsoluteError) }),
            2,
          )}
          {figure(
            'nps',
            listening && (listening.nps === null ? '–' : decimal(listening.nps)),
            t('figures.npsHow'),
            listening ? t('figures.answers', { count: listening.npsAnswers }) : '',
          )}
          {figure(
            'csat',
            listening && (listening.csatShare === null ? '–' : percent(listening.csatShare / 100)),
            t('figures.csatHow'),
            !listening
              ? ''
              : listening.csatMean === null
                ? t('figures.answers', { count: listening.csatAnswers })
                : t('figures.csatSub', { mean: decimal(listening.csatMean), answers: t('figures.answers', { count: listening.csatAnswers }) }),
          )}
        </SimpleGrid>

        {segmentBy === 'none' && (
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Card withBorder>
              <Title order={2} size="h4">
                {t('charts.buyers')}
              </Title>
              <How ns="console-kpis">{t('charts.buyersHow')}</How>
              {!k ? (
                <Skeleton h={240} mt="sm" />
              ) : purchases === 0 ? (
                <Empty h={240}>{t('empty')}</Empty>
              ) : (
                <BarChart
                  h={240}
                  mt="sm"
                  data={chartRows}
                  dataKey="label"
                  withLegend
                  yAxisProps={{ width: 'auto' }}
                  valueFormatter={(v) => formatNumber(v)}
                  series={[
                    { name: 'buyers', label: t('charts.buyersSeries'), color: 'teal.7' },
                    { name: 'newBuyers', label: t('charts.newBuyers'), color: 'indigo.6' },
                  ]}
                />
              )}
            </Card>
            <Card withBorder>
              <Title order={2} size="h4">
                {t('charts.repeat')}
              </Title>
              <How ns="console-kpis">{t('charts.repeatHow')}</How>
              {!k ? (
                <Skeleton h={240} mt="sm" />
              ) : purchases === 0 ? (
                <Empty h={240}>{t('empty')}</Empty>
              ) : (
                <LineChart
                  h={240}
                  mt="sm"
                  data={chartRows}
                  dataKey="label"
                  withLegend
                  unit=" %"
                  yAxisProps={{ width: 'auto', domain: [0, 100] }}
                  valueFormatter={(v) => decimal(v)}
                  series={[
                    { name: 'repeatPct', label: t('charts.inPeriod'), color: 'teal.7' },
                    { name: 'cumulativePct', label: t('charts.cumulative'), color: 'orange.7' },
                  ]}
                />
              )}
            </Card>
            <Card withBorder>
              <Title order={2} size="h4">
                {t('charts.revenue')}
              </Title>
              <How ns="console-kpis">{t('charts.revenueHow')}</How>
              {!k ? (
                <Skeleton h={240} mt="sm" />
              ) : purchases === 0 ? (
                <Empty h={240}>{t('empty')}</Empty>
              ) : (
                <BarChart
                  h={240}
                  mt="sm"
                  data={chartRows.map((r) => ({ label: r.label, gross: r.revenue / 100, returned: r.returned / 100 }))}
                  dataKey="label"
                  withLegend
                  yAxisProps={{ width: 'auto' }}
                  valueFormatter={(v) => (k ? formatMoney(Math.round(v * 100), k.currency) : String(v))}
                  series={[
                    { name: 'gross', label: t('charts.gross'), color: 'teal.7' },
                    { name: 'returned', label: t('charts.returned'), color: 'red.7' },
                  ]}
                />
              )}
            </Card>
            <Card withBorder>
              <Title order={2} size="h4">
                {t('charts.points')}
              </Title>
              <How ns="console-kpis">{t('charts.pointsHow')}</How>
              {!k ? (
                <Skeleton h={240} mt="sm" />
              ) : (
                <BarChart
                  h={240}
                  mt="sm"
                  data={k.points.map((p) => ({ ...p, label: label(p.period) }))}
                  dataKey="label"
                  withLegend
                  yAxisProps={{ width: 'auto' }}
                  valueFormatter={(v) => formatNumber(v)}
                  series={[
                    { name: 'issued', label: t('charts.issued'), color: 'teal.7' },
                    { name: 'redeemed', label: t('charts.redeemed'), color: 'indigo.6' },
                    { name: 'expired', label: t('charts.expired'), color: 'orange.7' },
                  ]}
                />
              )}
            </Card>
            <Card withBorder>
              <Title order={2} size="h4">
                {t('charts.tiers')}
              </Title>
              <How ns="console-kpis">{t('charts.tiersHow')}</How>
              {!k ? (
                <Skeleton h={200} mt="sm" />
              ) : (
                <BarChart
                  h={200}
                  mt="sm"
                  data={k.tiers.migration.map((m) => ({ ...m, label: label(m.period) }))}
                  dataKey="label"
                  withLegend
                  yAxisProps={{ width: 'auto' }}
                  valueFormatter={(v) => formatNumber(v)}
                  series={[
                    { name: 'upgrades', label: t('charts.upgrades'), color: 'teal.7' },
                    { name: 'downgrades', label: t('charts.downgrades'), color: 'red.7' },
                  ]}
                />
              )}
            </Card>
          </SimpleGrid>
        )}

        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t('table.title')}
          </Title>
          <Table.ScrollContainer minWidth={640}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('table.period')}</Table.Th>
                  {segmentBy !== 'none' && <Table.Th>{t('table.segment')}</Table.Th>}
                  <Table.Th ta="right">{t('table.buyers')}</Table.Th>
                  <Table.Th ta="right">{t('table.purchases')}</Table.Th>
                  <Table.Th ta="right">{t('table.repeatRate')}</Table.Th>
                  <Table.Th ta="right">{t('table.aov')}</Table.Th>
                  <Table.Th ta="right">{t('table.netRevenue')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(k?.rows ?? []).map((r) => (
                  <Table.Tr key={`${r.period}-${r.segment}`}>
                    <Table.Td>{label(r.period)}</Table.Td>
                    {segmentBy !== 'none' && <Table.Td>{r.segment || t('noSegment')}</Table.Td>}
                    <Table.Td ta="right">{formatNumber(r.buyers)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(r.purchases)}</Table.Td>
                    <Table.Td ta="right">{percent(r.repeatRate)}</Table.Td>
                    <Table.Td ta="right">{money(r.averageOrderValue)}</Table.Td>
                    <Table.Td ta="right">{money(r.netRevenue)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>

        <Card withBorder>
          <Title order={2} size="h4">
            {t('cohorts.title')}
          </Title>
          <How ns="console-kpis">{t('cohorts.how')}</How>
          {cohorts.isError && <ErrorAlert error={cohorts.error} />}
          {!cohorts.data ? (
            <Skeleton h={200} mt="sm" />
          ) : cohorts.data.cohorts.length === 0 ? (
            <Empty>{t('cohorts.empty')}</Empty>
          ) : (
            <Table.ScrollContainer minWidth={720} mt="sm">
              <Table withTableBorder withColumnBorders fz="xs" aria-label={t('cohorts.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('cohorts.cohort')}</Table.Th>
                    <Table.Th ta="right">{t('cohorts.size')}</Table.Th>
                    {(cohorts.data.cohorts[0]?.active ?? []).map((_, n) => (
                      <Table.Th key={n} ta="right">
                        {t('cohorts.month', { n })}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {cohorts.data.cohorts.map((c) => (
                    <Table.Tr key={c.cohort}>
                      <Table.Th scope="row">{new Intl.DateTimeFormat(localeOf(), { month: 'short', year: 'numeric' }).format(new Date(`${c.cohort}-15T12:00:00`))}</Table.Th>
                      <Table.Td ta="right">{formatNumber(c.size)}</Table.Td>
                      {c.retention.map((share, n) => (
                        <Table.Td
                          key={n}
                          ta="right"
                          style={{ backgroundColor: heat(share), color: '#1a1b1e' }}
                          title={t('cohorts.cell', { share: percent(share), count: formatNumber(c.active[n] ?? 0) })}
                        >
                          {percent(share)}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>

        <Card withBorder>
          <Title order={2} size="h4">
            {t('export.title')}
          </Title>
          <How ns="console-kpis">{t('export.how')}</How>
          <Group mt="sm" gap="xs">
            {exportKinds.map((what) => (
              <Anchor
                key={what}
                href={`/v1/exports/${what}${query({ language: currentLanguage(), ...(what === 'kpis' && k ? { from: k.from, to: k.to, period, segmentBy } : {}) })}`}
                download
                underline="never"
              >
                <Button component="span" size="xs" variant="default" leftSection={<IconDownload size={14} aria-hidden />}>
                  {t(`export.${what}`)}
                </Button>
              </Anchor>
            ))}
          </Group>
        </Card>
      </Stack>
    </LocalDates>
  );
}
