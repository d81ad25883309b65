/**
 * The insight summary tables (migration 0024): per account, day and buyer role the purchase invoices, their value,
 * the returns and what they took back; per day the points issued, reversed, redeemed, expired and adjusted. The
 * KPI queries read these instead of the events and the ledger, so they stay fast on millions of purchase lines.
 *
 * A refresh rebuilds one program's rows in one transaction (readers see the old rows or the new, never half) and
 * records when, how long it took and the newest event and journal it saw; the job skips programs where neither
 * has moved since. Ids are UUIDv7, so the newest is max(id), read from the primary key's index.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import { getProgram } from '../programs/programs.js';
import { fitClv, storeClv } from './clv.js';
import { periods, type Period } from './formulas.js';

/** Invoices with more lines than this are left out of the product pairs (see migration 0024). */
export const MAX_PAIR_LINES = 100;

export interface RefreshResult {
  programId: string;
  refreshed: boolean;
  tookMs: number;
  accountDays: number;
}

export interface Freshness {
  /** When the summaries were last rebuilt; null: never (the KPIs are empty until the first refresh). */
  refreshedAt: string | null;
  /** Events or journals were written since: the figures lag behind by what came in after refreshedAt. */
  stale: boolean;
  tookMs: number | null;
}

async function newest(db: Db, programId: string): Promise<{ event: string | null; journal: string | null }> {
  const r = await sql<{ event: string | null; journal: string | null }>`
    SELECT (SELECT id FROM events WHERE program_id = ${programId} ORDER BY id DESC LIMIT 1) AS event,
           (SELECT id FROM journals WHERE program_id = ${programId} ORDER BY id DESC LIMIT 1) AS journal`.execute(db);
  return r.rows[0] ?? { event: null, journal: null };
}

export async function freshness(db: Db, programId: string): Promise<Freshness> {
  const [found, now] = await Promise.all([
    sql<{ refreshed_at: Date; last_event_id: string | null; last_journal_id: string | null; took_ms: number }>`
      SELECT refreshed_at, last_event_id, last_journal_id, took_ms FROM insight_refreshes
      WHERE program_id = ${programId} AND refreshed_at > 'epoch'`.execute(db),
    newest(db, programId),
  ]);
  const row = found.rows[0];
  if (!row) return { refreshedAt: null, stale: now.event !== null || now.journal !== null, tookMs: null };
  return {
    refreshedAt: new Date(row.refreshed_at).toISOString(),
    stale: now.event !== row.last_event_id || now.journal !== row.last_journal_id,
    tookMs: row.took_ms,
  };
}

