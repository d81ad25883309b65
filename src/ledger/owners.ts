/**
 * Whose wallet a ledger request names, and whether they may still take part: an account or a member suspended or
 * closed (or a member whose company is) neither earns, receives nor spends points, as events and reward orders
 * already refuse them. Taking points away (a negative adjustment) stays possible, so staff can correct a leaver.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';

const INACTIVE = new Set(['suspended', 'closed']);

export const isInactive = (status: string): boolean => INACTIVE.has(status);

export interface WalletOwner {
  id: string;
  kind: 'account' | 'member';
  accountStatus: string | null;
  memberStatus: string | null;
}

/** The wallet `id` of the program, owned by an account or a member as `kind` says; `not_found` otherwise. */
export async function walletOwner(db: Db, programId: string, id: string, kind: 'account' | 'member', entity: string): Promise<WalletOwner> {
  const { rows } = await sql<{ kind: string; account_status: string | null; member_status: string | null }>`
    SELECT w.kind, a.status AS account_status, m.status AS member_status
    FROM wallets w
    LEFT JOIN members m ON w.kind = 'member' AND m.program_id = w.program_id AND m.id = w.id
    LEFT JOIN accounts a ON a.program_id = w.program_id AND a.id = CASE WHEN w.kind = 'member' THEN m.account_id ELSE w.id END
    WHERE w.program_id = ${programId} AND w.id = ${id}`.execute(db);
  const w = rows[0];
  if (!w || w.kind !== kind) throw new LojalError('not_found', { entity, id });
  return { id, kind, accountStatus: w.account_status, memberStatus: w.member_status };
}

/** `member_not_active` or `account_not_active` when the owner (or the member's company) is suspended or closed. */
export function requireActive(owner: WalletOwner): void {
  if (owner.kind === 'member' && owner.memberStatus !== null && isInactive(owner.memberStatus)) {
    throw new LojalError('member_not_active', { member: owner.id, status: owner.memberStatus });
  }
  if (owner.accountStatus !== null && isInactive(owner.accountStatus)) {
    throw new LojalError('account_not_active', { account: owner.id, status: owner.accountStatus });
  }
}
