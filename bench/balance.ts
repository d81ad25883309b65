/**
 * Balance reads over HTTP on PostgreSQL, for a program with a small history and one with a big one, next to a
 * bare baseline measured in the same run: a node:http server with a pg pool reading one wallet row by primary
 * key. Both servers run in child processes on 127.0.0.1 with pools of the same size; this process is the client
 * (keep-alive, `BENCH_BALANCE_CONNECTIONS` requests in flight). History is generated with set-returning SQL
 * through the real tables (journals, entries, lots, wallets), so the kept figures agree with it. Prints a table;
 * asserts nothing.
 *
 *   npx tsx bench/balance.ts                       (alone; also runs at the end of `npm run bench`)
 *   BENCH_BALANCE_REQUESTS=20000                    requests per measured run (default 10,000)
 *   BENCH_BALANCE_SIZES=10000,1000000               ledger entries per program (default both)
 *   BENCH_BALANCE_BEFORE=/path/to/checkout          also runs that checkout's Lojal server (its src/, this bench) and measures
 *                                                   the two in turns of BENCH_BALANCE_TURN requests (default 500) in one
 *                                                   run, so that both see the same load on a shared machine
 *   BENCH_BALANCE_KEEP=1                            keeps the database afterwards (its name is printed), to look at plans
 *   BENCH_BALANCE_PROFILE=/tmp/prof                 both servers write a CPU profile of each measured run there
 *                                                   (summed up by `npx tsx bench/profile-top.ts FILE REQUESTS`)
 *
 * Beside req/s and latency it prints the CPU time per request of each server process and of the PostgreSQL
 * backends serving it (from /proc), which the machine's other load changes far less than the rates.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { balanceQuery } from '../src/ledger/queries.js';
import { createApiKey } from '../src/programs/api-keys.js';
import { createProgram, systemWalletId } from '../src/programs/programs.js';
import { cpuMsOf } from './support/cpu.js';

const REQUESTS = Number(process.env.BENCH_BALANCE_REQUESTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_BALANCE_CONNECTIONS ?? 32);
const SIZES = (process.env.BENCH_BALANCE_SIZES ?? '10000,1000000').split(',').map(Number);
const POOL = 10;
const BEFORE = process.env.BENCH_BALANCE_BEFORE;
const TURN = Number(process.env.BENCH_BALANCE_TURN ?? 500);
const WALLETS = 1_000;

interface Target {
  programId: string;
  key: string;
  wallets: string[];
  entries: number;
}

/**
 * A program whose history holds about `entries` ledger entries over WALLETS account wallets: earnings (one lot
 * each, expiring over two years) and every eleventh journal an expiry of an earlier lot, then the wallets'
 * cached figures set from those entries, as the writer would have kept them.
 */
