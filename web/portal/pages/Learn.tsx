/**
 * "Do and learn": the surveys and quizzes open to me, with the points each gives, and taking them one question
 * per screen with big answer buttons within a thumb's reach. Answers are kept on the phone as they are given,
 * so a dropped connection (or a closed tab) resumes where it stopped. A survey's answers so far are also saved
 * on the server as each question is answered (offline: queued and retried when the connection is back), so
 * another device resumes there too; a quiz attempt lives on the server.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Badge, Button, Card, Checkbox, Group, Progress, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, ApiError } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatDateTime } from '../../shared/format';
import { Empty, PageTitle, SkeletonList } from '../parts/ui';

interface SurveyCard {
  id: string;
  kind: 'survey';
  title: string;
  points: number;
  questions: number;
  anonymous: boolean;
  closesAt: string | null;
  answered: boolean;
}
interface QuizCard {
  id: string;
  kind: 'quiz';
  title: string;
  points: number;
  questions: number;
  passPercent: number;
  attemptsLeft: number | null;
  passed: boolean;
  retryAt: string | null;
  openAttemptId: string | null;
}
interface Question {
  id: string;
  kind: 'nps' | 'csat' | 'single' | 'multiple' | 'rating' | 'text';
  text: string;
  required: boolean;
  options?: Array<{ id: string; text: string }>;
  min?: number;
  max?: number;
  maxLength?: number;
}
type Value = number | string | string[];
type Answers = Record<string, Value>;

interface Progress {
  answers: Answers;
  step: number;
  /** When it was answered on this phone (ms); a newer draft on the server (another device) wins. */
  at?: number;
  /** Not yet on the server: sent again when the connection is back. */
  unsynced?: boolean;
}

/** What a member has answered so far, kept on the phone until the server has it. */
function useSaved(key: string) {
  const read = (k: string): { key: string } & Progress => {
    try {
      return { key: k, ...(JSON.parse(localStorage.getItem(k) ?? '') as Progress) };
    } catch {
      return { key: k, answers: {}, step: 0 };
    }
  };
  const [stored, setState] = useState(() => read(key));
  // Read in the same render when the key changes (the survey's version arrives), so nothing flashes first.
  const state = stored.key === key ? stored : read(key);
  const save = (next: Progress) => {
    setState({ key, ...next });
    try {
      localStorage.setItem(key, JSON.stringify(next));
    } catch {
      // A private window without storage still works; it just cannot resume.
    }
  };
  const clear = () => localStorage.removeItem(key);
  return { answers: state.answers, step: state.step, at: state.at, unsynced: state.unsynced, save, clear };
}

type Sync = 'idle' | 'saving' | 'saved' | 'offline';

/**
 * Keeps the server's draft of a survey in step with the phone: the latest answers are sent (PUT, replacing the
 * draft, so a retry is harmless); only the newest state waits, earlier ones are dropped. Without a connection
 * it retries with a growing pause and at once when the browser is back online; a reload picks up an unsent
 * state from the phone's storage. A refusal (the survey was answered, closed or changed) is not retried.
 */
function useDraftSync(surveyId: string, version: number | undefined, saved: ReturnType<typeof useSaved>) {
  const [sync, setSync] = useState<Sync>('idle');
  const waiting = useRef<Progress | null>(null);
  const busy = useRef(false);
  const pause = useRef(1000);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(saved);
  latest.current = saved;

  const flush = useCallback(async (): Promise<void> => {
    if (busy.current || !waiting.current || version === undefined) return;
    busy.current = true;
    const sending = waiting.current;
    setSync('saving');
    try {
      await api.put(`/portal/v1/surveys/${surveyId}/draft`, { version, answers: sending.answers, step: sending.step });
      pause.current = 1000;
      if (waiting.current === sending) {
        waiting.current = null;
        // Mark the phone's copy as on the server, unless a newer answer was given meanwhile.
        const now = latest.current;
        if (now.at === sending.at) now.save({ answers: now.answers, step: now.step, at: now.at, unsynced: false });
      }
      setSync('saved');
    } catch (e) {
      if (e instanceof ApiError && e.code === 'network_error') {
        setSync('offline');
        clearTimeout(timer.current);
        timer.current = setTimeout(() => {
          timer.current = undefined;
          void flush();
        }, pause.current);
        pause.current = Math.min(pause.current * 2, 30_000);
      } else {
        waiting.current = null;
        setSync('idle');
      }
    } finally {
      busy.current = false;
    }
    if (waiting.current && waiting.current !== sending && !timer.current) void flush();
  }, [surveyId, version]);

  useEffect(() => {
    const online = () => {
      clearTimeout(timer.current);
      timer.current = undefined;
      pause.current = 1000;
      void flush();
    };
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      clearTimeout(timer.current);
    };
  }, [flush]);

  const push = useCallback(
    (p: Progress) => {
      waiting.current = p;
      clearTimeout(timer.current);
      timer.current = undefined;
      void flush();
    },
    [flush],
  );
  return { sync, push };
}

