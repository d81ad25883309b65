/**
 * Webhook subscriptions: add, edit, pause and resume them, and see each one's deliveries (state, attempts, the
 * receiver's answer) with a retry for a failed one. Lists page through the server's cursors.
 */
import { useState } from 'react';
import {
  Badge, Button, Checkbox, Drawer, Group, Modal, MultiSelect, SegmentedControl, Skeleton, Stack, Switch, Table, Text, TextInput, Textarea, Title,
} from '@mantine/core';
import { IconPlus, IconRefresh } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatDateTime } from '../../../shared/format';
import { ShownOnce } from './ApiKeys';
import { Empty } from './shared';

/** The events Lojal sends (src/webhooks/events.ts); "*" subscribes to all, including ones added later. */
const eventTypes = [
  'reward_order.placed', 'reward_order.state_changed', 'credit_note.created', 'tier.changed', 'service_request.created', 'service_request.changed',
  'points.earned', 'points.reversed', 'points.expired', 'claim.decided', 'coop_claim.decided', 'member.joined', 'member.left',
] as const;
const all = '*';

interface Subscription {
  id: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  description: string | null;
  createdAt: string;
}

type DeliveryState = 'pending' | 'delivered' | 'failed';
interface Delivery {
  id: string;
  eventType: string;
  occurredAt: string;
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
}

type Page<T> = { data: T[]; nextCursor: string | null };

const stateColor: Record<DeliveryState, string> = { pending: 'blue', delivered: 'teal', failed: 'red' };

