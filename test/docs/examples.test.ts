/**
 * Every shell example in README.md and docs/*.md, run as a reader would run it: `sh` with the real `curl`
 * (and `jq`) against `lojal serve --demo` listening on 127.0.0.1, the demo's admin key in $KEY. A block that
 * is not meant to run against the demo says so in its fence: ```sh no-run (why). Blocks run in the order of
 * the pages, one server for the file, because seeding the demo takes most of a minute.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUrl, inSinglePass, postgresWanted } from '../support/env.js';

interface Block {
  file: string;
  line: number;
  info: string;
  script: string;
}

const root = path.resolve(import.meta.dirname, '../..');
const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** The fenced ```sh blocks of a Markdown file; fences may be indented (inside a list item). */
export function shellBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```sh\b(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^ *```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(Math.min(indent, lines[j]!.length - lines[j]!.trimStart().length)));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a sh block that is never closed`);
    blocks.push({ file, line: i + 1, info: open[2]!.trim(), script: body.join('\n') });
    i = j;
  }
  return blocks;
}

const blocks = pages.flatMap((f) => shellBlocks(f, fs.readFileSync(path.join(root, f), 'utf8')));
const skipped = blocks.filter((b) => /^no-run\b/.test(b.info));
const runnable = blocks.filter((b) => !/^no-run\b/.test(b.info));
const name = (b: Block) => `${b.file}:${b.line}`;

// The placeholder the pages show for the key that `npm start` prints.
const keyPlaceholder = 'lj_…';

describe('shell examples in the docs', () => {
  it('are found, and each one either runs against the demo or says why not', () => {
    expect(runnable.length).toBeGreaterThan(20);
    for (const b of blocks) expect(b.info, `${name(b)}: unknown fence info "${b.info}"`).toMatch(/^(|no-run\b.*)$/);
    console.log(
      `Docs examples: ${runnable.length} run against the demo, ${skipped.length} marked no-run:\n` +
        skipped.map((b) => `  ${name(b)} ${b.info}`).join('\n'),
    );
  });

  it('call the API with curl -f, so that an answer other than 2xx fails the example', () => {
    for (const b of runnable) {
      const calls = b.script.match(/\bcurl\b[^|;&\n]*/g) ?? [];
      expect(calls.length, `${name(b)} runs no curl: mark it no-run or make it call the demo`).toBeGreaterThan(0);
      for (const c of calls) expect(c, `${name(b)}: use curl -fsS`).toMatch(/\bcurl -f/);
      expect(b.script, `${name(b)}: examples talk to localhost:3000, where npm start listens`).not.toMatch(/\b(?:127\.0\.0\.1|localhost):(?!3000\b)\d+/);
    }
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading: string) =>
  heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

describe('links between the pages', () => {
  it('point at files and headings that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = fs.readFileSync(path.join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#');
        const resolved = file ? path.join(path.dirname(path.join(root, page)), file) : path.join(root, page);
        if (!fs.existsSync(resolved)) {
          broken.push(`${page}: ${target}`);
          continue;
        }
        if (anchor && resolved.endsWith('.md')) {
          const headings = [...fs.readFileSync(resolved, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!));
          if (!headings.includes(anchor)) broken.push(`${page}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the configuration pages', () => {
  // The variables are read in one place; the README's table and docs/configuration.md must name each one.
  const source = fs.readFileSync(path.join(root, 'src/config/index.ts'), 'utf8');
  const variables = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): z\b/gm)].map((m) => m[1]!);

  it('name every variable src/config/index.ts reads', () => {
    expect(variables.length).toBeGreaterThan(20);
    for (const page of ['README.md', 'docs/configuration.md']) {
      const text = fs.readFileSync(path.join(root, page), 'utf8');
      const missing = variables.filter((v) => !text.includes('`' + v + '`'));
      expect(missing, `${page} does not document these variables`).toEqual([]);
    }
  });
});

// One pass is enough for the docs (test/support/env.ts, inSinglePass): against a real server when the PostgreSQL
// pass is sure to run (CI); the embedded pass, where seeding the demo alone takes a minute, leaves them to it.
describe.runIf(inSinglePass())('shell examples against the demo', () => {
  let server: ChildProcess | undefined;
  let exited: Promise<unknown> | undefined;
  let port = 0;
  let key = '';
  let workDir = '';
  let databaseName: string | undefined;
  const tools = ['curl', 'jq'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

  beforeAll(async () => {
    if (tools.length) return;
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lojal-docs-'));
    const dataDir = path.join(workDir, 'data');
    // Only what the server needs, so that a developer's own LOJAL_* settings (a mail server, a bucket) stay out.
    // Jobs off: nothing is sent anywhere, and the examples see the demo as it was seeded.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: workDir, PORT: '0', HOST: '127.0.0.1', LOJAL_DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOJAL_JOBS: 'off' };
    if (postgresWanted()) {
      databaseName = `lojal_docs_${process.pid}_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${databaseName}`);
      await admin.end();
      env.DATABASE_URL = adminUrl(databaseName);
    }
    const child = spawn(process.execPath, ['bin/lojal.js', 'serve', '--demo'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    exited = new Promise((resolve) => child.once('exit', resolve));
    let output = '';
    port = await new Promise<number>((resolve, reject) => {
      const look = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (m) resolve(Number(m[1]));
      };
      child.stdout!.on('data', look);
      child.stderr!.on('data', look);
      child.once('exit', (code) => reject(new Error(`lojal serve --demo stopped (exit ${code}) before listening:\n${output}`)));
    });
    // Written before the server listens, as `npm start` leaves it for the next start.
    key = fs.readFileSync(path.join(dataDir, 'demo-api-key.txt'), 'utf8').trim();
    expect(key).toMatch(/^lj_/);
  }, 600_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await exited;
    }
    if (databaseName) {
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
      await admin.end();
    }
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  // Like the browser tests: without the tools, one line says so and the examples are skipped, except in CI.
  it('have curl and jq to run with', () => {
    if (tools.length && process.env.LOJAL_REQUIRE_DOCS_TOOLS !== '1') {
      console.log(`Docs examples skipped: no ${tools.join(' or ')} (apt-get install ${tools.join(' ')}).`);
      return;
    }
    expect(tools, `install ${tools.join(' and ')} to run the docs' examples (LOJAL_REQUIRE_DOCS_TOOLS=1)`).toEqual([]);
  });

  for (const b of skipped) it.skip(`${name(b)} (${b.info})`, () => {});

  // Each example gets a bound that only catches a hang: on the shared 2-core machine one dashboard query took 60 s.
  for (const b of runnable) {
    it.skipIf(tools.length > 0)(name(b), async () => {
      expect(port, 'the demo server did not start').toBeGreaterThan(0);
      const script = b.script.replaceAll(keyPlaceholder, key).replaceAll('localhost:3000', `127.0.0.1:${port}`);
      const run = spawn('sh', ['-e', '-c', script], {
        cwd: workDir,
        env: { PATH: process.env.PATH, HOME: workDir, KEY: key, LC_ALL: 'C.UTF-8' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      run.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      run.stderr!.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
      expect(code, `${name(b)} failed:\n${script}\n--- output ---\n${out}`).toBe(0);
    }, 600_000);
  }
});
