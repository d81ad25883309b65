/**
 * Campaigns: definitions, their budget wallets (the ledger's), and the report of what they paid and what they
 * changed. Creating one opens its budget in the same transaction.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { budgetBalances, openBudget } from '../ledger/budget.js';
import { segmentByKey } from '../segments/store.js';
import { uplift, type CampaignEffect, type GroupStats, type Uplift } from './effects.js';

export interface Campaign {
  id: string;
  name: string;
  description: string | null;
  segmentKeys: string[];
  startsAt: Date;
  endsAt: Date;
  effects: CampaignEffect[];
  budgetPoints: number;
  controlPercent: number;
  walletId: string;
  createdAt: Date;
  /** When a manager stopped it before its planned end; it pays nothing from then on. */
  stoppedAt: Date | null;
}

/** When the campaign stops paying: its planned end, or the moment it was stopped if that came first. */
export const effectiveEnd = (c: Pick<Campaign, 'endsAt' | 'stoppedAt'>): Date => (c.stoppedAt && c.stoppedAt < c.endsAt ? c.stoppedAt : c.endsAt);

interface Row {
  id: string;
  name: string;
  description: string | null;
  segment_keys: string[];
  starts_at: Date;
  ends_at: Date;
  effects: CampaignEffect[];
  budget_points: string;
  control_percent: number;
  wallet_id: string;
  created_at: Date;
  stopped_at: Date | null;
}

const toCampaign = (r: Row): Campaign => ({
  id: r.id,
  name: r.name,
  description: r.description,
  segmentKeys: r.segment_keys,
  startsAt: new Date(r.starts_at),
  endsAt: new Date(r.ends_at),
  effects: r.effects,
  budgetPoints: Number(r.budget_points),
  controlPercent: Number(r.control_percent),
  walletId: r.wallet_id,
  createdAt: new Date(r.created_at),
  stoppedAt: r.stopped_at ? new Date(r.stopped_at) : null,
});

const cols = sql`id, name, description, segment_keys, starts_at, ends_at, effects, budget_points, control_percent, wallet_id, created_at, stopped_at`;

export interface CampaignInput {
  name: string;
  description?: string | null | undefined;
  segmentKeys: string[];
  startsAt: Date;
  endsAt: Date;
  effects: CampaignEffect[];
  budgetPoints: number;
  controlPercent: number;
}

export async function createCampaign(trx: Db, programId: string, input: CampaignInput, actor: string, now: Date): Promise<Campaign> {
  if (input.budgetPoints < 0) throw new LojalError('campaign_budget_negative', { budget: input.budgetPoints });
  if (input.endsAt.getTime() <= input.startsAt.getTime()) {
    throw new LojalError('campaign_dates_reversed', { startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() });
  }
  for (const key of input.segmentKeys) {
    if (!(await segmentByKey(trx, programId, key))) throw new LojalError('campaign_segment_unknown', { key });
  }
  const id = uuidv7();
  const walletId = await openBudget(
    trx,
    programId,
    { points: input.budgetPoints, idempotencyKey: `campaign-budget:${id}`, explanation: { key: 'campaigns:explain.budget', params: { campaign: input.name } }, actor },
    now,
  );
  const { rows } = await sql<Row>`
    INSERT INTO campaigns (program_id, id, name, description, segment_keys, starts_at, ends_at, effects, budget_points, control_percent, wallet_id, created_at)
    VALUES (${programId}, ${id}, ${input.name}, ${input.description ?? null}, ${input.segmentKeys}::text[], ${input.startsAt}, ${input.endsAt},
            ${JSON.stringify(input.effects)}::jsonb, ${input.budgetPoints}, ${input.controlPercent}, ${walletId}, ${now})
    RETURNING ${cols}`.execute(trx);
  return toCampaign(rows[0]!);
}

export async function listCampaigns(db: Db, programId: string): Promise<Campaign[]> {
  const { rows } = await sql<Row>`SELECT ${cols} FROM campaigns WHERE program_id = ${programId} ORDER BY starts_at DESC, id`.execute(db);
  return rows.map(toCampaign);
}

export async function getCampaign(db: Db, programId: string, id: string): Promise<Campaign> {
  const { rows } = await sql<Row>`SELECT ${cols} FROM campaigns WHERE program_id = ${programId} AND id = ${id}`.execute(db);
  if (!rows[0]) throw new LojalError('not_found', { entity: 'campaign', id });
  return toCampaign(rows[0]);
}

