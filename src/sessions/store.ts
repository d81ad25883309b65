/**
 * Browser sessions of staff users and members. The cookie carries a random token; the row is found by the
 * token's SHA-256, so neither a copy of the table nor a log line of it signs anybody in.
 *
 * Sessions expire when idle (pushed forward while used, at most once a minute so that every page view is not a
 * write) and, regardless of use, at an absolute limit after sign-in.
 */
import { createHash, randomBytes } from 'node:crypto';
import Tokens from '@fastify/csrf';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';

export type SessionKind = 'staff' | 'member';

export const sessionLifetimes: Record<SessionKind, { idleMs: number; absoluteMs: number }> = {
  // The console is a workplace tool on shared office machines: a working day idle, a week at most.
  staff: { idleMs: 8 * 3600_000, absoluteMs: 7 * 24 * 3600_000 },
  // A foreman on a building site should not have to sign in again every time he opens the portal.
  member: { idleMs: 30 * 24 * 3600_000, absoluteMs: 90 * 24 * 3600_000 },
};

const touchEveryMs = 60_000;

export interface Session {
  id: string;
  kind: SessionKind;
  programId: string | null;
  staffUserId: string | null;
  email: string | null;
  memberId: string | null;
  /** Member sessions started with a password: the member rows it may act for (null: all with the e-mail). */
  memberIds: string[] | null;
  csrfSecret: string;
  expiresAt: Date;
}

const csrfTokens = Tokens();
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface NewSession {
  kind: SessionKind;
  programId?: string | null;
  staffUserId?: string | null;
  email?: string | null;
  memberId?: string | null;
  memberIds?: string[] | null;
  ip?: string | null;
  userAgent?: string | null;
}

/** Starts a session; the returned token goes into the cookie and is not kept anywhere else. */
export async function createSession(db: Db, input: NewSession, now: Date): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const life = sessionLifetimes[input.kind];
  const row = await db
    .insertInto('web_sessions')
    .values({
      id: uuidv7(),
      token_hash: hashToken(token),
      kind: input.kind,
      program_id: input.programId ?? null,
      staff_user_id: input.staffUserId ?? null,
      email: input.email ?? null,
      member_id: input.memberId ?? null,
      member_ids: input.memberIds ?? null,
      csrf_secret: csrfTokens.secretSync(),
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + life.idleMs),
      absolute_expires_at: new Date(now.getTime() + life.absoluteMs),
      ip: input.ip ?? null,
      user_agent: input.userAgent?.slice(0, 500) ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, session: toSession(row) };
}

type Row = {
  id: string;
  kind: SessionKind;
  program_id: string | null;
  staff_user_id: string | null;
  email: string | null;
  member_id: string | null;
  member_ids: string[] | null;
  csrf_secret: string;
  expires_at: Date;
};
const toSession = (r: Row): Session => ({
  id: r.id,
  kind: r.kind,
  programId: r.program_id,
  staffUserId: r.staff_user_id,
  email: r.email,
  memberId: r.member_id,
  memberIds: r.member_ids,
  csrfSecret: r.csrf_secret,
  expiresAt: r.expires_at,
});

/** The live session of a token, or undefined (unknown, revoked, expired or of the other kind). */
export async function findSession(db: Db, kind: SessionKind, token: string, now: Date): Promise<Session | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const row = await db
    .selectFrom('web_sessions')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('kind', '=', kind)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('absolute_expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  if (now.getTime() - row.last_seen_at.getTime() > touchEveryMs) {
    const expires = new Date(Math.min(now.getTime() + sessionLifetimes[kind].idleMs, row.absolute_expires_at.getTime()));
    await db.updateTable('web_sessions').set({ last_seen_at: now, expires_at: expires }).where('id', '=', row.id).execute();
    row.expires_at = expires;
  }
  return toSession(row);
}

/** Settles which member row a member session acts as (after the member picked an account). */
export async function chooseSessionMember(db: Db, sessionId: string, programId: string, memberId: string): Promise<void> {
  await db.updateTable('web_sessions').set({ program_id: programId, member_id: memberId }).where('id', '=', sessionId).execute();
}

export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db.updateTable('web_sessions').set({ revoked_at: now }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}

/** Ends every session of a member row but for `except` (its password changed). */
export async function revokeMemberSessions(db: Db, programId: string, memberId: string, except: string | undefined, now: Date): Promise<number> {
  let q = db
    .updateTable('web_sessions')
    .set({ revoked_at: now })
    .where('program_id', '=', programId)
    .where('member_id', '=', memberId)
    .where('revoked_at', 'is', null);
  if (except) q = q.where('id', '<>', except);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/** Ends every session of a staff user (password changed or reset, deactivated), but for `except`. */
export async function revokeStaffSessions(db: Db, programId: string, staffUserId: string, except: string | undefined, now: Date): Promise<number> {
  let q = db
    .updateTable('web_sessions')
    .set({ revoked_at: now })
    .where('program_id', '=', programId)
    .where('staff_user_id', '=', staffUserId)
    .where('revoked_at', 'is', null);
  if (except) q = q.where('id', '<>', except);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The anti-forgery token a page sends back in `x-csrf-token`; a new one per call, all valid for the session. */
export const csrfTokenFor = (session: Session): string => csrfTokens.create(session.csrfSecret);

export const csrfTokenValid = (session: Session, token: unknown): boolean =>
  typeof token === 'string' && token.length > 0 && csrfTokens.verify(session.csrfSecret, token);
