/**
 * Erasure of a person's details on their reward orders (src/privacy/erasure.ts). The order, its points,
 * its state and its journals stay; the delivery address, tracking (which leads to the address) and the note go.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export async function eraseOrderDetails(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await sql`
    UPDATE reward_orders SET shipping_address = NULL, tracking = NULL, note = NULL
    WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}
