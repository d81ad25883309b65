/**
 * Reward orders: placing one reserves the points and the stock in one transaction; fulfilment moves it
 * along (see fulfilment.ts); cancelling or rejecting gives both back. Every order carries the caller's
 * idempotency key, so a retried request finds the first order instead of making a second.
 *
 * Lock order, the same on every path so that concurrent orders cannot deadlock: the account row (as
 * event ingestion does), then the order, then the paying wallet (ledger writer), then the reward's stock.
 * Placing an order takes the stock last of all its writes, since every buyer of the reward waits for that row.
 */
import { segmentKeysOf } from '../segments/store.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { sql, type Selectable, type Updateable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { unawaited, type Db } from '../db/database.js';
import type { OrderState, RewardOrdersTable } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import type { Language } from '../i18n/index.js';
import type { DebitJournal } from '../ledger/types.js';
import { asDebitRefusal, debit, isReplayedDebit, refundDebit, systemDebitCall } from '../ledger/writer.js';
import { localDate } from '../rules/calendar.js';
import { systemWalletId, type Program } from '../programs/programs.js';
import { isManagerOf } from '../accounts/managers.js';
import { recordAudit, type AuditContext } from '../audit/index.js';
import { conditionsOf, getReward, isUuid, rewardNameParams, textIn, toReward, type Reward, type RewardRow } from './catalogue.js';
import { ineligibilities, isoLocalDate, periodStart, type Buyer } from './eligibility.js';
import { actionTarget, canTake, issuedAutomatically, type OrderAction } from './fulfilment.js';
import { issue } from './issuing.js';
import { orderMail, queueOrderMail } from './mails.js';
import { orderEventData, publishOrderChange } from '../webhooks/publish.js';
import { eventRows, subscribersSubquery } from '../webhooks/events.js';
import { outboxRows } from '../mail/index.js';

export interface OrderRequest {
  /** The reward's id or code. */
  reward: string;
  memberId: string;
  quantity: number;
  /** The member's own points, or (a manager's order) the company's. */
  payFrom: 'member' | 'account';
  shippingAddress?: Record<string, string> | null | undefined;
  note?: string | null | undefined;
  idempotencyKey: string;
}

export interface OrderResult {
  order: RewardOrder;
  /** False when the request was a replay and the first order is answered. */
  created: boolean;
}

export interface RewardOrder {
  id: string;
  state: OrderState;
  reward: { id: string; code: string; type: Reward['type']; name: string };
  quantity: number;
  points: number;
  memberId: string;
  accountId: string;
  paidFrom: 'member' | 'account';
  shippingAddress: ShippingAddress | null;
  tracking: OrderTracking | null;
  codes: string[];
  note: string | null;
  creditNote: { id: string; amountMinor: number; currency: string; exportedAt: Date | null } | null;
  /** An accepted money quote: the amount the ERP invoices (no points were paid). Null for point orders. */
  invoice: { amountMinor: number; currency: string } | null;
  createdAt: Date;
  updatedAt: Date;
  history: Array<{ from: OrderState | null; to: OrderState; actor: string; reason: string | null; at: Date }>;
}

/** Where goods go, as the order request gave it (order-routes.ts validates it). */
export type ShippingAddress = { name: string; company?: string; street: string; postalCode: string; city: string; country: string; phone?: string };
/** Shipment tracking, or the details of content and services handed over (the ship and issue steps). */
export type OrderTracking = { carrier?: string; trackingNumber?: string; trackingUrl?: string; details?: string };

const fingerprint = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** Thrown inside a transaction to undo it and answer the order another request made with the same key. */
class SameKeyElsewhere extends Error {}

async function tierLevels(db: Db, programId: string) {
  return db.selectFrom('tier_levels').select(['code', 'rank', 'names', 'reward_tags']).where('program_id', '=', programId).execute();
}

export async function tierRanks(db: Db, programId: string): Promise<Map<string, number>> {
  return new Map((await tierLevels(db, programId)).map((r) => [r.code, r.rank]));
}

async function buyerOf(db: Db, programId: string, memberId: string) {
  const row = await db
    .selectFrom('members as m')
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'm.program_id').onRef('a.id', '=', 'm.account_id'))
    .select(['m.id', 'm.account_id', 'm.role', 'm.status as member_status', 'm.tier as member_tier', 'a.status as account_status', 'a.segment', 'a.country', 'a.tier as account_tier'])
    .where('m.program_id', '=', programId)
    .where('m.id', '=', memberId)
    .executeTakeFirst();
  return row;
}

