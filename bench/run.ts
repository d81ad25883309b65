/**
 * `npm run bench`: events per second through the full path (validation, references, rules engine,
 * ledger postings, stored results), for batched purchase events with three lines each, on the embedded
 * database and on a PostgreSQL server — next to the ceiling, a plain multi-row insert of the same rows
 * into a bare table, measured in the same run. Prints a table; asserts nothing.
 *
 *   BENCH_EVENTS=20000 npm run bench      (default 20,000 events per run)
 *   npm run bench -- --quick              (under a minute: 3,000 events, ingest and returns only; what CI prints)
 *   npm run bench -- --scale              (instead: a program of 1,000,000 members and 100,000,000 entries; bench/scale.ts)
 *   BENCH_PG_URL=postgres://…/postgres    (admin URL of the server; default the local one)
 */
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { openMemory, openPostgres, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { batchLanesOn, ingestEvents } from '../src/events/ingest.js';
import { createProgram, type Program } from '../src/programs/programs.js';
import { createRule } from '../src/rules/store.js';
import { benchOrders, quantile, type OrderRow } from './rewards.js';
import { benchBalance, type BalanceRow } from './balance.js';
import { benchInsight } from './insight.js';
import { benchHttpEarn, printHttpRows, type HttpRow } from './http-earn.js';
import { benchSegments } from './segments.js';
import { verdicts, verdictTable, type RunFigures } from './targets.js';

/** `--quick`: the ingest table alone, small enough for CI to print on every change (ratios, never asserted). */
const QUICK = process.argv.includes('--quick');
const EVENTS = Number(process.env.BENCH_EVENTS ?? (QUICK ? 3_000 : 20_000));
const BATCH = 1000;
const ACCOUNTS = 500;
const SKUS = 60;

interface Row {
  db: string;
  writers: number;
  /** Transactions each batch is written in at once (IngestOptions.lanes). */
  lanes: number;
  what: string;
  events: number;
  seconds: number;
}

export async function setup(database: Database): Promise<Program> {
  if (database.kind !== "postgres" || !(database as any).skipMigrate) await migrate(database);
  const program = await createProgram(database.db, { name: 'Bench', currency: 'SEK', timeZone: 'Europe/Stockholm' });
  const db = database.db;
  const cats = Array.from({ length: 12 }, (_, i) => `cat-${i}`);
  await db.insertInto('categories').values(cats.map((code) => ({ program_id: program.id, code, name: code })) as never).execute();
  await db
    .insertInto('products')
    .values(Array.from({ length: SKUS }, (_, i) => ({ program_id: program.id, sku: `SKU-${i}`, name: `Product ${i}`, category_code: cats[i % 12], margin_class: ['high', 'standard', 'low'][i % 3], attributes: '{}' })) as never)
    .execute();
  const ids = Array.from({ length: ACCOUNTS }, () => uuidv7());
  await db.insertInto('accounts').values(ids.map((id, i) => ({ program_id: program.id, id, external_id: `A-${i}`, name: `Account ${i}`, tags: [], attributes: '{}' })) as never).execute();
  await db.insertInto('wallets').values(ids.map((id) => ({ program_id: program.id, id, kind: 'account' as const }))).execute();
  const since = '2020-01-01T00:00:00Z';
  await createRule(db, program.id, { name: 'Points per SEK', effectiveFrom: since, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'account' } } }, new Date());
  await createRule(db, program.id, { name: 'High margin', effectiveFrom: since, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'upsell', points: 5, per: 10000 }, recipient: { type: 'account' } } }, new Date());
  await createRule(db, program.id, { name: 'Cross-sell', effectiveFrom: since, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'crossSell', points: 200 }, recipient: { type: 'account' } } }, new Date());
  await createRule(db, program.id, {
    name: 'Big order bonus, max 500 a month',
    effectiveFrom: since,
    definition: { conditions: { eventTypes: ['purchase'], minAmount: 50000 }, effect: { type: 'fixed', points: 100 }, recipient: { type: 'account' }, caps: [{ scope: 'account', period: 'month', maxPoints: 500 }] },
  }, new Date());
  return program;
}

export function makeEvents(prefix: string, n: number) {
  const start = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    type: 'purchase',
    occurredAt: new Date(start + i * 60_000).toISOString(),
    account: `A-${(i * 7919) % ACCOUNTS}`,
    lines: [0, 1, 2].map((k) => ({ sku: `SKU-${(i * 31 + k * 17) % SKUS}`, quantity: 1 + ((i + k) % 5), amount: 1000 + ((i * 97 + k * 13) % 90000) })),
  }));
}

