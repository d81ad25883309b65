/**
 * The member portal's home page over HTTP on PostgreSQL, for members with a year of history and, in the same run,
 * members of a twin program with none, so the cost of the year shows as a ratio. The data is made by the real
 * functions (accounts, members, rules and a tier ladder; purchases ingested week by week with the week's releases
 * of pending points, a monthly adjustment and order per member, backdated through the injected clock and
 * occurredAt; then the tier job), so every kept figure agrees with the history. The Lojal server runs as a real process (`bin/lojal.js serve`) on 127.0.0.1;
 * members are signed in by session cookies as the sign-in leaves them. Prints a table; asserts nothing.
 *
 * The page's requests are those web/portal/pages/Home.tsx makes on first load, in the browser's order: the
 * session (the shell waits for it), then balance, tier, onboarding, learn, courses, content, certificates and
 * campaigns at once, then, once those have come, the latest history lines and the profile (the tier card's).
 * A page is timed from the first request to the last answer. Per request, each path alone with
 * `CONNECTIONS` in flight; for the page, browsers of `BROWSER_SOCKETS` connections each, `CONNECTIONS` in all.
 *
 *   npx tsx bench/portal-home.ts
 *   BENCH_PORTAL_ACCOUNTS=100                  companies per program, two members each (default 100)
 *   BENCH_PORTAL_PER_WEEK=3                    purchases per company and week over the year (default 3)
 *   BENCH_PORTAL_REQUESTS=2000                 requests per path and measured run (default 2,000); pages: a quarter
 *   BENCH_PG_URL=postgres://…/postgres         admin URL of the server (default the local one)
 *
 * Beside req/s and latency it prints the CPU time per request (per page) of the server process and of the
 * PostgreSQL backends serving it (from /proc), which the machine's other load changes far less than the rates.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { createAccount } from '../src/accounts/accounts.js';
import { createMember } from '../src/accounts/members.js';
import { openPostgres, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { analyzeGrownTables } from '../src/db/statistics.js';
import { ingestEvents } from '../src/events/ingest.js';
import { adjust, spend } from '../src/ledger/operations.js';
import { getHistory } from '../src/ledger/queries.js';
import { releaseDueLots } from '../src/ledger/writer.js';
import { createProgram, type Program } from '../src/programs/programs.js';
import { createRule } from '../src/rules/store.js';
import { chooseSessionMember, createSession } from '../src/sessions/store.js';
import { evaluateTiers } from '../src/tiers/job.js';
import { qualifyingTotals, replaceTierConfig } from '../src/tiers/store.js';
import { qualifyingWindow } from '../src/tiers/evaluate.js';
import { start, stop } from './http-earn.js';
import { cpuMsOf } from './support/cpu.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ACCOUNTS = Number(process.env.BENCH_PORTAL_ACCOUNTS ?? 100);
const PER_WEEK = Number(process.env.BENCH_PORTAL_PER_WEEK ?? 3);
const REQUESTS = Number(process.env.BENCH_PORTAL_REQUESTS ?? 2000);
const CONNECTIONS = 32;
const BROWSER_SOCKETS = 8;
const POOL = 10;
const DAY = 86_400_000;
const SKUS = 20;

/** The home page's first load, wave by wave: a wave starts when the one before has been answered. */
const waves = [
  ['/auth/member/session'],
  ['/portal/v1/balance', '/portal/v1/tier', '/portal/v1/onboarding', '/portal/v1/learn', '/portal/v1/courses', '/portal/v1/content', '/portal/v1/certificates', '/portal/v1/campaigns'],
  ['/portal/v1/history?limit=5', '/portal/v1/me'],
];

interface Target {
  program: Program;
  /** Cookies of signed-in members, one per member. */
  cookies: string[];
  members: string[];
}

const names = (en: string) => ({ en, sv: en, nb: en, pl: en, de: en });

