import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * Is the member a manager of the account: an active member with the role 'manager' at the account itself
 * or at one of its ancestors (a chain's manager manages its branches)? Whether a manager may act on their
 * own request (approve their own claim) is the caller's rule, not this one's.
 */
export async function isManagerOf(db: Db, programId: string, managerMemberId: string, accountId: string): Promise<boolean> {
  const rows = await sql<{ ok: number }>`
    WITH RECURSIVE up (id, parent_id) AS (
      SELECT id, parent_id FROM accounts WHERE program_id = ${programId} AND id = ${accountId}
      UNION
      SELECT a.id, a.parent_id FROM accounts a JOIN up ON a.program_id = ${programId} AND a.id = up.parent_id
    )
    SELECT 1 AS ok FROM members m
    WHERE m.program_id = ${programId} AND m.id = ${managerMemberId} AND m.role = 'manager' AND m.status = 'active'
      AND m.account_id IN (SELECT id FROM up)`.execute(db);
  return rows.rows.length > 0;
}
