/**
 * Staff users sign in with e-mail and password. One answer for an unknown address, a wrong password and a
 * user without a password yet (each costs one argon2 verification), so the sign-in form tells nobody which
 * addresses exist. Failures in a row lock the user for a while; a success resets the count. Attempts are counted
 * before the password is verified, so a crowd of guesses sent at once gets no more verifications than one by one.
 */
import { sql } from 'kysely';
import { recordAudit, type AuditContext } from '../audit/index.js';
import { inTransaction, type Db } from '../db/database.js';
import type { StaffRole } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { accountLocked, signInLimits } from './limits.js';
import { assertPasswordPolicy, checkPassword, hashPassword } from './passwords.js';
import { createSession, csrfTokenFor, revokeSession, revokeStaffSessions, type Session } from './store.js';
import { programsOfStaff, staffUserInProgram, type ProgramChoice } from '../programs/instance.js';
import {
  admitStaffSignInAttempt,
  latestStaffLockEnd,
  resetStaffSignInAttempts,
  setStaffPasswordHash,
  takeBackStaffSignInAttempt,
  type SignInAttempt,
  type StaffRef,
} from '../programs/staff-credentials.js';

export interface StaffSessionBody {
  staff: { id: string; name: string; email: string; role: StaffRole };
  program: { id: string; name: string; defaultLanguage: string; currency: string };
  programs: ProgramChoice[];
  instanceAdmin: boolean;
  csrfToken: string;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

type Candidate = {
  program_id: string;
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  password_hash: string | null;
  program_name: string;
};

const staffActor = (c: { program_id: string; id: string; name: string }, ip: string | null, at: Date): AuditContext => ({
  programId: c.program_id,
  actor: { kind: 'staff', id: c.id, label: c.name },
  ip,
  at,
});


export async function signInStaff(
  db: Db,
  input: { email: string; password: string; programId?: string | undefined },
  meta: RequestMeta,
  now: Date,
): Promise<{ token: string; body: StaffSessionBody }> {
  const candidates: Candidate[] = await db
    .selectFrom('staff_users as s')
    .innerJoin('programs as p', 'p.id', 's.program_id')
    .select(['s.program_id', 's.id', 's.name', 's.email', 's.role', 's.password_hash', 'p.name as program_name'])
    .where(sql<string>`lower(s.email)`, '=', input.email.trim().toLowerCase())
    .where('s.active', '=', true)
    .where('s.password_hash', 'is not', null)
    .$if(input.programId !== undefined, (q) => q.where('s.program_id', '=', input.programId!))
    .orderBy('p.name')
    .execute();
  if (candidates.length === 0) {
    await checkPassword(null, input.password);
    throw new LojalError('invalid_credentials');
  }

  // Every attempt is counted before its password is verified, so attempts sent at the same moment cannot
  // all pass a lock read before any of them failed: past the limit they are refused unverified.
  const admitted: Array<{ user: Candidate; attempt: Attempt }> = [];
  const refused: Candidate[] = [];
  for (const c of candidates) {
    const attempt = await admitAttempt(db, c, now);
    if (attempt) admitted.push({ user: c, attempt });
    else refused.push(c);
  }
  if (admitted.length === 0) throw accountLocked(await lockEnd(db, refused, now), now);

  const matches: typeof admitted = [];
  const failed: typeof admitted = [];
  for (const a of admitted) ((await checkPassword(a.user.password_hash, input.password)) ? matches : failed).push(a);

  if (matches.length > 0) {
    // Someone who knows the password of one of their programs has not failed at the others: their counts are
    // taken back, as if those programs had not been tried.
    for (const f of failed) await takeBackAttempt(db, f.user, f.attempt);
    if (matches.length > 1) for (const m of matches) await resetAttempts(db, m.user);
  }
  if (matches.length > 1) {
    throw new LojalError('choose_program', {}, undefined, { programs: matches.map(({ user: c }) => ({ id: c.program_id, name: c.program_name })) });
  }
  if (matches.length === 1) {
    const user = matches[0]!.user;
    await db.transaction().execute(async (trx) => {
      await resetAttempts(trx, user);
      await recordAudit(trx, { ...staffActor(user, meta.ip, now), action: 'staff_user.sign_in', entity: 'staff_user', entityId: user.id }, now);
    });
    const { token, session } = await createSession(db, { kind: 'staff', programId: user.program_id, staffUserId: user.id, ip: meta.ip, userAgent: meta.userAgent }, now);
    return { token, body: await staffSessionBody(db, session) };
  }

  let lockedNow: Date | undefined;
  for (const { user, attempt } of failed) {
    const locks = attempt.lockedUntil !== null && attempt.lockedUntil > now;
    await inTransaction(db, (trx) => recordAudit(trx, {
      ...staffActor(user, meta.ip, now),
      action: locks ? 'staff_user.locked' : 'staff_user.sign_in_failed',
      entity: 'staff_user',
      entityId: user.id,
      after: { failedSignIns: attempt.count, lockedUntil: attempt.lockedUntil },
    }, now));
    if (locks && (!lockedNow || attempt.lockedUntil! > lockedNow)) lockedNow = attempt.lockedUntil!;
  }
  if (lockedNow) throw accountLocked(lockedNow, now);
  if (refused.length > 0) throw accountLocked(await lockEnd(db, refused, now), now);
  throw new LojalError('invalid_credentials');
}

type Attempt = SignInAttempt;
const ref = (c: Candidate): StaffRef => ({ programId: c.program_id, id: c.id });

/** Counts the attempt before the password is checked (undefined while the user is locked); a success resets it. */
const admitAttempt = (db: Db, c: Candidate, now: Date): Promise<Attempt | undefined> =>
  admitStaffSignInAttempt(db, ref(c), { failuresBeforeLock: signInLimits.staffFailuresBeforeLock, lockUntil: new Date(now.getTime() + signInLimits.staffLockMs) }, now);
const resetAttempts = (db: Db, c: Candidate): Promise<void> => resetStaffSignInAttempts(db, ref(c));
const takeBackAttempt = (db: Db, c: Candidate, attempt: Attempt): Promise<void> => takeBackStaffSignInAttempt(db, ref(c), attempt);

/** When the latest lock of refused users ends (a minute from now if a success lifted it meanwhile). */
async function lockEnd(db: Db, refused: Candidate[], now: Date): Promise<Date> {
  return (await latestStaffLockEnd(db, refused.map((c) => c.id), now)) ?? new Date(now.getTime() + 60_000);
}

/** What the console learns about its session: who, in which program, and a fresh anti-forgery token. */
export async function staffSessionBody(db: Db, session: Session): Promise<StaffSessionBody> {
  const row = await db
    .selectFrom('staff_users as s')
    .innerJoin('programs as p', 'p.id', 's.program_id')
    .select(['s.id', 's.name', 's.email', 's.role', 's.instance_admin', 'p.id as program_id', 'p.name as program_name', 'p.default_language', 'p.currency'])
    .where('s.program_id', '=', session.programId!)
    .where('s.id', '=', session.staffUserId!)
    .executeTakeFirstOrThrow();
  return {
    staff: { id: row.id, name: row.name, email: row.email, role: row.role },
    program: { id: row.program_id, name: row.program_name, defaultLanguage: row.default_language, currency: row.currency },
    programs: await programsOfStaff(db, row.program_id, row.id),
    instanceAdmin: row.instance_admin,
    csrfToken: csrfTokenFor(session),
  };
}

/**
 * Moves a console session to another program of the same person (src/programs/instance.ts): the old session
 * ends and a new one starts there, recorded as a sign-in in that program's audit log.
 */
export async function switchStaffProgram(db: Db, session: Session, programId: string, meta: RequestMeta, now: Date): Promise<{ token: string; body: StaffSessionBody }> {
  const target = await staffUserInProgram(db, { programId: session.programId!, staffUserId: session.staffUserId! }, programId);
  const user = await db.selectFrom('staff_users').select(['program_id', 'id', 'name']).where('program_id', '=', target.programId).where('id', '=', target.staffUserId).executeTakeFirstOrThrow();
  await db.transaction().execute(async (trx) => {
    await revokeSession(trx, session.id, now);
    await recordAudit(trx, { ...staffActor(user, meta.ip, now), action: 'staff_user.sign_in', entity: 'staff_user', entityId: user.id, after: { switchedFrom: session.programId } }, now);
  });
  const created = await createSession(db, { kind: 'staff', programId: user.program_id, staffUserId: user.id, ip: meta.ip, userAgent: meta.userAgent }, now);
  return { token: created.token, body: await staffSessionBody(db, created.session) };
}

/**
 * Stores a new password for a staff user: the lock and failure count are cleared, open password links die,
 * and every session but `keepSession` ends (whoever else was signed in with the old password is signed out).
 */
export async function storeStaffPassword(
  trx: Db,
  user: { programId: string; id: string; email: string },
  password: string,
  opts: { field: string; keepSession?: string | undefined; audit: AuditContext; action: string },
  now: Date,
): Promise<void> {
  assertPasswordPolicy(password, user.email, opts.field);
  const passwordHash = await hashPassword(password);
  await setStaffPasswordHash(trx, { programId: user.programId, id: user.id }, passwordHash, now);
  await trx
    .updateTable('staff_password_resets')
    .set({ used_at: now })
    .where('program_id', '=', user.programId)
    .where('staff_user_id', '=', user.id)
    .where('used_at', 'is', null)
    .execute();
  await revokeStaffSessions(trx, user.programId, user.id, opts.keepSession, now);
  await recordAudit(trx, { ...opts.audit, action: opts.action, entity: 'staff_user', entityId: user.id }, now);
}

/** The signed-in person changes their own password, proving the current one. */
export async function changeStaffPassword(
  db: Db,
  session: Session,
  input: { currentPassword: string; newPassword: string },
  ip: string | null,
  now: Date,
): Promise<void> {
  const user = await db
    .selectFrom('staff_users')
    .select(['program_id', 'id', 'name', 'email', 'password_hash'])
    .where('program_id', '=', session.programId!)
    .where('id', '=', session.staffUserId!)
    .executeTakeFirstOrThrow();
  if (!(await checkPassword(user.password_hash, input.currentPassword))) {
    throw new LojalError('invalid_credentials', {}, [{ path: 'currentPassword', message: 'wrong password', code: 'invalid_credentials' }]);
  }
  await db.transaction().execute((trx) =>
    storeStaffPassword(trx, { programId: user.program_id, id: user.id, email: user.email }, input.newPassword, {
      field: 'newPassword',
      keepSession: session.id,
      audit: staffActor(user, ip, now),
      action: 'staff_user.password_change',
    }, now),
  );
}

/** An operator sets a password without mail (CLI bootstrap, demo): the lock is cleared, sessions end. */
export async function setStaffPasswordByEmail(db: Db, programId: string, email: string, password: string, audit: AuditContext): Promise<{ id: string }> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('staff_users')
      .select(['program_id', 'id', 'email'])
      .where('program_id', '=', programId)
      .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
      .forUpdate()
      .executeTakeFirst();
    if (!user) throw new LojalError('not_found', { entity: 'staff user', id: email });
    await storeStaffPassword(trx, { programId, id: user.id, email: user.email }, password, { field: 'password', audit, action: 'staff_user.password_set' }, audit.at);
    return { id: user.id };
  });
}
