/**
 * My reward orders, newest first: where each one is, the parcel's tracking link, the codes of code rewards, and
 * cancelling an order while nobody has started on it.
 */
import { useState } from 'react';
import { Anchor, Badge, Card, Code, CopyButton, Group, Modal, Stack, Text, Textarea, Button } from '@mantine/core';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../shared/api';
import { ErrorAlert, notifySuccess } from '../../shared/feedback';
import { formatDate } from '../../shared/format';
import { usePointsChanged, type Order, type Page } from '../data';
import { Empty, LoadMore, PageTitle, SkeletonList } from '../parts/ui';

const stateColour: Record<string, string> = {
  pending_approval: 'grape.9',
  placed: 'blue.9',
  approved: 'blue.9',
  shipped: 'indigo.9',
  delivered: 'teal.9',
  issued: 'teal.9',
  cancelled: 'gray.7',
  rejected: 'red.9',
};

export function OrderCard({ order }: { order: Order }) {
  const { t } = useTranslation('portal');
  const tracking = order.tracking;
  const trackingUrl = tracking?.trackingUrl ?? tracking?.url;
  const reason = [...order.history].reverse().find((h) => h.reason)?.reason;
  return (
    <Card withBorder padding="sm" component="li" data-testid="order">
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
        <div style={{ minWidth: 0 }}>
          <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
            {order.quantity > 1 ? `${order.quantity} × ${order.reward.name}` : order.reward.name}
          </Text>
          <Text size="sm" c="dimmed">
            {formatDate(order.createdAt)} · {t('web:points', { count: order.points })}
            {order.wallet === 'company' ? ` · ${t('orders.company')}` : ''}
          </Text>
        </div>
        <Badge color={stateColour[order.state] ?? 'gray.7'} variant="filled" style={{ flexShrink: 0 }}>
          {order.stateName}
        </Badge>
      </Group>
      {(order.state === 'rejected' || order.state === 'cancelled') && reason && (
        <Text size="sm" mt={4}>
          {reason}
        </Text>
      )}
      {tracking && (
        <Text size="sm" mt={4}>
          {tracking.carrier ? `${tracking.carrier} ` : ''}
          {trackingUrl ? (
            <Anchor href={trackingUrl} target="_blank" rel="noopener noreferrer" fw={600}>
              {t('orders.track', { number: tracking.trackingNumber ?? '' })}
            </Anchor>
          ) : (
            tracking.trackingNumber
          )}
        </Text>
      )}
      {order.codes.length > 0 && (
        <Stack gap={4} mt="xs">
          <Text size="sm" fw={600}>
            {t('orders.codes', { count: order.codes.length })}
          </Text>
          {order.codes.map((code) => (
            <Group key={code} gap="xs" wrap="nowrap">
              <Code fz="md" style={{ overflowWrap: 'anywhere' }} data-testid="order-code">
                {code}
              </Code>
              <CopyButton value={code}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="default" onClick={copy}>
                    {copied ? t('orders.copied') : t('orders.copy')}
                  </Button>
                )}
              </CopyButton>
            </Group>
          ))}
        </Stack>
      )}
      {order.cancellable && <CancelOrder order={order} />}
    </Card>
  );
}

function CancelOrder({ order }: { order: Order }) {
  const { t } = useTranslation('portal');
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const pointsChanged = usePointsChanged();
  const cancel = useMutation({
    mutationFn: () => api.post<Order>(`/portal/v1/orders/${order.id}/cancel`, reason.trim() ? { reason: reason.trim() } : {}),
    onSuccess: async () => {
      setOpen(false);
      notifySuccess(t('orders.cancelled'));
      await pointsChanged();
    },
  });
  return (
    <>
      <Button size="md" variant="outline" color="red.9" mt="sm" fullWidth onClick={() => setOpen(true)}>
        {t('orders.cancel')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('orders.cancelTitle')} centered>
        <Stack>
          <Text>{t('orders.cancelText', { points: t('web:points', { count: order.points }) })}</Text>
          <Textarea size="md" label={t('orders.cancelReason')} value={reason} maxLength={500} autosize minRows={2} onChange={(e) => setReason(e.currentTarget.value)} />
          <ErrorAlert error={cancel.error} />
          <Group grow>
            <Button size="md" variant="default" onClick={() => setOpen(false)}>
              {t('orders.cancelKeep')}
            </Button>
            <Button size="md" color="red.9" loading={cancel.isPending} onClick={() => cancel.mutate()}>
              {t('orders.cancelYes')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

export default function Orders() {
  const { t } = useTranslation('portal');
  const orders = useInfiniteQuery({
    queryKey: ['portal', 'orders', 'list'],
    queryFn: ({ pageParam }) => api.get<Page<Order>>(`/portal/v1/orders${query({ limit: 20, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = orders.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <PageTitle>{t('orders.title')}</PageTitle>
      <ErrorAlert error={orders.error} />
      {orders.isPending ? (
        <SkeletonList rows={4} />
      ) : items.length === 0 ? (
        <Empty>{t('orders.empty')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {items.map((o) => (
            <OrderCard key={o.id} order={o} />
          ))}
        </Stack>
      )}
      <LoadMore hasMore={orders.hasNextPage} loading={orders.isFetchingNextPage} onMore={() => void orders.fetchNextPage()} />
    </Stack>
  );
}
