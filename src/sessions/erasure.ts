/**
 * Erasure of a member's browser sessions (src/privacy/erasure.ts): the sessions that acted for the member
 * are ended and deleted with the e-mail address and IP they held.
 */
import type { Db } from '../db/database.js';

export async function deleteMemberSessions(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await trx.deleteFrom('web_sessions').where('program_id', '=', programId).where('member_id', '=', memberId).executeTakeFirst();
  return Number(res.numDeletedRows);
}
