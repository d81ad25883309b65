/**
 * Quizzes: a bank of questions with their correct answers, a pass mark, questions (and options) drawn in random
 * order per attempt, a limit on attempts with a cool-down between them, checking on the server, and points on
 * the first pass only (a quiz.passed event keyed by quiz and member). A training module refers to a quiz by id:
 * a pass completes it (`completeQuizModules`), and `hasPassed` answers for a module completed by hand.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { lockMember } from '../accounts/index.js';
import { completeQuizModules } from '../training/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import {
  checkQuiz,
  formVersion,
  localizedText,
  missingDefaultTexts,
  publicQuestion,
  publishFormVersion,
  questionsSchema,
  shuffled,
  validateAnswers,
  type Answers,
  type LocalizedText,
  type Question,
} from '../questions/index.js';
import { syncPayoutRule } from '../questions/payout-rule.js';
import { audienceSchema, inAudience, openState, type Audience } from '../surveys/audience.js';
import { postCompletion } from '../surveys/event.js';
import { whoIs } from '../surveys/respondent.js';

const fields = {
  title: localizedText(200).describe('The title by language'),
  intro: localizedText(2000).optional().describe('The text before the first question, by language'),
  questions: questionsSchema.describe('The bank: `single` or `multiple` choice questions, each with its `correct` option ids'),
  /** Questions drawn from the bank per attempt; left out: all. */
  draw: z.number().int().min(1).max(100).nullable().optional().describe('Questions drawn from the bank per attempt; null or left out: all'),
  passPercent: z.number().int().min(1).max(100).optional().describe('The pass mark in percent of the drawn questions (default 80)'),
  shuffle: z.boolean().optional().describe('Draw questions and options in random order per attempt (default true)'),
  maxAttempts: z.number().int().min(1).max(100).nullable().optional().describe('Attempts per member; null or left out: no limit'),
  cooldownMinutes: z.number().int().min(0).max(525_600).optional().describe('Minutes between a member\'s attempts (default 0)'),
  audience: audienceSchema.optional(),
  opensAt: z.iso.datetime({ offset: true }).nullable().optional().describe('When attempts may start; null or left out: on publishing'),
  closesAt: z.iso.datetime({ offset: true }).nullable().optional().describe('When attempts end; null or left out: when closed'),
  points: z.number().int().min(0).max(1_000_000).optional().describe('Points for a member\'s first pass, paid by an earning rule on the `quiz.passed` event (default 0)'),
};
export const quizCreateSchema = z.object(fields).strict();
export const quizPatchSchema = z.object({ ...fields, title: fields.title.optional(), questions: questionsSchema.optional() }).strict();
export type QuizCreate = z.infer<typeof quizCreateSchema>;
export type QuizPatch = z.infer<typeof quizPatchSchema>;

export interface Quiz {
  id: string;
  title: LocalizedText;
  intro: LocalizedText;
  questions: Question[];
  status: 'draft' | 'published' | 'closed';
  version: number | null;
  draw: number | null;
  passPercent: number;
  shuffle: boolean;
  maxAttempts: number | null;
  cooldownMinutes: number;
  audience: Audience;
  opensAt: Date | null;
  closesAt: Date | null;
  points: number;
  ruleId: string | null;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
}

interface Row {
  id: string;
  title: LocalizedText;
  intro: LocalizedText;
  questions: Question[];
  status: Quiz['status'];
  version: number | null;
  draw: number | null;
  pass_percent: number;
  shuffle: boolean;
  max_attempts: number | null;
  cooldown_minutes: number;
  audience: Audience;
  opens_at: Date | null;
  closes_at: Date | null;
  points: number;
  rule_id: string | null;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
}

