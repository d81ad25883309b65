/**
 * Round trips of one plain spend and one reward order on PostgreSQL: a fresh database with the rewards bench's
 * members (ten lots each) and reward, a few warm-up calls, then one of each with every statement the pg driver
 * sends recorded (BEGIN and COMMIT are round trips too) and each statement's server time (EXPLAIN ANALYZE of the
 * same text is not used: the timing is the round trip seen by the driver). Prints the statements in order;
 * asserts nothing.
 *
 *   npx tsx bench/debit-trace.ts
 *   BENCH_PG_URL=postgres://…/postgres    (admin URL of the server; default the local one)
 */
import pg from 'pg';
import { openPostgres } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { spend } from '../src/ledger/operations.js';
import { createProgram } from '../src/programs/programs.js';
import { placeOrder } from '../src/rewards/index.js';
import { prepareShop } from './rewards.js';

const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `lojal_bench_debit_trace_${process.pid}`;
const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`CREATE DATABASE ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
const log: Array<{ text: string; ms: number }> = [];
let recording = false;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const result = (original as (...a: unknown[]) => unknown).apply(this, args);
  if (recording && result instanceof Promise) {
    const q = args[0] as string | { text: string };
    const text = (typeof q === 'string' ? q : q.text).replace(/\s+/g, ' ');
    const t0 = performance.now();
    const entry = { text, ms: 0 };
    log.push(entry);
    void result.then(() => { entry.ms = performance.now() - t0; }, () => {});
  }
  return result;
} as typeof pg.Client.prototype.query;

const show = (title: string) => {
  console.log(`\n${title}: ${log.length} round trips, ${log.reduce((s, e) => s + e.ms, 0).toFixed(1)} ms in all`);
  for (const [i, e] of log.entries()) console.log(`${String(i + 1).padStart(3)}. ${e.ms.toFixed(2).padStart(6)} ms  ${e.text.slice(0, 200)}`);
  log.length = 0;
};

try {
  const database = await openPostgres(url.toString(), 4);
  await migrate(database);
  const program = await createProgram(database.db, { name: 'Trace', currency: 'SEK', timeZone: 'Europe/Stockholm' });
  const { buyers, reward } = await prepareShop(database, program);
  const now = new Date();
  for (let i = 0; i < 10; i++) {
    await spend(database.db, program, { walletId: buyers[i]!, points: 1_500, memo: 'warm', idempotencyKey: `warm-${i}`, actor: 'bench' }, now);
    await placeOrder(database.db, program, { reward, memberId: buyers[i]!, quantity: 1, payFrom: 'member', idempotencyKey: `warm-order-${i}` }, 'bench', { now });
  }
  recording = true;
  await spend(database.db, program, { walletId: buyers[20]!, points: 1_500, memo: 'traced', idempotencyKey: 'traced', actor: 'bench' }, now);
  recording = false;
  show('plain spend');
  recording = true;
  await placeOrder(database.db, program, { reward, memberId: buyers[21]!, quantity: 1, payFrom: 'member', idempotencyKey: 'traced-order' }, 'bench', { now });
  recording = false;
  show('reward order');
  await database.close();
} finally {
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.end();
}