/** The facts eligibility looks at, for a member: the better of their own and their company's tier. */
export async function buyerFacts(
  db: Db,
  programId: string,
  memberId: string,
  levelsRead?: Awaited<ReturnType<typeof tierLevels>>,
): Promise<(Buyer & { accountId: string; memberStatus: string; accountStatus: string }) | undefined> {
  const row = await buyerOf(db, programId, memberId);
  if (!row) return undefined;
  const levels = levelsRead ?? (await tierLevels(db, programId));
  // Segment membership (dynamic and static lists) of the member and their company, resolved before the pure check.
  const keys = await segmentKeysOf(db, programId, [row.account_id, row.id]);
  const held = levels.filter((l) => l.code === row.member_tier || l.code === row.account_tier);
  const tiers = held.map((l) => l.rank);
  return {
    accountId: row.account_id,
    memberStatus: row.member_status,
    accountStatus: row.account_status,
    tierRank: tiers.length ? Math.max(...tiers) : null,
    tierTags: [...new Set(held.flatMap((l) => l.reward_tags))],
    role: row.role,
    segment: row.segment,
    segments: [...new Set([...(keys.get(row.account_id) ?? []), ...(keys.get(row.id) ?? [])])],
    country: row.country,
  };
}

type Level = Awaited<ReturnType<typeof tierLevels>>[number];

/** Everything placing an order looks at before it writes, from the transaction's first statement. */
type OrderFacts = Partial<RewardRow> & {
  earlier_id: string | null;
  earlier_hash: string | null;
  buyer_id: string | null;
  buyer_account_id: string;
  buyer_role: string | null;
  buyer_status: string;
  buyer_tier: string | null;
  buyer_email: string | null;
  buyer_name: string;
  buyer_language: string | null;
  buyer_mail_preferences: unknown;
  account_status: string;
  account_segment: string | null;
  account_country: string | null;
  account_tier: string | null;
  levels: Level[] | null;
  segment_keys: string[] | null;
  threshold: number | null;
  subscribers: Array<{ id: string }> | null;
};

/**
 * One statement, sent with the transaction's begin (one round trip for both): an earlier order with the key, the
 * reward, the buyer and their company (whose row it locks, first of the order's locks), the tier ladder, the
 * buyer's segments, the approval threshold and who subscribed to placed orders. These were six reads before the
 * transaction and a lock inside it. The company's columns are read as the lock finds its row (the latest version).
 */
async function orderFacts(trx: Db, programId: string, req: OrderRequest): Promise<OrderFacts> {
  const reward = isUuid(req.reward) ? sql`r.id = ${req.reward}::uuid` : sql`r.code = ${req.reward}`;
  const { rows } = await sql<OrderFacts>`
    SELECT r.*, e.id AS earlier_id, e.request_hash AS earlier_hash,
      b.id AS buyer_id, b.account_id AS buyer_account_id, b.role AS buyer_role, b.status AS buyer_status, b.tier AS buyer_tier,
      b.email AS buyer_email, b.name AS buyer_name, b.language AS buyer_language, b.mail_preferences AS buyer_mail_preferences,
      b.account_status, b.segment AS account_segment, b.country AS account_country, b.account_tier,
      (SELECT json_agg(json_build_object('code', l.code, 'rank', l.rank, 'names', l.names, 'reward_tags', l.reward_tags))
         FROM tier_levels l WHERE l.program_id = ${programId}) AS levels,
      (SELECT array_agg(DISTINCT sg.key ORDER BY sg.key)
         FROM segment_members sm JOIN segments sg ON sg.program_id = sm.program_id AND sg.id = sm.segment_id
         WHERE sm.program_id = ${programId} AND sm.subject_id IN (b.account_id, b.id)) AS segment_keys,
      (SELECT s.approval_threshold_points FROM reward_settings s WHERE s.program_id = ${programId}) AS threshold,
      ${subscribersSubquery(programId, 'reward_order.placed')} AS subscribers
    FROM (SELECT 1) AS one
    LEFT JOIN rewards r ON r.program_id = ${programId} AND ${reward}
    LEFT JOIN reward_orders e ON e.program_id = ${programId} AND e.idempotency_key = ${req.idempotencyKey}
    LEFT JOIN LATERAL (
      SELECT m.id, m.account_id, m.role, m.status, m.tier, m.email, m.name, m.language, m.mail_preferences,
             a.status AS account_status, a.segment, a.country, a.tier AS account_tier
      FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
      WHERE m.program_id = ${programId} AND m.id = ${req.memberId}::uuid
      FOR NO KEY UPDATE OF a
    ) b ON true`.execute(trx);
  return rows[0]!;
}

