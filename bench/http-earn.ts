/**
 * Single-event earns over HTTP on PostgreSQL: `POST /v1/events` with one purchase each, 32 connections at
 * once, against the Lojal server started as a real process (`bin/lojal.js serve`), one or two processes on
 * one database — next to a bare baseline measured in the same run: a plain node:http server with a pg pool
 * of the same size doing one statement per request (insert the event, add to a balance). Beside req/s and
 * latency it prints the CPU time per request of the server processes and of the PostgreSQL backends (from /proc),
 * which the machine's other load changes far less than the rates. Prints a table;
 * asserts nothing.
 *
 *   npx tsx bench/http-earn.ts                 (or as part of `npm run bench`)
 *   BENCH_HTTP_REQUESTS=4000                   (requests per measured run; default 4,000)
 *   BENCH_HTTP_PROCESSES=1,2                   (Lojal server processes to measure; default 1,2,4: on 2 cores the third point shows the ceiling)
 *   BENCH_PG_URL=postgres://…/postgres         (admin URL of the server; default the local one)
 *   BENCH_HTTP_PROFILE=/tmp/prof               (Lojal servers run with --cpu-prof, a .cpuprofile per process there)
 *   BENCH_HTTP_POOLS=4,8,16                    (Lojal's pool size per process, one row each; default the server's own default)
 *   BENCH_HTTP_WAITS=1                         (samples pg_stat_activity during each Lojal run and prints what the backends waited on)
 *   BENCH_HTTP_TIERS=1                         (the program has a tier ladder, as most do: every earn checks its account's level)
 *   LOJAL_EVENT_WRITERS=1                      (passed on to the servers: transactions of single events open at once per process; default 2)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildServerIfNeeded } from '../scripts/server-build.mjs';
import { openPostgres } from '../src/db/database.js';
import { createApiKey } from '../src/programs/api-keys.js';
import { replaceTierConfig, tierConfigSchema } from '../src/tiers/store.js';
import { setup } from './run.js';
import { refreshStatistics } from './support/statistics.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 4000);
const WARM = Math.min(500, Math.ceil(REQUESTS / 4));
const CONNECTIONS = 32;
/** The bare baseline's pool: the size Lojal's pool had when the baseline was written, kept so that runs stay comparable. */
const POOL = 10;
/** Lojal's pool sizes to measure; empty: the server's default (what `LOJAL_DB_POOL_SIZE` unset gives). */
const POOLS = (process.env.BENCH_HTTP_POOLS ?? '').split(',').map(Number).filter((n) => n > 0);
const WAITS = process.env.BENCH_HTTP_WAITS === '1';
const TIERS = process.env.BENCH_HTTP_TIERS === '1';
const PROCESSES = (process.env.BENCH_HTTP_PROCESSES ?? '1,2,4').split(',').map(Number).filter((n) => n > 0);
const ACCOUNTS = 500;
const SKUS = 60;

export interface HttpRow {
  what: string;
  processes: number;
  /** Lojal's pool size per process, when the run set one. */
  pool?: number;
  /** What the bench database's active backends waited on, as shares of the samples taken during the run. */
  waits?: string;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU time per request of the server processes and of the database's backends: what the machine's load does not change much. */
  serverCpuMs?: number;
  databaseCpuMs?: number;
  /** Lojal: single events per transaction during the run (src/events/gather.ts), from the servers' metrics. */
  perTransaction?: number;
}

/** User + system CPU time of a process, in ms (Linux /proc; 0 where it cannot be read). */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100;

/**
 * Runs `load` and answers the CPU time per request it cost the given server processes and the PostgreSQL backends
 * connected to the bench database (the pools are kept open, so the same backends serve the whole run).
 */
async function withCpu<T extends { requests: number }>(admin: pg.Client, dbName: string, servers: number[], load: () => Promise<T>) {
  const backends = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((r) => r.pid);
  const before = new Map([...servers, ...(await backends())].map((pid) => [pid, cpuMsOf(pid)]));
  const result = await load();
  const spent = (pids: number[]) => pids.reduce((s, pid) => s + (cpuMsOf(pid) - (before.get(pid) ?? cpuMsOf(pid))), 0);
  return { ...result, serverCpuMs: spent(servers) / result.requests, databaseCpuMs: spent(await backends()) / result.requests };
}

/**
 * Samples, every 10 ms on a connection of its own, what the bench database's active backends wait on
 * (pg_stat_activity's wait_event_type:wait_event; "CPU" when a backend runs a statement and waits on nothing).
 * The idle ones, waiting for the server's next statement, are not counted.
 */