/** Rebuilds one program's summaries; without `force`, only when events or journals were written since the last run. */
export async function refreshInsight(db: Db, program: Program, now: Date, opts: { force?: boolean } = {}): Promise<RefreshResult> {
  const pid = program.id;
  const tz = program.timeZone;
  const t0 = performance.now();
  const result = await db.transaction().execute(async (trx) => {
    // The program's refresh row is the lock: two processes refreshing at once take turns.
    await sql`INSERT INTO insight_refreshes (program_id, refreshed_at, took_ms, account_days) VALUES (${pid}, ${new Date(0)}, 0, 0)
              ON CONFLICT (program_id) DO NOTHING`.execute(trx);
    const before = await sql<{ last_event_id: string | null; last_journal_id: string | null; refreshed_at: Date }>`
      SELECT last_event_id, last_journal_id, refreshed_at FROM insight_refreshes WHERE program_id = ${pid} FOR UPDATE`.execute(trx);
    const seen = await newest(trx, pid);
    const prev = before.rows[0]!;
    const neverRun = new Date(prev.refreshed_at).getTime() === 0;
    if (!opts.force && !neverRun && prev.last_event_id === seen.event && prev.last_journal_id === seen.journal) {
      return { programId: pid, refreshed: false, tookMs: 0, accountDays: 0 };
    }
    await sql`DELETE FROM insight_account_days WHERE program_id = ${pid}`.execute(trx);
    await sql`DELETE FROM insight_points_days WHERE program_id = ${pid}`.execute(trx);
    await sql`DELETE FROM insight_account_products WHERE program_id = ${pid}`.execute(trx);
    await sql`DELETE FROM insight_account_firsts WHERE program_id = ${pid}`.execute(trx);
    await sql`DELETE FROM insight_product_pairs WHERE program_id = ${pid}`.execute(trx);
    await sql`DELETE FROM insight_account_months WHERE program_id = ${pid}`.execute(trx);
    await sql`DELETE FROM insight_account_clusters WHERE program_id = ${pid}`.execute(trx);
    await sql`DELETE FROM insight_kpi_cells WHERE program_id = ${pid}`.execute(trx);
    await sql`DELETE FROM insight_cohort_cells WHERE program_id = ${pid}`.execute(trx);
    const days = await sql`
      INSERT INTO insight_account_days (program_id, account_id, day, role, purchases, revenue, returns, returned)
      SELECT ${pid}::uuid, e.account_id, (e.occurred_at AT TIME ZONE ${tz})::date, coalesce(m.role, ''),
             count(*) FILTER (WHERE e.type = 'purchase'),
             coalesce(sum(e.amount) FILTER (WHERE e.type = 'purchase'), 0),
             count(*) FILTER (WHERE e.type = 'return'),
             coalesce(sum(r.value) FILTER (WHERE e.type = 'return'), 0)
      FROM events e
      LEFT JOIN members m ON m.program_id = e.program_id AND m.id = e.member_id
      LEFT JOIN (SELECT event_id, sum(amount) AS value FROM event_lines
                 WHERE program_id = ${pid} AND NOT is_purchase GROUP BY event_id) r ON r.event_id = e.id
      WHERE e.program_id = ${pid} AND e.type IN ('purchase', 'return')
      GROUP BY 2, 3, 4`.execute(trx);
    await sql`
      INSERT INTO insight_points_days (program_id, day, issued, reversed, redeemed, expired, adjusted)
      SELECT ${pid}::uuid, (j.occurred_at AT TIME ZONE ${tz})::date,
             coalesce(sum(e.amount) FILTER (WHERE j.kind = 'earn'), 0),
             coalesce(-sum(e.amount) FILTER (WHERE j.kind = 'reverse'), 0),
             coalesce(-sum(e.amount) FILTER (WHERE j.kind IN ('spend', 'redeem', 'refund')), 0),
             coalesce(-sum(e.amount) FILTER (WHERE j.kind = 'expire'), 0),
             coalesce(sum(e.amount) FILTER (WHERE j.kind = 'adjust'), 0)
      FROM entries e
      JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
      JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
      WHERE e.program_id = ${pid} AND w.kind IN ('account', 'member') AND j.kind NOT IN ('release', 'transfer')
      GROUP BY 2`.execute(trx);
    // First and second purchase days, over all roles ('*') and per role, from the account-days just written.
    await sql`
      WITH d AS (
        SELECT account_id, '*' AS role, day, sum(purchases) AS n FROM insight_account_days
        WHERE program_id = ${pid} AND purchases > 0 GROUP BY account_id, day
        UNION ALL
        SELECT account_id, role, day, purchases FROM insight_account_days WHERE program_id = ${pid} AND purchases > 0
      ), r AS (
        SELECT account_id, role, day, sum(n) OVER (PARTITION BY account_id, role ORDER BY day) AS run FROM d
      )
      INSERT INTO insight_account_firsts (program_id, account_id, role, first_day, second_day)
      SELECT ${pid}::uuid, account_id, role, min(day), min(day) FILTER (WHERE run >= 2) FROM r GROUP BY account_id, role`.execute(trx);
    for (const period of periods) await rebuildKpiCells(trx, pid, period);
    await sql`
      WITH m AS (
        SELECT account_id, date_trunc('month', day::timestamp)::date AS mo FROM insight_account_days
        WHERE program_id = ${pid} AND purchases > 0 GROUP BY 1, 2
      ), f AS (SELECT account_id, min(mo) AS c FROM m GROUP BY 1)
      INSERT INTO insight_cohort_cells (program_id, cohort, month_offset, accounts)
      SELECT ${pid}::uuid, f.c, ((extract(year FROM m.mo) - extract(year FROM f.c)) * 12 + extract(month FROM m.mo) - extract(month FROM f.c))::int, count(*)
      FROM m JOIN f ON f.account_id = m.account_id GROUP BY 2, 3`.execute(trx);
    await sql`
      INSERT INTO insight_account_products (program_id, account_id, sku, invoices, value)
      SELECT ${pid}::uuid, account_id, sku, count(DISTINCT event_id), sum(amount - returned_amount)
      FROM event_lines WHERE program_id = ${pid} AND is_purchase
      GROUP BY account_id, sku`.execute(trx);
    await sql`
      WITH inv AS (
        SELECT event_id FROM event_lines WHERE program_id = ${pid} AND is_purchase GROUP BY event_id HAVING count(*) <= ${MAX_PAIR_LINES}
      ), l AS (
        SELECT DISTINCT x.event_id, x.sku FROM event_lines x JOIN inv ON inv.event_id = x.event_id WHERE x.program_id = ${pid} AND x.is_purchase
      )
      INSERT INTO insight_product_pairs (program_id, sku_a, sku_b, invoices)
      SELECT ${pid}::uuid, a.sku, b.sku, count(*) FROM l a JOIN l b ON b.event_id = a.event_id GROUP BY a.sku, b.sku`.execute(trx);
    await sql`
      INSERT INTO insight_account_months (program_id, account_id, month, category_code, margin_class, value)
      SELECT ${pid}::uuid, account_id, date_trunc('month', occurred_at AT TIME ZONE ${tz})::date,
             coalesce(category_code, ''), coalesce(margin_class, ''), sum(amount - returned_amount)
      FROM event_lines WHERE program_id = ${pid} AND is_purchase
      GROUP BY 2, 3, 4, 5`.execute(trx);
    await rebuildClusters(trx, pid);
    const accountDays = Number(days.numAffectedRows ?? 0);
    const tookMs = Math.round(performance.now() - t0);
    await sql`
      UPDATE insight_refreshes SET refreshed_at = ${now}, last_event_id = ${seen.event}, last_journal_id = ${seen.journal},
             took_ms = ${tookMs}, account_days = ${accountDays}
      WHERE program_id = ${pid}`.execute(trx);
    return { programId: pid, refreshed: true, tookMs, accountDays };
  });
  // The predicted-CLV model is fitted on the account-days just committed, after the transaction: the fit is
  // seconds of CPU at 100,000 accounts, and the summaries' lock and snapshot need not be held for it.
  if (result.refreshed) await storeClv(db, pid, await fitClv(db, pid, now), now);
  return result;
}

