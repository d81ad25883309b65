/**
 * Giving company points to a member of the company: the account's wallet pays, the member's receives, the
 * points keep their expiry dates. Program staff may do it for any account; a member may do it only as a
 * manager of the paying account (`byMemberId`). Used by the API (/v1/accounts/{id}/transfers) and the portal.
 */
import { getMember } from '../accounts/members.js';
import { loadMembers, requireManagerIfActing } from '../accounts/index.js';
import { audited, type AuditContext } from '../audit/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Program } from '../programs/programs.js';
import { transfer, type OperationResult } from './operations.js';
import { isInactive, requireActive, walletOwner } from './owners.js';

export interface Allocation {
  accountId: string;
  memberId: string;
  points: number;
  memo?: string | undefined;
  idempotencyKey: string;
  /** The manager allocating; absent: program staff. */
  byMemberId?: string | undefined;
  /** What the journal records as its actor. */
  actor: string;
}

export async function allocateCompanyPoints(db: Db, program: Program, a: Allocation, audit: AuditContext): Promise<OperationResult> {
  const from = a.accountId;
  await requireManagerIfActing(db, program.id, a.byMemberId, from);
  const member = (await loadMembers(db, program.id, [], [a.memberId])).byId.get(a.memberId);
  if (!member) throw new LojalError('unknown_member', { member: a.memberId });
  if (member.accountId !== from) throw new LojalError('member_not_in_account', { member: a.memberId, account: from });
  // Neither a company that is suspended or closed gives, nor a person who has left receives (src/ledger/owners.ts).
  requireActive(await walletOwner(db, program.id, from, 'account', 'account'));
  if (isInactive(member.status)) throw new LojalError('member_not_active', { member: a.memberId, status: member.status });
  const { name } = await getMember(db, program.id, member.id);
  return audited(db, audit, async (trx) => {
    const done = await transfer(trx, program, {
      fromWalletId: from,
      toWalletId: member.id,
      toName: name,
      points: a.points,
      memo: a.memo,
      idempotencyKey: a.idempotencyKey,
      actor: a.actor,
    }, audit.at);
    const after = { journalId: done.journalId, from, to: member.id, points: a.points, memo: a.memo ?? null };
    return { result: done, audit: done.created ? { action: 'transfer.post', entity: 'account', entityId: from, after } : null };
  });
}
