/**
 * Nightly scores of every account: RFM quintiles within the program over the last 365 days, a rank, and the
 * loyalty type with its reasons. The database gathers the observations and ranks them in one statement; the
 * types are then decided by the pure `classify` page by page (2,000 accounts at a time, never the whole program
 * in memory) and one row per account and month keeps how types move from month to month.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { localDate, isoDate } from '../rules/calendar.js';
import { classify, loyaltyTypes, middleBand, type LoyaltyType, type Observations, type Reason } from './loyalty.js';
import { createSegment, segmentByKey } from './store.js';
import type { Filter } from './filter.js';
import { jsonColumn } from '../db/json-columns.js';

export const scoreWindowDays = 365;
const pageSize = 2000;

/** The built-in middle-band segment's key and filter. */
export const middleBandKey = 'middle-band';
export const middleBandFilter: Filter = {
  all: [
    { field: 'score.frequency', op: 'gte', value: 1 },
    { field: 'score.rankPercent', op: 'between', value: [middleBand.fromRankPercent, middleBand.toRankPercent] },
  ],
};

/** Creates the program's middle-band segment the first time scores are computed. */
export async function ensureMiddleBand(db: Db, programId: string, now: Date): Promise<void> {
  if (await segmentByKey(db, programId, middleBandKey)) return;
  await db.transaction().execute(async (trx) => {
    if (await segmentByKey(trx, programId, middleBandKey)) return;
    await createSegment(
      trx,
      programId,
      {
        key: middleBandKey,
        name: 'Middle band (60–80 %)',
        description: `Accounts ranked between ${middleBand.fromRankPercent} % and ${middleBand.toRankPercent} % by RFM: neither the best nor the weakest (seed 000).`,
        kind: 'dynamic',
        subject: 'account',
        definition: middleBandFilter,
      },
      now,
      true,
    ).catch((err: unknown) => {
      // Another process made it meanwhile.
      if ((err as { code?: string }).code !== 'segment_key_taken') throw err;
    });
  });
}

/**
 * Computes the scores of every account of the program for the program-local date of `now`. Returns how many
 * accounts were scored.
 */