export default function Learn() {
  const { t } = useTranslation('portal-learn');
  const [params, setParams] = useSearchParams();
  const learn = useQuery({ queryKey: ['portal', 'learn'], queryFn: () => api.get<{ surveys: SurveyCard[]; quizzes: QuizCard[] }>('/portal/v1/learn') });
  const survey = params.get('survey');
  const quiz = params.get('quiz');
  const close = () => setParams({});
  if (survey) return <TakeSurvey id={survey} onDone={close} />;
  if (quiz) return <TakeQuiz id={quiz} onDone={close} />;
  const items = [...(learn.data?.surveys ?? []), ...(learn.data?.quizzes ?? [])];
  return (
    <Stack>
      <PageTitle>{t('title')}</PageTitle>
      <ErrorAlert error={learn.error} />
      {learn.isPending ? (
        <SkeletonList />
      ) : items.length === 0 ? (
        <Empty>{t('nothing')}</Empty>
      ) : (
        items.map((item) => (
          <Card key={item.id} withBorder padding="lg" component="article" aria-label={item.title}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div>
                <Text size="xs" c="dimmed" tt="uppercase">
                  {item.kind === 'survey' ? t('kind.survey') : t('kind.quiz')}
                </Text>
                <Title order={2} size="h4">
                  {item.title}
                </Title>
              </div>
              {item.points > 0 && <Badge size="lg" color="teal">{t('points', { count: item.points })}</Badge>}
            </Group>
            <Text size="sm" mt={4}>
              {t('questions', { count: item.questions })}
              {item.kind === 'survey' && item.anonymous ? ` · ${t('anonymous')}` : ''}
              {item.kind === 'quiz' ? ` · ${t('passMark', { percent: item.passPercent })}` : ''}
            </Text>
            {item.kind === 'quiz' && item.attemptsLeft !== null && <Text size="sm">{t('attemptsLeft', { count: item.attemptsLeft })}</Text>}
            {item.kind === 'quiz' && item.retryAt && <Text size="sm">{t('retryAt', { at: formatDateTime(item.retryAt) })}</Text>}
            {item.kind === 'survey' && item.answered ? (
              <Badge mt="sm" color="gray" variant="light">
                {t('answered')}
              </Badge>
            ) : item.kind === 'quiz' && (item.attemptsLeft === 0 || item.retryAt) ? (
              item.passed && <Badge mt="sm" color="green">{t('passed')}</Badge>
            ) : (
              <Button mt="md" size="lg" fullWidth onClick={() => setParams({ [item.kind]: item.id })}>
                {item.kind === 'survey' ? t('start') : item.passed ? t('practise') : item.openAttemptId ? t('resume') : t('start')}
              </Button>
            )}
          </Card>
        ))
      )}
    </Stack>
  );
}

/** One question's answer controls, sized for a thumb. */
function AnswerInput({ q, value, onChange }: { q: Question; value: Value | undefined; onChange: (v: Value | undefined) => void }) {
  const { t } = useTranslation('portal-learn');
  if (q.kind === 'nps' || q.kind === 'csat' || q.kind === 'rating') {
    const values = Array.from({ length: q.max! - q.min! + 1 }, (_, i) => q.min! + i);
    return (
      <Stack gap={4}>
        <SimpleGrid cols={values.length > 6 ? 4 : values.length} spacing={8} role="radiogroup" aria-label={q.text}>
          {values.map((v) => (
            <Button key={v} size="lg" h={52} variant={value === v ? 'filled' : 'default'} role="radio" aria-checked={value === v} onClick={() => onChange(v)}>
              {v}
            </Button>
          ))}
        </SimpleGrid>
        <Group justify="space-between">
          <Text size="xs">{q.kind === 'nps' ? t('scale.npsLow') : t('scale.low')}</Text>
          <Text size="xs">{q.kind === 'nps' ? t('scale.npsHigh') : t('scale.high')}</Text>
        </Group>
      </Stack>
    );
  }
  if (q.kind === 'single') {
    return (
      <Stack gap={8} role="radiogroup" aria-label={q.text}>
        {q.options!.map((o) => (
          <Button key={o.id} size="lg" justify="flex-start" variant={value === o.id ? 'filled' : 'default'} role="radio" aria-checked={value === o.id} onClick={() => onChange(o.id)}>
            {o.text}
          </Button>
        ))}
      </Stack>
    );
  }
  if (q.kind === 'multiple') {
    const picked = Array.isArray(value) ? value : [];
    return (
      <Checkbox.Group value={picked} onChange={(v) => onChange(v)} label={t('pickAll')}>
        <Stack gap={12} mt="xs">
          {q.options!.map((o) => (
            <Checkbox key={o.id} value={o.id} label={o.text} size="lg" />
          ))}
        </Stack>
      </Checkbox.Group>
    );
  }
  return <Textarea aria-label={q.text} autosize minRows={4} maxLength={q.maxLength} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)} />;
}

