/**
 * The program at a glance: points issued, redeemed and expired in a chosen period (a chart over time), what is
 * outstanding now and what it is worth, active accounts (and members, if the program has people), the tier
 * distribution and the accounts with most points net of returns. Every figure comes from GET /v1/reports/overview,
 * summed on the server from the ledger. The page opens on the last 30 days or, when the answer says the latest
 * activity is older than that (imported history), on the 30 days up to it, so the first view shows data.
 */
import { useEffect, useState } from 'react';
import { AreaChart, BarChart, DonutChart } from '@mantine/charts';
import { Card, Group, SegmentedControl, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import { IconCalendar } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import '@mantine/charts/styles.css';
import { api, query } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatMoney, formatNumber, localeOf } from '../../shared/format';
import { Empty, isoDay, LocalDates } from './insight/shared';

type Interval = 'day' | 'week' | 'month';

interface Overview {
  from: string;
  to: string;
  interval: Interval;
  currency: string;
  series: Array<{ start: string; issued: number; redeemed: number; expired: number }>;
  totals: { issued: number; redeemed: number; expired: number };
  activeAccounts: number;
  activeMembers: number;
  members: number;
  tiers: Array<{ code: string; name: string; rank: number; accounts: number; members: number }>;
  topAccounts: Array<{ accountId: string; name: string; externalId: string | null; points: number; earned: number; reversed: number }>;
  outstanding: { outstandingAvailable: number; outstandingPending: number; liabilityMinor: number };
  latestActivity: string | null;
}

/** Days for a short range, weeks up to a year, months beyond: a chart of a readable number of points. */
const intervalFor = (from: string, to: string): Interval => {
  const days = dayjs(to).diff(dayjs(from), 'day') + 1;
  return days <= 62 ? 'day' : days <= 366 ? 'week' : 'month';
};

const tierColors = ['teal.7', 'indigo.6', 'orange.7', 'grape.6', 'cyan.7', 'red.7', 'lime.8', 'pink.6'];

