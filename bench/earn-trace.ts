/**
 * Round trips of one single-event earn over HTTP: builds the app in this process on a fresh PostgreSQL database
 * (the http-earn bench's program: 500 accounts, 60 SKUs, 4 rules), sends a few warm-up events, then one more with
 * every statement the pg driver sends recorded (BEGIN and COMMIT are statements too; one written behind another
 * unanswered one shares its round trip and is marked `+`). Prints the statements in
 * order and their count; asserts nothing. Also counts a balance read.
 *
 *   npx tsx bench/earn-trace.ts
 *   BENCH_PG_URL=postgres://…/postgres    (admin URL of the server; default the local one)
 */
import pg from 'pg';
import { openPostgres } from '../src/db/database.js';
import { createApiKey } from '../src/programs/api-keys.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { setup, makeEvents } from './run.js';

const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `lojal_bench_trace_${process.pid}`;
const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`CREATE DATABASE ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
const log: string[] = [];
let recording = false;
// Every statement the driver sends passes through Client.query (pool.query included). One written while the
// previous one on the same connection is still unanswered (pg's pipeline mode: a begin and the statement after it)
// shares that one's round trip, and is marked `+`.
const original = pg.Client.prototype.query;
const inflight = new WeakMap<pg.Client, number>();
let roundTrips = 0;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const busy = (inflight.get(this) ?? 0) > 0;
  if (recording) {
    const q = args[0] as string | { text: string; name?: string };
    const text = typeof q === 'string' ? q : q.text;
    if (!busy) roundTrips++;
    log.push((busy ? '+ ' : '') + (typeof q === 'object' && q.name ? `[${q.name}] ` : '') + text.replace(/\s+/g, ' ').slice(0, 160));
  }
  const result = (original as (...a: unknown[]) => unknown).apply(this, args);
  if (result instanceof Promise) {
    inflight.set(this, (inflight.get(this) ?? 0) + 1);
    const done = () => inflight.set(this, (inflight.get(this) ?? 1) - 1);
    result.then(done, done);
  }
  return result;
} as typeof pg.Client.prototype.query;
try {
  const database = await openPostgres(url.toString(), 4);
  const program = await setup(database);
  const { key } = await createApiKey(database.db, program.id, { name: 'bench', scopes: ['admin'] });
  const app = await buildApp(database, loadConfig({ LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', DATABASE_URL: url.toString() }));
  const events = makeEvents('trace', 12);
  const send = (e: object) => app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${key}` }, payload: e });
  for (const e of events.slice(0, 10)) await send(e);
  recording = true;
  const res = await send(events[10]!);
  recording = false;
  if (process.env.BENCH_TRACE_BODY) console.log(res.body);
  console.log(`POST /v1/events → ${res.statusCode}; ${log.length} statements in ${roundTrips} round trips:`);
  log.forEach((l, i) => console.log(`${String(i + 1).padStart(3)}. ${l}`));
  const wallet = (JSON.parse(res.body) as { accountId: string }).accountId;
  log.length = 0;
  roundTrips = 0;
  await app.inject({ method: 'GET', url: `/v1/accounts/${wallet}/balance`, headers: { authorization: `Bearer ${key}` } });
  recording = true;
  const b = await app.inject({ method: 'GET', url: `/v1/accounts/${wallet}/balance`, headers: { authorization: `Bearer ${key}` } });
  recording = false;
  console.log(`\nGET /v1/accounts/:id/balance → ${b.statusCode}; ${log.length} statements in ${roundTrips} round trips:`);
  log.forEach((l, i) => console.log(`${String(i + 1).padStart(3)}. ${l}`));
  await app.close();
  await database.close();
} finally {
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  await client.end();
}
