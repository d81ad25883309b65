/**
 * The rewards bench alone, on PostgreSQL (issue 12 item 5): plain spends and reward orders by 8 clients in a fresh
 * database (bench/rewards.ts), with each call's p50 and p99 and the load average before and after. Prints a table;
 * asserts nothing. To compare two versions of the code, run this alternately on each, at the same load.
 *
 *   npx tsx bench/orders.ts
 *   BENCH_ORDERS=2000 BENCH_CLIENTS=8      (the defaults)
 *   BENCH_PG_URL=postgres://…/postgres    (admin URL of the server; default the local one)
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { openPostgres } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createProgram } from '../src/programs/programs.js';
import { benchOrders, quantile } from './rewards.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `lojal_bench_orders_${process.pid}`;
/** User + system CPU time of a process, ms (Linux /proc, 100 ticks a second; 0 once it is gone). */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}
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
  // The backends serving the bench database: their CPU, summed (a backend that ends between two reads is lost, but
  // the pool keeps its connections for the run).
  const backendsCpu = async () => {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]);
    return rows.reduce((s, r) => s + cpuMsOf(r.pid), 0);
  };
  const rows = await benchOrders('PostgreSQL', database, program, CLIENTS, backendsCpu);
  await database.close();
  const spendRate = rows[0]!.orders / rows[0]!.seconds;
  console.log(`\n| clients | path | calls | seconds | calls/s | p50 ms | p99 ms | share of plain spend | client CPU ms/call | PostgreSQL CPU ms/call |`);
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const rate = r.orders / r.seconds;
    console.log(
      `| ${r.clients} | ${r.what} | ${r.orders} | ${r.seconds.toFixed(2)} | ${Math.round(rate)} | ${quantile(r.latencies, 0.5).toFixed(1)} | ` +
        `${quantile(r.latencies, 0.99).toFixed(1)} | ${((rate / spendRate) * 100).toFixed(1)} % | ${(r.clientCpuMs / r.orders).toFixed(2)} | ` +
        `${((r.databaseCpuMs ?? 0) / r.orders).toFixed(2)} |`,
    );
  }
  console.log(`\n${os.cpus().length} cores; load average (1, 5, 15 min) ${before} before, ${load()} after`);
} finally {
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.end();
}