export async function computeScores(db: Db, programId: string, timeZone: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - scoreWindowDays * 86_400_000);
  const scoreDate = isoDate(localDate(now, timeZone));
  // 1. Observations and quintiles for every account, in one statement.
  await sql`
    WITH p AS (
      SELECT e.account_id, max(e.occurred_at) AS last_at, count(*) AS freq, sum(e.amount) AS monetary,
             count(DISTINCT date_trunc('month', e.occurred_at AT TIME ZONE ${timeZone})) AS months,
             count(*) FILTER (WHERE e.attributes ?| array['campaign', 'discount', 'promo']) AS offers
      FROM events e
      WHERE e.program_id = ${programId} AND e.type = 'purchase' AND e.occurred_at > ${since} AND e.occurred_at <= ${now}
      GROUP BY e.account_id),
    b AS (
      SELECT e.account_id,
             count(*) FILTER (WHERE e.type <> 'return') AS engagements,
             avg((e.attributes ->> 'score')::numeric) FILTER (WHERE e.type IN ('survey', 'nps') AND jsonb_typeof(e.attributes -> 'score') = 'number') AS survey,
             count(*) FILTER (WHERE e.type = 'referral') AS referrals
      FROM events e
      WHERE e.program_id = ${programId} AND e.type <> 'purchase' AND e.occurred_at > ${since} AND e.occurred_at <= ${now}
      GROUP BY e.account_id),
    c AS (
      SELECT l.account_id, count(DISTINCT l.category_code) AS categories
      FROM event_lines l
      WHERE l.program_id = ${programId} AND l.is_purchase AND l.category_code IS NOT NULL AND l.occurred_at > ${since} AND l.occurred_at <= ${now}
      GROUP BY l.account_id),
    q AS (
      SELECT p.account_id,
             ceil(5 * cume_dist() OVER (ORDER BY p.last_at))::smallint AS r,
             ceil(5 * cume_dist() OVER (ORDER BY p.freq))::smallint AS f,
             ceil(5 * cume_dist() OVER (ORDER BY p.monetary))::smallint AS m
      FROM p),
    ranked AS (
      SELECT q.account_id, q.r, q.f, q.m,
             -- The share of buyers ranked above: 0 for the best, below 100 for the last of them, so that 100 stays
             -- what it means, no purchase (percent_rank gave the last buyer 100 too).
             floor(100.0 * (rank() OVER (ORDER BY q.r + q.f + q.m DESC) - 1) / count(*) OVER ())::smallint AS rank_percent
      FROM q)
    INSERT INTO account_scores (program_id, account_id, score_date, recency_days, frequency, monetary, r, f, m, rank_percent,
                                loyalty_type, features, reasons)
    SELECT a.program_id, a.id, ${scoreDate}::date,
           CASE WHEN p.last_at IS NULL THEN NULL ELSE floor(extract(epoch FROM (${now}::timestamptz - p.last_at)) / 86400)::integer END,
           coalesce(p.freq, 0), coalesce(p.monetary, 0),
           coalesce(rk.r, 0), coalesce(rk.f, 0), coalesce(rk.m, 0), coalesce(rk.rank_percent, 100),
           'unscored',
           jsonb_build_object(
             'purchases', coalesce(p.freq, 0), 'activeMonths', coalesce(p.months, 0), 'offerPurchases', coalesce(p.offers, 0),
             'categories', coalesce(c.categories, 0), 'engagements', coalesce(b.engagements, 0),
             'surveyScore', b.survey, 'referrals', coalesce(b.referrals, 0), 'frequencyQuintile', coalesce(rk.f, 0)),
           '[]'::jsonb
    FROM accounts a
    LEFT JOIN p ON p.account_id = a.id
    LEFT JOIN b ON b.account_id = a.id
    LEFT JOIN c ON c.account_id = a.id
    LEFT JOIN ranked rk ON rk.account_id = a.id
    WHERE a.program_id = ${programId} AND a.status <> 'closed'
    ON CONFLICT (program_id, account_id) DO UPDATE SET
      score_date = excluded.score_date, recency_days = excluded.recency_days, frequency = excluded.frequency,
      monetary = excluded.monetary, r = excluded.r, f = excluded.f, m = excluded.m, rank_percent = excluded.rank_percent,
      loyalty_type = excluded.loyalty_type, features = excluded.features, reasons = excluded.reasons`.execute(db);
  // Accounts closed since the last run keep no score.
  await sql`
    DELETE FROM account_scores sc USING accounts a
    WHERE sc.program_id = ${programId} AND a.program_id = sc.program_id AND a.id = sc.account_id AND a.status = 'closed'`.execute(db);

  // 2. Types, page by page.
  const month = `${scoreDate.slice(0, 7)}-01`;
  let after = '00000000-0000-0000-0000-000000000000';
  let scored = 0;
  for (;;) {
    const { rows } = await sql<{ account_id: string; features: Observations; r: number; f: number; m: number }>`
      SELECT account_id, features, r, f, m FROM account_scores
      WHERE program_id = ${programId} AND account_id > ${after}
      ORDER BY account_id LIMIT ${pageSize}`.execute(db);
    if (rows.length === 0) break;
    const ids: string[] = [];
    const types: LoyaltyType[] = [];
    const reasons: unknown[] = [];
    const rfm: number[] = [];
    for (const row of rows) {
      const c = classify(row.features);
      ids.push(row.account_id);
      types.push(c.type);
      reasons.push(c.reasons);
      rfm.push(Number(row.r) + Number(row.f) + Number(row.m));
    }
    await sql`
      WITH t AS (SELECT * FROM unnest(${ids}::uuid[], ${types}::text[], ${jsonColumn(reasons, 'jsonb')}, ${rfm}::smallint[]) AS t(id, type, reasons, rfm)),
      upd AS (
        UPDATE account_scores sc SET loyalty_type = t.type, reasons = t.reasons
        FROM t WHERE sc.program_id = ${programId} AND sc.account_id = t.id
        RETURNING 1)
      INSERT INTO account_score_months (program_id, account_id, month, loyalty_type, rfm)
      SELECT ${programId}, t.id, ${month}::date, t.type, t.rfm FROM t
      ON CONFLICT (program_id, month, account_id) DO UPDATE SET loyalty_type = excluded.loyalty_type, rfm = excluded.rfm`.execute(db);
    scored += rows.length;
    after = rows[rows.length - 1]!.account_id;
    if (rows.length < pageSize) break;
  }
  return scored;
}

export interface AccountScore {
  accountId: string;
  scoreDate: string;
  recencyDays: number | null;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  rankPercent: number;
  loyaltyType: string;
  reasons: Reason[];
  observations: Observations;
}

export async function scoreOf(db: Db, programId: string, accountId: string): Promise<AccountScore | null> {
  const { rows } = await sql<{
    account_id: string; score_date: Date | string; recency_days: number | null; frequency: number; monetary: string; r: number; f: number; m: number;
    rank_percent: number; loyalty_type: string; reasons: Reason[]; features: Observations;
  }>`SELECT account_id, score_date::text AS score_date, recency_days, frequency, monetary, r, f, m, rank_percent, loyalty_type, reasons, features
     FROM account_scores WHERE program_id = ${programId} AND account_id = ${accountId}`.execute(db);
  const r = rows[0];
  if (!r) return null;
  return {
    accountId: r.account_id,
    scoreDate: String(r.score_date),
    recencyDays: r.recency_days,
    frequency: Number(r.frequency),
    monetary: Number(r.monetary),
    r: Number(r.r),
    f: Number(r.f),
    m: Number(r.m),
    rankPercent: Number(r.rank_percent),
    loyaltyType: r.loyalty_type,
    reasons: r.reasons,
    observations: r.features,
  };
}

