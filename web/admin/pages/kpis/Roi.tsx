/**
 * The program's return on investment (GET /v1/insight/roi): members against non-members, before against after the
 * month they joined, on purchase value and margin per account and month, with the 95 % interval, the program's
 * cost and the ROI, and the assumptions the figure rests on right next to it. The reader sets the margin rates,
 * the window and the fulfilment cost; every figure says how it is computed (docs/insight.md#roi).
 */
import { useState } from 'react';
import { Card, Group, List, NumberInput, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatDateTime, formatMoney, formatNumber } from '../../../shared/format';
import { How, percent } from './figures';

interface Group2 {
  accounts: number;
  before: number | null;
  after: number | null;
}
interface Did {
  members: Group2;
  nonMembers: Group2;
  estimate: number | null;
  standardError: number | null;
  low: number | null;
  high: number | null;
}
interface Roi {
  from: string | null;
  to: string | null;
  currency: string;
  windowMonths: number;
  value: Did;
  margin: Did;
  membersCompared: number;
  memberMonths: number;
  cost: { redeemedPoints: number; campaignPoints: number; orders: number; pointValueMicros: number; redemptions: number; campaigns: number; fulfilment: number; total: number };
  roi: { incrementalMargin: number | null; incrementalMarginLow: number | null; incrementalMarginHigh: number | null; roi: number | null; roiLow: number | null; roiHigh: number | null };
  assumptions: { marginRates: Array<{ marginClass: string; rate: number }>; defaultMargin: number; fulfilmentPerOrder: number };
  freshness: { refreshedAt: string | null; stale: boolean };
}

/** Keeps a line's height while its figure is not there, so the page does not jump when it comes. */
const NBSP = '\u00a0';


