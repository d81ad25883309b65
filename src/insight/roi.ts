/**
 * The program's return on investment (docs/insight.md#roi): members against non-members, before against after
 * joining, on purchase value and margin per account and month, from the summary table insight_account_months. The
 * SQL sums each account's windows; roi-formulas.ts does the difference in differences, its interval and the ROI.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import {
  calendarWeights, differenceInDifferences, monthIndex, monthOf, programCost, returnOnInvestment,
  type DiffInDiff, type ProgramCost, type Roi, type Window,
} from './roi-formulas.js';
import { freshness, type Freshness } from './summary.js';

export interface RoiInput {
  /** YYYY-MM, inclusive; default the first and last month with purchases. */
  from?: string | undefined;
  to?: string | undefined;
  /** Months before and after joining that are compared (K). */
  windowMonths: number;
  /** Margin rate (0–1) by margin class ('' = lines without one); classes not named take `defaultMargin`. */
  marginRates: Map<string, number>;
  defaultMargin: number;
  /** What handling and shipping one reward order costs beyond the points, minor units. */
  fulfilmentPerOrder: number;
}

export interface RoiReport {
  from: string | null;
  to: string | null;
  currency: string;
  windowMonths: number;
  value: DiffInDiff;
  margin: DiffInDiff;
  /** Members eligible for the comparison: joined with K months of history before and after inside the range. */
  membersCompared: number;
  /** Months of membership after the join month within the range, over every member who bought in it. */
  memberMonths: number;
  cost: ProgramCost & { redeemedPoints: number; campaignPoints: number; orders: number; pointValueMicros: number };
  roi: Roi;
  assumptions: { marginRates: Array<{ marginClass: string; rate: number }>; defaultMargin: number; fulfilmentPerOrder: number };
  freshness: Freshness;
}

const round = (x: number | null) => (x === null ? null : Math.round(x));
const roundDid = (d: DiffInDiff): DiffInDiff => ({
  members: { ...d.members, before: round(d.members.before), after: round(d.members.after) },
  nonMembers: { ...d.nonMembers, before: round(d.nonMembers.before), after: round(d.nonMembers.after) },
  estimate: round(d.estimate),
  standardError: round(d.standardError),
  low: round(d.low),
  high: round(d.high),
});

