/**
 * Account managers: a member with the role 'manager' or 'owner' (a company's owner manages it too) at an
 * account or at any account above it (the manager of a chain manages its branches). Managers see their
 * staff's points, allocate company points, pay with them and approve their staff's requests; program staff
 * may do all of it for any account. Whether a manager may act on their own request (approve their own
 * claim) is the caller's rule, not this one's.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';

export const managerRoles = ['manager', 'owner'];

export async function isManagerOf(db: Db, programId: string, managerMemberId: string, accountId: string): Promise<boolean> {
  const rows = await sql<{ ok: number }>`
    WITH RECURSIVE up (id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM accounts WHERE program_id = ${programId} AND id = ${accountId}::uuid
      UNION ALL
      SELECT a.id, a.parent_id, up.depth + 1 FROM accounts a JOIN up ON a.program_id = ${programId} AND a.id = up.parent_id
      WHERE up.depth < 50
    )
    SELECT 1 AS ok FROM members m
    WHERE m.program_id = ${programId} AND m.id = ${managerMemberId}::uuid AND m.role = ANY(${managerRoles}::text[]) AND m.status = 'active'
      AND m.account_id IN (SELECT id FROM up)
    LIMIT 1`.execute(db);
  return rows.rows.length > 0;
}

/** The active managers of an account and of the accounts above it, with what a mail to them needs. */
export async function managersOf(db: Db, programId: string, accountId: string): Promise<Array<{ id: string; name: string; email: string | null; language: string | null }>> {
  const rows = await sql<{ id: string; name: string; email: string | null; language: string | null }>`
    WITH RECURSIVE up (id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM accounts WHERE program_id = ${programId} AND id = ${accountId}::uuid
      UNION ALL
      SELECT a.id, a.parent_id, up.depth + 1 FROM accounts a JOIN up ON a.program_id = ${programId} AND a.id = up.parent_id
      WHERE up.depth < 50
    )
    SELECT m.id, m.name, m.email, m.language FROM members m
    WHERE m.program_id = ${programId} AND m.role = ANY(${managerRoles}::text[]) AND m.status = 'active' AND m.account_id IN (SELECT id FROM up)
    ORDER BY m.id`.execute(db);
  return rows.rows;
}

/**
 * The manager path of an action: without `byMemberId` the caller is program staff (the API key decides);
 * with it, the action is taken on behalf of that member and is allowed only for a manager of the account.
 */
export async function requireManagerIfActing(db: Db, programId: string, byMemberId: string | undefined, accountId: string): Promise<void> {
  if (byMemberId === undefined) return;
  if (!(await isManagerOf(db, programId, byMemberId, accountId))) {
    throw new LojalError('not_a_manager', { member: byMemberId, account: accountId });
  }
}