const answered = (v: Value | undefined) => v !== undefined && !(typeof v === 'string' && v.trim() === '') && !(Array.isArray(v) && v.length === 0);

/** The questions one per screen, the buttons at the bottom; `onSubmit` sends when the last one is done. */
function Stepper({
  title,
  questions,
  saved,
  onSubmit,
  sending,
  error,
  onProgress,
  sync = 'idle',
}: {
  title: string;
  questions: Question[];
  saved: ReturnType<typeof useSaved>;
  onSubmit: (a: Answers) => void;
  sending: boolean;
  error: unknown;
  /** Called with each new state (an answer given, a step taken), e.g. to save it on the server. */
  onProgress?: (p: Progress) => void;
  sync?: Sync;
}) {
  const { t } = useTranslation('portal-learn');
  const step = Math.min(saved.step, questions.length - 1);
  const q = questions[step]!;
  const last = step === questions.length - 1;
  const move = (answers: Answers, to: number) => {
    const next: Progress = { answers, step: to, at: Date.now(), unsynced: onProgress !== undefined };
    saved.save(next);
    onProgress?.(next);
  };
  const set = (v: Value | undefined) => {
    const answers = { ...saved.answers };
    if (v === undefined) delete answers[q.id];
    else answers[q.id] = v;
    move(answers, step);
  };
  const offline = error instanceof ApiError && error.code === 'network_error';
  return (
    <Stack>
      <PageTitle>{title}</PageTitle>
      <Progress value={((step + 1) / questions.length) * 100} aria-label={t('progress', { n: step + 1, of: questions.length })} />
      <Text size="sm" c="dimmed">
        {t('progress', { n: step + 1, of: questions.length })}
      </Text>
      <Title order={2} size="h4" id={`q-${q.id}`}>
        {q.text}
        {!q.required && (
          <Text span size="sm" c="dimmed">
            {' '}
            ({t('optional')})
          </Text>
        )}
      </Title>
      <AnswerInput q={q} value={saved.answers[q.id]} onChange={set} />
      {offline ? <Alert color="yellow">{t('offline')}</Alert> : <ErrorAlert error={error} />}
      {sync !== 'idle' && (
        <Text size="sm" c="dimmed" role="status" data-testid="draft-sync">
          {t(`draft.${sync}`)}
        </Text>
      )}
      <Group grow mt="md">
        <Button size="lg" variant="default" disabled={step === 0} onClick={() => move(saved.answers, step - 1)}>
          {t('back')}
        </Button>
        {last ? (
          <Button size="lg" loading={sending} disabled={q.required && !answered(saved.answers[q.id])} onClick={() => onSubmit(saved.answers)}>
            {t('send')}
          </Button>
        ) : (
          <Button size="lg" disabled={q.required && !answered(saved.answers[q.id])} onClick={() => move(saved.answers, step + 1)}>
            {t('next')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function Done({ title, text, onDone }: { title: string; text: string; onDone: () => void }) {
  const { t } = useTranslation('portal-learn');
  return (
    <Stack>
      <PageTitle>{title}</PageTitle>
      <Alert color="green" role="status">
        {text}
      </Alert>
      <Button size="lg" onClick={onDone}>
        {t('backToList')}
      </Button>
    </Stack>
  );
}

function TakeSurvey({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useTranslation('portal-learn');
  const qc = useQueryClient();
  const survey = useQuery({ queryKey: ['portal', 'survey', id], queryFn: () => api.get<{ title: string; intro: string; anonymous: boolean; version: number; answered: boolean; questions: Question[] }>(`/portal/v1/surveys/${id}`) });
  const saved = useSaved(`lojal.survey.${id}.v${survey.data?.version ?? 0}`);
  const takeable = survey.data !== undefined && !survey.data.answered;
  // The server's draft: where another device (or this one, before the phone's storage was cleared) stopped.
  const draft = useQuery({
    queryKey: ['portal', 'survey-draft', id],
    queryFn: () => api.get<{ draft: (Progress & { version: number; updatedAt: string }) | null }>(`/portal/v1/surveys/${id}/draft`),
    enabled: takeable,
    staleTime: Infinity,
    retry: false,
  });
  const { sync, push } = useDraftSync(id, survey.data?.version, saved);
  const [merged, setMerged] = useState(false);
  useEffect(() => {
    if (merged || !takeable || draft.isPending) return;
    setMerged(true);
    const server = draft.data?.draft;
    if (saved.unsynced) push({ answers: saved.answers, step: saved.step, at: saved.at });
    else if (server && server.version === survey.data?.version && Date.parse(server.updatedAt) > (saved.at ?? 0)) {
      saved.save({ answers: server.answers, step: server.step, at: Date.parse(server.updatedAt), unsynced: false });
    }
  }, [merged, takeable, draft.isPending, draft.data, saved, push, survey.data?.version]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [points, setPoints] = useState<number | null>(null);
  if (survey.isPending || (takeable && !merged)) return <SkeletonList />;
  if (survey.isError) return <ErrorAlert error={survey.error} />;
  const s = survey.data;
  if (points !== null) return <Done title={s.title} text={points > 0 ? t('thanksPoints', { count: points }) : t('thanks')} onDone={onDone} />;
  if (s.answered) return <Done title={s.title} text={t('answered')} onDone={onDone} />;
  const submit = async (answers: Answers) => {
    setSending(true);
    setError(null);
    try {
      const r = await api.post<{ points: number }>(`/portal/v1/surveys/${id}/answers`, { answers, version: s.version });
      saved.clear();
      setPoints(r.points);
      void qc.invalidateQueries({ queryKey: ['portal'] });
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  };
  return (
    <Stack>
      {saved.step === 0 && Object.keys(saved.answers).length === 0 && (s.intro || s.anonymous) && (
        <Text size="sm">
          {s.intro} {s.anonymous ? t('anonymousPromise') : ''}
        </Text>
      )}
      <Stepper title={s.title} questions={s.questions} saved={saved} onSubmit={submit} sending={sending} error={error} onProgress={push} sync={sync} />
    </Stack>
  );
}

interface Attempt {
  id: string;
  questions: Question[];
}
interface Result {
  score: number;
  total: number;
  passed: boolean;
  passPercent: number;
  firstPass: boolean;
  points: number;
  results: Array<{ id: string; correct: boolean; correctOptions: string[] }>;
}

function TakeQuiz({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useTranslation('portal-learn');
  const qc = useQueryClient();
  const quiz = useQuery({ queryKey: ['portal', 'quiz', id], queryFn: () => api.get<{ title: string }>(`/portal/v1/quizzes/${id}`) });
  // Starting is idempotent: the server answers my open attempt, so a reload resumes the same questions.
  const attempt = useQuery({ queryKey: ['portal', 'quiz-attempt', id], queryFn: () => api.post<Attempt>(`/portal/v1/quizzes/${id}/attempts`, {}), staleTime: Infinity, retry: false });
  const saved = useSaved(`lojal.quiz.${attempt.data?.id ?? 'none'}`);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<Result | null>(null);
  if (quiz.isPending || attempt.isPending) return <SkeletonList />;
  if (quiz.isError || attempt.isError) {
    return (
      <Stack>
        <ErrorAlert error={quiz.error ?? attempt.error} />
        <Button size="lg" onClick={onDone}>
          {t('backToList')}
        </Button>
      </Stack>
    );
  }
  const a = attempt.data;
  if (result) {
    return (
      <Stack>
        <Done
          title={quiz.data.title}
          text={
            result.passed
              ? result.points > 0
                ? t('quizPassedPoints', { score: result.score, total: result.total, count: result.points })
                : t('quizPassed', { score: result.score, total: result.total })
              : t('quizFailed', { score: result.score, total: result.total, percent: result.passPercent })
          }
          onDone={() => {
            void qc.invalidateQueries({ queryKey: ['portal'] });
            onDone();
          }}
        />
        {a.questions.map((q) => {
          const r = result.results.find((x) => x.id === q.id);
          return (
            <Card key={q.id} withBorder>
              <Text fw={600}>{q.text}</Text>
              <Text size="sm" fw={600}>
                {r?.correct ? `✓ ${t('right')}` : `✗ ${t('wrong', { answer: q.options?.filter((o) => r?.correctOptions.includes(o.id)).map((o) => o.text).join(', ') })}`}
              </Text>
            </Card>
          );
        })}
      </Stack>
    );
  }
  const submit = async (answers: Answers) => {
    setSending(true);
    setError(null);
    try {
      const r = await api.post<Result>(`/portal/v1/quiz-attempts/${a.id}/submit`, { answers });
      saved.clear();
      qc.removeQueries({ queryKey: ['portal', 'quiz-attempt', id] });
      setResult(r);
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  };
  return <Stepper title={quiz.data.title} questions={a.questions} saved={saved} onSubmit={submit} sending={sending} error={error} />;
}
