/**
 * `npm run bench -- --scale` (issue 12, item 7): a program the size of a large dealer network — by default
 * 1,000,000 members, 100,000 accounts and 100,000,000 ledger entries over two years — generated in the database
 * with set-returning SQL through the real tables (journals, lots, entries, wallets, tier status), next to the
 * ordinary bench program (500 accounts, no history) in the same database. On both, over HTTP against one Lojal
 * server process: single-event earns and balance reads (p50, p99, req/s). Then, on the big program: the nightly
 * tier job and the expiry job, timed, and `EXPLAIN` of every statement the earn, the balance read and the two
 * jobs sent, with the tables each one reads without an index. Prints tables; asserts nothing.
 *
 *   npm run bench -- --scale
 *   BENCH_SCALE_MEMBERS=1000000 BENCH_SCALE_ACCOUNTS=100000 BENCH_SCALE_ENTRIES=100000000   (the defaults)
 *   BENCH_SCALE_REQUESTS=4000          requests per HTTP run
 *   BENCH_SCALE_KEEP=1                 keep the database (its name is printed) instead of dropping it
 *   BENCH_PG_URL=postgres://…/postgres (admin URL of the server; default the local one)
 *
 * The full size needs about 40 GB of disk and the better part of an hour on two cores; smaller sizes answer
 * the same questions about plans and growth sooner. The load drops the non-unique indexes of journals, lots and
 * entries and builds them again at the end (with maintenance_work_mem at 1 GB for this database), and two loaders on
 * connections of their own write the earnings' chunks.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { runLedgerJobs } from '../src/jobs/ledger-jobs.js';
import { createApiKey } from '../src/programs/api-keys.js';
import { systemWalletId, type Program } from '../src/programs/programs.js';
import { evaluateTiers } from '../src/tiers/job.js';
import { replaceTierConfig, tierConfigSchema } from '../src/tiers/store.js';
import { load, type Run } from './balance.js';
import { drive, start, stop } from './http-earn.js';
import { setup } from './run.js';

const MEMBERS = Number(process.env.BENCH_SCALE_MEMBERS ?? 1_000_000);
const ACCOUNTS = Number(process.env.BENCH_SCALE_ACCOUNTS ?? 100_000);
const ENTRIES = Number(process.env.BENCH_SCALE_ENTRIES ?? 100_000_000);
const REQUESTS = Number(process.env.BENCH_SCALE_REQUESTS ?? 4_000);
/** Earnings per generating statement: each writes a journal, a lot and two entries per earning. */
const CHUNK = 1_000_000;
const DAY = 86_400_000;
const here = path.dirname(fileURLToPath(import.meta.url));

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const count = (n: number) => n.toLocaleString('en');

async function tierLadder(database: Database, programId: string): Promise<void> {
  const names = (en: string) => ({ en, sv: en, nb: en, pl: en, de: en });
  await replaceTierConfig(database.db, programId, tierConfigSchema.parse({
    settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both' },
    levels: [
      { code: 'silver', rank: 1, names: names('Silver'), threshold: 500 },
      { code: 'gold', rank: 2, names: names('Gold'), threshold: 2_000 },
    ],
  }));
}

/**
 * The big program's people and history. Earnings go two in three to a member's wallet and one in three to an
 * account's, spread evenly over the two years before `now`; each is an `earn` journal with its lot (valid for
 * 730 days, so the oldest day's lots fall due the next night) and its two entries. The wallets' kept figures are
 * then set from the entries, as the ledger writer would have kept them, and every owner gets last night's tier.
 */
