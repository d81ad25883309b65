/**
 * How a browser session turns into a caller. Staff sessions produce the same `AuthContext` an API key of the
 * person would, so the console uses the very API integrations use, with the role's scopes. Member sessions
 * produce a `MemberContext` for the portal's routes, which only ever act for that one member.
 *
 * Writes made with a session cookie must carry the session's anti-forgery token in `x-csrf-token`; the cookie
 * alone (which a browser attaches to a forged cross-site request) is not enough. Requests with an API key in
 * the Authorization header carry no ambient credentials and need no such token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { isLanguage, type Language } from '../i18n/index.js';
import { roleScopes, type AuthContext } from '../programs/api-keys.js';
import type { StaffRole } from '../db/schema.js';
import { csrfTokenValid, findSession, sessionLifetimes, type Session, type SessionKind } from './store.js';

export const sessionCookies: Record<SessionKind, string> = { staff: 'lojal_staff', member: 'lojal_member' };

declare module 'fastify' {
  interface FastifyInstance {
    /** The public URL is https (LOJAL_PUBLIC_URL): every session cookie is Secure. */
    lojalSecureCookies: boolean;
  }
}

/**
 * Whether this request's session cookies are Secure: always when the public URL is https, else when the
 * request itself came over https (seen through a proxy only when LOJAL_TRUST_PROXY trusts it).
 */
export const secureCookies = (req: FastifyRequest): boolean => req.server.lojalSecureCookies === true || req.protocol === 'https';

/**
 * The cookie's name for this request. A Secure cookie carries the `__Host-` prefix, which browsers accept only
 * from https, with path=/ and no Domain, so neither a plain-http page nor a sibling subdomain can plant or
 * overwrite a session (fixation). On such requests the unprefixed name is not read at all, for the same reason.
 */
export const sessionCookieName = (req: FastifyRequest, kind: SessionKind): string =>
  secureCookies(req) ? `__Host-${sessionCookies[kind]}` : sessionCookies[kind];

/** Whether the request carries a session cookie of this kind (under the name its protocol reads). */
export const hasSessionCookie = (req: FastifyRequest, kind: SessionKind): boolean => Boolean(req.cookies[sessionCookieName(req, kind)]);

/** The member a portal request acts for. */
export interface MemberContext {
  sessionId: string;
  programId: string;
  memberId: string;
  accountId: string;
  email: string;
  name: string;
  /** The member's own language, else the program's. */
  language: Language;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function setSessionCookie(reply: FastifyReply, kind: SessionKind, token: string): void {
  reply.setCookie(sessionCookieName(reply.request, kind), token, {
    path: '/',
    httpOnly: true,
    // Lax, not Strict: a member following the sign-in link from a mail must arrive signed in.
    sameSite: 'lax',
    secure: secureCookies(reply.request),
    maxAge: Math.floor(sessionLifetimes[kind].absoluteMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, kind: SessionKind): void {
  reply.clearCookie(sessionCookieName(reply.request, kind), { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies(reply.request) });
}

/** The live session of the request's cookie of this kind, with the anti-forgery check for writes. */
export async function sessionOfRequest(db: Db, req: FastifyRequest, kind: SessionKind, now: Date): Promise<Session> {
  const token = req.cookies[sessionCookieName(req, kind)];
  const session = token ? await findSession(db, kind, token, now) : undefined;
  if (!session) throw new LojalError('session_required');
  if (!safeMethods.has(req.method) && !csrfTokenValid(session, req.headers['x-csrf-token'])) throw new LojalError('csrf_token_invalid');
  return session;
}

/** A staff session as an API caller: the person's role decides the scopes. */
export async function staffAuthOfSession(db: Db, session: Session): Promise<AuthContext> {
  const row = await db
    .selectFrom('staff_users as s')
    .innerJoin('programs as p', 'p.id', 's.program_id')
    .select(['s.id', 's.name', 's.role', 's.active', 'p.default_language'])
    .where('s.program_id', '=', session.programId!)
    .where('s.id', '=', session.staffUserId!)
    .executeTakeFirst();
  // Deactivated since signing in: the session ends with the person's access.
  if (!row || !row.active) throw new LojalError('session_required');
  const role = row.role as StaffRole;
  return {
    programId: session.programId!,
    keyId: session.id,
    keyName: 'browser session',
    scopes: roleScopes[role],
    language: row.default_language as Language,
    staff: { id: row.id, name: row.name, role },
  };
}

/** The member a session acts for; `member_not_chosen` while a member of several accounts has not picked one. */
export async function memberOfSession(db: Db, session: Session): Promise<MemberContext> {
  if (!session.memberId || !session.programId) throw new LojalError('member_not_chosen');
  const row = await db
    .selectFrom('members as m')
    .innerJoin('programs as p', 'p.id', 'm.program_id')
    .select(['m.id', 'm.account_id', 'm.name', 'm.email', 'm.language', 'm.status', 'p.default_language'])
    .where('m.program_id', '=', session.programId)
    .where('m.id', '=', session.memberId)
    .executeTakeFirst();
  // Closed or suspended since signing in, or the e-mail changed: the session no longer speaks for them.
  if (!row || row.status === 'closed' || row.status === 'suspended' || row.email?.toLowerCase() !== session.email?.toLowerCase()) {
    throw new LojalError('session_required');
  }
  return {
    sessionId: session.id,
    programId: session.programId,
    memberId: row.id,
    accountId: row.account_id,
    email: row.email!,
    name: row.name,
    language: isLanguage(row.language) ? row.language : (row.default_language as Language),
  };
}