const inForce = (programId: string, from: Date, to: Date) =>
  sql`program_id = ${programId} AND ends_at > ${from} AND starts_at <= ${to} AND (stopped_at IS NULL OR stopped_at > ${from})`;

/** Campaigns running at some time in [from, to] (the event batch's span). */
export async function campaignsInForce(db: Db, programId: string, from: Date, to: Date): Promise<Campaign[]> {
  const { rows } = await sql<Row>`SELECT ${cols} FROM campaigns WHERE ${inForce(programId, from, to)} ORDER BY id`.execute(db);
  return rows.map(toCampaign);
}

/** Whether any campaign runs at some time in [from, to]: an event batch with none may be written in lanes. */
export async function anyCampaignInForce(db: Db, programId: string, from: Date, to: Date): Promise<boolean> {
  const { rows } = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM campaigns WHERE ${inForce(programId, from, to)}) AS any`.execute(db);
  return rows[0]?.any === true;
}

/**
 * campaignsInForce as a scalar subquery (a JSON array, or null), for the event path to read in a statement it
 * sends anyway; `campaignsOfJson` turns its value into campaigns.
 */
export function campaignsInForceSubquery(programId: string, from: Date, to: Date) {
  return sql<unknown[] | null>`(SELECT json_agg(c ORDER BY c.id) FROM (SELECT ${cols} FROM campaigns WHERE ${inForce(programId, from, to)}) c)`;
}

export function campaignsOfJson(rows: unknown[] | null): Campaign[] {
  return (rows ?? []).map((r) => toCampaign(r as Row));
}

/**
 * Stops a campaign now: purchases from this moment earn nothing from it (a planned one never starts). Its unspent
 * budget stays in its wallet, visible in the report. A campaign that has ended or was stopped answers 409.
 */
export async function stopCampaign(trx: Db, programId: string, id: string, now: Date): Promise<{ before: Campaign; after: Campaign }> {
  const before = await getCampaignForUpdate(trx, programId, id);
  if (before.stoppedAt || before.endsAt <= now) throw new LojalError('campaign_over', { id, endedAt: effectiveEnd(before).toISOString() });
  const { rows } = await sql<Row>`
    UPDATE campaigns SET stopped_at = ${now} WHERE program_id = ${programId} AND id = ${id} RETURNING ${cols}`.execute(trx);
  return { before, after: toCampaign(rows[0]!) };
}

/**
 * Moves a running or planned campaign's end later. An end not after the current one answers 422
 * `campaign_end_not_later`; a stopped or ended campaign cannot be extended (409 `campaign_over`): plan a new one.
 */
export async function extendCampaign(trx: Db, programId: string, id: string, endsAt: Date, now: Date): Promise<{ before: Campaign; after: Campaign }> {
  const before = await getCampaignForUpdate(trx, programId, id);
  if (before.stoppedAt || before.endsAt <= now) throw new LojalError('campaign_over', { id, endedAt: effectiveEnd(before).toISOString() });
  if (endsAt.getTime() <= before.endsAt.getTime()) {
    throw new LojalError('campaign_end_not_later', { endsAt: endsAt.toISOString(), currentEnd: before.endsAt.toISOString() });
  }
  const { rows } = await sql<Row>`
    UPDATE campaigns SET ends_at = ${endsAt} WHERE program_id = ${programId} AND id = ${id} RETURNING ${cols}`.execute(trx);
  return { before, after: toCampaign(rows[0]!) };
}

async function getCampaignForUpdate(trx: Db, programId: string, id: string): Promise<Campaign> {
  const { rows } = await sql<Row>`SELECT ${cols} FROM campaigns WHERE program_id = ${programId} AND id = ${id} FOR UPDATE`.execute(trx);
  if (!rows[0]) throw new LojalError('not_found', { entity: 'campaign', id });
  return toCampaign(rows[0]);
}

/** The control bucket in SQL: the same number as `controlBucket` in effects.ts. */
const bucket = (campaignId: string) => sql`((('x' || substr(md5(${campaignId} || ':' || a.id::text), 1, 8))::bit(32)::bigint) % 100)`;

export interface CampaignReport {
  status: 'planned' | 'running' | 'finished' | 'stopped';
  budget: { planned: number; spent: number; available: number; exhausted: boolean };
  payouts: { count: number };
  groups: {
    treatment: GroupStats & { purchases: number };
    control: GroupStats & { purchases: number };
  };
  /** Purchase amount per account (minor units) in the campaign window, treated vs held out. */
  uplift: Uplift | null;
  /** The window the figures cover: the campaign's, up to now. */
  window: { from: Date; to: Date };
}

/**
 * Planned vs spent, and the uplift: the accounts the campaign reaches now (or all accounts), split by the stable
 * hash into treated and held out, compared on their purchase amount in the campaign's window.
 *
 * A segment may hold accounts or members, and the earning path reaches a purchase when either its account or the
 * member named on it is in one of the campaign's segments, while the hash that holds out is always the account's.
 * So the unit stays the account: one in an account segment brings all its purchases; one that is there only through
 * members of a member segment brings the purchases naming those members, the only ones the campaign could pay on.
 */
export async function campaignReport(db: Db, programId: string, c: Campaign, now: Date): Promise<CampaignReport> {
  const end = effectiveEnd(c);
  // A campaign stopped before it started measured nothing: its window is empty rather than reversed.
  const to = new Date(Math.max(c.startsAt.getTime(), Math.min(now.getTime(), end.getTime())));
  const budget = (await budgetBalances(db, programId, [c.walletId])).get(c.walletId)!;
  const targeted = c.segmentKeys.length > 0;
  const reached = sql`SELECT sm.subject_id FROM segment_members sm JOIN segments sg ON sg.program_id = sm.program_id AND sg.id = sm.segment_id
                      WHERE sm.program_id = ${programId} AND sg.key = ANY(${c.segmentKeys}::text[])`;
  const inSegments = targeted
    ? sql`AND (a.id IN (SELECT subject_id FROM reached)
               OR EXISTS (SELECT 1 FROM members m WHERE m.program_id = a.program_id AND m.account_id = a.id AND m.id IN (SELECT subject_id FROM reached)))`
    : sql``;
  const counted = targeted ? sql`AND (acc.whole OR e.member_id IN (SELECT subject_id FROM reached))` : sql``;
  const { rows } = await sql<{ control: boolean; n: string; mean: string | null; variance: string | null; purchases: string }>`
    WITH reached AS (${reached}),
    acc AS (
      SELECT a.id, ${bucket(c.id)} < ${c.controlPercent} AS control, ${targeted ? sql`a.id IN (SELECT subject_id FROM reached)` : sql`true`} AS whole
      FROM accounts a WHERE a.program_id = ${programId} AND a.status <> 'closed' ${inSegments}),
    measured AS (
      SELECT acc.control,
             coalesce((SELECT sum(e.amount) FROM events e WHERE e.program_id = ${programId} AND e.account_id = acc.id AND e.type = 'purchase'
                        AND e.occurred_at >= ${c.startsAt} AND e.occurred_at < ${to} ${counted}), 0) AS amount,
             (SELECT count(*) FROM events e WHERE e.program_id = ${programId} AND e.account_id = acc.id AND e.type = 'purchase'
                        AND e.occurred_at >= ${c.startsAt} AND e.occurred_at < ${to} ${counted}) AS purchases
      FROM acc)
    SELECT control, count(*) AS n, avg(amount) AS mean, var_samp(amount) AS variance, sum(purchases) AS purchases FROM measured GROUP BY control`.execute(db);
  const group = (control: boolean) => {
    const r = rows.find((x) => x.control === control);
    return { n: Number(r?.n ?? 0), mean: Number(r?.mean ?? 0), variance: Number(r?.variance ?? 0), purchases: Number(r?.purchases ?? 0) };
  };
  const treatment = group(false);
  const control = group(true);
  const { rows: paid } = await sql<{ count: string }>`
    SELECT count(*) AS count FROM entries en
    WHERE en.program_id = ${programId} AND en.wallet_id = ${c.walletId} AND en.amount < 0`.execute(db);
  return {
    status: c.stoppedAt && c.stoppedAt < c.endsAt ? 'stopped' : now < c.startsAt ? 'planned' : now < c.endsAt ? 'running' : 'finished',
    budget: { planned: c.budgetPoints, spent: budget.spent, available: budget.available, exhausted: c.budgetPoints > 0 && budget.available === 0 },
    payouts: { count: Number(paid[0]?.count ?? 0) },
    groups: { treatment, control },
    uplift: uplift(treatment, control),
    window: { from: c.startsAt, to },
  };
}
