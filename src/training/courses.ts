/**
 * Courses and their ordered modules as the program team writes them. A draft may change in every way; once
 * published, members have progress on its modules, so only the texts may change (same modules, same kinds,
 * same order) — a new structure is a new course. Publishing needs every file module's file to exist.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { json, tdb, type ModuleKind, type RenewBy, type Status } from './tables.js';
import { localizedText, optionalLocalizedText, type LocalizedText } from './texts.js';

const title = localizedText(200);
const body = optionalLocalizedText(20_000).default({});

export const moduleInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), title, body: localizedText(20_000) }).strict(),
  z
    .object({
      kind: z.literal('video'),
      title,
      body,
      url: z.url({ protocol: /^https$/, message: 'a video link is an https URL, e.g. https://www.youtube.com/watch?v=…' }).max(2000),
    })
    .strict(),
  z.object({ kind: z.literal('file'), title, body, fileId: z.uuid().describe('a file uploaded with POST /v1/training/files') }).strict(),
  z.object({ kind: z.literal('quiz'), title, body, quizId: z.uuid().describe('the quiz (src/quizzes) whose pass completes this module') }).strict(),
]);
export type ModuleInput = z.output<typeof moduleInputSchema>;

export const courseInputSchema = z
  .object({
    code: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'a lowercase code such as installer-basics'),
    title,
    summary: optionalLocalizedText(2000).default({}),
    certificate: z
      .object({
        validMonths: z.number().int().min(1).max(120).nullable().describe('months the certificate is valid; null: it does not expire'),
        renewBy: z
          .enum(['course', 'quiz'])
          .default('course')
          .describe('how a member renews an expiring or expired certificate: `course` takes every module again, `quiz` only the last quiz module'),
      })
      .strict()
      .nullable()
      .default(null)
      .describe('issue a PDF certificate on completion; null: no certificate'),
    modules: z.array(moduleInputSchema).min(1).max(50),
  })
  .strict();
export type CourseInput = z.output<typeof courseInputSchema>;

export interface CourseModule {
  id: string;
  position: number;
  kind: ModuleKind;
  title: LocalizedText;
  body: LocalizedText;
  url: string | null;
  fileId: string | null;
  quizId: string | null;
}

export interface Course {
  id: string;
  code: string;
  title: LocalizedText;
  summary: LocalizedText;
  status: Status;
  certificate: { validMonths: number | null; renewBy: RenewBy } | null;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  modules: CourseModule[];
}

type CourseRow = { id: string; code: string; title: LocalizedText; summary: LocalizedText; status: Status; certificate: boolean; valid_months: number | null; renew_by: RenewBy; published_at: Date | null; created_at: Date; updated_at: Date };

async function modulesOf(db: Db, programId: string, courseIds: string[]): Promise<Map<string, CourseModule[]>> {
  const out = new Map<string, CourseModule[]>(courseIds.map((id) => [id, []]));
  if (courseIds.length === 0) return out;
  const rows = await tdb(db).selectFrom('course_modules').selectAll().where('program_id', '=', programId).where('course_id', 'in', courseIds).orderBy('course_id').orderBy('position').execute();
  for (const r of rows) {
    out.get(r.course_id)!.push({ id: r.id, position: r.position, kind: r.kind, title: r.title, body: r.body, url: r.video_url, fileId: r.file_id, quizId: r.quiz_id });
  }
  return out;
}

const toCourse = (r: CourseRow, modules: CourseModule[]): Course => ({
  id: r.id,
  code: r.code,
  title: r.title,
  summary: r.summary,
  status: r.status,
  certificate: r.certificate ? { validMonths: r.valid_months, renewBy: r.renew_by } : null,
  publishedAt: r.published_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  modules,
});

export async function listCourses(db: Db, programId: string, opts: { status?: Status[]; after?: string; limit?: number } = {}): Promise<Course[]> {
  let q = tdb(db).selectFrom('courses').selectAll().where('program_id', '=', programId);
  if (opts.status?.length) q = q.where('status', 'in', opts.status);
  if (opts.after) q = q.where('id', '>', opts.after);
  const rows = await q.orderBy('id').limit(opts.limit ?? 500).execute();
  const modules = await modulesOf(db, programId, rows.map((r) => r.id));
  return rows.map((r) => toCourse(r, modules.get(r.id)!));
}

export async function findCourse(db: Db, programId: string, id: string, lock = false): Promise<Course | undefined> {
  let q = tdb(db).selectFrom('courses').selectAll().where('program_id', '=', programId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) return undefined;
  return toCourse(r, (await modulesOf(db, programId, [id])).get(id)!);
}

export async function requireCourse(db: Db, programId: string, id: string, lock = false): Promise<Course> {
  const c = await findCourse(db, programId, id, lock);
  if (!c) throw new LojalError('not_found', { entity: 'course', id });
  return c;
}

/** Every file a module names must be one of the program's training files. */
async function checkFiles(db: Db, programId: string, modules: ModuleInput[]): Promise<void> {
  const ids = [...new Set(modules.flatMap((m) => (m.kind === 'file' ? [m.fileId] : [])))];
  if (ids.length === 0) return;
  const found = new Set((await tdb(db).selectFrom('training_files').select('id').where('program_id', '=', programId).where('id', 'in', ids).execute()).map((r) => r.id));
  modules.forEach((m, i) => {
    if (m.kind === 'file' && !found.has(m.fileId)) {
      throw new LojalError('unknown_training_file', { file: m.fileId }, [{ path: `modules.${i}.fileId`, message: 'is not a file uploaded with POST /v1/training/files', code: 'unknown_training_file' }]);
    }
  });
}

