/**
 * The form builder of the question engine, for surveys and quizzes: questions of each kind added, removed and
 * moved, their options, texts written one language at a time (a missing text shows the program's default one
 * greyed out, marked "falls back"), quiz questions with their correct options marked, and a preview in any
 * language as a member would see it. What it edits is the API's `questions` array; the server checks it again.
 */
import { ActionIcon, Badge, Button, Card, Checkbox, Group, NumberInput, Radio, SegmentedControl, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export const formLanguages = ['en', 'sv', 'nb', 'pl', 'de'] as const;
export type FormLanguage = (typeof formLanguages)[number];
export type Texts = Partial<Record<FormLanguage, string>>;
export type QuestionKind = 'nps' | 'csat' | 'single' | 'multiple' | 'rating' | 'text';

export interface Option {
  id: string;
  text: Texts;
}
export interface Question {
  id: string;
  kind: QuestionKind;
  text: Texts;
  required?: boolean;
  options?: Option[];
  correct?: string[];
  min?: number;
  max?: number;
  maxLength?: number;
}

const surveyKinds: QuestionKind[] = ['nps', 'csat', 'single', 'multiple', 'rating', 'text'];
/** A quiz is scored, so only questions with correct options belong in it. */
const quizKinds: QuestionKind[] = ['single', 'multiple'];

/** The text shown for a language: its own, else the program's default, else the first written. */
export function shown(texts: Texts, language: FormLanguage, fallback: FormLanguage): { text: string; fallback: boolean } {
  if (texts[language]?.trim()) return { text: texts[language]!, fallback: false };
  for (const l of [fallback, ...formLanguages]) if (texts[l]?.trim()) return { text: texts[l]!, fallback: true };
  return { text: '', fallback: true };
}

/** Every text of the form (titles of questions and options) missing in a language. */
export function missingCount(questions: Question[], language: FormLanguage): number {
  let n = 0;
  for (const q of questions) {
    if (!q.text[language]?.trim()) n++;
    for (const o of q.options ?? []) if (!o.text[language]?.trim()) n++;
  }
  return n;
}

const freeId = (taken: string[], prefix: string) => {
  for (let i = 1; ; i++) if (!taken.includes(`${prefix}${i}`)) return `${prefix}${i}`;
};
const optionIds = 'abcdefghijklmnopqrst'.split('');

export function newQuestion(kind: QuestionKind, taken: string[], quiz: boolean): Question {
  const id = freeId(taken, 'q');
  const base: Question = { id, kind, text: {}, required: true };
  if (kind === 'single' || kind === 'multiple') return { ...base, options: [{ id: 'a', text: {} }, { id: 'b', text: {} }], ...(quiz && { correct: [] }) };
  if (kind === 'rating') return { ...base, min: 1, max: 5 };
  if (kind === 'text') return { ...base, required: false, maxLength: 2000 };
  return base;
}

/** Drops what a kind does not have (options of a question that became a score, and so on). */
function changeKind(q: Question, kind: QuestionKind, quiz: boolean): Question {
  const fresh = newQuestion(kind, [], quiz);
  const keepOptions = (kind === 'single' || kind === 'multiple') && q.options;
  return {
    ...fresh,
    id: q.id,
    text: q.text,
    ...(keepOptions && { options: q.options, ...(quiz && { correct: kind === 'single' ? (q.correct ?? []).slice(0, 1) : (q.correct ?? []) }) }),
  };
}

/** What the API takes: empty texts left out, fields of the kind only. */
export function cleanQuestions(questions: Question[], quiz: boolean): Question[] {
  const clean = (t: Texts): Texts => Object.fromEntries(Object.entries(t).filter(([, v]) => v && v.trim())) as Texts;
  return questions.map((q) => {
    const out: Question = { id: q.id, kind: q.kind, text: clean(q.text), required: q.required ?? true };
    if (q.kind === 'single' || q.kind === 'multiple') {
      out.options = (q.options ?? []).map((o) => ({ id: o.id, text: clean(o.text) }));
      if (quiz) out.correct = q.correct ?? [];
    }
    if (q.kind === 'rating') Object.assign(out, { min: q.min ?? 1, max: q.max ?? 5 });
    if (q.kind === 'text') out.maxLength = q.maxLength ?? 2000;
    return out;
  });
}

interface BuilderProps {
  quiz: boolean;
  questions: Question[];
  onChange: (questions: Question[]) => void;
  defaultLanguage: FormLanguage;
  /** Server field errors by path (`questions.0.text`), shown at the question they name. */
  errorAt?: (path: string) => string | undefined;
}

export function FormBuilder({ quiz, questions, onChange, defaultLanguage, errorAt }: BuilderProps) {
  const { t } = useTranslation('console-listen');
  const [language, setLanguage] = useState<FormLanguage>(defaultLanguage);
  const [adding, setAdding] = useState<QuestionKind>(quiz ? 'single' : 'nps');
  const kinds = quiz ? quizKinds : surveyKinds;
  const set = (i: number, q: Question) => onChange(questions.map((x, j) => (j === i ? q : x)));
  const move = (i: number, by: number) => {
    const next = [...questions];
    const [q] = next.splice(i, 1);
    next.splice(i + by, 0, q!);
    onChange(next);
  };
  return (
    <Stack gap="sm" data-testid="form-builder">
      <Group gap="sm" align="center">
        <Text size="sm" fw={600} id="builder-language">
          {t('builder.writing')}
        </Text>
        <SegmentedControl
          aria-labelledby="builder-language"
          value={language}
          onChange={(v) => setLanguage(v as FormLanguage)}
          data={formLanguages.map((l) => {
            const n = missingCount(questions, l);
            return { value: l, label: n ? `${l.toUpperCase()} ⚠ ${n}` : l.toUpperCase() };
          })}
        />
      </Group>
      {language !== defaultLanguage && missingCount(questions, language) > 0 && (
        <Text size="sm" c="red.9">
          {t('builder.fallbackNote', { language: defaultLanguage })}
        </Text>
      )}
      {questions.map((q, i) => (
        <QuestionCard
          key={i}
          index={i}
          count={questions.length}
          q={q}
          quiz={quiz}
          kinds={kinds}
          language={language}
          defaultLanguage={defaultLanguage}
          taken={questions.filter((_, j) => j !== i).map((x) => x.id)}
          onChange={(next) => set(i, next)}
          onMove={(by) => move(i, by)}
          onRemove={() => onChange(questions.filter((_, j) => j !== i))}
          error={errorAt?.(`questions.${i}`)}
        />
      ))}
      {questions.length === 0 && <Text c="dimmed">{t('builder.empty')}</Text>}
      <Group align="flex-end">
        <Select label={t('builder.kind')} data={kinds.map((k) => ({ value: k, label: t(`builder.kinds.${k}`) }))} value={adding} onChange={(v) => v && setAdding(v as QuestionKind)} allowDeselect={false} w={220} />
        <Button leftSection={<IconPlus size={16} />} variant="default" onClick={() => onChange([...questions, newQuestion(adding, questions.map((x) => x.id), quiz)])} disabled={questions.length >= 100}>
          {t('builder.add')}
        </Button>
      </Group>
    </Stack>
  );
}

interface CardProps {
  index: number;
  count: number;
  q: Question;
  quiz: boolean;
  kinds: QuestionKind[];
  language: FormLanguage;
  defaultLanguage: FormLanguage;
  taken: string[];
  onChange: (q: Question) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
  error?: string;
}

/** A text input for one language: empty shows the fallback text as a hint, marked. */
function LocalizedInput({ label, texts, language, defaultLanguage, onChange }: { label: string; texts: Texts; language: FormLanguage; defaultLanguage: FormLanguage; onChange: (t: Texts) => void }) {
  const { t } = useTranslation('console-listen');
  const s = shown(texts, language, defaultLanguage);
  const missing = !texts[language]?.trim();
  return (
    <TextInput
      label={
        <Group gap={6} component="span">
          <span>{`${label} (${language})`}</span>
          {missing && s.text && (
            <Badge size="sm" color="red.9" variant="outline" component="span">
              {t('fallback')}
            </Badge>
          )}
        </Group>
      }
      placeholder={missing ? s.text : undefined}
      value={texts[language] ?? ''}
      onChange={(e) => onChange({ ...texts, [language]: e.currentTarget.value })}
    />
  );
}

function QuestionCard({ index, count, q, quiz, kinds, language, defaultLanguage, taken, onChange, onMove, onRemove, error }: CardProps) {
  const { t } = useTranslation('console-listen');
  const choice = q.kind === 'single' || q.kind === 'multiple';
  const idTaken = taken.includes(q.id);
  const setOption = (j: number, o: Option) => onChange({ ...q, options: q.options!.map((x, k) => (k === j ? o : x)) });
  const toggleCorrect = (id: string, on: boolean) => {
    const now = q.correct ?? [];
    onChange({ ...q, correct: q.kind === 'single' ? (on ? [id] : []) : on ? [...now, id] : now.filter((c) => c !== id) });
  };
  return (
    <Card withBorder padding="sm" data-testid="question-editor" aria-label={t('builder.question', { n: index + 1 })} component="section">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap="xs">
          <Badge color="blue.9" variant="filled">
            {index + 1}
          </Badge>
          <Select
            aria-label={t('builder.kind')}
            data={kinds.map((k) => ({ value: k, label: t(`builder.kinds.${k}`) }))}
            value={q.kind}
            onChange={(v) => v && onChange(changeKind(q, v as QuestionKind, quiz))}
            allowDeselect={false}
            w={200}
          />
        </Group>
        <Group gap={4}>
          <ActionIcon variant="default" size="lg" aria-label={t('builder.up')} disabled={index === 0} onClick={() => onMove(-1)}>
            <IconArrowUp size={16} />
          </ActionIcon>
          <ActionIcon variant="default" size="lg" aria-label={t('builder.down')} disabled={index === count - 1} onClick={() => onMove(1)}>
            <IconArrowDown size={16} />
          </ActionIcon>
          <ActionIcon variant="light" color="red.9" size="lg" aria-label={t('builder.remove')} onClick={onRemove}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      </Group>
      <Stack gap="xs">
        <LocalizedInput label={t('builder.text')} texts={q.text} language={language} defaultLanguage={defaultLanguage} onChange={(text) => onChange({ ...q, text })} />
        <Group align="flex-end">
          <TextInput
            label={t('builder.id')}
            description={t('builder.idHint')}
            value={q.id}
            onChange={(e) => onChange({ ...q, id: e.currentTarget.value.toLowerCase() })}
            error={idTaken ? t('builder.idTaken') : undefined}
            w={200}
          />
          <Switch label={t('builder.required')} checked={q.required ?? true} onChange={(e) => onChange({ ...q, required: e.currentTarget.checked })} mb={8} />
          {q.kind === 'rating' && (
            <>
              <NumberInput label={t('builder.min')} min={0} max={1} value={q.min ?? 1} onChange={(v) => onChange({ ...q, min: Number(v) || 0 })} w={90} />
              <NumberInput label={t('builder.max')} min={2} max={10} value={q.max ?? 5} onChange={(v) => onChange({ ...q, max: Number(v) || 5 })} w={90} />
            </>
          )}
          {q.kind === 'text' && <NumberInput label={t('builder.maxLength')} min={1} max={4000} value={q.maxLength ?? 2000} onChange={(v) => onChange({ ...q, maxLength: Number(v) || 2000 })} w={140} />}
        </Group>
        {choice && (
          <Stack gap={6}>
            <Text size="sm" fw={600}>
              {quiz ? t('builder.optionsQuiz') : t('builder.options')}
            </Text>
            {q.options!.map((o, j) => (
              <Group key={j} align="flex-end" wrap="nowrap" data-testid="option-editor">
                {quiz &&
                  (q.kind === 'single' ? (
                    <Radio aria-label={t('builder.correctOf', { n: j + 1 })} checked={(q.correct ?? []).includes(o.id)} onChange={(e) => toggleCorrect(o.id, e.currentTarget.checked)} mb={10} />
                  ) : (
                    <Checkbox aria-label={t('builder.correctOf', { n: j + 1 })} checked={(q.correct ?? []).includes(o.id)} onChange={(e) => toggleCorrect(o.id, e.currentTarget.checked)} mb={10} />
                  ))}
                <div style={{ flex: 1 }}>
                  <LocalizedInput label={t('builder.option', { n: j + 1 })} texts={o.text} language={language} defaultLanguage={defaultLanguage} onChange={(text) => setOption(j, { ...o, text })} />
                </div>
                <ActionIcon
                  variant="light"
                  color="red.9"
                  size="lg"
                  mb={2}
                  aria-label={t('builder.removeOption', { n: j + 1 })}
                  disabled={q.options!.length <= 2}
                  onClick={() => onChange({ ...q, options: q.options!.filter((_, k) => k !== j), correct: q.correct?.filter((c) => c !== o.id) })}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ))}
            <Button
              variant="subtle"
              size="compact-sm"
              w="fit-content"
              leftSection={<IconPlus size={14} />}
              disabled={q.options!.length >= 20}
              onClick={() => onChange({ ...q, options: [...q.options!, { id: optionIds.find((x) => !q.options!.some((o) => o.id === x)) ?? freeId(q.options!.map((o) => o.id), 'o'), text: {} }] })}
            >
              {t('builder.addOption')}
            </Button>
            {quiz && (q.correct ?? []).length === 0 && (
              <Text size="sm" c="red.9">
                {t('builder.needsCorrect')}
              </Text>
            )}
          </Stack>
        )}
        {error && (
          <Text size="sm" c="red.9">
            {error}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** The form as a member sees it in one language, each text that falls back marked. */
export function FormPreview({ title, questions, defaultLanguage }: { title: Texts; questions: Question[]; defaultLanguage: FormLanguage }) {
  const { t } = useTranslation('console-listen');
  const [language, setLanguage] = useState<FormLanguage>(defaultLanguage);
  const mark = (fallback: boolean) =>
    fallback ? (
      <Badge ml={6} size="sm" color="red.9" variant="outline">
        {t('fallback')}
      </Badge>
    ) : null;
  const head = shown(title, language, defaultLanguage);
  return (
    <Stack gap="xs" data-testid="form-preview">
      <Group gap="sm">
        <Text size="sm" fw={600} id="preview-language">
          {t('previewLanguage')}
        </Text>
        <SegmentedControl aria-labelledby="preview-language" value={language} onChange={(v) => setLanguage(v as FormLanguage)} data={formLanguages.map((l) => ({ value: l, label: l.toUpperCase() }))} />
      </Group>
      <Card withBorder lang={language}>
        <Title order={3} size="h4">
          {head.text}
          {mark(head.fallback && head.text !== '')}
        </Title>
        <Stack gap="sm" mt="sm" component="ol" p={0} m={0} style={{ listStyle: 'none' }}>
          {questions.map((q, i) => {
            const s = shown(q.text, language, defaultLanguage);
            return (
              <li key={i}>
                <Text fw={600}>
                  {i + 1}. {s.text || '—'}
                  {mark(s.fallback)}
                  {!(q.required ?? true) && (
                    <Text span size="sm" c="dimmed">
                      {' '}
                      ({t('builder.optional')})
                    </Text>
                  )}
                </Text>
                {(q.kind === 'nps' || q.kind === 'csat' || q.kind === 'rating') && (
                  <Text size="sm" c="dimmed">
                    {t('builder.scale', { min: q.kind === 'nps' ? 0 : q.kind === 'csat' ? 1 : (q.min ?? 1), max: q.kind === 'nps' ? 10 : q.kind === 'csat' ? 5 : (q.max ?? 5) })}
                  </Text>
                )}
                {q.options?.map((o, j) => {
                  const os = shown(o.text, language, defaultLanguage);
                  return (
                    <Text key={j} size="sm" ml="md">
                      {q.kind === 'single' ? '○' : '☐'} {os.text || '—'}
                      {mark(os.fallback)}
                    </Text>
                  );
                })}
                {q.kind === 'text' && (
                  <Text size="sm" c="dimmed">
                    {t('builder.freeText')}
                  </Text>
                )}
              </li>
            );
          })}
        </Stack>
      </Card>
    </Stack>
  );
}
