/**
 * Which member a member session acts for. One e-mail address may belong to member rows in several
 * accounts and programs; the person chooses one. Active members can be chosen, and invited ones too when
 * the session proved the address with a code (the same proof the invitation link gives): choosing makes
 * them active. Pending (awaiting a manager's approval), suspended and closed members cannot be chosen.
 */
import { sql } from 'kysely';
import { managerRoles, moveMemberStatus } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { isLanguage } from '../i18n/index.js';
import { chooseSessionMember, createSession, csrfTokenFor, type Session } from './store.js';
import type { RequestMeta } from './staff-sign-in.js';

export interface MemberChoice {
  programId: string;
  programName: string;
  memberId: string;
  memberName: string;
  accountId: string;
  accountName: string;
  role: string | null;
}

export interface MemberBody {
  id: string;
  name: string;
  email: string;
  role: string | null;
  language: string;
  programId: string;
  programName: string;
  accountId: string;
  accountName: string;
  isManager: boolean;
}

export interface MemberSessionBody {
  csrfToken: string;
  email: string;
  member: MemberBody | null;
  choices: MemberChoice[];
}

const choosable = ['active', 'invited'];

/** Member rows with the e-mail (any case), limited to `memberIds` when given, with program and account. */
function rowsOf(db: Db, email: string, memberIds: string[] | null) {
  return db
    .selectFrom('members as m')
    .innerJoin('programs as p', 'p.id', 'm.program_id')
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'm.program_id').onRef('a.id', '=', 'm.account_id'))
    .select([
      'm.program_id', 'm.id', 'm.name', 'm.email', 'm.role', 'm.language', 'm.status', 'm.account_id',
      'p.name as program_name', 'p.default_language', 'a.name as account_name',
    ])
    .where(sql<string>`lower(m.email)`, '=', email.toLowerCase())
    .$if(memberIds !== null, (q) => q.where('m.id', 'in', memberIds!.length ? memberIds! : ['00000000-0000-0000-0000-000000000000']))
    .orderBy('p.name')
    .orderBy('a.name')
    .orderBy('m.id');
}

export async function choicesOf(db: Db, email: string, memberIds: string[] | null): Promise<MemberChoice[]> {
  const rows = await rowsOf(db, email, memberIds).where('m.status', 'in', choosable).execute();
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

export async function memberBody(db: Db, programId: string, memberId: string): Promise<MemberBody> {
  const r = await db
    .selectFrom('members as m')
    .innerJoin('programs as p', 'p.id', 'm.program_id')
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'm.program_id').onRef('a.id', '=', 'm.account_id'))
    .select(['m.id', 'm.name', 'm.email', 'm.role', 'm.language', 'm.account_id', 'p.id as program_id', 'p.name as program_name', 'p.default_language', 'a.name as account_name'])
    .where('m.program_id', '=', programId)
    .where('m.id', '=', memberId)
    .executeTakeFirstOrThrow();
  return {
    id: r.id,
    name: r.name,
    email: r.email!,
    role: r.role,
    language: isLanguage(r.language) ? r.language : r.default_language,
    programId: r.program_id,
    programName: r.program_name,
    accountId: r.account_id,
    accountName: r.account_name,
    isManager: r.role !== null && managerRoles.includes(r.role),
  };
}

export async function memberSessionBody(db: Db, session: Session): Promise<MemberSessionBody> {
  const choices = await choicesOf(db, session.email!, session.memberIds);
  const chosen = session.memberId && session.programId && choices.some((c) => c.memberId === session.memberId);
  return {
    csrfToken: csrfTokenFor(session),
    email: session.email!,
    member: chosen ? await memberBody(db, session.programId!, session.memberId!) : null,
    choices,
  };
}

/**
 * After the e-mail (code) or a password was proven: a session for the address, limited to `memberIds` for a
 * password. Nobody to act for is an error (with its reason when the only rows await approval); exactly one
 * member is chosen at once.
 */
export async function startMemberSession(
  db: Db,
  email: string,
  memberIds: string[] | null,
  meta: RequestMeta,
  now: Date,
): Promise<{ token: string; body: MemberSessionBody }> {
  const choices = await choicesOf(db, email, memberIds);
  if (choices.length === 0) {
    const pending = await rowsOf(db, email, memberIds).where('m.status', '=', 'pending').executeTakeFirst();
    throw new LojalError(pending ? 'member_pending_approval' : 'invalid_sign_in_code');
  }
  const created = await createSession(db, { kind: 'member', email: email.toLowerCase(), memberIds, ip: meta.ip, userAgent: meta.userAgent }, now);
  let session = created.session;
  if (choices.length === 1) session = await chooseMember(db, session, choices[0]!.memberId, now);
  return { token: created.token, body: await memberSessionBody(db, session) };
}

/** Settles the member the session acts for; an invited member becomes active by signing in. */
export async function chooseMember(db: Db, session: Session, memberId: string, now: Date): Promise<Session> {
  const row = await rowsOf(db, session.email!, session.memberIds).where('m.id', '=', memberId).executeTakeFirst();
  if (row?.status === 'pending') throw new LojalError('member_pending_approval');
  // Suspended and closed members are not among the choices: the same answer as for somebody else's member.
  if (!row || !choosable.includes(row.status)) throw new LojalError('not_found', { entity: 'member', id: memberId });
  if (row.status === 'invited') await moveMemberStatus(db, row.program_id, row.id, ['invited'], 'active', now);
  await chooseSessionMember(db, session.id, row.program_id, row.id);
  return { ...session, programId: row.program_id, memberId: row.id };
}
