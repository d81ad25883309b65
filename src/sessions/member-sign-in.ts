/**
 * Members sign in with a one-time code by e-mail (6 digits to type, or the link in the same mail), or with a
 * password where their program allows one. Asking for a code always gets the same answer; a code row is
 * written even for unknown addresses, so the hourly limit (counted on those rows) reveals nothing either.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { isLanguage, type Language } from '../i18n/index.js';
import { setMemberPasswordHash } from '../accounts/members.js';
import { enqueueMails } from '../mail/index.js';
import { accountLocked, signInLimits } from './limits.js';
import { assertPasswordPolicy, checkPassword, hashPassword, newLinkToken, sha256 } from './passwords.js';
import { revokeMemberSessions } from './store.js';

const normal = (email: string) => email.trim().toLowerCase();
// The code is short, so its hash is bound to its row: equal codes of two rows do not share a hash.
const codeHash = (id: string, code: string) => sha256(`${id}:${code}`);

/** Who gets the mail: the first active (else invited, else pending) member row with the address. */
async function recipientOf(db: Db, email: string) {
  return db
    .selectFrom('members as m')
    .innerJoin('programs as p', 'p.id', 'm.program_id')
    .select(['m.program_id', 'm.language', 'm.status', 'p.name as program_name', 'p.default_language'])
    .where(sql<string>`lower(m.email)`, '=', email)
    .where('m.status', 'in', ['active', 'invited', 'pending'])
    .orderBy(sql`CASE m.status WHEN 'active' THEN 0 WHEN 'invited' THEN 1 ELSE 2 END`)
    .orderBy('m.created_at')
    .executeTakeFirst();
}

/**
 * Issues a code and queues its mail when the address belongs to a member. Returns what was mailed (for the
 * demo's log when no mail server is configured), or undefined when nothing was. 429 past the hourly limit.
 */
export async function startMemberSignIn(
  db: Db,
  input: { email: string; language?: Language | undefined },
  publicUrl: string,
  now: Date,
): Promise<{ code: string; link: string; programId: string } | undefined> {
  const email = normal(input.email);
  return db.transaction().execute(async (trx) => {
    // Serializes requests for one address (without a row to lock) so that the count below holds.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${'member-sign-in:' + email}))`.execute(trx);
    const recent = await trx
      .selectFrom('member_sign_in_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('email', '=', email)
      .where('created_at', '>', new Date(now.getTime() - 3600_000))
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= signInLimits.memberCodesPerHour) throw new LojalError('too_many_attempts');
    const id = uuidv7();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const token = newLinkToken();
    await trx
      .insertInto('member_sign_in_codes')
      .values({ id, email, code_hash: codeHash(id, code), link_token_hash: sha256(token), expires_at: new Date(now.getTime() + signInLimits.memberCodeMs), created_at: now })
      .execute();
    const to = await recipientOf(trx, email);
    if (!to) return undefined;
    const language: Language = isLanguage(to.language) ? to.language : input.language ?? (to.default_language as Language);
    const link = `${publicUrl}/sign-in?token=${token}`;
    await enqueueMails(trx, to.program_id, [
      {
        template: 'member_sign_in_code',
        to: email,
        language,
        params: { code, link, program: to.program_name, minutes: String(signInLimits.memberCodeMs / 60_000) },
      },
    ], now);
    return { code, link, programId: to.program_id };
  });
}

type CodeRow = { id: string; email: string; code_hash: string; failed_attempts: number; expires_at: Date; used_at: Date | null };

/** Spends a code (or its link) and returns the e-mail address it proves. */
export async function verifyMemberCode(db: Db, input: { email: string; code: string } | { token: string }, now: Date): Promise<string> {
  // A wrong guess must be counted even though the answer is an error: the transaction commits, then we throw.
  const outcome = await db.transaction().execute(async (trx): Promise<string | LojalError> => {
    const dead = (r: CodeRow) => r.failed_attempts >= signInLimits.memberCodeAttempts;
    if ('token' in input) {
      const row = await trx.selectFrom('member_sign_in_codes').selectAll().where('link_token_hash', '=', sha256(input.token)).forUpdate().executeTakeFirst();
      if (!row || row.used_at) throw new LojalError('invalid_sign_in_code');
      if (dead(row)) throw new LojalError('too_many_attempts');
      if (row.expires_at <= now) throw new LojalError('sign_in_code_expired');
      await spend(trx, row.id, now);
      return row.email;
    }
    const email = normal(input.email);
    const rows = await trx
      .selectFrom('member_sign_in_codes')
      .selectAll()
      .where('email', '=', email)
      .where('used_at', 'is', null)
      .where('created_at', '>', new Date(now.getTime() - 3600_000))
      .orderBy('created_at', 'desc')
      .forUpdate()
      .execute();
    const live = rows.filter((r) => !dead(r) && r.expires_at > now);
    const match = live.find((r) => r.code_hash === codeHash(r.id, input.code.trim()));
    if (match) {
      await spend(trx, match.id, now);
      return email;
    }
    if (live.length > 0) {
      // Every live code of the address takes the wrong guess, counted by the database.
      await trx
        .updateTable('member_sign_in_codes')
        .set({ failed_attempts: sql`failed_attempts + 1` })
        .where('id', 'in', live.map((r) => r.id))
        .execute();
      return new LojalError('invalid_sign_in_code');
    }
    const newest = rows[0];
    if (newest && dead(newest)) throw new LojalError('too_many_attempts');
    if (newest) throw new LojalError('sign_in_code_expired');
    throw new LojalError('invalid_sign_in_code');
  });
  if (outcome instanceof LojalError) throw outcome;
  return outcome;
}

