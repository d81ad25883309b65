/**
 * The program overview for the console's dashboard: what happened to points in a date range (per day, week or
 * month in the program's time zone), who was active, who earned most net of returns, and where the tiers stand
 * now. Everything is summed in SQL on the ledger, so the figures are the ledger's, not a cache's; the range's entries
 * are read once per request.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Language } from '../i18n/index.js';
import { getOutstanding, type ProgramLedgerSummary } from '../ledger/queries.js';
import type { Program } from '../programs/programs.js';

export const reportIntervals = ['day', 'week', 'month'] as const;
export type ReportInterval = (typeof reportIntervals)[number];

export interface OverviewInput {
  /** Calendar dates (YYYY-MM-DD) in the program's time zone, both inclusive. */
  from: string;
  to: string;
  interval: ReportInterval;
  language: Language;
}

export interface OverviewPoint {
  /** First day of the day, week (Monday) or month. */
  start: string;
  issued: number;
  redeemed: number;
  expired: number;
}

export interface Overview {
  from: string;
  to: string;
  interval: ReportInterval;
  currency: string;
  series: OverviewPoint[];
  totals: { issued: number; redeemed: number; expired: number };
  /** Accounts with a ledger entry in the range on their own wallet or a wallet of one of their people. */
  activeAccounts: number;
  /** People (members) with a ledger entry in the range on their own wallet. */
  activeMembers: number;
  /** People in the program now, active or not: 0 says the program rewards accounts only. */
  members: number;
  tiers: Array<{ code: string; name: string; rank: number; accounts: number; members: number }>;
  /** Ranked by `points`: earned in the range less what returns in the range took back. */
  topAccounts: Array<{ accountId: string; name: string; externalId: string | null; points: number; earned: number; reversed: number }>;
  /** The program-local date of the latest ledger entry of any kind, null before the first. */
  latestActivity: string | null;
  /** Now, whatever the range: the outstanding points and what they are worth. */
  outstanding: Pick<ProgramLedgerSummary, 'outstandingAvailable' | 'outstandingPending' | 'liabilityMinor'>;
}

interface SeriesRow {
  start: string;
  issued: number | string;
  redeemed: number | string;
  expired: number | string;
}
interface ActiveRow {
  members: number | string;
  accounts: number | string;
}
interface TopRow {
  account_id: string;
  name: string;
  external_id: string | null;
  points: number | string;
  earned: number | string;
  reversed: number | string;
}

