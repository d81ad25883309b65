/**
 * An account's up-sell and cross-sell potential against the loyal companies of its cluster
 * (docs/insight.md#clusters-and-potential). The clusters and the loyal flag are built by the insight job
 * (summary.ts); here the loyal peers' spend per category and margin class is compared with the account's, over the
 * same twelve months. `potentialLines` is the pure rule, tested on hand-made peers (test/insight/potential.test.ts).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import { CLUSTER_WINDOW_MONTHS, freshness, type Freshness } from './summary.js';

/** A category is what the loyal peers buy when at least this share of them bought it in the window. */
export const PEER_SHARE = 0.5;

export interface PeerGroup {
  categoryCode: string;
  marginClass: string;
  /** Loyal peers that bought it, and their median spend on it. */
  buyers: number;
  medianSpend: number;
  /** What the account itself spent on it. */
  own: number;
}

export interface PotentialLine {
  categoryCode: string;
  categoryName: string | null;
  marginClass: string;
  kind: 'cross-sell' | 'up-sell';
  peersBuying: number;
  peerMedianSpend: number;
  /** The peers' median spend scaled to the account's size: peerMedianSpend × sizeRatio. */
  expected: number;
  own: number;
  /** expected − own, minor units; only lines above 0 are listed. */
  potential: number;
}

/**
 * The rule: for each category and margin class that at least half the loyal peers buy, the account is expected to
 * spend the peers' median × its size ratio (its volume ÷ the peers' median volume). Below that, the gap is its
 * potential: cross-sell when it buys nothing there, up-sell when it buys less. Ranked by money, then by name.
 */
export function potentialLines(groups: PeerGroup[], peers: number, sizeRatio: number, names: Map<string, string> = new Map()): PotentialLine[] {
  if (peers === 0) return [];
  const out: PotentialLine[] = [];
  for (const g of groups) {
    if (g.buyers < PEER_SHARE * peers) continue;
    const expected = Math.round(g.medianSpend * sizeRatio);
    const potential = expected - g.own;
    if (potential <= 0) continue;
    out.push({
      categoryCode: g.categoryCode,
      categoryName: names.get(g.categoryCode) ?? null,
      marginClass: g.marginClass,
      kind: g.own > 0 ? 'up-sell' : 'cross-sell',
      peersBuying: g.buyers,
      peerMedianSpend: Math.round(g.medianSpend),
      expected,
      own: g.own,
      potential,
    });
  }
  return out.sort((a, b) => b.potential - a.potential || a.categoryCode.localeCompare(b.categoryCode) || a.marginClass.localeCompare(b.marginClass));
}

export interface AccountPotential {
  accountId: string;
  /** null: the account bought nothing in the window, so it has no size to compare. */
  cluster: {
    segment: string;
    sizeBand: number;
    accounts: number;
    loyalPeers: number;
    loyal: boolean;
    recency: number;
    frequency: number;
    monetary: number;
    volume: number;
    peerMedianVolume: number | null;
    sizeRatio: number | null;
  } | null;
  window: { from: string; to: string } | null;
  currency: string;
  lines: PotentialLine[];
  totalPotential: number;
  freshness: Freshness;
}

/** The median of a sorted list (mean of the middle two for an even count). */
export function median(sorted: number[]): number | null {
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function accountPotential(db: Db, program: Program, accountId: string): Promise<AccountPotential> {
  const pid = program.id;
  const fresh = await freshness(db, pid);
  const base = { accountId, currency: program.currency, freshness: fresh };
  const me = (
    await sql<{ cluster: string; size_band: number; value: number; recency: number; frequency: number; monetary: number; loyal: boolean }>`
      SELECT cluster, size_band, value, recency, frequency, monetary, loyal FROM insight_account_clusters
      WHERE program_id = ${pid} AND account_id = ${accountId}`.execute(db)
  ).rows[0];
  const win = (
    await sql<{ from: string | null; to: string | null }>`
      SELECT to_char(max(month) - make_interval(months => ${CLUSTER_WINDOW_MONTHS - 1}), 'YYYY-MM') AS from, to_char(max(month), 'YYYY-MM') AS to
      FROM insight_account_months WHERE program_id = ${pid}`.execute(db)
  ).rows[0];
  const window = win?.from && win.to ? { from: win.from, to: win.to } : null;
  if (!me || !window) return { ...base, cluster: null, window, lines: [], totalPotential: 0 };

  const fromDay = `${window.from}-01`;
  const size = (
    await sql<{ accounts: number; peers: number[] }>`
      SELECT count(*)::int AS accounts,
             coalesce(array_agg(value ORDER BY value) FILTER (WHERE loyal AND account_id <> ${accountId}), '{}') AS peers
      FROM insight_account_clusters WHERE program_id = ${pid} AND cluster = ${me.cluster} AND size_band = ${me.size_band}`.execute(db)
  ).rows[0]!;
  const peerVolumes = size.peers.map(Number);
  const peerMedianVolume = median(peerVolumes);
  const volume = Number(me.value);
  const sizeRatio = peerMedianVolume ? volume / peerMedianVolume : null;

  const groups = await sql<{ category_code: string; margin_class: string; buyers: number; median: number; own: number }>`
    WITH peers AS (
      SELECT account_id FROM insight_account_clusters
      WHERE program_id = ${pid} AND cluster = ${me.cluster} AND size_band = ${me.size_band} AND loyal AND account_id <> ${accountId}
    ), pv AS (
      SELECT m.account_id, m.category_code, m.margin_class, sum(m.value) AS v
      FROM insight_account_months m JOIN peers p ON p.account_id = m.account_id
      WHERE m.program_id = ${pid} AND m.month >= ${fromDay}::date
      GROUP BY 1, 2, 3 HAVING sum(m.value) > 0
    ), own AS (
      SELECT category_code, margin_class, sum(value) AS v FROM insight_account_months
      WHERE program_id = ${pid} AND account_id = ${accountId} AND month >= ${fromDay}::date
      GROUP BY 1, 2
    )
    SELECT pv.category_code, pv.margin_class, count(*)::int AS buyers,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY pv.v) AS median, coalesce(max(own.v), 0) AS own
    FROM pv LEFT JOIN own ON own.category_code = pv.category_code AND own.margin_class = pv.margin_class
    GROUP BY 1, 2`.execute(db);
  const names = new Map(
    (await db.selectFrom('categories').select(['code', 'name']).where('program_id', '=', pid).execute()).map((c) => [c.code, c.name]),
  );
  const lines = sizeRatio === null ? [] : potentialLines(
    groups.rows.map((g) => ({ categoryCode: g.category_code, marginClass: g.margin_class, buyers: Number(g.buyers), medianSpend: Number(g.median), own: Math.max(0, Number(g.own)) })),
    peerVolumes.length,
    sizeRatio,
    names,
  );
  return {
    ...base,
    cluster: {
      segment: me.cluster,
      sizeBand: Number(me.size_band),
      accounts: Number(size.accounts),
      loyalPeers: peerVolumes.length,
      loyal: me.loyal,
      recency: Number(me.recency),
      frequency: Number(me.frequency),
      monetary: Number(me.monetary),
      volume,
      peerMedianVolume: peerMedianVolume === null ? null : Math.round(peerMedianVolume),
      sizeRatio: sizeRatio === null ? null : Math.round(sizeRatio * 1000) / 1000,
    },
    window,
    lines,
    totalPotential: lines.reduce((a, l) => a + l.potential, 0),
  };
}
