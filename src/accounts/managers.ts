import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * True when `managerMemberId` is an active member with the role `manager` or `owner` (a company's owner
 * manages it too) in the account or in one of the accounts above it (a chain's manager manages its branches).
 * Whether a manager may act on their own request (approve their own claim) is the caller's rule, not this one's.
 */
export async function isManagerOf(db: Db, programId: string, managerMemberId: string, accountId: string): Promise<boolean> {
  const found = await sql<{ ok: number }>`
    WITH RECURSIVE chain AS (
      SELECT id, parent_id, 1 AS depth FROM accounts WHERE program_id = ${programId} AND id = ${accountId}
      UNION ALL
      SELECT a.id, a.parent_id, c.depth + 1 FROM accounts a JOIN chain c ON a.program_id = ${programId} AND a.id = c.parent_id
      WHERE c.depth < 50
    )
    SELECT 1 AS ok FROM members m JOIN chain c ON m.account_id = c.id
    WHERE m.program_id = ${programId} AND m.id = ${managerMemberId} AND m.role IN ('manager', 'owner') AND m.status = 'active'
    LIMIT 1`.execute(db);
  return found.rows.length > 0;
}