const moduleRow = (programId: string, courseId: string, m: ModuleInput, position: number, id = uuidv7()) => ({
  program_id: programId,
  id,
  course_id: courseId,
  position,
  kind: m.kind,
  title: json(m.title),
  body: json(m.body),
  video_url: m.kind === 'video' ? m.url : null,
  file_id: m.kind === 'file' ? m.fileId : null,
  quiz_id: m.kind === 'quiz' ? m.quizId : null,
});

const codeTaken = (code: string) => new LojalError('course_code_taken', { code }, [{ path: 'code', message: `another course has code ${code}`, code: 'course_code_taken' }]);

/** Renewing by the final quiz needs a quiz module to take again. */
function checkRenewal(input: CourseInput): void {
  if (input.certificate?.renewBy === 'quiz' && !input.modules.some((m) => m.kind === 'quiz')) {
    throw new LojalError('validation_failed', {}, [{ path: 'certificate.renewBy', message: 'renewing by quiz needs a quiz module' }]);
  }
}

/** The module a renewal by quiz takes again: the course's last quiz module. */
export const finalQuizModule = (c: Pick<Course, 'modules'>): CourseModule | undefined => c.modules.filter((m) => m.kind === 'quiz').at(-1);

export async function createCourse(db: Db, programId: string, input: CourseInput, now: Date): Promise<Course> {
  checkRenewal(input);
  await checkFiles(db, programId, input.modules);
  const id = uuidv7();
  try {
    await db.transaction().execute(async (trx) => {
      const t = tdb(trx);
      await t
        .insertInto('courses')
        .values({
          program_id: programId,
          id,
          code: input.code,
          title: json(input.title),
          summary: json(input.summary),
          certificate: input.certificate !== null,
          valid_months: input.certificate?.validMonths ?? null,
          renew_by: input.certificate?.renewBy ?? 'course',
          created_at: now,
          updated_at: now,
        })
        .execute();
      await t.insertInto('course_modules').values(input.modules.map((m, i) => moduleRow(programId, id, m, i))).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err, 'courses_program_id_code')) throw codeTaken(input.code);
    throw err;
  }
  return requireCourse(db, programId, id);
}

/**
 * Replaces a course's texts and modules. A published course keeps its structure (the same kinds in the same
 * order, the same video links, files and quizzes): its modules keep their ids and so their completions.
 */