/** The buyer as eligibility sees them: the better of their own and their company's tier. */
function buyerOfFacts(f: OrderFacts, levels: Level[]): Buyer {
  const held = levels.filter((l) => l.code === f.buyer_tier || l.code === f.account_tier);
  const tiers = held.map((l) => l.rank);
  return {
    tierRank: tiers.length ? Math.max(...tiers) : null,
    tierTags: [...new Set(held.flatMap((l) => l.reward_tags))],
    role: f.buyer_role,
    segment: f.account_segment,
    segments: f.segment_keys ?? [],
    country: f.account_country,
  };
}

/** What the order's own statement answers. */
interface PlacedRow {
  created_at: Date;
  updated_at: Date;
  member_units: number | null;
  account_units: number | null;
}

/**
 * Placing an order, in one transaction of three round trips: the facts with the company lock (orderFacts, sent with
 * the begin), the order's own statement (the debit with the paying wallet's lock, see ledger/writer.ts, then the
 * order, its history, its webhook event, its confirmation mail and the limits' counts), and the take from the
 * reward's stock with the commit written right behind it.
 * The answer is built from what the transaction knows rather than read back, except for an order issued at once
 * (codes, donations, cashback), whose issuing writes what only a read gives back.
 */
export async function placeOrder(db: Db, program: Program, req: OrderRequest, actor: string, opts: { lng?: Language; now: Date }): Promise<OrderResult> {
  const now = opts.now;
  const lng = opts.lng ?? program.defaultLanguage;
  const hash = fingerprint([req.reward, req.memberId, req.quantity, req.payFrom, req.shippingAddress ?? null, req.note ?? null]);
  const orderId = uuidv7();
  let outcome: { earlier: string } | { order: RewardOrder } | { issued: true };
  let rewardCode = req.reward;
  try {
    outcome = await db.transaction().execute(async (trx) => {
      const f = await orderFacts(trx, program.id, req);
      if (f.earlier_id !== null) {
        if (f.earlier_hash !== hash) throw new LojalError('idempotency_conflict', { key: req.idempotencyKey });
        return { earlier: f.earlier_id };
      }
      if (!f.id) throw new LojalError('unknown_reward', { reward: req.reward });
      const reward = toReward(f as RewardRow);
      if (f.buyer_id === null) throw new LojalError('unknown_member', { member: req.memberId });
      const accountId = f.buyer_account_id;
      if (f.buyer_status !== 'active') throw new LojalError('member_not_active', { member: req.memberId, status: f.buyer_status });
      if (f.account_status !== 'active') throw new LojalError('account_not_active', { account: accountId, status: f.account_status });
      const levels = f.levels ?? [];
      checkEligible(reward, buyerOfFacts(f, levels), levels, now, lng, program.defaultLanguage);
      if (req.payFrom === 'account' && !(await isManagerOf(trx, program.id, req.memberId, accountId))) {
        throw new LojalError('company_wallet_not_allowed');
      }
      const points = reward.pricePoints * req.quantity;
      const threshold = f.threshold === null ? null : Number(f.threshold);
      const needsApproval = threshold !== null && points >= threshold;
      const today = localDate(now, program.timeZone);
      const walletId = req.payFrom === 'account' ? accountId : req.memberId;
      // The debit's journal key is the order's key: a request with a key that made an order meanwhile writes
      // nothing there and is answered with that order, before the limits (which that order may have used up).
      const redeem: DebitJournal = {
        id: uuidv7(),
        idempotencyKey: `redeem:${req.idempotencyKey}`,
        kind: 'redeem',
        occurredAt: now,
        actor,
        memo: `${reward.code} × ${req.quantity}`,
        requestHash: hash,
        explanation: { key: 'ledger:explain.redeem', params: { quantity: req.quantity, ...rewardNameParams(reward.texts, program.defaultLanguage) } },
        walletId,
        points,
        toWalletId: systemWalletId(program.id, 'redemption'),
        effect: 'spent',
      };
      const state: OrderState = needsApproval ? 'pending_approval' : 'placed';
      const issuedNow = !needsApproval && issuedAutomatically.includes(reward.type);
      const order = {
        program_id: program.id,
        id: orderId,
        idempotency_key: req.idempotencyKey,
        request_hash: hash,
        reward_id: reward.id,
        quantity: req.quantity,
        member_id: req.memberId,
        account_id: accountId,
        wallet_id: walletId,
        points,
        state,
        redeem_journal_id: sql<string>`(SELECT ${redeem.id}::uuid FROM paid)`,
        shipping_address: req.shippingAddress ? JSON.stringify(req.shippingAddress) : null,
        note: req.note ?? null,
        local_date: isoLocalDate(today),
      };
      const eventData = orderEventData({ id: orderId, rewardCode: reward.code, rewardType: reward.type, memberId: req.memberId, accountId, quantity: req.quantity, points, tracking: null, codes: [] }, null, state);
      const events = f.subscribers?.length ? eventRows(program.id, 'reward_order.placed', f.subscribers, [{ data: eventData, occurredAt: now }]) : null;
      // An order issued at once is told by its issued mail (move() queues it), the others by a confirmation.
      const mail = issuedNow
        ? null
        : orderMail(program, {
            id: orderId, state, quantity: req.quantity, points, codes: [], tracking: null, invoice_amount_minor: null, invoice_currency: null,
            email: f.buyer_email, name: f.buyer_name, language: f.buyer_language, mail_preferences: f.buyer_mail_preferences, texts: reward.texts,
          }, 'confirmed', null);
      const since = periodStart(reward.limits.period, today);
      const units = (column: 'member_id' | 'account_id', id: string) => sql`(SELECT coalesce(sum(o.quantity), 0)::bigint FROM reward_orders o
        WHERE o.program_id = ${program.id} AND o.reward_id = ${reward.id} AND o.${sql.ref(column)} = ${id}::uuid
          AND o.state NOT IN ('cancelled', 'rejected')${since ? sql` AND o.local_date >= ${since}::date` : sql``})`;
      const parts = [
        // The debit (ledger/writer.ts, systemDebitCall) is part of this statement: it locks the wallet and reads
        // the lots on snapshots of its own, and nothing else here reads what it writes (the order's reference to
        // its journal is checked at the statement's end). The order's row takes the journal's id from it, so it
        // runs before the order is written; a shortfall, a missing wallet or a used key raise there (strict) and
        // the statement writes nothing.
        sql`paid AS (${systemDebitCall(program.id, redeem, true)})`,
        sql`placed AS (${trx.insertInto('reward_orders').values(order).returning(['created_at', 'updated_at'])})`,
        sql`history AS (${trx.insertInto('reward_order_history').values({ program_id: program.id, order_id: orderId, seq: 1, from_state: null, to_state: state, actor, reason: null, at: now })})`,
        ...(events
          ? [sql`events AS (${trx.insertInto('webhook_events').values(events.events)})`, sql`deliveries AS (${trx.insertInto('webhook_deliveries').values(events.deliveries)})`]
          : []),
        ...(mail ? [sql`mail AS (${trx.insertInto('mail_outbox').values(outboxRows(program.id, [mail], now))})`] : []),
      ];
      let rows: PlacedRow[];
      try {
        ({ rows } = await sql<PlacedRow>`WITH ${sql.join(parts, sql`, `)}
        SELECT p.created_at, p.updated_at,
          ${reward.limits.perMember === null ? sql`NULL` : units('member_id', req.memberId)} AS member_units,
          ${reward.limits.perAccount === null ? sql`NULL` : units('account_id', accountId)} AS account_units
        FROM placed p`.execute(trx));
      } catch (err) {
        throw isReplayedDebit(err) ? new SameKeyElsewhere() : asDebitRefusal(err, redeem);
      }
      const placed = rows[0]!;
      checkLimits(reward, req.quantity, placed);
      // The reward's row is the one every buyer of it locks: taken last, so that it is held for little but the commit.
      // Sent without waiting for its answer, the commit right behind it (one round trip); a short stock fails the
      // commit with LJ004 (stockRefusal). Issuing, for an order issued at once, comes after and waits for it.
      // Also for a reward unlimited when the facts were read: its stock may have been set since.
      rewardCode = reward.code;
      const take = takeStock(program.id, reward.id, req.quantity);
      await (issuedNow ? take : unawaited(take)).execute(trx);
      if (issuedNow) {
        await move(trx, program, { id: orderId, quantity: req.quantity, accountId, state, historySeq: 1 }, reward, 'approve', {}, 'system', now);
        return { issued: true as const };
      }
      const answer: RewardOrder = {
        id: orderId,
        state,
        reward: { id: reward.id, code: reward.code, type: reward.type, name: textIn(reward.texts, lng, program.defaultLanguage).name },
        quantity: req.quantity,
        points,
        memberId: req.memberId,
        accountId,
        paidFrom: req.payFrom,
        shippingAddress: (req.shippingAddress as ShippingAddress | null | undefined) ?? null,
        tracking: null,
        codes: [],
        note: req.note ?? null,
        creditNote: null,
        invoice: null,
        createdAt: new Date(placed.created_at),
        updatedAt: new Date(placed.updated_at),
        history: [{ from: null, to: state, actor, reason: null, at: now }],
      };
      return { order: answer };
    });
  } catch (err) {
    if (err instanceof SameKeyElsewhere) return (await replayOf(db, program, req.idempotencyKey, hash, lng))!;
    throw stockRefusal(err, rewardCode, req.quantity);
  }
  if ('earlier' in outcome) return { order: await getOrder(db, program, outcome.earlier, lng), created: false };
  if ('issued' in outcome) return { order: await getOrder(db, program, orderId, lng), created: true };
  return { order: outcome.order, created: true };
}