export interface ScoreOverview {
  scoreDate: string | null;
  accounts: number;
  types: Array<{ type: string; count: number }>;
  /** Accounts per R and F quintile (0: no purchase), the RFM grid. */
  grid: Array<{ r: number; f: number; count: number }>;
  middleBand: number;
}

export async function scoreOverview(db: Db, programId: string): Promise<ScoreOverview> {
  const { rows } = await sql<{ score_date: string | null; accounts: string; types: Array<{ type: string; count: number }>; grid: Array<{ r: number; f: number; count: number }>; middle: string }>`
    SELECT (SELECT max(score_date)::text FROM account_scores WHERE program_id = ${programId}) AS score_date,
           (SELECT count(*) FROM account_scores WHERE program_id = ${programId}) AS accounts,
           (SELECT coalesce(json_agg(json_build_object('type', loyalty_type, 'count', n)), '[]') FROM (
              SELECT loyalty_type, count(*) AS n FROM account_scores WHERE program_id = ${programId} GROUP BY loyalty_type) t) AS types,
           (SELECT coalesce(json_agg(json_build_object('r', r, 'f', f, 'count', n) ORDER BY r, f), '[]') FROM (
              SELECT r, f, count(*) AS n FROM account_scores WHERE program_id = ${programId} GROUP BY r, f) g) AS grid,
           (SELECT count(*) FROM account_scores WHERE program_id = ${programId} AND f >= 1
              AND rank_percent BETWEEN ${middleBand.fromRankPercent} AND ${middleBand.toRankPercent}) AS middle`.execute(db);
  const r = rows[0]!;
  const counts = new Map(r.types.map((t) => [t.type, Number(t.count)]));
  return {
    scoreDate: r.score_date,
    accounts: Number(r.accounts),
    types: loyaltyTypes.map((type) => ({ type, count: counts.get(type) ?? 0 })),
    grid: r.grid.map((g) => ({ r: Number(g.r), f: Number(g.f), count: Number(g.count) })),
    middleBand: Number(r.middle),
  };
}

/** How accounts moved between loyalty types from one month to the next (both months' last scores). */
export async function typeMovement(db: Db, programId: string, month: string): Promise<{ from: string; to: string; moves: Array<{ from: string; to: string; count: number }> }> {
  const to = `${month}-01`;
  const { rows } = await sql<{ from_type: string; to_type: string; n: string }>`
    SELECT coalesce(a.loyalty_type, 'new') AS from_type, b.loyalty_type AS to_type, count(*) AS n
    FROM account_score_months b
    LEFT JOIN account_score_months a ON a.program_id = b.program_id AND a.account_id = b.account_id
      AND a.month = (${to}::date - interval '1 month')::date
    WHERE b.program_id = ${programId} AND b.month = ${to}::date
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const prev = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  return { from: prev, to: month, moves: rows.map((r) => ({ from: r.from_type, to: r.to_type, count: Number(r.n) })) };
}

export interface ScoredAccount {
  accountId: string;
  name: string;
  externalId: string | null;
  rankPercent: number;
  r: number;
  f: number;
  m: number;
  loyaltyType: string;
  reasons: Reason[];
}

/** Scored accounts (of one type, if given), best-ranked first, with the reasons of their type; and how many there are. */
export async function listScoredAccounts(
  db: Db,
  programId: string,
  opts: { type?: string | undefined; limit: number; offset: number },
): Promise<{ total: number; data: ScoredAccount[] }> {
  const only = opts.type ? sql`AND sc.loyalty_type = ${opts.type}` : sql``;
  const { rows } = await sql<{ account_id: string; name: string; external_id: string | null; rank_percent: number; r: number; f: number; m: number; loyalty_type: string; reasons: Reason[] }>`
    SELECT sc.account_id, a.name, a.external_id, sc.rank_percent, sc.r, sc.f, sc.m, sc.loyalty_type, sc.reasons
    FROM account_scores sc JOIN accounts a ON a.program_id = sc.program_id AND a.id = sc.account_id
    WHERE sc.program_id = ${programId} ${only}
    ORDER BY sc.rank_percent, sc.account_id LIMIT ${opts.limit} OFFSET ${opts.offset}`.execute(db);
  const { rows: n } = await sql<{ n: string }>`SELECT count(*) AS n FROM account_scores sc WHERE sc.program_id = ${programId} ${only}`.execute(db);
  return {
    total: Number(n[0]!.n),
    data: rows.map((r) => ({
      accountId: r.account_id, name: r.name, externalId: r.external_id, rankPercent: Number(r.rank_percent),
      r: Number(r.r), f: Number(r.f), m: Number(r.m), loyaltyType: r.loyalty_type, reasons: r.reasons,
    })),
  };
}