export async function ingestAll(database: Database, program: Program, events: readonly object[], lanes = 1): Promise<void> {
  for (let i = 0; i < events.length; i += BATCH) {
    const items = await ingestEvents(database.db, program, events.slice(i, i + BATCH), { now: new Date('2030-01-01'), futureToleranceSeconds: 0, lanes });
    const bad = items.find((x) => x.status !== 'processed');
    if (bad) throw new Error(`bench event not processed: ${JSON.stringify(bad)}`);
  }
}

/** The ceiling: the same events and lines as rows of a bare table, one multi-row insert per batch. */
async function ceiling(database: Database, events: ReturnType<typeof makeEvents>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS bench_bare (id text, occurred_at timestamptz, account text, lines jsonb)`.execute(database.db);
  for (let i = 0; i < events.length; i += BATCH) {
    const b = events.slice(i, i + BATCH);
    await database.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO bench_bare SELECT * FROM unnest(${b.map((e) => e.id)}::text[], ${b.map((e) => e.occurredAt)}::timestamptz[],
        ${b.map((e) => e.account)}::text[], ${b.map((e) => JSON.stringify(e.lines))}::jsonb[])`.execute(trx);
    });
  }
}

/**
 * A second, wider reference: the rows Lojal itself writes per batch (events, lines, one journal, five
 * entries and one lot per event — the four rules' credits share the event's lot in the account's wallet —
 * shaped like the real ones) as plain multi-row inserts into tables with no keys, indexes or constraints.
 * The gap to it is what keys, constraints, locks, reads and the rules cost.
 */