export interface QuotedOrder {
  /** The reward the order is booked on (the program's special-order reward, kept out of the shop). */
  rewardId: string;
  memberId: string;
  accountId: string;
  quantity: number;
  /** Either points, paid from the member's wallet like any shop order, or an amount to invoice. */
  price: { points: number } | { amountMinor: number; currency: string };
  note: string;
  idempotencyKey: string;
}

/**
 * An order at a price agreed beforehand (a special order's accepted quote), written in the caller's
 * transaction so that the quote and its order commit together. It takes the shop's path — the account lock,
 * the ledger debit under the order's idempotency key, the order's history, its webhook and its confirmation
 * mail — but no catalogue price, eligibility, limits or stock: the quote settled those. Answers the order
 * already made with the same key instead of a second one.
 */
export async function placeQuotedOrder(trx: Db, program: Program, q: QuotedOrder, actor: string, now: Date): Promise<{ orderId: string; created: boolean }> {
  const hash = fingerprint(['quoted', q.rewardId, q.memberId, q.quantity, q.price, q.note]);
  const earlier = await trx.selectFrom('reward_orders').select(['id', 'request_hash']).where('program_id', '=', program.id).where('idempotency_key', '=', q.idempotencyKey).executeTakeFirst();
  if (earlier) {
    if (earlier.request_hash !== hash) throw new LojalError('idempotency_conflict', { key: q.idempotencyKey });
    return { orderId: earlier.id, created: false };
  }
  await lockAccount(trx, program.id, q.accountId);
  let journalId: string | null = null;
  if ('points' in q.price) {
    const paid = await debit(
      trx,
      program.id,
      {
        id: uuidv7(),
        idempotencyKey: `redeem:${q.idempotencyKey}`,
        kind: 'redeem',
        occurredAt: now,
        actor,
        memo: q.note.slice(0, 200),
        requestHash: hash,
        explanation: { key: 'ledger:explain.redeem', params: { quantity: q.quantity, ...rewardNameParams((await getReward(trx, program.id, q.rewardId)).texts, program.defaultLanguage) } },
        walletId: q.memberId,
        points: q.price.points,
        toWalletId: systemWalletId(program.id, 'redemption'),
        effect: 'spent',
      },
      now,
    );
    journalId = paid.journalId;
  }
  const orderId = uuidv7();
  await trx
    .insertInto('reward_orders')
    .values({
      program_id: program.id,
      id: orderId,
      idempotency_key: q.idempotencyKey,
      request_hash: hash,
      reward_id: q.rewardId,
      quantity: q.quantity,
      member_id: q.memberId,
      account_id: q.accountId,
      wallet_id: q.memberId,
      points: 'points' in q.price ? q.price.points : 0,
      invoice_amount_minor: 'amountMinor' in q.price ? q.price.amountMinor : null,
      invoice_currency: 'amountMinor' in q.price ? q.price.currency : null,
      state: 'placed',
      redeem_journal_id: journalId,
      note: q.note,
      local_date: isoLocalDate(localDate(now, program.timeZone)),
    })
    .execute();
  await appendHistory(trx, program.id, orderId, 1, null, 'placed', actor, null, now);
  await publishOrderChange(trx, program.id, orderId, null, 'placed', now);
  await queueOrderMail(trx, program, orderId, 'confirmed', null, now);
  return { orderId, created: true };
}