async function generate(database: Database, entries: number): Promise<Target> {
  const db = database.db;
  const program = await createProgram(db, { name: `Balance bench ${entries}`, currency: 'SEK', timeZone: 'Europe/Stockholm' });
  const { key } = await createApiKey(db, program.id, { name: 'bench', scopes: ['admin'] });
  const pid = program.id;
  const earns = Math.max(WALLETS, Math.round(entries / 2 / 1.1));
  const issuance = systemWalletId(pid, 'issuance');
  const expiry = systemWalletId(pid, 'expiry');
  const t0 = performance.now();
  await db.transaction().execute(async (trx) => {
    // A version-4-shaped uuid from a text (the API checks the shape of ids).
    await sql`CREATE OR REPLACE FUNCTION bench_uuid(t text) RETURNS uuid IMMUTABLE LANGUAGE sql AS
      $$ SELECT (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid $$`.execute(trx);
    await sql`INSERT INTO wallets (program_id, id, kind)
      SELECT ${pid}, bench_uuid(${pid} || ':w:' || w), 'account' FROM generate_series(1, ${WALLETS}::int) w`.execute(trx);
    await sql`INSERT INTO journals (program_id, id, idempotency_key, kind, explanation, occurred_at)
      SELECT ${pid}, bench_uuid(${pid} || ':j:' || i), 'bench:' || i, 'earn',
             '{"key":"ledger:explain.adjust","params":{"reason":"bench"}}'::jsonb, now() - (${earns}::int - i) * interval '1 minute'
      FROM generate_series(1, ${earns}::int) i`.execute(trx);
    await sql`INSERT INTO lots (program_id, id, wallet_id, journal_id, status, earned_at, available_at, expires_at, original, remaining)
      SELECT ${pid}, bench_uuid(${pid} || ':l:' || i), bench_uuid(${pid} || ':w:' || (1 + i % ${WALLETS}::int)), bench_uuid(${pid} || ':j:' || i),
             'available', now() - interval '1 day', now() - interval '1 day', now() + (i % 730) * interval '1 day', 100 + i % 50,
             CASE WHEN i % 10 = 0 THEN 0 ELSE 100 + i % 50 END
      FROM generate_series(1, ${earns}::int) i`.execute(trx);
    await sql`INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount, lot_id)
      SELECT ${pid}, bench_uuid(${pid} || ':j:' || i), s, CASE WHEN s = 0 THEN ${issuance}::uuid ELSE bench_uuid(${pid} || ':w:' || (1 + i % ${WALLETS}::int)) END,
             'available', CASE WHEN s = 0 THEN -(100 + i % 50) ELSE 100 + i % 50 END, CASE WHEN s = 0 THEN NULL ELSE bench_uuid(${pid} || ':l:' || i) END
      FROM generate_series(1, ${earns}::int) i, generate_series(0, 1) s`.execute(trx);
    // Every tenth lot has expired whole: an 'expire' journal with its two entries.
    await sql`INSERT INTO journals (program_id, id, idempotency_key, kind, explanation, occurred_at)
      SELECT ${pid}, bench_uuid(${pid} || ':x:' || i), 'expire:' || bench_uuid(${pid} || ':l:' || i), 'expire',
             '{"key":"ledger:explain.expire","params":{"points":1,"count":1}}'::jsonb, now()
      FROM generate_series(10, ${earns}::int, 10) i`.execute(trx);
    await sql`INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount, lot_id)
      SELECT ${pid}, bench_uuid(${pid} || ':x:' || i), s, CASE WHEN s = 0 THEN ${expiry}::uuid ELSE bench_uuid(${pid} || ':w:' || (1 + i % ${WALLETS}::int)) END,
             'available', CASE WHEN s = 0 THEN 100 + i % 50 ELSE -(100 + i % 50) END, CASE WHEN s = 0 THEN NULL ELSE bench_uuid(${pid} || ':l:' || i) END
      FROM generate_series(10, ${earns}::int, 10) i, generate_series(0, 1) s`.execute(trx);
    // Statistics first: without them the planner joins a million entries to their journals row by row.
    await sql`ANALYZE wallets, journals, entries, lots`.execute(trx);
    const hasExpired = await sql`SELECT 1 FROM information_schema.columns WHERE table_name = 'wallets' AND column_name = 'lifetime_expired'`.execute(trx);
    await sql`UPDATE wallets w SET available = h.available, lifetime_earned = h.earned
              ${hasExpired.rows.length ? sql`, lifetime_expired = h.expired` : sql``}
      FROM (SELECT e.wallet_id, sum(e.amount) AS available, sum(e.amount) FILTER (WHERE j.kind = 'earn') AS earned,
                   coalesce(-sum(e.amount) FILTER (WHERE j.kind = 'expire'), 0) AS expired
            FROM entries e JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
            WHERE e.program_id = ${pid} GROUP BY e.wallet_id) h
      WHERE w.program_id = ${pid} AND w.id = h.wallet_id AND w.kind = 'account'`.execute(trx);
  });
  // What autovacuum does after a load this size (this machine runs PostgreSQL with it off): the tables' pages marked
  // all-visible, so that reads served by an index alone (the expiring lots) need not visit the rows.
  if (database.kind === 'postgres') await sql`VACUUM (ANALYZE) wallets, lots`.execute(db);
  const count = await sql<{ n: string }>`SELECT count(*) AS n FROM entries WHERE program_id = ${pid}`.execute(db);
  const wallets = await sql<{ id: string }>`SELECT id FROM wallets WHERE program_id = ${pid} AND kind = 'account' ORDER BY id`.execute(db);
  console.log(`  program with ${Number(count.rows[0]!.n).toLocaleString('en')} entries generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { programId: pid, key, wallets: wallets.rows.map((r) => r.id), entries: Number(count.rows[0]!.n) };
}

// ------------------------------------------------------------------------------------------------ the servers

/** In a child process: the Lojal server or the bare one, on a free port of 127.0.0.1; tells the parent the port. */
async function serve(role: string, url: string): Promise<void> {
  let port: number;
  if (role === 'lojal' || role === 'before') {
    // The other checkout's application, for BENCH_BALANCE_BEFORE (its dependencies resolve from its own node_modules).
    const src = role === 'before' ? `${path.resolve(process.env.BENCH_BALANCE_BEFORE!)}/src` : new URL('../src', import.meta.url).pathname;
    const { buildApp } = (await import(`${src}/app.ts`)) as typeof import('../src/app.js');
    const { loadConfig } = (await import(`${src}/config/index.ts`)) as typeof import('../src/config/index.js');
    const database = await openPostgres(url, POOL);
    const app = await buildApp(database, loadConfig({ LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', DATABASE_URL: url, LOJAL_DB_POOL_SIZE: String(POOL) }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  } else {
    const pool = new pg.Pool({ connectionString: url, max: POOL });
    const server = http.createServer((req, res) => {
      const [, programId, walletId] = (req.url ?? '').split('/');
      pool
        .query({ name: 'wallet', text: 'SELECT available, pending, lifetime_earned, lifetime_spent FROM wallets WHERE program_id = $1 AND id = $2', values: [programId, walletId] })
        .then((r) => {
          res.writeHead(r.rows.length ? 200 : 404, { 'content-type': 'application/json' });
          res.end(JSON.stringify(r.rows[0] ?? null));
        })
        .catch((err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  }
  process.send!({ port });
  // Profiles only the measured runs, not start-up and warm-up: the parent says when one starts and ends.
  const dir = process.env.BENCH_BALANCE_PROFILE;
  if (!dir) return;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // Finer than the default 1 ms: a request costs well under a millisecond.
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  process.on('message', (m: { profile: 'start' | 'stop'; name?: string }) => {
    if (m.profile === 'start') void session.post('Profiler.start').then(() => process.send!({ profiling: true }));
    else
      void session.post('Profiler.stop').then(({ profile }) => {
        writeFileSync(path.join(dir, `${m.name}.cpuprofile`), JSON.stringify(profile));
        process.send!({ profiled: true });
      });
  });
}

/** Asks a server started with BENCH_BALANCE_PROFILE to start or stop its profiler, and waits until it has. */
function profiler(child: ChildProcess, profile: 'start' | 'stop', name?: string): Promise<void> {
  if (!process.env.BENCH_BALANCE_PROFILE) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (m: { profiling?: true; profiled?: true }) => {
      if (m.profiling || m.profiled) {
        child.off('message', on);
        resolve();
      }
    };
    child.on('message', on);
    child.send({ profile, name });
  });
}

function start(role: string, url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL(import.meta.url).pathname, [], { env: { ...process.env, BENCH_BALANCE_ROLE: role, BENCH_BALANCE_URL: url } });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
}

// ------------------------------------------------------------------------------------------------ the client

export interface Run {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU time per request of the server process, and of the PostgreSQL backends serving it. */
  serverCpuMs?: number;
  databaseCpuMs?: number;
}

/** `n` GETs with `CONNECTIONS` in flight over keep-alive connections; every answer must be a 200. */
export async function load(port: number, paths: string[], n: number, headers: Record<string, string>, latencies: number[] = []): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const one = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const req = http.get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`GET ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
          latencies.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', reject);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < n) await one(paths[next++ % paths.length]!);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { requests: n, seconds, ...quantiles(latencies) };
}

function quantiles(latencies: number[]): { p50: number; p99: number } {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

/**
 * Both Lojal servers, `REQUESTS` each, in turns of `TURN` requests (this checkout's first, then the other's): one
 * figure per server summed over its turns, so that a change in the machine's load falls on both alike.
 */
async function inTurns(admin: pg.Client, dbName: string, servers: Array<{ child: ChildProcess; port: number }>, paths: string[], headers: Record<string, string>): Promise<Run[]> {
  const totals = servers.map(() => ({ requests: 0, seconds: 0, serverCpuMs: 0, databaseCpuMs: 0, latencies: [] as number[] }));
  for (let done = 0; done < REQUESTS; done += TURN) {
    const n = Math.min(TURN, REQUESTS - done);
    for (const [i, s] of servers.entries()) {
      const t = totals[i]!;
      const run = await measured(admin, dbName, s.child, () => load(s.port, paths, n, headers, t.latencies));
      t.requests += n;
      t.seconds += run.seconds;
      t.serverCpuMs += run.serverCpuMs! * n;
      t.databaseCpuMs += run.databaseCpuMs! * n;
    }
  }
  return totals.map((t) => ({ requests: t.requests, seconds: t.seconds, serverCpuMs: t.serverCpuMs / t.requests, databaseCpuMs: t.databaseCpuMs / t.requests, ...quantiles(t.latencies) }));
}

/**
 * Runs `run` and adds the CPU time per request of the server process and of the PostgreSQL backends connected to
 * the bench database (the pools stay open, so the same backends serve the whole run).
 */
async function measured(admin: pg.Client, dbName: string, child: ChildProcess, run: () => Promise<Run>): Promise<Run> {
  const backends = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((r) => r.pid);
  const before = new Map([child.pid!, ...(await backends())].map((pid) => [pid, cpuMsOf(pid)]));
  const result = await run();
  const spent = (pids: number[]) => pids.reduce((s, pid) => s + (cpuMsOf(pid) - (before.get(pid) ?? cpuMsOf(pid))), 0);
  return { ...result, serverCpuMs: spent([child.pid!]) / result.requests, databaseCpuMs: spent(await backends()) / result.requests };
}

export interface BalanceRow {
  entries: number;
  what: string;
  run: Run;
}

/** Prints the balance table and answers its rows (none when PostgreSQL is not there). */
export async function benchBalance(adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'): Promise<BalanceRow[]> {
  const name = `lojal_bench_balance_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  admin.on('error', () => {});
  const children: ChildProcess[] = [];
  const rows: BalanceRow[] = [];
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const database = await openPostgres(url.toString(), 4);
    const targets: Target[] = [];
    try {
      await migrate(database);
      console.log(`\nBalance reads: generating history`);
      for (const size of SIZES) targets.push(await generate(database, size));
      // The plan of the balance statement on the biggest program: it must be index lookups only.
      const big = targets[targets.length - 1]!;
      const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (COSTS OFF) ${balanceQuery(big.programId, big.wallets[0]!, { now: new Date(), timeZone: 'Europe/Stockholm' })}`.execute(database.db);
      console.log(`  balance statement plan:\n${plan.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
    } finally {
      await database.close();
    }
    const lojal = await start('lojal', url.toString());
    const bare = await start('bare', url.toString());
    children.push(lojal.child, bare.child);
    const before = BEFORE ? await start('before', url.toString()) : undefined;
    if (before) children.push(before.child);
    for (const t of targets) {
      const bearer = { authorization: `Bearer ${t.key}` };
      const lojalPaths = t.wallets.map((w) => `/v1/accounts/${w}/balance`);
      const barePaths = t.wallets.map((w) => `/${t.programId}/${w}`);
      // Warm-up: connections, JIT, plan and key caches.
      await load(bare.port, barePaths, 1_000, {});
      await load(lojal.port, lojalPaths, 1_000, bearer);
      await profiler(bare.child, 'start');
      const bareRun = await measured(admin, name, bare.child, () => load(bare.port, barePaths, REQUESTS, {}));
      await profiler(bare.child, 'stop', `balance-bare-${t.entries}-${process.pid}`);
      rows.push({ entries: t.entries, what: 'bare: node:http + pg, one row by key', run: bareRun });
      if (before) {
        await load(before.port, lojalPaths, 1_000, bearer);
        const [after, was] = await inTurns(admin, name, [lojal, before], lojalPaths, bearer);
        rows.push({ entries: t.entries, what: `Lojal before (${BEFORE}), in turns`, run: was! });
        rows.push({ entries: t.entries, what: 'Lojal: GET /v1/accounts/:id/balance, in turns', run: after! });
        continue;
      }
      await profiler(lojal.child, 'start');
      const run = await measured(admin, name, lojal.child, () => load(lojal.port, lojalPaths, REQUESTS, bearer));
      await profiler(lojal.child, 'stop', `balance-lojal-${t.entries}-${process.pid}`);
      rows.push({ entries: t.entries, what: 'Lojal: GET /v1/accounts/:id/balance', run });
    }
  } catch (err) {
    console.log(`Balance bench skipped: ${(err as Error).message}`);
  } finally {
    for (const c of children) c.kill();
    if (process.env.BENCH_BALANCE_KEEP) console.log(`  kept the database ${name}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end().catch(() => {});
  }
  if (rows.length === 0) return rows;
  console.log(`\nBalance reads over HTTP on PostgreSQL: ${CONNECTIONS} connections, ${REQUESTS.toLocaleString('en')} requests per run, ${WALLETS} wallets, pools of ${POOL}\n`);
  console.log('| entries in program | server | req/s | p50 ms | p99 ms | share of bare | server CPU ms/req | PostgreSQL CPU ms/req |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const base = rows.find((x) => x.entries === r.entries && x.what.startsWith('bare'))!.run;
    const rate = (x: Run) => x.requests / x.seconds;
    console.log(
      `| ${r.entries.toLocaleString('en')} | ${r.what} | ${Math.round(rate(r.run)).toLocaleString('en')} | ${r.run.p50.toFixed(1)} | ${r.run.p99.toFixed(1)} | ` +
        `${((rate(r.run) / rate(base)) * 100).toFixed(1)} % | ${r.run.serverCpuMs?.toFixed(3) ?? '-'} | ${r.run.databaseCpuMs?.toFixed(3) ?? '-'} |`,
    );
  }
  return rows;
}

const role = process.env.BENCH_BALANCE_ROLE;
if (role) await serve(role, process.env.BENCH_BALANCE_URL!);
else if (process.argv[1]?.endsWith('balance.ts')) await benchBalance();
