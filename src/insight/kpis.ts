/**
 * The program KPIs of docs/insight.md. The SQL counts and sums the summary tables (summary.ts) per period and
 * segment; formulas.ts turns the counts into rates, averages and running totals. Live queries are kept to what is
 * small (tiers, the last 90 days' participation, wallet balances).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import {
  breakageRate, cohortTableFromCounts, liabilityMinor, nextPeriodStart, participationRate, periodKpis, periodStart, periodStarts,
  redemptionRate, type CohortRow, type Period, type PeriodKpis, type SegmentField,
} from './formulas.js';
import { freshness, type Freshness } from './summary.js';
import { clvState, type ClvState } from './clv.js';
import { programScores } from '../surveys/csat.js';
import { csat, nps } from '../surveys/scoring.js';

export interface KpiInput {
  /** Program-local dates, inclusive; widened to whole periods. */
  from: string;
  to: string;
  period: Period;
  segmentBy: SegmentField;
}

export interface KpiRow extends PeriodKpis {
  period: string;
  /** The segment's value ('' = none given; always '' when not segmented). */
  segment: string;
}

export interface PointsRow {
  period: string;
  issued: number;
  reversed: number;
  redeemed: number;
  expired: number;
  adjusted: number;
  /** Running totals from the program's start to the period's end. */
  cumulativeIssued: number;
  cumulativeExpired: number;
  breakageRate: number | null;
  redemptionRate: number | null;
}

export interface KpiReport {
  from: string;
  to: string;
  period: Period;
  segmentBy: SegmentField;
  currency: string;
  rows: KpiRow[];
  /** The whole range as one period (segments together): buyers counted once however many periods they bought in. */
  totals: PeriodKpis;
  points: PointsRow[];
  tiers: TierReport;
  liability: { outstandingPoints: number; pointValueMicros: number; liabilityMinor: number };
  listening: ListeningKpis;
  /** The predicted-CLV model (program-wide, not per period): its figures and holdout check, or why there is none. */
  predictedClv: ClvState;
  freshness: Freshness;
}

/** NPS and CSAT in the KPI range, from every survey and every reported CSAT score (the surveys module counts them). */
export interface ListeningFigures {
  nps: number | null;
  npsAnswers: number;
  /** Share of CSAT answers of 4 or 5, in percent. */
  csatShare: number | null;
  csatMean: number | null;
  csatAnswers: number;
}
export interface ListeningKpis extends ListeningFigures {
  rows: Array<ListeningFigures & { period: string }>;
}