/** Throws the first reason the buyer may not order, named in the reader's language. */
function checkEligible(reward: Reward, buyer: Buyer, levels: Awaited<ReturnType<typeof tierLevels>>, now: Date, lng: Language, fallback: Language): void {
  const problems = ineligibilities(conditionsOf(reward, new Map(levels.map((l) => [l.code, l.rank]))), buyer, now);
  const name = textIn(reward.texts, lng, fallback).name;
  const tierNames = (levels.find((l) => l.code === reward.eligibility.minTier)?.names ?? {}) as Record<string, string>;
  for (const p of problems) {
    if (p.reason === 'expired') throw new LojalError('reward_expired', { reward: name, until: p.until.toISOString().slice(0, 10) });
  }
  for (const p of problems) {
    if (p.reason === 'inactive' || p.reason === 'not_yet_valid') throw new LojalError('reward_not_available', { reward: name });
  }
  const first = problems[0];
  if (first) {
    const minTier = tierNames[lng] ?? tierNames[fallback] ?? reward.eligibility.minTier ?? '';
    throw new LojalError('not_eligible', { reward: name, reason: first.reason, minTier });
  }
}

async function lockAccount(trx: Db, programId: string, accountId: string): Promise<void> {
  await sql`SELECT id FROM accounts WHERE program_id = ${programId} AND id = ${accountId} FOR NO KEY UPDATE`.execute(trx);
}