/** A program with its tier ladder, rules and companies of two members each (the first the company's owner). */
async function program(database: Database, label: string): Promise<{ program: Program; accounts: Array<{ id: string; ext: string; members: Array<{ id: string; ext: string; email: string }> }> }> {
  const db = database.db;
  const p = await createProgram(db, { name: `Portal bench ${label}`, currency: 'SEK', timeZone: 'Europe/Stockholm', pendingDays: 14, expiryPolicy: { kind: 'rolling', months: 24 } });
  await db.insertInto('products').values(Array.from({ length: SKUS }, (_, i) => ({ program_id: p.id, sku: `SKU-${i}`, name: `Product ${i}`, attributes: '{}' })) as never).execute();
  const since = '2020-01-01T00:00:00Z';
  const now = new Date();
  await createRule(db, p.id, { name: 'Points per SEK, to the buyer', effectiveFrom: since, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } } }, now);
  await createRule(db, p.id, { name: 'Points per SEK, to the company', effectiveFrom: since, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 2000 }, recipient: { type: 'account' } } }, now);
  await replaceTierConfig(db, p.id, {
    settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 0 },
    levels: [
      { code: 'silver', rank: 1, names: names('Silver'), threshold: 1_000, multiplierHundredths: 100, discountBasisPoints: 0, rewardTags: [] },
      { code: 'gold', rank: 2, names: names('Gold'), threshold: 5_000, multiplierHundredths: 100, discountBasisPoints: 0, rewardTags: [] },
      { code: 'platinum', rank: 3, names: names('Platinum'), threshold: 1_000_000, multiplierHundredths: 100, discountBasisPoints: 0, rewardTags: [] },
    ],
  });
  const accounts = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    const account = await createAccount(db, p.id, { name: `Company ${a}`, externalId: `A-${a}` }, now);
    const members = [];
    for (let m = 0; m < 2; m++) {
      const ext = `M-${a}-${m}`;
      const email = `${label}-${a}-${m}@example.com`;
      const member = await createMember(db, p.id, { name: `Member ${a}-${m}`, externalId: ext, email, accountId: account.id, ...(m === 0 && { role: 'owner' }) }, now);
      members.push({ id: member.id, ext, email });
    }
    accounts.push({ id: account.id, ext: `A-${a}`, members });
  }
  return { program: p, accounts };
}

/**
 * A year up to now, week by week: `PER_WEEK` purchases per company (by either member), and on the first week of each
 * month an adjustment and an order (a spend) per member, each at its own time, so balances, lots and the tier
 * figures are what the writer made of that history.
 */
async function year(database: Database, p: Program, accounts: Awaited<ReturnType<typeof program>>['accounts']): Promise<number> {
  const db = database.db;
  const end = Date.now() - DAY;
  const startAt = end - 364 * DAY;
  let events = 0;
  for (let week = 0; week < 52; week++) {
    const weekStart = startAt + week * 7 * DAY;
    const batch = [];
    for (const [a, account] of accounts.entries()) {
      for (let k = 0; k < PER_WEEK; k++) {
        const at = weekStart + ((a * 7 + k * 2) % 7) * DAY + ((a * 37 + k * 13) % 600) * 60_000;
        batch.push({
          id: `P-${account.ext}-${week}-${k}`,
          type: 'purchase',
          occurredAt: new Date(at).toISOString(),
          account: account.ext,
          member: account.members[(week + k) % 2]!.ext,
          lines: [0, 1].map((l) => ({ sku: `SKU-${(a + week + k + l * 7) % SKUS}`, quantity: 1 + ((a + l) % 3), amount: 20_000 + ((a * 97 + week * 31 + k * 13 + l) % 40) * 5_000 })),
        });
      }
    }
    for (let i = 0; i < batch.length; i += 500) {
      const items = await ingestEvents(db, p, batch.slice(i, i + 500), { now: new Date(weekStart + 7 * DAY), futureToleranceSeconds: 0 });
      const bad = items.find((x) => x.status !== 'processed');
      if (bad) throw new Error(`bench event not processed: ${JSON.stringify(bad)}`);
      events += items.length;
    }
    // What the server's jobs do where no autovacuum runs (this machine's PostgreSQL has it off): without it the
    // year's inserts keep plans made for empty tables and the set-up slows to a crawl as the tables grow.
    await analyzeGrownTables(db);
    // The release job's work, as it would have run through the week: pending points past their 14 days.
    while ((await db.transaction().execute((trx) => releaseDueLots(trx, p.id, new Date(weekStart + 7 * DAY)))) > 0);
    if (week % 4 === 3) {
      const at = new Date(weekStart + 6 * DAY);
      for (const account of accounts) {
        for (const m of account.members) {
          await adjust(db, p, { walletId: m.id, points: 50, reasonCode: 'goodwill', memo: 'Monthly thank you', idempotencyKey: `adj-${m.id}-${week}`, actor: 'bench' }, at);
          await spend(db, p, { walletId: m.id, points: 40, memo: 'Order in the web shop', reference: `O-${m.ext}-${week}`, idempotencyKey: `order-${m.id}-${week}`, actor: 'bench' }, new Date(at.getTime() + 3_600_000));
        }
      }
    }
  }
  await evaluateTiers(db, p.id, new Date());
  return events;
}