function SubscriptionForm({ editing, onDone }: { editing: Subscription | null; onDone: (created?: Subscription & { secret: string }) => void }) {
  const { t } = useTranslation('console-insight');
  const client = useQueryClient();
  const [url, setUrl] = useState(editing?.url ?? '');
  const [everything, setEverything] = useState(editing ? editing.eventTypes.includes(all) : true);
  const [types, setTypes] = useState<string[]>(editing?.eventTypes.filter((x) => x !== all) ?? []);
  const [description, setDescription] = useState(editing?.description ?? '');
  const save = useMutation({
    mutationFn: () => {
      const body = { url, eventTypes: everything ? [all] : types, description: description.trim() || null };
      return editing ? api.patch<Subscription>(`/v1/webhooks/${editing.id}`, body) : api.post<Subscription & { secret: string }>('/v1/webhooks', body);
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['webhooks'] });
      if (editing) {
        notifySuccess(t('hooks.saved'));
        onDone();
      } else onDone(saved as Subscription & { secret: string });
    },
  });
  const err = save.error;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        {save.isError && !fieldError(err, 'url') && !fieldError(err, 'eventTypes') && <ErrorAlert error={err} />}
        <TextInput label={t('hooks.url')} description={t('hooks.urlHint')} required type="url" value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={fieldError(err, 'url')} data-autofocus />
        <Checkbox label={t('hooks.allEvents')} checked={everything} onChange={(e) => setEverything(e.currentTarget.checked)} />
        {!everything && (
          <MultiSelect
            label={t('hooks.events')}
            data={eventTypes.map((e) => ({ value: e, label: t(`hooks.event.${e.replace('.', '_')}`) }))}
            value={types}
            onChange={setTypes}
            required
            error={fieldError(err, 'eventTypes')}
          />
        )}
        <Textarea label={t('hooks.description')} maxLength={500} autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fieldError(err, 'description')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onDone()}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {editing ? t('common.save') : t('hooks.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Deliveries({ hook }: { hook: Subscription }) {
  const { t } = useTranslation('console-insight');
  const client = useQueryClient();
  const [state, setState] = useState<DeliveryState | 'all'>('all');
  const list = useInfiniteQuery({
    queryKey: ['webhooks', hook.id, 'deliveries', state],
    queryFn: ({ pageParam }) =>
      api.get<Page<Delivery>>(`/v1/webhooks/${hook.id}/deliveries${query({ state: state === 'all' ? undefined : state, limit: 25, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const retry = useMutation({
    mutationFn: (d: Delivery) => api.post<Delivery>(`/v1/webhooks/deliveries/${d.id}/retry`),
    onSuccess: () => {
      notifySuccess(t('hooks.retried'));
      void client.invalidateQueries({ queryKey: ['webhooks', hook.id, 'deliveries'] });
    },
    onError: notifyError,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Stack>
      <Text size="sm" c="dimmed" style={{ wordBreak: 'break-all' }}>
        {hook.url}
      </Text>
      <SegmentedControl
        aria-label={t('hooks.deliveryState')}
        value={state}
        onChange={(v) => setState(v as DeliveryState | 'all')}
        data={(['all', 'pending', 'delivered', 'failed'] as const).map((s) => ({ value: s, label: t(`hooks.state.${s}`) }))}
      />
      {list.isError && <ErrorAlert error={list.error} />}
      {list.isPending ? (
        <Skeleton h={160} />
      ) : rows.length === 0 ? (
        <Empty>{t('hooks.noDeliveries')}</Empty>
      ) : (
        <Table verticalSpacing="xs" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('hooks.col.event')}</Table.Th>
              <Table.Th>{t('hooks.col.state')}</Table.Th>
              <Table.Th>{t('hooks.col.lastAttempt')}</Table.Th>
              <Table.Th>{t('hooks.col.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Text size="sm">{t(`hooks.event.${d.eventType.replace('.', '_')}`, { defaultValue: d.eventType })}</Text>
                  <Text size="xs" c="dimmed">
                    {formatDateTime(d.occurredAt)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={stateColor[d.state]} variant="light" c="dark">
                    {t(`hooks.state.${d.state}`)}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {t('hooks.attempts', { count: d.attempts })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {d.lastAttemptAt ? formatDateTime(d.lastAttemptAt) : '—'}
                  {(d.lastStatus !== null || d.lastError) && (
                    <Text size="xs" c="dimmed" style={{ wordBreak: 'break-word' }}>
                      {d.lastStatus !== null ? `HTTP ${d.lastStatus}` : ''} {d.lastError ?? ''}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {d.state === 'failed' && (
                    <Button size="xs" variant="light" c="teal.9" leftSection={<IconRefresh size={14} />} loading={retry.isPending && retry.variables?.id === d.id} onClick={() => retry.mutate(d)}>
                      {t('hooks.retry')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {list.hasNextPage && (
        <Button variant="default" w="fit-content" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t('common.more')}
        </Button>
      )}
    </Stack>
  );
}

export function Webhooks() {
  const { t } = useTranslation('console-insight');
  const client = useQueryClient();
  const [form, setForm] = useState<{ editing: Subscription | null } | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [watching, setWatching] = useState<Subscription | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['webhooks', 'list'],
    queryFn: ({ pageParam }) => api.get<Page<Subscription>>(`/v1/webhooks${query({ limit: 25, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const toggle = useMutation({
    mutationFn: (s: Subscription) => api.patch<Subscription>(`/v1/webhooks/${s.id}`, { active: !s.active }),
    onSuccess: (s) => {
      notifySuccess(s.active ? t('hooks.resumed') : t('hooks.paused'));
      void client.invalidateQueries({ queryKey: ['webhooks'] });
    },
    onError: notifyError,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const typesOf = (s: Subscription) => (s.eventTypes.includes(all) ? t('hooks.allEvents') : s.eventTypes.map((e) => t(`hooks.event.${e.replace('.', '_')}`, { defaultValue: e })).join(', '));

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('hooks.title')}
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setForm({ editing: null })}>
          {t('hooks.create')}
        </Button>
      </Group>
      {list.isError && <ErrorAlert error={list.error} />}
      {list.isPending ? (
        <Skeleton h={160} />
      ) : rows.length === 0 ? (
        <Empty>{t('hooks.empty')}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('hooks.col.url')}</Table.Th>
                <Table.Th>{t('hooks.col.events')}</Table.Th>
                <Table.Th>{t('hooks.col.active')}</Table.Th>
                <Table.Th>{t('hooks.col.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td style={{ wordBreak: 'break-all' }}>
                    <Text size="sm">{s.url}</Text>
                    {s.description && (
                      <Text size="xs" c="dimmed">
                        {s.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{typesOf(s)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      checked={s.active}
                      onChange={() => toggle.mutate(s)}
                      disabled={toggle.isPending && toggle.variables?.id === s.id}
                      label={s.active ? t('hooks.on') : t('hooks.off')}
                      aria-label={t('hooks.activeFor', { url: s.url })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" variant="default" onClick={() => setForm({ editing: s })}>
                        {t('common.edit')}
                      </Button>
                      <Button size="xs" variant="default" onClick={() => setWatching(s)}>
                        {t('hooks.deliveries')}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.hasNextPage && (
        <Button variant="default" w="fit-content" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t('common.more')}
        </Button>
      )}

      <Modal
        closeButtonProps={{ 'aria-label': t('common.close') }}
        opened={form !== null} onClose={() => setForm(null)} title={form?.editing ? t('hooks.editTitle') : t('hooks.createTitle')} size="lg">
        {form && (
          <SubscriptionForm
            key={form.editing?.id ?? 'new'}
            editing={form.editing}
            onDone={(created) => {
              setForm(null);
              if (created) setSecret(created.secret);
            }}
          />
        )}
      </Modal>
      <Modal
        closeButtonProps={{ 'aria-label': t('common.close') }}
        opened={secret !== null} onClose={() => setSecret(null)} title={t('hooks.createdTitle')} closeOnClickOutside={false}>
        {secret && <ShownOnce secret={secret} label={t('hooks.secret')} warning={t('hooks.secretWarning')} onDone={() => setSecret(null)} />}
      </Modal>
      <Drawer
        closeButtonProps={{ 'aria-label': t('common.close') }}
        opened={watching !== null} onClose={() => setWatching(null)} position="right" size="xl" title={t('hooks.deliveriesTitle')}>
        {watching && <Deliveries hook={watching} />}
      </Drawer>
    </Stack>
  );
}