function sampleWaits(admin: string, dbName: string): { stop(): Promise<string> } {
  const counts = new Map<string, number>();
  let total = 0;
  let running = true;
  const done = (async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      while (running) {
        const r = await c.query<{ w: string }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
          [dbName],
        );
        for (const { w } of r.rows) counts.set(w, (counts.get(w) ?? 0) + 1);
        total += r.rows.length;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await c.end();
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([w, k]) => `${w} ${((k / total) * 100).toFixed(0)} %`).join(', ');
    },
  };
}

/** The baseline server: one statement per request, the least a durable earn can do. */
async function bareServer(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: POOL });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; account: string; lines: Array<{ amount: number }> };
      const amount = e.lines.reduce((s, l) => s + l.amount, 0);
      pool
        .query(
          `WITH e AS (INSERT INTO bare_http_events (external_id, account, amount, body) VALUES ($1, $2, $3, $4) RETURNING account, amount)
           INSERT INTO bare_http_balances (account, points) SELECT account, amount / 1000 FROM e
           ON CONFLICT (account) DO UPDATE SET points = bare_http_balances.points + excluded.points RETURNING points`,
          [e.id, e.account, amount, JSON.stringify(e)],
        )
        .then((r) => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'processed', points: r.rows[0].points }));
        })
        .catch((err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        });
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`bare listening on ${(server.address() as { port: number }).port}`));
}

/**
 * Starts a child process and resolves with the first stdout line that matches `ready`. A Lojal server is started
 * from the server's build, made first if src/ changed: what a deployment runs (bin/lojal.js would run the sources
 * through tsx otherwise, and the figures would mix the two).
 */
export async function start(cmd: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  if (args.some((a) => a.endsWith(path.join('bin', 'lojal.js')))) await buildServerIfNeeded({ quiet: true });
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = ready.exec(line);
      if (m) resolve({ child, match: m });
    });
    child.once('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${errors}`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  // A child ended by a signal has no exit code but a signal code: waiting for its 'exit' again would never end.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function body(prefix: string, i: number): string {
  return JSON.stringify({
    id: `${prefix}-${i}`,
    type: 'purchase',
    occurredAt: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString(),
    account: `A-${(i * 7919) % ACCOUNTS}`,
    lines: [0, 1, 2].map((k) => ({ sku: `SKU-${(i * 31 + k * 17) % SKUS}`, quantity: 1 + ((i + k) % 5), amount: 1000 + ((i * 97 + k * 13) % 90000) })),
  });
}