/**
 * The KPI cells of one period length (migration 0049): per period and segment value, for every way of splitting
 * (none, segment, country, tier, role), what purchaseKpis shows and sums. An account's segment, country and tier are
 * read as they are now, at the rebuild; the role is the buyer's on each purchase. Counts of buyers are of distinct
 * accounts within the period (an account-period is one buyer however many days and roles it bought on), and the
 * first and second purchase days come from insight_account_firsts ('*' over all roles, else per role).
 */
async function rebuildKpiCells(trx: Db, pid: string, period: Period): Promise<void> {
  const unit = sql.raw(`'${period}'`);
  await sql`
    WITH ap AS (
      SELECT account_id, role, date_trunc(${unit}, day::timestamp)::date AS p,
             sum(purchases) AS pu, sum(revenue) AS rv, sum(returns) AS rt, sum(returned) AS rd
      FROM insight_account_days WHERE program_id = ${pid} GROUP BY 1, 2, 3
    ), acc AS (
      SELECT account_id, p, sum(pu) AS pu, sum(rv) AS rv, sum(rt) AS rt, sum(rd) AS rd FROM ap GROUP BY 1, 2
    ), attrs AS (
      SELECT a.id AS account_id, coalesce(a.segment, '') AS seg, coalesce(a.country, '') AS ctry, coalesce(ts.level_code, '') AS tier
      FROM accounts a
      LEFT JOIN tier_status ts ON ts.program_id = a.program_id AND ts.owner_kind = 'account' AND ts.owner_id = a.id
      WHERE a.program_id = ${pid}
    ), fx AS (
      SELECT fi.role, date_trunc(${unit}, fi.first_day::timestamp)::date AS p, 1 AS f, 0 AS s, x.seg, x.ctry, x.tier
      FROM insight_account_firsts fi LEFT JOIN attrs x ON x.account_id = fi.account_id WHERE fi.program_id = ${pid}
      UNION ALL
      SELECT fi.role, date_trunc(${unit}, fi.second_day::timestamp)::date, 0, 1, x.seg, x.ctry, x.tier
      FROM insight_account_firsts fi LEFT JOIN attrs x ON x.account_id = fi.account_id WHERE fi.program_id = ${pid} AND fi.second_day IS NOT NULL
    ), cells AS (
      SELECT CASE WHEN grouping(x.seg) = 0 THEN 'segment' WHEN grouping(x.ctry) = 0 THEN 'country' WHEN grouping(x.tier) = 0 THEN 'tier' ELSE 'none' END AS sb,
             acc.p, coalesce(x.seg, x.ctry, x.tier, '') AS g,
             count(*) FILTER (WHERE acc.pu >= 1) AS b, count(*) FILTER (WHERE acc.pu >= 2) AS r,
             sum(acc.pu) AS pu, sum(acc.rv) AS rv, sum(acc.rt) AS rt, sum(acc.rd) AS rd, 0 AS f, 0 AS s
      FROM acc LEFT JOIN attrs x ON x.account_id = acc.account_id
      GROUP BY GROUPING SETS ((acc.p), (acc.p, x.seg), (acc.p, x.ctry), (acc.p, x.tier))
      UNION ALL
      SELECT 'role', p, role, count(*) FILTER (WHERE pu >= 1), count(*) FILTER (WHERE pu >= 2), sum(pu), sum(rv), sum(rt), sum(rd), 0, 0
      FROM ap GROUP BY p, role
      UNION ALL
      SELECT CASE WHEN grouping(seg) = 0 THEN 'segment' WHEN grouping(ctry) = 0 THEN 'country' WHEN grouping(tier) = 0 THEN 'tier' ELSE 'none' END,
             p, coalesce(seg, ctry, tier, ''), 0, 0, 0, 0, 0, 0, sum(f), sum(s)
      FROM fx WHERE role = '*'
      GROUP BY GROUPING SETS ((p), (p, seg), (p, ctry), (p, tier))
      UNION ALL
      SELECT 'role', p, role, 0, 0, 0, 0, 0, 0, sum(f), sum(s) FROM fx WHERE role <> '*' GROUP BY p, role
    )
    INSERT INTO insight_kpi_cells (program_id, period, segment_by, start, segment, buyers, repeaters, purchases, revenue, returns, returned, first_buyers, second_buyers)
    SELECT ${pid}::uuid, ${period}, sb, p, g, sum(b), sum(r), sum(pu), sum(rv), sum(rt), sum(rd), sum(f), sum(s)
    FROM cells GROUP BY sb, p, g`.execute(trx);
}

