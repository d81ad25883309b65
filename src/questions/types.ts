/**
 * The question engine's vocabulary, shared by surveys, quizzes and (through quizzes) training modules:
 * question kinds, texts in the program's languages, and the forms that hold them.
 */
import { z } from 'zod';
import { languages, type Language } from '../i18n/index.js';

/** A text in some of the five languages; a missing one falls back to the program's default language. */
export const localizedText = (max: number) =>
  z
    .object(Object.fromEntries(languages.map((l) => [l, z.string().trim().min(1).max(max).optional()])) as Record<Language, z.ZodOptional<z.ZodString>>)
    .strict();
export type LocalizedText = Partial<Record<Language, string>>;
/** A stored localized text as the API answers it (any of the five languages). */
export const localizedTextOut = z
  .partialRecord(z.enum(languages), z.string())
  .describe('The text by language (en, sv, nb, pl, de); a language left out falls back to the program\'s default');

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'ids are 1–40 lowercase letters, digits, "-" or "_"');
const option = z.object({ id: id.describe('The option id, e.g. `yes`'), text: localizedText(300) }).strict();

export const questionKinds = ['nps', 'csat', 'single', 'multiple', 'rating', 'text'] as const;
export type QuestionKind = (typeof questionKinds)[number];

const base = {
  id: id.describe('The question id (1–40 lowercase letters, digits, - or _): the key of its answer and its CSV column'),
  text: localizedText(1000),
  required: z.boolean().default(true).describe('Must be answered (default true)'),
};

export const questionSchema = z
  .discriminatedUnion('kind', [
  /** 0–10: how likely to recommend. */
  z.object({ ...base, kind: z.literal('nps') }).strict(),
  /** 1–5 satisfaction. */
  z.object({ ...base, kind: z.literal('csat') }).strict(),
  z.object({ ...base, kind: z.literal('single'), options: z.array(option).min(2).max(20), correct: z.array(id).length(1).optional().describe('Quizzes: the one correct option id') }).strict(),
  z
    .object({ ...base, kind: z.literal('multiple'), options: z.array(option).min(2).max(20), correct: z.array(id).min(1).max(20).optional().describe('Quizzes: every correct option id (all and only these to be right)') })
    .strict(),
  z
    .object({ ...base, kind: z.literal('rating'), min: z.number().int().min(0).max(1).default(1), max: z.number().int().min(2).max(10).default(5) })
    .strict(),
  z.object({ ...base, kind: z.literal('text'), maxLength: z.number().int().min(1).max(4000).default(2000) }).strict(),
  ])
  .meta({
    id: 'Question',
    description:
      'One question of a survey or quiz, told apart by `kind`: `nps` (0–10), `csat` (1–5), `single` or `multiple` choice (with `options` and, in a quiz, ' +
      'the `correct` option ids), `rating` (`min`–`max`) or free `text` (up to `maxLength` characters). Texts are objects by language.',
  });
export type Question = z.infer<typeof questionSchema>;
export type QuestionInput = z.input<typeof questionSchema>;

/** A form: 1–100 questions with distinct ids, options with distinct ids, correct answers among the options. */
export const questionsSchema = z
  .array(questionSchema)
  .max(100)
  .superRefine((qs, ctx) => {
    const seen = new Set<string>();
    qs.forEach((q, i) => {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `question id "${q.id}" is used twice` });
      seen.add(q.id);
      if (q.kind === 'single' || q.kind === 'multiple') {
        const ids = new Set<string>();
        q.options.forEach((o, j) => {
          if (ids.has(o.id)) ctx.addIssue({ code: 'custom', path: [i, 'options', j, 'id'], message: `option id "${o.id}" is used twice` });
          ids.add(o.id);
        });
        q.correct?.forEach((c, j) => {
          if (!ids.has(c)) ctx.addIssue({ code: 'custom', path: [i, 'correct', j], message: `"${c}" is not one of the options` });
        });
      }
    });
  });

/** An answer as a member sends it: a score, an option id, option ids, or text. */
export const answerValue = z.union([z.number(), z.string().max(4000), z.array(z.string().max(40)).max(20), z.null()]);
export type AnswerValue = z.infer<typeof answerValue>;
/**
 * A list that names an option twice is refused rather than folded into one: `["x","x","y"]` is not the answer
 * `["x","y"]`, and a quiz that dropped the repeat would mark a sloppy answer right.
 */
export const answersSchema = z.record(z.string().max(40), answerValue).superRefine((answers, ctx) => {
  for (const [key, value] of Object.entries(answers)) {
    const repeated = Array.isArray(value) && value.some((x, i) => value.indexOf(x) !== i);
    if (repeated) ctx.addIssue({ code: 'custom', path: [key], ...duplicateOption() });
  }
});

/** The field check of an answer that names an option twice, in the reader's language (errors:field.answer_duplicate_option). */
export const duplicateOption = () => ({
  message: 'names an option more than once',
  params: { field: 'answer_duplicate_option', code: 'invalid_value' },
});
export type Answers = Record<string, number | string | string[]>;
