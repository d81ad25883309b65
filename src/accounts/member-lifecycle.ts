/**
 * Member state changes that other modules' workflows make inside their own transaction: a person invited
 * or asking to join, activated, approved, rejected or leaving. Each change is conditional on the state it
 * starts from, so two concurrent requests cannot both make it.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import type { Language } from '../i18n/index.js';
import { toMember, type Member, type MemberStatus } from './member-schema.js';
import { openWallets } from '../ledger/wallets.js';
import { publishMemberChange } from '../webhooks/publish.js';

export interface NewPerson {
  accountId: string;
  email: string;
  name: string;
  role: string | null;
  language: Language | null;
  status: 'invited' | 'pending';
}

/** A new member and the member's wallet (same id); call in a transaction. */
export async function insertPerson(trx: Db, programId: string, p: NewPerson): Promise<Member> {
  const id = uuidv7();
  const row = await trx
    .insertInto('members')
    .values({
      program_id: programId,
      id,
      account_id: p.accountId,
      external_id: null,
      email: p.email,
      name: p.name,
      phone: null,
      role: p.role,
      language: p.language,
      tags: [],
      status: p.status,
      tier: null,
      attributes: '{}',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await openWallets(trx, programId, 'member', [id]);
  return toMember(row);
}

/** A member of the account with this e-mail address who has not left, if any. */
export async function findPersonAt(db: Db, programId: string, accountId: string, email: string): Promise<Member | undefined> {
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('program_id', '=', programId)
    .where('account_id', '=', accountId)
    .where('email', '=', email)
    .where('status', '<>', 'closed')
    .orderBy('id')
    .executeTakeFirst();
  return row ? toMember(row) : undefined;
}

/** Locks the member row for the rest of the transaction and reads it. */
export async function lockMember(trx: Db, programId: string, id: string): Promise<Member | undefined> {
  const row = await trx.selectFrom('members').selectAll().where('program_id', '=', programId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toMember(row) : undefined;
}

/** Moves the member from one of `from` to `to` (with new name or language); undefined when it was in no such state. */
export async function moveMemberStatus(
  trx: Db,
  programId: string,
  id: string,
  from: MemberStatus[],
  to: MemberStatus,
  now: Date,
  fields: { name?: string; language?: Language } = {},
): Promise<Member | undefined> {
  const row = await trx
    .updateTable('members')
    .set({ status: to, ...fields, updated_at: now })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  const member = toMember(row);
  // Receivers hear who joined and who left; a request to join that is turned down was never a member.
  const how = to === 'active' ? (from.includes('invited') ? 'invitation_accepted' : 'registration_approved') : to === 'closed' && !from.every((s) => s === 'pending') ? 'deactivated' : null;
  if (how) await publishMemberChange(trx, programId, member, how, now);
  return member;
}

/**
 * Serializes people joining one account (invitations, requests to join), so that "no open membership with
 * this address yet" still holds when the new member is written.
 */
export async function lockAccountForJoining(trx: Db, programId: string, accountId: string): Promise<void> {
  await sql`SELECT 1 FROM accounts WHERE program_id = ${programId} AND id = ${accountId} FOR NO KEY UPDATE`.execute(trx);
}
