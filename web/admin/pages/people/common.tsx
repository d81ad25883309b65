/** What the people, import, staff and settings pages share: paged lists from the API, badges, figures. */
import { Badge, Button, Card, Group, Skeleton, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** A server-paged list: the first page, then "show more" asks for the next with the cursor the server gave. */
export function usePaged<T>(key: unknown[], path: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: key,
    enabled,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api.get<Page<T>>(`${path}${path.includes('?') ? '&' : '?'}limit=25${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** A table of a paged list, with a skeleton of fixed height while loading so the page does not jump. */
export function PagedTable<T>({
  query,
  caption,
  head,
  row,
  empty,
}: {
  query: ReturnType<typeof usePaged<T>>;
  caption: string;
  head: string[];
  row: (item: T) => ReactNode;
  empty?: string;
}) {
  const { t } = useTranslation('web');
  if (query.isPending) return <Skeleton h={160} />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const items = query.data.pages.flatMap((p) => p.data);
  if (!items.length) return <Text c="dimmed">{empty ?? t('none')}</Text>;
  return (
    <>
      <Table.ScrollContainer minWidth={560}>
        <Table striped highlightOnHover aria-label={caption}>
          <Table.Thead>
            <Table.Tr>
              {head.map((h) => (
                <Table.Th key={h}>{h}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{items.map(row)}</Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {query.hasNextPage && (
        <Group justify="center">
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {t('more')}
          </Button>
        </Group>
      )}
    </>
  );
}

const stateColours: Record<string, string> = {
  active: 'teal',
  approved: 'teal',
  delivered: 'teal',
  issued: 'teal',
  finished: 'teal',
  invited: 'blue',
  pending: 'yellow',
  pending_approval: 'yellow',
  submitted: 'yellow',
  needs_review: 'orange',
  running: 'blue',
  suspended: 'orange',
  closed: 'gray',
  rejected: 'red',
  cancelled: 'gray',
  failed: 'red',
};

/** A state in words of the reader's language. */
export function StateBadge({ state }: { state: string }) {
  const { t } = useTranslation('console-people');
  return (
    // The dot variant keeps the words in the body colour: light badges' tinted text misses AA contrast.
    <Badge color={stateColours[state] ?? 'gray'} variant="dot">
      {t(`states.${state}`)}
    </Badge>
  );
}

export function Figure({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz="xl" fw={700}>
        {value}
      </Text>
      {hint && (
        <Text size="sm" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

/** Points with their sign, coloured, for history rows. */
export function SignedPoints({ points }: { points: number }) {
  const { t } = useTranslation('web');
  const text = t('points', { count: Math.abs(points) });
  return (
    <Text span fw={600} c={points < 0 ? 'red.9' : 'teal.9'}>
      {points < 0 ? `−${text}` : `+${text}`}
    </Text>
  );
}