async function signIn(database: Database, p: Program, accounts: Awaited<ReturnType<typeof program>>['accounts']): Promise<Target> {
  const cookies: string[] = [];
  const members: string[] = [];
  for (const account of accounts) {
    for (const m of account.members) {
      const { token, session } = await createSession(database.db, { kind: 'member', email: m.email }, new Date());
      await chooseSessionMember(database.db, session.id, p.id, m.id);
      cookies.push(`lojal_member=${token}`);
      members.push(m.id);
    }
  }
  return { program: p, cookies, members };
}

// ------------------------------------------------------------------------------------------------ the client

function get(port: number, agent: http.Agent, path: string, cookie: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: { cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        resolve();
      });
    });
    req.on('error', reject);
  });
}

interface Run {
  count: number;
  seconds: number;
  p50: number;
  p99: number;
  serverCpuMs: number;
  databaseCpuMs: number;
}

function quantiles(latencies: number[]): { p50: number; p99: number } {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

/** One path, `n` requests over `CONNECTIONS` keep-alive connections, each for the next member in turn. */
async function onePath(port: number, path: string, cookies: string[], n: number): Promise<Omit<Run, 'serverCpuMs' | 'databaseCpuMs'>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = performance.now();
        await get(port, agent, path, cookies[i % cookies.length]!);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { count: n, seconds, ...quantiles(latencies) };
}

/** `n` whole pages: browsers of BROWSER_SOCKETS connections each, CONNECTIONS connections in all, a page after a page. */
async function pages(port: number, cookies: string[], n: number): Promise<Omit<Run, 'serverCpuMs' | 'databaseCpuMs'>> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS / BROWSER_SOCKETS }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: BROWSER_SOCKETS });
      for (let i = next++; i < n; i = next++) {
        const cookie = cookies[(i * 7) % cookies.length]!;
        const s = performance.now();
        for (const wave of waves) await Promise.all(wave.map((p) => get(port, agent, p, cookie)));
        latencies.push(performance.now() - s);
      }
      agent.destroy();
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { count: n, seconds, ...quantiles(latencies) };
}

/** Runs `run` and adds the CPU time per request (or page) of the server process and of the bench database's backends. */
async function measured(admin: pg.Client, dbName: string, server: number, run: () => Promise<Omit<Run, 'serverCpuMs' | 'databaseCpuMs'>>): Promise<Run> {
  const backends = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((r) => r.pid);
  const before = new Map([server, ...(await backends())].map((pid) => [pid, cpuMsOf(pid)]));
  const result = await run();
  const spent = (pids: number[]) => pids.reduce((s, pid) => s + (cpuMsOf(pid) - (before.get(pid) ?? cpuMsOf(pid))), 0);
  return { ...result, serverCpuMs: spent([server]) / result.count, databaseCpuMs: spent(await backends()) / result.count };
}

/** The plans of the hot statements for one member with a year of history: they must be index range scans. */
async function plans(database: Database, t: Target): Promise<void> {
  const db = database.db;
  const memberId = t.members[0]!;
  const window = qualifyingWindow({ windowKind: 'rolling', windowMonths: 12 }, new Date(), t.program.timeZone);
  const explain = async (what: string, run: () => Promise<unknown>) => {
    // auto_explain is not there everywhere: the statements are caught once as the function sends them.
    const log = await captureStatements(run);
    for (const s of log) {
      const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql.raw(s.sql)}`.execute(db).catch(() => null);
      if (!plan) continue;
      console.log(`  ${what}:\n${plan.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
    }
  };
  await explain('tier qualifying total (member)', () => qualifyingTotals(db, t.program.id, 'points', 'member', window, [memberId]));
  await explain('latest history lines', () => getHistory(db, t.program.id, memberId, { limit: 5, language: 'en', currency: 'SEK' }));
}

/** The statements `run` sends, with their parameters inlined (for EXPLAIN). */
async function captureStatements(run: () => Promise<unknown>): Promise<Array<{ sql: string }>> {
  const out: Array<{ sql: string }> = [];
  const original = pg.Client.prototype.query;
  const literal = (v: unknown): string =>
    v === null || v === undefined
      ? 'NULL'
      : Array.isArray(v)
        ? `ARRAY[${v.map(literal).join(',')}]`
        : v instanceof Date
          ? `'${v.toISOString()}'`
          : typeof v === 'number'
            ? String(v)
            : `'${String(v).replace(/'/g, "''")}'`;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text: string; values?: unknown[] };
    const text = typeof q === 'string' ? q : q.text;
    const values = (typeof q === 'string' ? (args[1] as unknown[] | undefined) : q.values) ?? [];
    out.push({ sql: text.replace(/\$(\d+)/g, (_, i: string) => literal(values[Number(i) - 1])) });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = original;
  }
  return out;
}

