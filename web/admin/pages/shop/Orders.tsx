/**
 * The fulfilment queue: reward orders by state, each with the steps the server allows next for its kind of
 * reward (approve, reject, ship with tracking, deliver, issue, cancel); and the cashback credit notes' export.
 */
import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { stringify } from 'csv-stringify/browser/esm/sync';
import { useTranslation } from 'react-i18next';
import { canTake, type OrderAction } from '../../../../src/rewards/fulfilment';
import { api, newIdempotencyKey, query } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../../shared/format';
import { useStaff } from '../../session';
import { PartyName, canWriteShop, pageSize, useCursor, QueueTable, type Page } from './common';

const states = ['pending_approval', 'placed', 'approved', 'shipped', 'delivered', 'issued', 'cancelled', 'rejected'] as const;
type OrderState = (typeof states)[number];
const actionOrder: OrderAction[] = ['approve', 'ship', 'deliver', 'issue', 'reject', 'cancel'];

interface Order {
  id: string;
  state: OrderState;
  reward: { id: string; code: string; type: 'physical' | 'experience' | 'code' | 'charity' | 'cashback' | 'content'; name: string };
  quantity: number;
  points: number;
  memberId: string;
  accountId: string;
  shippingAddress: Record<string, string> | null;
  tracking: Record<string, string> | null;
  note: string | null;
  createdAt: string;
}

interface CreditNote {
  id: string;
  orderId: string;
  accountExternalId: string | null;
  amountMinor: number;
  currency: string;
  createdAt: string;
}

const stateColor: Record<OrderState, string> = {
  pending_approval: 'grape',
  placed: 'blue',
  approved: 'cyan',
  shipped: 'indigo',
  delivered: 'teal',
  issued: 'teal',
  cancelled: 'gray',
  rejected: 'red',
};

/** Actions that ask for more than a click: a reason, tracking, or the details handed over. */
const withForm: OrderAction[] = ['reject', 'cancel', 'ship', 'issue'];

export default function Orders() {
  const { t } = useTranslation('console-shop');
  const { staff } = useStaff();
  const [state, setState] = useState<OrderState>('placed');
  const pager = useCursor(state);
  const [acting, setActing] = useState<{ order: Order; action: OrderAction } | null>(null);
  const orders = useQuery({
    queryKey: ['reward-orders', state, pager.cursor],
    queryFn: () => api.get<Page<Order>>(`/v1/reward-orders${query({ state, limit: pageSize, cursor: pager.cursor })}`),
    placeholderData: (prev) => prev,
  });
  const write = canWriteShop(staff.role);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('orders.title')}
        </Title>
        {write && <CreditNoteExport />}
      </Group>
      <Select
        label={t('orders.state')}
        data={states.map((s) => ({ value: s, label: t(`orders.states.${s}`) }))}
        value={state}
        onChange={(v) => v && setState(v as OrderState)}
        allowDeselect={false}
        w={260}
      />
      <ErrorAlert error={orders.error} />
      <QueueTable
        minWidth={900}
        columns={[
          { label: t('orders.reward') },
          { label: t('orders.member') },
          { label: t('orders.points'), right: true },
          { label: t('orders.placedAt') },
          { label: t('orders.stateColumn') },
          { label: t('orders.delivery') },
          { label: t('orders.actions') },
        ]}
        page={orders}
        row={(o) => (
          <Table.Tr key={o.id} data-testid={`order-${o.id}`}>
            <Table.Td>
              {o.reward.name} × {formatNumber(o.quantity)}
            </Table.Td>
            <Table.Td>
              <PartyName kind="members" id={o.memberId} />
            </Table.Td>
            <Table.Td ta="right">{formatNumber(o.points)}</Table.Td>
            <Table.Td>{formatDateTime(o.createdAt)}</Table.Td>
            <Table.Td>
              <Badge color={stateColor[o.state]} variant="filled" data-testid="order-state">
                {t(`orders.states.${o.state}`)}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Delivery order={o} />
            </Table.Td>
            <Table.Td>
              {write && (
                <Group gap={4} wrap="nowrap">
                  {actionOrder
                    .filter((a) => canTake(o.reward.type, o.state, a))
                    .map((a) =>
                      withForm.includes(a) ? (
                        <Button key={a} size="compact-sm" variant={a === 'reject' || a === 'cancel' ? 'subtle' : 'filled'} color={a === 'reject' || a === 'cancel' ? 'red' : undefined} onClick={() => setActing({ order: o, action: a })}>
                          {t(`orders.action.${a}`)}
                        </Button>
                      ) : (
                        <QuickAction key={a} order={o} action={a} />
                      ),
                    )}
                </Group>
              )}
            </Table.Td>
          </Table.Tr>
        )}
        empty={t('orders.empty')}
        pager={pager}
        highlightOnHover={false}
      />
      <ActionModal acting={acting} onClose={() => setActing(null)} />
    </Stack>
  );
}

function Delivery({ order }: { order: Order }) {
  const { t } = useTranslation('console-shop');
  if (order.tracking?.trackingNumber) {
    const label = [order.tracking.carrier, order.tracking.trackingNumber].filter(Boolean).join(' ');
    return order.tracking.trackingUrl ? (
      <Anchor href={order.tracking.trackingUrl} target="_blank" rel="noreferrer" size="sm">
        {label}
      </Anchor>
    ) : (
      <Text size="sm">{label}</Text>
    );
  }
  if (order.shippingAddress) {
    return (
      <Text size="sm">
        {order.shippingAddress.name}, {order.shippingAddress.city}
      </Text>
    );
  }
  return <Text size="sm">{order.tracking?.details ? t('orders.detailsGiven') : '—'}</Text>;
}