export default function RoiPage() {
  const { t } = useTranslation('console-roi');
  const [windowMonths, setWindowMonths] = useState<number>(6);
  const [defaultMargin, setDefaultMargin] = useState<number>(25);
  const [marginRates, setMarginRates] = useState('');
  const [fulfilment, setFulfilment] = useState<number>(0);
  const [rates] = useDebouncedValue(marginRates.trim(), 400);
  const roi = useQuery({
    queryKey: ['insight-roi', windowMonths, defaultMargin, rates, fulfilment],
    queryFn: () =>
      api.get<Roi>(
        `/v1/insight/roi${query({ windowMonths, defaultMargin, fulfilmentPerOrder: Math.round(fulfilment * 100), marginRates: rates || undefined })}`,
      ),
    placeholderData: keepPreviousData,
  });
  const r = roi.data;
  const money = (minor: number | null | undefined) => (minor === null || minor === undefined || !r ? '–' : formatMoney(minor, r.currency));
  const change = (g: Group2) => (g.before === null || g.after === null ? null : g.after - g.before);

  const didTable = (title: string, d: Did | undefined, how: string) => (
    <Card withBorder>
      <Title order={2} size="h4">
        {title}
      </Title>
      <How ns="console-roi">{how}</How>
      {
        <Table mt="sm" striped layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('table.group')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('table.accounts')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('table.before')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('table.after')}</Table.Th>
              <Table.Th scope="col" ta="right">{t('table.change')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(['members', 'nonMembers'] as const).map((g) => (
              <Table.Tr key={g}>
                <Table.Th scope="row">{t(`table.${g}`)}</Table.Th>
                <Table.Td ta="right">{d ? formatNumber(d[g].accounts) : '–'}</Table.Td>
                <Table.Td ta="right">{money(d?.[g].before)}</Table.Td>
                <Table.Td ta="right">{money(d?.[g].after)}</Table.Td>
                <Table.Td ta="right">{d ? money(change(d[g])) : '–'}</Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Th scope="row" colSpan={4}>
                {t('table.did')}
              </Table.Th>
              <Table.Td ta="right" fw={700}>
                {money(d?.estimate)}
                <Text size="xs" c="dimmed" component="span" display="block">
                  {d && d.low !== null && d.high !== null ? t('interval', { low: money(d.low), high: money(d.high) }) : NBSP}
                </Text>
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      }
    </Card>
  );

  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed" size="sm">
          {t('intro')}
        </Text>
      </div>
      <Group align="flex-end" wrap="wrap">
        <NumberInput label={t('inputs.window')} value={windowMonths} onChange={(v) => setWindowMonths(Number(v) || 1)} min={1} max={24} w={190} />
        <NumberInput label={t('inputs.defaultMargin')} value={defaultMargin} onChange={(v) => setDefaultMargin(Number(v) || 0)} min={0} max={100} suffix=" %" w={190} />
        <TextInput label={t('inputs.marginRates')} description={t('inputs.marginRatesHint')} value={marginRates} onChange={(e) => setMarginRates(e.currentTarget.value)} w={260} />
        <NumberInput label={t('inputs.fulfilment')} value={fulfilment} onChange={(v) => setFulfilment(Number(v) || 0)} min={0} decimalScale={2} w={210} />
      </Group>
      {roi.isError && <ErrorAlert error={roi.error} />}
      <Text size="sm" c="dimmed" aria-live="polite" mih="1.55em">
        {r && r.from ? t('range', { from: r.from, to: r.to, members: formatNumber(r.membersCompared), months: formatNumber(r.memberMonths) }) : r ? t('empty') : ''}
        {r?.freshness.refreshedAt ? ` ${t('freshness', { time: formatDateTime(r.freshness.refreshedAt) })}` : ''}
      </Text>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            {t('figures.roi')}
          </Text>
          {!r ? (
            <Skeleton h={31} w="50%" />
          ) : (
            <Text fz="xl" fw={700}>
              {percent(r.roi.roi)}
            </Text>
          )}
          <Text size="sm">{r && r.roi.roiLow !== null && r.roi.roiHigh !== null ? t('interval', { low: percent(r.roi.roiLow), high: percent(r.roi.roiHigh) }) : NBSP}</Text>
          <How ns="console-roi">{t('figures.roiHow')}</How>
          <Title order={2} size="h5" mt="md">
            {t('assumptions.title')}
          </Title>
          <List size="sm" spacing={2}>
            <List.Item>{t('assumptions.window', { months: r?.windowMonths ?? windowMonths })}</List.Item>
            <List.Item>
              {t('assumptions.margins', {
                rates: r?.assumptions.marginRates.map((m) => `${m.marginClass || t('noClass')} ${percent(m.rate)}`).join(', ') || '–',
                other: percent(r ? r.assumptions.defaultMargin : defaultMargin / 100),
              })}
            </List.Item>
            <List.Item>{t('assumptions.fulfilment', { cost: money(r?.assumptions.fulfilmentPerOrder) })}</List.Item>
            <List.Item>{t('assumptions.comparison')}</List.Item>
            <List.Item>{t('assumptions.trends')}</List.Item>
            <List.Item>{t('assumptions.campaigns')}</List.Item>
          </List>
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            {t('figures.incremental')}
          </Text>
          {!r ? <Skeleton h={31} w="50%" /> : <Text fz="xl" fw={700}>{money(r.roi.incrementalMargin)}</Text>}
          <Text size="sm">
            {r && r.roi.incrementalMarginLow !== null ? t('interval', { low: money(r.roi.incrementalMarginLow), high: money(r.roi.incrementalMarginHigh) }) : NBSP}
          </Text>
          <How ns="console-roi">{t('figures.incrementalHow')}</How>
          <Text size="sm" c="dimmed" mt="md">
            {t('figures.cost')}
          </Text>
          {!r ? <Skeleton h={31} w="50%" /> : <Text fz="xl" fw={700}>{money(r.cost.total)}</Text>}
          <List size="sm" spacing={2}>
            <List.Item>{t('cost.redemptions', { points: r ? formatNumber(r.cost.redeemedPoints) : '–', money: money(r?.cost.redemptions) })}</List.Item>
            <List.Item>{t('cost.campaigns', { points: r ? formatNumber(r.cost.campaignPoints) : '–', money: money(r?.cost.campaigns) })}</List.Item>
            <List.Item>{t('cost.fulfilment', { orders: r ? formatNumber(r.cost.orders) : '–', money: money(r?.cost.fulfilment) })}</List.Item>
          </List>
          <How ns="console-roi">{t('figures.costHow')}</How>
        </Card>
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {didTable(t('table.value'), r?.value, t('table.valueHow'))}
        {didTable(t('table.margin'), r?.margin, t('table.marginHow'))}
      </SimpleGrid>
    </Stack>
  );
}