const toQuiz = (r: Row): Quiz => ({
  id: r.id,
  title: r.title,
  intro: r.intro,
  questions: r.questions,
  status: r.status,
  version: r.version,
  draw: r.draw,
  passPercent: r.pass_percent,
  shuffle: r.shuffle,
  maxAttempts: r.max_attempts,
  cooldownMinutes: r.cooldown_minutes,
  audience: r.audience,
  opensAt: r.opens_at,
  closesAt: r.closes_at,
  points: r.points,
  ruleId: r.rule_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  publishedAt: r.published_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const date = (v: string | null | undefined) => (v ? new Date(v) : null);

export async function findQuiz(db: Db, programId: string, id: string, lock = false): Promise<Quiz | undefined> {
  if (!UUID.test(id)) return undefined;
  const r = await sql<Row>`SELECT * FROM quizzes WHERE program_id = ${programId} AND id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`.execute(db);
  return r.rows[0] && toQuiz(r.rows[0]);
}

export async function requireQuiz(db: Db, programId: string, id: string, lock = false): Promise<Quiz> {
  const q = await findQuiz(db, programId, id, lock);
  if (!q) throw new LojalError('not_found', { entity: 'quiz', id });
  return q;
}

export async function listQuizzes(db: Db, programId: string): Promise<Quiz[]> {
  const r = await sql<Row>`SELECT * FROM quizzes WHERE program_id = ${programId} ORDER BY created_at DESC, id DESC LIMIT 500`.execute(db);
  return r.rows.map(toQuiz);
}

function checkQuestions(questions: Question[]) {
  for (const q of questions) {
    if ((q.kind !== 'single' && q.kind !== 'multiple') || !q.correct?.length) throw new LojalError('quiz_needs_correct_answers', { question: q.id });
  }
}

function checkDates(opensAt: Date | null, closesAt: Date | null) {
  if (opensAt && closesAt && closesAt <= opensAt) throw new LojalError('validation_failed', {}, [{ path: 'closesAt', message: 'closesAt must be after opensAt' }]);
}

export async function createQuiz(db: Db, programId: string, input: QuizCreate, now: Date): Promise<Quiz> {
  checkQuestions(input.questions);
  const opensAt = date(input.opensAt);
  const closesAt = date(input.closesAt);
  checkDates(opensAt, closesAt);
  const r = await sql<Row>`
    INSERT INTO quizzes (program_id, id, title, intro, questions, draw, pass_percent, shuffle, max_attempts, cooldown_minutes, audience, opens_at, closes_at, points, created_at, updated_at)
    VALUES (${programId}, ${uuidv7()}, ${JSON.stringify(input.title)}::jsonb, ${JSON.stringify(input.intro ?? {})}::jsonb, ${JSON.stringify(input.questions)}::jsonb,
      ${input.draw ?? null}, ${input.passPercent ?? 80}, ${input.shuffle ?? true}, ${input.maxAttempts ?? null}, ${input.cooldownMinutes ?? 0},
      ${JSON.stringify(input.audience ?? {})}::jsonb, ${opensAt}, ${closesAt}, ${input.points ?? 0}, ${now}, ${now})
    RETURNING *`.execute(db);
  return toQuiz(r.rows[0]!);
}

export async function updateQuiz(trx: Db, program: Program, id: string, patch: QuizPatch, now: Date): Promise<{ before: Quiz; after: Quiz }> {
  const before = await requireQuiz(trx, program.id, id, true);
  if (before.status === 'closed') throw new LojalError('quiz_closed', { quiz: id });
  if (patch.questions) checkQuestions(patch.questions);
  const opensAt = patch.opensAt !== undefined ? date(patch.opensAt) : before.opensAt;
  const closesAt = patch.closesAt !== undefined ? date(patch.closesAt) : before.closesAt;
  checkDates(opensAt, closesAt);
  const title = patch.title ?? before.title;
  const questions = patch.questions ?? before.questions;
  let version = before.version;
  if (before.status === 'published' && patch.questions) {
    checkPublishable(program, title, questions);
    version = await publishFormVersion(trx, program.id, id, questions, now);
  }
  await sql`UPDATE quizzes SET title = ${JSON.stringify(title)}::jsonb, intro = ${JSON.stringify(patch.intro ?? before.intro)}::jsonb,
      questions = ${JSON.stringify(questions)}::jsonb, version = ${version}, draw = ${patch.draw !== undefined ? patch.draw : before.draw},
      pass_percent = ${patch.passPercent ?? before.passPercent}, shuffle = ${patch.shuffle ?? before.shuffle},
      max_attempts = ${patch.maxAttempts !== undefined ? patch.maxAttempts : before.maxAttempts}, cooldown_minutes = ${patch.cooldownMinutes ?? before.cooldownMinutes},
      audience = ${JSON.stringify(patch.audience ?? before.audience)}::jsonb, opens_at = ${opensAt}, closes_at = ${closesAt},
      points = ${patch.points ?? before.points}, updated_at = ${now}
    WHERE program_id = ${program.id} AND id = ${id}`.execute(trx);
  const after = await requireQuiz(trx, program.id, id);
  if (after.status === 'published') await syncRule(trx, program, after, now);
  return { before, after: await requireQuiz(trx, program.id, id) };
}

function checkPublishable(program: Program, title: LocalizedText, questions: Question[]) {
  if (questions.length === 0) throw new LojalError('validation_failed', {}, [{ path: 'questions', message: 'a quiz needs at least one question' }]);
  const missing = missingDefaultTexts(questions, title, program.defaultLanguage);
  if (missing.length) {
    throw new LojalError('form_missing_default_language', { language: program.defaultLanguage }, missing.map((path) => ({ path, message: `missing in ${program.defaultLanguage}` })));
  }
}

async function syncRule(trx: Db, program: Program, q: Quiz, now: Date): Promise<void> {
  const attach = async (ruleId: string) => {
    await sql`UPDATE quizzes SET rule_id = ${ruleId} WHERE program_id = ${program.id} AND id = ${q.id}`.execute(trx);
  };
  await syncPayoutRule(trx, program, q, { eventType: 'quiz.passed', formAttribute: 'quiz.id', label: 'Quiz' }, attach, now);
}

export async function publishQuiz(trx: Db, program: Program, id: string, now: Date): Promise<{ before: Quiz; after: Quiz }> {
  const before = await requireQuiz(trx, program.id, id, true);
  if (before.status === 'closed') throw new LojalError('quiz_closed', { quiz: id });
  checkQuestions(before.questions);
  checkPublishable(program, before.title, before.questions);
  const version = await publishFormVersion(trx, program.id, id, before.questions, now);
  await sql`UPDATE quizzes SET status = 'published', version = ${version}, published_at = COALESCE(published_at, ${now}), updated_at = ${now}
    WHERE program_id = ${program.id} AND id = ${id}`.execute(trx);
  await syncRule(trx, program, await requireQuiz(trx, program.id, id), now);
  return { before, after: await requireQuiz(trx, program.id, id) };
}

export async function closeQuiz(trx: Db, program: Program, id: string, now: Date): Promise<{ before: Quiz; after: Quiz }> {
  const before = await requireQuiz(trx, program.id, id, true);
  await sql`UPDATE quizzes SET status = 'closed', updated_at = ${now} WHERE program_id = ${program.id} AND id = ${id}`.execute(trx);
  const after = await requireQuiz(trx, program.id, id);
  if (after.ruleId) await syncRule(trx, program, after, now);
  return { before, after };
}

// ---------------------------------------------------------------- attempts

interface Drawn {
  id: string;
  options: string[];
}

export interface AttemptStanding {
  attempts: number;
  attemptsLeft: number | null;
  passed: boolean;
  /** When the cool-down after the last attempt ends (null: no wait). */
  retryAt: Date | null;
  openAttemptId: string | null;
}

export async function standing(db: Db, programId: string, quiz: Quiz, memberId: string, now: Date): Promise<AttemptStanding> {
  const r = await sql<{ id: string; submitted_at: Date | null; passed: boolean | null }>`
    SELECT id, submitted_at, passed FROM quiz_attempts WHERE program_id = ${programId} AND quiz_id = ${quiz.id} AND member_id = ${memberId}
    ORDER BY started_at`.execute(db);
  const done = r.rows.filter((x) => x.submitted_at !== null);
  const open = r.rows.find((x) => x.submitted_at === null);
  const last = done.at(-1);
  const until = last && quiz.cooldownMinutes > 0 ? new Date(last.submitted_at!.getTime() + quiz.cooldownMinutes * 60_000) : null;
  return {
    attempts: done.length,
    attemptsLeft: quiz.maxAttempts === null ? null : Math.max(0, quiz.maxAttempts - done.length),
    passed: done.some((x) => x.passed),
    retryAt: until && until > now ? until : null,
    openAttemptId: open?.id ?? null,
  };
}

export async function requireOpenQuiz(db: Db, program: Program, quizId: string, memberId: string, now: Date) {
  const quiz = await findQuiz(db, program.id, quizId);
  if (!quiz || quiz.status === 'draft') throw new LojalError('not_found', { entity: 'quiz', id: quizId });
  const who = await whoIs(db, program.id, memberId);
  if (!inAudience(quiz.audience, who.respondent)) throw new LojalError('quiz_not_for_member', { quiz: quizId });
  const state = openState(quiz, now);
  if (state === 'closed') throw new LojalError('quiz_closed', { quiz: quizId });
  if (state === 'not_open') throw new LojalError('quiz_not_open', { quiz: quizId });
  return { quiz, who };
}

const cryptoRandom = () => randomInt(0, 2 ** 32) / 2 ** 32;

export interface AttemptView {
  id: string;
  quizId: string;
  startedAt: Date;
  questions: ReturnType<typeof publicQuestion>[];
}

function viewOf(id: string, quizId: string, startedAt: Date, questions: Question[], drawn: Drawn[], lang: Language, dflt: Language): AttemptView {
  const byId = new Map(questions.map((q) => [q.id, q]));
  return { id, quizId, startedAt, questions: drawn.map((d) => publicQuestion(byId.get(d.id)!, lang, dflt, d.options)) };
}

/**
 * Starts an attempt (or answers the open one, so a dropped connection resumes where it was): the drawn
 * questions in their order, without the correct answers. Over the limit or in the cool-down: refused.
 */
export async function startAttempt(db: Db, program: Program, quizId: string, memberId: string, lang: Language, now: Date, random = cryptoRandom): Promise<{ attempt: AttemptView; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const { quiz, who } = await requireOpenQuiz(trx, program, quizId, memberId, now);
    // One member's attempts at a quiz are decided one at a time.
    await lockMember(trx, program.id, memberId);
    const open = await sql<{ id: string; version: number; drawn: Drawn[]; started_at: Date }>`
      SELECT id, version, drawn, started_at FROM quiz_attempts WHERE program_id = ${program.id} AND quiz_id = ${quiz.id} AND member_id = ${memberId} AND submitted_at IS NULL`.execute(trx);
    if (open.rows[0]) {
      const a = open.rows[0];
      return { attempt: viewOf(a.id, quiz.id, a.started_at, await formVersion(trx, program.id, quiz.id, a.version), a.drawn, lang, program.defaultLanguage), created: false };
    }
    const s = await standing(trx, program.id, quiz, memberId, now);
    if (s.attemptsLeft === 0) throw new LojalError('quiz_attempts_exhausted', { quiz: quiz.id, max: quiz.maxAttempts! });
    if (s.retryAt) throw new LojalError('quiz_cooldown', { quiz: quiz.id, retryAt: s.retryAt.toISOString() }, undefined, { retryAt: s.retryAt.toISOString() });
    const questions = await formVersion(trx, program.id, quiz.id, quiz.version!);
    const order = quiz.shuffle ? shuffled(questions, random) : questions;
    const picked = order.slice(0, quiz.draw ?? order.length);
    const drawn: Drawn[] = picked.map((q) => {
      const ids = q.kind === 'single' || q.kind === 'multiple' ? q.options.map((o) => o.id) : [];
      return { id: q.id, options: quiz.shuffle ? shuffled(ids, random) : ids };
    });
    const id = uuidv7();
    await sql`INSERT INTO quiz_attempts (program_id, id, quiz_id, member_id, account_id, version, drawn, started_at)
      VALUES (${program.id}, ${id}, ${quiz.id}, ${memberId}, ${who.account.id}, ${quiz.version}, ${JSON.stringify(drawn)}::jsonb, ${now})`.execute(trx);
    return { attempt: viewOf(id, quiz.id, now, questions, drawn, lang, program.defaultLanguage), created: true };
  });
}

