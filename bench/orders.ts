/**
 * The rewards bench alone, on PostgreSQL (issue 12 item 5): plain spends and reward orders by 8 clients in a fresh
 * database (bench/rewards.ts), with each call's p50 and p99 and the load average before and after. Prints a table;
 * asserts nothing. To compare two versions of the code, run this alternately on each, at the same load.
 *
 *   npx tsx bench/orders.ts
 *   BENCH_ORDERS=2000 BENCH_CLIENTS=8      (the defaults)
 *   BENCH_PG_URL=postgres://…/postgres    (admin URL of the server; default the local one)
 */
import os from 'node:os';
import pg from 'pg';
import { openPostgres } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createProgram } from '../src/programs/programs.js';
import { benchOrders, quantile } from './rewards.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `lojal_bench_orders_${process.pid}`;
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(', ');
const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`CREATE DATABASE ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
try {
  const database = await openPostgres(url.toString(), CLIENTS);
  await migrate(database);
  const program = await createProgram(database.db, { name: 'Orders bench', currency: 'SEK', timeZone: 'Europe/Stockholm' });
  const before = load();
  const rows = await benchOrders('PostgreSQL', database, program, CLIENTS);
  await database.close();
  const spendRate = rows[0]!.orders / rows[0]!.seconds;
  console.log(`\n| clients | path | calls | seconds | calls/s | p50 ms | p99 ms | share of plain spend |`);
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const rate = r.orders / r.seconds;
    console.log(
      `| ${r.clients} | ${r.what} | ${r.orders} | ${r.seconds.toFixed(2)} | ${Math.round(rate)} | ${quantile(r.latencies, 0.5).toFixed(1)} | ` +
        `${quantile(r.latencies, 0.99).toFixed(1)} | ${((rate / spendRate) * 100).toFixed(1)} % |`,
    );
  }
  console.log(`\n${os.cpus().length} cores; load average (1, 5, 15 min) ${before} before, ${load()} after`);
} finally {
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.end();
}
