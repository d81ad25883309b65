/**
 * Where PostgreSQL's time goes in one single-event earn: builds the http-earn bench's program on a fresh database
 * (as bench/earn-trace.ts does), sends ten warm-up events, then records the statements of one more — and rolls that
 * earn back instead of committing it, so its statements can be replayed on the state they met. For each statement it
 * prints EXPLAIN (ANALYZE, SUMMARY)'s planning and execution time, then the PostgreSQL backend's CPU time per run
 * (from /proc) over many runs, each in a savepoint rolled back: sent as an unnamed statement (parsed and planned on
 * every call, as Kysely sends them) and as a named prepared statement (parsed once, its plan cached). Asserts nothing.
 *
 *   npx tsx bench/earn-plan.ts
 *   BENCH_PLAN_RUNS=300                    (runs per statement and way; default 300)
 *   BENCH_PG_URL=postgres://…/postgres     (admin URL of the server; default the local one)
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openPostgres } from '../src/db/database.js';
import { createApiKey } from '../src/programs/api-keys.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { setup, makeEvents } from './run.js';

const RUNS = Number(process.env.BENCH_PLAN_RUNS ?? 300);
const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `lojal_bench_plan_${process.pid}`;
const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`CREATE DATABASE ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;

interface Recorded {
  text: string;
  values: unknown[];
}
const recorded: Recorded[] = [];
let recording = false;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (recording) {
    const q = args[0];
    const text = typeof q === 'string' ? q : (q as { text: string }).text;
    const values = (typeof q === 'string' ? args[1] : (q as { values?: unknown[] }).values) as unknown[] | undefined;
    // The earn is rolled back, so that its statements can be replayed on the state they met.
    if (/^\s*commit\s*$/i.test(text)) return (original as (...a: unknown[]) => unknown).call(this, 'rollback');
    if (!/^\s*(begin|rollback)\s*$/i.test(text)) recorded.push({ text, values: values ?? [] });
  }
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

try {
  const database = await openPostgres(url.toString(), 4);
  const program = await setup(database);
  const { key } = await createApiKey(database.db, program.id, { name: 'bench', scopes: ['admin'] });
  const app = await buildApp(database, loadConfig({ LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', DATABASE_URL: url.toString() }));
  const events = makeEvents('plan', 12);
  const send = (e: object) => app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${key}` }, payload: e });
  for (const e of events.slice(0, 10)) await send(e);
  recording = true;
  const res = await send(events[10]!);
  recording = false;
  await app.close();
  await database.close();
  console.log(`POST /v1/events → ${res.statusCode} (rolled back); ${recorded.length} statements besides begin and commit\n`);

  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  // Each statement meets the state its earn met: the statements before it run first, in one transaction.
  await c.query('BEGIN');
  const start = cpuMsOf(pid);
  for (let k = 0; k < RUNS; k++) {
    await c.query('SAVEPOINT plan');
    await c.query('ROLLBACK TO SAVEPOINT plan');
  }
  const savepoints = (cpuMsOf(pid) - start) / RUNS;
  console.log(`a savepoint and its rollback alone: ${savepoints.toFixed(2)} ms of backend CPU (taken off the figures below)\n`);
  console.log('| # | statement | planning ms | execution ms | backend CPU ms/run, unnamed | backend CPU ms/run, prepared |');
  console.log('|---:|---|---:|---:|---:|---:|');
  let totals = [0, 0, 0, 0];
  for (const [i, s] of recorded.entries()) {
    const timed = async (named: boolean) => {
      const before = cpuMsOf(pid);
      for (let k = 0; k < RUNS; k++) {
        await c.query('SAVEPOINT plan');
        await c.query(named ? { name: `plan_${i}`, text: s.text, values: s.values } : { text: s.text, values: s.values });
        await c.query('ROLLBACK TO SAVEPOINT plan');
      }
      // Less what the savepoints alone cost: what is left is the statement's parsing, planning and execution.
      return (cpuMsOf(pid) - before) / RUNS - savepoints;
    };
    const unnamed = await timed(false);
    const prepared = await timed(true);
    // Timed after the runs above, so that caches are as warm as in a running server.
    await c.query('SAVEPOINT plan');
    const explained = await c.query({ text: `EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) ${s.text}`, values: s.values });
    await c.query('ROLLBACK TO SAVEPOINT plan');
    const plan = (explained.rows[0] as { 'QUERY PLAN': Array<{ 'Planning Time': number; 'Execution Time': number }> })['QUERY PLAN'][0]!;
    totals = [totals[0]! + plan['Planning Time'], totals[1]! + plan['Execution Time'], totals[2]! + unnamed, totals[3]! + prepared];
    console.log(
      `| ${i + 1} | ${s.text.replace(/\s+/g, ' ').trim().slice(0, 70)}… | ${plan['Planning Time'].toFixed(2)} | ${plan['Execution Time'].toFixed(2)} | ${unnamed.toFixed(2)} | ${prepared.toFixed(2)} |`,
    );
    // Then the statement itself, so that the next one meets the state it met.
    await c.query({ text: s.text, values: s.values });
  }
  console.log(`| | all | ${totals.map((t) => t.toFixed(2)).join(' | ')} |`);
  await c.query('ROLLBACK');
  await c.end();
} finally {
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  await client.end();
}