export async function updateCourse(db: Db, programId: string, id: string, input: CourseInput, now: Date): Promise<Course> {
  checkRenewal(input);
  await checkFiles(db, programId, input.modules);
  try {
    await db.transaction().execute(async (trx) => {
      const t = tdb(trx);
      const old = await requireCourse(trx, programId, id, true);
      if (old.status === 'archived') throw new LojalError('course_archived', { course: id });
      const structural = old.status === 'published';
      if (structural) {
        const same =
          old.modules.length === input.modules.length &&
          old.modules.every((m, i) => {
            const n = input.modules[i]!;
            return m.kind === n.kind && m.url === (n.kind === 'video' ? n.url : null) && m.fileId === (n.kind === 'file' ? n.fileId : null) && m.quizId === (n.kind === 'quiz' ? n.quizId : null);
          });
        if (!same) throw new LojalError('course_structure_locked', { course: id });
        if ((old.certificate === null) !== (input.certificate === null)) throw new LojalError('course_structure_locked', { course: id });
      }
      await t
        .updateTable('courses')
        .set({
          code: input.code,
          title: json(input.title),
          summary: json(input.summary),
          certificate: input.certificate !== null,
          valid_months: input.certificate?.validMonths ?? null,
          renew_by: input.certificate?.renewBy ?? 'course',
          updated_at: now,
        })
        .where('program_id', '=', programId)
        .where('id', '=', id)
        .execute();
      if (structural) {
        for (const [i, m] of old.modules.entries()) {
          const n = input.modules[i]!;
          await t.updateTable('course_modules').set({ title: json(n.title), body: json(n.body) }).where('program_id', '=', programId).where('id', '=', m.id).execute();
        }
      } else {
        await t.deleteFrom('course_modules').where('program_id', '=', programId).where('course_id', '=', id).execute();
        await t.insertInto('course_modules').values(input.modules.map((m, i) => moduleRow(programId, id, m, i))).execute();
      }
    });
  } catch (err) {
    if (isUniqueViolation(err, 'courses_program_id_code')) throw codeTaken(input.code);
    throw err;
  }
  return requireCourse(db, programId, id);
}

/** Draft → published (members see it), published → archived (no new starts; certificates stay valid). */
export async function setCourseStatus(db: Db, programId: string, id: string, to: 'published' | 'archived', now: Date): Promise<Course> {
  await db.transaction().execute(async (trx) => {
    const c = await requireCourse(trx, programId, id, true);
    if (c.status === to) return;
    if (to === 'published' && c.status !== 'draft') throw new LojalError('course_state_conflict', { course: id, state: c.status });
    await tdb(trx)
      .updateTable('courses')
      .set({ status: to, updated_at: now, ...(to === 'published' && { published_at: now }) })
      .where('program_id', '=', programId)
      .where('id', '=', id)
      .execute();
  });
  return requireCourse(db, programId, id);
}

/** Per course: members who started (completed a module) and who completed it; per module: completions. */
export async function courseFigures(db: Db, programId: string, courseIds: string[]) {
  const started = new Map<string, number>();
  const completed = new Map<string, number>();
  const perModule = new Map<string, number>();
  if (courseIds.length === 0) return { started, completed, perModule };
  const s = await sql<{ course_id: string; module_id: string; n: string; members: string }>`
    SELECT course_id, module_id, count(*) AS n, 0 AS members FROM module_completions
    WHERE program_id = ${programId} AND course_id IN (${sql.join(courseIds)}) GROUP BY course_id, module_id`.execute(db);
  for (const r of s.rows) perModule.set(r.module_id, Number(r.n));
  const st = await sql<{ course_id: string; n: string }>`
    SELECT course_id, count(DISTINCT member_id) AS n FROM module_completions
    WHERE program_id = ${programId} AND course_id IN (${sql.join(courseIds)}) GROUP BY course_id`.execute(db);
  for (const r of st.rows) started.set(r.course_id, Number(r.n));
  const c = await sql<{ course_id: string; n: string }>`
    SELECT course_id, count(*) AS n FROM course_completions
    WHERE program_id = ${programId} AND course_id IN (${sql.join(courseIds)}) GROUP BY course_id`.execute(db);
  for (const r of c.rows) completed.set(r.course_id, Number(r.n));
  return { started, completed, perModule };
}