export async function roiReport(db: Db, program: Program, input: RoiInput): Promise<RoiReport> {
  const pid = program.id;
  const k = input.windowMonths;
  const classes = [...input.marginRates.keys()];
  const rates = classes.map((c) => input.marginRates.get(c)!);
  const range = await sql<{ first: string | null; last: string | null }>`
    SELECT to_char(min(month), 'YYYY-MM-DD') AS first, to_char(max(month), 'YYYY-MM-DD') AS last
    FROM insight_account_months WHERE program_id = ${pid}`.execute(db);
  const first = input.from ? monthIndex(`${input.from}-01`) : range.rows[0]?.first ? monthIndex(range.rows[0].first) : null;
  const last = input.to ? monthIndex(`${input.to}-01`) : range.rows[0]?.last ? monthIndex(range.rows[0].last) : null;
  const assumptions = {
    marginRates: classes.map((marginClass, i) => ({ marginClass, rate: rates[i]! })),
    defaultMargin: input.defaultMargin,
    fulfilmentPerOrder: input.fulfilmentPerOrder,
  };
  const fresh = await freshness(db, pid);
  if (first === null || last === null) {
    const empty = differenceInDifferences([], []);
    const cost = { ...programCost({ redeemedPoints: 0, campaignPoints: 0, pointValueMicros: program.pointValueMicros, orders: 0, fulfilmentPerOrder: input.fulfilmentPerOrder }), redeemedPoints: 0, campaignPoints: 0, orders: 0, pointValueMicros: program.pointValueMicros };
    return { from: null, to: null, currency: program.currency, windowMonths: k, value: empty, margin: empty, membersCompared: 0, memberMonths: 0, cost, roi: returnOnInvestment(empty, 0, 0), assumptions, freshness: fresh };
  }
  const firstDay = monthOf(first);
  const lastDay = monthOf(last);
  const endExclusive = monthOf(last + 1);

  // Monthly value and margin per account in the range; the customers are the accounts with a row in it.
  const monthly = sql`
    WITH rates AS (SELECT * FROM unnest(${classes}::text[], ${rates}::float8[]) AS r (margin_class, rate))
    SELECT x.account_id, (extract(year FROM x.month) * 12 + extract(month FROM x.month) - 1)::int AS t,
           sum(x.value)::float8 AS v, sum(x.value * coalesce(r.rate, ${input.defaultMargin}::float8))::float8 AS mg
    FROM insight_account_months x LEFT JOIN rates r ON r.margin_class = x.margin_class
    WHERE x.program_id = ${pid} AND x.month >= ${firstDay}::date AND x.month <= ${lastDay}::date
    GROUP BY 1, 2`;

  const joins = await sql<{ j: number; n: number }>`
    WITH mv AS (${monthly}), cust AS (SELECT DISTINCT account_id FROM mv)
    SELECT (extract(year FROM a.joined_on) * 12 + extract(month FROM a.joined_on) - 1)::int AS j, count(*)::int AS n
    FROM accounts a JOIN cust ON cust.account_id = a.id
    WHERE a.program_id = ${pid} AND a.joined_on IS NOT NULL GROUP BY 1`.execute(db);
  let memberMonths = 0;
  const eligible = new Map<number, number>();
  for (const { j, n } of joins.rows) {
    memberMonths += n * Math.max(0, last - Math.max(j + 1, first) + 1);
    if (j - k >= first && j + k <= last) eligible.set(Number(j), Number(n));
  }

  const members = await sql<{ vb: number; va: number; mb: number; ma: number }>`
    WITH mv AS (${monthly}), cust AS (SELECT DISTINCT account_id FROM mv),
    mem AS (
      SELECT a.id, (extract(year FROM a.joined_on) * 12 + extract(month FROM a.joined_on) - 1)::int AS j
      FROM accounts a JOIN cust ON cust.account_id = a.id WHERE a.program_id = ${pid} AND a.joined_on IS NOT NULL
    )
    SELECT coalesce(sum(mv.v) FILTER (WHERE mv.t BETWEEN mem.j - ${k} AND mem.j - 1), 0) / ${k} AS vb,
           coalesce(sum(mv.v) FILTER (WHERE mv.t BETWEEN mem.j + 1 AND mem.j + ${k}), 0) / ${k} AS va,
           coalesce(sum(mv.mg) FILTER (WHERE mv.t BETWEEN mem.j - ${k} AND mem.j - 1), 0) / ${k} AS mb,
           coalesce(sum(mv.mg) FILTER (WHERE mv.t BETWEEN mem.j + 1 AND mem.j + ${k}), 0) / ${k} AS ma
    FROM mem LEFT JOIN mv ON mv.account_id = mem.id
    WHERE mem.j BETWEEN ${first + k} AND ${last - k}
    GROUP BY mem.id`.execute(db);

  const weights = calendarWeights(eligible, k);
  const ts = [...weights.keys()];
  const nonMembers = await sql<{ vb: number; va: number; mb: number; ma: number }>`
    WITH mv AS (${monthly}), cust AS (SELECT DISTINCT account_id FROM mv),
    w AS (SELECT * FROM unnest(${ts}::int[], ${ts.map((t) => weights.get(t)!.before)}::float8[], ${ts.map((t) => weights.get(t)!.after)}::float8[]) AS w (t, wb, wa))
    SELECT coalesce(sum(mv.v * w.wb), 0) AS vb, coalesce(sum(mv.v * w.wa), 0) AS va,
           coalesce(sum(mv.mg * w.wb), 0) AS mb, coalesce(sum(mv.mg * w.wa), 0) AS ma
    FROM accounts a JOIN cust ON cust.account_id = a.id
    LEFT JOIN mv ON mv.account_id = a.id LEFT JOIN w ON w.t = mv.t
    WHERE a.program_id = ${pid} AND a.joined_on IS NULL
    GROUP BY a.id`.execute(db);

  const windows = (rows: Array<{ vb: number; va: number; mb: number; ma: number }>, key: 'v' | 'm'): Window[] =>
    rows.map((r) => (key === 'v' ? { before: Number(r.vb), after: Number(r.va) } : { before: Number(r.mb), after: Number(r.ma) }));
  const value = differenceInDifferences(windows(members.rows, 'v'), windows(nonMembers.rows, 'v'));
  const margin = differenceInDifferences(windows(members.rows, 'm'), windows(nonMembers.rows, 'm'));

  const costs = await sql<{ redeemed: number; campaign: number; orders: number }>`
    SELECT
      (SELECT coalesce(sum(redeemed), 0) FROM insight_points_days
       WHERE program_id = ${pid} AND day >= ${firstDay}::date AND day < ${endExclusive}::date) AS redeemed,
      (SELECT coalesce(-sum(e.amount), 0) FROM entries e
       JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id AND w.kind = 'budget'
       JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
       WHERE e.program_id = ${pid} AND e.amount < 0
         AND (j.occurred_at AT TIME ZONE ${program.timeZone})::date >= ${firstDay}::date
         AND (j.occurred_at AT TIME ZONE ${program.timeZone})::date < ${endExclusive}::date) AS campaign,
      (SELECT count(*) FROM reward_orders
       WHERE program_id = ${pid} AND state NOT IN ('cancelled', 'rejected')
         AND local_date >= ${firstDay}::date AND local_date < ${endExclusive}::date) AS orders`.execute(db);
  const c = costs.rows[0]!;
  const redeemedPoints = Number(c.redeemed);
  const campaignPoints = Number(c.campaign);
  const orders = Number(c.orders);
  const cost = programCost({ redeemedPoints, campaignPoints, pointValueMicros: program.pointValueMicros, orders, fulfilmentPerOrder: input.fulfilmentPerOrder });

  return {
    from: firstDay.slice(0, 7),
    to: lastDay.slice(0, 7),
    currency: program.currency,
    windowMonths: k,
    value: roundDid(value),
    margin: roundDid(margin),
    membersCompared: members.rows.length,
    memberMonths,
    cost: { ...cost, redeemedPoints, campaignPoints, orders, pointValueMicros: program.pointValueMicros },
    roi: returnOnInvestment(margin, memberMonths, cost.total),
    assumptions,
    freshness: fresh,
  };
}
