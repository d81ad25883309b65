/** A survey's results and its answers as CSV: the figures from scoring.ts over the answer rows. */
import type { Readable } from 'node:stream';
import type { Db } from '../db/database.js';
import type { Language } from '../i18n/index.js';
import { formVersions, localize, type Question } from '../questions/index.js';
import { csat, figuresBy, nps, type CsatFigure, type GroupBy, type GroupFigure, type NpsFigure, type Period } from './scoring.js';
import { csvStream, type Cell } from '../insight/export.js';
import { answerRows, answerRowsPage, type AnswerRow, type Survey } from './store.js';

/** Groups smaller than this are not shown for an anonymous survey: a tier of two is two people. */
export const ANONYMOUS_MIN_GROUP = 5;

export interface QuestionSummary {
  id: string;
  kind: Question['kind'];
  text: string;
  answered: number;
  /** Choice questions: how often each option was picked; scores: how often each value was given. */
  counts: Array<{ key: string; label: string; count: number }>;
  /** Score questions: the mean answer. */
  mean: number | null;
  /** Free text: the latest answers (never with a name on an anonymous survey; here never with one at all). */
  texts: string[];
}

export interface SurveyResults {
  answers: number;
  nps: NpsFigure;
  csat: CsatFigure;
  groups: GroupFigure[];
  questions: QuestionSummary[];
}

export function summarizeQuestions(questions: Question[], rows: readonly AnswerRow[], lang: Language, dflt: Language): QuestionSummary[] {
  return questions.map((q) => {
    const values = rows.map((r) => r.answers[q.id]).filter((v) => v !== undefined);
    const text = localize(q.text, lang, dflt).text;
    const out: QuestionSummary = { id: q.id, kind: q.kind, text, answered: values.length, counts: [], mean: null, texts: [] };
    if (q.kind === 'single' || q.kind === 'multiple') {
      out.counts = q.options.map((o) => ({
        key: o.id,
        label: localize(o.text, lang, dflt).text,
        count: values.filter((v) => (Array.isArray(v) ? v.includes(o.id) : v === o.id)).length,
      }));
    } else if (q.kind === 'text') {
      out.texts = (values as string[]).slice(-50).reverse();
    } else {
      const [min, max] = q.kind === 'nps' ? [0, 10] : q.kind === 'csat' ? [1, 5] : [q.min, q.max];
      const nums = values as number[];
      for (let v = min; v <= max; v++) out.counts.push({ key: String(v), label: String(v), count: nums.filter((x) => x === v).length });
      out.mean = nums.length ? Math.round((nums.reduce((a, b) => a + b, 0) / nums.length) * 100) / 100 : null;
    }
    return out;
  });
}

/** The questions of every version, latest wording first (an id keeps its latest text). */
async function allQuestions(db: Db, programId: string, survey: Survey): Promise<Question[]> {
  const versions = await formVersions(db, programId, survey.id);
  const seen = new Map<string, Question>();
  for (const v of [...versions].reverse()) for (const q of v.questions) if (!seen.has(q.id)) seen.set(q.id, q);
  return versions.length ? [...seen.values()] : survey.questions;
}

export async function surveyResults(
  db: Db,
  programId: string,
  survey: Survey,
  q: { by: GroupBy; period: Period; from?: string | undefined; to?: string | undefined },
  lang: Language,
  dflt: Language,
): Promise<SurveyResults> {
  const rows = await answerRows(db, programId, survey.id, q);
  const minGroup = survey.anonymous && q.by !== 'period' ? ANONYMOUS_MIN_GROUP : 1;
  return {
    answers: rows.length,
    nps: nps(rows.flatMap((r) => (r.nps === null ? [] : [r.nps]))),
    csat: csat(rows.flatMap((r) => (r.csat === null ? [] : [r.csat]))),
    groups: figuresBy(rows, q.by, { period: q.period, minGroup }),
    questions: summarizeQuestions(await allQuestions(db, programId, survey), rows, lang, dflt),
  };
}

const cell = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(';') : String(v));

/** Answers per page of the CSV export. */
export const ANSWERS_PAGE = 5000;

/**
 * The answers as CSV, one row per answer and one column per question id. An anonymous survey's file has no
 * member, account or time-of-day columns, and no tier, role or segment either: a row carries all three at once
 * beside the free text, so the only platinum manager would be named by the row itself, and the results' rule of
 * five cannot be kept row by row. Its breakdowns are the results' (`surveyResults`), where small groups are
 * suppressed. Streamed in keyset pages
 * through the exports' CSV writer (src/insight/export.ts): no row limit, UTF-8 with a byte-order mark, the reader's
 * separator (commas for en; semicolons for sv, nb, pl, de).
 */
export async function answersCsv(
  db: Db,
  programId: string,
  survey: Survey,
  range: { from?: string | undefined; to?: string | undefined },
  language: Language,
  pageSize = ANSWERS_PAGE,
): Promise<Readable> {
  const questions = await allQuestions(db, programId, survey);
  const named = !survey.anonymous;
  const header = ['answer_id', 'form_version', 'answered_on', ...(named ? ['answered_at', 'member_id', 'account_id', 'tier', 'role', 'segment'] : []), ...questions.map((x) => x.id)];
  const rows = async function* (): AsyncGenerator<Cell[]> {
    let after: { day: string; id: string } | null = null;
    for (;;) {
      const page = await answerRowsPage(db, programId, survey.id, range, after, pageSize);
      for (const r of page) {
        yield [
          r.id,
          r.version,
          r.day,
          ...(named ? [r.answeredAt?.toISOString() ?? '', r.memberId ?? '', r.accountId ?? '', cell(r.tier), cell(r.role), cell(r.segment)] : []),
          ...questions.map((x) => cell(r.answers[x.id])),
        ];
      }
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      after = { day: last.day, id: last.id };
    }
  };
  return csvStream(header, rows(), language);
}
