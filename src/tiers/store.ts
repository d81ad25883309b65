/**
 * The tables the tiers module owns: the program's ladder and settings, each owner's status and its
 * history, and the qualifying totals read from the ledger (points) or the events (amounts).
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { chainRoots } from '../accounts/index.js';
import { genericPlan, inTransaction, type Db } from '../db/database.js';
import type { TierOwnerKind } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { languages } from '../i18n/index.js';
import type { TierSettings, TierState, Window } from './evaluate.js';

const localized = <T extends z.ZodType>(item: T) => z.object(Object.fromEntries(languages.map((l) => [l, item])) as Record<(typeof languages)[number], T>).strict();

export const tierSettingsSchema = z
  .object({
    basis: z.enum(['points', 'amount']),
    windowKind: z.enum(['rolling', 'calendar_year']),
    windowMonths: z.number().int().min(1).max(60).default(12),
    scope: z.enum(['account', 'member', 'both']),
    downgradeMaxLevels: z.number().int().min(1).max(100).default(1),
    graceDays: z.number().int().min(0).max(366).default(0),
  })
  .strict();

export const tierLevelSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a lowercase code such as gold'),
    rank: z.number().int().min(1).max(1000),
    names: localized(z.string().trim().min(1).max(100)),
    threshold: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    multiplierHundredths: z.number().int().min(100).max(10000).default(100),
    discountBasisPoints: z.number().int().min(0).max(10000).default(0),
    rewardTags: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
    benefits: localized(z.array(z.string().trim().min(1).max(500)).max(20)).optional(),
  })
  .strict();

export const tierConfigSchema = z.object({ settings: tierSettingsSchema, levels: z.array(tierLevelSchema).min(1).max(50) }).strict();

export type TierLevel = Omit<z.output<typeof tierLevelSchema>, 'benefits'> & { benefits: Record<string, string[]> };
export interface TierConfig {
  settings: TierSettings;
  levels: TierLevel[];
  /** The program rolls chains up: an account's tier is its top parent's, on the whole chain's total. */
  chain: boolean;
}

/**
 * Ranks strictly ascending with thresholds strictly ascending, codes unique. The problem also names the
 * offending field (`levels.<index in the request>.threshold`), so an editor can show it next to that field.
 */
function checkLadder(levels: TierLevel[]): void {
  const sorted = levels.map((level, index) => ({ level, index })).sort((a, b) => a.level.rank - b.level.rank);
  const codes = new Set<string>();
  const fail = (index: number, field: string, detail: string): never => {
    throw new LojalError('invalid_tier_ladder', { detail }, [{ path: `levels.${index}.${field}`, message: detail }]);
  };
  for (const [i, { level: l, index }] of sorted.entries()) {
    if (codes.has(l.code)) fail(index, 'code', `level code ${l.code} is used twice`);
    codes.add(l.code);
    const prev = sorted[i - 1]?.level;
    if (!prev) continue;
    if (prev.rank === l.rank) fail(index, 'rank', `rank ${l.rank} is used twice`);
    if (l.threshold <= prev.threshold) {
      fail(index, 'threshold', `${l.code} (rank ${l.rank}) needs a higher threshold than ${prev.code} (${prev.threshold})`);
    }
  }
}

export async function getTierConfig(db: Db, programId: string): Promise<TierConfig | null> {
  const s = await db
    .selectFrom('tier_settings')
    .innerJoin('programs', 'programs.id', 'tier_settings.program_id')
    .selectAll('tier_settings')
    .select('programs.hierarchy_rollup')
    .where('program_id', '=', programId)
    .executeTakeFirst();
  if (!s) return null;
  const rows = await db.selectFrom('tier_levels').selectAll().where('program_id', '=', programId).orderBy('rank').execute();
  return {
    settings: {
      basis: s.basis,
      windowKind: s.window_kind,
      windowMonths: s.window_months,
      scope: s.scope,
      downgradeMaxLevels: s.downgrade_max_levels,
      graceDays: s.grace_days,
    },
    levels: rows.map((r) => ({
      code: r.code,
      rank: r.rank,
      names: r.names as TierLevel['names'],
      threshold: Number(r.threshold),
      multiplierHundredths: r.multiplier_hundredths,
      discountBasisPoints: r.discount_basis_points,
      rewardTags: r.reward_tags,
      benefits: r.benefits as Record<string, string[]>,
    })),
    chain: s.hierarchy_rollup === 'chain',
  };
}

export async function requireTierConfig(db: Db, programId: string): Promise<TierConfig> {
  const config = await getTierConfig(db, programId);
  if (!config) throw new LojalError('tiers_not_configured');
  return config;
}

