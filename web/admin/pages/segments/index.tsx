/**
 * Segments and scores: the program's segments with their counts, a builder whose count follows the filter as
 * it is edited (the server evaluates it; nothing is stored until saved), and the nightly scores — loyalty types,
 * the RFM grid and how types moved since last month.
 */
import { useEffect, useMemo, useState } from 'react';
import { ActionIcon, Alert, Badge, Button, Card, Group, NumberInput, SegmentedControl, Select, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { IconPlus, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { formatDateTime, formatNumber } from '../../../shared/format';
import { canWrite, useStaff } from '../../session';
import { Empty } from '../insight/shared';

type Subject = 'account' | 'member';
interface FieldInfo { field: string; kind: string; operators: string[]; category: boolean; windowed: boolean }
interface Segment { id: string; key: string; name: string; kind: 'dynamic' | 'static'; subject: Subject; system: boolean; memberCount: number; refreshedAt: string | null }
interface Preview { count: number; total: number; sample: Array<{ id: string; name: string; externalId: string | null }> }
interface Row { field: string; op: string; value: string; days: number | ''; category: string }
interface Overview { scoreDate: string | null; accounts: number; types: Array<{ type: string; name: string; count: number }>; grid: Array<{ r: number; f: number; count: number }>; middleBand: number }
interface Movement { from: string; to: string; moves: Array<{ from: string; to: string; count: number }> }

const emptyRow = (): Row => ({ field: 'country', op: 'eq', value: '', days: '', category: '' });

/** A builder row as the API's condition; numbers stay numbers, lists are comma-separated. */
function conditionOf(row: Row, info: FieldInfo | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { field: row.field, op: row.op };
  const numeric = info && (info.kind === 'number' || info.kind === 'windowed');
  const parts = row.value.split(',').map((v) => v.trim()).filter(Boolean);
  const typed = parts.map((v) => (numeric && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v));
  if (!['exists', 'notExists', 'never', 'withinDays', 'notWithinDays'].includes(row.op)) {
    out.value = ['in', 'notIn', 'hasAny', 'hasAll', 'hasNone', 'between'].includes(row.op) ? typed : typed[0] ?? '';
  }
  if (row.days !== '') out.days = row.days;
  if (row.category) out.category = row.category;
  return out;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

function Builder({ onSaved }: { onSaved: () => void }) {
  const { t } = useTranslation('console-segments');
  const me = useStaff();
  const [subject, setSubject] = useState<Subject>('account');
  const [combine, setCombine] = useState<'all' | 'any'>('all');
  const [rows, setRows] = useState<Row[]>([emptyRow()]);
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const fields = useQuery({ queryKey: ['segment-fields', subject], queryFn: () => api.get<{ data: FieldInfo[] }>(`/v1/segments/fields?subject=${subject}`) });
  const infoOf = (f: string) => fields.data?.data.find((x) => x.field === f);
  const definition = useMemo(() => ({ [combine]: rows.map((r) => conditionOf(r, infoOf(r.field))) }), [combine, rows, fields.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const debounced = useDebounced(JSON.stringify({ subject, definition }), 400);
  const preview = useQuery({
    queryKey: ['segment-preview', debounced],
    queryFn: () => api.post<Preview>('/v1/segments/preview', JSON.parse(debounced)),
    retry: false,
  });
  const save = useMutation({
    mutationFn: () => api.post<Segment>('/v1/segments', { key, name, subject, definition }),
    onSuccess: () => {
      notifySuccess(t('builder.saved'));
      setKey('');
      setName('');
      onSaved();
    },
  });
  const update = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <Card withBorder>
      <Stack>
        <Title order={3}>{t('builder.title')}</Title>
        <Group>
          <SegmentedControl
            aria-label={t('builder.subject')}
            value={subject}
            onChange={(v) => setSubject(v as Subject)}
            data={[{ value: 'account', label: t('subject.account') }, { value: 'member', label: t('subject.member') }]}
          />
          <SegmentedControl
            aria-label={t('builder.combine')}
            value={combine}
            onChange={(v) => setCombine(v as 'all' | 'any')}
            data={[{ value: 'all', label: t('builder.all') }, { value: 'any', label: t('builder.any') }]}
          />
        </Group>
        {rows.map((row, i) => {
          const info = infoOf(row.field);
          const needsValue = !['exists', 'notExists', 'never', 'withinDays', 'notWithinDays'].includes(row.op);
          const needsDays = info?.windowed || ['withinDays', 'notWithinDays'].includes(row.op);
          return (
            <Group key={i} align="end" wrap="wrap" gap="xs">
              <Select
                label={t('builder.field')}
                searchable
                w={200}
                value={row.field}
                data={(fields.data?.data ?? []).map((f) => ({ value: f.field, label: t(`field.${f.field}`, { defaultValue: f.field }) }))}
                onChange={(v) => v && update(i, { field: v, op: infoOf(v)?.operators[0] ?? 'eq' })}
              />
              <Select label={t('builder.operator')} w={170} value={row.op} data={(info?.operators ?? []).map((o) => ({ value: o, label: t(`op.${o}`) }))} onChange={(v) => v && update(i, { op: v })} />
              {needsValue && <TextInput label={t('builder.value')} description={t('builder.valueHint')} w={200} value={row.value} onChange={(e) => update(i, { value: e.currentTarget.value })} />}
              {needsDays && <NumberInput label={t('builder.days')} w={110} min={1} max={3660} value={row.days} onChange={(v) => update(i, { days: typeof v === 'number' ? v : '' })} />}
              {info?.category && <TextInput label={t('builder.category')} w={140} value={row.category} onChange={(e) => update(i, { category: e.currentTarget.value })} />}
              <ActionIcon variant="subtle" color="red" aria-label={t('builder.remove')} disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                <IconTrash size={18} />
              </ActionIcon>
            </Group>
          );
        })}
        <Group>
          <Button variant="default" leftSection={<IconPlus size={16} />} onClick={() => setRows((rs) => [...rs, emptyRow()])}>
            {t('builder.add')}
          </Button>
        </Group>
        <div aria-live="polite">
          {preview.isError ? (
            <ErrorAlert error={preview.error} />
          ) : preview.data ? (
            <Stack gap={4}>
              <Text fw={600} data-testid="live-count">
                {t('builder.count', { total: formatNumber(preview.data.total), formatted: formatNumber(preview.data.count) })}
              </Text>
              <Text size="sm" c="dimmed">
                {preview.data.sample.map((s) => s.name).join(', ')}
              </Text>
            </Stack>
          ) : (
            <Text c="dimmed">{t('builder.counting')}</Text>
          )}
        </div>
        {canWrite(me.staff.role) && (
          <Group align="end">
            <TextInput label={t('builder.key')} description={t('builder.keyHint')} value={key} onChange={(e) => setKey(e.currentTarget.value)} />
            <TextInput label={t('builder.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!key || !name}>
              {t('builder.save')}
            </Button>
          </Group>
        )}
        {save.isError && <ErrorAlert error={save.error} />}
      </Stack>
    </Card>
  );
}

function SegmentList() {
  const { t } = useTranslation('console-segments');
  const me = useStaff();
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['segments'], queryFn: () => api.get<{ data: Segment[] }>('/v1/segments') });
  const refresh = useMutation({
    mutationFn: (id: string) => api.post<{ count: number }>(`/v1/segments/${id}/refresh`),
    onSuccess: (r) => {
      notifySuccess(t('list.refreshed', { n: formatNumber(r.count) }));
      void client.invalidateQueries({ queryKey: ['segments'] });
    },
  });
  if (list.isError) return <ErrorAlert error={list.error} />;
  const data = list.data?.data ?? [];
  return (
    <Stack>
      <Builder onSaved={() => void client.invalidateQueries({ queryKey: ['segments'] })} />
      {refresh.isError && <ErrorAlert error={refresh.error} />}
      {data.length === 0 ? (
        <Empty>{t('list.empty')}</Empty>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('list.name')}</Table.Th>
              <Table.Th>{t('list.key')}</Table.Th>
              <Table.Th>{t('list.kind')}</Table.Th>
              <Table.Th ta="right">{t('list.members')}</Table.Th>
              <Table.Th>{t('list.refreshedAt')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  {s.name} {s.system && <Badge size="xs" variant="light">{t('list.builtIn')}</Badge>}
                </Table.Td>
                <Table.Td>
                  <code>{s.key}</code>
                </Table.Td>
                <Table.Td>{t(`kind.${s.kind}`)} · {t(`subject.${s.subject}`)}</Table.Td>
                <Table.Td ta="right">{formatNumber(s.memberCount)}</Table.Td>
                <Table.Td>{s.refreshedAt ? formatDateTime(s.refreshedAt) : '—'}</Table.Td>
                <Table.Td>
                  {s.kind === 'dynamic' && canWrite(me.staff.role) && (
                    <ActionIcon variant="subtle" aria-label={t('list.refresh', { name: s.name })} onClick={() => refresh.mutate(s.id)} loading={refresh.isPending && refresh.variables === s.id}>
                      <IconRefresh size={18} />
                    </ActionIcon>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Scores() {
  const { t } = useTranslation('console-segments');
  const me = useStaff();
  const client = useQueryClient();
  const overview = useQuery({ queryKey: ['scores'], queryFn: () => api.get<Overview>('/v1/scores') });
  const movement = useQuery({ queryKey: ['scores-movement'], queryFn: () => api.get<Movement>('/v1/scores/movement') });
  const run = useMutation({
    mutationFn: () => api.post<{ accounts: number }>('/v1/scores/run'),
    onSuccess: (r) => {
      notifySuccess(t('scores.ran', { n: formatNumber(r.accounts) }));
      void client.invalidateQueries();
    },
  });
  if (overview.isError) return <ErrorAlert error={overview.error} />;
  const o = overview.data;
  const typeName = (type: string) => (type === 'new' ? t('scores.new') : t(`type.${type}`));
  const cell = (r: number, f: number) => o?.grid.find((g) => g.r === r && g.f === f)?.count ?? 0;
  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed">{o?.scoreDate ? t('scores.date', { date: o.scoreDate, n: formatNumber(o.accounts) }) : t('scores.none')}</Text>
        {canWrite(me.staff.role) && (
          <Button variant="light" leftSection={<IconRefresh size={16} />} onClick={() => run.mutate()} loading={run.isPending}>
            {t('scores.run')}
          </Button>
        )}
      </Group>
      {run.isError && <ErrorAlert error={run.error} />}
      {o && o.accounts > 0 && (
        <>
          <Alert variant="light">{t('scores.middleBand', { n: formatNumber(o.middleBand) })}</Alert>
          <Title order={3}>{t('scores.types')}</Title>
          <Table>
            <Table.Tbody>
              {o.types.map((x) => (
                <Table.Tr key={x.type}>
                  <Table.Td>{x.name}</Table.Td>
                  <Table.Td>{t(`typeHelp.${x.type}`)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(x.count)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Title order={3}>{t('scores.grid')}</Title>
          <Table withTableBorder withColumnBorders aria-label={t('scores.grid')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('scores.gridCorner')}</Table.Th>
                {[1, 2, 3, 4, 5].map((f) => (
                  <Table.Th key={f} ta="right">F{f}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[5, 4, 3, 2, 1].map((r) => (
                <Table.Tr key={r}>
                  <Table.Th>R{r}</Table.Th>
                  {[1, 2, 3, 4, 5].map((f) => (
                    <Table.Td key={f} ta="right">{formatNumber(cell(r, f))}</Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Title order={3}>{t('scores.movement', { from: movement.data?.from ?? '', to: movement.data?.to ?? '' })}</Title>
          {movement.data && movement.data.moves.length > 0 ? (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('scores.from')}</Table.Th>
                  <Table.Th>{t('scores.to')}</Table.Th>
                  <Table.Th ta="right">{t('scores.accounts')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {movement.data.moves.map((m) => (
                  <Table.Tr key={`${m.from}-${m.to}`}>
                    <Table.Td>{typeName(m.from)}</Table.Td>
                    <Table.Td>{typeName(m.to)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(m.count)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Empty h={80}>{t('scores.noMovement')}</Empty>
          )}
        </>
      )}
    </Stack>
  );
}

export default function Segments() {
  const { t } = useTranslation('console-segments');
  return (
    <Stack>
      <Title order={2}>{t('title')}</Title>
      <Tabs defaultValue="segments" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="segments">{t('tabs.segments')}</Tabs.Tab>
          <Tabs.Tab value="scores">{t('tabs.scores')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="segments" pt="md">
          <SegmentList />
        </Tabs.Panel>
        <Tabs.Panel value="scores" pt="md">
          <Scores />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
