/**
 * Memory under a long mixed load (issue 12, item 8): one `lojal serve --demo` process on a fresh PostgreSQL
 * database, 32 connections for ten minutes sending a mix of what a program sees — single purchase events,
 * company balance reads, reward orders, and a signed-in member's portal home (profile, tier, last history lines)
 * — while this process samples the server's resident memory (RSS, from /proc) every few seconds. Prints the
 * mix's figures and the memory curve; asserts nothing. Linux only (it reads /proc).
 *
 *   npx tsx bench/soak.ts                      (ten minutes after the demo is seeded)
 *   BENCH_SOAK_SECONDS=60                      (a shorter run)
 *   BENCH_PG_URL=postgres://…/postgres         (admin URL of the server; default the local one)
 *   BENCH_SOAK_SNAPSHOTS=/some/dir             (heap snapshots of the server before and after the load, for Chrome)
 *   BENCH_SOAK_NODE_OPTIONS='--max-old-space-size=192'  (node flags for the server process; that, the documented
 *                                                       production start, is the default; '' runs it without)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildServerIfNeeded } from '../scripts/server-build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const CONNECTIONS = 32;
const SAMPLE_MS = 5_000;
const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Op = 'earn' | 'balance' | 'order' | 'portal';
/** Out of ten requests: four earns, three balance reads, one order, two portal page loads. */
const mix: Op[] = ['earn', 'balance', 'earn', 'portal', 'balance', 'earn', 'order', 'balance', 'earn', 'portal'];

