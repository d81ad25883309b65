/**
 * The service extranet on the phone: my requests and their state, raising a new one (help articles are
 * suggested while I type the subject), the conversation with photos, confirming or reopening, and the
 * satisfaction question once it is resolved. A manager can switch to the company's requests.
 */
import { useEffect, useState } from 'react';
import { Anchor, Badge, Button, Card, Group, Image, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconCamera, IconFileText, IconPlus, IconStar, IconStarFilled } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey, query } from '../../shared/api';
import { ErrorAlert, fieldError, notifySuccess } from '../../shared/feedback';
import { formatDate, formatDateTime } from '../../shared/format';
import type { Page } from '../data';
import { useMember } from '../session';
import { Empty, LoadMore, PageTitle, SkeletonList } from '../parts/ui';

type State = 'new' | 'in_progress' | 'waiting_customer' | 'resolved' | 'closed';

interface Quote {
  id: string;
  price: string;
  quantity: number;
  description: string;
  validUntil: string;
  status: 'open' | 'accepted' | 'declined' | 'withdrawn';
  expired: boolean;
  points: number | null;
  orderId: string | null;
}

interface Summary {
  id: string;
  number: number;
  type: { code: string; kind: string; name: string };
  subject: string;
  state: State;
  member: { id: string; name: string };
  account: { id: string; name: string };
  assignee: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
}
interface Entry {
  id: string;
  kind: 'created' | 'comment' | 'state' | 'assignment';
  authorName: string | null;
  byStaff: boolean;
  body: string | null;
  toState: State | null;
  attachments: { id: string; fileName: string | null; contentType: string; url: string }[];
  createdAt: string;
}
interface Full extends Summary {
  body: string;
  fields: { key: string; label: string; value: string | number }[];
  timeline: Entry[];
  nextStates: State[];
  csat: { score: number; comment: string | null } | null;
  canRate: boolean;
  quotes: Quote[];
}
interface TypeInfo {
  code: string;
  kind: string;
  name: string;
  description: string;
  fields: { key: string; kind: 'text' | 'textarea' | 'number' | 'date' | 'phone' | 'choice'; required: boolean; label: string; options?: string[] }[];
}
interface Hit { id: string; title: string; excerpt: string; category: string }

// Mantine's darkest orange (orange.9) carries white text at 4.29:1, under WCAG's 4.5: a darker burnt orange does.
export const stateColour: Record<State, string> = { new: 'blue.9', in_progress: 'grape.9', waiting_customer: '#a8400b', resolved: 'teal.9', closed: 'gray.8' };

export default function Requests() {
  return (
    <Routes>
      <Route index element={<MyRequests />} />
      <Route path="new" element={<NewRequest />} />
      <Route path="help/:id" element={<Article />} />
      <Route path=":id" element={<RequestView />} />
    </Routes>
  );
}

function StateBadge({ state }: { state: State }) {
  const { t } = useTranslation('portal-service');
  return (
    <Badge color={stateColour[state]} variant="filled" style={{ flexShrink: 0 }}>
      {t(`state.${state}`)}
    </Badge>
  );
}