const lastDay = (start: string, period: Period) => new Date(Date.parse(`${nextPeriodStart(start, period)}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

const num = (v: string | number | null | undefined) => Number(v ?? 0);

/** Purchase KPIs per period and segment, with the running totals the cumulative figures need. */
export async function purchaseKpis(db: Db, program: Program, input: KpiInput): Promise<{ from: string; to: string; rows: KpiRow[]; totals: PeriodKpis }> {
  const pid = program.id;
  const from = periodStart(input.from, input.period);
  const to = lastDay(periodStart(input.to, input.period), input.period);

  // Per period and segment, from the cells the insight job counted (every period up to the range's end: the shown
  // ones, and the earlier ones that feed the running totals); the range's own buyers and repeat buyers, each account
  // once however many periods it bought in, are counted here from the account-days of the range.
  const [cells, whole, range] = await Promise.all([
    sql<{ p: string; g: string; buyers: string; repeaters: string; purchases: string; revenue: string; returns: string; returned: string;
          first_buyers: string; second_buyers: string }>`
      SELECT to_char(start, 'YYYY-MM-DD') AS p, segment AS g, buyers, repeaters, purchases, revenue, returns, returned, first_buyers, second_buyers
      FROM insight_kpi_cells
      WHERE program_id = ${pid} AND period = ${input.period} AND segment_by = ${input.segmentBy} AND start <= ${to}::date`.execute(db),
    sql<{ purchases: string; revenue: string; returns: string; returned: string; new_buyers: string; cum_buyers: string; cum_repeaters: string;
          cum_revenue: string; cum_returned: string }>`
      SELECT coalesce(sum(purchases) FILTER (WHERE start >= ${from}::date), 0) AS purchases, coalesce(sum(revenue) FILTER (WHERE start >= ${from}::date), 0) AS revenue,
             coalesce(sum(returns) FILTER (WHERE start >= ${from}::date), 0) AS returns, coalesce(sum(returned) FILTER (WHERE start >= ${from}::date), 0) AS returned,
             coalesce(sum(first_buyers) FILTER (WHERE start >= ${from}::date), 0) AS new_buyers,
             coalesce(sum(first_buyers), 0) AS cum_buyers, coalesce(sum(second_buyers), 0) AS cum_repeaters,
             coalesce(sum(revenue), 0) AS cum_revenue, coalesce(sum(returned), 0) AS cum_returned
      FROM insight_kpi_cells
      WHERE program_id = ${pid} AND period = ${input.period} AND segment_by = 'none' AND start <= ${to}::date`.execute(db),
    sql<{ buyers: string; repeaters: string }>`
      SELECT count(*) AS buyers, count(*) FILTER (WHERE n >= 2) AS repeaters
      FROM (SELECT account_id, sum(purchases) AS n FROM insight_account_days
            WHERE program_id = ${pid} AND purchases > 0 AND day >= ${from}::date AND day <= ${to}::date GROUP BY account_id) d`.execute(db),
  ]);
  const w = { ...whole.rows[0], ...range.rows[0] };
  const totals = periodKpis({
    buyers: num(w?.buyers), repeaters: num(w?.repeaters), purchases: num(w?.purchases), revenue: num(w?.revenue), returns: num(w?.returns),
    returned: num(w?.returned), newBuyers: num(w?.new_buyers), cumulativeBuyers: num(w?.cum_buyers), cumulativeRepeaters: num(w?.cum_repeaters),
    cumulativeRevenue: num(w?.cum_revenue), cumulativeReturned: num(w?.cum_returned),
  });

  const segments = [...new Set(cells.rows.map((r) => r.g))].sort();
  if (input.segmentBy === 'none' && segments.length === 0) segments.push('');
  const key = (p: string, g: string) => `${p}\u0000${g}`;
  const pp = new Map(cells.rows.map((r) => [key(r.p, r.g), r]));
  const ff = pp;
  const allStarts = [...new Set(cells.rows.map((r) => r.p))].filter((p) => p < from).sort();
  const shown = periodStarts(from, to, input.period);
  const rows: KpiRow[] = [];
  for (const g of segments) {
    let cumulativeBuyers = 0;
    let cumulativeRepeaters = 0;
    let cumulativeRevenue = 0;
    let cumulativeReturned = 0;
    for (const p of allStarts) {
      cumulativeBuyers += num(ff.get(key(p, g))?.first_buyers);
      cumulativeRepeaters += num(ff.get(key(p, g))?.second_buyers);
      cumulativeRevenue += num(pp.get(key(p, g))?.revenue);
      cumulativeReturned += num(pp.get(key(p, g))?.returned);
    }
    for (const p of shown) {
      const c = pp.get(key(p, g));
      const f = ff.get(key(p, g));
      const newBuyers = num(f?.first_buyers);
      cumulativeBuyers += newBuyers;
      cumulativeRepeaters += num(f?.second_buyers);
      cumulativeRevenue += num(c?.revenue);
      cumulativeReturned += num(c?.returned);
      rows.push({
        period: p,
        segment: g,
        ...periodKpis({
          buyers: num(c?.buyers), repeaters: num(c?.repeaters), purchases: num(c?.purchases), revenue: num(c?.revenue),
          returns: num(c?.returns), returned: num(c?.returned), cumulativeBuyers, cumulativeRepeaters, cumulativeRevenue, cumulativeReturned, newBuyers,
        }),
      });
    }
  }
  return { from, to, rows, totals };
}

export async function pointsKpis(db: Db, program: Program, from: string, to: string, period: Period): Promise<PointsRow[]> {
  const unit = sql.raw(`'${period}'`);
  const r = await sql<{ p: string; issued: string; reversed: string; redeemed: string; expired: string; adjusted: string }>`
    SELECT to_char(date_trunc(${unit}, day::timestamp)::date, 'YYYY-MM-DD') AS p, sum(issued) AS issued, sum(reversed) AS reversed,
           sum(redeemed) AS redeemed, sum(expired) AS expired, sum(adjusted) AS adjusted
    FROM insight_points_days WHERE program_id = ${program.id} AND day <= ${to}::date GROUP BY 1`.execute(db);
  const by = new Map(r.rows.map((x) => [x.p, x]));
  let cumIssued = 0;
  let cumReversed = 0;
  let cumExpired = 0;
  let cumRedeemed = 0;
  for (const x of r.rows) {
    if (x.p < from) {
      cumIssued += num(x.issued);
      cumReversed += num(x.reversed);
      cumExpired += num(x.expired);
      cumRedeemed += num(x.redeemed);
    }
  }
  return periodStarts(from, to, period).map((p) => {
    const x = by.get(p);
    const row = { issued: num(x?.issued), reversed: num(x?.reversed), redeemed: num(x?.redeemed), expired: num(x?.expired), adjusted: num(x?.adjusted) };
    cumIssued += row.issued;
    cumReversed += row.reversed;
    cumExpired += row.expired;
    cumRedeemed += row.redeemed;
    return {
      period: p,
      ...row,
      cumulativeIssued: cumIssued,
      cumulativeExpired: cumExpired,
      breakageRate: breakageRate(cumExpired, cumIssued, cumReversed),
      redemptionRate: redemptionRate(cumRedeemed, cumIssued, cumReversed),
    };
  });
}

export interface TierReport {
  /** Accounts and members per level now (level '' = below the lowest level). */
  distribution: Array<{ code: string; rank: number | null; accounts: number; members: number }>;
  /** Upgrades and downgrades per period in the range. */
  migration: Array<{ period: string; upgrades: number; downgrades: number }>;
}

export async function tierKpis(db: Db, program: Program, from: string, to: string, period: Period): Promise<TierReport> {
  const pid = program.id;
  const tz = program.timeZone;
  const unit = sql.raw(`'${period}'`);
  const [dist, moves] = await Promise.all([
    sql<{ code: string; rank: number | null; accounts: string; members: string }>`
      SELECT coalesce(s.level_code, '') AS code, l.rank,
             count(*) FILTER (WHERE s.owner_kind = 'account') AS accounts, count(*) FILTER (WHERE s.owner_kind = 'member') AS members
      FROM tier_status s LEFT JOIN tier_levels l ON l.program_id = s.program_id AND l.code = s.level_code
      WHERE s.program_id = ${pid} GROUP BY 1, 2 ORDER BY l.rank NULLS FIRST`.execute(db),
    sql<{ p: string; upgrades: string; downgrades: string }>`
      SELECT to_char(date_trunc(${unit}, at AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') AS p,
             count(*) FILTER (WHERE reason = 'upgrade') AS upgrades, count(*) FILTER (WHERE reason = 'downgrade') AS downgrades
      FROM tier_history
      WHERE program_id = ${pid} AND reason IN ('upgrade', 'downgrade')
        AND at >= ((${from}::date)::timestamp AT TIME ZONE ${tz}) AND at < ((${to}::date + 1)::timestamp AT TIME ZONE ${tz})
      GROUP BY 1`.execute(db),
  ]);
  const by = new Map(moves.rows.map((m) => [m.p, m]));
  return {
    distribution: dist.rows.map((d) => ({ code: d.code, rank: d.rank === null ? null : Number(d.rank), accounts: num(d.accounts), members: num(d.members) })),
    migration: periodStarts(from, to, period).map((p) => ({ period: p, upgrades: num(by.get(p)?.upgrades), downgrades: num(by.get(p)?.downgrades) })),
  };
}

export async function liability(db: Db, program: Program): Promise<KpiReport['liability']> {
  const r = await sql<{ points: string }>`
    SELECT coalesce(sum(available + pending), 0) AS points FROM wallets WHERE program_id = ${program.id} AND kind IN ('account', 'member')`.execute(db);
  const outstandingPoints = num(r.rows[0]?.points);
  return { outstandingPoints, pointValueMicros: program.pointValueMicros, liabilityMinor: liabilityMinor(outstandingPoints, program.pointValueMicros) };
}

function listeningFigures(rows: ReadonlyArray<{ nps: number | null; csat: number | null }>): ListeningFigures {
  const n = nps(rows.flatMap((r) => (r.nps === null ? [] : [r.nps])));
  const c = csat(rows.flatMap((r) => (r.csat === null ? [] : [r.csat])));
  return { nps: n.nps, npsAnswers: n.n, csatShare: c.share, csatMean: c.mean, csatAnswers: c.n };
}

export async function listeningKpis(db: Db, program: Program, from: string, to: string, period: Period): Promise<ListeningKpis> {
  const scores = await programScores(db, program.id, from, to);
  const byPeriod = new Map<string, typeof scores>();
  for (const r of scores) {
    const p = periodStart(r.day, period);
    const list = byPeriod.get(p);
    if (list) list.push(r);
    else byPeriod.set(p, [r]);
  }
  return { ...listeningFigures(scores), rows: periodStarts(from, to, period).map((p) => ({ period: p, ...listeningFigures(byPeriod.get(p) ?? []) })) };
}

export async function kpiReport(db: Db, program: Program, input: KpiInput): Promise<KpiReport> {
  const purchase = await purchaseKpis(db, program, input);
  const [points, tiers, owed, listening, predictedClv, fresh] = await Promise.all([
    pointsKpis(db, program, purchase.from, purchase.to, input.period),
    tierKpis(db, program, purchase.from, purchase.to, input.period),
    liability(db, program),
    listeningKpis(db, program, purchase.from, purchase.to, input.period),
    clvState(db, program.id),
    freshness(db, program.id),
  ]);
  return {
    from: purchase.from, to: purchase.to, period: input.period, segmentBy: input.segmentBy, currency: program.currency,
    rows: purchase.rows, totals: purchase.totals, points, tiers, liability: owed, listening, predictedClv, freshness: fresh,
  };
}

/** The monthly cohort table from the summaries; `through` (YYYY-MM) ends the rows (default: the latest purchase month). */
export async function cohortReport(db: Db, program: Program, through?: string): Promise<{ through: string | null; cohorts: CohortRow[]; freshness: Freshness }> {
  const pid = program.id;
  const [cells, fresh] = await Promise.all([
    // Counted by the insight job (insight_cohort_cells, migration 0049) from the account-days.
    sql<{ cohort: string; off: number; accounts: string }>`
      SELECT to_char(cohort, 'YYYY-MM') AS cohort, month_offset AS off, accounts FROM insight_cohort_cells WHERE program_id = ${pid}`.execute(db),
    freshness(db, pid),
  ]);
  const last = through ?? cells.rows.reduce<string | null>((acc, c) => {
    const [y, m] = c.cohort.split('-').map(Number) as [number, number];
    const t = y * 12 + m - 1 + Number(c.off);
    const s = `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
    return acc === null || s > acc ? s : acc;
  }, null);
  if (last === null) return { through: null, cohorts: [], freshness: fresh };
  return {
    through: last,
    cohorts: cohortTableFromCounts(cells.rows.map((c) => ({ cohort: c.cohort, offset: Number(c.off), accounts: num(c.accounts) })), last),
    freshness: fresh,
  };
}

export interface Participation {
  windowDays: number;
  since: string;
  accounts: { all: number; active: number; earned: number; spent: number; loggedIn: number; rate: number | null };
  members: { all: number; active: number; earned: number; spent: number; loggedIn: number; rate: number | null };
}

/**
 * Who took part in the program in the last 90 days (live, from the ledger and the portal's sessions): earned points,
 * spent them (rewards, redemptions), or signed in to the portal. A member's activity makes their account active.
 */
export async function participation(db: Db, program: Program, now: Date, windowDays = 90): Promise<Participation> {
  const pid = program.id;
  const since = new Date(now.getTime() - windowDays * 86_400_000);
  const r = await sql<{
    accounts: string; members: string; a_active: string; a_earned: string; a_spent: string; a_login: string;
    m_active: string; m_earned: string; m_spent: string; m_login: string;
  }>`
    WITH acts AS (
      SELECT DISTINCT e.wallet_id, w.kind AS wkind,
             CASE WHEN j.kind = 'earn' THEN 'earned' ELSE 'spent' END AS what
      FROM journals j
      JOIN entries e ON e.program_id = j.program_id AND e.journal_id = j.id
      JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
      WHERE j.program_id = ${pid} AND j.occurred_at >= ${since} AND j.occurred_at <= ${now}
        AND j.kind IN ('earn', 'spend', 'redeem') AND w.kind IN ('account', 'member')
      UNION
      SELECT DISTINCT s.member_id, 'member', 'login' FROM web_sessions s
      WHERE s.program_id = ${pid} AND s.kind = 'member' AND s.member_id IS NOT NULL AND s.last_seen_at >= ${since} AND s.created_at <= ${now}
    ), owners AS (
      SELECT coalesce(m.account_id, acts.wallet_id) AS account_id, CASE WHEN acts.wkind = 'member' THEN acts.wallet_id END AS member_id, what
      FROM acts LEFT JOIN members m ON m.program_id = ${pid} AND m.id = acts.wallet_id
    )
    SELECT (SELECT count(*) FROM accounts WHERE program_id = ${pid} AND status <> 'closed') AS accounts,
           (SELECT count(*) FROM members WHERE program_id = ${pid} AND status <> 'closed') AS members,
           count(DISTINCT account_id) AS a_active,
           count(DISTINCT account_id) FILTER (WHERE what = 'earned') AS a_earned,
           count(DISTINCT account_id) FILTER (WHERE what = 'spent') AS a_spent,
           count(DISTINCT account_id) FILTER (WHERE what = 'login') AS a_login,
           count(DISTINCT member_id) AS m_active,
           count(DISTINCT member_id) FILTER (WHERE what = 'earned') AS m_earned,
           count(DISTINCT member_id) FILTER (WHERE what = 'spent') AS m_spent,
           count(DISTINCT member_id) FILTER (WHERE what = 'login') AS m_login
    FROM owners`.execute(db);
  const x = r.rows[0]!;
  const accounts = { all: num(x.accounts), active: num(x.a_active), earned: num(x.a_earned), spent: num(x.a_spent), loggedIn: num(x.a_login) };
  const members = { all: num(x.members), active: num(x.m_active), earned: num(x.m_earned), spent: num(x.m_spent), loggedIn: num(x.m_login) };
  return {
    windowDays,
    since: since.toISOString(),
    accounts: { ...accounts, rate: participationRate(accounts.active, accounts.all) },
    members: { ...members, rate: participationRate(members.active, members.all) },
  };
}