export interface AttemptResult {
  attemptId: string;
  score: number;
  total: number;
  passed: boolean;
  passPercent: number;
  firstPass: boolean;
  points: number;
  /** After handing in: each question's correct options, so the member learns from it. */
  results: Array<{ id: string; correct: boolean; correctOptions: string[] }>;
}

/** Hands in an attempt: checked on the server; the first pass posts the quiz.passed event. */
export async function submitAttempt(db: Db, program: Program, attemptId: string, memberId: string, raw: Record<string, unknown>, now: Date): Promise<AttemptResult> {
  return db.transaction().execute(async (trx) => {
    if (!UUID.test(attemptId)) throw new LojalError('not_found', { entity: 'quiz attempt', id: attemptId });
    const r = await sql<{ quiz_id: string; member_id: string; account_id: string; version: number; drawn: Drawn[]; submitted_at: Date | null }>`
      SELECT quiz_id, member_id, account_id, version, drawn, submitted_at FROM quiz_attempts WHERE program_id = ${program.id} AND id = ${attemptId} FOR UPDATE`.execute(trx);
    const a = r.rows[0];
    if (!a || a.member_id !== memberId) throw new LojalError('not_found', { entity: 'quiz attempt', id: attemptId });
    if (a.submitted_at) throw new LojalError('quiz_attempt_submitted', { attempt: attemptId });
    const { quiz } = await requireOpenQuiz(trx, program, a.quiz_id, memberId, now);
    const all = await formVersion(trx, program.id, quiz.id, a.version);
    const byId = new Map(all.map((q) => [q.id, q]));
    const questions = a.drawn.map((d) => byId.get(d.id)!);
    const answers: Answers = validateAnswers(questions, raw);
    const check = checkQuiz(questions, answers, quiz.passPercent);
    const before = await sql`SELECT 1 FROM quiz_attempts WHERE program_id = ${program.id} AND quiz_id = ${quiz.id} AND member_id = ${memberId} AND first_pass`.execute(trx);
    const firstPass = check.passed && before.rows.length === 0;
    await sql`UPDATE quiz_attempts SET submitted_at = ${now}, answers = ${JSON.stringify(answers)}::jsonb, results = ${JSON.stringify(check.results)}::jsonb,
        score = ${check.score}, total = ${check.total}, passed = ${check.passed}, first_pass = ${firstPass}
      WHERE program_id = ${program.id} AND id = ${attemptId}`.execute(trx);
    const points = firstPass
      ? await postCompletion(trx, program, { id: `quiz:${quiz.id}:${memberId}`, type: 'quiz.passed', accountId: a.account_id, memberId, attributes: { quiz: { id: quiz.id, score: check.score, total: check.total } } }, now)
      : 0;
    // A pass completes the training modules that name this quiz, in the same transaction (a module still locked
    // behind earlier ones is left; passing again later completes it).
    if (check.passed) await completeQuizModules(trx, program, memberId, quiz.id, now);
    return {
      attemptId,
      score: check.score,
      total: check.total,
      passed: check.passed,
      passPercent: quiz.passPercent,
      firstPass,
      points,
      results: check.results.map((x) => {
        const q = byId.get(x.id)!;
        return { ...x, correctOptions: q.kind === 'single' || q.kind === 'multiple' ? (q.correct ?? []) : [] };
      }),
    };
  });
}

