/**
 * The credential columns of `staff_users` (password hash, failed sign-ins, lock): this module owns the table, so
 * the sign-in and password code in `src/sessions` changes them only through these functions.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface StaffRef {
  programId: string;
  id: string;
}

/** One counted sign-in attempt: the count after it, and the lock it leaves standing (if any). */
export interface SignInAttempt {
  count: number;
  lockedUntil: Date | null;
}

/**
 * Counts one attempt in one conditional statement, refusing it (undefined) while the user is locked. The
 * attempt that reaches `failuresBeforeLock` locks until `lockUntil`; a lock that has run out starts the count
 * afresh. PostgreSQL re-checks the condition against the newest row when attempts meet on it, so no more than
 * the limit are ever let through between successes.
 */
export async function admitStaffSignInAttempt(
  db: Db,
  user: StaffRef,
  limits: { failuresBeforeLock: number; lockUntil: Date },
  now: Date,
): Promise<SignInAttempt | undefined> {
  const lapsed = sql<boolean>`(locked_until IS NOT NULL AND locked_until <= ${now})`;
  const next = sql<number>`(CASE WHEN ${lapsed} THEN 1 ELSE failed_sign_ins + 1 END)`;
  const row = await db
    .updateTable('staff_users')
    .set({
      failed_sign_ins: next,
      locked_until: sql<Date | null>`CASE WHEN ${next} >= ${limits.failuresBeforeLock}::int THEN ${limits.lockUntil}::timestamptz WHEN ${lapsed} THEN NULL ELSE locked_until END`,
    })
    .where('program_id', '=', user.programId)
    .where('id', '=', user.id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning(['failed_sign_ins', 'locked_until'])
    .executeTakeFirst();
  return row && { count: row.failed_sign_ins, lockedUntil: row.locked_until };
}

/** A success: the count goes back to zero and any lock is lifted. */
export async function resetStaffSignInAttempts(db: Db, user: StaffRef): Promise<void> {
  await db.updateTable('staff_users').set({ failed_sign_ins: 0, locked_until: null }).where('program_id', '=', user.programId).where('id', '=', user.id).execute();
}

/** Undoes one admitted attempt: one off the count, and the lock it set (if it set one and it still stands). */
export async function takeBackStaffSignInAttempt(db: Db, user: StaffRef, attempt: SignInAttempt): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({
      failed_sign_ins: sql<number>`GREATEST(failed_sign_ins - 1, 0)`,
      locked_until: attempt.lockedUntil ? sql<Date | null>`CASE WHEN locked_until = ${attempt.lockedUntil}::timestamptz THEN NULL ELSE locked_until END` : sql<Date | null>`locked_until`,
    })
    .where('program_id', '=', user.programId)
    .where('id', '=', user.id)
    .execute();
}

/** When the latest lock among these users ends, if any still stands at `now`. */
export async function latestStaffLockEnd(db: Db, ids: string[], now: Date): Promise<Date | undefined> {
  if (ids.length === 0) return undefined;
  const rows = await db.selectFrom('staff_users').select('locked_until').where('id', 'in', ids).execute();
  const ends = rows.map((r) => r.locked_until).filter((d): d is Date => d !== null && d > now);
  return ends.sort((a, b) => b.getTime() - a.getTime())[0];
}

/** Stores a new password hash; the failure count and any lock go with the old password. */
export async function setStaffPasswordHash(db: Db, user: StaffRef, passwordHash: string, now: Date): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ password_hash: passwordHash, failed_sign_ins: 0, locked_until: null, updated_at: now })
    .where('program_id', '=', user.programId)
    .where('id', '=', user.id)
    .execute();
}