/**
 * Per-member and per-account limits count the units ordered this period, except cancelled and rejected orders;
 * the counts come from the order's own statement, which does not see the order it inserts.
 */
function checkLimits(reward: Reward, quantity: number, counted: { member_units: number | null; account_units: number | null }) {
  const checks = [
    { scope: 'member', limit: reward.limits.perMember, units: counted.member_units },
    { scope: 'account', limit: reward.limits.perAccount, units: counted.account_units },
  ];
  for (const c of checks) {
    if (c.limit === null) continue;
    if (Number(c.units) + quantity > c.limit) {
      throw new LojalError('redemption_limit_reached', { reward: reward.code, limit: c.limit, scope: c.scope, period: reward.limits.period });
    }
  }
}

/** Takes an order's quantity from its reward's stock, or raises LJ004 with what is left (migration 0055). */
const takeStock = (programId: string, rewardId: string, quantity: number) => sql`SELECT reward_take_stock(${programId}::uuid, ${rewardId}::uuid, ${quantity}::int)`;

/** A stock too short for the order (SQLSTATE LJ004, raised by reward_take_stock) as the buyer's refusal. */
function stockRefusal(err: unknown, reward: string, requested: number): unknown {
  const e = err as { code?: unknown; detail?: unknown };
  return e?.code === 'LJ004' ? new LojalError('out_of_stock', { reward, left: Number(e.detail), requested }) : err;
}

async function giveBackStock(trx: Db, programId: string, rewardId: string, quantity: number): Promise<void> {
  await sql`UPDATE rewards SET stock = stock + ${quantity} WHERE program_id = ${programId} AND id = ${rewardId} AND stock IS NOT NULL`.execute(trx);
}

async function appendHistory(trx: Db, programId: string, orderId: string, seq: number, from: OrderState | null, to: OrderState, actor: string, reason: string | null, at: Date) {
  await trx.insertInto('reward_order_history').values({ program_id: programId, order_id: orderId, seq, from_state: from, to_state: to, actor, reason, at }).execute();
}

export interface TransitionInput {
  reason?: string | undefined;
  tracking?: Record<string, string> | undefined;
}

interface OrderCore {
  id: string;
  quantity: number;
  accountId: string;
  state: OrderState;
  historySeq: number;
}

/**
 * One step of an order inside its transaction; approving an order Lojal fulfils itself (codes, donations,
 * cashback) issues it at once. Returns the order's state after.
 */
async function move(trx: Db, program: Program, order: OrderCore, reward: Reward, action: OrderAction, input: TransitionInput, actor: string, now: Date): Promise<OrderState> {
  const to = actionTarget[action];
  let seq = order.historySeq;
  const set: Updateable<RewardOrdersTable> = { state: to, updated_at: now };
  const paidJournal = action === 'reject' || action === 'cancel'
    ? (await trx.selectFrom('reward_orders').select(['redeem_journal_id']).where('program_id', '=', program.id).where('id', '=', order.id).executeTakeFirstOrThrow()).redeem_journal_id
    : null;
  // An invoiced order (an accepted money quote) took no points, so it has none to give back.
  if (paidJournal !== null) {
    const refund = await refundDebit(
      trx,
      program.id,
      {
        id: uuidv7(),
        idempotencyKey: `refund:${order.id}`,
        kind: 'refund',
        occurredAt: now,
        actor,
        memo: input.reason ?? null,
        explanation: {
          key: `ledger:explain.refund.${to}`,
          params: rewardNameParams(reward.texts, program.defaultLanguage),
        },
      },
      paidJournal,
      now,
    );
    set.refund_journal_id = refund.journalId;
  }
  if (action === 'reject' || action === 'cancel') await giveBackStock(trx, program.id, reward.id, order.quantity);
  if (action === 'ship' || action === 'issue' || action === 'deliver') {
    if (input.tracking && Object.keys(input.tracking).length) set.tracking = JSON.stringify(input.tracking);
  }
  await trx.updateTable('reward_orders').set(set).where('program_id', '=', program.id).where('id', '=', order.id).execute();
  await appendHistory(trx, program.id, order.id, ++seq, order.state, to, actor, input.reason ?? null, now);
  if (action === 'approve' && issuedAutomatically.includes(reward.type)) {
    await publishOrderChange(trx, program.id, order.id, order.state, to, now);
    const issued = await issue(trx, program.id, program.currency, order, reward, now);
    await trx
      .updateTable('reward_orders')
      .set({ state: 'issued', codes: issued.codes, updated_at: now })
      .where('program_id', '=', program.id)
      .where('id', '=', order.id)
      .execute();
    await appendHistory(trx, program.id, order.id, ++seq, 'approved', 'issued', 'system', null, now);
    await publishOrderChange(trx, program.id, order.id, 'approved', 'issued', now);
    await queueOrderMail(trx, program, order.id, 'issued', null, now);
    return 'issued';
  }
  if (action === 'issue') {
    const issued = await issue(trx, program.id, program.currency, order, reward, now);
    if (issued.codes.length) {
      await trx.updateTable('reward_orders').set({ codes: issued.codes }).where('program_id', '=', program.id).where('id', '=', order.id).execute();
    }
  }
  // After the codes are written, so an issued event carries them.
  await publishOrderChange(trx, program.id, order.id, order.state, to, now);
  const mail = action === 'ship' ? 'shipped' : action === 'issue' ? 'issued' : action === 'cancel' || action === 'reject' ? 'cancelled' : null;
  if (mail) await queueOrderMail(trx, program, order.id, mail, input.reason ?? null, now);
  return to;
}