async function generate(database: Database, program: Program, now: Date): Promise<void> {
  const db = database.db;
  const pid = program.id;
  const issuance = systemWalletId(pid, 'issuance');
  const earnings = Math.round(ENTRIES / 2);
  const step = async (what: string, q: ReturnType<typeof sql>) => {
    const t0 = performance.now();
    await q.execute(db);
    console.log(`  ${what}: ${seconds(t0).toFixed(1)} s`);
  };
  await sql`CREATE OR REPLACE FUNCTION bench_uuid(t text) RETURNS uuid IMMUTABLE LANGUAGE sql AS
    $$ SELECT (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid $$`.execute(db);
  // Journal and lot ids ordered by time, as uuid v7 are: the indexes fill at their right edge, not at random.
  await sql`CREATE OR REPLACE FUNCTION bench_uuid7(ms bigint, n bigint, tag int) RETURNS uuid IMMUTABLE LANGUAGE sql AS
    $$ SELECT (lpad(to_hex(ms), 12, '0') || '7' || lpad(to_hex(tag), 3, '0') || '8' || lpad(to_hex(n), 15, '0'))::uuid $$`.execute(db);
  const t0 = performance.now();
  console.log(`Generating ${count(ACCOUNTS)} accounts, ${count(MEMBERS)} members and ${count(earnings)} earnings (${count(earnings * 2)} entries)…`);
  // The ordinary setup made accounts A-0 … A-499; the rest follow.
  await step('accounts and their wallets', sql`
    WITH a AS (
      INSERT INTO accounts (program_id, id, external_id, name, country, segment, tags, attributes)
      SELECT ${pid}::uuid, bench_uuid(${pid} || ':a:' || i), 'A-' || i, 'Account ' || i,
             (ARRAY['SE','NO','DK','FI','DE','PL'])[1 + i % 6], (ARRAY['retail','industry','public','wholesale'])[1 + i % 4], '{}', '{}'
      FROM generate_series(500, ${ACCOUNTS - 1}::int) i RETURNING id)
    INSERT INTO wallets (program_id, id, kind) SELECT ${pid}::uuid, id, 'account' FROM a`);
  await step('members and their wallets', sql`
    WITH m AS (
      INSERT INTO members (program_id, id, account_id, external_id, name, role, tags, attributes)
      SELECT ${pid}::uuid, bench_uuid(${pid} || ':m:' || i), a.id, 'M-' || i, 'Member ' || i, (ARRAY['buyer','manager','installer'])[1 + i % 3], '{}', '{}'
      FROM generate_series(0, ${MEMBERS - 1}::int) i
      JOIN accounts a ON a.program_id = ${pid} AND a.external_id = 'A-' || (i % ${ACCOUNTS}::int)
      RETURNING id)
    INSERT INTO wallets (program_id, id, kind) SELECT ${pid}::uuid, id, 'member' FROM m`);
  await sql`ANALYZE accounts, members, wallets`.execute(db);
  // A table of the database (not of one session): both loaders below read it.
  const wallets = sql`CREATE UNLOGGED TABLE bench_wallets AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM wallets WHERE program_id = ${pid} AND kind IN ('account', 'member')`;
  await step('numbered wallets', wallets);
  await sql`CREATE UNIQUE INDEX ON bench_wallets (n)`.execute(db);
  const walletCount = ACCOUNTS + MEMBERS;
  // The indexes that take each earning's rows at a random place (by wallet) are built once at the end instead of
  // row by row: past shared_buffers every insertion there touches another page, and after each checkpoint writes it
  // whole to the WAL, which is what slowed the load as it grew. Keys and unique indexes stay, so the rows are checked
  // as any write's are; the indexes are made again from their own definitions.
  const rebuilt = (await sql<{ name: string; definition: string }>`
    SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
    JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
    WHERE i.schemaname = current_schema() AND i.tablename IN ('journals', 'lots', 'entries') AND NOT x.indisunique
    ORDER BY i.indexname`.execute(db)).rows;
  for (const index of rebuilt) await sql`DROP INDEX ${sql.id(index.name)}`.execute(db);
  const start = now.getTime() - 730 * DAY;
  const spacing = (730 * DAY) / earnings;
  // Two loaders, each on a connection of its own (its chunk is a temporary table of that session), take the next
  // chunk in turn: one statement at a time would use one core of the server.
  const chunks = Array.from({ length: Math.ceil(earnings / CHUNK) }, (_, k) => k * CHUNK);
  let next = 0;
  const load = (conn: typeof db) => async () => {
    for (let k = next++; k < chunks.length; k = next++) {
      const from = chunks[k]!;
      const to = Math.min(earnings, from + CHUNK) - 1;
      const t = performance.now();
      // Earning i: at start + i × spacing, to wallet (i × 7919) mod wallets, 50–199 points.
      await sql`CREATE TEMP TABLE bench_chunk AS
        SELECT i, bench_uuid7(ms, i, 1) AS journal_id, bench_uuid7(ms, i, 2) AS lot_id, w.id AS wallet_id,
               to_timestamp(ms / 1000.0) AS at, 50 + (i * 31) % 150 AS points
        FROM (SELECT i, (${start}::bigint + (i * ${spacing}::float8)::bigint) AS ms FROM generate_series(${from}::bigint, ${to}::bigint) i) g
        JOIN bench_wallets w ON w.n = (i * 7919) % ${walletCount}::bigint`.execute(conn);
      await sql`INSERT INTO journals (program_id, id, idempotency_key, kind, explanation, occurred_at)
        SELECT ${pid}::uuid, journal_id, 'bench:' || i, 'earn', '{"key":"ledger:explain.adjust","params":{"reason":"bench"}}'::jsonb, at FROM bench_chunk`.execute(conn);
      await sql`INSERT INTO lots (program_id, id, wallet_id, journal_id, status, earned_at, available_at, expires_at, original, remaining)
        SELECT ${pid}::uuid, lot_id, wallet_id, journal_id, 'available', at, at, at + interval '730 days', points, points FROM bench_chunk`.execute(conn);
      await sql`INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount, lot_id)
        SELECT ${pid}::uuid, journal_id, s, CASE WHEN s = 0 THEN ${issuance}::uuid ELSE wallet_id END, 'available',
               CASE WHEN s = 0 THEN -points ELSE points END, CASE WHEN s = 0 THEN NULL ELSE lot_id END
        FROM bench_chunk, generate_series(0, 1) s`.execute(conn);
      await sql`DROP TABLE bench_chunk`.execute(conn);
      console.log(`  earnings ${count(from)}–${count(to)}: ${seconds(t).toFixed(1)} s`);
      // The planner needs to know the tables grew while they grow (see refreshIngestStatistics).
      if (from === 0) await sql`ANALYZE journals, lots, entries`.execute(conn);
    }
  };
  const tLoad = performance.now();
  await Promise.all([0, 1].map(() => db.connection().execute((conn) => load(conn)())));
  console.log(`  ${count(earnings)} earnings: ${seconds(tLoad).toFixed(1)} s (${count(Math.round(earnings / seconds(tLoad)))} a second)`);
  const tIndexes = performance.now();
  for (const index of rebuilt) await sql.raw(index.definition).execute(db);
  console.log(`  ${rebuilt.length} indexes built again (${rebuilt.map((i) => i.name).join(', ')}): ${seconds(tIndexes).toFixed(1)} s`);
  await step('wallet figures from the entries', sql`
    UPDATE wallets w SET available = h.total, lifetime_earned = greatest(h.total, 0)
    FROM (SELECT wallet_id, sum(amount) AS total FROM entries WHERE program_id = ${pid} GROUP BY wallet_id) h
    WHERE w.program_id = ${pid} AND w.id = h.wallet_id`);
  // The level each owner's last twelve months earn it (the ladder of tierLadder), as last night's job left it.
  await step('last night’s tier of every owner', sql`
    INSERT INTO tier_status (program_id, owner_kind, owner_id, level_code, since, period_end)
    SELECT ${pid}::uuid, w.kind, w.id, CASE WHEN t.total >= 2000 THEN 'gold' ELSE 'silver' END,
           ${now}::timestamptz - interval '200 days', ${now}::timestamptz + interval '165 days'
    FROM (SELECT wallet_id, sum(original) AS total FROM lots
          WHERE program_id = ${pid} AND earned_at >= ${now}::timestamptz - interval '12 months' GROUP BY wallet_id) t
    JOIN wallets w ON w.program_id = ${pid} AND w.id = t.wallet_id AND w.kind IN ('account', 'member')
    WHERE t.total >= 500`);
  await step('statistics (ANALYZE)', sql`ANALYZE`);
  await sql`DROP TABLE bench_wallets`.execute(db);
  console.log(`Generated in ${seconds(t0).toFixed(1)} s.\n`);
}