function MyRequests() {
  const { t } = useTranslation('portal-service');
  const member = useMember();
  const [scope, setScope] = useState<'mine' | 'company'>('mine');
  const list = useInfiniteQuery({
    queryKey: ['portal', 'service', 'list', scope],
    queryFn: ({ pageParam }) => api.get<Page<Summary>>(`/portal/v1/service/requests${query({ limit: 20, cursor: pageParam, scope })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <PageTitle>{t('title')}</PageTitle>
      <Button component={Link} to="new" size="lg" fullWidth leftSection={<IconPlus size={20} />}>
        {t('new')}
      </Button>
      {member.isManager && (
        <SegmentedControl
          fullWidth
          value={scope}
          onChange={(v) => setScope(v as 'mine' | 'company')}
          data={[{ value: 'mine', label: t('mine') }, { value: 'company', label: t('company') }]}
          aria-label={t('whose')}
        />
      )}
      <ErrorAlert error={list.error} />
      {list.isPending ? (
        <SkeletonList rows={4} height={88} />
      ) : items.length === 0 ? (
        <Empty>{t('empty')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('title')}>
          {items.map((r) => (
            <Card key={r.id} withBorder padding="sm" component="li" data-testid="request">
              <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
                <div style={{ minWidth: 0 }}>
                  <Anchor component={Link} to={r.id} fw={700} style={{ overflowWrap: 'anywhere' }}>
                    #{r.number} {r.subject}
                  </Anchor>
                  <Text size="sm" c="dimmed">
                    {r.type.name} · {formatDateTime(r.updatedAt)}
                    {scope === 'company' ? ` · ${r.member.name}` : ''}
                  </Text>
                </div>
                <StateBadge state={r.state} />
              </Group>
            </Card>
          ))}
        </Stack>
      )}
      <LoadMore hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onMore={() => void list.fetchNextPage()} />
    </Stack>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

function NewRequest() {
  const { t } = useTranslation('portal-service');
  const navigate = useNavigate();
  const qc = useQueryClient();
  const types = useQuery({ queryKey: ['portal', 'service', 'types'], queryFn: () => api.get<{ items: TypeInfo[] }>('/portal/v1/service/types') });
  const [code, setCode] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [fields, setFields] = useState<Record<string, string | number>>({});
  const [files, setFiles] = useState<File[]>([]);
  const [key] = useState(newIdempotencyKey);
  const typed = useDebounced(`${subject} ${body}`.trim(), 300);
  const hits = useQuery({
    queryKey: ['portal', 'help', 'search', typed],
    queryFn: () => api.get<{ items: Hit[] }>(`/portal/v1/help/search${query({ q: typed })}`),
    enabled: typed.length >= 3,
  });
  // The first type is chosen in the same render the list arrives in, so its fields appear with the form, not a moment later.
  const chosen = code ?? types.data?.items[0]?.code ?? null;
  const type = types.data?.items.find((x) => x.code === chosen);
  const send = useMutation({
    mutationFn: () => {
      const form = new FormData();
      form.append('request', JSON.stringify({ type: chosen, subject, body, fields, idempotencyKey: key }));
      files.forEach((f, i) => form.append(`file${i}`, f, f.name));
      return api.post<Full>('/portal/v1/service/requests', form);
    },
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['portal', 'service'] });
      notifySuccess(t('sent', { number: r.number }));
      navigate(`../${r.id}`);
    },
  });
  // Until the types are here the form waits as one placeholder: nothing on it moves when they arrive.
  if (types.isPending || types.isError) {
    return (
      <Stack>
        <PageTitle>{t('new')}</PageTitle>
        <ErrorAlert error={types.error} />
        {types.isPending && <SkeletonList rows={4} height={64} />}
      </Stack>
    );
  }
  const suggestions = hits.data && hits.data.items.length > 0 && (
    <Card withBorder padding="sm" aria-live="polite">
      <Text fw={700} size="sm">{t('suggestions')}</Text>
      <Stack gap={4} mt={4}>
        {hits.data.items.map((h) => (
          <Anchor key={h.id} component={Link} to={`../help/${h.id}`} size="sm">
            {h.title}
          </Anchor>
        ))}
      </Stack>
    </Card>
  );
  return (
    <Stack component="form" onSubmit={(e) => { e.preventDefault(); send.mutate(); }}>
      <PageTitle>{t('new')}</PageTitle>
      <Select
        label={t('type')}
        data={types.data.items.map((x) => ({ value: x.code, label: x.name }))}
        value={chosen}
        onChange={setCode}
        allowDeselect={false}
        size="md"
      />
      {type?.description && <Text size="sm" c="dimmed">{type.description}</Text>}
      <TextInput label={t('subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} required size="md" maxLength={200} error={fieldError(send.error, 'subject')} />
      <Textarea label={t('body')} value={body} onChange={(e) => setBody(e.currentTarget.value)} required autosize minRows={4} size="md" maxLength={10000} error={fieldError(send.error, 'body')} />
      {/* Below what is being typed, so the suggestions never push the next field away from a finger about to tap it. */}
      {suggestions}
      {type?.fields.map((f) =>
        f.kind === 'number' ? (
          <NumberInput key={f.key} label={f.label} required={f.required} min={0} size="md" value={fields[f.key] ?? ''} onChange={(v) => setFields({ ...fields, [f.key]: v })} error={fieldError(send.error, `fields.${f.key}`)} />
        ) : f.kind === 'choice' ? (
          <Select key={f.key} label={f.label} required={f.required} size="md" data={f.options ?? []} value={(fields[f.key] as string) ?? null} onChange={(v) => setFields({ ...fields, [f.key]: v ?? '' })} error={fieldError(send.error, `fields.${f.key}`)} />
        ) : f.kind === 'textarea' ? (
          <Textarea key={f.key} label={f.label} required={f.required} size="md" autosize minRows={2} value={(fields[f.key] as string) ?? ''} onChange={(e) => setFields({ ...fields, [f.key]: e.currentTarget.value })} error={fieldError(send.error, `fields.${f.key}`)} />
        ) : (
          <TextInput
            key={f.key}
            label={f.label}
            required={f.required}
            size="md"
            type={f.kind === 'date' ? 'date' : f.kind === 'phone' ? 'tel' : 'text'}
            value={(fields[f.key] as string) ?? ''}
            onChange={(e) => setFields({ ...fields, [f.key]: e.currentTarget.value })}
            error={fieldError(send.error, `fields.${f.key}`)}
          />
        ),
      )}
      <Attach files={files} onChange={setFiles} />
      <ErrorAlert error={send.error} />
      <Button type="submit" size="lg" loading={send.isPending} disabled={!chosen}>
        {t('send')}
      </Button>
    </Stack>
  );
}

function Attach({ files, onChange }: { files: File[]; onChange: (f: File[]) => void }) {
  const { t } = useTranslation('portal-service');
  return (
    <Stack gap={4}>
      <Button component="label" variant="default" size="md" leftSection={<IconCamera size={20} />}>
        {t('attach')}
        <input
          type="file"
          accept="image/jpeg,image/png,image/webp,image/heic,application/pdf"
          multiple
          hidden
          data-testid="attach"
          onChange={(e) => onChange([...files, ...Array.from(e.currentTarget.files ?? [])].slice(0, 10))}
        />
      </Button>
      {files.map((f, i) => (
        <Group key={i} justify="space-between" wrap="nowrap">
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{f.name}</Text>
          <Button variant="subtle" size="xs" onClick={() => onChange(files.filter((_, j) => j !== i))}>{t('remove')}</Button>
        </Group>
      ))}
    </Stack>
  );
}

function RequestView() {
  const { t } = useTranslation('portal-service');
  const { id } = useParams();
  const qc = useQueryClient();
  const key = ['portal', 'service', 'one', id];
  const r = useQuery({ queryKey: key, queryFn: () => api.get<Full>(`/portal/v1/service/requests/${id}`) });
  const [answer, setAnswer] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const done = (data: Full) => {
    qc.setQueryData(key, data);
    void qc.invalidateQueries({ queryKey: ['portal', 'service', 'list'] });
  };
  const comment = useMutation({
    mutationFn: () => {
      const form = new FormData();
      form.append('comment', JSON.stringify({ body: answer }));
      files.forEach((f, i) => form.append(`file${i}`, f, f.name));
      return api.post<Full>(`/portal/v1/service/requests/${id}/comments`, form);
    },
    onSuccess: (d) => {
      setAnswer('');
      setFiles([]);
      done(d);
    },
  });
  const move = useMutation({ mutationFn: (to: State) => api.post<Full>(`/portal/v1/service/requests/${id}/state`, { to }), onSuccess: done });
  if (r.isPending) return <SkeletonList rows={3} height={96} />;
  if (r.isError) return <ErrorAlert error={r.error} />;
  const req = r.data;
  return (
    <Stack>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Title order={1} size="h3" style={{ overflowWrap: 'anywhere' }}>
          #{req.number} {req.subject}
        </Title>
        <StateBadge state={req.state} />
      </Group>
      <Text size="sm" c="dimmed">
        {req.type.name}
        {req.assignee ? ` · ${t('handledBy', { name: req.assignee.name })}` : ''}
      </Text>
      {req.fields.length > 0 && (
        <Card withBorder padding="sm">
          {req.fields.map((f) => (
            <Text key={f.key} size="sm"><b>{f.label}:</b> {String(f.value)}</Text>
          ))}
        </Card>
      )}
      <Stack component="ol" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('conversation')}>
        {req.timeline.map((e) => (
          <TimelineItem key={e.id} e={e} />
        ))}
      </Stack>
      {req.quotes.filter((q) => q.status !== 'withdrawn').map((q) => (
        <QuoteCard key={q.id} requestId={req.id} quote={q} onDone={done} />
      ))}
      {req.canRate && <Rate id={req.id} onDone={done} />}
      {req.csat && (
        <Card withBorder padding="sm">
          <Text size="sm">{t('rated', { score: req.csat.score })}</Text>
        </Card>
      )}
      {req.state !== 'closed' && (
        <Stack component="form" gap="xs" onSubmit={(e) => { e.preventDefault(); comment.mutate(); }}>
          <Textarea label={t('reply')} value={answer} onChange={(e) => setAnswer(e.currentTarget.value)} autosize minRows={3} size="md" required />
          <Attach files={files} onChange={setFiles} />
          <ErrorAlert error={comment.error} />
          <Button type="submit" size="md" loading={comment.isPending}>{t('sendReply')}</Button>
        </Stack>
      )}
      <ErrorAlert error={move.error} />
      <Group grow>
        {req.nextStates.includes('closed') && (
          <Button variant="filled" color="teal.9" size="md" onClick={() => move.mutate('closed')} loading={move.isPending}>{t('confirmSolved')}</Button>
        )}
        {req.nextStates.includes('in_progress') && (req.state === 'resolved' || req.state === 'closed') && (
          <Button variant="default" size="md" onClick={() => move.mutate('in_progress')} loading={move.isPending}>{t('reopen')}</Button>
        )}
      </Group>
    </Stack>
  );
}

function TimelineItem({ e }: { e: Entry }) {
  const { t } = useTranslation('portal-service');
  if (e.kind === 'state') {
    return (
      <Text component="li" size="sm" c="dimmed" ta="center">
        {t('movedTo', { state: t(`state.${e.toState}`) })} · {formatDateTime(e.createdAt)}
        {e.body ? ` — ${e.body}` : ''}
      </Text>
    );
  }
  return (
    <Card component="li" withBorder padding="sm" bg={e.byStaff ? 'blue.0' : undefined} data-testid={e.byStaff ? 'staff-answer' : 'my-message'}>
      <Text size="xs" c="dimmed">
        {e.byStaff ? t('fromUs', { name: e.authorName ?? '' }) : e.authorName} · {formatDateTime(e.createdAt)}
      </Text>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{e.body}</Text>
      {e.attachments.length > 0 && (
        <SimpleGrid cols={3} spacing="xs" mt="xs">
          {e.attachments.map((f, i) =>
            f.contentType.startsWith('image/') ? (
              <Anchor key={f.id} href={f.url} target="_blank" rel="noopener">
                <Image src={f.url} alt={t('image', { n: i + 1 })} h={88} radius="sm" fit="cover" />
              </Anchor>
            ) : (
              <Anchor key={f.id} href={f.url} target="_blank" rel="noopener" size="sm">
                <Group gap={4} wrap="nowrap"><IconFileText size={18} aria-hidden />{f.fileName ?? t('file', { n: i + 1 })}</Group>
              </Anchor>
            ),
          )}
        </SimpleGrid>
      )}
    </Card>
  );
}

/** A special order's quote: accept (an order is made at once) or decline while it is open and not past its last day. */
function QuoteCard({ requestId, quote, onDone }: { requestId: string; quote: Quote; onDone: (d: Full) => void }) {
  const { t } = useTranslation('portal-service');
  const qc = useQueryClient();
  const decide = useMutation({
    mutationFn: (decision: 'accept' | 'decline') => api.post<Full>(`/portal/v1/service/requests/${requestId}/quotes/${quote.id}/decision`, { decision }),
    onSuccess: (d, decision) => {
      notifySuccess(decision === 'accept' ? t('quote.ordered') : t('quote.declinedDone'));
      onDone(d);
      void qc.invalidateQueries({ queryKey: ['portal'] });
    },
  });
  const open = quote.status === 'open' && !quote.expired;
  const lastDay = new Date(new Date(quote.validUntil).getTime() - 1);
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby={`quote-${quote.id}`} data-testid="quote">
      <Group justify="space-between" wrap="nowrap">
        <Text fw={700} id={`quote-${quote.id}`}>{t('quote.title')}</Text>
        <Badge variant="filled" color={quote.status === 'accepted' ? 'teal.9' : 'gray.8'} style={{ flexShrink: 0 }}>{quote.expired && quote.status === 'open' ? t('quote.expired') : t(`quote.status.${quote.status}`)}</Badge>
      </Group>
      <Text size="xl" fw={700} mt={4}>{quote.price}</Text>
      <Text size="sm">{t('quote.quantity', { quantity: quote.quantity })} · {t('quote.validUntil', { date: formatDate(lastDay) })}</Text>
      <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{quote.description}</Text>
      {quote.points === null && <Text size="xs" c="dimmed" mt={4}>{t('quote.invoiced')}</Text>}
      <ErrorAlert error={decide.error} />
      {open && (
        <Group grow mt="sm">
          <Button size="md" color="teal.9" onClick={() => decide.mutate('accept')} loading={decide.isPending && decide.variables === 'accept'}>{t('quote.accept')}</Button>
          <Button size="md" variant="default" onClick={() => decide.mutate('decline')} loading={decide.isPending && decide.variables === 'decline'}>{t('quote.decline')}</Button>
        </Group>
      )}
    </Card>
  );
}

function Rate({ id, onDone }: { id: string; onDone: (d: Full) => void }) {
  const { t } = useTranslation('portal-service');
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const send = useMutation({
    mutationFn: () => api.post<Full>(`/portal/v1/service/requests/${id}/csat`, { score, ...(comment.trim() && { comment: comment.trim() }) }),
    onSuccess: (d) => {
      notifySuccess(t('thanks'));
      onDone(d);
    },
  });
  return (
    <Card withBorder padding="sm" component="form" onSubmit={(e) => { e.preventDefault(); send.mutate(); }}>
      <Text fw={700} id="csat-question">{t('csatQuestion')}</Text>
      <Group gap={4} mt="xs" role="radiogroup" aria-labelledby="csat-question">
        {[1, 2, 3, 4, 5].map((n) => (
          <Button
            key={n}
            variant="subtle"
            size="lg"
            px={6}
            role="radio"
            aria-checked={score === n}
            aria-label={t('stars', { count: n })}
            onClick={() => setScore(n)}
          >
            {n <= score ? <IconStarFilled size={30} /> : <IconStar size={30} />}
          </Button>
        ))}
      </Group>
      <Textarea label={t('csatComment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} mt="xs" autosize minRows={2} />
      <ErrorAlert error={send.error} />
      <Button type="submit" mt="xs" disabled={score === 0} loading={send.isPending}>{t('sendRating')}</Button>
    </Card>
  );
}

function Article() {
  const { t } = useTranslation('portal-service');
  const { id } = useParams();
  const a = useQuery({ queryKey: ['portal', 'help', id], queryFn: () => api.get<{ id: string; title: string; body: string; category: string }>(`/portal/v1/help/articles/${id}`) });
  const [answered, setAnswered] = useState(false);
  const vote = useMutation({ mutationFn: (helpful: boolean) => api.post(`/portal/v1/help/articles/${id}/feedback`, { helpful }), onSuccess: () => setAnswered(true) });
  if (a.isPending) return <SkeletonList rows={2} height={120} />;
  if (a.isError) return <ErrorAlert error={a.error} />;
  return (
    <Stack>
      <Text size="sm" c="dimmed">{a.data.category}</Text>
      <Title order={1} size="h3">{a.data.title}</Title>
      <Text style={{ whiteSpace: 'pre-wrap' }}>{a.data.body}</Text>
      <Card withBorder padding="sm">
        {answered ? (
          <Text size="sm">{t('thanks')}</Text>
        ) : (
          <>
            <Text fw={700}>{t('didItHelp')}</Text>
            <Group mt="xs" grow>
              <Button variant="default" onClick={() => vote.mutate(true)}>{t('yes')}</Button>
              <Button variant="default" onClick={() => vote.mutate(false)}>{t('no')}</Button>
            </Group>
          </>
        )}
      </Card>
      <Button component={Link} to="../new" variant="subtle">{t('stillNeedHelp')}</Button>
    </Stack>
  );
}