export default function Dashboard() {
  const { t, i18n } = useTranslation(['console-insight', 'console']);
  const today = dayjs();
  const openingFrom = isoDay(today.subtract(29, 'day'));
  const [range, setRange] = useState<DatesRangeValue<string>>([openingFrom, isoDay(today)]);
  const [interval, setInterval] = useState<Interval>('day');
  // Set once the user picks a period: from then on the page never moves the range by itself.
  const [chosen, setChosen] = useState(false);
  // The end of the data's last period, when the last 30 days turned out empty (imported history, a quiet program).
  const [olderData, setOlderData] = useState<string | null>(null);
  const [from, to] = range;
  const overview = useQuery({
    queryKey: ['report-overview', from, to, interval, i18n.language],
    queryFn: () => api.get<Overview>(`/v1/reports/overview${query({ from, to, interval })}`),
    enabled: Boolean(from && to),
    placeholderData: keepPreviousData,
  });
  const o = overview.data;
  useEffect(() => {
    // The answer tells the latest activity: if it is older than the opening range, open on the 30 days ending there.
    if (chosen || olderData || !o?.latestActivity || o.from !== openingFrom || o.latestActivity >= o.from) return;
    setOlderData(o.latestActivity);
    setRange([isoDay(dayjs(o.latestActivity).subtract(29, 'day')), o.latestActivity]);
  }, [chosen, olderData, o, openingFrom]);
  const presets = [
    { label: t('dashboard.presets.7days'), value: [isoDay(today.subtract(6, 'day')), isoDay(today)] as [string, string] },
    { label: t('dashboard.presets.30days'), value: [isoDay(today.subtract(29, 'day')), isoDay(today)] as [string, string] },
    { label: t('dashboard.presets.90days'), value: [isoDay(today.subtract(89, 'day')), isoDay(today)] as [string, string] },
    { label: t('dashboard.presets.thisYear'), value: [isoDay(today.startOf('year')), isoDay(today)] as [string, string] },
    { label: t('dashboard.presets.12months'), value: [isoDay(today.subtract(1, 'year').add(1, 'day')), isoDay(today)] as [string, string] },
  ];
  const choose = (value: DatesRangeValue<string>) => {
    setChosen(true);
    setRange(value);
    if (value[0] && value[1]) setInterval(intervalFor(value[0], value[1]));
  };

  const shortDate = new Intl.DateTimeFormat(localeOf(), interval === 'month' ? { month: 'short', year: 'numeric' } : { day: 'numeric', month: 'short' });
  const chartData = (o?.series ?? []).map((p) => ({ ...p, label: shortDate.format(new Date(`${p.start}T12:00:00`)) }));
  const nothingHappened = o !== undefined && o.totals.issued === 0 && o.totals.redeemed === 0 && o.totals.expired === 0;
  const tiersInUse = (o?.tiers ?? []).filter((x) => x.accounts + x.members > 0);
  const figure = (label: string, value: string | undefined, hint?: string) => (
    <Card key={label} withBorder>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      {value === undefined ? (
        <Skeleton h={31} w="70%" />
      ) : (
        // A large sum in money breaks onto a second line rather than running out of its card.
        <Text fz="xl" fw={700} style={{ overflowWrap: 'anywhere' }}>
          {value}
        </Text>
      )}
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );

  return (
    <LocalDates>
      <Stack>
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <Title order={1} size="h2">
            {t('console:nav.dashboard')}
          </Title>
          <Group align="flex-end" wrap="wrap">
            <DatePickerInput
              type="range"
              label={t('dashboard.period')}
              value={range}
              onChange={choose}
              presets={presets}
              allowSingleDateInRange
              maxDate={isoDay(today)}
              valueFormat="D MMM YYYY"
              leftSection={<IconCalendar size={16} aria-hidden />}
              miw={260}
            />
            <SegmentedControl
              aria-label={t('dashboard.interval.label')}
              value={interval}
              onChange={(v) => setInterval(v as Interval)}
              data={(['day', 'week', 'month'] as const).map((v) => ({ value: v, label: t(`dashboard.interval.${v}`) }))}
            />
          </Group>
        </Group>
        {overview.isError && <ErrorAlert error={overview.error} />}

        <SimpleGrid cols={o && o.members > 0 ? { base: 1, xs: 2, md: 4, xl: 7 } : { base: 1, xs: 2, md: 3, xl: 6 }}>
          {figure(t('dashboard.issued'), o && formatNumber(o.totals.issued), t('dashboard.inPeriod'))}
          {figure(t('dashboard.redeemed'), o && formatNumber(o.totals.redeemed), t('dashboard.inPeriod'))}
          {figure(t('dashboard.expired'), o && formatNumber(o.totals.expired), t('dashboard.inPeriod'))}
          {figure(t('dashboard.activeAccounts'), o && formatNumber(o.activeAccounts), t('dashboard.activeAccountsHint'))}
          {/* A program of accounts only has no people to count: the card would always say 0. */}
          {o && o.members > 0 && figure(t('dashboard.activeMembers'), formatNumber(o.activeMembers), t('dashboard.activeMembersHint'))}
          {figure(t('dashboard.outstanding'), o && formatNumber(o.outstanding.outstandingAvailable + o.outstanding.outstandingPending), t('dashboard.now'))}
          {figure(t('dashboard.liability'), o && formatMoney(o.outstanding.liabilityMinor, o.currency), t('dashboard.now'))}
        </SimpleGrid>

        <Card withBorder aria-busy={overview.isFetching}>
          {/* The note shares the title's line, so its arrival with the first answer moves nothing below. */}
          <Group justify="space-between" align="baseline" mb="sm" gap="xs">
            <Title order={2} size="h4">
              {t('dashboard.pointsOverTime')}
            </Title>
            {olderData && !chosen && (
              <Text size="xs" c="dimmed">
                {t('dashboard.latestData', { date: new Intl.DateTimeFormat(localeOf(), { dateStyle: 'long' }).format(new Date(`${olderData}T12:00:00`)) })}
              </Text>
            )}
          </Group>
          {!o ? (
            <Skeleton h={280} />
          ) : nothingHappened ? (
            <Empty h={280}>{t('dashboard.emptyPeriod')}</Empty>
          ) : (
            <AreaChart
              h={280}
              data={chartData}
              dataKey="label"
              curveType="monotone"
              withLegend
              // As wide as the longest tick needs: "1,000,000" and "1 000 000" are not cut at the left edge.
              yAxisProps={{ width: 'auto' }}
              valueFormatter={(v) => formatNumber(v)}
              series={[
                { name: 'issued', label: t('dashboard.issued'), color: 'teal.7' },
                { name: 'redeemed', label: t('dashboard.redeemed'), color: 'indigo.6' },
                { name: 'expired', label: t('dashboard.expired'), color: 'orange.7' },
              ]}
            />
          )}
        </Card>

        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('dashboard.tiers')}
            </Title>
            {!o ? (
              <Skeleton h={220} />
            ) : tiersInUse.length === 0 ? (
              <Empty h={220}>{o.tiers.length === 0 ? t('dashboard.noTierLevels') : t('dashboard.noneInTiers')}</Empty>
            ) : (
              <Group align="center" wrap="nowrap" gap="lg">
                <DonutChart
                  size={180}
                  thickness={28}
                  withTooltip
                  valueFormatter={(v) => formatNumber(v)}
                  data={tiersInUse.map((x) => ({ name: x.name, value: x.accounts + x.members, color: tierColors[(x.rank - 1) % tierColors.length]! }))}
                />
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('dashboard.tier')}</Table.Th>
                      <Table.Th ta="right">{t('dashboard.accounts')}</Table.Th>
                      <Table.Th ta="right">{t('dashboard.members')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {o.tiers.map((x) => (
                      <Table.Tr key={x.code}>
                        <Table.Td>{x.name}</Table.Td>
                        <Table.Td ta="right">{formatNumber(x.accounts)}</Table.Td>
                        <Table.Td ta="right">{formatNumber(x.members)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Group>
            )}
          </Card>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('dashboard.topAccounts')}
            </Title>
            {!o ? (
              <Skeleton h={220} />
            ) : o.topAccounts.length === 0 ? (
              <Empty h={220}>{t('dashboard.noEarnings')}</Empty>
            ) : (
              <BarChart
                h={Math.max(160, o.topAccounts.length * 34)}
                data={o.topAccounts.map((a) => ({ name: a.name, points: a.points }))}
                dataKey="name"
                orientation="vertical"
                yAxisProps={{ width: 140 }}
                valueFormatter={(v) => formatNumber(v)}
                series={[{ name: 'points', label: t('dashboard.netPoints'), color: 'teal.7' }]}
              />
            )}
          </Card>
        </SimpleGrid>
      </Stack>
    </LocalDates>
  );
}
