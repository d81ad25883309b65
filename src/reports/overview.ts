/**
 * The program overview for the console's dashboard: what happened to points in a date range (per day, week or
 * month in the program's time zone), who was active, who earned most, and where the tiers stand now.
 * Everything is summed in SQL on the ledger, so the figures are the ledger's, not a cache's.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Language } from '../i18n/index.js';
import { getProgramSummary, type ProgramLedgerSummary } from '../ledger/queries.js';
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
  activeMembers: number;
  tiers: Array<{ code: string; name: string; rank: number; accounts: number; members: number }>;
  topAccounts: Array<{ accountId: string; name: string; externalId: string | null; points: number }>;
  /** Now, whatever the range: the outstanding points and what they are worth. */
  outstanding: Pick<ProgramLedgerSummary, 'outstandingAvailable' | 'outstandingPending' | 'liabilityMinor'>;
}

export async function programOverview(db: Db, program: Program, input: OverviewInput): Promise<Overview> {
  const { from, to, interval } = input;
  const tz = program.timeZone;
  const pid = program.id;
  // The range as instants: local midnight of `from` up to local midnight after `to`.
  const start = sql`((${from}::date)::timestamp AT TIME ZONE ${tz})`;
  const end = sql`((${to}::date + 1)::timestamp AT TIME ZONE ${tz})`;
  const step = `1 ${interval}`;

  const [series, active, top, tiers, summary] = await Promise.all([
    sql<{ start: string; issued: string | number; redeemed: string | number; expired: string | number }>`
      WITH buckets AS (
        SELECT generate_series(date_trunc(${interval}, ${from}::date::timestamp), ${to}::date::timestamp, ${step}::interval) AS b
      ), sums AS (
        SELECT date_trunc(${interval}, j.occurred_at AT TIME ZONE ${tz}) AS b,
               coalesce(sum(e.amount) FILTER (WHERE j.kind = 'earn'), 0) AS issued,
               coalesce(-sum(e.amount) FILTER (WHERE j.kind IN ('redeem', 'refund')), 0) AS redeemed,
               coalesce(-sum(e.amount) FILTER (WHERE j.kind = 'expire'), 0) AS expired
        FROM entries e
        JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
        JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
        WHERE e.program_id = ${pid} AND w.kind IN ('account', 'member')
          AND j.occurred_at >= ${start} AND j.occurred_at < ${end}
        GROUP BY 1
      )
      SELECT to_char(buckets.b, 'YYYY-MM-DD') AS start,
             coalesce(sums.issued, 0)::bigint AS issued, coalesce(sums.redeemed, 0)::bigint AS redeemed,
             coalesce(sums.expired, 0)::bigint AS expired
      FROM buckets LEFT JOIN sums ON sums.b = buckets.b
      ORDER BY buckets.b`.execute(db),
    sql<{ n: string | number }>`
      SELECT count(DISTINCT e.wallet_id)::bigint AS n
      FROM entries e
      JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
      JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
      WHERE e.program_id = ${pid} AND w.kind = 'member' AND j.occurred_at >= ${start} AND j.occurred_at < ${end}`.execute(db),
    // An account's earnings include its people's: the company is who the program rewards.
    sql<{ account_id: string; name: string; external_id: string | null; points: string | number }>`
      SELECT a.id AS account_id, a.name, a.external_id, sum(e.amount)::bigint AS points
      FROM entries e
      JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
      LEFT JOIN members m ON m.program_id = e.program_id AND m.id = e.wallet_id
      JOIN accounts a ON a.program_id = e.program_id AND a.id = coalesce(m.account_id, e.wallet_id)
      WHERE e.program_id = ${pid} AND j.kind = 'earn' AND j.occurred_at >= ${start} AND j.occurred_at < ${end}
      GROUP BY a.id, a.name, a.external_id
      HAVING sum(e.amount) > 0
      ORDER BY points DESC, a.name, a.id
      LIMIT 10`.execute(db),
    sql<{ code: string; rank: number; names: Record<string, string> | string; accounts: string | number; members: string | number }>`
      SELECT l.code, l.rank, l.names,
             count(s.owner_id) FILTER (WHERE s.owner_kind = 'account')::bigint AS accounts,
             count(s.owner_id) FILTER (WHERE s.owner_kind = 'member')::bigint AS members
      FROM tier_levels l
      LEFT JOIN tier_status s ON s.program_id = l.program_id AND s.level_code = l.code
      WHERE l.program_id = ${pid}
      GROUP BY l.code, l.rank, l.names
      ORDER BY l.rank`.execute(db),
    getProgramSummary(db, pid, program.pointValueMicros),
  ]);

  const points = series.rows.map((r) => ({ start: r.start, issued: Number(r.issued), redeemed: Number(r.redeemed), expired: Number(r.expired) }));
  const sum = (k: 'issued' | 'redeemed' | 'expired') => points.reduce((s, p) => s + p[k], 0);
  return {
    from,
    to,
    interval,
    currency: program.currency,
    series: points,
    totals: { issued: sum('issued'), redeemed: sum('redeemed'), expired: sum('expired') },
    activeMembers: Number(active.rows[0]?.n ?? 0),
    tiers: tiers.rows.map((r) => {
      const names = (typeof r.names === 'string' ? JSON.parse(r.names) : r.names) as Record<string, string>;
      return { code: r.code, name: names[input.language] ?? names.en ?? r.code, rank: Number(r.rank), accounts: Number(r.accounts), members: Number(r.members) };
    }),
    topAccounts: top.rows.map((r) => ({ accountId: r.account_id, name: r.name, externalId: r.external_id, points: Number(r.points) })),
    outstanding: {
      outstandingAvailable: summary.outstandingAvailable,
      outstandingPending: summary.outstandingPending,
      liabilityMinor: summary.liabilityMinor,
    },
  };
}
