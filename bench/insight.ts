/**
 * The insight KPI queries on PostgreSQL at scale (issue 17, item 7): a program with 100,000 accounts, 20,000
 * members, 1,000,000 purchase lines (333,334 purchase invoices of three lines over two years), 20,000 returns, an
 * earn journal per purchase and some spends, expiries and tier moves, generated with INSERT … SELECT
 * generate_series through the real tables. Times the summary refresh (the job) and then every KPI query, each
 * run three times (the best and the worst shown). Prints a table; asserts nothing.
 *
 *   npx tsx bench/insight.ts                        (alone; also runs at the end of `npm run bench`)
 *   BENCH_INSIGHT_LINES=1000000 BENCH_INSIGHT_ACCOUNTS=100000
 *   BENCH_PG_URL=postgres://…/postgres              (admin URL of the server; default the local one)
 *   BENCH_INSIGHT_KEEP=1                            (keep the generated database, to EXPLAIN on it; prints its name)
 *   BENCH_INSIGHT_DB=lojal_bench_insight_123        (time on a kept database instead of generating one)
 *   BENCH_INSIGHT_SKIP_REFRESH=1                    (with BENCH_INSIGHT_DB: time the queries on its summaries as they are)
 *   BENCH_INSIGHT_REFRESH_RUNS=1                    (rebuild once instead of twice)
 *
 * Streamed CSV exports are timed to their first row (what the reader waits for) and to their end.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { exportCsv } from '../src/insight/export.js';
import { cohortReport, kpiReport, participation } from '../src/insight/kpis.js';
import { refreshInsight } from '../src/insight/summary.js';
import { roiReport } from '../src/insight/roi.js';
import { accountPotential } from '../src/insight/potential.js';
import { recommendationsFor } from '../src/insight/recommend.js';
import { accountClv } from '../src/insight/clv.js';
import { getProgram } from '../src/programs/programs.js';
import { createProgram, systemWalletId, type Program } from '../src/programs/programs.js';
import { programOverview } from '../src/reports/overview.js';

const LINES = Number(process.env.BENCH_INSIGHT_LINES ?? 1_000_000);
const ACCOUNTS = Number(process.env.BENCH_INSIGHT_ACCOUNTS ?? 100_000);
const MEMBERS = Math.round(ACCOUNTS / 5);
const INVOICES = Math.ceil(LINES / 3);
const RETURNS = Math.round(INVOICES * 0.06);
const DAYS = 700;
const NOW = new Date('2026-11-30T12:00:00Z');

async function generate(database: Database): Promise<Program> {
  const db = database.db;
  const program = await createProgram(db, { name: 'Insight bench', currency: 'SEK', timeZone: 'Europe/Stockholm', pointValueMicros: 20_000 });
  const pid = program.id;
  const issuance = systemWalletId(pid, 'issuance');
  const expiry = systemWalletId(pid, 'expiry');
  const redemption = systemWalletId(pid, 'redemption');
  const t0 = performance.now();
  const step = async (what: string, q: ReturnType<typeof sql>) => {
    const t = performance.now();
    await q.execute(db);
    console.log(`  ${what}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  await sql`CREATE OR REPLACE FUNCTION bench_uuid(t text) RETURNS uuid IMMUTABLE LANGUAGE sql AS
    $$ SELECT (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid $$`.execute(db);
  console.log(`Generating ${ACCOUNTS.toLocaleString('en')} accounts, ${INVOICES.toLocaleString('en')} purchases (${LINES.toLocaleString('en')} lines), ${RETURNS.toLocaleString('en')} returns…`);
  await step('accounts and wallets', sql`
    WITH a AS (
      INSERT INTO accounts (program_id, id, external_id, name, country, segment, tags, attributes)
      SELECT ${pid}::uuid, bench_uuid(${pid} || ':a:' || i), 'A-' || i, 'Account ' || i,
             (ARRAY['SE','NO','DK','FI','DE','PL'])[1 + i % 6], (ARRAY['retail','industry','public','wholesale'])[1 + i % 4], '{}', '{}'
      FROM generate_series(1, ${ACCOUNTS}::int) i RETURNING id)
    INSERT INTO wallets (program_id, id, kind) SELECT ${pid}::uuid, id, 'account' FROM a`);
  // Two accounts in three joined the program on a day of the two years (the ROI compares them before and after
  // joining); every third is a non-member kept to compare with.
  await step('join dates', sql`
    UPDATE accounts SET joined_on = CASE WHEN split_part(external_id, '-', 2)::int % 3 = 0 THEN NULL
                                         ELSE date '2025-01-01' + split_part(external_id, '-', 2)::int * 37 % ${DAYS}::int END
    WHERE program_id = ${pid}`);
  await step('members and wallets', sql`
    WITH m AS (
      INSERT INTO members (program_id, id, account_id, external_id, name, role, tags, attributes)
      SELECT ${pid}::uuid, bench_uuid(${pid} || ':m:' || i), bench_uuid(${pid} || ':a:' || (1 + i * 5 % ${ACCOUNTS}::int)), 'M-' || i, 'Member ' || i,
             (ARRAY['buyer','manager','installer'])[1 + i % 3], '{}', '{}'
      FROM generate_series(1, ${MEMBERS}::int) i RETURNING id)
    INSERT INTO wallets (program_id, id, kind) SELECT ${pid}::uuid, id, 'member' FROM m`);
  await step('products', sql`
    INSERT INTO products (program_id, sku, name, margin_class, attributes)
    SELECT ${pid}::uuid, 'SKU-' || s, 'Product ' || s, (ARRAY['high','standard','low'])[1 + s % 3], '{}' FROM generate_series(1, 500) s`);
  // Purchases: account i * 7919 mod ACCOUNTS (some accounts buy often, some once, some never), a member on every fifth.
  await step('purchase events', sql`
    INSERT INTO events (program_id, id, external_id, type, occurred_at, account_id, member_id, amount, attributes, body_hash)
    SELECT ${pid}::uuid, bench_uuid(${pid} || ':e:' || i), 'P-' || i, 'purchase',
           timestamptz '2025-01-01 08:00+01' + (i::bigint * ${DAYS * 86400}::bigint / ${INVOICES}::bigint) * interval '1 second',
           bench_uuid(${pid} || ':a:' || (1 + (i::bigint * 7919 % (${ACCOUNTS}::int * 0.8)::bigint))),
           CASE WHEN i % 5 = 0 THEN bench_uuid(${pid} || ':m:' || (1 + i % ${MEMBERS}::int)) END,
           3 * (1000 + i % 50000), '{}', md5(i::text)
    FROM generate_series(1, ${INVOICES}::int) i`);
  // Members of every fifth purchase must belong to its account: point them at the account's own members instead.
  await step('purchase members fixed', sql`
    UPDATE events e SET member_id = (SELECT m.id FROM members m WHERE m.program_id = e.program_id AND m.account_id = e.account_id LIMIT 1)
    WHERE e.program_id = ${pid} AND e.member_id IS NOT NULL`);
  await step('purchase lines', sql`
    INSERT INTO event_lines (program_id, event_id, line_no, account_id, occurred_at, is_purchase, sku, quantity, amount)
    SELECT e.program_id, e.id, n, e.account_id, e.occurred_at, true, 'SKU-' || (1 + (abs(hashtext(e.external_id)) + n * 37) % 500), 1 + n, e.amount / 3
    FROM events e CROSS JOIN generate_series(1, 3) n WHERE e.program_id = ${pid} AND e.type = 'purchase'`);
  await step('returns', sql`
    WITH r AS (
      INSERT INTO events (program_id, id, external_id, type, occurred_at, account_id, original_event_id, amount, attributes, body_hash)
      SELECT e.program_id, bench_uuid(${pid} || ':r:' || e.external_id), 'R-' || e.external_id, 'return', e.occurred_at + interval '3 days', e.account_id, e.id, 0, '{}', md5(e.external_id)
      FROM events e WHERE e.program_id = ${pid} AND e.type = 'purchase' AND abs(hashtext(e.external_id)) % ${Math.round(INVOICES / RETURNS)}::int = 0
      RETURNING id, account_id, occurred_at, original_event_id)
    INSERT INTO event_lines (program_id, event_id, line_no, account_id, occurred_at, is_purchase, sku, quantity, amount, returned_quantity, returned_amount)
    SELECT ${pid}::uuid, r.id, 1, r.account_id, r.occurred_at, false, l.sku, l.quantity, l.amount, l.quantity, l.amount
    FROM r JOIN event_lines l ON l.program_id = ${pid} AND l.event_id = r.original_event_id AND l.line_no = 1`);
  await step('earn journals and entries', sql`
    WITH j AS (
      INSERT INTO journals (program_id, id, idempotency_key, kind, event_id, explanation, occurred_at)
      SELECT e.program_id, bench_uuid(${pid} || ':j:' || e.external_id), 'earn:' || e.external_id, 'earn', e.id, '{"key":"bench","params":{}}', e.occurred_at
      FROM events e WHERE e.program_id = ${pid} AND e.type = 'purchase'
      RETURNING id, event_id)
    INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount)
    SELECT ${pid}::uuid, j.id, s.seq, CASE s.seq WHEN 0 THEN ${issuance}::uuid ELSE coalesce(e.member_id, e.account_id) END, 'available',
           CASE s.seq WHEN 0 THEN -(e.amount / 1000 + 1) ELSE e.amount / 1000 + 1 END
    FROM j JOIN events e ON e.program_id = ${pid} AND e.id = j.event_id CROSS JOIN (VALUES (0), (1)) s(seq)`);
  for (const [kind, wallet, share] of [['spend', redemption, 9], ['expire', expiry, 23]] as const) {
    await step(`${kind} journals`, sql`
      WITH j AS (
        INSERT INTO journals (program_id, id, idempotency_key, kind, explanation, occurred_at)
        SELECT ${pid}::uuid, bench_uuid(${pid} || ${`:${kind}:`} || i), ${kind} || ':' || i, ${kind}, '{"key":"bench","params":{}}',
               timestamptz '2025-02-01 12:00+01' + (i::bigint * ${(DAYS - 31) * 86400}::bigint / ${Math.round(INVOICES / share)}::bigint) * interval '1 second'
        FROM generate_series(1, ${Math.round(INVOICES / share)}::int) i RETURNING id, idempotency_key)
      INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount)
      SELECT ${pid}::uuid, j.id, s.seq,
             CASE s.seq WHEN 0 THEN ${wallet}::uuid ELSE bench_uuid(${pid} || ':a:' || (1 + (split_part(j.idempotency_key, ':', 2)::int * 7919) % (${ACCOUNTS}::int * 0.8)::int)) END,
             'available', CASE s.seq WHEN 0 THEN 20 ELSE -20 END
      FROM j CROSS JOIN (VALUES (0), (1)) s(seq)`);
  }
  await step('tiers', sql`
    INSERT INTO tier_levels (program_id, code, rank, names, threshold)
    VALUES (${pid}, 'silver', 1, '{"en":"Silver"}', 1000), (${pid}, 'gold', 2, '{"en":"Gold"}', 10000)`);
  await step('tier status and history', sql`
    WITH s AS (
      INSERT INTO tier_status (program_id, owner_kind, owner_id, level_code, since, period_end)
      SELECT ${pid}::uuid, 'account', bench_uuid(${pid} || ':a:' || i), (ARRAY[NULL, 'silver', 'gold'])[1 + i % 3], now(), now() + interval '1 year'
      FROM generate_series(1, ${ACCOUNTS}::int) i RETURNING owner_id)
    INSERT INTO tier_history (program_id, id, owner_kind, owner_id, from_level, to_level, reason, at)
    SELECT ${pid}::uuid, bench_uuid(${pid} || ':th:' || s.owner_id), 'account', s.owner_id, NULL, 'silver',
           CASE WHEN abs(hashtext(s.owner_id::text)) % 4 = 0 THEN 'downgrade' ELSE 'upgrade' END,
           timestamptz '2025-01-01' + (abs(hashtext(s.owner_id::text)) % ${DAYS}::int) * interval '1 day'
    FROM s`);
  await step('wallet balances', sql`
    UPDATE wallets w SET available = greatest(x.total, 0)
    FROM (SELECT wallet_id, sum(amount) AS total FROM entries WHERE program_id = ${pid} GROUP BY wallet_id) x
    WHERE w.program_id = ${pid} AND w.id = x.wallet_id AND w.kind IN ('account', 'member')`);
  await sql`ANALYZE`.execute(db);
  console.log(`Generated in ${((performance.now() - t0) / 1000).toFixed(1)} s.\n`);
  return program;
}

interface Timing {
  what: string;
  rows: string;
  best: number;
  worst: number;
}

async function timed(what: string, fn: () => Promise<string>, runs = 3): Promise<Timing> {
  const times: number[] = [];
  let rows = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    rows = await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return { what, rows, best: Math.min(...times), worst: Math.max(...times) };
}

export async function benchInsight(adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    console.log(`Insight bench skipped (no PostgreSQL): ${(err as Error).message}`);
    return;
  }
  const reuse = process.env.BENCH_INSIGHT_DB;
  const keep = process.env.BENCH_INSIGHT_KEEP === '1' || reuse !== undefined;
  const name = reuse ?? `lojal_bench_insight_${process.pid}`;
  if (!reuse) await client.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 8);
  try {
    await migrate(database);
    const db = database.db;
    let program: Program;
    if (reuse) {
      const id = (await sql<{ id: string }>`SELECT id FROM programs WHERE name = 'Insight bench'`.execute(db)).rows[0]!.id;
      program = (await getProgram(db, id))!;
      console.log(`Timing on the kept database ${name}.`);
    } else {
      program = await generate(database);
    }
    if (keep) console.log(`The database ${name} is kept (drop it with: psql ${adminUrl} -c 'DROP DATABASE ${name}').`);
    const results: Timing[] = [];
    if (process.env.BENCH_INSIGHT_SKIP_REFRESH !== '1') {
      results.push(await timed('summary refresh (the job, full rebuild)', async () => {
        const r = await refreshInsight(db, program, NOW, { force: true });
        return `${r.accountDays.toLocaleString('en')} account-days`;
      }, Number(process.env.BENCH_INSIGHT_REFRESH_RUNS ?? 2)));
    }
    await sql`ANALYZE`.execute(db);
    // Sample accounts: the biggest buyer, a middling one (the median by purchases) and one that never bought.
    const byPurchases = (await sql<{ account_id: string; n: string }>`
      SELECT account_id, sum(purchases) AS n FROM insight_account_days WHERE program_id = ${program.id} GROUP BY account_id ORDER BY 2 DESC, 1`.execute(db)).rows;
    const big = byPurchases[0]!.account_id;
    const middling = byPurchases[Math.floor(byPurchases.length / 2)]!.account_id;
    const loyal = (await sql<{ account_id: string }>`
      SELECT account_id FROM insight_account_clusters WHERE program_id = ${program.id} AND loyal ORDER BY value DESC, account_id LIMIT 1`.execute(db)).rows[0]?.account_id ?? big;
    const ordinary = (await sql<{ account_id: string }>`
      SELECT account_id FROM insight_account_clusters WHERE program_id = ${program.id} AND NOT loyal ORDER BY account_id LIMIT 1`.execute(db)).rows[0]?.account_id ?? middling;
    const kpi = (period: 'day' | 'week' | 'month' | 'quarter' | 'year', segmentBy: 'none' | 'segment' | 'tier' | 'country' | 'role', from: string, to: string) =>
      timed(`GET /v1/insight/kpis period=${period} segmentBy=${segmentBy} ${from}…${to}`, async () => {
        const r = await kpiReport(db, program, { from, to, period, segmentBy });
        return `${r.rows.length} rows`;
      });
    results.push(await kpi('month', 'none', '2025-01-01', '2026-11-30'));
    results.push(await kpi('day', 'none', '2025-12-01', '2026-11-30'));
    results.push(await kpi('week', 'none', '2025-01-01', '2026-11-30'));
    results.push(await kpi('quarter', 'none', '2025-01-01', '2026-11-30'));
    results.push(await kpi('year', 'none', '2025-01-01', '2026-12-31'));
    results.push(await kpi('month', 'segment', '2025-01-01', '2026-11-30'));
    results.push(await kpi('month', 'country', '2025-01-01', '2026-11-30'));
    results.push(await kpi('month', 'tier', '2025-01-01', '2026-11-30'));
    results.push(await kpi('month', 'role', '2025-01-01', '2026-11-30'));
    results.push(await timed('GET /v1/insight/cohorts', async () => `${(await cohortReport(db, program)).cohorts.length} cohorts`));
    results.push(await timed('GET /v1/insight/participation (live, 90 days)', async () => `${(await participation(db, program, NOW)).accounts.active} active accounts`));
    results.push(await timed('GET /v1/reports/overview (existing, 30 days by day)', async () => {
      const o = await programOverview(db, program, { from: '2026-11-01', to: '2026-11-30', interval: 'day', language: 'en' });
      return `${o.series.length} days`;
    }));
    results.push(await timed('GET /v1/reports/overview (existing, 12 months by month)', async () => {
      const o = await programOverview(db, program, { from: '2025-12-01', to: '2026-11-30', interval: 'month', language: 'en' });
      return `${o.series.length} months`;
    }));
    const roiInput = { windowMonths: 6, marginRates: new Map([['high', 0.35], ['standard', 0.22], ['low', 0.1]]), defaultMargin: 0.2, fulfilmentPerOrder: 4500 };
    results.push(await timed('GET /v1/insight/roi (whole history, K = 6)', async () => {
      const r = await roiReport(db, program, roiInput);
      return `${r.membersCompared.toLocaleString('en')} members compared`;
    }));
    for (const [label, id] of [['a loyal account', loyal], ['an account that is not loyal', ordinary]] as const) {
      results.push(await timed(`GET /v1/accounts/{id}/potential (${label})`, async () => {
        const r = await accountPotential(db, program, id);
        return `${r.lines.length} lines, ${r.cluster?.loyalPeers ?? 0} peers`;
      }));
    }
    for (const [label, id] of [['the biggest buyer', big], ['a median buyer', middling]] as const) {
      results.push(await timed(`GET /v1/accounts/{id}/recommendations (${label}; the portal's too)`, async () => `${(await recommendationsFor(db, program.id, id, 10)).length} products`));
      results.push(await timed(`GET /v1/accounts/{id}/clv (${label})`, async () => {
        const r = await accountClv(db, program, id);
        return r.predictedClv === null ? `no figure (${r.unavailable ?? 'no history'})` : `${r.predictedClv.toLocaleString('en')} minor units`;
      }));
    }
    // Streams: the time to the first row (what the reader waits for before the download starts) and to the end.
    const streamed = async (what: string, open: () => NodeJS.ReadableStream) => {
      let first = 0;
      let bytes = 0;
      const t0 = performance.now();
      await pipeline(open(), new Writable({
        write: (c: Buffer, _e, cb) => {
          if (first === 0 && bytes + c.length > 0) first = performance.now() - t0;
          bytes += c.length;
          cb();
        },
      }));
      const all = (performance.now() - t0) / 1000;
      results.push({ what: `${what}: first bytes`, rows: `${(bytes / 1e6).toFixed(1)} MB`, best: first / 1000, worst: first / 1000 });
      results.push({ what: `${what}: whole file`, rows: `${(bytes / 1e6).toFixed(1)} MB`, best: all, worst: all });
    };
    const now = NOW;
    await streamed('GET /v1/exports/kpis (CSV, months × country)', () =>
      exportCsv(db, program, 'kpis', { language: 'sv', from: '2025-01-01', to: '2026-11-30', period: 'month', segmentBy: 'country', now }));
    await streamed('GET /v1/exports/cohorts (CSV)', () => exportCsv(db, program, 'cohorts', { language: 'sv', now }));
    await streamed(`GET /v1/exports/accounts (CSV, ${ACCOUNTS.toLocaleString('en')} rows)`, () => exportCsv(db, program, 'accounts', { language: 'en', now }));
    await streamed(`GET /v1/exports/members (CSV, ${MEMBERS.toLocaleString('en')} rows)`, () => exportCsv(db, program, 'members', { language: 'en', now }));
    if (process.env.BENCH_INSIGHT_LEDGER === '1') {
      await streamed('GET /v1/exports/ledger-entries (CSV)', () => exportCsv(db, program, 'ledger-entries', { language: 'en', now }));
    }

    console.log(`Insight KPIs on PostgreSQL: ${ACCOUNTS.toLocaleString('en')} accounts, ${MEMBERS.toLocaleString('en')} members, ${INVOICES.toLocaleString('en')} purchase invoices ` +
      `(${(INVOICES * 3).toLocaleString('en')} lines), ${RETURNS.toLocaleString('en')} returns\n`);
    console.log('| query | answer | best s | worst s |');
    console.log('|---|---|---:|---:|');
    for (const r of results) console.log(`| ${r.what} | ${r.rows} | ${r.best.toFixed(3)} | ${r.worst.toFixed(3)} |`);
  } finally {
    await database.close();
    if (!keep) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await client.end().catch(() => {});
  }
}

if (process.argv[1]?.endsWith('insight.ts')) await benchInsight();
