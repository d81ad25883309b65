/**
 * Completing a course module, and with the last one the course: the seam every way of finishing a module
 * goes through — the portal (text, video and file modules), the program team (a classroom day recorded by
 * staff) and the quiz engine (a passed quiz completes the quiz module that names it: `completeQuizModules`).
 *
 * All in one transaction: the module's completion (once per member: a second call, or two at once, finds it
 * done and pays nothing), and when it was the last one the course's completion, its points as a
 * `training.completed` event through the events and rules path (external id `training:<course>:<member>`,
 * so a retry or a race posts once; caps, tiers and the ledger apply as for any event) and the certificate.
 */
import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { resolve, validationError, type Parsed } from '../events/ingest.js';
import { processInTransaction } from '../events/process.js';
import { eventHash, eventSchema } from '../events/schema.js';
import { isLanguage, type Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { issueCertificate, type Certificate } from './certificates.js';
import { requireCourse, type Course } from './courses.js';
import { completionRefusal, courseProgress } from './progress.js';
import { finishRenewal } from './renewals.js';
import { tdb } from './tables.js';

export const TRAINING_COMPLETED = 'training.completed';
export const trainingEventId = (courseId: string, memberId: string) => `training:${courseId}:${memberId}`;

export type CompletionSource = 'member' | 'quiz' | 'staff';

export interface CompleteModuleInput {
  memberId: string;
  moduleId: string;
  source: CompletionSource;
  now: Date;
}

export interface CompletionResult {
  courseId: string;
  moduleId: string;
  /** False when the member had completed the module before (nothing was written). */
  recorded: boolean;
  progress: { done: number; total: number };
  /** Set when this completion finished the course. */
  course: { completedAt: Date; points: number; eventId: string | null; certificate: Certificate | null } | null;
}

/** The training.completed event of a course completion, as the events path takes it. */
export function trainingEvent(course: Pick<Course, 'id' | 'code'>, member: { id: string; accountId: string }, at: Date) {
  return {
    id: trainingEventId(course.id, member.id),
    type: TRAINING_COMPLETED,
    occurredAt: at.toISOString(),
    accountId: member.accountId,
    memberId: member.id,
    attributes: { courseId: course.id, courseCode: course.code },
  };
}

export interface Learner {
  id: string;
  accountId: string;
  name: string;
  language: Language | null;
  status: string;
  email: string | null;
}

export async function findLearner(db: Db, programId: string, memberId: string): Promise<Learner | undefined> {
  const m = await db
    .selectFrom('members')
    .select(['id', 'account_id', 'name', 'language', 'status', 'email'])
    .where('program_id', '=', programId)
    .where('id', '=', memberId)
    .executeTakeFirst();
  return m && { id: m.id, accountId: m.account_id, name: m.name, language: isLanguage(m.language) ? m.language : null, status: m.status, email: m.email };
}

async function courseOfModule(db: Db, programId: string, moduleId: string): Promise<string> {
  const row = await tdb(db).selectFrom('course_modules').select('course_id').where('program_id', '=', programId).where('id', '=', moduleId).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'course module', id: moduleId });
  return row.course_id;
}

export async function completedModules(db: Db, programId: string, memberId: string, courseId: string): Promise<Map<string, Date>> {
  const rows = await tdb(db)
    .selectFrom('module_completions')
    .select(['module_id', 'completed_at'])
    .where('program_id', '=', programId)
    .where('member_id', '=', memberId)
    .where('course_id', '=', courseId)
    .execute();
  return new Map(rows.map((r) => [r.module_id, r.completed_at]));
}