/** Replaces the whole ladder and the settings. Owners keep their status; the next evaluation applies the new ladder. */
export async function replaceTierConfig(db: Db, programId: string, input: z.output<typeof tierConfigSchema>): Promise<TierConfig> {
  const levels: TierLevel[] = input.levels.map((l) => ({ ...l, benefits: l.benefits ?? {} }));
  checkLadder(levels);
  await inTransaction(db, async (trx) => {
    const s = input.settings;
    const row = {
      basis: s.basis,
      window_kind: s.windowKind,
      window_months: s.windowMonths,
      scope: s.scope,
      downgrade_max_levels: s.downgradeMaxLevels,
      grace_days: s.graceDays,
    };
    await trx
      .insertInto('tier_settings')
      .values({ program_id: programId, ...row })
      .onConflict((oc) => oc.column('program_id').doUpdateSet({ ...row, updated_at: sql`now()` }))
      .execute();
    await trx.deleteFrom('tier_levels').where('program_id', '=', programId).execute();
    await trx
      .insertInto('tier_levels')
      .values(
        levels.map((l) => ({
          program_id: programId,
          code: l.code,
          rank: l.rank,
          names: JSON.stringify(l.names),
          threshold: l.threshold,
          multiplier_hundredths: l.multiplierHundredths,
          discount_basis_points: l.discountBasisPoints,
          reward_tags: l.rewardTags,
          benefits: JSON.stringify(l.benefits),
        })),
      )
      .execute();
  });
  return (await getTierConfig(db, programId))!;
}

/**
 * Owners per level, from the level each account and member holds (set by tier evaluation; with chains rolled
 * up, branches hold their chain's). Closed accounts and members are left out: they earn nothing.
 */
export async function tierDistribution(
  db: Db,
  programId: string,
  config: TierConfig,
): Promise<Record<'accounts' | 'members', Array<{ level: string | null; count: number }>>> {
  const count = async (table: 'accounts' | 'members') => {
    const rows = await db
      .selectFrom(table)
      .select(['tier', db.fn.countAll<string | number>().as('n')])
      .where('program_id', '=', programId)
      .where('status', '!=', 'closed')
      .groupBy('tier')
      .execute();
    const byLevel = new Map(rows.map((r) => [r.tier, Number(r.n)]));
    const known = config.levels.map((l) => ({ level: l.code as string | null, count: byLevel.get(l.code) ?? 0 }));
    // A level since removed from the ladder counts as none until the next evaluation moves its holders.
    const none = rows.filter((r) => r.tier === null || !config.levels.some((l) => l.code === r.tier)).reduce((s, r) => s + Number(r.n), 0);
    return [...known, { level: null, count: none }];
  };
  return { accounts: await count('accounts'), members: await count('members') };
}

/** The account or member exists in this program, or a 404. */
export async function requireOwner(db: Db, programId: string, kind: TierOwnerKind, id: string): Promise<void> {
  const table = kind === 'account' ? 'accounts' : 'members';
  const row = await db.selectFrom(table).select('id').where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: kind, id });
}

/**
 * Qualifying totals per owner in a window, for the owners given (or every owner with activity in it).
 * Points: what earn journals credited to the owner's wallet, less what reversals took back, by the
 * journals' time. Amount: purchase line amounts less their returned amounts, by the purchase's time.
 */
export async function qualifyingTotals(
  db: Db,
  programId: string,
  basis: TierSettings['basis'],
  kind: TierOwnerKind,
  window: Window,
  ownerIds?: string[],
  chain = false,
): Promise<Map<string, number>> {
  if (ownerIds && ownerIds.length === 0) return new Map();
  if (chain && kind === 'account') return chainTotals(db, programId, basis, window, ownerIds);
  const rows = await qualifyingTotalsStatement(programId, basis, kind, window, ownerIds).execute(db);
  return new Map(rows.rows.map((r) => [r.owner_id, Math.max(0, Number(r.total))]));
}

/** qualifyingTotals' statement (not for chains), apart so that a caller can send it inside one of its own. */
export function qualifyingTotalsStatement(programId: string, basis: TierSettings['basis'], kind: TierOwnerKind, window: Window, ownerIds?: string[]) {
  const only = ownerIds ? sql`AND owner_id = ANY(${ownerIds}::uuid[])` : sql``;
  // Given owners, their wallets are read by key and their entries by the wallet index, each journal then by key
  // (index-only, migration 0053): the work follows the owners' own history, not the program's.
  const wallets = ownerIds ? sql`AND w.id = ANY(${ownerIds}::uuid[])` : sql``;
  return basis === 'points'
    ? sql<{ owner_id: string; total: string | number }>`
          SELECT owner_id, sum(amount)::bigint AS total FROM (
            SELECT e.wallet_id AS owner_id, e.amount
            FROM journals j
            JOIN entries e ON e.program_id = j.program_id AND e.journal_id = j.id
            JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id AND w.kind = ${kind}
            WHERE j.program_id = ${programId} AND j.kind IN ('earn', 'reverse')
              AND j.occurred_at >= ${window.start} AND j.occurred_at < ${window.end} ${wallets}
          ) x WHERE true ${only} GROUP BY owner_id`
    : sql<{ owner_id: string; total: string | number }>`
          SELECT owner_id, sum(amount)::bigint AS total FROM (
            SELECT ${kind === 'account' ? sql`ev.account_id` : sql`ev.member_id`} AS owner_id, l.amount - l.returned_amount AS amount
            FROM events ev
            JOIN event_lines l ON l.program_id = ev.program_id AND l.event_id = ev.id
            WHERE ev.program_id = ${programId} AND l.is_purchase
              AND ev.occurred_at >= ${window.start} AND ev.occurred_at < ${window.end}
          ) x WHERE owner_id IS NOT NULL ${only} GROUP BY owner_id`;
}