async function ledgerShapedRows(database: Database, events: ReturnType<typeof makeEvents>): Promise<void> {
  const db = database.db;
  await sql`CREATE TABLE IF NOT EXISTS bare_events (id uuid, external_id text, occurred_at timestamptz, account uuid, amount bigint, attributes jsonb, hash text)`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS bare_lines (event uuid, n int, account uuid, at timestamptz, sku text, category text, margin text, quantity int, amount bigint)`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS bare_journals (id uuid, key text, kind text, event uuid, explanation jsonb, at timestamptz)`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS bare_entries (journal uuid, seq int, wallet uuid, bucket text, amount bigint, lot uuid, rule uuid, explanation json)`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS bare_lots (id uuid, wallet uuid, journal uuid, status text, earned timestamptz, available timestamptz, expires timestamptz, original bigint, remaining bigint)`.execute(db);
  const explanation = JSON.stringify({ key: 'explain.perAmount', params: { rule: 'Points per SEK', rate: 1, per: 1000, amount: 123456, points: 123, count: 123 } });
  for (let i = 0; i < events.length; i += BATCH) {
    const b = events.slice(i, i + BATCH);
    const ids = b.map(() => uuidv7());
    const at = b.map((e) => e.occurredAt);
    const acc = b.map(() => uuidv7());
    const four = (f: (k: number, j: number) => unknown) => b.flatMap((_, j) => [0, 1, 2, 3].map((k) => f(k, j)));
    const lotOf = ids.map(() => uuidv7());
    await database.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO bare_events SELECT * FROM unnest(${ids}::uuid[], ${b.map((e) => e.id)}::text[], ${at}::timestamptz[], ${acc}::uuid[],
        ${b.map(() => 1000)}::bigint[], ${b.map(() => '{}')}::jsonb[], ${b.map((e) => e.id.padEnd(64, '0'))}::text[])`.execute(trx);
      const l = b.flatMap((e, j) => e.lines.map((x, n) => ({ j, n, x })));
      await sql`INSERT INTO bare_lines SELECT * FROM unnest(${l.map((r) => ids[r.j])}::uuid[], ${l.map((r) => r.n)}::int[], ${l.map((r) => acc[r.j])}::uuid[],
        ${l.map((r) => at[r.j])}::timestamptz[], ${l.map((r) => r.x.sku)}::text[], ${l.map(() => 'cat-1')}::text[], ${l.map(() => 'high')}::text[],
        ${l.map((r) => r.x.quantity)}::int[], ${l.map((r) => r.x.amount)}::bigint[])`.execute(trx);
      await sql`INSERT INTO bare_journals SELECT * FROM unnest(${ids}::uuid[], ${ids.map((x) => `earn:${x}`)}::text[], ${ids.map(() => 'earn')}::text[],
        ${ids}::uuid[], ${ids.map(() => '{"key":"ledger:explain.earn","params":{"event":"x"}}')}::jsonb[], ${at}::timestamptz[])`.execute(trx);
      await sql`INSERT INTO bare_entries SELECT * FROM unnest(${[...four((_, j) => ids[j]), ...ids]}::uuid[], ${[...four((k) => k + 1), ...ids.map(() => 0)]}::int[],
        ${[...four((_, j) => acc[j]), ...ids.map(() => acc[0])]}::uuid[], ${[...four(() => 'available'), ...ids.map(() => 'available')]}::text[],
        ${[...four(() => 100), ...ids.map(() => -400)]}::bigint[], ${[...four((_, j) => lotOf[j]), ...ids.map(() => null)]}::uuid[],
        ${[...four(() => acc[0]), ...ids.map(() => null)]}::uuid[], ${[...four(() => explanation), ...ids.map(() => null)]}::json[])`.execute(trx);
      await sql`INSERT INTO bare_lots SELECT * FROM unnest(${lotOf}::uuid[], ${acc}::uuid[], ${ids}::uuid[],
        ${ids.map(() => 'available')}::text[], ${at}::timestamptz[], ${at}::timestamptz[], ${ids.map(() => null)}::timestamptz[],
        ${ids.map(() => 400)}::bigint[], ${ids.map(() => 400)}::bigint[])`.execute(trx);
    });
  }
}

/**
 * Returns of what `makeEvents(prefix, n)` bought: every fourth purchase gives back one unit of its first line,
 * by SKU without naming the purchase (matched to the account's latest purchases), in batches like the purchases.
 */
export function makeReturns(prefix: string, n: number) {
  return makeEvents(prefix, n)
    .filter((_, i) => i % 4 === 0)
    .map((e) => ({
      id: `${e.id}-R`,
      type: 'return',
      occurredAt: new Date(Date.parse(e.occurredAt) + 30_000).toISOString(),
      account: e.account,
      lines: [{ sku: e.lines[0]!.sku, quantity: 1 }],
    }));
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const orderRows: OrderRow[] = [];

async function benchDatabase(name: string, open: () => Promise<Database>, writerCounts: number[]): Promise<Row[]> {
  const database = await open();
  const rows: Row[] = [];
  try {
    const program = await setup(database);
    // Warm-up: JIT, plan caches, first pages. Then the statistics, as autovacuum or the server's own statistics job
    // (src/db/statistics.ts) would keep them: plans made for the empty tables (the foreign-key checks' above all, which a
    // connection keeps) would otherwise read a growing table to find one row.
    await ingestAll(database, program, makeEvents('warm', 1000));
    await sql`ANALYZE`.execute(database.db);
    rows.push({ db: name, writers: 1, lanes: 1, what: 'ceiling: bare multi-row insert', events: EVENTS, seconds: await time(() => ceiling(database, makeEvents('c', EVENTS))) });
    rows.push({ db: name, writers: 1, lanes: 1, what: 'reference: the ledger rows, bare', events: EVENTS, seconds: await time(() => ledgerShapedRows(database, makeEvents('r', EVENTS))) });
    // What the server does with a batch (LOJAL_BATCH_LANES, 2, on a server; one transaction on the embedded
    // database), and on a server one lane next to it.
    const serverLanes = batchLanesOn(database, 2);
    for (const writers of writerCounts) {
      for (const lanes of writers === 1 && serverLanes > 1 ? [1, serverLanes] : [serverLanes]) {
        const per = Math.floor(EVENTS / writers);
        const seconds = await time(() => Promise.all(Array.from({ length: writers }, (_, w) => ingestAll(database, program, makeEvents(`w${writers}-${lanes}-${w}`, per), lanes))).then(() => {}));
        rows.push({ db: name, writers, lanes, what: 'Lojal: rules + ledger', events: per * writers, seconds });
      }
    }
    // Returns of the single writer's purchases, matched by SKU, on statistics that know the purchases (the tables grew
    // twentyfold since the warm-up; autovacuum or the server's statistics job would have analyzed them meanwhile).
    await sql`ANALYZE`.execute(database.db);
    const returns = makeReturns(`w1-${serverLanes}-0`, EVENTS);
    rows.push({ db: name, writers: 1, lanes: serverLanes, what: 'Lojal: returns by SKU (one in four)', events: returns.length, seconds: await time(() => ingestAll(database, program, returns, serverLanes)) });
    if (QUICK) return rows;
    // The shop: one client on the single-session embedded database, eight on a server.
    orderRows.push(...(await benchOrders(name, database, program, database.kind === 'postgres' ? 8 : 1)));
  } finally {
    await database.close();
  }
  return rows;
}

async function main() {
  const started = performance.now();
  const rows: Row[] = [];
  rows.push(...(await benchDatabase('PGlite (embedded)', () => openMemory(), [1])));
  const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `lojal_bench_${process.pid}`;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  // Stopped from outside (CI cuts `--quick` off at 60 s): drop the bench database rather than leave it behind.
  process.once('SIGTERM', () => {
    console.log('bench stopped: dropping its database');
    void client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {}).finally(() => process.exit(143));
  });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    rows.push(...(await benchDatabase('PostgreSQL', () => openPostgres(url.toString(), 8), QUICK ? [1] : [1, 2])));
  } catch (err) {
    console.log(`PostgreSQL skipped: ${(err as Error).message}`);
  } finally {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await client.end().catch(() => {});
  }

  const rateOf = (db: string, prefix: string) => {
    const r = rows.find((x) => x.db === db && x.what.startsWith(prefix))!;
    return r.events / r.seconds;
  };
  console.log(`\n${EVENTS.toLocaleString('en')} purchase events, 3 lines each, batches of ${BATCH}, ${ACCOUNTS} accounts, 4 rules\n`);
  console.log('| database | writers | lanes | path | events | seconds | events/s | share of ceiling | share of bare ledger rows |');
  console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const rate = r.events / r.seconds;
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    console.log(
      `| ${r.db} | ${r.writers} | ${r.lanes} | ${r.what} | ${r.events} | ${r.seconds.toFixed(2)} | ${Math.round(rate).toLocaleString('en')} | ` +
        `${pct(rate / rateOf(r.db, 'ceiling'))} | ${pct(rate / rateOf(r.db, 'reference'))} |`,
    );
  }
  const load = os.loadavg().map((x) => x.toFixed(1)).join(', ');
  console.log(`\n${os.cpus().length} cores, load average ${load} (1, 5, 15 min); ${((performance.now() - started) / 1000).toFixed(0)} s so far. Compare within a database: the ceiling ran in the same run.`);
  if (QUICK) return;
  console.log(`\nReward orders: ${orderRows[0]?.orders.toLocaleString('en')} orders by 200 members (10 lots each), spread over a catalogue of 20 rewards and all of one reward, next to plain spends of the same points (each path warmed up first)\n`);
  console.log('| database | clients | path | orders | seconds | orders/s | share of plain spend |');
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const r of orderRows) {
    const spendRow = orderRows.find((x) => x.db === r.db && x.what.startsWith('plain'))!;
    const share = (r.orders / r.seconds) / (spendRow.orders / spendRow.seconds);
    console.log(`| ${r.db} | ${r.clients} | ${r.what} | ${r.orders} | ${r.seconds.toFixed(2)} | ${Math.round(r.orders / r.seconds).toLocaleString('en')} | ${(share * 100).toFixed(1)} % |`);
  }
  const balanceRows = await benchBalance(admin);
  const httpRows = await benchHttpEarn(admin);
  printHttpRows(httpRows);
  await benchSegments(admin);
  await benchInsight(admin);
  console.log(`\n${verdictTable(verdicts(figuresOf(rows, balanceRows, httpRows)), os.cpus().length)}`);
}

/** The run's figures that issue 12's targets speak of (bench/targets.ts). */
function figuresOf(rows: Row[], balanceRows: BalanceRow[], httpRows: HttpRow[]): RunFigures {
  const ingestOf = (db: string) => {
    const ceilingRow = rows.find((r) => r.db === db && r.what.startsWith('ceiling'));
    const best = Math.max(0, ...rows.filter((r) => r.db === db && r.what === 'Lojal: rules + ledger').map((r) => r.events / r.seconds));
    return ceilingRow && best > 0 ? { rate: best, ceilingShare: best / (ceilingRow.events / ceilingRow.seconds) } : undefined;
  };
  const postgres = ingestOf('PostgreSQL');
  const pglite = ingestOf('PGlite (embedded)');
  const spendRow = orderRows.find((r) => r.db === 'PostgreSQL' && r.what.startsWith('plain'));
  const orderRow = orderRows.find((r) => r.db === 'PostgreSQL' && r.what.includes('catalogue'));
  const bare = httpRows.find((r) => r.what.startsWith('bare'));
  return {
    ingest: { ...(postgres && { postgres }), ...(pglite && { pglite }) },
    balance: balanceRows.filter((r) => r.what.startsWith('Lojal')).map((r) => ({ entries: r.entries, rate: r.run.requests / r.run.seconds, p99: r.run.p99 })),
    ...(spendRow && orderRow && {
      orders: {
        clients: spendRow.clients,
        spendRate: spendRow.orders / spendRow.seconds,
        spendP99: quantile(spendRow.latencies, 0.99),
        orderRate: orderRow.orders / orderRow.seconds,
        orderP99: quantile(orderRow.latencies, 0.99),
      },
    }),
    ...(bare && {
      earn: {
        bareRate: bare.requests / bare.seconds,
        // The default pool's rows: a run with BENCH_HTTP_POOLS has a row per pool size too.
        byProcesses: httpRows.filter((r) => !r.what.startsWith('bare') && r.pool === undefined).map((r) => ({ processes: r.processes, rate: r.requests / r.seconds, p99: r.p99 })),
      },
    }),
  };
}

// `--scale`: the large program alone (bench/scale.ts), loaded only then: it watches the driver's statements.
// Not awaited here: scale.ts imports this module, which must finish evaluating first.
if (process.argv[1]?.endsWith('run.ts')) {
  if (process.argv.includes('--scale')) void import('./scale.js').then((m) => m.benchScale());
  else await main();
}