interface Sample {
  second: number;
  rssMb: number;
  /** The server's own split (bench/support/memory-probe.mjs), MB: V8 heap used and reserved, outside the heap. */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

interface ProbeMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Asks the server's probe for its memory and reads its RSS from /proc at the same moment. */
function sample(child: ChildProcess, second: number): Promise<Sample> {
  return new Promise((resolve) => {
    const mb = (b: number) => b / 1024 / 1024;
    const onMessage = (m: { memory?: ProbeMemory }) => {
      if (!m.memory) return;
      child.off('message', onMessage);
      resolve({ second, rssMb: rssMb(child.pid!), heapUsedMb: mb(m.memory.heapUsed), heapTotalMb: mb(m.memory.heapTotal), externalMb: mb(m.memory.external) });
    };
    child.on('message', onMessage);
    child.send('memory');
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** User + system CPU time of a process, ms (Linux /proc, 100 ticks a second). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(', ');

/** Has the server's probe write a heap snapshot into BENCH_SOAK_SNAPSHOTS, if set. */
function snapshot(child: ChildProcess, label: string): Promise<void> {
  const dir = process.env.BENCH_SOAK_SNAPSHOTS;
  if (!dir) return Promise.resolve();
  return new Promise((resolve) => {
    const onMessage = (m: { snapshot?: string }) => {
      if (!m.snapshot) return;
      child.off('message', onMessage);
      console.log(`soak: heap snapshot ${m.snapshot}`);
      resolve();
    };
    child.on('message', onMessage);
    child.send({ snapshot: path.join(dir, `soak-${label}.heapsnapshot`) });
  });
}

/** Starts the server and collects what its banner says: the port, the admin key and the portal sign-in. */
async function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; key: string; portal: { email: string; password: string } }> {
  const flags = process.env.BENCH_SOAK_NODE_OPTIONS ?? '--max-old-space-size=192';
  const node = [...flags.split(' ').filter(Boolean), '--import', path.join(here, 'support', 'memory-probe.mjs')];
  await buildServerIfNeeded({ quiet: true });
  const child = spawn(process.execPath, [...node, path.join(here, '..', 'bin', 'lojal.js'), 'serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  return new Promise((resolve, reject) => {
    let port = 0;
    let key = '';
    createInterface({ input: child.stdout! }).on('line', (line) => {
      port ||= Number(/Lojal is running at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? 0);
      key ||= /Demo program API key \(admin\): (\S+)/.exec(line)?.[1] ?? '';
      const portal = /Portal: .* sign in as (\S+) \/ (\S+)/.exec(line);
      if (portal && port && key) resolve({ child, port, key, portal: { email: portal[1]!, password: portal[2]! } });
    });
    child.once('exit', (code) => reject(new Error(`lojal serve --demo exited with ${code}: ${errors.slice(-2000)}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Answer {
  status: number;
  body: string;
  cookies: string[];
}

function request(agent: http.Agent, port: number, method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, path: url, method, agent, headers: { ...headers, ...(payload && { 'content-type': 'application/json' }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), cookies: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function main(): Promise<void> {
  const name = `lojal_bench_soak_${process.pid}`;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  let server: ChildProcess | undefined;
  try {
    console.log('soak: seeding the demo on PostgreSQL (a minute or two)');
    const env = { ...process.env, DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LOJAL_JOBS: 'off' };
    const started = await startServer(env);
    server = started.child;
    const { port, key } = started;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const api = { authorization: `Bearer ${key}` };

    const accounts = (JSON.parse((await request(agent, port, 'GET', '/v1/accounts?limit=100', api)).body) as { data: Array<{ id: string; externalId: string }> }).data;
    const members = (JSON.parse((await request(agent, port, 'GET', '/v1/members?limit=100', api)).body) as { data: Array<{ id: string; status: string }> }).data.filter((m) => m.status === 'active');
    const rewards = (JSON.parse((await request(agent, port, 'GET', '/v1/rewards?limit=100', api)).body) as { data: Array<{ id: string; pricePoints: number; active: boolean; type: string }> }).data
      .filter((r) => r.active && (r.type === 'code' || r.type === 'charity'))
      .sort((a, b) => a.pricePoints - b.pricePoints);
    const skus = (JSON.parse((await request(agent, port, 'GET', '/v1/products?limit=50', api)).body) as { data: Array<{ sku: string }> }).data.map((p) => p.sku);
    const signIn = await request(agent, port, 'POST', '/auth/member/password-sign-in', {}, { email: started.portal.email, password: started.portal.password });
    if (signIn.status !== 200) throw new Error(`portal sign-in answered ${signIn.status}: ${signIn.body}`);
    const portal = { cookie: signIn.cookies.map((c) => c.split(';')[0]).join('; '), 'accept-language': 'sv' };
    const reward = rewards[0]?.id ?? (JSON.parse((await request(agent, port, 'GET', '/v1/rewards?limit=1', api)).body) as { data: Array<{ id: string }> }).data[0]!.id;
    // The members must be able to keep buying for the whole run, or most orders are 422s that place nothing: each
    // is topped up by hand once (the demo's approval threshold and daily adjustment limit lifted for that first).
    const price = rewards[0]?.pricePoints ?? 1_000;
    const control = JSON.parse((await request(agent, port, 'GET', '/v1/settings/control', api)).body) as { reasonCodes: Array<{ code: string; labels: Record<string, string> }> };
    const reasonCodes = control.reasonCodes.map(({ code, labels }) => ({ code, labels }));
    const lifted = await request(agent, port, 'PUT', '/v1/settings/control', api, { approvalThreshold: null, dailyAdjustmentLimit: null, reasonCodes });
    if (lifted.status !== 200) throw new Error(`lifting the adjustment limits answered ${lifted.status}: ${lifted.body}`);
    const topUp = price * Math.ceil((SECONDS * 40) / Math.max(1, members.length));
    for (const m of members) {
      const r = await request(agent, port, 'POST', `/v1/members/${m.id}/adjustments`, api, { points: topUp, reasonCode: reasonCodes[0]!.code, memo: 'soak bench top-up', idempotencyKey: `soak-topup-${m.id}` });
      if (r.status !== 201) throw new Error(`topping up a member answered ${r.status}: ${r.body}`);
    }
    console.log(`soak: ${accounts.length} accounts, ${members.length} members, ${skus.length} products; ${SECONDS} s of load at ${CONNECTIONS} connections`);

    const stats = new Map<Op, { latencies: number[]; statuses: Map<number, number> }>(mix.map((op) => [op, { latencies: [], statuses: new Map() }]));
    await snapshot(server, 'before');
    const samples: Sample[] = [await sample(server, 0)];
    const loadBefore = load();
    const cpuBefore = cpuMsOf(server.pid!);
    const t0 = performance.now();
    const sampling: Array<Promise<Sample>> = [];
    const sampler = setInterval(() => sampling.push(sample(server!, Math.round((performance.now() - t0) / 1000))), SAMPLE_MS);
    const deadline = t0 + SECONDS * 1000;
    let n = 0;
    const one = async (op: Op, i: number): Promise<number> => {
      const account = accounts[i % accounts.length]!;
      switch (op) {
        case 'earn':
          return (await request(agent, port, 'POST', '/v1/events', api, {
            id: `soak-${process.pid}-${i}`,
            type: 'purchase',
            occurredAt: new Date(Date.now() - 60_000).toISOString(),
            account: account.externalId,
            lines: [0, 1].map((k) => ({ sku: skus[(i + k * 7) % skus.length], quantity: 1 + (i % 3), amount: 5_000 + ((i * 97) % 50_000) })),
          })).status;
        case 'balance':
          return (await request(agent, port, 'GET', `/v1/accounts/${account.id}/balance`, api)).status;
        case 'order':
          return (await request(agent, port, 'POST', '/v1/reward-orders', api, { reward, memberId: members[i % members.length]!.id, idempotencyKey: `soak-order-${process.pid}-${i}` })).status;
        case 'portal': {
          const pages = ['/portal/v1/me', '/portal/v1/tier', '/portal/v1/history?limit=5'];
          let status = 200;
          for (const p of pages) status = Math.max(status, (await request(agent, port, 'GET', p, portal)).status);
          return status;
        }
      }
    };
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < deadline) {
          const i = n++;
          const op = mix[i % mix.length]!;
          const s = performance.now();
          const status = await one(op, i);
          const st = stats.get(op)!;
          st.latencies.push(performance.now() - s);
          st.statuses.set(status, (st.statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    clearInterval(sampler);
    samples.push(...(await Promise.all(sampling)), await sample(server, Math.round((performance.now() - t0) / 1000)));
    const cpuMs = cpuMsOf(server.pid!) - cpuBefore;
    await snapshot(server, 'after');
    agent.destroy();

    const seconds = (performance.now() - t0) / 1000;
    console.log(`\nMixed load on PostgreSQL: one lojal serve --demo process, ${CONNECTIONS} connections, ${Math.round(seconds)} s\n`);
    console.log('| request | count | per s | p50 ms | p99 ms | answers |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const [op, st] of stats) {
      const l = st.latencies.sort((a, b) => a - b);
      const at = (q: number) => l[Math.min(l.length - 1, Math.floor(q * l.length))] ?? 0;
      const answers = [...st.statuses].sort(([a], [b]) => a - b).map(([s, c]) => `${c}×${s}`).join(' ');
      const what = { earn: 'POST /v1/events (one purchase)', balance: 'GET account balance', order: 'POST /v1/reward-orders', portal: 'portal home (me, tier, history)' }[op];
      console.log(`| ${what} | ${l.length} | ${Math.round(l.length / seconds)} | ${at(0.5).toFixed(1)} | ${at(0.99).toFixed(1)} | ${answers} |`);
    }
    const requests = [...stats.values()].reduce((sum, st) => sum + st.latencies.length, 0);
    console.log(`\nServer CPU: ${(cpuMs / 1000).toFixed(0)} s over the load, ${(cpuMs / requests).toFixed(2)} ms per request (${requests} requests, ${Math.round(requests / seconds)} per s)`);
    const peak = Math.max(...samples.map((s) => s.rssMb));
    const tenth = Math.max(1, Math.floor(samples.length / 10));
    console.log(`\nServer RSS: ${samples[0]!.rssMb.toFixed(0)} MB before the load, peak ${peak.toFixed(0)} MB, ${samples.at(-1)!.rssMb.toFixed(0)} MB at the end`);
    console.log('| second | RSS MB | heap used MB | heap total MB | external MB |');
    console.log('|---:|---:|---:|---:|---:|');
    for (const [i, s] of samples.entries()) {
      if (i % tenth === 0 || i === samples.length - 1) {
        console.log(`| ${s.second} | ${s.rssMb.toFixed(0)} | ${s.heapUsedMb.toFixed(0)} | ${s.heapTotalMb.toFixed(0)} | ${s.externalMb.toFixed(0)} |`);
      }
    }
    console.log(`\n${os.cpus().length} cores, load average (1, 5, 15 min) ${loadBefore} before the load, ${load()} at the end`);
  } finally {
    if (server) await stop(server);
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await client.end().catch(() => {});
  }
}

await main();
