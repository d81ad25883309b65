/**
 * What every portal route needs: the member it acts for (from the session, never from the request), their
 * program, the actor journals and the audit log record for them, and the manager check. A member reads and
 * acts only on their own records; a manager also on those of their account and the accounts below it.
 */
import type { FastifyRequest } from 'fastify';
import { isWrite, type ProgramSettingsView, type SettingsCache } from '../cache/settings.js';
import { isManagerOf } from '../accounts/managers.js';
import type { AuditContext } from '../audit/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { actorRef, memberActor } from '../programs/actor.js';
import { getProgram, type Program } from '../programs/programs.js';
import type { MemberContext } from '../sessions/http.js';

export function me(req: FastifyRequest): MemberContext {
  if (!req.member) throw new Error('portal route without `member: true` asks for the member');
  return req.member;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's settings cache (src/cache), for the portal's reads. */
    lojalSettings: SettingsCache;
  }
}

/**
 * The member's program settings as a read sees them: from the server's cache, which notifications keep current
 * (every portal page asks for the program several times at once, and it changes rarely). A write reads afresh.
 */
export const settingsOf = (req: FastifyRequest): ProgramSettingsView | undefined =>
  isWrite(req.method) ? undefined : req.server.lojalSettings?.view(me(req).programId, undefined);

export async function programOf(db: Db, req: FastifyRequest): Promise<Program> {
  const view = settingsOf(req);
  if (view) return view.program(db);
  return (await getProgram(db, me(req).programId))!;
}

/** `member:<id>`: the member did it themselves, signed in to the portal. */
export const memberActorRef = (req: FastifyRequest): string => actorRef(memberActor(me(req)));

export const memberAudit = (req: FastifyRequest): AuditContext => ({ programId: me(req).programId, actor: memberActor(me(req)), ip: req.ip, at: req.clock() });

/**
 * A member's idempotency key, kept apart from everyone else's: two phones that both pick "order-1" must not
 * answer each other's orders, and a key is no way to learn about another member's request.
 */
export const ownKey = (req: FastifyRequest, key: string): string => `portal:${me(req).memberId}:${key}`;

/** The manager routes: only for a manager of the member's own account (and so of the accounts below it). */
export async function requireManager(db: Db, req: FastifyRequest): Promise<MemberContext> {
  const m = me(req);
  if (!(await isManagerOf(db, m.programId, m.memberId, m.accountId))) throw new LojalError('not_a_manager', { member: m.memberId, account: m.accountId });
  return m;
}

/**
 * May the member see a record of this member and account: their own, or one in an account they manage.
 * Anything else is answered as if it did not exist.
 */
export async function requireVisible(db: Db, req: FastifyRequest, owner: { memberId: string; accountId: string }, entity: string, id: string): Promise<void> {
  const m = me(req);
  if (owner.memberId === m.memberId) return;
  if (await isManagerOf(db, m.programId, m.memberId, owner.accountId)) return;
  throw new LojalError('not_found', { entity, id });
}
