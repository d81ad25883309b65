/**
 * Erasure of a person's free texts on their sales claims (src/privacy/erasure.ts). The claim, its amount,
 * SKU, invoice number and decision stay (they are the basis of posted points); the end customer's name and
 * the notes, which may name people, go.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export const erasedText = '[erased]';

export async function eraseClaimTexts(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await sql`
    UPDATE sale_claims SET end_customer = ${erasedText}, rejection_note = CASE WHEN rejection_note IS NULL THEN NULL ELSE ${erasedText} END
    WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}