/** Months of purchases that size a company and rank its RFM score for the clusters. */
export const CLUSTER_WINDOW_MONTHS = 12;

/**
 * Clusters of comparable companies (docs/insight.md#clusters-and-potential): every account with net purchases over
 * the twelve months ending with the latest month of purchases, by segment and size band (quartile of those
 * purchases among the program's buyers). Recency, frequency and monetary value are quintiles (1–5) among the same
 * buyers; an account is loyal when it holds the ladder's top tier or is in the top quarter of its cluster by
 * R + F + M. Ties are broken by the account id, so a rebuild on the same data gives the same clusters.
 */
async function rebuildClusters(trx: Db, pid: string): Promise<void> {
  await sql`
    WITH last AS (
      SELECT max(month) AS m FROM insight_account_months WHERE program_id = ${pid}
    ), v AS (
      SELECT account_id, sum(value) AS value FROM insight_account_months, last
      WHERE program_id = ${pid} AND month > (last.m - make_interval(months => ${CLUSTER_WINDOW_MONTHS}))::date
      GROUP BY account_id HAVING sum(value) > 0
    ), f AS (
      SELECT account_id, sum(purchases) AS n, max(day) AS latest FROM insight_account_days, last
      WHERE program_id = ${pid} AND purchases > 0 AND day > (last.m - make_interval(months => ${CLUSTER_WINDOW_MONTHS}))::date
      GROUP BY account_id
    ), s AS (
      SELECT v.account_id, v.value, coalesce(a.segment, '') AS cluster, a.tier,
             ntile(4) OVER (ORDER BY v.value, v.account_id) AS band,
             ntile(5) OVER (ORDER BY f.latest NULLS FIRST, v.account_id) AS r,
             ntile(5) OVER (ORDER BY coalesce(f.n, 0), v.account_id) AS fq,
             ntile(5) OVER (ORDER BY v.value, v.account_id) AS mo
      FROM v LEFT JOIN f ON f.account_id = v.account_id
      JOIN accounts a ON a.program_id = ${pid} AND a.id = v.account_id
    ), q AS (
      SELECT s.*, ntile(4) OVER (PARTITION BY cluster, band ORDER BY r + fq + mo DESC, value DESC, account_id) AS quarter FROM s
    )
    INSERT INTO insight_account_clusters (program_id, account_id, cluster, size_band, value, recency, frequency, monetary, loyal)
    SELECT ${pid}::uuid, account_id, cluster, band, value, r, fq, mo,
           quarter = 1 OR coalesce(tier = (SELECT code FROM tier_levels WHERE program_id = ${pid} ORDER BY rank DESC LIMIT 1), false)
    FROM q`.execute(trx);
}

/** The job: every program whose data moved since its last refresh. */
export async function runInsightJobs(db: Db, now: Date): Promise<{ programs: number; refreshed: number; tookMs: number }> {
  const programs = await db.selectFrom('programs').select('id').execute();
  let refreshed = 0;
  let tookMs = 0;
  for (const { id } of programs) {
    const program = await getProgram(db, id);
    if (!program) continue;
    const r = await refreshInsight(db, program, now);
    if (r.refreshed) refreshed++;
    tookMs += r.tookMs;
  }
  return { programs: programs.length, refreshed, tookMs };
}
