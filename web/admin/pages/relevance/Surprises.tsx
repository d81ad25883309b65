/**
 * Surprises: each occasion the program marks (birthday, anniversary, milestones, seasons) with what it gives —
 * points or a reward — and its message in every language, then what was paid to whom and for which occasion.
 */
import { useState } from 'react';
import { Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconPencil, IconPlayerPlay, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { formatDate, formatDateTime, formatNumber, localeOf } from '../../../shared/format';
import { languageNames, languages } from '../../../shared/i18n';
import { Loading } from '../../../shared/root';
import { canWrite, useStaff } from '../../session';
import { Empty } from '../insight/shared';
import { SurpriseForm, type SurpriseValues } from './SurpriseForm';

type Surprise = SurpriseValues;
interface Payout {
  memberId: string;
  memberName: string;
  surpriseKey: string;
  kind: string;
  occasion: string;
  points: number;
  rewardId: string | null;
  orderId: string | null;
  orderError: string | null;
  paidAt: string;
}

/** When the surprise comes, in words: the day of a season, the threshold of a milestone, the level of a tier. */
function useOccasion() {
  const { t } = useTranslation('console-relevance');
  return (s: Surprise) => {
    if (s.kind === 'seasonal' && s.month && s.day) {
      const date = new Intl.DateTimeFormat(localeOf(), { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, s.month - 1, s.day)));
      return t('surprises.when.seasonal', { date });
    }
    if (s.kind === 'orders') return t('surprises.when.orders', { n: formatNumber(s.threshold ?? 0) });
    if (s.kind === 'lifetime_points') return t('surprises.when.lifetime_points', { n: formatNumber(s.threshold ?? 0) });
    if (s.kind === 'tier') return t('surprises.when.tier', { tier: s.tierKey ?? '' });
    return t(`surprises.when.${s.kind}`);
  };
}

