/**
 * Erasure of a member's personal fields (src/privacy/erasure.ts). The row stays, with its id, account,
 * role, tier and dates, because the ledger, orders and claims refer to it and the company's figures count
 * it; name, e-mail, phone, external id, tags, attributes (free data) and password go for good. The member
 * is closed. Nothing about the account changes.
 */
import type { Db } from '../db/database.js';
import { toMember, type Member } from './member-schema.js';

/** What an erased member is called from then on: no trace of who it was. */
export const erasedMemberName = 'Erased member';

export async function pseudonymiseMember(trx: Db, programId: string, id: string, now: Date): Promise<Member | undefined> {
  const row = await trx
    .updateTable('members')
    .set({
      name: erasedMemberName,
      email: null,
      phone: null,
      external_id: null,
      tags: [],
      attributes: '{}' as never,
      mail_preferences: '{}' as never,
      password_hash: null,
      status: 'closed',
      updated_at: now,
    })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toMember(row) : undefined;
}
