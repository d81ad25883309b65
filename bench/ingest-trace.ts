/**
 * Where a batch's time goes: ingests the bench's purchase events (3 lines, 4 rules incl. a capped one, batches of
 * 1,000; bench/run.ts) on PGlite and on a PostgreSQL server, with every statement the driver sends timed from send to
 * answer, summed per statement shape. What is left of the batches' wall time is this process's own work (validation,
 * look-ups in memory, the rules engine, building the statements' parameters). Prints tables; asserts nothing.
 *
 *   BENCH_EVENTS=6000 npx tsx bench/ingest-trace.ts      (default 6,000 events after a warm-up of 1,000)
 *   BENCH_TRACE_DB=pglite|postgres                        (one of them only)
 *   BENCH_TRACE_RETURNS=1                                 (traces returns by SKU of a quarter of those purchases instead)
 *   BENCH_LANES=2                                         (transactions per batch, as a server writes them; default 1)
 */
import os from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import pg from 'pg';
import { sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { openMemory, openPostgres, type Database } from '../src/db/database.js';
import { setup, makeEvents, makeReturns, ingestAll } from './run.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 6000);
const only = process.env.BENCH_TRACE_DB;
const LANES = Number(process.env.BENCH_LANES ?? 1);

interface Stat {
  count: number;
  ms: number;
}
const stats = new Map<string, Stat>();
let recording = false;

/** A statement's shape: its text without the parameters' numbers, cut short enough to read in a table. */
function shapeOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const withs = [...flat.matchAll(/(\w+) AS \( ?(INSERT|UPDATE|SELECT|DELETE)/gi)].map((m) => m[1]).join(', ');
  return withs ? `WITH ${withs} …` : flat.slice(0, 90);
}

function timed<T>(text: string, run: () => T): T {
  if (!recording) return run();
  const t0 = performance.now();
  const result = run();
  const done = () => {
    const key = shapeOf(text);
    const s = stats.get(key) ?? { count: 0, ms: 0 };
    s.count++;
    s.ms += performance.now() - t0;
    stats.set(key, s);
  };
  if (result instanceof Promise) result.then(done, done);
  return result;
}

/**
 * BENCH_TRACE_EXPLAIN=1: the last batch's ledger write (the statement that inserts the lines) runs under EXPLAIN
 * ANALYZE, which still writes its rows; the plan, with the foreign-key triggers' times, is printed. Its answer is
 * not read by the caller.
 */
let explainNext = false;
/** The last events insert sent to PostgreSQL, explained afterwards with fresh ids in a transaction rolled back. */
let lastInsert: { text: string; values: unknown[] } | undefined;
const explained: string[] = [];
const explainable = (text: string) => explainNext && /lines AS \(/.test(text);
const printPlan = (rows: Array<Record<string, unknown>>) => explained.push(rows.map((r) => String(Object.values(r)[0])).join('\n'));

const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const q = args[0] as string | { text: string; values?: unknown[] };
  const text = typeof q === 'string' ? q : q.text;
  if (typeof q === 'object' && /^\s*WITH ins AS/.test(text)) lastInsert = { text, values: q.values ?? [] };
  if (typeof q === 'object' && explainable(text)) {
    explainNext = false;
    const run = (pgQuery as (...a: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>).apply(this, [{ text: `EXPLAIN (ANALYZE) ${text}`, values: q.values }]);
    return run.then((r) => (printPlan(r.rows), r));
  }
  return timed(text, () => (pgQuery as (...a: unknown[]) => unknown).apply(this, args));
} as typeof pg.Client.prototype.query;
const liteQuery = PGlite.prototype.query;
PGlite.prototype.query = function (this: PGlite, ...args: unknown[]) {
  const text = String(args[0]);
  if (explainable(text)) {
    explainNext = false;
    const run = (liteQuery as (...a: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>).apply(this, [`EXPLAIN (ANALYZE) ${text}`, ...args.slice(1)]);
    return run.then((r) => (printPlan(r.rows), r));
  }
  return timed(text, () => (liteQuery as (...a: unknown[]) => unknown).apply(this, args));
} as typeof PGlite.prototype.query;

async function trace(name: string, database: Database) {
  try {
    const program = await setup(database);
    await ingestAll(database, program, makeEvents('warm', 1000), LANES);
    // As autovacuum or the server's statistics job would (bench/run.ts says why).
    await sql`ANALYZE`.execute(database.db);
    const traced = process.env.BENCH_TRACE_RETURNS ? makeReturns('t', EVENTS) : makeEvents('t', EVENTS);
    if (process.env.BENCH_TRACE_RETURNS) {
      await ingestAll(database, program, makeEvents('t', EVENTS), LANES);
      await sql`ANALYZE`.execute(database.db);
    }
    stats.clear();
    recording = true;
    const t0 = performance.now();
    await ingestAll(database, program, traced, LANES);
    const wall = performance.now() - t0;
    recording = false;
    if (process.env.BENCH_TRACE_EXPLAIN) {
      explainNext = true;
      await ingestAll(database, program, makeEvents('x', 1000));
      console.log(`\n${name}: the ledger write of one more batch\n${explained.pop() ?? '(not seen)'}`);
      if (lastInsert && database.kind === 'postgres') {
        const values = [...lastInsert.values];
        // $2: the events' ids, $3: their external ids — fresh ones, so the insert writes rows as in the batch.
        values[1] = (values[1] as string[]).map(() => uuidv7());
        values[2] = (values[2] as string[]).map((x) => `${x}-again`);
        const pool = new pg.Client({ connectionString: (database as unknown as { url?: string }).url ?? process.env.TRACE_URL });
        await pool.connect();
        await pool.query('BEGIN');
        const r = await pool.query({ text: `EXPLAIN (ANALYZE) ${lastInsert.text}`, values });
        await pool.query('ROLLBACK');
        await pool.end();
        console.log(`\n${name}: the events insert of that batch, again with fresh ids\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
      }
    }
    const batches = Math.ceil(traced.length / 1000);
    const sqlMs = [...stats.values()].reduce((s, x) => s + x.ms, 0);
    console.log(`\n${name}: ${traced.length} events in ${(wall / 1000).toFixed(2)} s (${Math.round(traced.length / (wall / 1000))} events/s); statements ${sqlMs.toFixed(0)} ms, the rest ${(wall - sqlMs).toFixed(0)} ms\n`);
    console.log('| statement | per batch | ms per batch | share of wall |');
    console.log('|---|---:|---:|---:|');
    for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
      console.log(`| \`${k.replace(/\|/g, '\\|')}\` | ${(s.count / batches).toFixed(1)} | ${(s.ms / batches).toFixed(1)} | ${((s.ms / wall) * 100).toFixed(1)} % |`);
    }
    console.log(`| not in a statement (JS) | | ${((wall - sqlMs) / batches).toFixed(1)} | ${(((wall - sqlMs) / wall) * 100).toFixed(1)} % |`);
  } finally {
    await database.close();
  }
}

if (only !== 'postgres') await trace('PGlite', await openMemory());
if (only !== 'pglite') {
  const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `lojal_ingest_trace_${process.pid}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${dbName}`);
  try {
    const url = new URL(admin);
    url.pathname = `/${dbName}`;
    process.env.TRACE_URL = url.toString();
    await trace('PostgreSQL', await openPostgres(url.toString(), 4));
  } finally {
    await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await client.end();
  }
}
console.log(`\nload average ${os.loadavg().map((x) => x.toFixed(1)).join(', ')}`);
