/**
 * The program's rules, a page at a time from the server (highest priority first), filtered there by status,
 * event type and a search in name and description.
 */
import { useState } from 'react';
import { Anchor, Autocomplete, Badge, Button, Group, SegmentedControl, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconFlask, IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, query } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatDateTime } from '../../../shared/format';
import { canWrite, useStaff } from '../../session';
import { knownEventTypes, type Rule } from './model';
import { useEffectSummary } from './summary';

const PAGE = 25;
type Status = 'active' | 'archived' | 'all';

export default function RuleList() {
  const { t } = useTranslation('console-rules');
  const staff = useStaff();
  const summary = useEffectSummary();
  const [status, setStatus] = useState<Status>('active');
  const [eventType, setEventType] = useState('');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [type] = useDebouncedValue(eventType.trim(), 300);
  // Cursors of the pages before this one: "previous" pops, "next" pushes the server's nextCursor.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const validType = /^[a-z][a-z0-9_.-]{0,63}$/.test(type) ? type : undefined;

  const rules = useQuery({
    queryKey: ['rules', status, validType, q, cursor],
    queryFn: () =>
      api.get<{ data: Rule[]; nextCursor: string | null }>(
        `/v1/rules${query({ active: status === 'all' ? undefined : status === 'active', eventType: validType, q, cursor, limit: PAGE })}`,
      ),
    placeholderData: keepPreviousData,
  });
  const resetPaging = () => setCursors([]);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('list.title')}
        </Title>
        <Group>
          <Button component={Link} to="simulator" variant="default" leftSection={<IconFlask size={16} />}>
            {t('simulator.open')}
          </Button>
          {canWrite(staff.staff.role) && (
            <Button component={Link} to="new" leftSection={<IconPlus size={16} />}>
              {t('list.new')}
            </Button>
          )}
        </Group>
      </Group>
      <Group align="end" wrap="wrap">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="rule-status-label">
            {t('list.status')}
          </Text>
          <SegmentedControl
            aria-labelledby="rule-status-label"
            value={status}
            onChange={(v) => {
              setStatus(v as Status);
              resetPaging();
            }}
            data={[
              { value: 'active', label: t('list.active') },
              { value: 'archived', label: t('list.archived') },
              { value: 'all', label: t('list.all') },
            ]}
          />
        </Stack>
        <Autocomplete
          label={t('list.eventType')}
          placeholder={t('list.anyEventType')}
          data={knownEventTypes}
          value={eventType}
          onChange={(v) => {
            setEventType(v);
            resetPaging();
          }}
          error={eventType.trim() !== '' && !validType ? t('list.badEventType') : undefined}
          w={220}
        />
        <TextInput
          label={t('list.search')}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            resetPaging();
          }}
          w={260}
        />
      </Group>
      <ErrorAlert error={rules.error} />
      <Table.ScrollContainer minWidth={800}>
        <Table striped highlightOnHover aria-busy={rules.isFetching}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('list.name')}</Table.Th>
              <Table.Th>{t('list.eventTypes')}</Table.Th>
              <Table.Th>{t('list.effect')}</Table.Th>
              <Table.Th>{t('list.priority')}</Table.Th>
              <Table.Th>{t('list.state')}</Table.Th>
              <Table.Th>{t('list.since')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rules.isPending &&
              Array.from({ length: 5 }, (_, i) => (
                <Table.Tr key={i}>
                  <Table.Td colSpan={6}>
                    <Skeleton h={20} />
                  </Table.Td>
                </Table.Tr>
              ))}
            {rules.data?.data.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Anchor component={Link} to={r.id}>
                    {r.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{r.definition.conditions.eventTypes?.join(', ') ?? t('list.anyEventType')}</Table.Td>
                <Table.Td>{summary(r.definition)}</Table.Td>
                <Table.Td>{r.priority}</Table.Td>
                <Table.Td style={{ minWidth: 120 }}>
                  <Badge color={r.active ? 'teal.9' : 'gray.7'} variant="filled">
                    {r.active ? t('list.activeOne') : t('list.archivedOne')}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(r.effectiveFrom)}</Table.Td>
              </Table.Tr>
            ))}
            {rules.data && rules.data.data.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={6}>
                  <Text c="dimmed">{t('list.none')}</Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="flex-end">
        <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('list.previous')}
        </Button>
        <Button
          variant="default"
          disabled={!rules.data?.nextCursor}
          onClick={() => rules.data?.nextCursor && setCursors((c) => [...c, rules.data.nextCursor!])}
        >
          {t('list.next')}
        </Button>
      </Group>
    </Stack>
  );
}
