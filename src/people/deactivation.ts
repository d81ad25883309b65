/**
 * A person who left: the member is closed and their spendable points follow the program's policy, in one
 * transaction. 'return' moves them to the company wallet as a transfer (each lot keeps its expiry date);
 * 'expire' sends them to the program's expiry wallet. Idempotent: the member row is locked and only an
 * open member is closed, so a repeat (or a concurrent twin) finds the member closed and moves nothing.
 * Points still pending (inside a return window) are not spendable yet and stay with the closed member.
 */
import { v7 as uuidv7 } from 'uuid';
import { lockMember, moveMemberStatus } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { debit } from '../ledger/writer.js';
import { systemWalletId, type Program } from '../programs/programs.js';

export interface DeactivationOut {
  memberId: string;
  status: 'closed';
  policy: Program['leaverPoints'];
  /** False when the member was closed already: nothing was done this time. */
  changed: boolean;
  points: number;
  journalId: string | null;
}

export async function deactivateMember(db: Db, program: Program, memberId: string, actor: string, now = new Date()): Promise<DeactivationOut> {
  return db.transaction().execute(async (trx) => {
    const member = await lockMember(trx, program.id, memberId);
    if (!member) throw new LojalError('not_found', { entity: 'member', id: memberId });
    const policy = program.leaverPoints;
    if (member.status === 'closed') return { memberId, status: 'closed', policy, changed: false, points: 0, journalId: null };
    await moveMemberStatus(trx, program.id, memberId, [member.status], 'closed');
    const wallet = await trx.selectFrom('wallets').select('available').where('program_id', '=', program.id).where('id', '=', memberId).executeTakeFirstOrThrow();
    const points = Number(wallet.available);
    if (points === 0) return { memberId, status: 'closed', policy, changed: true, points: 0, journalId: null };
    const toCompany = policy === 'return';
    const out = await debit(
      trx,
      program.id,
      {
        id: uuidv7(),
        // The member row lock makes this once per closing; the id keeps a later re-closing (after a return) apart.
        idempotencyKey: `leave:${memberId}:${uuidv7()}`,
        kind: toCompany ? 'transfer' : 'expire',
        occurredAt: now,
        actor,
        explanation: { key: toCompany ? 'people:explain.leaverReturn' : 'people:explain.leaverExpire', params: { member: member.name } },
        walletId: memberId,
        points,
        toWalletId: toCompany ? member.accountId : systemWalletId(program.id, 'expiry'),
        toOwnerWallet: toCompany,
        effect: 'none',
      },
      now,
    );
    return { memberId, status: 'closed', policy, changed: true, points: out.taken, journalId: out.journalId };
  });
}