export async function programOverview(db: Db, program: Program, input: OverviewInput): Promise<Overview> {
  const { from, to, interval } = input;
  const tz = program.timeZone;
  const pid = program.id;
  // The range as instants: local midnight of `from` up to local midnight after `to`.
  const start = sql`((${from}::date)::timestamp AT TIME ZONE ${tz})`;
  const end = sql`((${to}::date + 1)::timestamp AT TIME ZONE ${tz})`;
  const step = `1 ${interval}`;

  const [range, tiers, summary, people, latest] = await Promise.all([
    // The range's entries on account and member wallets are read once (MATERIALIZED) and summed three ways:
    // the series, who was active, and the top accounts. Three statements read them three times, at the same
    // time, which on a year of a large program took most of the request.
    sql<{ series: SeriesRow[] | string | null; active: ActiveRow | string | null; top: TopRow[] | string | null }>`
      WITH moved AS MATERIALIZED (
        SELECT e.wallet_id, e.amount, j.kind, j.occurred_at, w.kind AS wallet_kind, coalesce(m.account_id, e.wallet_id) AS account_id
        FROM entries e
        JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
        JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
        LEFT JOIN members m ON m.program_id = e.program_id AND m.id = e.wallet_id
        WHERE e.program_id = ${pid} AND w.kind IN ('account', 'member')
          AND j.occurred_at >= ${start} AND j.occurred_at < ${end}
      ), buckets AS (
        SELECT generate_series(date_trunc(${interval}, ${from}::date::timestamp), ${to}::date::timestamp, ${step}::interval) AS b
      ), sums AS (
        SELECT date_trunc(${interval}, occurred_at AT TIME ZONE ${tz}) AS b,
               coalesce(sum(amount) FILTER (WHERE kind = 'earn'), 0) AS issued,
               coalesce(-sum(amount) FILTER (WHERE kind IN ('redeem', 'refund')), 0) AS redeemed,
               coalesce(-sum(amount) FILTER (WHERE kind = 'expire'), 0) AS expired
        FROM moved GROUP BY 1
      ), top AS (
        -- An account's earnings include its people's: the company is who the program rewards. Returns in the
        -- range count against it (a reversal is dated at its return), so buying and cancelling earns no place.
        SELECT a.id AS account_id, a.name, a.external_id, sum(x.amount)::bigint AS points,
               coalesce(sum(x.amount) FILTER (WHERE x.kind = 'earn'), 0)::bigint AS earned,
               coalesce(-sum(x.amount) FILTER (WHERE x.kind = 'reverse'), 0)::bigint AS reversed
        FROM moved x
        JOIN accounts a ON a.program_id = ${pid} AND a.id = x.account_id
        WHERE x.kind IN ('earn', 'reverse')
        GROUP BY a.id, a.name, a.external_id
        HAVING sum(x.amount) > 0
        ORDER BY points DESC, a.name, a.id
        LIMIT 10
      )
      SELECT
        (SELECT json_agg(json_build_object('start', to_char(buckets.b, 'YYYY-MM-DD'), 'issued', coalesce(sums.issued, 0)::bigint,
                                           'redeemed', coalesce(sums.redeemed, 0)::bigint, 'expired', coalesce(sums.expired, 0)::bigint) ORDER BY buckets.b)
         FROM buckets LEFT JOIN sums ON sums.b = buckets.b) AS series,
        -- A person's activity makes their company active too; a program of accounts only has active accounts.
        (SELECT json_build_object('members', count(DISTINCT wallet_id) FILTER (WHERE wallet_kind = 'member'), 'accounts', count(DISTINCT account_id))
         FROM moved) AS active,
        (SELECT json_agg(json_build_object('account_id', account_id, 'name', name, 'external_id', external_id, 'points', points,
                                           'earned', earned, 'reversed', reversed) ORDER BY points DESC, name, account_id)
         FROM top) AS top`.execute(db),
    sql<{ code: string; rank: number; names: Record<string, string> | string; accounts: string | number; members: string | number }>`
      SELECT l.code, l.rank, l.names,
             count(s.owner_id) FILTER (WHERE s.owner_kind = 'account')::bigint AS accounts,
             count(s.owner_id) FILTER (WHERE s.owner_kind = 'member')::bigint AS members
      FROM tier_levels l
      LEFT JOIN tier_status s ON s.program_id = l.program_id AND s.level_code = l.code
      WHERE l.program_id = ${pid}
      GROUP BY l.code, l.rank, l.names
      ORDER BY l.rank`.execute(db),
    // Only what is owed now: the ledger's totals by kind (every entry of the program) are not shown here.
    getOutstanding(db, pid, program.pointValueMicros),
    sql<{ n: string | number }>`SELECT count(*)::bigint AS n FROM members WHERE program_id = ${pid}`.execute(db),
    latestActivityDate(db, program),
  ]);

  const row = range.rows[0]!;
  const parsed = <T>(v: T | string | null): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
  const series = parsed(row.series) ?? [];
  const active = parsed(row.active);
  const top = parsed(row.top) ?? [];
  const points = series.map((r) => ({ start: r.start, issued: Number(r.issued), redeemed: Number(r.redeemed), expired: Number(r.expired) }));
  const sum = (k: 'issued' | 'redeemed' | 'expired') => points.reduce((s, p) => s + p[k], 0);
  return {
    from,
    to,
    interval,
    currency: program.currency,
    series: points,
    totals: { issued: sum('issued'), redeemed: sum('redeemed'), expired: sum('expired') },
    activeAccounts: Number(active?.accounts ?? 0),
    activeMembers: Number(active?.members ?? 0),
    members: Number(people.rows[0]?.n ?? 0),
    tiers: tiers.rows.map((r) => {
      const names = (typeof r.names === 'string' ? JSON.parse(r.names) : r.names) as Record<string, string>;
      return { code: r.code, name: names[input.language] ?? names.en ?? r.code, rank: Number(r.rank), accounts: Number(r.accounts), members: Number(r.members) };
    }),
    topAccounts: top.map((r) => ({
      accountId: r.account_id, name: r.name, externalId: r.external_id, points: Number(r.points), earned: Number(r.earned), reversed: Number(r.reversed),
    })),
    latestActivity: latest,
    outstanding: {
      outstandingAvailable: summary.outstandingAvailable,
      outstandingPending: summary.outstandingPending,
      liabilityMinor: summary.liabilityMinor,
    },
  };
}

/** The program-local date of the latest ledger entry, or null: where a dashboard of old (imported) data opens. */
export async function latestActivityDate(db: Db, program: Program): Promise<string | null> {
  const r = await sql<{ day: string | null }>`
    SELECT to_char(max(occurred_at) AT TIME ZONE ${program.timeZone}, 'YYYY-MM-DD') AS day FROM journals WHERE program_id = ${program.id}`.execute(db);
  return r.rows[0]?.day ?? null;
}

/** The default window's length in days, ending today or at the latest activity. */
export const defaultRangeDays = 30;

/**
 * The range a dashboard opens on: the last 30 days when anything happened in them, else the 30 days that end on
 * the latest activity (imported history, a program that has gone quiet), so the first view is never empty when
 * there is data. `today` is the program-local date of the app's clock.
 */
export function defaultRange(today: string, latestActivity: string | null): { from: string; to: string } {
  const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const windowStart = shift(today, -(defaultRangeDays - 1));
  const to = latestActivity !== null && latestActivity < windowStart ? latestActivity : today;
  return { from: shift(to, -(defaultRangeDays - 1)), to };
}