async function spend(trx: Db, id: string, now: Date): Promise<void> {
  const spent = await trx.updateTable('member_sign_in_codes').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  if (spent.numUpdatedRows === 0n) throw new LojalError('invalid_sign_in_code');
}

/**
 * A password sign-in: the member rows (active, in programs allowing passwords) whose password matches.
 * Costs one verification even when no row has a password, like the staff sign-in. Five failures in a row for
 * an address lock it for a quarter of an hour (`account_locked`), whether or not the address is known. The
 * attempt is counted before the password is verified, so guesses sent all at once are held to the same five.
 */
export async function memberPasswordMatches(db: Db, input: { email: string; password: string }, now: Date): Promise<string[]> {
  const emailHash = sha256(normal(input.email));
  const attempt = await admitAttempt(db, emailHash, now);
  if (!attempt) throw accountLocked(await lockEnd(db, emailHash, now), now);
  const rows = await db
    .selectFrom('members as m')
    .innerJoin('programs as p', 'p.id', 'm.program_id')
    .select(['m.id', 'm.password_hash'])
    .where(sql<string>`lower(m.email)`, '=', normal(input.email))
    .where('m.status', '=', 'active')
    .where('p.member_passwords', '=', true)
    .where('m.password_hash', 'is not', null)
    .execute();
  if (rows.length === 0) await checkPassword(null, input.password);
  const matches: string[] = [];
  for (const r of rows) if (await checkPassword(r.password_hash, input.password)) matches.push(r.id);
  if (matches.length === 0) {
    const locks = attempt.lockedUntil !== null && attempt.lockedUntil > now;
    throw locks ? accountLocked(attempt.lockedUntil!, now) : new LojalError('invalid_credentials');
  }
  await db.deleteFrom('member_password_failures').where('email_hash', '=', emailHash).execute();
  return matches;
}

/**
 * Counts one attempt for the address in one statement, or refuses it (null) while the address is locked.
 * The attempt reaching the limit locks at once (a success deletes the row, lifting it); a lock that has run
 * out starts the count afresh. Attempts meeting on the row are re-checked against its newest version.
 */
async function admitAttempt(db: Db, emailHash: string, now: Date): Promise<{ failures: number; lockedUntil: Date | null } | null> {
  const limit = signInLimits.memberPasswordFailuresBeforeLock;
  const lockUntil = new Date(now.getTime() + signInLimits.memberPasswordLockMs);
  const lapsed = sql`(f.locked_until IS NOT NULL AND f.locked_until <= ${now})`;
  const next = sql`(CASE WHEN ${lapsed} THEN 1 ELSE f.failures + 1 END)`;
  const r = await sql<{ failures: number; locked_until: Date | string | null }>`
    INSERT INTO member_password_failures AS f (email_hash, failures, locked_until, updated_at)
    VALUES (${emailHash}, 1, ${limit <= 1 ? lockUntil : null}::timestamptz, ${now})
    ON CONFLICT (email_hash) DO UPDATE SET
      failures = ${next},
      locked_until = CASE WHEN ${next} >= ${limit}::int THEN ${lockUntil}::timestamptz WHEN ${lapsed} THEN NULL ELSE f.locked_until END,
      updated_at = ${now}
    WHERE f.locked_until IS NULL OR f.locked_until <= ${now}
    RETURNING failures, locked_until`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  return { failures: row.failures, lockedUntil: row.locked_until === null ? null : new Date(row.locked_until) };
}

/** When the address's lock ends (a minute from now if a success lifted it meanwhile). */
async function lockEnd(db: Db, emailHash: string, now: Date): Promise<Date> {
  const row = await db.selectFrom('member_password_failures').select('locked_until').where('email_hash', '=', emailHash).executeTakeFirst();
  return row?.locked_until && row.locked_until > now ? row.locked_until : new Date(now.getTime() + 60_000);
}

/** The signed-in member sets a password (where the program allows); their other sessions end. */
export async function setMemberPassword(
  db: Db,
  member: { programId: string; memberId: string; email: string; sessionId: string },
  password: string,
  now: Date,
): Promise<void> {
  const program = await db.selectFrom('programs').select('member_passwords').where('id', '=', member.programId).executeTakeFirstOrThrow();
  if (!program.member_passwords) throw new LojalError('member_passwords_disabled');
  assertPasswordPolicy(password, member.email, 'newPassword');
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await setMemberPasswordHash(trx, member.programId, member.memberId, passwordHash, now);
    await revokeMemberSessions(trx, member.programId, member.memberId, member.sessionId, now);
  });
}