export async function benchPortalHome(adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'): Promise<void> {
  const name = `lojal_bench_portal_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  admin.on('error', () => {});
  const children: ChildProcess[] = [];
  const rows: Array<{ history: string; what: string; run: Run }> = [];
  let loadStart = '';
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const database = await openPostgres(url.toString(), 4);
    const targets: Array<{ history: string; target: Target }> = [];
    try {
      await migrate(database);
      const t0 = performance.now();
      const full = await program(database, 'year');
      const events = await year(database, full.program, full.accounts);
      const empty = await program(database, 'none');
      await evaluateTiers(database.db, empty.program.id, new Date());
      await sql`ANALYZE`.execute(database.db);
      const counts = await sql<{ journals: string; entries: string }>`
        SELECT (SELECT count(*) FROM journals WHERE program_id = ${full.program.id}) AS journals,
               (SELECT count(*) FROM entries WHERE program_id = ${full.program.id}) AS entries`.execute(database.db);
      console.log(
        `\nPortal home: a year of ${events.toLocaleString('en')} purchases, ${Number(counts.rows[0]!.journals).toLocaleString('en')} journals and ` +
          `${Number(counts.rows[0]!.entries).toLocaleString('en')} entries over ${ACCOUNTS} companies and ${ACCOUNTS * 2} members, made in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
      targets.push({ history: 'a year', target: await signIn(database, full.program, full.accounts) });
      targets.push({ history: 'none', target: await signIn(database, empty.program, empty.accounts) });
      await plans(database, targets[0]!.target);
    } finally {
      await database.close();
    }
    const env = { ...process.env, DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', LOJAL_DB_POOL_SIZE: String(POOL) };
    const s = await start(process.execPath, [path.join(here, '..', 'bin', 'lojal.js'), 'serve'], env, /Lojal is running at http:\/\/127\.0\.0\.1:(\d+)/);
    children.push(s.child);
    const port = Number(s.match[1]);
    const pid = s.child.pid!;
    // Warm-up: connections, JIT, plan caches, for both programs.
    for (const { target } of targets) await pages(port, target.cookies, 200);
    loadStart = (await uptime()).trim();
    for (const path of waves.flat()) {
      for (const { history, target } of targets) rows.push({ history, what: path, run: await measured(admin, name, pid, () => onePath(port, path, target.cookies, REQUESTS)) });
    }
    for (const { history, target } of targets) rows.push({ history, what: 'the whole page (11 requests in 3 waves)', run: await measured(admin, name, pid, () => pages(port, target.cookies, Math.ceil(REQUESTS / 4))) });
  } catch (err) {
    console.log(`Portal home bench failed: ${(err as Error).stack}`);
  } finally {
    await Promise.all(children.map(stop));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end().catch(() => {});
  }
  if (rows.length === 0) return;
  console.log(`\nThe member portal's home page over HTTP on PostgreSQL: ${CONNECTIONS} connections, ${REQUESTS.toLocaleString('en')} requests per path, pages a quarter of that, pool ${POOL}`);
  console.log(`load average at the start: ${loadStart}; at the end: ${(await uptime()).trim()}\n`);
  console.log('| request | history | req/s (pages/s) | p50 ms | p99 ms | server CPU ms | PostgreSQL CPU ms | year ÷ none, CPU |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const none = rows.find((x) => x.what === r.what && x.history === 'none')!.run;
    const cpu = (x: Run) => x.serverCpuMs + x.databaseCpuMs;
    console.log(
      `| ${r.what} | ${r.history} | ${Math.round(r.run.count / r.run.seconds).toLocaleString('en')} | ${r.run.p50.toFixed(1)} | ${r.run.p99.toFixed(1)} | ` +
        `${r.run.serverCpuMs.toFixed(2)} | ${r.run.databaseCpuMs.toFixed(2)} | ${r.history === 'none' ? '' : (cpu(r.run) / cpu(none)).toFixed(2)} |`,
    );
  }
}

async function uptime(): Promise<string> {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

if (process.argv[1]?.endsWith('portal-home.ts')) await benchPortalHome();
