/**
 * Listening and knowledge in the console: surveys and quizzes authored in a form builder (questions of each
 * kind, options, texts per language with fallbacks marked, quiz answers marked correct), previewed in each
 * language, published as versions; results as charts and a table with the NPS interval; the answers as CSV;
 * the detractor follow-ups.
 */
import { useState } from 'react';
import { LineChart, BarChart } from '@mantine/charts';
import { Alert, Anchor, Badge, Button, Card, Group, Modal, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Switch, Table, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import '@mantine/charts/styles.css';
import { api, ApiError } from '../../../shared/api';
import { useStaff } from '../../session';
import { cleanQuestions, FormBuilder, formLanguages, FormPreview, shown, type FormLanguage, type Question } from './FormBuilder';
import { ErrorAlert, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatDateTime } from '../../../shared/format';

const languages = ['en', 'sv', 'nb', 'pl', 'de'] as const;

interface Form {
  id: string;
  title: Record<string, string>;
  questions: Question[];
  status: 'draft' | 'published' | 'closed';
  version: number | null;
  points: number;
  missingTexts: Record<string, number>;
  anonymous?: boolean;
  answers?: number;
  passPercent?: number;
}

interface Nps {
  n: number;
  nps: number | null;
  low: number | null;
  high: number | null;
  promoters: number;
  passives: number;
  detractors: number;
}
interface Group {
  key: string | null;
  answers: number;
  nps: Nps;
  csat: { n: number; share: number | null; mean: number | null };
  suppressed: boolean;
}
interface Results {
  answers: number;
  nps: Nps;
  csat: { n: number; share: number | null };
  groups: Group[];
  questions: Array<{ id: string; kind: string; text: string; answered: number; counts: Array<{ key: string; label: string; count: number }>; mean: number | null; texts: string[] }>;
}

/** What a new form starts with: an NPS question and its "why" for a survey, one choice for a quiz. */
const starter = (quiz: boolean): Question[] =>
  quiz
    ? [{ id: 'q1', kind: 'single', text: {}, required: true, options: [{ id: 'a', text: {} }, { id: 'b', text: {} }], correct: [] }]
    : [
        { id: 'recommend', kind: 'nps', text: {}, required: true },
        { id: 'why', kind: 'text', text: {}, required: false, maxLength: 2000 },
      ];

export default function Listen() {
  const { t } = useTranslation('console-listen');
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('title')}
      </Title>
      <Tabs defaultValue="surveys" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="surveys">{t('tabs.surveys')}</Tabs.Tab>
          <Tabs.Tab value="quizzes">{t('tabs.quizzes')}</Tabs.Tab>
          <Tabs.Tab value="followups">{t('tabs.followups')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="surveys" pt="md">
          <Forms kind="surveys" />
        </Tabs.Panel>
        <Tabs.Panel value="quizzes" pt="md">
          <Forms kind="quizzes" />
        </Tabs.Panel>
        <Tabs.Panel value="followups" pt="md">
          <Followups />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Forms({ kind }: { kind: 'surveys' | 'quizzes' }) {
  const { t } = useTranslation('console-listen');
  const list = useQuery({ queryKey: ['listen', kind], queryFn: () => api.get<{ data: Form[] }>(`/v1/${kind}`) });
  const [editing, setEditing] = useState<Form | 'new' | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const chosen = list.data?.data.find((f) => f.id === selected) ?? null;
  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed">{kind === 'surveys' ? t('surveys.lead') : t('quizzes.lead')}</Text>
        <Button onClick={() => setEditing('new')}>{kind === 'surveys' ? t('surveys.new') : t('quizzes.new')}</Button>
      </Group>
      <ErrorAlert error={list.error} />
      <Table striped highlightOnHover aria-label={t(`tabs.${kind}`)}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('col.title')}</Table.Th>
            <Table.Th>{t('col.status')}</Table.Th>
            <Table.Th>{t('col.version')}</Table.Th>
            <Table.Th>{t('col.points')}</Table.Th>
            {kind === 'surveys' && <Table.Th>{t('col.answers')}</Table.Th>}
            <Table.Th>{t('col.languages')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data?.data.map((f) => (
            <Table.Tr key={f.id} bg={f.id === selected ? 'var(--mantine-color-blue-light)' : undefined}>
              <Table.Td>
                <Anchor component="button" onClick={() => setSelected(f.id)}>
                  {f.title.en ?? Object.values(f.title)[0]}
                </Anchor>
                {f.anonymous && (
                  <Badge ml="xs" color="blue.9" variant="outline">
                    {t('anonymous')}
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{t(`status.${f.status}`)}</Table.Td>
              <Table.Td>{f.version ?? '—'}</Table.Td>
              <Table.Td>{f.points}</Table.Td>
              {kind === 'surveys' && <Table.Td>{f.answers}</Table.Td>}
              <Table.Td>
                <Group gap={4}>
                  {languages.map((l) => (
                    <Badge key={l} size="sm" color={f.missingTexts[l] ? 'red.9' : 'gray.8'} variant="outline" title={f.missingTexts[l] ? t('fallbackCount', { count: f.missingTexts[l] }) : t('complete')}>
                      {l}
                      {f.missingTexts[l] ? ` ${f.missingTexts[l]}` : ''}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {chosen && <Detail kind={kind} form={chosen} onEdit={() => setEditing(chosen)} />}
      {editing && <Editor kind={kind} form={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function Editor({ kind, form, onClose }: { kind: 'surveys' | 'quizzes'; form: Form | null; onClose: () => void }) {
  const { t } = useTranslation('console-listen');
  const qc = useQueryClient();
  const [title, setTitle] = useState<Record<string, string>>(form?.title ?? {});
  const quiz = kind === 'quizzes';
  const defaultLanguage = (useStaff().program.defaultLanguage ?? 'en') as FormLanguage;
  const [questions, setQuestions] = useState<Question[]>(form?.questions ?? starter(quiz));
  const [points, setPoints] = useState<number>(form?.points ?? 0);
  const [anonymous, setAnonymous] = useState(form?.anonymous ?? false);
  const [passPercent, setPassPercent] = useState<number>(form?.passPercent ?? 80);
  const [error, setError] = useState<unknown>(null);
  /** The server's first message about a question (its path starts with `questions.<n>`). */
  const errorAt = (path: string) => (error instanceof ApiError ? error.errors.find((e) => { const p = e.path.replace(/^body\./, ""); return p === path || p.startsWith(`${path}.`); })?.message : undefined);
  const save = async () => {
    setError(null);
    try {
      const body: Record<string, unknown> = {
        title: Object.fromEntries(Object.entries(title).filter(([, v]) => v.trim())),
        questions: cleanQuestions(questions, quiz),
        points,
        ...(kind === 'surveys' ? (form?.status === 'draft' || !form ? { anonymous } : {}) : { passPercent }),
      };
      if (form) await api.patch(`/v1/${kind}/${form.id}`, body);
      else await api.post(`/v1/${kind}`, body);
      notifySuccess(t('saved'));
      void qc.invalidateQueries({ queryKey: ['listen'] });
      onClose();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': t('cancel') }} size="100%" title={form ? t('edit') : kind === 'surveys' ? t('surveys.new') : t('quizzes.new')}>
      <Stack>
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          {formLanguages.map((l) => {
            const missing = !title[l]?.trim();
            const fallback = missing ? shown(title, l, defaultLanguage).text : '';
            return (
              <TextInput
                key={l}
                label={t('titleIn', { language: l })}
                description={missing && fallback ? t('fallsBackTo', { language: defaultLanguage }) : undefined}
                placeholder={fallback || undefined}
                value={title[l] ?? ''}
                onChange={(e) => setTitle({ ...title, [l]: e.currentTarget.value })}
              />
            );
          })}
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
          <FormBuilder quiz={quiz} questions={questions} onChange={setQuestions} defaultLanguage={defaultLanguage} errorAt={errorAt} />
          <div>
            <Title order={3} size="h4" mb="xs">
              {t('preview')}
            </Title>
            <FormPreview title={title} questions={questions} defaultLanguage={defaultLanguage} />
          </div>
        </SimpleGrid>
        <Group grow>
          <NumberInput label={t('col.points')} min={0} value={points} onChange={(v) => setPoints(Number(v) || 0)} />
          {kind === 'quizzes' && <NumberInput label={t('passPercent')} min={1} max={100} value={passPercent} onChange={(v) => setPassPercent(Number(v) || 80)} />}
        </Group>
        {kind === 'surveys' && <Switch label={t('anonymousSwitch')} checked={anonymous} disabled={!!form && form.status !== 'draft'} onChange={(e) => setAnonymous(e.currentTarget.checked)} />}
        {form?.status === 'published' && <Alert color="blue">{t('newVersionNote')}</Alert>}
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button onClick={() => void save()}>{t('save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function Detail({ kind, form, onEdit }: { kind: 'surveys' | 'quizzes'; form: Form; onEdit: () => void }) {
  const { t } = useTranslation('console-listen');
  const qc = useQueryClient();
  const [language, setLanguage] = useState<string>('en');
  const preview = useQuery({ queryKey: ['listen', kind, form.id, 'preview', language, form.version, form.questions], queryFn: () => api.get<{ title: string; questions: Array<{ id: string; text: string; fallback: boolean; kind: string; options?: Array<{ id: string; text: string }> }> }>(`/v1/${kind}/${form.id}/preview?language=${language}`) });
  const act = async (verb: 'publish' | 'close') => {
    try {
      await api.post(`/v1/${kind}/${form.id}/${verb}`);
      notifySuccess(t(`done.${verb}`));
      void qc.invalidateQueries({ queryKey: ['listen'] });
    } catch (e) {
      notifyError(e);
    }
  };
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Title order={2} size="h3">
          {form.title.en ?? Object.values(form.title)[0]}
        </Title>
        <Group>
          {form.status !== 'closed' && (
            <Button variant="default" onClick={onEdit}>
              {t('edit')}
            </Button>
          )}
          {form.status === 'draft' && <Button onClick={() => void act('publish')}>{t('publish')}</Button>}
          {form.status === 'published' && (
            <Button color="red" variant="light" onClick={() => void act('close')}>
              {t('close')}
            </Button>
          )}
          {kind === 'surveys' && (
            <Button component="a" variant="light" href={`/v1/surveys/${form.id}/answers.csv`} download>
              {t('csv')}
            </Button>
          )}
        </Group>
      </Group>
      <Title order={3} size="h4" mt="md">
        {t('preview')}
      </Title>
      <SegmentedControl mt="xs" value={language} onChange={setLanguage} data={languages.map((l) => ({ value: l, label: l }))} aria-label={t('previewLanguage')} />
      <Stack gap={6} mt="sm">
        {preview.data?.questions.map((q) => (
          <Text key={q.id}>
            {q.text}{' '}
            {q.fallback && (
              <Badge color="orange.9" variant="outline">
                {t('fallback')}
              </Badge>
            )}
            {q.options && (
              <Text span c="dimmed" size="sm">
                {' '}
                ({q.options.map((o) => o.text).join(' · ')})
              </Text>
            )}
          </Text>
        ))}
      </Stack>
      {kind === 'surveys' ? <SurveyResults id={form.id} /> : <QuizStats id={form.id} />}
    </Card>
  );
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : String(v));

function SurveyResults({ id }: { id: string }) {
  const { t } = useTranslation('console-listen');
  const [by, setBy] = useState<string>('period');
  const [period, setPeriod] = useState<string>('month');
  const r = useQuery({ queryKey: ['listen', 'results', id, by, period], queryFn: () => api.get<Results>(`/v1/surveys/${id}/results?by=${by}&period=${period}`) });
  const d = r.data;
  return (
    <Stack mt="lg">
      <Title order={3} size="h4">
        {t('results')}
      </Title>
      <ErrorAlert error={r.error} />
      {d && (
        <Group>
          <Card withBorder>
            <Text size="sm" c="dimmed">
              {t('nps')}
            </Text>
            <Text fz={28} fw={800}>
              {fmt(d.nps.nps)}
            </Text>
            <Text size="sm">{d.nps.low !== null ? t('ci', { low: d.nps.low, high: d.nps.high }) : t('tooFew')}</Text>
          </Card>
          <Card withBorder>
            <Text size="sm" c="dimmed">
              {t('csat')}
            </Text>
            <Text fz={28} fw={800}>
              {d.csat.share === null ? '—' : `${d.csat.share} %`}
            </Text>
            <Text size="sm">{t('answersCount', { count: d.answers })}</Text>
          </Card>
        </Group>
      )}
      <Group>
        <Select label={t('groupBy')} value={by} onChange={(v) => setBy(v ?? 'period')} data={['period', 'tier', 'role', 'segment'].map((v) => ({ value: v, label: t(`by.${v}`) }))} allowDeselect={false} />
        {by === 'period' && <Select label={t('periodLabel')} value={period} onChange={(v) => setPeriod(v ?? 'month')} data={['week', 'month', 'quarter', 'year'].map((v) => ({ value: v, label: t(`period.${v}`) }))} allowDeselect={false} />}
      </Group>
      {d && by === 'period' && d.groups.length > 1 && (
        <LineChart
          h={240}
          data={d.groups.map((g) => ({ key: g.key ?? '', nps: g.nps.nps, low: g.nps.low, high: g.nps.high }))}
          dataKey="key"
          yAxisProps={{ domain: [-100, 100] }}
          connectNulls
          aria-label={t('trend')}
          series={[
            { name: 'nps', label: t('nps'), color: 'blue.7' },
            { name: 'low', label: t('low'), color: 'gray.5', strokeDasharray: '4 4' },
            { name: 'high', label: t('high'), color: 'gray.5', strokeDasharray: '4 4' },
          ]}
        />
      )}
      {d && by !== 'period' && d.groups.some((g) => !g.suppressed) && (
        <BarChart h={220} data={d.groups.filter((g) => !g.suppressed).map((g) => ({ key: g.key ?? t('none'), nps: g.nps.nps }))} dataKey="key" series={[{ name: 'nps', label: t('nps'), color: 'teal.7' }]} aria-label={t('byGroup')} />
      )}
      {d && (
        <Table aria-label={t('resultsTable')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t(`by.${by}`)}</Table.Th>
              <Table.Th>{t('col.answers')}</Table.Th>
              <Table.Th>{t('nps')}</Table.Th>
              <Table.Th>{t('ciShort')}</Table.Th>
              <Table.Th>{t('mix')}</Table.Th>
              <Table.Th>{t('csat')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d.groups.map((g) => (
              <Table.Tr key={g.key ?? '-'}>
                <Table.Td>{g.key ?? t('none')}</Table.Td>
                <Table.Td>{g.answers}</Table.Td>
                <Table.Td>{g.suppressed ? t('suppressed') : fmt(g.nps.nps)}</Table.Td>
                <Table.Td>{g.nps.low === null ? '—' : `${g.nps.low} … ${g.nps.high}`}</Table.Td>
                <Table.Td>{g.suppressed ? '—' : `${g.nps.promoters} / ${g.nps.passives} / ${g.nps.detractors}`}</Table.Td>
                <Table.Td>{g.csat.share === null ? '—' : `${g.csat.share} %`}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {d?.questions
        .filter((q) => q.kind === 'text' && q.texts.length)
        .map((q) => (
          <Stack key={q.id} gap={4}>
            <Text fw={600}>{q.text}</Text>
            {q.texts.slice(0, 10).map((x, i) => (
              <Text key={i} size="sm">
                “{x}”
              </Text>
            ))}
          </Stack>
        ))}
    </Stack>
  );
}

interface Stats {
  attempts: number;
  members: number;
  passed: number;
  passRate: number | null;
  questions: Array<{ id: string; text: string; shown: number; correct: number; correctShare: number | null; options: Array<{ id: string; text: string; picked: number; correct: boolean }> }>;
}

function QuizStats({ id }: { id: string }) {
  const { t } = useTranslation('console-listen');
  const s = useQuery({ queryKey: ['listen', 'stats', id], queryFn: () => api.get<Stats>(`/v1/quizzes/${id}/stats`) });
  if (!s.data) return <ErrorAlert error={s.error} />;
  return (
    <Stack mt="lg">
      <Title order={3} size="h4">
        {t('stats')}
      </Title>
      <Text>{t('statsLine', { attempts: s.data.attempts, members: s.data.members, passed: s.data.passed, rate: fmt(s.data.passRate) })}</Text>
      <Table aria-label={t('stats')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('question')}</Table.Th>
            <Table.Th>{t('shown')}</Table.Th>
            <Table.Th>{t('correctShare')}</Table.Th>
            <Table.Th>{t('picks')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {s.data.questions.map((q) => (
            <Table.Tr key={q.id}>
              <Table.Td>{q.text}</Table.Td>
              <Table.Td>{q.shown}</Table.Td>
              <Table.Td>{q.correctShare === null ? '—' : `${q.correctShare} %`}</Table.Td>
              <Table.Td>{q.options.map((o) => `${o.correct ? '✓ ' : ''}${o.text}: ${o.picked}`).join(' · ')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

interface Followup {
  id: string;
  accountName: string | null;
  memberName: string | null;
  score: number;
  comment: string | null;
  assignee: string | null;
  status: string;
  createdAt: string;
}

function Followups() {
  const { t } = useTranslation('console-listen');
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['listen', 'followups'], queryFn: () => api.get<{ data: Followup[] }>('/v1/survey-followups?status=open') });
  const [closing, setClosing] = useState<Followup | null>(null);
  const [note, setNote] = useState('');
  const close = async () => {
    try {
      await api.post(`/v1/survey-followups/${closing!.id}/close`, { note: note.trim() || undefined });
      notifySuccess(t('followupClosed'));
      setClosing(null);
      setNote('');
      void qc.invalidateQueries({ queryKey: ['listen', 'followups'] });
    } catch (e) {
      notifyError(e);
    }
  };
  return (
    <Stack>
      <Text c="dimmed">{t('followupsLead')}</Text>
      <ErrorAlert error={list.error} />
      {list.data?.data.length === 0 && <Text>{t('noFollowups')}</Text>}
      <Table aria-label={t('tabs.followups')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('when')}</Table.Th>
            <Table.Th>{t('account')}</Table.Th>
            <Table.Th>{t('score')}</Table.Th>
            <Table.Th>{t('comment')}</Table.Th>
            <Table.Th>{t('assignee')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data?.data.map((f) => (
            <Table.Tr key={f.id}>
              <Table.Td>{formatDateTime(f.createdAt)}</Table.Td>
              <Table.Td>
                {f.accountName} · {f.memberName}
              </Table.Td>
              <Table.Td>
                <Badge color="red.9">{f.score}</Badge>
              </Table.Td>
              <Table.Td>{f.comment ?? '—'}</Table.Td>
              <Table.Td>{f.assignee ?? '—'}</Table.Td>
              <Table.Td>
                <Button size="xs" onClick={() => setClosing(f)}>
                  {t('closeFollowup')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={!!closing} onClose={() => setClosing(null)} closeButtonProps={{ 'aria-label': t('cancel') }} title={t('closeFollowup')}>
        <Stack>
          <Textarea label={t('note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={3} />
          <Button onClick={() => void close()}>{t('closeFollowup')}</Button>
        </Stack>
      </Modal>
    </Stack>
  );
}