/** Completes a module inside the caller's transaction (the quiz engine's pass, for one). */
export async function completeModuleIn(trx: Db, program: Program, input: CompleteModuleInput): Promise<CompletionResult> {
  const courseId = await courseOfModule(trx, program.id, input.moduleId);
  const course = await requireCourse(trx, program.id, courseId);
  if (course.status !== 'published') throw new LojalError('course_not_open', { course: courseId, state: course.status });
  const learner = await findLearner(trx, program.id, input.memberId);
  if (!learner) throw new LojalError('unknown_member', { member: input.memberId });
  if (learner.status !== 'active') throw new LojalError('member_not_active', { member: learner.id, status: learner.status });
  const moduleIds = course.modules.map((m) => m.id);
  const done = await completedModules(trx, program.id, learner.id, courseId);
  const progressOf = (set: ReadonlySet<string>) => {
    const p = courseProgress(moduleIds, set);
    return { done: p.done, total: p.total };
  };
  if (done.has(input.moduleId)) return { courseId, moduleId: input.moduleId, recorded: false, progress: progressOf(new Set(done.keys())), course: null };
  if (completionRefusal(moduleIds, new Set(done.keys()), input.moduleId) === 'locked') {
    throw new LojalError('module_locked', { module: input.moduleId });
  }

  // The key is the idempotency check: the same completion sent twice at once inserts once.
  const inserted = await sql<{ module_id: string }>`
    INSERT INTO module_completions (program_id, member_id, module_id, course_id, source, completed_at)
    VALUES (${program.id}, ${learner.id}, ${input.moduleId}, ${courseId}, ${input.source}, ${input.now})
    ON CONFLICT DO NOTHING RETURNING module_id`.execute(trx);
  const now = new Set([...done.keys(), input.moduleId]);
  if (inserted.rows.length === 0) return { courseId, moduleId: input.moduleId, recorded: false, progress: progressOf(now), course: null };
  const p = courseProgress(moduleIds, now);
  if (!p.complete) return { courseId, moduleId: input.moduleId, recorded: true, progress: progressOf(now), course: null };
  return { courseId, moduleId: input.moduleId, recorded: true, progress: progressOf(now), course: await completeCourse(trx, program, course, learner, input.now) };
}

async function completeCourse(trx: Db, program: Program, course: Course, learner: Learner, at: Date): Promise<NonNullable<CompletionResult['course']>> {
  const claimed = await sql<{ course_id: string }>`
    INSERT INTO course_completions (program_id, course_id, member_id, completed_at)
    VALUES (${program.id}, ${course.id}, ${learner.id}, ${at}) ON CONFLICT DO NOTHING RETURNING course_id`.execute(trx);
  if (claimed.rows.length === 0) {
    // Completed before: this is a renewal (a new certificate, no second payment), or a race lost.
    const renewed = await finishRenewal(trx, program, course, learner, at);
    if (renewed === undefined) throw new LojalError('concurrent_conflict');
    return { completedAt: at, points: 0, eventId: null, certificate: renewed };
  }
  // The certificate first: the event's tier evaluation then sees it (a level may require it).
  const certificate = course.certificate ? await issueCertificate(trx, program, course, learner, at) : null;

  const r = eventSchema.safeParse(trainingEvent(course, learner, at));
  if (!r.success) throw validationError(r.error.issues);
  const parsed: Parsed = { index: 0, input: r.data, hash: eventHash(r.data), occurredAt: new Date(r.data.occurredAt) };
  let refused: LojalError | undefined;
  const ready = await resolve(trx, program, [parsed], (_i, _id, err) => (refused = err));
  if (refused || ready.length === 0) throw refused ?? new LojalError('internal_error');
  const item = (await processInTransaction(trx, program, ready, at)).get(0)!;
  if (item.status === 'rejected') throw item.error;
  const points = item.record.points;
  await tdb(trx)
    .updateTable('course_completions')
    .set({ event_id: item.record.id, points })
    .where('program_id', '=', program.id)
    .where('course_id', '=', course.id)
    .where('member_id', '=', learner.id)
    .execute();
  return { completedAt: at, points, eventId: item.record.id, certificate };
}

/** Completes a module in a transaction of its own (or the caller's, when given one). */
export function completeModule(db: Db, program: Program, input: CompleteModuleInput): Promise<CompletionResult> {
  return inTransaction(db, (trx) => completeModuleIn(trx, program, input));
}

/**
 * The quiz engine's seam: a member passed quiz `quizId`, so every open module of a published course that
 * names that quiz is completed (a module still locked behind earlier ones is left; the member passes the
 * quiz again when they get there). Call it inside the transaction that records the pass.
 */
export async function completeQuizModules(trx: Db, program: Program, memberId: string, quizId: string, now: Date): Promise<CompletionResult[]> {
  const modules = await tdb(trx)
    .selectFrom('course_modules as m')
    .innerJoin('courses as c', (j) => j.onRef('c.program_id', '=', 'm.program_id').onRef('c.id', '=', 'm.course_id'))
    .select(['m.id'])
    .where('m.program_id', '=', program.id)
    .where('m.quiz_id', '=', quizId)
    .where('c.status', '=', 'published')
    .execute();
  const out: CompletionResult[] = [];
  for (const m of modules) {
    try {
      out.push(await completeModuleIn(trx, program, { memberId, moduleId: m.id, source: 'quiz', now }));
    } catch (err) {
      if (err instanceof LojalError && err.code === 'module_locked') continue;
      throw err;
    }
  }
  return out;
}