/** Statements seen while recording, each once with the first parameters it was sent with. */
const seen = new Map<string, unknown[]>();
let recording = false;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (recording) {
    const q = args[0] as string | { text: string; values?: unknown[] };
    const text = typeof q === 'string' ? q : q.text;
    const values = typeof q === 'string' ? (Array.isArray(args[1]) ? args[1] : []) : (q.values ?? []);
    if (/^\s*(select|insert|update|delete|with)\b/i.test(text) && !seen.has(text)) seen.set(text, values);
  }
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const BIG_TABLES = ['accounts', 'members', 'wallets', 'journals', 'entries', 'lots', 'events', 'event_lines', 'tier_status', 'tier_history', 'rule_usage', 'account_categories'];

/** Every recorded statement's plan on the big program: does it reach a large table without an index? */
async function plans(client: pg.Client): Promise<Array<{ statement: string; seqScans: string[]; top: string }>> {
  const out = [];
  for (const [text, values] of seen) {
    try {
      const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${text}`, values);
      const lines = r.rows.map((x) => x['QUERY PLAN']);
      const seqScans = [...new Set(lines.flatMap((l) => [...l.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!)).filter((t) => BIG_TABLES.includes(t)))];
      out.push({ statement: text.replace(/\s+/g, ' ').trim().slice(0, 90), seqScans, top: lines[0]!.trim() });
    } catch (err) {
      out.push({ statement: text.replace(/\s+/g, ' ').trim().slice(0, 90), seqScans: [], top: `(not explained: ${(err as Error).message.slice(0, 60)})` });
    }
  }
  return out;
}

interface HttpResult {
  program: string;
  what: string;
  run: Run;
}

export async function benchScale(adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'): Promise<void> {
  const name = `lojal_bench_scale_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  admin.on('error', () => {});
  try {
    await admin.connect();
  } catch (err) {
    console.log(`Scale bench skipped (no PostgreSQL): ${(err as Error).message}`);
    return;
  }
  await admin.query(`CREATE DATABASE ${name}`);
  // Building the large indexes at the end of the load sorts in memory what fits (the server's default is 64 MB).
  await admin.query(`ALTER DATABASE ${name} SET maintenance_work_mem = '1GB'`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const now = new Date();
  const http: HttpResult[] = [];
  const jobs: Array<{ what: string; seconds: number; result: string }> = [];
  let explained: Awaited<ReturnType<typeof plans>> = [];
  const t0 = performance.now();
  try {
    const database = await openPostgres(dbUrl, 4);
    await migrate(database);
    const small = await setup(database);
    const big = await setup(database);
    await tierLadder(database, small.id);
    await tierLadder(database, big.id);
    await generate(database, big, now);
    const keys = { small: (await createApiKey(database.db, small.id, { name: 'bench', scopes: ['admin'] })).key, big: (await createApiKey(database.db, big.id, { name: 'bench', scopes: ['admin'] })).key };
    const accountIds = async (programId: string) =>
      (await database.db.selectFrom('accounts').select('id').where('program_id', '=', programId).where('external_id', 'in', Array.from({ length: 500 }, (_, i) => `A-${i}`)).execute()).map((r) => r.id);
    const walletsOf = { small: await accountIds(small.id), big: await accountIds(big.id) };

    // The statements of one earn and one balance read on the big program, for their plans.
    const { buildApp } = await import('../src/app.js');
    const { loadConfig } = await import('../src/config/index.js');
    const app = await buildApp(database, loadConfig({ LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', DATABASE_URL: dbUrl }));
    const earn = (id: string) => app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${keys.big}` },
      payload: { id, type: 'purchase', occurredAt: now.toISOString(), account: 'A-7', lines: [{ sku: 'SKU-1', quantity: 2, amount: 60_000 }, { sku: 'SKU-2', quantity: 1, amount: 9_000 }] } });
    await earn('trace-warm');
    recording = true;
    await earn('trace');
    await app.inject({ method: 'GET', url: `/v1/accounts/${walletsOf.big[7]}/balance`, headers: { authorization: `Bearer ${keys.big}` } });
    recording = false;
    await app.close();

    // HTTP: one server process, the small program then the big one, the same requests.
    const env = { ...process.env, DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', LOJAL_DB_POOL_SIZE: '10' };
    const server = await start(process.execPath, [path.join(here, '..', 'bin', 'lojal.js'), 'serve'], env, /Lojal is running at http:\/\/127\.0\.0\.1:(\d+)/);
    try {
      const port = Number(server.match[1]);
      for (const which of ['small', 'big'] as const) {
        const label = which === 'small' ? 'small: 500 accounts, no history' : `big: ${count(ACCOUNTS)} accounts, ${count(MEMBERS)} members, ${count(ENTRIES)} entries`;
        await drive([port], keys[which], `${which}-warm`, 500);
        const e = await drive([port], keys[which], which, REQUESTS);
        http.push({ program: label, what: 'POST /v1/events, one purchase', run: e });
        const paths = walletsOf[which].map((w) => `/v1/accounts/${w}/balance`);
        const headers = { authorization: `Bearer ${keys[which]}` };
        await load(port, paths, 1_000, headers);
        http.push({ program: label, what: 'GET /v1/accounts/:id/balance', run: await load(port, paths, REQUESTS * 2, headers) });
      }
    } finally {
      await stop(server.child);
    }

    // The nightly jobs, the next night, on the big program.
    const tomorrow = new Date(now.getTime() + DAY);
    recording = true;
    let t = performance.now();
    const tiers = await evaluateTiers(database.db, big.id, tomorrow);
    jobs.push({ what: 'tier job (every owner with activity or a status)', seconds: seconds(t), result: `${count(tiers.evaluated)} evaluated, ${count(tiers.upgrades)} up, ${count(tiers.downgrades)} down` });
    t = performance.now();
    const expiry = await runLedgerJobs(database.db, tomorrow);
    jobs.push({ what: 'ledger job (release and expiry)', seconds: seconds(t), result: `${count(expiry.pointsExpired)} points expired, ${count(expiry.lotsReleased)} lots released` });
    recording = false;
    await database.close();
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      explained = await plans(client);
    } finally {
      await client.end();
    }
  } finally {
    if (process.env.BENCH_SCALE_KEEP) console.log(`Kept database ${name}.`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end().catch(() => {});
  }

  console.log(`\nScale: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} (1, 5, 15 min), ${seconds(t0).toFixed(0)} s in all\n`);
  console.log('| program | request | requests | req/s | p50 ms | p99 ms | p99 against the small program |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of http) {
    const base = http.find((x) => x.what === r.what)!.run;
    console.log(`| ${r.program} | ${r.what} | ${count(r.run.requests)} | ${count(Math.round(r.run.requests / r.run.seconds))} | ${r.run.p50.toFixed(1)} | ${r.run.p99.toFixed(1)} | ${((r.run.p99 / base.p99) * 100).toFixed(0)} % |`);
  }
  console.log('\n| nightly job on the big program | seconds | result |');
  console.log('|---|---:|---|');
  for (const j of jobs) console.log(`| ${j.what} | ${j.seconds.toFixed(1)} | ${j.result} |`);
  const bad = explained.filter((p) => p.seqScans.length);
  console.log(`\nPlans of the ${explained.length} statements the earn, the balance read and the jobs sent: ${bad.length} read a large table without an index.\n`);
  console.log('| statement | sequential scans of large tables | plan |');
  console.log('|---|---|---|');
  for (const p of explained) console.log(`| ${p.statement.replace(/\|/g, '\\|')} | ${p.seqScans.join(', ') || 'none'} | ${p.top.replace(/\|/g, '\\|')} |`);
}

if (process.argv[1]?.endsWith('scale.ts')) await benchScale();
