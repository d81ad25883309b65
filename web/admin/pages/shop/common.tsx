/**
 * What the shop's console pages share: server-side paging by cursor, the queue table, evidence previews, and
 * who may decide.
 */
import { useState, type ReactNode } from 'react';
import { Anchor, Box, Button, Group, Image, Skeleton, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import type { StaffRole } from '../../session';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const pageSize = 25;

/**
 * The cursors of the pages seen so far, so "previous" goes back without the server counting offsets.
 * Reset whenever the filters change (pass them as `resetKey`).
 */
export function useCursor(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: Array<string | undefined> }>({ key: resetKey, stack: [undefined] });
  const stack = state.key === resetKey ? state.stack : [undefined];
  return {
    cursor: stack[stack.length - 1],
    page: stack.length,
    next: (cursor: string) => setState({ key: resetKey, stack: [...stack, cursor] }),
    previous: () => setState({ key: resetKey, stack: stack.slice(0, -1) }),
  };
}

export function Pager({ page, nextCursor, onNext, onPrevious }: { page: number; nextCursor: string | null | undefined; onNext: (c: string) => void; onPrevious: () => void }) {
  const { t } = useTranslation('console-shop');
  // No answer yet (undefined, not null): the rows above are place-holders of a guessed number, so the pager
  // waits rather than jumping when the real rows arrive.
  if (nextCursor === undefined) return null;
  return (
    <Group justify="flex-end" gap="xs" component="nav" aria-label={t('common.pages')}>
      <Button variant="default" size="xs" disabled={page <= 1} onClick={onPrevious}>
        {t('common.previous')}
      </Button>
      <Text size="sm" aria-live="polite">
        {t('common.page', { page })}
      </Text>
      <Button variant="default" size="xs" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        {t('common.next')}
      </Button>
    </Group>
  );
}

/**
 * A queue of one page from the server: the column heads, place-holder rows while the page loads, its rows,
 * a line when it is empty, and the pager.
 */
export function QueueTable<T>({
  minWidth,
  columns,
  page,
  row,
  empty,
  pager,
  highlightOnHover = true,
}: {
  minWidth: number;
  columns: Array<{ label: string; right?: boolean }>;
  page: { isPending: boolean; data?: Page<T> | undefined };
  row: (item: T) => ReactNode;
  empty: string;
  pager: ReturnType<typeof useCursor>;
  highlightOnHover?: boolean;
}) {
  return (
    <>
      <Table.ScrollContainer minWidth={minWidth}>
        <Table striped highlightOnHover={highlightOnHover}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.label} ta={c.right ? 'right' : undefined}>
                  {c.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {page.isPending
              ? Array.from({ length: 5 }, (_, i) => (
                  <Table.Tr key={i}>
                    <Table.Td colSpan={columns.length}>
                      <Skeleton h={20} />
                    </Table.Td>
                  </Table.Tr>
                ))
              : page.data?.data.map(row)}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {page.data?.data.length === 0 && <Text c="dimmed">{empty}</Text>}
      <Pager page={pager.page} nextCursor={page.data?.nextCursor} onNext={pager.next} onPrevious={pager.previous} />
    </>
  );
}

/** Sales and co-op claims are decided by the program team (the roles with the claims:review scope). */
export const canReview = (role: StaffRole): boolean => role === 'owner' || role === 'manager';
/** The catalogue and the fulfilment of orders are the program team's too (rewards:write). */
export const canWriteShop = canReview;

/** A photo inline, a PDF in a frame (with a link for browsers that will not show it), anything else as a link. */
export function EvidencePreview({ url, contentType, name }: { url: string; contentType: string; name: string }) {
  const { t } = useTranslation('console-shop');
  if (contentType.startsWith('image/') && contentType !== 'image/heic') {
    return (
      <Box>
        <Anchor href={url} target="_blank" rel="noreferrer">
          <Image src={url} alt={t('common.evidenceImage', { name })} h={280} w="auto" fit="contain" radius="sm" bg="gray.1" />
        </Anchor>
      </Box>
    );
  }
  if (contentType === 'application/pdf') {
    return (
      <Box>
        <iframe src={url} title={t('common.evidencePdf', { name })} style={{ width: '100%', height: 420, border: '1px solid var(--mantine-color-gray-4)' }} />
        <Anchor href={url} target="_blank" rel="noreferrer" size="sm">
          {t('common.openFile', { name })}
        </Anchor>
      </Box>
    );
  }
  return (
    <Anchor href={url} target="_blank" rel="noreferrer">
      {t('common.openFile', { name })}
    </Anchor>
  );
}

/** A member's or an account's name, where the list only carries its id (cached, so repeats cost nothing). */
export function PartyName({ kind, id }: { kind: 'members' | 'accounts'; id: string | null }) {
  const name = useQuery({
    queryKey: [kind, id],
    queryFn: () => api.get<{ name: string }>(`/v1/${kind}/${id}`),
    enabled: id !== null,
    staleTime: 5 * 60_000,
  });
  if (!id) return <>—</>;
  return <>{name.data?.name ?? '…'}</>;
}

/** Label and value pairs of one record. */
export function Facts({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <Table variant="vertical" layout="fixed" withRowBorders={false}>
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w={180}>{k}</Table.Th>
            <Table.Td>{v}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