/**
 * The tier statuses and qualifying totals (in `window`) of the owners given, both kinds, in one statement (not for
 * chains): what an upgrade at event time is decided from.
 */
export async function statusesAndTotals(
  db: Db,
  programId: string,
  basis: TierSettings['basis'],
  window: Window,
  owners: { account: string[]; member: string[] },
): Promise<Record<TierOwnerKind, { statuses: Map<string, TierStatusRow>; totals: Map<string, number> }>> {
  const { rows } = await statusesAndTotalsStatement(programId, basis, window, owners).execute(db);
  const r = rows[0]!;
  const statuses = (list: StatusJson[] | null) => new Map((list ?? []).map((x) => [x.id, toStatus(x)]));
  const totals = (list: Array<{ id: string; total: string | number }> | null) => new Map((list ?? []).map((x) => [x.id, Math.max(0, Number(x.total))]));
  return { account: { statuses: statuses(r.sa), totals: totals(r.ta) }, member: { statuses: statuses(r.sm), totals: totals(r.tm) } };
}

type StatusJson = { id: string; level_code: string | null; since: string; period_end: string; frozen_until: string | null; frozen_reason: string | null };

/** statusesAndTotals' statement, apart so that a test can EXPLAIN the plan it keeps. */
export function statusesAndTotalsStatement(programId: string, basis: TierSettings['basis'], window: Window, owners: { account: string[]; member: string[] }) {
  const totalsOf = (kind: TierOwnerKind) =>
    owners[kind].length
      ? sql`(SELECT json_agg(json_build_object('id', t.owner_id, 'total', t.total)) FROM (${qualifyingTotalsStatement(programId, basis, kind, window, owners[kind])}) t)`
      : sql`NULL::json`;
  const statusesOf = (kind: TierOwnerKind) =>
    owners[kind].length
      ? sql`(SELECT json_agg(json_build_object('id', s.owner_id, 'level_code', s.level_code, 'since', s.since, 'period_end', s.period_end,
            'frozen_until', s.frozen_until, 'frozen_reason', s.frozen_reason))
          FROM tier_status s WHERE s.program_id = ${programId} AND s.owner_kind = ${kind} AND s.owner_id = ANY(${owners[kind]}::uuid[]))`
      : sql`NULL::json`;
  const statement = sql<{ sa: StatusJson[] | null; sm: StatusJson[] | null; ta: Array<{ id: string; total: string | number }> | null; tm: Array<{ id: string; total: string | number }> | null }>`
    SELECT ${statusesOf('account')} AS sa, ${statusesOf('member')} AS sm, ${totalsOf('account')} AS ta, ${totalsOf('member')} AS tm`;
  // On points the totals are read owner by owner (wallet, its entries, each entry's journal by key), a plan the
  // window's dates do not change; yet the window's range made PostgreSQL plan the statement afresh on every earn
  // (0.7 ms of planning for it on a wallet with 900 entries). On amounts the events are read by the window itself,
  // and which plan is best depends on it.
  return basis === 'points' ? genericPlan(statement) : statement;
}

/**
 * Qualifying totals of whole chains, keyed by the top parent: every account's own total (as above) added to
 * its chain's. With `rootIds`, only those chains are walked.
 */
async function chainTotals(db: Db, programId: string, basis: TierSettings['basis'], window: Window, rootIds?: string[]): Promise<Map<string, number>> {
  const starts = rootIds ? sql`AND id = ANY(${rootIds}::uuid[])` : sql``;
  const chains = await sql<{ id: string; root: string }>`
    WITH RECURSIVE chain (id, root, depth) AS (
      SELECT id, id, 0 FROM accounts WHERE program_id = ${programId} AND parent_id IS NULL ${starts}
      UNION ALL
      SELECT a.id, c.root, c.depth + 1 FROM accounts a JOIN chain c ON a.program_id = ${programId} AND a.parent_id = c.id
      WHERE c.depth < 50
    )
    SELECT id, root FROM chain`.execute(db);
  const rootOf = new Map(chains.rows.map((r) => [r.id, r.root]));
  const own = await qualifyingTotals(db, programId, basis, 'account', window, rootIds ? [...rootOf.keys()] : undefined);
  const totals = new Map<string, number>();
  for (const [id, total] of own) {
    const root = rootOf.get(id);
    if (root !== undefined) totals.set(root, (totals.get(root) ?? 0) + total);
  }
  return totals;
}

