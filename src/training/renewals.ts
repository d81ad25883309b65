/**
 * Renewing a certificate. A member whose certificate of a course expires within the reminder window (or has
 * expired) starts a renewal; it reopens what the course says must be taken again — every module
 * (`renewBy: course`) or only the last quiz module (`renewBy: quiz`). Finishing those completes the course
 * again (completeModuleIn → completeCourse), which issues a new certificate with a new code and marks the old
 * one replaced, in one transaction. A renewal pays no points: the training.completed event is the course's
 * first completion's, once per member.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Program } from '../programs/programs.js';
import { currentCertificate, issueCertificate, renewable, type Certificate } from './certificates.js';
import { finalQuizModule, requireCourse, type Course } from './courses.js';
import { tdb } from './tables.js';

export interface Renewal {
  id: string;
  courseId: string;
  certificateId: string;
  startedAt: Date;
  /** The modules taken again. */
  moduleIds: string[];
}

export async function openRenewal(db: Db, programId: string, courseId: string, memberId: string, lock = false) {
  let q = tdb(db)
    .selectFrom('course_renewals')
    .selectAll()
    .where('program_id', '=', programId)
    .where('course_id', '=', courseId)
    .where('member_id', '=', memberId)
    .where('completed_at', 'is', null);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

const reopened = (course: Course): string[] => {
  if (course.certificate?.renewBy === 'quiz') {
    const quiz = finalQuizModule(course);
    if (quiz) return [quiz.id];
  }
  return course.modules.map((m) => m.id);
};

/**
 * Starts (or, when one is open, answers) the member's renewal of their certificate of the course. Refused
 * with 409 `certificate_not_renewable` when they hold no current certificate of it that is renewable now.
 */
export async function startRenewal(db: Db, program: Program, courseId: string, memberId: string, now: Date): Promise<Renewal> {
  return db.transaction().execute(async (trx) => {
    const course = await requireCourse(trx, program.id, courseId);
    if (course.status !== 'published') throw new LojalError('course_not_open', { course: courseId, state: course.status });
    const cert = await currentCertificate(trx, program.id, courseId, memberId, true);
    if (!cert) throw new LojalError('certificate_not_renewable', { certificate: courseId });
    const moduleIds = reopened(course);
    const open = await openRenewal(trx, program.id, courseId, memberId, true);
    if (open) return { id: open.id, courseId, certificateId: open.certificate_id, startedAt: open.started_at, moduleIds };
    if (!renewable(cert, now)) throw new LojalError('certificate_not_renewable', { certificate: cert.id });
    const id = uuidv7();
    // The earlier completions of what is taken again go: the course completion (when it was first finished,
    // what it paid) and the old certificate keep the record of the first round.
    await tdb(trx).deleteFrom('module_completions').where('program_id', '=', program.id).where('member_id', '=', memberId).where('module_id', 'in', moduleIds).execute();
    await tdb(trx)
      .insertInto('course_renewals')
      .values({ program_id: program.id, id, course_id: courseId, member_id: memberId, certificate_id: cert.id, started_at: now })
      .execute();
    return { id, courseId, certificateId: cert.id, startedAt: now, moduleIds };
  });
}

/**
 * Called by completeCourse when the member had completed the course before: with an open renewal, issues the
 * new certificate in place of the old one and closes the renewal; without one, returns undefined.
 */
export async function finishRenewal(
  trx: Db,
  program: Program,
  course: Course,
  member: Parameters<typeof issueCertificate>[3],
  at: Date,
): Promise<Certificate | null | undefined> {
  const open = await openRenewal(trx, program.id, course.id, member.id, true);
  if (!open) return undefined;
  let certificate: Certificate | null = null;
  if (course.certificate) {
    const id = uuidv7();
    // The old one first, so the new one is the member's only current certificate of the course.
    await sql`UPDATE certificates SET replaced_by = ${id}, replaced_at = ${at}
      WHERE program_id = ${program.id} AND id = ${open.certificate_id} AND replaced_by IS NULL`.execute(trx);
    certificate = await issueCertificate(trx, program, course, member, at, id);
  }
  await tdb(trx)
    .updateTable('course_renewals')
    .set({ completed_at: at, new_certificate_id: certificate?.id ?? null })
    .where('program_id', '=', program.id)
    .where('id', '=', open.id)
    .execute();
  return certificate;
}
