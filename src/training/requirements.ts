/**
 * The certifications tier levels require ("Gold requires Installer certified"), kept by this module and
 * read by the tier evaluation (src/tiers/job.ts) through `blockedLevelsFor`: a member holds such a level only
 * with a valid certificate of each listed course, an account when one of its members does.
 */
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { heldCertificates } from './certificates.js';
import { blockedLevels, type Requirements } from './certification.js';
import { tdb } from './tables.js';

export const requirementsSchema = z
  .object({
    requirements: z
      .array(z.object({ level: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/), courseIds: z.array(z.uuid()).min(1).max(20) }).strict())
      .max(50),
  })
  .strict();
export type RequirementsInput = z.output<typeof requirementsSchema>;

export async function getRequirements(db: Db, programId: string): Promise<RequirementsInput> {
  const rows = await tdb(db).selectFrom('tier_certification_requirements').select(['level_code', 'course_id']).where('program_id', '=', programId).orderBy('level_code').orderBy('course_id').execute();
  const by = new Map<string, string[]>();
  for (const r of rows) by.set(r.level_code, [...(by.get(r.level_code) ?? []), r.course_id]);
  return { requirements: [...by].map(([level, courseIds]) => ({ level, courseIds })) };
}

export async function putRequirements(db: Db, programId: string, input: RequirementsInput): Promise<RequirementsInput> {
  const levels = new Set((await db.selectFrom('tier_levels').select('code').where('program_id', '=', programId).execute()).map((r) => r.code));
  const courseIds = [...new Set(input.requirements.flatMap((r) => r.courseIds))];
  const courses = courseIds.length
    ? new Set((await tdb(db).selectFrom('courses').select('id').where('program_id', '=', programId).where('id', 'in', courseIds).where('certificate', '=', true).execute()).map((r) => r.id))
    : new Set<string>();
  input.requirements.forEach((r, i) => {
    if (!levels.has(r.level)) throw new LojalError('unknown_tier_level', { level: r.level }, [{ path: `requirements.${i}.level`, message: `${r.level} is not a level of this program's tiers`, code: 'unknown_tier_level' }]);
    r.courseIds.forEach((c, j) => {
      if (!courses.has(c)) throw new LojalError('not_found', { entity: 'course with a certificate', id: c }, [{ path: `requirements.${i}.courseIds.${j}`, message: 'is not a course of this program that issues a certificate' }]);
    });
  });
  await inTransaction(db, async (trx) => {
    await tdb(trx).deleteFrom('tier_certification_requirements').where('program_id', '=', programId).execute();
    const rows = [...new Set(input.requirements.flatMap((r) => r.courseIds.map((c) => `${r.level} ${c}`)))].map((k) => {
      const [level_code, course_id] = k.split(' ') as [string, string];
      return { program_id: programId, level_code, course_id };
    });
    if (rows.length) await tdb(trx).insertInto('tier_certification_requirements').values(rows).execute();
  });
  return getRequirements(db, programId);
}

/** Level code → required course ids: read once per batch of evaluations. */
export async function loadRequirements(db: Db, programId: string): Promise<Requirements> {
  const rows = await tdb(db).selectFrom('tier_certification_requirements').select(['level_code', 'course_id']).where('program_id', '=', programId).execute();
  const requirements = new Map<string, string[]>();
  for (const r of rows) requirements.set(r.level_code, [...(requirements.get(r.level_code) ?? []), r.course_id]);
  return requirements;
}

/**
 * The levels an owner may not hold now for want of a valid certificate (empty: no requirements apply).
 * `requirements` as read by `loadRequirements` for many owners; read here when not given.
 */
export async function blockedLevelsFor(db: Db, programId: string, kind: 'account' | 'member', ownerId: string, now: Date, requirements?: Requirements): Promise<Set<string>> {
  requirements ??= await loadRequirements(db, programId);
  if (requirements.size === 0) return new Set();
  const held = await heldCertificates(db, programId, kind === 'member' ? { memberId: ownerId } : { accountId: ownerId });
  return blockedLevels(requirements, held, now);
}