export default function Surprises() {
  const { t } = useTranslation('console-relevance');
  const { staff } = useStaff();
  const client = useQueryClient();
  const occasion = useOccasion();
  const list = useQuery({ queryKey: ['surprises'], queryFn: () => api.get<{ data: Surprise[] }>('/v1/surprises') });
  const payouts = useQuery({ queryKey: ['surprise-payouts'], queryFn: () => api.get<{ data: Payout[] }>('/v1/surprises/payouts?limit=200') });
  const rewardIds = [...new Set([...(list.data?.data ?? []).map((s) => s.rewardId), ...(payouts.data?.data ?? []).map((p) => p.rewardId)].filter((x): x is string => !!x))];
  const rewards = useQueries({
    queries: rewardIds.map((id) => ({ queryKey: ['reward', id], queryFn: () => api.get<{ id: string; name: string }>(`/v1/rewards/${id}`) })),
  });
  const rewardName = (id: string) => rewards.find((r) => r.data?.id === id)?.data?.name ?? id;
  const run = useMutation({
    mutationFn: () => api.post<{ paid: number }>('/v1/surprises/run', {}),
    onSuccess: (r) => {
      notifySuccess(t('surprises.ran', { n: formatNumber(r.paid ?? 0) }));
      void client.invalidateQueries({ queryKey: ['surprise-payouts'] });
    },
  });
  const [form, setForm] = useState<{ editing: Surprise | null } | null>(null);
  const [removing, setRemoving] = useState<Surprise | null>(null);
  const remove = useMutation({
    mutationFn: (key: string) => api.del(`/v1/surprises/${encodeURIComponent(key)}`),
    onSuccess: () => {
      notifySuccess(t('surprises.form.removed'));
      setRemoving(null);
      void client.invalidateQueries({ queryKey: ['surprises'] });
    },
  });
  const writer = canWrite(staff.role);
  const gives = (points: number, rewardId: string | null) => (rewardId ? t('surprises.reward', { name: rewardName(rewardId) }) : t('surprises.points', { n: formatNumber(points) }));

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('surprises.title')}</Title>
        {writer && (
          <Group>
            <Button leftSection={<IconPlayerPlay size={16} />} variant="default" loading={run.isPending} onClick={() => run.mutate()}>
              {t('surprises.run')}
            </Button>
            <Button leftSection={<IconPlus size={16} />} onClick={() => setForm({ editing: null })}>
              {t('surprises.form.add')}
            </Button>
          </Group>
        )}
      </Group>
      <Text c="dimmed">{t('surprises.intro')}</Text>
      <ErrorAlert error={list.error ?? payouts.error ?? run.error} />
      {list.isPending || payouts.isPending ? (
        // One wait for both lists, so the paid table never pushes down under the kinds as they arrive.
        <Loading />
      ) : (list.data?.data ?? []).length === 0 ? (
        <Empty>{t('surprises.empty')}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {list.data!.data.map((s) => (
            <Card withBorder key={s.key} component="section" aria-label={t(`kind.${s.kind}`)}>
              <Group justify="space-between" mb="xs">
                <Title order={3} size="h4">
                  {t(`kind.${s.kind}`)}
                  {s.kind === 'seasonal' || s.kind === 'orders' || s.kind === 'lifetime_points' || s.kind === 'tier' ? ` · ${s.key}` : ''}
                </Title>
                <Badge variant="light" color={s.enabled ? 'teal.9' : 'gray.8'}>
                  {t(s.enabled ? 'surprises.on' : 'surprises.off')}
                </Badge>
              </Group>
              <Text size="sm">{occasion(s)}</Text>
              <Text fw={600}>{gives(s.points, s.rewardId)}</Text>
              <Table mt="xs" aria-label={t('surprises.messages', { kind: t(`kind.${s.kind}`) })}>
                <Table.Tbody>
                  {languages.map((l) => (
                    <Table.Tr key={l}>
                      <Table.Th w={110}>{languageNames[l]}</Table.Th>
                      <Table.Td lang={l}>{s.message[l] ? s.message[l] : <Text span c="dimmed" size="sm">{t('surprises.builtIn')}</Text>}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {writer && (
                <Group justify="flex-end" mt="xs" gap="xs">
                  <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={() => setForm({ editing: s })} aria-label={t('surprises.form.editOne', { key: s.key })}>
                    {t('surprises.form.edit')}
                  </Button>
                  <Button size="xs" variant="default" color="red" leftSection={<IconTrash size={14} />} onClick={() => setRemoving(s)} aria-label={t('surprises.form.removeOne', { key: s.key })}>
                    {t('surprises.form.remove')}
                  </Button>
                </Group>
              )}
            </Card>
          ))}
        </SimpleGrid>
      )}
      {!list.isPending && !payouts.isPending && <Title order={3}>{t('surprises.paid')}</Title>}
      {list.isPending || payouts.isPending ? null : (payouts.data?.data ?? []).length === 0 ? (
        <Empty h={80}>{t('surprises.nonePaid')}</Empty>
      ) : (
        <Table striped aria-label={t('surprises.paid')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('surprises.col.member')}</Table.Th>
              <Table.Th>{t('surprises.col.kind')}</Table.Th>
              <Table.Th>{t('surprises.col.occasion')}</Table.Th>
              <Table.Th>{t('surprises.col.gave')}</Table.Th>
              <Table.Th>{t('surprises.col.paidAt')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {payouts.data!.data.map((p) => (
              <Table.Tr key={`${p.memberId}:${p.surpriseKey}:${p.occasion}`}>
                <Table.Td>{p.memberName}</Table.Td>
                <Table.Td>{t(`kind.${p.kind}`)}</Table.Td>
                <Table.Td>{p.occasion === 'once' ? t('surprises.once') : formatDate(`${p.occasion}T12:00:00Z`)}</Table.Td>
                <Table.Td>
                  {gives(p.points, p.rewardId)}
                  {p.orderError && (
                    <Text size="xs" c="red.9">
                      {t('surprises.orderFailed', { reason: p.orderError })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{formatDateTime(p.paidAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal
        closeButtonProps={{ 'aria-label': t('surprises.form.close') }}
        opened={form !== null}
        onClose={() => setForm(null)}
        title={form?.editing ? t('surprises.form.editTitle', { key: form.editing.key }) : t('surprises.form.addTitle')}
        size="lg"
      >
        {form && <SurpriseForm key={form.editing?.key ?? 'new'} editing={form.editing} onDone={() => setForm(null)} />}
      </Modal>
      <Modal closeButtonProps={{ 'aria-label': t('surprises.form.close') }} opened={removing !== null} onClose={() => setRemoving(null)} title={t('surprises.form.removeTitle', { key: removing?.key ?? '' })}>
        <Stack>
          <Text>{t('surprises.form.removeText')}</Text>
          <ErrorAlert error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(null)}>
              {t('surprises.form.cancel')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => removing && remove.mutate(removing.key)}>
              {t('surprises.form.remove')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