function useOrderAction(onDone?: () => void) {
  const { t } = useTranslation('console-shop');
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ order, action, body }: { order: Order; action: OrderAction; body: Record<string, string> }) =>
      api.post<Order>(`/v1/reward-orders/${order.id}/${action}`, body),
    onSuccess: (o, { action }) => {
      void client.invalidateQueries({ queryKey: ['reward-orders'] });
      notifySuccess(t(`orders.done.${action}`, { reward: o.reward.name, state: t(`orders.states.${o.state}`) }));
      onDone?.();
    },
  });
}

function QuickAction({ order, action }: { order: Order; action: OrderAction }) {
  const { t } = useTranslation('console-shop');
  const run = useOrderAction();
  return (
    <Button size="compact-sm" variant="filled" loading={run.isPending} onClick={() => run.mutate({ order, action, body: {} }, { onError: notifyError })}>
      {t(`orders.action.${action}`)}
    </Button>
  );
}

function ActionModal({ acting, onClose }: { acting: { order: Order; action: OrderAction } | null; onClose: () => void }) {
  const { t } = useTranslation('console-shop');
  const [fields, setFields] = useState<Record<string, string>>({});
  const run = useOrderAction(() => {
    setFields({});
    onClose();
  });
  const close = () => {
    setFields({});
    run.reset();
    onClose();
  };
  if (!acting) return null;
  const { order, action } = acting;
  const names = action === 'ship' ? ['carrier', 'trackingNumber', 'trackingUrl'] : action === 'issue' ? ['details'] : ['reason'];
  const body = Object.fromEntries(Object.entries(fields).filter(([k, v]) => names.includes(k) && v.trim() !== '').map(([k, v]) => [k, v.trim()]));
  const submit = () =>
    run.mutate(
      { order, action, body },
      { onError: (err) => names.some((n) => fieldError(err, n)) || notifyError(err) },
    );
  const input = (name: string) => ({
    label: t(`orders.field.${name}`),
    value: fields[name] ?? '',
    onChange: (e: { currentTarget: { value: string } }) => setFields({ ...fields, [name]: e.currentTarget.value }),
    error: fieldError(run.error, name),
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened onClose={close} title={t(`orders.modal.${action}`, { reward: order.reward.name })}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          {action === 'ship' && (
            <>
              <TextInput {...input('carrier')} />
              <TextInput {...input('trackingNumber')} />
              <TextInput {...input('trackingUrl')} type="url" />
            </>
          )}
          {action === 'issue' && <Textarea {...input('details')} autosize minRows={3} />}
          {(action === 'reject' || action === 'cancel') && <Textarea {...input('reason')} required autosize minRows={2} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.close')}
            </Button>
            <Button type="submit" loading={run.isPending} color={action === 'reject' || action === 'cancel' ? 'red' : undefined}>
              {t(`orders.action.${action}`)}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * Cashback owed to accounts, taken as one batch for the ERP. The key is kept until an answer arrives, so
 * clicking again after a lost answer gets the same batch back instead of taking the next one.
 */
function CreditNoteExport() {
  const { t } = useTranslation('console-shop');
  const [key, setKey] = useState(newIdempotencyKey);
  const [batch, setBatch] = useState<{ batch: string; data: CreditNote[] } | null>(null);
  const run = useMutation({
    mutationFn: () => api.post<{ batch: string; data: CreditNote[] }>('/v1/credit-notes/export', { idempotencyKey: key }),
    onSuccess: (b) => {
      setBatch(b);
      setKey(newIdempotencyKey());
      notifySuccess(t('orders.creditNotes.done', { count: b.data.length }));
    },
    onError: notifyError,
  });
  const download = (b: { batch: string; data: CreditNote[] }) => {
    const csv = stringify(
      b.data.map((n) => [n.id, n.orderId, n.accountExternalId ?? '', n.amountMinor, n.currency, n.createdAt]),
      { header: true, columns: ['credit_note_id', 'order_id', 'account_external_id', 'amount_minor', 'currency', 'created_at'] },
    );
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `credit-notes-${b.batch}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };
  const total = batch?.data.reduce((s, n) => s + n.amountMinor, 0) ?? 0;
  return (
    <>
      <Button variant="default" loading={run.isPending} onClick={() => run.mutate()}>
        {t('orders.creditNotes.export')}
      </Button>
      <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={batch !== null} onClose={() => setBatch(null)} title={t('orders.creditNotes.title')}>
        {batch && (
          <Stack>
            {batch.data.length === 0 ? (
              <Alert variant="outline" color="gray">{t('orders.creditNotes.none')}</Alert>
            ) : (
              <>
                <Text>
                  {t('orders.creditNotes.summary', { count: batch.data.length, total: formatMoney(total, batch.data[0]!.currency) })}
                </Text>
                <Text size="sm" c="dimmed">
                  {t('orders.creditNotes.since', { date: formatDate(batch.data[0]!.createdAt) })}
                </Text>
                <Button onClick={() => download(batch)}>{t('orders.creditNotes.download')}</Button>
              </>
            )}
          </Stack>
        )}
      </Modal>
    </>
  );
}
