/**
 * The audit log: every staff action, newest first, filtered and paged on the server (actor, action, entity,
 * date range), each entry's before and after side by side with the changed fields marked.
 */
import { Fragment, useState } from 'react';
import { ActionIcon, Badge, Button, Code, Group, Select, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatDateTime } from '../../../shared/format';
import { diffRows } from './diff';
import { Empty, LocalDates, useAuditFacets } from './shared';

interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actor: string;
  actorLabel: string;
  actorIp: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  hash: string;
}

function Changes({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation('console-insight');
  const rows = diffRows(entry.before, entry.after);
  if (rows.length === 0) return <Text size="sm" c="dimmed">{t('audit.noDetails')}</Text>;
  return (
    <Table withColumnBorders layout="fixed" fz="sm" aria-label={t('audit.changesOf', { action: entry.action })}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="22%">{t('audit.field')}</Table.Th>
          <Table.Th>{t('audit.before')}</Table.Th>
          <Table.Th>{t('audit.after')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.path} bg={r.changed ? 'var(--mantine-color-yellow-0)' : undefined}>
            <Table.Td style={{ wordBreak: 'break-word' }}>
              <Code>{r.path}</Code>
              {r.changed && (
                <Badge ml={6} size="xs" color="yellow" variant="light" c="dark">
                  {t('audit.changed')}
                </Badge>
              )}
            </Table.Td>
            <Table.Td style={{ wordBreak: 'break-word' }}>{r.before ?? <Text span c="dimmed">—</Text>}</Table.Td>
            <Table.Td style={{ wordBreak: 'break-word' }}>{r.after ?? <Text span c="dimmed">—</Text>}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export default function AuditLog() {
  const { t } = useTranslation('console-insight');
  const facets = useAuditFacets();
  const [actor, setActor] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  const [entity, setEntity] = useState<string | null>(null);
  const [entityIdInput, setEntityId] = useState('');
  const [entityId] = useDebouncedValue(entityIdInput.trim(), 400);
  const [range, setRange] = useState<DatesRangeValue<string>>([null, null]);
  const [open, setOpen] = useState<Set<string>>(new Set());
  // Whole days in the browser's time zone: from the first day's midnight up to the midnight after the last.
  const from = range[0] ? dayjs(range[0]).startOf('day').toISOString() : undefined;
  const to = range[1] ? dayjs(range[1]).add(1, 'day').startOf('day').toISOString() : range[0] ? dayjs(range[0]).add(1, 'day').startOf('day').toISOString() : undefined;
  const filters = { actor, action, entity, entityId, from, to };
  const list = useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam }) => api.get<{ data: AuditEntry[]; nextCursor: string | null }>(`/v1/audit${query({ ...filters, limit: 25, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const entries = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(actor || action || entity || entityId || from);
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  // Each entity's actions also as a family ("account" = every account.* action).
  const families = [...new Set((facets.data?.actions ?? []).map((a) => a.split('.')[0]!))];
  const actionOptions = [
    { group: t('audit.actionFamilies'), items: families.map((f) => ({ value: f, label: t('audit.allOf', { family: f }) })) },
    { group: t('audit.actions'), items: facets.data?.actions ?? [] },
  ];

  return (
    <LocalDates>
      <Stack>
        <Title order={1} size="h2">
          {t('nav.audit')}
        </Title>
        <Text c="dimmed">{t('audit.intro')}</Text>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }}>
          <Select
            label={t('audit.filter.actor')}
            placeholder={t('audit.filter.anyone')}
            data={(facets.data?.actors ?? []).map((a) => ({ value: a.actor, label: a.actorLabel }))}
            value={actor}
            onChange={setActor}
            clearable
            searchable
          />
          <Select label={t('audit.filter.action')} placeholder={t('audit.filter.any')} data={actionOptions} value={action} onChange={setAction} clearable searchable />
          <Select
            label={t('audit.filter.entity')}
            placeholder={t('audit.filter.any')}
            data={facets.data?.entities ?? []}
            value={entity}
            onChange={setEntity}
            clearable
            searchable
          />
          <TextInput label={t('audit.filter.entityId')} value={entityIdInput} onChange={(e) => setEntityId(e.currentTarget.value)} />
          <DatePickerInput
            type="range"
            label={t('audit.filter.dates')}
            value={range}
            onChange={setRange}
            allowSingleDateInRange
            clearable
            valueFormat="D MMM YYYY"
          />
        </SimpleGrid>
        {list.isError && <ErrorAlert error={list.error} />}
        {list.isPending ? (
          <Skeleton h={300} />
        ) : entries.length === 0 ? (
          <Empty>{filtered ? t('audit.emptyFiltered') : t('audit.empty')}</Empty>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="xs" aria-busy={list.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40}>
                    <VisuallyHidden>{t('audit.details')}</VisuallyHidden>
                  </Table.Th>
                  <Table.Th>{t('audit.col.at')}</Table.Th>
                  <Table.Th>{t('audit.col.actor')}</Table.Th>
                  <Table.Th>{t('audit.col.action')}</Table.Th>
                  <Table.Th>{t('audit.col.entity')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <Fragment key={e.id}>
                    <Table.Tr>
                      <Table.Td>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          onClick={() => toggle(e.id)}
                          aria-expanded={open.has(e.id)}
                          aria-label={t('audit.showChanges', { action: e.action, seq: e.seq })}
                        >
                          {open.has(e.id) ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
                        </ActionIcon>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(e.at)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{e.actorLabel}</Text>
                        {e.actorIp && (
                          <Text size="xs" c="dimmed">
                            {e.actorIp}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Code>{e.action}</Code>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{e.entity}</Text>
                        {e.entityId && (
                          <Text size="xs" c="dimmed" ff="monospace">
                            {e.entityId}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                    {open.has(e.id) && (
                      <Table.Tr>
                        <Table.Td colSpan={5}>
                          <Changes entry={e} />
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {list.hasNextPage && (
          <Group>
            <Button variant="default" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              {t('common.more')}
            </Button>
          </Group>
        )}
      </Stack>
    </LocalDates>
  );
}
