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

  // The month index (year × 12 + month − 1) of a date, in float8 arithmetic (extract gives numeric, slower by far).
  const monthIdx = (col: ReturnType<typeof sql.ref>) => sql`(date_part('year', ${col})::int * 12 + date_part('month', ${col})::int - 1)`;

  // The customers are the accounts with a row in the range; the members among them, by join month.
  const joins = await sql<{ j: number; n: number }>`
    SELECT ${monthIdx(sql.ref('a.joined_on'))} AS j, count(*)::int AS n
    FROM accounts a
    WHERE a.program_id = ${pid} AND a.joined_on IS NOT NULL
      AND EXISTS (SELECT 1 FROM insight_account_months x
                  WHERE x.program_id = ${pid} AND x.account_id = a.id AND x.month >= ${firstDay}::date AND x.month <= ${lastDay}::date)
    GROUP BY 1`.execute(db);
  let memberMonths = 0;
  const eligible = new Map<number, number>();
  for (const { j, n } of joins.rows) {
    memberMonths += n * Math.max(0, last - Math.max(j + 1, first) + 1);
    if (j - k >= first && j + k <= last) eligible.set(Number(j), Number(n));
  }

  // One pass over the range's account-month lines: each compared member's window means (the K months before and
  // after its join month, which is left out), and each non-member's months weighted as the members' calendar asks.
  const weights = calendarWeights(eligible, k);
  const ts = [...weights.keys()];
  const windowsOf = await sql<{ non: boolean; vb: number; va: number; mb: number; ma: number }>`
    WITH rates AS (SELECT * FROM unnest(${classes}::text[], ${rates}::float8[]) AS r (margin_class, rate)),
    w AS (SELECT * FROM unnest(${ts}::int[], ${ts.map((t) => weights.get(t)!.before)}::float8[], ${ts.map((t) => weights.get(t)!.after)}::float8[]) AS w (t, wb, wa)),
    acc AS (
      SELECT id, joined_on IS NULL AS non, ${monthIdx(sql.ref('joined_on'))} AS j FROM accounts
      WHERE program_id = ${pid} AND (joined_on IS NULL OR ${monthIdx(sql.ref('joined_on'))} BETWEEN ${first + k} AND ${last - k})
    ), x AS (
      SELECT x.account_id, ${monthIdx(sql.ref('x.month'))} AS t, x.value::float8 AS v, x.value * coalesce(r.rate, ${input.defaultMargin}::float8) AS mg
      FROM insight_account_months x LEFT JOIN rates r ON r.margin_class = x.margin_class
      WHERE x.program_id = ${pid} AND x.month >= ${firstDay}::date AND x.month <= ${lastDay}::date
    )
    SELECT acc.non,
           CASE WHEN acc.non THEN coalesce(sum(x.v * w.wb), 0) ELSE coalesce(sum(x.v) FILTER (WHERE x.t BETWEEN acc.j - ${k} AND acc.j - 1), 0) / ${k} END AS vb,
           CASE WHEN acc.non THEN coalesce(sum(x.v * w.wa), 0) ELSE coalesce(sum(x.v) FILTER (WHERE x.t BETWEEN acc.j + 1 AND acc.j + ${k}), 0) / ${k} END AS va,
           CASE WHEN acc.non THEN coalesce(sum(x.mg * w.wb), 0) ELSE coalesce(sum(x.mg) FILTER (WHERE x.t BETWEEN acc.j - ${k} AND acc.j - 1), 0) / ${k} END AS mb,
           CASE WHEN acc.non THEN coalesce(sum(x.mg * w.wa), 0) ELSE coalesce(sum(x.mg) FILTER (WHERE x.t BETWEEN acc.j + 1 AND acc.j + ${k}), 0) / ${k} END AS ma
    FROM x JOIN acc ON acc.id = x.account_id LEFT JOIN w ON w.t = x.t
    GROUP BY acc.id, acc.non, acc.j`.execute(db);
  const members = { rows: windowsOf.rows.filter((r) => !r.non) };
  const nonMembers = { rows: windowsOf.rows.filter((r) => r.non) };

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
