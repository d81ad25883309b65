/**
 * Memory while large files are uploaded (issue 11, item 6): one `lojal serve` process on a fresh PostgreSQL
 * database takes ten 99 MB evidence uploads at once (each body made as it is sent, so this process never holds
 * one whole), while this process samples the server's resident memory (VmRSS from /proc). Prints the answers,
 * the time and RSS before, at the peak and after; asserts nothing. Linux only (it reads /proc).
 *
 *   npx tsx bench/uploads.ts
 *   BENCH_UPLOADS=10 BENCH_UPLOAD_MB=99                (how many uploads at once, and their size)
 *   BENCH_UPLOADS_CHECKOUT=/path/to/another/checkout   (run that checkout's server instead, e.g. an older commit)
 *   BENCH_PG_URL=postgres://…/postgres                 (admin URL of the server; default the local one)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const checkout = path.resolve(process.env.BENCH_UPLOADS_CHECKOUT ?? path.join(here, '..'));
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 10);
const MB = 1024 * 1024;
const FILE_BYTES = Number(process.env.BENCH_UPLOAD_MB ?? 99) * MB;
const SAMPLE_MS = 100;
const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0) / 1024;
}

const lojal = (args: string[], env: NodeJS.ProcessEnv) => promisify(execFile)(process.execPath, [path.join(checkout, 'bin', 'lojal.js'), ...args], { env, cwd: checkout });

function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [path.join(checkout, 'bin', 'lojal.js'), 'serve'], { env, cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const port = Number(/Lojal is running at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? 0);
      if (port) resolve({ child, port });
    });
    child.once('exit', (code) => reject(new Error(`lojal serve exited with ${code}: ${errors.slice(-2000)}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One upload: a PDF header, then spaces, made chunk by chunk as the socket takes them. */
function upload(port: number, key: string, n: number): Promise<{ status: number; body: string }> {
  const boundary = `lojal-bench-${n}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan-${n}.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/evidence?account=BENCH-1',
        headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + (FILE_BYTES - 9) + tail.length },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    let left = FILE_BYTES - 9;
    const write = () => {
      if (!req.write(head)) return req.once('drain', more);
      more();
    };
    const more = () => {
      while (left > 0) {
        const part = chunk.subarray(0, Math.min(chunk.length, left));
        left -= part.length;
        if (!req.write(part)) return req.once('drain', more);
      }
      req.end(tail);
    };
    write();
  });
}

async function main(): Promise<void> {
  const name = `lojal_bench_uploads_${process.pid}`;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lojal-bench-uploads-'));
  let server: ChildProcess | undefined;
  try {
    const env = {
      ...process.env,
      DATABASE_URL: url.toString(),
      LOJAL_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      LOJAL_JOBS: 'off',
      LOJAL_EVIDENCE_MAX_BYTES: String(FILE_BYTES + MB),
    };
    const created = await lojal(['program', 'create', '--name', 'Upload bench', '--currency', 'SEK'], env);
    const key = /Admin API key \(shown once\): (\S+)/.exec(created.stdout)?.[1];
    if (!key) throw new Error(`no key in: ${created.stdout}`);
    const started = await startServer(env);
    server = started.child;
    const { port } = started;
    const account = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/v1/accounts', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ externalId: 'BENCH-1', name: 'Bench account' }));
    });
    if (account !== 201) throw new Error(`creating the account answered ${account}`);

    const pid = server.pid!;
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), SAMPLE_MS);
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: UPLOADS }, (_, i) => upload(port, key, i)));
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid));
    const after = rssMb(pid);
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    const failed = answers.find((a) => a.status !== 201);

    let commit = '';
    try {
      commit = (await promisify(execFile)('git', ['-C', checkout, 'log', '-1', '--format=%h %s'])).stdout.trim().slice(0, 80);
    } catch {
      commit = checkout;
    }
    console.log(`\n${UPLOADS} uploads of ${FILE_BYTES / MB} MB at once to POST /v1/evidence, one lojal serve process on PostgreSQL (${commit})\n`);
    console.log('| server RSS before | peak | after | seconds | MB/s in | answers |');
    console.log('|---:|---:|---:|---:|---:|---|');
    const answered = [...statuses].map(([s, c]) => `${c}×${s}`).join(' ');
    console.log(`| ${before.toFixed(0)} MB | ${peak.toFixed(0)} MB | ${after.toFixed(0)} MB | ${seconds.toFixed(1)} | ${((UPLOADS * FILE_BYTES) / MB / seconds).toFixed(0)} | ${answered} |`);
    if (failed) console.log(`\nfirst refusal: ${failed.body.slice(0, 300)}`);
    console.log(`\n${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} (1, 5, 15 min)`);
  } finally {
    if (server) await stop(server);
    await fs.rm(dataDir, { recursive: true, force: true });
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await client.end().catch(() => {});
  }
}

await main();