/**
 * Moves an order one step. Asking for the state it is already in answers the order unchanged (a retried
 * request); any other step the table does not allow is `invalid_order_transition`.
 */
export async function transition(
  db: Db,
  program: Program,
  orderId: string,
  action: OrderAction,
  input: TransitionInput,
  actor: string,
  opts: { lng?: Language; now: Date; audit?: AuditContext; cancellableFrom?: OrderState[] },
): Promise<RewardOrder> {
  const now = opts.now;
  const first = await db.selectFrom('reward_orders').select(['account_id', 'reward_id']).where('program_id', '=', program.id).where('id', '=', orderId).executeTakeFirst();
  if (!first) throw new LojalError('not_found', { entity: 'reward order', id: orderId });
  const reward = await getReward(db, program.id, first.reward_id);
  await db.transaction().execute(async (trx) => {
    await lockAccount(trx, program.id, first.account_id);
    const o = await trx
      .selectFrom('reward_orders')
      .select(['id', 'state', 'quantity', 'account_id'])
      .where('program_id', '=', program.id)
      .where('id', '=', orderId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (o.state === actionTarget[action]) return;
    // A member may cancel only what nobody has started on; checked under the row lock, so an approval that
    // lands first wins.
    if (action === 'cancel' && opts.cancellableFrom && !opts.cancellableFrom.includes(o.state)) {
      throw new LojalError('order_not_cancellable', { order: orderId, state: o.state });
    }
    if (!canTake(reward.type, o.state, action)) {
      throw new LojalError('invalid_order_transition', { order: orderId, state: o.state, action });
    }
    const seq = await trx
      .selectFrom('reward_order_history')
      .select((eb) => eb.fn.max<number>('seq').as('seq'))
      .where('program_id', '=', program.id)
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();
    const after = await move(trx, program, { id: o.id, quantity: o.quantity, accountId: o.account_id, state: o.state, historySeq: Number(seq.seq) }, reward, action, input, actor, now);
    if (opts.audit) {
      await recordAudit(trx, {
        ...opts.audit,
        action: `reward_order.${action}`,
        entity: 'reward_order',
        entityId: orderId,
        before: { state: o.state },
        after: { state: after, ...(input.reason && { reason: input.reason }), ...(input.tracking && Object.keys(input.tracking).length && { tracking: input.tracking }) },
      }, now);
    }
  });
  return getOrder(db, program, orderId, opts.lng ?? program.defaultLanguage);
}

async function replayOf(db: Db, program: Program, key: string, hash: string, lng: Language): Promise<OrderResult | undefined> {
  const row = await db.selectFrom('reward_orders').select(['id', 'request_hash']).where('program_id', '=', program.id).where('idempotency_key', '=', key).executeTakeFirst();
  if (!row) return undefined;
  if (row.request_hash !== hash) throw new LojalError('idempotency_conflict', { key });
  return { order: await getOrder(db, program, row.id, lng), created: false };
}

type OrderRow = Selectable<RewardOrdersTable> & { reward_code: string; reward_type: Reward['type']; reward_texts: unknown };

function selectOrders(db: Db, programId: string) {
  return db
    .selectFrom('reward_orders as o')
    .innerJoin('rewards as r', (j) => j.onRef('r.program_id', '=', 'o.program_id').onRef('r.id', '=', 'o.reward_id'))
    .selectAll('o')
    .select(['r.code as reward_code', 'r.type as reward_type', 'r.texts as reward_texts'])
    .where('o.program_id', '=', programId);
}

async function toOrders(db: Db, program: Program, rows: OrderRow[], lng: Language): Promise<RewardOrder[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const history = await db.selectFrom('reward_order_history').selectAll().where('program_id', '=', program.id).where('order_id', 'in', ids).orderBy('order_id').orderBy('seq').execute();
  const notes = await db.selectFrom('credit_notes').selectAll().where('program_id', '=', program.id).where('order_id', 'in', ids).execute();
  return rows.map((r) => {
    const note = notes.find((n) => n.order_id === r.id);
    return {
      id: r.id,
      state: r.state,
      reward: { id: r.reward_id, code: r.reward_code, type: r.reward_type, name: textIn(r.reward_texts as Reward['texts'], lng, program.defaultLanguage).name },
      quantity: r.quantity,
      points: Number(r.points),
      memberId: r.member_id,
      accountId: r.account_id,
      paidFrom: r.wallet_id === r.account_id ? 'account' : 'member',
      shippingAddress: r.shipping_address as ShippingAddress | null,
      tracking: r.tracking as OrderTracking | null,
      codes: r.codes,
      note: r.note,
      creditNote: note ? { id: note.id, amountMinor: Number(note.amount_minor), currency: note.currency, exportedAt: note.exported_at ? new Date(note.exported_at) : null } : null,
      invoice: r.invoice_amount_minor === null ? null : { amountMinor: Number(r.invoice_amount_minor), currency: (r.invoice_currency ?? '').trim() },
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      history: history
        .filter((h) => h.order_id === r.id)
        .map((h) => ({ from: h.from_state, to: h.to_state, actor: h.actor, reason: h.reason, at: new Date(h.at) })),
    };
  });
}

export async function getOrder(db: Db, program: Program, id: string, lng: Language): Promise<RewardOrder> {
  const row = await selectOrders(db, program.id).where('o.id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'reward order', id });
  return (await toOrders(db, program, [row as OrderRow], lng))[0]!;
}

export interface OrderFilters {
  state?: OrderState | undefined;
  memberId?: string | undefined;
  accountId?: string | undefined;
  rewardId?: string | undefined;
}

/** Newest first (ids are time-ordered), the fulfilment queue with `state`. */
export async function listOrders(db: Db, program: Program, f: OrderFilters & PageParams, lng: Language): Promise<Page<RewardOrder>> {
  const limit = pageSize(f);
  const before = decodeCursor(f.cursor, z.tuple([z.uuid()]));
  let q = selectOrders(db, program.id);
  if (f.state) q = q.where('o.state', '=', f.state);
  if (f.memberId) q = q.where('o.member_id', '=', f.memberId);
  if (f.accountId) q = q.where('o.account_id', '=', f.accountId);
  if (f.rewardId) q = q.where('o.reward_id', '=', f.rewardId);
  if (before) q = q.where('o.id', '<', before[0]);
  const rows = (await q.orderBy('o.id', 'desc').limit(limit + 1).execute()) as OrderRow[];
  const page = toPage(rows, limit, (r) => [r.id], (r) => r);
  return { data: await toOrders(db, program, page.data, lng), nextCursor: page.nextCursor };
}

/**
 * Which of these rewards the member (or their company) has ordered up to its limit this period: for the
 * shop listing, so a portal can say so before the member tries.
 */
export async function limitsReached(db: Db, program: Program, memberId: string, accountId: string, rewards: Reward[], now: Date): Promise<Set<string>> {
  const limited = rewards.filter((r) => r.limits.perMember !== null || r.limits.perAccount !== null);
  if (!limited.length) return new Set();
  const today = localDate(now, program.timeZone);
  const rows = await sql<{ reward_id: string; mine: number; company: number }>`
    SELECT o.reward_id,
           coalesce(sum(o.quantity) FILTER (WHERE o.member_id = ${memberId}), 0)::bigint AS mine,
           coalesce(sum(o.quantity), 0)::bigint AS company
    FROM reward_orders o
    JOIN unnest(${limited.map((r) => r.id)}::uuid[], ${limited.map((r) => periodStart(r.limits.period, today))}::date[]) AS l(reward_id, since)
      ON l.reward_id = o.reward_id
    WHERE o.program_id = ${program.id} AND o.account_id = ${accountId} AND o.state NOT IN ('cancelled', 'rejected')
      AND (l.since IS NULL OR o.local_date >= l.since)
    GROUP BY o.reward_id`.execute(db);
  const reached = new Set<string>();
  for (const r of rows.rows) {
    const reward = limited.find((x) => x.id === r.reward_id)!;
    if ((reward.limits.perMember !== null && Number(r.mine) >= reward.limits.perMember) || (reward.limits.perAccount !== null && Number(r.company) >= reward.limits.perAccount)) {
      reached.add(r.reward_id);
    }
  }
  return reached;
}
