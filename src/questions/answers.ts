/**
 * Checking a member's answers against a form (pure): every answer in range, every option known, every required
 * question answered, nothing else. The first failure is answered with its own stable code, so a client can
 * tell an out-of-range score from an unknown option.
 */
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import { localize } from './localize.js';
import { duplicateOption, type Answers, type Question } from './types.js';

export function scoreRange(q: Question): [number, number] | null {
  if (q.kind === 'nps') return [0, 10];
  if (q.kind === 'csat') return [1, 5];
  if (q.kind === 'rating') return [q.min, q.max];
  return null;
}

/** The answers, normalized (unanswered optional questions left out, text trimmed, option lists sorted). */
export function validateAnswers(questions: readonly Question[], raw: Record<string, unknown>): Answers {
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const key of Object.keys(raw)) {
    if (!byId.has(key)) throw new LojalError('unknown_question', { question: key });
  }
  const out: Answers = {};
  for (const q of questions) {
    const v = raw[q.id];
    const empty = v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
    if (empty) {
      if (q.required) throw new LojalError('answer_required', { question: q.id });
      continue;
    }
    const range = scoreRange(q);
    if (range) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw new LojalError('answer_out_of_range', { question: q.id, min: range[0], max: range[1] });
      }
      out[q.id] = v;
    } else if (q.kind === 'single') {
      if (typeof v !== 'string') throw new LojalError('answer_wrong_type', { question: q.id });
      if (!q.options.some((o) => o.id === v)) throw new LojalError('unknown_option', { question: q.id, option: v });
      out[q.id] = v;
    } else if (q.kind === 'multiple') {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new LojalError('answer_wrong_type', { question: q.id });
      // Callers that do not come through answersSchema (imports) get the same refusal as the HTTP answer.
      const repeated = (v as string[]).some((x, i) => v.indexOf(x) !== i);
      if (repeated) {
        const check = duplicateOption();
        throw new LojalError('validation_failed', {}, [{ path: `answers.${q.id}`, message: check.message, check: { code: 'custom', params: check.params }, fieldCode: 'invalid_value' }]);
      }
      const picked = [...(v as string[])].sort();
      const unknown = picked.find((x) => !q.options.some((o) => o.id === x));
      if (unknown !== undefined) throw new LojalError('unknown_option', { question: q.id, option: unknown });
      out[q.id] = picked;
    } else if (q.kind === 'text') {
      if (typeof v !== 'string') throw new LojalError('answer_wrong_type', { question: q.id });
      const text = v.trim();
      if (text.length > q.maxLength) throw new LojalError('answer_too_long', { question: q.id, max: q.maxLength });
      out[q.id] = text;
    }
  }
  return out;
}

/** Whether an answer is the correct one (quiz questions: single or multiple with `correct`). */
export function isCorrect(q: Question, answer: Answers[string] | undefined): boolean {
  if ((q.kind !== 'single' && q.kind !== 'multiple') || !q.correct || answer === undefined) return false;
  const want = [...q.correct].sort();
  const got = (Array.isArray(answer) ? [...answer] : [answer]).map(String).sort();
  return want.length === got.length && want.every((w, i) => w === got[i]);
}

export interface QuizCheck {
  results: Array<{ id: string; correct: boolean }>;
  score: number;
  total: number;
  passed: boolean;
}

/** Marks a quiz attempt: one point per correct question, passed at `passPercent` % or more (rounded up). */
export function checkQuiz(questions: readonly Question[], answers: Answers, passPercent: number): QuizCheck {
  const results = questions.map((q) => ({ id: q.id, correct: isCorrect(q, answers[q.id]) }));
  const score = results.filter((r) => r.correct).length;
  const total = questions.length;
  return { results, score, total, passed: total > 0 && score * 100 >= passPercent * total };
}

/** A question as a member sees it: texts in their language, options in the given order, never the correct answer. */
export interface PublicQuestion {
  id: string;
  kind: Question['kind'];
  text: string;
  fallback: boolean;
  required: boolean;
  options?: Array<{ id: string; text: string }>;
  min?: number;
  max?: number;
  maxLength?: number;
  multiple?: boolean;
}

export function publicQuestion(q: Question, lang: Language, dflt: Language, optionOrder?: string[]): PublicQuestion {
  const t = localize(q.text, lang, dflt);
  const out: PublicQuestion = { id: q.id, kind: q.kind, text: t.text, fallback: t.fallback, required: q.required };
  const range = scoreRange(q);
  if (range) [out.min, out.max] = range;
  if (q.kind === 'single' || q.kind === 'multiple') {
    const order = optionOrder ?? q.options.map((o) => o.id);
    const byId = new Map(q.options.map((o) => [o.id, o]));
    out.options = order.filter((id) => byId.has(id)).map((id) => ({ id, text: localize(byId.get(id)!.text, lang, dflt).text }));
    out.multiple = q.kind === 'multiple';
  }
  if (q.kind === 'text') out.maxLength = q.maxLength;
  return out;
}

/** A deterministic shuffle (Fisher–Yates) driven by the given random source, so tests can fix the order. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
