/** My reward orders, newest first: where each one is, the parcel's tracking link, and the codes of code rewards. */
import { Anchor, Badge, Card, Code, CopyButton, Group, Stack, Text, Button } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatDate } from '../../shared/format';
import type { Order, Page } from '../data';
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
    </Card>
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