/** `count` POSTs, CONNECTIONS at a time over keep-alive connections spread across the ports. */
export async function drive(ports: number[], token: string, prefix: string, count: number): Promise<Omit<HttpRow, 'what' | 'processes'>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  let firstFailure = '';
  const post = (port: number, payload: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/v1/events', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 201 && !firstFailure) firstFailure = `${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`;
            resolve(res.statusCode!);
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      const port = ports[c % ports.length]!;
      for (let i = next++; i < count; i = next++) {
        const s = performance.now();
        const status = await post(port, body(prefix, i));
        latencies.push(performance.now() - s);
        if (status !== 201) failed++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  if (firstFailure) console.log(`  first failure: ${firstFailure}`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { requests: count, seconds, p50: at(0.5), p99: at(0.99), failed };
}

export async function benchHttpEarn(admin: string): Promise<HttpRow[]> {
  const name = `lojal_bench_http_${process.pid}`;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const children: ChildProcess[] = [];
  const rows: HttpRow[] = [];
  try {
    console.log('http-earn: setting up the program');
    const database = await openPostgres(dbUrl, 2);
    const program = await setup(database);
    if (TIERS) {
      // Thresholds no bench account reaches: the check runs on every earn, an upgrade never.
      const names = (en: string) => ({ en, sv: en, nb: en, pl: en, de: en });
      await replaceTierConfig(database.db, program.id, tierConfigSchema.parse({
        settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'account' },
        levels: [
          { code: 'silver', rank: 1, names: names('Silver'), threshold: 1_000_000 },
          { code: 'gold', rank: 2, names: names('Gold'), threshold: 10_000_000 },
        ],
      }));
    }
    const { key } = await createApiKey(database.db, program.id, { name: 'bench', scopes: ['events:write'] });
    await database.db.schema.createTable('bare_http_events').addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('external_id', 'text', (c) => c.notNull().unique()).addColumn('account', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull()).addColumn('body', 'jsonb', (c) => c.notNull()).execute();
    await database.db.schema.createTable('bare_http_balances').addColumn('account', 'text', (c) => c.primaryKey()).addColumn('points', 'bigint', (c) => c.notNull()).execute();
    await database.close();

    console.log('http-earn: bare baseline');
    const bare = await start(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--bare', dbUrl], process.env, /^bare listening on (\d+)/);
    children.push(bare.child);
    const barePort = Number(bare.match[1]);
    await drive([barePort], key, 'bare-warm', WARM);
    if (!(await refreshStatistics(dbUrl))) console.log('http-earn: autovacuum is off on this server; the bench analyzes after each warm-up');
    rows.push({ what: 'bare baseline: node:http + pg, one statement', processes: 1, ...(await withCpu(client, name, [bare.child.pid!], () => drive([barePort], key, 'bare', REQUESTS))) });
    console.log(`http-earn: ${JSON.stringify(rows.at(-1))}`);
    await stop(bare.child);

    const { LOJAL_DB_POOL_SIZE: _unset, ...inherited } = process.env;
    for (const [n, pool] of PROCESSES.flatMap((n) => (POOLS.length ? POOLS : [undefined]).map((p) => [n, p] as const))) {
      const env = { ...inherited, DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', ...(pool && { LOJAL_DB_POOL_SIZE: String(pool) }) };
      console.log(`http-earn: Lojal, ${n} process(es)${pool ? `, pool ${pool}` : ''}`);
      // One after the other: the first applies the migrations.
      const servers = [];
      for (let i = 0; i < n; i++) {
        const profile = process.env.BENCH_HTTP_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_HTTP_PROFILE}`] : [];
        const s = await start(process.execPath, [...profile, path.join(here, '..', 'bin', 'lojal.js'), 'serve'], env, /Lojal is running at http:\/\/127\.0\.0\.1:(\d+)/);
        children.push(s.child);
        servers.push(s);
      }
      const ports = servers.map((s) => Number(s.match[1]));
      await drive(ports, key, `warm-${n}-${pool ?? 'default'}`, WARM);
      await refreshStatistics(dbUrl);
      const pids = servers.map((x) => x.child.pid!);
      const sampling = WAITS ? sampleWaits(admin, name) : undefined;
      const before = await transactions(ports);
      const measured = await withCpu(client, name, pids, () => drive(ports, key, `lojal-${n}-${pool ?? 'default'}`, REQUESTS));
      const after = await transactions(ports);
      const perTransaction = (after.events - before.events) / Math.max(1, after.count - before.count);
      rows.push({ what: `Lojal: POST /v1/events, one purchase${TIERS ? ', tiers' : ''}`, processes: n, ...(pool && { pool }), ...measured, perTransaction, ...(sampling && { waits: await sampling.stop() }) });
      console.log(`http-earn: ${JSON.stringify(rows.at(-1))}`);
      await Promise.all(servers.map((s) => stop(s.child)));
    }
  } finally {
    await Promise.all(children.map(stop));
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await client.end().catch(() => {});
  }
  return rows;
}

/** The servers' count of single-event transactions and of the events they wrote (`lojal_events_per_transaction`). */
async function transactions(ports: number[]): Promise<{ count: number; events: number }> {
  let count = 0;
  let events = 0;
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    count += Number(/^lojal_events_per_transaction_count (\S+)/m.exec(text)?.[1] ?? 0);
    events += Number(/^lojal_events_per_transaction_sum (\S+)/m.exec(text)?.[1] ?? 0);
  }
  return { count, events };
}

export function printHttpRows(rows: HttpRow[]): void {
  const base = rows.find((r) => r.what.startsWith('bare'));
  const rate = (r: HttpRow) => r.requests / r.seconds;
  console.log(`\nSingle events over HTTP on PostgreSQL: ${CONNECTIONS} connections, bare pool ${POOL}, 3-line purchases, ${ACCOUNTS} accounts, 4 rules\n`);
  console.log('| server | processes | pool | requests | failed | req/s | p50 ms | p99 ms | share of bare | server CPU ms/req | PostgreSQL CPU ms/req | events per transaction |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
  for (const r of rows) {
    console.log(
      `| ${r.what} | ${r.processes} | ${r.what.startsWith('bare') ? POOL : (r.pool ?? 'default')} | ${r.requests} | ${r.failed} | ${Math.round(rate(r)).toLocaleString('en')} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ` +
        `${base ? ((rate(r) / rate(base)) * 100).toFixed(1) + ' %' : '-'} | ${ms(r.serverCpuMs)} | ${ms(r.databaseCpuMs)} | ${r.perTransaction === undefined ? '-' : r.perTransaction.toFixed(1)} |`,
    );
  }
  const waited = rows.filter((r) => r.waits);
  if (waited.length) console.log('\nWhat the active backends waited on (pg_stat_activity, sampled every 10 ms):\n');
  for (const r of waited) console.log(`- ${r.processes} process(es), pool ${r.pool ?? 'default'}: ${r.waits}`);
}

if (process.argv[2] === '--bare') await bareServer(process.argv[3]!);
else if (process.argv[1]?.endsWith('http-earn.ts')) printHttpRows(await benchHttpEarn(process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'));
