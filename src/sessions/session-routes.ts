/**
 * What a page asks first: who is signed in here, and the anti-forgery token for its writes. The sign-in
 * flows themselves (passwords, one-time codes) live next to this in src/sessions.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/database.js';
import { managerRoles } from '../accounts/managers.js';
import type { AppContext } from '../http/server.js';
import { csrfTokenFor, type Session } from './store.js';

export interface MemberChoice {
  programId: string;
  programName: string;
  memberId: string;
  memberName: string;
  accountId: string;
  accountName: string;
  role: string | null;
}

/** The member rows a proven e-mail may act as: every program and account where the person is a member. */
export async function memberChoices(db: Db, email: string): Promise<MemberChoice[]> {
  const rows = await db
    .selectFrom('members as m')
    .innerJoin('programs as p', 'p.id', 'm.program_id')
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'm.program_id').onRef('a.id', '=', 'm.account_id'))
    .select(['m.program_id', 'p.name as program_name', 'm.id', 'm.name', 'm.account_id', 'a.name as account_name', 'm.role'])
    .where((eb) => eb(eb.fn('lower', ['m.email']), '=', email.toLowerCase()))
    .where('m.status', 'in', ['active', 'invited'])
    .orderBy('p.name')
    .orderBy('a.name')
    .execute();
  return rows.map((r) => ({
    programId: r.program_id,
    programName: r.program_name,
    memberId: r.id,
    memberName: r.name,
    accountId: r.account_id,
    accountName: r.account_name,
    role: r.role,
  }));
}

/** The chosen member as the portal shows it; `isManager` decides whether the team pages appear. */
export async function sessionMember(db: Db, session: Session) {
  if (!session.programId || !session.memberId) return null;
  const row = await db
    .selectFrom('members as m')
    .innerJoin('programs as p', 'p.id', 'm.program_id')
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'm.program_id').onRef('a.id', '=', 'm.account_id'))
    .select(['m.id', 'm.name', 'm.email', 'm.role', 'm.language', 'm.program_id', 'p.name as program_name', 'm.account_id', 'a.name as account_name'])
    .where('m.program_id', '=', session.programId)
    .where('m.id', '=', session.memberId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    email: row.email ?? '',
    role: row.role,
    language: row.language,
    programId: row.program_id,
    programName: row.program_name,
    accountId: row.account_id,
    accountName: row.account_name,
    isManager: row.role !== null && managerRoles.includes(row.role),
  };
}

export async function sessionRoutes(app: FastifyInstance, { database }: AppContext) {
  const { db } = database;

  app.get('/auth/staff/session', { config: { staffSession: true }, schema: { tags: ['sessions'], summary: 'The signed-in staff user' } }, async (req) => {
    const session = req.session!;
    const row = await db
      .selectFrom('staff_users as s')
      .innerJoin('programs as p', 'p.id', 's.program_id')
      .select(['s.id', 's.name', 's.email', 's.role', 'p.id as program_id', 'p.name as program_name', 'p.default_language', 'p.currency'])
      .where('s.program_id', '=', session.programId!)
      .where('s.id', '=', session.staffUserId!)
      .executeTakeFirstOrThrow();
    return {
      staff: { id: row.id, name: row.name, email: row.email, role: row.role },
      program: { id: row.program_id, name: row.program_name, defaultLanguage: row.default_language, currency: row.currency },
      csrfToken: csrfTokenFor(session),
    };
  });

  app.get('/auth/member/session', { config: { member: 'any' }, schema: { tags: ['sessions'], summary: 'The signed-in member' } }, async (req) => {
    const session = req.session!;
    return {
      csrfToken: csrfTokenFor(session),
      email: session.email!,
      member: await sessionMember(db, session),
      choices: await memberChoices(db, session.email!),
    };
  });
}
