/** Every points entry, newest first, each explained in words; more load as the member scrolls to the end. */
import { useEffect, useRef } from 'react';
import { Badge, Card, Group, Stack, Text } from '@mantine/core';
import { IconGift } from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatDate } from '../../shared/format';
import type { HistoryEntry, Page } from '../data';
import { Empty, LoadMore, PageTitle, SkeletonList, signedPoints } from '../parts/ui';

export function HistoryItem({ entry }: { entry: HistoryEntry }) {
  const { t } = useTranslation(['portal', 'portal-offers']);
  const colour = entry.points > 0 ? 'teal.9' : entry.points < 0 ? 'red.9' : undefined;
  return (
    <Card withBorder padding="sm" component="li">
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <div style={{ minWidth: 0 }}>
          {entry.campaign && (
            <Badge variant="light" color="grape.9" mb={4}>
              {t('portal-offers:historyBadge')}
            </Badge>
          )}
          {entry.surprise && (
            <Badge variant="light" color="pink.9" mb={4} leftSection={<IconGift size={12} aria-hidden />}>
              {entry.surprise.label}
            </Badge>
          )}
          <Text style={{ overflowWrap: 'anywhere' }}>{entry.text}</Text>
          {entry.surprise && (
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              {entry.surprise.why}
            </Text>
          )}
          <Text size="sm" c="dimmed">
            {formatDate(entry.at)}
          </Text>
          {entry.pending ? (
            <Text size="sm" c="dimmed">
              {t('history.pending', { points: t('web:points', { count: entry.pending }) })}
            </Text>
          ) : null}
          {entry.details && entry.details.length > 1 && (
            <Stack gap={0} mt={4}>
              {entry.details.map((d, i) => (
                <Text key={i} size="sm">
                  {signedPoints(t, d.points)} · {d.text}
                </Text>
              ))}
            </Stack>
          )}
        </div>
        <Text fw={700} c={colour} style={{ whiteSpace: 'nowrap' }}>
          {signedPoints(t, entry.points)}
        </Text>
      </Group>
    </Card>
  );
}

export default function History() {
  const { t } = useTranslation('portal');
  const history = useInfiniteQuery({
    queryKey: ['portal', 'history', 'all'],
    queryFn: ({ pageParam }) => api.get<Page<HistoryEntry>>(`/portal/v1/history${query({ limit: 20, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  // Reaching the end of the list loads the next page; the button stays for keyboards and screen readers.
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = end.current;
    if (!el || !history.hasNextPage) return;
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !history.isFetchingNextPage) void history.fetchNextPage();
    });
    seen.observe(el);
    return () => seen.disconnect();
  }, [history.hasNextPage, history.isFetchingNextPage]);
  const items = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <PageTitle>{t('history.title')}</PageTitle>
      <ErrorAlert error={history.error} />
      {history.isPending ? (
        <SkeletonList rows={6} />
      ) : items.length === 0 ? (
        <Empty>{t('history.empty')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {items.map((e) => (
            <HistoryItem key={e.id} entry={e} />
          ))}
        </Stack>
      )}
      <div ref={end} />
      <LoadMore hasMore={history.hasNextPage} loading={history.isFetchingNextPage} onMore={() => void history.fetchNextPage()} />
    </Stack>
  );
}
