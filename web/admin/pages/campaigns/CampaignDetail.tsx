/**
 * One campaign: what it adds and to whom, its budget planned vs spent, the treated and held-out groups and the
 * uplift with its confidence interval; a manager can stop it now or extend it.
 */
import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { canWrite, useStaff } from '../../session';
import { BudgetBar } from './BudgetBar';
import { endAfterDay, lastDayOf, statusColour, type Campaign, type Effect } from './model';
import { UpliftChart } from './UpliftChart';

function EffectText({ e, currency }: { e: Effect; currency: string }) {
  const { t } = useTranslation('console-campaigns');
  if (e.type === 'multiplier') return <>{t('effectText.multiplier', { factor: formatNumber(e.factor) })}</>;
  if (e.type === 'fixed') return <>{t('effectText.fixed', { points: formatNumber(e.points) })}</>;
  return <>{t('effectText.lineBonus', { points: formatNumber(e.points), per: formatMoney(e.per, currency), what: [e.brand, e.category].filter(Boolean).join(' · ') })}</>;
}

export function CampaignDetail() {
  const { t } = useTranslation('console-campaigns');
  const { id } = useParams();
  const { staff, program } = useStaff();
  const client = useQueryClient();
  const campaign = useQuery({ queryKey: ['campaign', id], queryFn: () => api.get<Campaign>(`/v1/campaigns/${id}`) });
  const [confirmStop, setConfirmStop] = useState(false);
  const [newLastDay, setNewLastDay] = useState('');
  const done = (c: Campaign, message: string) => {
    client.setQueryData(['campaign', id], c);
    void client.invalidateQueries({ queryKey: ['campaigns'] });
    notifySuccess(message);
  };
  const stop = useMutation({
    mutationFn: () => api.post<Campaign>(`/v1/campaigns/${id}/stop`),
    onSuccess: (c) => {
      setConfirmStop(false);
      done(c, t('detail.stopped', { name: c.name }));
    },
  });
  const extend = useMutation({
    mutationFn: () => api.post<Campaign>(`/v1/campaigns/${id}/extend`, { endsAt: endAfterDay(newLastDay) }),
    onSuccess: (c) => {
      setNewLastDay('');
      done(c, t('detail.extended', { name: c.name, date: formatDate(lastDayOf(c.endsAt)) }));
    },
  });
  if (campaign.isPending) return <Loading />;
  if (campaign.isError) return <ErrorAlert error={campaign.error} />;
  const c = campaign.data;
  const r = c.report;
  const money = (v: number) => formatMoney(Math.round(v), program.currency);
  const open = r.status === 'planned' || r.status === 'running';
  return (
    <Stack>
      <Anchor component={Link} to="..">
        {t('back')}
      </Anchor>
      <Group gap="sm">
        <Title order={2}>{c.name}</Title>
        <Badge color={statusColour[r.status]} variant="light">
          {t(`status.${r.status}`)}
        </Badge>
      </Group>
      {c.description && <Text>{c.description}</Text>}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">
            {t('detail.plan')}
          </Title>
          <Text>{`${formatDate(c.startsAt)} – ${formatDate(lastDayOf(c.endsAt))}`}</Text>
          {c.stoppedAt && <Text c="orange.9">{t('detail.stoppedAt', { at: formatDateTime(c.stoppedAt) })}</Text>}
          <Text>{t('detail.reaches', { segments: c.segmentKeys.length ? c.segmentKeys.join(', ') : t('list.everyone') })}</Text>
          <Text>{t('detail.controlShare', { percent: c.controlPercent })}</Text>
          <Stack component="ul" gap={2} mt="xs" pl="md">
            {c.effects.map((e, i) => (
              <Text component="li" key={i}>
                <EffectText e={e} currency={program.currency} />
              </Text>
            ))}
          </Stack>
        </Card>
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">
            {t('detail.budget')}
          </Title>
          <BudgetBar c={c} />
          <Text size="sm" mt="xs">
            {t('detail.budgetLeft', { available: formatNumber(r.budget.available), count: r.payouts.count, payouts: formatNumber(r.payouts.count) })}
          </Text>
          {r.budget.exhausted && (
            <Alert color="orange" mt="xs">
              {t('detail.exhausted')}
            </Alert>
          )}
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h4">
          {t('uplift.title')}
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {t('uplift.how', { from: formatDate(r.window.from), to: formatDate(r.window.to) })}
        </Text>
        <Table mb="md" aria-label={t('uplift.groups')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('uplift.group')}</Table.Th>
              <Table.Th ta="right">{t('uplift.accounts')}</Table.Th>
              <Table.Th ta="right">{t('uplift.purchases')}</Table.Th>
              <Table.Th ta="right">{t('uplift.perAccount')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(['treatment', 'control'] as const).map((g) => (
              <Table.Tr key={g}>
                <Table.Td>{t(g === 'treatment' ? 'uplift.treated' : 'uplift.control')}</Table.Td>
                <Table.Td ta="right">{formatNumber(r.groups[g].n)}</Table.Td>
                <Table.Td ta="right">{formatNumber(r.groups[g].purchases)}</Table.Td>
                <Table.Td ta="right">{money(r.groups[g].mean)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {r.uplift ? (
          <>
            <Text fw={600} data-testid="uplift-summary">
              {t(r.uplift.significant ? 'uplift.significant' : 'uplift.notSignificant', {
                difference: money(r.uplift.difference),
                low: money(r.uplift.low),
                high: money(r.uplift.high),
                relative: r.uplift.relative != null ? formatNumber(Math.round(r.uplift.relative * 1000) / 10) : '—',
              })}
            </Text>
            <UpliftChart report={r} currency={program.currency} />
          </>
        ) : (
          <Text c="dimmed">{t('uplift.tooFew')}</Text>
        )}
      </Card>
      {open && canWrite(staff.role) && (
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">
            {t('detail.change')}
          </Title>
          <Group align="end">
            <TextInput type="date" label={t('detail.newLastDay')} value={newLastDay} onChange={(e) => setNewLastDay(e.currentTarget.value)} />
            <Button variant="default" onClick={() => extend.mutate()} loading={extend.isPending} disabled={!newLastDay}>
              {t('detail.extend')}
            </Button>
            <Button color="red" variant="outline" onClick={() => setConfirmStop(true)}>
              {t('detail.stop')}
            </Button>
          </Group>
          <ErrorAlert error={extend.error} />
        </Card>
      )}
      <Modal opened={confirmStop} onClose={() => setConfirmStop(false)} title={t('detail.stopTitle', { name: c.name })}>
        <Stack>
          <Text>{t('detail.stopText')}</Text>
          <ErrorAlert error={stop.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmStop(false)}>
              {t('detail.cancel')}
            </Button>
            <Button color="red" onClick={() => stop.mutate()} loading={stop.isPending}>
              {t('detail.stopConfirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
