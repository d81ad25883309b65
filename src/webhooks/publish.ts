/**
 * The events other modules publish, each with the payload a receiver needs to act without calling back.
 * Called inside the transaction of the change, after the change is written, so the payload reads it.
 */
import type { Db } from '../db/database.js';
import type { OrderState, TierOwnerKind } from '../db/schema.js';
import { enqueueEvent } from './events.js';

export interface OrderEventData {
  orderId: string;
  rewardCode: string;
  rewardType: string;
  memberId: string;
  accountId: string;
  quantity: number;
  points: number;
  from: OrderState | null;
  to: OrderState;
  tracking: Record<string, string> | null;
  /** Gift-card or coupon codes, only when a code order is issued. */
  codes?: string[];
}

/** `reward_order.placed` when `from` is null, else `reward_order.state_changed`. */
export async function publishOrderChange(trx: Db, programId: string, orderId: string, from: OrderState | null, to: OrderState, at: Date): Promise<void> {
  await enqueueEvent(trx, programId, from === null ? 'reward_order.placed' : 'reward_order.state_changed', async (): Promise<OrderEventData> => {
    const o = await trx
      .selectFrom('reward_orders as o')
      .innerJoin('rewards as r', (j) => j.onRef('r.program_id', '=', 'o.program_id').onRef('r.id', '=', 'o.reward_id'))
      .select(['o.id', 'r.code', 'r.type', 'o.member_id', 'o.account_id', 'o.quantity', 'o.points', 'o.tracking', 'o.codes'])
      .where('o.program_id', '=', programId)
      .where('o.id', '=', orderId)
      .executeTakeFirstOrThrow();
    return {
      orderId: o.id,
      rewardCode: o.code,
      rewardType: o.type,
      memberId: o.member_id,
      accountId: o.account_id,
      quantity: o.quantity,
      points: Number(o.points),
      from,
      to,
      tracking: (o.tracking as Record<string, string> | null) ?? null,
      ...(o.type === 'code' && to === 'issued' && { codes: o.codes }),
    };
  }, at);
}

export async function publishCreditNote(trx: Db, programId: string, creditNoteId: string, at: Date): Promise<void> {
  await enqueueEvent(trx, programId, 'credit_note.created', async () => {
    const n = await trx
      .selectFrom('credit_notes as n')
      .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'n.program_id').onRef('a.id', '=', 'n.account_id'))
      .select(['n.id', 'n.order_id', 'n.account_id', 'a.external_id', 'n.amount_minor', 'n.currency'])
      .where('n.program_id', '=', programId)
      .where('n.id', '=', creditNoteId)
      .executeTakeFirstOrThrow();
    return {
      creditNoteId: n.id,
      orderId: n.order_id,
      accountId: n.account_id,
      accountExternalId: n.external_id,
      amountMinor: Number(n.amount_minor),
      currency: n.currency.trim(),
    };
  }, at);
}

export async function publishTierChange(
  trx: Db,
  programId: string,
  change: { ownerKind: TierOwnerKind; ownerId: string; from: string | null; to: string | null; reason: string },
  at: Date,
): Promise<void> {
  await enqueueEvent(trx, programId, 'tier.changed', async () => {
    const owner = await trx
      .selectFrom(change.ownerKind === 'account' ? 'accounts' : 'members')
      .select('external_id')
      .where('program_id', '=', programId)
      .where('id', '=', change.ownerId)
      .executeTakeFirst();
    return { ...change, ownerExternalId: owner?.external_id ?? null };
  }, at);
}