/** Whose tier an account's is: its own, or its top parent's when the program rolls chains up. */
export async function tierOwnerOf(db: Db, programId: string, config: TierConfig, kind: TierOwnerKind, id: string): Promise<string> {
  if (kind !== 'account' || !config.chain) return id;
  return (await chainRoots(db, programId, [id])).get(id) ?? id;
}

export interface TierStatusRow extends TierState {
  since: Date;
  frozenReason: string | null;
}

const toStatus = (r: { level_code: string | null; since: Date | string; period_end: Date | string; frozen_until: Date | string | null; frozen_reason: string | null }): TierStatusRow => ({
  level: r.level_code,
  since: new Date(r.since),
  periodEnd: new Date(r.period_end),
  frozenUntil: r.frozen_until === null ? null : new Date(r.frozen_until),
  frozenReason: r.frozen_reason,
});

export async function getTierStatus(db: Db, programId: string, kind: TierOwnerKind, ownerId: string, forUpdate = false): Promise<TierStatusRow | null> {
  const row = await db
    .selectFrom('tier_status')
    .select(['level_code', 'since', 'period_end', 'frozen_until', 'frozen_reason'])
    .where('program_id', '=', programId)
    .where('owner_kind', '=', kind)
    .where('owner_id', '=', ownerId)
    .$if(forUpdate, (q) => q.forUpdate())
    .executeTakeFirst();
  return row ? toStatus(row) : null;
}

/** The statuses of many owners of one kind at once (the nightly job reads them a page at a time). */
export async function tierStatusesOf(db: Db, programId: string, kind: TierOwnerKind, ownerIds: string[]): Promise<Map<string, TierStatusRow>> {
  if (ownerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('tier_status')
    .select(['owner_id', 'level_code', 'since', 'period_end', 'frozen_until', 'frozen_reason'])
    .where('program_id', '=', programId)
    .where('owner_kind', '=', kind)
    .where('owner_id', '=', sql<string>`ANY(${ownerIds}::uuid[])`)
    .execute();
  return new Map(rows.map((r) => [r.owner_id, toStatus(r)]));
}

export async function saveTierStatus(db: Db, programId: string, kind: TierOwnerKind, ownerId: string, s: TierStatusRow): Promise<void> {
  const row = {
    level_code: s.level,
    since: s.since,
    period_end: s.periodEnd,
    frozen_until: s.frozenUntil,
    frozen_reason: s.frozenReason,
  };
  await db
    .insertInto('tier_status')
    .values({ program_id: programId, owner_kind: kind, owner_id: ownerId, ...row })
    .onConflict((oc) => oc.columns(['program_id', 'owner_kind', 'owner_id']).doUpdateSet({ ...row, updated_at: sql`now()` }))
    .execute();
}

export interface TierHistoryItem {
  id: string;
  from: string | null;
  to: string | null;
  reason: string;
  detail: Record<string, unknown>;
  at: Date;
}

export async function appendTierHistory(db: Db, programId: string, kind: TierOwnerKind, ownerId: string, item: Omit<TierHistoryItem, 'id'>): Promise<void> {
  await db
    .insertInto('tier_history')
    .values({
      program_id: programId,
      id: uuidv7(),
      owner_kind: kind,
      owner_id: ownerId,
      from_level: item.from,
      to_level: item.to,
      reason: item.reason,
      detail: JSON.stringify(item.detail),
      at: item.at,
    })
    .execute();
}

/** Newest first; the cursor is the last item's (at, id). */
export async function listTierHistory(
  db: Db,
  programId: string,
  kind: TierOwnerKind,
  ownerId: string,
  limit: number,
  after?: [string, string],
): Promise<{ items: TierHistoryItem[]; next: [string, string] | null }> {
  const rows = await db
    .selectFrom('tier_history')
    .select(['id', 'from_level', 'to_level', 'reason', 'detail', 'at'])
    .where('program_id', '=', programId)
    .where('owner_kind', '=', kind)
    .where('owner_id', '=', ownerId)
    .$if(after !== undefined, (q) => q.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(new Date(after![0]) as never, after![1]))))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map((r) => ({
    id: r.id,
    from: r.from_level,
    to: r.to_level,
    reason: r.reason,
    detail: r.detail as Record<string, unknown>,
    at: new Date(r.at),
  }));
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? [last.at.toISOString(), last.id] : null };
}
