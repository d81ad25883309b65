/**
 * A person who left: the member is closed and their spendable points follow the program's policy, in one
 * transaction. 'return' moves them to the company wallet as a transfer (each lot keeps its expiry date);
 * 'expire' sends them to the program's expiry wallet. Idempotent: the member row is locked and only an
 * open member is closed, so a repeat (or a concurrent twin) finds the member closed and moves nothing.
 *
 * Points still pending at closing (inside a return window) cannot move yet; when the ledger job releases
 * them, `settleLeavers` applies the same policy to what became spendable, so nothing stays with a closed member.
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

/** Moves a closed member's spendable points by the leaver policy; the caller holds the member's row lock. */
async function moveLeaverPoints(
  trx: Db,
  program: Program,
  member: { id: string; name: string; accountId: string },
  actor: string,
  now: Date,
): Promise<{ points: number; journalId: string | null }> {
  const wallet = await trx.selectFrom('wallets').select('available').where('program_id', '=', program.id).where('id', '=', member.id).executeTakeFirstOrThrow();
  const points = Number(wallet.available);
  if (points === 0) return { points: 0, journalId: null };
  const toCompany = program.leaverPoints === 'return';
  const out = await debit(
    trx,
    program.id,
    {
      id: uuidv7(),
      // The member row lock makes this once per closing or release; the id keeps each such move apart.
      idempotencyKey: `leave:${member.id}:${uuidv7()}`,
      kind: toCompany ? 'transfer' : 'expire',
      occurredAt: now,
      actor,
      explanation: { key: toCompany ? 'people:explain.leaverReturn' : 'people:explain.leaverExpire', params: { member: member.name } },
      walletId: member.id,
      points,
      toWalletId: toCompany ? member.accountId : systemWalletId(program.id, 'expiry'),
      toOwnerWallet: toCompany,
      effect: 'none',
    },
    now,
  );
  return { points: out.taken, journalId: out.journalId };
}

export async function deactivateMember(db: Db, program: Program, memberId: string, actor: string, now: Date): Promise<DeactivationOut> {
  return db.transaction().execute(async (trx) => {
    const member = await lockMember(trx, program.id, memberId);
    if (!member) throw new LojalError('not_found', { entity: 'member', id: memberId });
    const policy = program.leaverPoints;
    if (member.status === 'closed') return { memberId, status: 'closed', policy, changed: false, points: 0, journalId: null };
    await moveMemberStatus(trx, program.id, memberId, [member.status], 'closed', now);
    const moved = await moveLeaverPoints(trx, program, member, actor, now);
    return { memberId, status: 'closed', policy, changed: true, ...moved };
  });
}

/**
 * Applies the leaver policy to points that became spendable after their member was closed (pending points
 * released by the ledger job). Safe to repeat and to run in several processes: each member is settled under
 * its row lock and only what is available then is moved. Returns the points moved.
 */
export async function settleLeavers(db: Db, program: Program, now: Date): Promise<number> {
  const leavers = await db
    .selectFrom('members as m')
    .innerJoin('wallets as w', (j) => j.onRef('w.program_id', '=', 'm.program_id').onRef('w.id', '=', 'm.id'))
    .select('m.id')
    .where('m.program_id', '=', program.id)
    .where('m.status', '=', 'closed')
    .where('w.available', '>', 0)
    .execute();
  let total = 0;
  for (const { id } of leavers) {
    total += await db.transaction().execute(async (trx) => {
      const member = await lockMember(trx, program.id, id);
      if (!member || member.status !== 'closed') return 0;
      return (await moveLeaverPoints(trx, program, member, 'system:leaver-policy', now)).points;
    });
  }
  return total;
}
