/** Erasure of a person's free texts on their co-op claims (src/privacy/erasure.ts); amounts and decisions stay. */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export async function eraseCoopClaimTexts(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await sql`
    UPDATE coop_claims SET description = NULL, rejection_note = CASE WHEN rejection_note IS NULL THEN NULL ELSE '[erased]' END
    WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}
