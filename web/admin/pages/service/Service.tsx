/**
 * The service desk: the queue (filters by state, type, assignee and SLA breach; bulk assignment), one request
 * with its whole timeline, answering with quick replies or an internal note, moving it through the workflow,
 * and the reports per request type.
 */
import { lazy, Suspense, useMemo, useState } from 'react';
import { Anchor, Badge, Button, Card, Checkbox, Group, Image, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Switch, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useLocation, useParams } from 'react-router';
import { api, query } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { formatDateTime, formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { canWrite } from '../../session';
import { useStaff } from '../../session';

const Setup = lazy(() => import('./Setup'));

const states = ['new', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const;
type State = (typeof states)[number];
type SlaStatus = 'met' | 'ok' | 'near' | 'breached' | 'paused';

interface SlaClock { targetMinutes: number; elapsedMinutes: number; dueAt: string | null; status: SlaStatus }
interface Summary {
  id: string;
  number: number;
  type: { code: string; kind?: string; name: string };
  subject: string;
  state: State;
  member: { id: string; name: string };
  account: { id: string; name: string };
  assignee: { id: string; name: string } | null;
  team?: { id: string; name: string } | null;
  tier: string | null;
  createdAt: string;
  sla?: { firstResponse: SlaClock; resolution: SlaClock; status: SlaStatus };
}
interface Entry {
  id: string;
  kind: 'created' | 'comment' | 'state' | 'assignment';
  internal: boolean;
  authorName: string | null;
  byStaff: boolean;
  body: string | null;
  toState: State | null;
  assigneeName?: string | null;
  teamName?: string | null;
  attachments: { id: string; fileName: string | null; contentType: string; url: string }[];
  createdAt: string;
}
interface Full extends Summary {
  body: string;
  language: string;
  fields: { key: string; label: string; value: string | number }[];
  timeline: Entry[];
  nextStates: State[];
  csat: { score: number; comment: string | null } | null;
  quotes: { id: string; price: string; quantity: number; description: string; validUntil: string; status: string; expired: boolean; orderId: string | null }[];
}
interface Assignee { id: string; name: string }
interface TypeRow { code: string; names: Record<string, string> }

const stateColor: Record<State, string> = { new: 'blue', in_progress: 'grape', waiting_customer: 'orange', resolved: 'teal', closed: 'gray' };
const slaColor: Record<SlaStatus, string> = { met: 'teal', ok: 'blue', near: 'orange', breached: 'red', paused: 'gray' };

export default function Service() {
  const { t } = useTranslation('console-service');
  const { pathname } = useLocation();
  const tab = pathname.endsWith('/reports') ? 'reports' : pathname.includes('/service/setup') ? 'setup' : 'queue';
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">{t('title')}</Title>
        <Group gap="xs">
          <Button component={Link} to="/service" variant={tab === 'queue' ? 'filled' : 'default'} size="sm">{t('queue')}</Button>
          <Button component={Link} to="/service/reports" variant={tab === 'reports' ? 'filled' : 'default'} size="sm">{t('reports')}</Button>
          <Button component={Link} to="/service/setup" variant={tab === 'setup' ? 'filled' : 'default'} size="sm">{t('setup.nav')}</Button>
        </Group>
      </Group>
      <Routes>
        <Route index element={<Queue />} />
        <Route path="reports" element={<Reports />} />
        <Route path="setup/:section?" element={<Suspense fallback={<Loading />}><Setup /></Suspense>} />
        <Route path=":id" element={<RequestView />} />
      </Routes>
    </Stack>
  );
}

export function StateBadge({ state }: { state: State }) {
  const { t } = useTranslation('console-service');
  return <Badge color={stateColor[state]} variant="filled">{t(`state.${state}`)}</Badge>;
}

function SlaBadge({ sla }: { sla: Summary['sla'] }) {
  const { t } = useTranslation('console-service');
  if (!sla) return null;
  const running = sla.firstResponse.status === 'met' ? sla.resolution : sla.firstResponse;
  return (
    <Badge color={slaColor[sla.status]} variant={sla.status === 'breached' ? 'filled' : 'light'} data-testid="sla">
      {t(`sla.${sla.status}`)}
      {running.dueAt && sla.status !== 'met' ? ` · ${formatDateTime(running.dueAt)}` : ''}
    </Badge>
  );
}

const useTeams = () => useQuery({ queryKey: ['service', 'teams'], queryFn: () => api.get<{ data: { id: string; name: string }[] }>('/v1/service/teams') });
const useAssignees = () => useQuery({ queryKey: ['service', 'assignees'], queryFn: () => api.get<{ data: Assignee[] }>('/v1/service/assignees') });

function Queue() {
  const { t, i18n } = useTranslation('console-service');
  const staff = useStaff();
  const qc = useQueryClient();
  const [state, setState] = useState<string>('new,in_progress,waiting_customer');
  const [type, setType] = useState<string | null>(null);
  const [assignee, setAssignee] = useState<string | null>(null);
  const [breach, setBreach] = useState<string | null>(null);
  const [team, setTeam] = useState<string | null>(null);
  const [assignTeam, setAssignTeam] = useState<string | null>(null);
  const teams = useTeams();
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [assignTo, setAssignTo] = useState<string | null>(null);
  const types = useQuery({ queryKey: ['service', 'types'], queryFn: () => api.get<{ data: TypeRow[] }>('/v1/service/types') });
  const assignees = useAssignees();
  const params = { state: state || undefined, type: type ?? undefined, assignee: assignee ?? undefined, breach: breach ?? undefined, team: team ?? undefined, q: q.trim() || undefined, limit: 100 };
  const list = useQuery({ queryKey: ['service', 'queue', params], queryFn: () => api.get<{ data: Summary[] }>(`/v1/service/requests${query(params)}`) });
  const assign = useMutation({
    mutationFn: () =>
      api.post<{ changed: number }>('/v1/service/requests/assign', {
        ids: picked,
        ...(assignTo && { staffUserId: assignTo === 'none' ? null : assignTo }),
        ...(assignTeam && { teamId: assignTeam === 'none' ? null : assignTeam }),
      }),
    onSuccess: (r) => {
      notifySuccess(t('assigned', { count: r.changed }));
      setPicked([]);
      void qc.invalidateQueries({ queryKey: ['service', 'queue'] });
    },
  });
  const people = [{ value: 'none', label: t('unassigned') }, ...(assignees.data?.data ?? []).map((a) => ({ value: a.id, label: a.name }))];
  const teamOptions = (teams.data?.data ?? []).map((x) => ({ value: x.id, label: x.name }));
  const rows = list.data?.data ?? [];
  return (
    <Stack>
      <Group align="flex-end" wrap="wrap">
        <Select label={t('filters.state')} value={state} onChange={(v) => setState(v ?? '')} allowDeselect={false} w={200}
          data={[{ value: 'new,in_progress,waiting_customer', label: t('filters.open') }, ...states.map((s) => ({ value: s, label: t(`state.${s}`) })), { value: '', label: t('filters.all') }]} />
        <Select label={t('filters.type')} value={type} onChange={setType} clearable w={180} data={(types.data?.data ?? []).map((x) => ({ value: x.code, label: x.names[i18n.language.slice(0, 2)] ?? x.names.en ?? x.code }))} />
        <Select label={t('filters.assignee')} value={assignee} onChange={setAssignee} clearable w={180} data={people} />
        <Select label={t('filters.team')} value={team} onChange={setTeam} clearable w={180} data={[{ value: 'mine', label: t('filters.myTeams') }, { value: 'none', label: t('noTeam') }, ...teamOptions]} />
        <Select label={t('filters.breach')} value={breach} onChange={setBreach} clearable w={180} data={['at_risk', 'breached', 'near'].map((b) => ({ value: b, label: t(`filters.${b}`) }))} />
        <TextInput label={t('filters.search')} value={q} onChange={(e) => setQ(e.currentTarget.value)} w={200} />
      </Group>
      {canWrite(staff.staff.role) && picked.length > 0 && (
        <Card withBorder padding="xs">
          <Group>
            <Text size="sm">{t('picked', { count: picked.length })}</Text>
            <Select aria-label={t('assignTo')} placeholder={t('assignTo')} value={assignTo} onChange={setAssignTo} data={people} w={220} />
            <Select aria-label={t('assignToTeam')} placeholder={t('assignToTeam')} value={assignTeam} onChange={setAssignTeam} data={[{ value: 'none', label: t('noTeam') }, ...teamOptions]} w={220} clearable />
            <Button size="sm" disabled={!assignTo && !assignTeam} loading={assign.isPending} onClick={() => assign.mutate()}>{t('assign')}</Button>
          </Group>
          <ErrorAlert error={assign.error} />
        </Card>
      )}
      <ErrorAlert error={list.error} />
      {list.isPending ? <Loading /> : rows.length === 0 ? <Text c="dimmed">{t('empty')}</Text> : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th><Checkbox aria-label={t('pickAll')} checked={picked.length === rows.length} onChange={(e) => setPicked(e.currentTarget.checked ? rows.map((r) => r.id) : [])} /></Table.Th>
              <Table.Th>#</Table.Th>
              <Table.Th>{t('subject')}</Table.Th>
              <Table.Th>{t('filters.type')}</Table.Th>
              <Table.Th>{t('customer')}</Table.Th>
              <Table.Th>{t('filters.state')}</Table.Th>
              <Table.Th>{t('filters.assignee')}</Table.Th>
              <Table.Th>{t('slaHead')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id} data-testid="queue-row">
                <Table.Td><Checkbox aria-label={t('pick', { number: r.number })} checked={picked.includes(r.id)} onChange={(e) => setPicked(e.currentTarget.checked ? [...picked, r.id] : picked.filter((x) => x !== r.id))} /></Table.Td>
                <Table.Td>{r.number}</Table.Td>
                <Table.Td><Anchor component={Link} to={`/service/${r.id}`}>{r.subject}</Anchor></Table.Td>
                <Table.Td>{r.type.name}</Table.Td>
                <Table.Td>{r.member.name}<Text size="xs" c="dimmed">{r.account.name}{r.tier ? ` · ${r.tier}` : ''}</Text></Table.Td>
                <Table.Td><StateBadge state={r.state} /></Table.Td>
                <Table.Td>{r.assignee?.name ?? '—'}{r.team && <Text size="xs" c="dimmed">{r.team.name}</Text>}</Table.Td>
                <Table.Td><SlaBadge sla={r.sla} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function RequestView() {
  const { t } = useTranslation('console-service');
  const { id } = useParams();
  const staff = useStaff();
  const qc = useQueryClient();
  const key = ['service', 'one', id];
  const r = useQuery({ queryKey: key, queryFn: () => api.get<Full>(`/v1/service/requests/${id}`) });
  const assignees = useAssignees();
  const language = r.data?.language;
  const replies = useQuery({ queryKey: ['service', 'replies', language], queryFn: () => api.get<{ data: { id: string; title: string; body: string }[] }>(`/v1/service/quick-replies${query({ language })}`), enabled: !!language });
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const done = (d: Full) => {
    qc.setQueryData(key, d);
    void qc.invalidateQueries({ queryKey: ['service', 'queue'] });
  };
  const comment = useMutation({
    mutationFn: () => api.post<Full>(`/v1/service/requests/${id}/comments`, { body, internal }),
    onSuccess: (d) => {
      setBody('');
      setInternal(false);
      done(d);
    },
  });
  const move = useMutation({ mutationFn: (to: State) => api.post<Full>(`/v1/service/requests/${id}/state`, { to }), onSuccess: done });
  const assign = useMutation({
    mutationFn: (to: { staffUserId?: string | null; teamId?: string | null }) => api.post('/v1/service/requests/assign', { ids: [id], ...to }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: key }),
  });
  const teams = useTeams();
  const writer = canWrite(staff.staff.role);
  const people = useMemo(() => [{ value: 'none', label: t('unassigned') }, ...(assignees.data?.data ?? []).map((a) => ({ value: a.id, label: a.name }))], [assignees.data, t]);
  if (r.isPending) return <Loading />;
  if (r.isError) return <ErrorAlert error={r.error} />;
  const req = r.data;
  return (
    <SimpleGrid cols={{ base: 1, md: 3 }} spacing="lg">
      <Stack style={{ gridColumn: 'span 2' }}>
        <Group justify="space-between">
          <Title order={2} size="h3">#{req.number} {req.subject}</Title>
          <StateBadge state={req.state} />
        </Group>
        <Stack component="ol" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('timeline')}>
          {req.timeline.map((e) => (
            <Card key={e.id} component="li" withBorder padding="sm" bg={e.internal ? 'yellow.0' : e.byStaff ? 'blue.0' : undefined} data-testid={e.internal ? 'internal-entry' : 'entry'}>
              <Text size="xs" c="dimmed">
                {e.authorName} · {formatDateTime(e.createdAt)}
                {e.internal ? ` · ${t('internal')}` : ''}
              </Text>
              {e.kind === 'state' && <Text size="sm" fw={600}>{t('movedTo', { state: t(`state.${e.toState}`) })}</Text>}
              {e.kind === 'assignment' && <Text size="sm" fw={600}>{t('assignedTo', { name: e.assigneeName ?? t('unassigned') })}{e.teamName ? ` · ${e.teamName}` : ''}</Text>}
              {e.body && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{e.body}</Text>}
              {e.attachments.length > 0 && (
                <Group mt="xs">
                  {e.attachments.map((f) => f.contentType.startsWith('image/') ? (
                    <Anchor key={f.id} href={f.url} target="_blank" rel="noopener"><Image src={f.url} alt={f.fileName ?? t('attachment')} h={96} w={96} fit="cover" radius="sm" /></Anchor>
                  ) : (
                    <Anchor key={f.id} href={f.url} target="_blank" rel="noopener" size="sm">{f.fileName ?? t('attachment')}</Anchor>
                  ))}
                </Group>
              )}
            </Card>
          ))}
        </Stack>
        {writer && req.state !== 'closed' && (
          <Stack component="form" gap="xs" onSubmit={(e) => { e.preventDefault(); comment.mutate(); }}>
            <Select
              label={t('quickReply')}
              placeholder={t('quickReplyPick')}
              data={(replies.data?.data ?? []).map((x) => ({ value: x.id, label: x.title }))}
              onChange={(v) => { const x = replies.data?.data.find((y) => y.id === v); if (x) setBody(body ? `${body}\n\n${x.body}` : x.body); }}
              value={null}
              clearable
            />
            <Textarea label={internal ? t('noteLabel') : t('answerLabel')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={4} required />
            <Switch label={t('internalSwitch')} checked={internal} onChange={(e) => setInternal(e.currentTarget.checked)} />
            <ErrorAlert error={comment.error} />
            <Group><Button type="submit" loading={comment.isPending} color={internal ? 'yellow.8' : undefined}>{internal ? t('saveNote') : t('sendAnswer')}</Button></Group>
          </Stack>
        )}
      </Stack>
      <Stack>
        <Card withBorder>
          <Text size="sm"><b>{t('customer')}:</b> {req.member.name}, {req.account.name}{req.tier ? ` (${req.tier})` : ''}</Text>
          <Text size="sm"><b>{t('filters.type')}:</b> {req.type.name}</Text>
          <Text size="sm"><b>{t('language')}:</b> {req.language}</Text>
          {req.fields.map((f) => <Text key={f.key} size="sm"><b>{f.label}:</b> {String(f.value)}</Text>)}
          {req.sla && (
            <Stack gap={4} mt="xs">
              <Text size="sm">{t('firstResponse')}: <SlaBadge sla={{ ...req.sla, status: req.sla.firstResponse.status, resolution: req.sla.firstResponse }} /></Text>
              <Text size="sm">{t('resolution')}: <SlaBadge sla={{ ...req.sla, status: req.sla.resolution.status, firstResponse: req.sla.resolution }} /></Text>
            </Stack>
          )}
          {req.csat && <Text size="sm" mt="xs"><b>{t('csat')}:</b> {req.csat.score}/5 {req.csat.comment ?? ''}</Text>}
        </Card>
        {req.type.kind === 'special_order' && <Quotes req={req} writer={writer && req.state !== 'closed'} onDone={done} />}
        {writer && (
          <Card withBorder>
            <Select label={t('filters.assignee')} data={people} value={req.assignee?.id ?? 'none'} onChange={(v) => assign.mutate({ staffUserId: v === 'none' ? null : v })} allowDeselect={false} />
            <Select label={t('filters.team')} mt="xs" data={[{ value: 'none', label: t('noTeam') }, ...(teams.data?.data ?? []).map((x) => ({ value: x.id, label: x.name }))]} value={req.team?.id ?? 'none'} onChange={(v) => assign.mutate({ teamId: v === 'none' ? null : v })} allowDeselect={false} />
            <ErrorAlert error={assign.error} />
            <Text size="sm" fw={600} mt="sm">{t('moveTo')}</Text>
            <Group gap="xs" mt={4}>
              {req.nextStates.map((s) => (
                <Button key={s} size="xs" variant="default" onClick={() => move.mutate(s)} loading={move.isPending && move.variables === s}>{t(`action.${s}`)}</Button>
              ))}
            </Group>
            <ErrorAlert error={move.error} />
          </Card>
        )}
      </Stack>
    </SimpleGrid>
  );
}

/** A special order's quotes, and (for writers) a new one in points or money with its last day. */
function Quotes({ req, writer, onDone }: { req: Full; writer: boolean; onDone: (d: Full) => void }) {
  const { t } = useTranslation('console-service');
  const [currency, setCurrency] = useState<'points' | 'money'>('points');
  const [price, setPrice] = useState<number | string>('');
  const [quantity, setQuantity] = useState<number | string>(Number(req.fields.find((f) => f.key === 'quantity')?.value ?? 1) || 1);
  const [description, setDescription] = useState('');
  const [validUntil, setValidUntil] = useState('');
  const send = useMutation({
    mutationFn: () =>
      api.post<Full>(`/v1/service/requests/${req.id}/quotes`, {
        ...(currency === 'points' ? { points: Number(price) } : { amountMinor: Math.round(Number(price) * 100) }),
        quantity: Number(quantity),
        description,
        validUntil,
      }),
    onSuccess: (d) => {
      setPrice('');
      setDescription('');
      onDone(d);
    },
  });
  return (
    <Card withBorder>
      <Title order={3} size="h5">{t('quotes.title')}</Title>
      {req.quotes.length === 0 && <Text size="sm" c="dimmed">{t('quotes.none')}</Text>}
      {req.quotes.map((q) => (
        <Text key={q.id} size="sm" mt={4} data-testid="quote-row">
          <b>{q.price}</b> × {q.quantity} · {t(`quotes.status.${q.expired ? 'expired' : q.status}`)} · {formatDateTime(q.validUntil)}
        </Text>
      ))}
      {writer && (
        <Stack component="form" gap="xs" mt="sm" onSubmit={(e) => { e.preventDefault(); send.mutate(); }}>
          <SegmentedControl value={currency} onChange={(v) => setCurrency(v as 'points' | 'money')} data={[{ value: 'points', label: t('quotes.points') }, { value: 'money', label: t('quotes.money') }]} aria-label={t('quotes.priceIn')} />
          <NumberInput label={currency === 'points' ? t('quotes.pricePoints') : t('quotes.priceMoney')} value={price} onChange={setPrice} min={currency === 'points' ? 1 : 0.01} decimalScale={currency === 'points' ? 0 : 2} required />
          <NumberInput label={t('quotes.quantity')} value={quantity} onChange={setQuantity} min={1} required />
          <Textarea label={t('quotes.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} required />
          <TextInput type="date" label={t('quotes.validUntil')} value={validUntil} onChange={(e) => setValidUntil(e.currentTarget.value)} required />
          <ErrorAlert error={send.error} />
          <Group><Button type="submit" loading={send.isPending}>{t('quotes.send')}</Button></Group>
        </Stack>
      )}
    </Card>
  );
}

interface ReportRow { type: string; volume: number; open: number; firstResponseMedian: number | null; firstResponseP90: number | null; resolutionMedian: number | null; resolutionP90: number | null; breachRate: number | null; csatAverage: number | null; csatCount: number }

function Reports() {
  const { t } = useTranslation('console-service');
  const today = new Date();
  const [from, setFrom] = useState(new Date(today.getTime() - 30 * 86_400_000).toISOString().slice(0, 10));
  const [to, setTo] = useState(today.toISOString().slice(0, 10));
  const rep = useQuery({ queryKey: ['service', 'report', from, to], queryFn: () => api.get<{ types: ReportRow[]; total: ReportRow }>(`/v1/service/reports${query({ from, to })}`) });
  const hours = (m: number | null) => (m === null ? '—' : t('hours', { value: formatNumber(Math.round((m / 60) * 10) / 10) }));
  const rows = rep.data ? [...rep.data.types, rep.data.total] : [];
  return (
    <Stack>
      <Group>
        <TextInput type="date" label={t('from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput type="date" label={t('to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
      </Group>
      <ErrorAlert error={rep.error} />
      {rep.isPending ? <Loading /> : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              {['type', 'volume', 'open', 'frMedian', 'frP90', 'resMedian', 'resP90', 'breachRate', 'csat'].map((h) => <Table.Th key={h}>{t(`report.${h}`)}</Table.Th>)}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.type}>
                <Table.Td fw={r.type === '*' ? 700 : undefined}>{r.type === '*' ? t('report.all') : r.type}</Table.Td>
                <Table.Td>{formatNumber(r.volume)}</Table.Td>
                <Table.Td>{formatNumber(r.open)}</Table.Td>
                <Table.Td>{hours(r.firstResponseMedian)}</Table.Td>
                <Table.Td>{hours(r.firstResponseP90)}</Table.Td>
                <Table.Td>{hours(r.resolutionMedian)}</Table.Td>
                <Table.Td>{hours(r.resolutionP90)}</Table.Td>
                <Table.Td>{r.breachRate === null ? '—' : `${formatNumber(Math.round(r.breachRate * 1000) / 10)} %`}</Table.Td>
                <Table.Td>{r.csatAverage === null ? '—' : `${formatNumber(r.csatAverage)} (${r.csatCount})`}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="xs" c="dimmed">{t('reportNote')}</Text>
    </Stack>
  );
}