/** Whether the member has passed the quiz: what a training's quiz module asks. */
export async function hasPassed(db: Db, programId: string, quizId: string, memberId: string): Promise<boolean> {
  const r = await sql`SELECT 1 FROM quiz_attempts WHERE program_id = ${programId} AND quiz_id = ${quizId} AND member_id = ${memberId} AND passed LIMIT 1`.execute(db);
  return r.rows.length > 0;
}

export interface QuizStats {
  attempts: number;
  members: number;
  passed: number;
  passRate: number | null;
  questions: Array<{ id: string; text: string; shown: number; correct: number; correctShare: number | null; options: Array<{ id: string; text: string; picked: number; correct: boolean }> }>;
}

/** For the author: how many tried and passed, and per question how often it was answered right and each option picked. */
export async function quizStats(db: Db, program: Program, quiz: Quiz, lang: Language): Promise<QuizStats> {
  const r = await sql<{ member_id: string; answers: Answers; results: Array<{ id: string; correct: boolean }>; passed: boolean }>`
    SELECT member_id, answers, results, passed FROM quiz_attempts WHERE program_id = ${program.id} AND quiz_id = ${quiz.id} AND submitted_at IS NOT NULL`.execute(db);
  const rows = r.rows;
  const passedMembers = new Set(rows.filter((x) => x.passed).map((x) => x.member_id));
  const members = new Set(rows.map((x) => x.member_id));
  const dflt = program.defaultLanguage;
  const qs = quiz.questions.map((q) => {
    const shown = rows.filter((x) => x.results.some((y) => y.id === q.id));
    const correct = shown.filter((x) => x.results.find((y) => y.id === q.id)!.correct).length;
    const options = q.kind === 'single' || q.kind === 'multiple' ? q.options : [];
    const pq = publicQuestion(q, lang, dflt);
    return {
      id: q.id,
      text: pq.text,
      shown: shown.length,
      correct,
      correctShare: shown.length ? Math.round((correct / shown.length) * 1000) / 10 : null,
      options: options.map((o, i) => ({
        id: o.id,
        text: pq.options?.[i]?.text ?? o.id,
        picked: shown.filter((x) => {
          const v = x.answers[q.id];
          return Array.isArray(v) ? v.includes(o.id) : v === o.id;
        }).length,
        correct: (q.kind === 'single' || q.kind === 'multiple') && (q.correct ?? []).includes(o.id),
      })),
    };
  });
  return { attempts: rows.length, members: members.size, passed: passedMembers.size, passRate: members.size ? Math.round((passedMembers.size / members.size) * 1000) / 10 : null, questions: qs };
}
