/**
 * The events other modules publish, each with the payload a receiver needs to act without calling back.
 * Called inside the transaction of the change, after the change is written, so the payload reads it.
 */
import type { Db } from '../db/database.js';
import type { OrderState, TierOwnerKind } from '../db/schema.js';
import { sql } from 'kysely';
import type { EventRecord } from '../events/records.js';
import type { ReadyEvent } from '../events/items.js';
import { enqueueEvent, enqueueEvents } from './events.js';
import type { ClaimDecidedData, CoopClaimDecidedData, MemberChangeData, PointsEarnedData, PointsExpiredData, PointsReversedData } from './payloads.js';

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
    return orderEventData({ id: o.id, rewardCode: o.code, rewardType: o.type, memberId: o.member_id, accountId: o.account_id, quantity: o.quantity, points: Number(o.points), tracking: o.tracking, codes: o.codes }, from, to);
  }, at);
}

/** The payload of an order's event, from the order as it stands after the change. */
export function orderEventData(
  o: { id: string; rewardCode: string; rewardType: string; memberId: string; accountId: string; quantity: number; points: number; tracking: unknown; codes: string[] },
  from: OrderState | null,
  to: OrderState,
): OrderEventData {
  return {
    orderId: o.id,
    rewardCode: o.rewardCode,
    rewardType: o.rewardType,
    memberId: o.memberId,
    accountId: o.accountId,
    quantity: o.quantity,
    points: o.points,
    from,
    to,
    tracking: (o.tracking as Record<string, string> | null) ?? null,
    ...(o.rewardType === 'code' && to === 'issued' && { codes: o.codes }),
  };
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

/** `points.earned` for each event of a batch that earned, and `points.reversed` for each return that took back. */
export async function publishPointsMoved(
  trx: Db,
  programId: string,
  events: ReadyEvent[],
  records: Map<string, EventRecord>,
  /** The subscribers of each type, when the caller read them already in this transaction. */
  subscribers?: { earned: Array<{ id: string }>; reversed: Array<{ id: string }> },
): Promise<void> {
  const earned: Array<{ data: PointsEarnedData; occurredAt: Date }> = [];
  const reversed: Array<{ data: PointsReversedData; occurredAt: Date }> = [];
  for (const ev of events) {
    const record = records.get(ev.id);
    if (!record) continue;
    const who = {
      accountId: ev.account.id,
      accountExternalId: ev.account.externalId,
      memberId: ev.member?.id ?? null,
      memberExternalId: ev.member?.externalId ?? null,
    };
    const earnedPoints = record.postings.reduce((s, p) => s + p.points, 0);
    if (earnedPoints > 0) {
      const postings = record.postings.map((p) => ({ wallet: p.wallet, walletId: p.walletId, points: p.points, ruleName: p.ruleName, status: p.status, availableAt: p.availableAt, expiresAt: p.expiresAt }));
      earned.push({ occurredAt: ev.occurredAt, data: { eventId: ev.id, externalEventId: ev.input.id, eventType: ev.input.type, ...who, points: earnedPoints, postings } });
    }
    const taken = record.reversals.reduce((s, r) => s + r.points, 0);
    if (taken > 0) {
      const reversals = record.reversals.map((r) => ({ originalEventId: r.originalEventId, wallet: r.wallet, walletId: r.walletId, points: r.points, shortfall: r.shortfall }));
      reversed.push({ occurredAt: ev.occurredAt, data: { eventId: ev.id, externalEventId: ev.input.id, ...who, points: taken, reversals } });
    }
  }
  await enqueueEvents(trx, programId, 'points.earned', earned, subscribers?.earned);
  await enqueueEvents(trx, programId, 'points.reversed', reversed, subscribers?.reversed);
}

/** `points.expired`: one event per wallet that lost points in an expiry run. */
export async function publishPointsExpired(trx: Db, programId: string, expired: Map<string, number>, at: Date): Promise<void> {
  if (expired.size === 0) return;
  await enqueueEvents(trx, programId, 'points.expired', async () => {
    const owners = await sql<{ id: string; kind: 'account' | 'member'; external_id: string | null }>`
      SELECT w.id, w.kind, coalesce(a.external_id, m.external_id) AS external_id FROM wallets w
      LEFT JOIN accounts a ON a.program_id = w.program_id AND a.id = w.id
      LEFT JOIN members m ON m.program_id = w.program_id AND m.id = w.id
      WHERE w.program_id = ${programId} AND w.id = ANY(${[...expired.keys()]}::uuid[]) AND w.kind IN ('account', 'member')`.execute(trx);
    return owners.rows.map((o): { data: PointsExpiredData; occurredAt: Date } => ({ occurredAt: at, data: { wallet: o.kind, walletId: o.id, externalId: o.external_id, points: expired.get(o.id)! } }));
  });
}

/** `member.joined` or `member.left`. */
export async function publishMemberChange(
  trx: Db,
  programId: string,
  member: { id: string; externalId: string | null; accountId: string },
  how: MemberChangeData['how'],
  at: Date,
): Promise<void> {
  const left = how === 'deactivated';
  const data: MemberChangeData = { memberId: member.id, externalId: member.externalId, accountId: member.accountId, status: left ? 'closed' : 'active', how };
  await enqueueEvent(trx, programId, left ? 'member.left' : 'member.joined', data, at);
}

/** `claim.decided`: approved (with the points paid) or rejected (with the reviewer's reason). */
export async function publishClaimDecided(trx: Db, programId: string, data: ClaimDecidedData, at: Date): Promise<void> {
  await enqueueEvent(trx, programId, 'claim.decided', data, at);
}

/** `coop_claim.decided`: a co-op claim approved (with what the fund paid) or rejected (with the reason code). */
export async function publishCoopClaimDecided(trx: Db, programId: string, data: CoopClaimDecidedData, at: Date): Promise<void> {
  await enqueueEvent(trx, programId, 'coop_claim.decided', data, at);
}
