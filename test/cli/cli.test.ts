import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openEmbedded } from '../../src/db/database.js';
import { createReward, rewardCreateSchema } from '../../src/rewards/index.js';
import { TEST_NOW } from '../support/app.js';
import { childClockAt } from '../support/child-clock.js';
import { onPostgres } from '../support/db.js';

/**
 * The `lojal` command as a user runs it: a real process on an embedded data directory of its own.
 * (Embedded only: the CLI's database handling is the same code for both, and the server run covers PostgreSQL.)
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lojal-cli-'));
// The commands run on a clock that starts at the test apps' time, so the events dated 2026-10 below are as old to
// them on any day the suite runs.
const env = { ...process.env, ...childClockAt(TEST_NOW).env, LOJAL_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', DATABASE_URL: '' };
delete (env as Record<string, string | undefined>).DATABASE_URL;

/** Runs `lojal` and waits for the process to end, however long a loaded machine makes it take. */
function lojal(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return lojalWith({}, ...args);
}

/** `lojal` with more variables in its environment. */
function lojalWith(more: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/lojal.js', ...args], { env: { ...env, ...more }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}


const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

let programId = '';
beforeAll(async () => {
  if (onPostgres) return;
  const created = await lojal('program', 'create', '--name', 'CLI test', '--currency', 'SEK', '--time-zone', 'Europe/Stockholm');
  expect(created.code, created.err).toBe(0);
  programId = /Program ([0-9a-f-]{36}) created/.exec(created.out)![1]!;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.skipIf(onPostgres)('lojal CLI', () => {
  it('imports accounts (parents after their branches), products and events, then shows a balance', async () => {
    const accounts = write('accounts.csv', 'external_id,name,country,segment,tags,parent_external_id\nB-1,Branch One,SE,installer,a|b,CH-1\nCH-1,The Chain,SE,builder,,\n');
    const r1 = await lojal('import', 'accounts', accounts, '--program', programId);
    expect(r1.code, r1.err + r1.out).toBe(0);
    expect(r1.out).toContain('created 2');
    const products = write('products.csv', 'sku,name,category,margin_class,unit_price\nP-1,Drill,tools,high,129900\nP-2,Screws,fasteners,low,4900\n');
    expect((await lojal('import', 'products', products, '--program', programId)).code).toBe(0);
    const rule = await lojal('key', 'create', '--program', programId, '--name', 'x', '--scopes', 'events:write');
    expect(rule.code).toBe(0);
    const events = write(
      'events.csv',
      'id,type,occurred_at,account,member,sku,quantity,amount\nE-1,purchase,2026-10-01T10:00:00Z,B-1,,P-1,1,129900\nE-1,purchase,2026-10-01T10:00:00Z,B-1,,P-2,2,9800\nE-2,app.login,2026-10-02T10:00:00Z,B-1,,,,\n',
    );
    const r3 = await lojal('import', 'events', events, '--program', programId);
    expect(r3.code, r3.err + r3.out).toBe(0);
    expect(r3.out).toContain('processed 2');
    const bal = await lojal('balance', '--program', programId, '--account', 'B-1');
    expect(bal.code, bal.err).toBe(0);
    expect(bal.out).toMatch(/available\s+0/);
  });

  it('reports bad rows by line and exits non-zero', async () => {
    const bad = write('bad.csv', 'external_id,name,country\nOK-1,Fine,SE\nBAD-1,Wrong country,Sweden\n');
    const r = await lojal('import', 'accounts', bad, '--program', programId);
    expect(r.code).toBe(1);
    expect(r.out).toContain('line 3');
    expect(r.out).toContain('country');
  });

  it('fills a reward\'s code pool from a supplier file, skipping codes it has, and refuses a reward without a pool', async () => {
    const database = await openEmbedded(env.LOJAL_DATA_DIR);
    try {
      const texts = { en: { name: 'Fuel card 500 kr' } };
      await createReward(database.db, programId, rewardCreateSchema.parse({ code: 'fuel-card', type: 'code', codeSource: 'pool', pricePoints: 50_000, texts }), new Date(TEST_NOW));
      await createReward(database.db, programId, rewardCreateSchema.parse({ code: 'drill', type: 'physical', pricePoints: 90_000, texts }), new Date(TEST_NOW));
    } finally {
      await database.close();
    }
    const codes = write('codes.csv', 'code\nFUEL-0001\nFUEL-0002\n\nFUEL-0002\nFUEL-0003,500 kr\n');
    const r = await lojal('import', 'reward-codes', codes, '--program', programId, '--reward', 'fuel-card');
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.out).toContain('4 rows: added 3, already in the pool 1; 3 codes available');
    const again = await lojal('import', 'reward-codes', codes, '--program', programId, '--reward', 'fuel-card');
    expect(again.out).toContain('added 0, already in the pool 4; 3 codes available');
    const wrong = await lojal('import', 'reward-codes', codes, '--program', programId, '--reward', 'drill');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('codeSource pool');
  });

  it('says what is wrong with the command line', async () => {
    const r = await lojal('key', 'create', '--program', programId, '--name', 'x', '--scopes', 'everything');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('unknown scope');
    const none = await lojal('balance', '--program', '01900000-0000-7000-8000-000000000000', '--account', 'X');
    expect(none.code).toBe(1);
    expect(none.err).toContain('No program');
  });

  it('analyzes the tables that grew when it runs the jobs, as no autovacuum does on the embedded database', async () => {
    const database = await openEmbedded(env.LOJAL_DATA_DIR!);
    try {
      await sql`CREATE TABLE cli_growing AS SELECT g AS id, repeat('x', 100) AS filler FROM generate_series(1, 5000) g`.execute(database.db);
    } finally {
      await database.close();
    }
    const first = await lojal('jobs');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/Planner statistics: analyzed \d+ tables that grew \(.*cli_growing/);
    const again = await lojal('jobs');
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/Planner statistics: /);
    expect(again.out).not.toContain('cli_growing');
    const check = await openEmbedded(env.LOJAL_DATA_DIR!);
    try {
      const pages = await sql<{ relpages: number }>`SELECT relpages FROM pg_class WHERE relname = 'cli_growing'`.execute(check.db);
      expect(Number(pages.rows[0]!.relpages)).toBeGreaterThan(16);
      await sql`DROP TABLE cli_growing`.execute(check.db);
    } finally {
      await check.close();
    }
  });

  it('verifies the audit log chain, and exits 1 with the broken seq after tampering', async () => {
    expect((await lojal('key', 'create', '--program', programId, '--name', 'audited 1', '--scopes', 'read')).code).toBe(0);
    expect((await lojal('key', 'create', '--program', programId, '--name', 'audited 2', '--scopes', 'read')).code).toBe(0);
    const ok = await lojal('audit', 'verify', '--program', programId);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/entries checked, the chain is whole/);
    const checkpoint = await lojal('audit', 'checkpoint', '--program', programId);
    expect(checkpoint.code, checkpoint.err).toBe(0);
    expect(JSON.parse(checkpoint.out.trim())).toMatchObject({ programId, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const checkpoints = path.join(env.LOJAL_DATA_DIR!, 'checkpoints.jsonl');
    fs.writeFileSync(checkpoints, checkpoint.out);
    const held = await lojal('audit', 'verify', '--program', programId, '--checkpoints', checkpoints);
    expect(held.out, held.err).toMatch(/1 checkpoints, the chain is whole/);
    const database = await openEmbedded(env.LOJAL_DATA_DIR!);
    try {
      await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(database.db);
      await sql`UPDATE audit_log SET actor_label = 'someone else' WHERE program_id = ${programId} AND seq = 2`.execute(database.db);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(database.db);
    } finally {
      await database.close();
    }
    const broken = await lojal('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/broken at seq 2/);
  });

  it('exports accounts as CSV for a Swedish reader and KPIs to standard output', async () => {
    const out = path.join(dir, 'accounts-sv.csv');
    const r = await lojal('export', 'accounts', '--program', programId, '--language', 'sv', '--out', out);
    expect(r.code, r.err + r.out).toBe(0);
    const bytes = fs.readFileSync(out);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = bytes.toString('utf8').slice(1).trim().split('\n');
    expect(lines[0]).toMatch(/^id;external_id;name;/);
    expect(lines.slice(1).map((l) => l.split(';')[1])).toEqual(expect.arrayContaining(['B-1', 'CH-1']));
    const kpis = await lojal('export', 'kpis', '--program', programId, '--from', '2026-10-01', '--to', '2026-10-31', '--period', 'month');
    expect(kpis.code, kpis.err).toBe(0);
    const [header, october] = kpis.out.replace(/^\uFEFF/, '').split('\n');
    expect(header).toMatch(/^period,segment,buyers,new_buyers,/);
    expect(october).toMatch(/^2026-10-01,,\d+,/);
    expect((await lojal('export', 'everything', '--program', programId)).code).toBe(1);
  });

  // An answer that failed cleanly: a message, no stack trace.
  const noTrace = (r: { err: string; out: string }) => {
    expect(r.err + r.out).not.toMatch(/Unhandled|\n\s+at [\w.<]+ \(|node:internal/);
  };
  const eventHeader = 'id,type,occurred_at,account,member,sku,quantity,amount,original_id';

  it('imports events past a row with too few cells, naming each problem by its physical line in English, and exits 1', async () => {
    const events = write(
      'events-bad-row.csv',
      [
        eventHeader,
        'R-1,purchase,2026-10-03T10:00:00Z,B-1,,P-1,1,129900,',
        '',
        'R-2,purchase,2026-10-03T11:00:00Z,B-1,,P-1,1,129900', // the empty last column left off
        'R-3,purchase,2026-10-03T12:00:00Z,NOPE1,,P-1,1,129900,',
        'R-4,purchase,2026-10-03T13:00:00Z,B-1,,P-2,1,4900,',
      ].join('\n') + '\n',
    );
    const r = await lojal('import', 'events', events, '--program', programId);
    expect(r.code, r.err + r.out).toBe(1);
    noTrace(r);
    expect(r.out).toMatch(/4 rows: processed 2, replayed 0, rejected 2; 1 rows refused/);
    expect(r.out).toContain('line 4: validation_failed the row has 8 cells, the header 9');
    expect(r.out).toContain('line 5: unknown_account No account NOPE1 in this program.');
    expect(r.out).not.toContain('{"account"');
  });

  it('ends an events import at a broken quote with the summary, and the fixed file books only what was left out', async () => {
    const rows = [eventHeader, 'Q-1,purchase,2026-10-04T10:00:00Z,B-1,,P-2,1,4900,', 'Q-2,purchase,2026-10-04T11:00:00Z,B-1,,P-2,1,4900,'];
    const broken = write('events-quote.csv', [...rows, 'Q-3,purchase,"2026-10-04T12:00:00Z,B-1,,P-2,1,4900,'].join('\n') + '\n');
    const r = await lojal('import', 'events', broken, '--program', programId);
    expect(r.code, r.err + r.out).toBe(1);
    noTrace(r);
    expect(r.out).toMatch(/\d+ rows: processed \d, replayed 0, rejected 0; 1 rows refused/);
    expect(r.out).toMatch(/line \d: invalid_csv rows from line \d on were not imported; the file is broken at line/);
    const fixed = write('events-quote-fixed.csv', [...rows, 'Q-3,purchase,2026-10-04T12:00:00Z,B-1,,P-2,1,4900,'].join('\n') + '\n');
    const again = await lojal('import', 'events', fixed, '--program', programId);
    expect(again.code, again.err + again.out).toBe(0);
    const processed = Number(/processed (\d)/.exec(r.out)![1]);
    expect(again.out).toContain(`3 rows: processed ${3 - processed}, replayed ${processed}, rejected 0`);
  });

  it('refuses a missing file and a .gz that is not gzip with a message, for events and reward codes', async () => {
    const missing = await lojal('import', 'events', path.join(dir, 'no-such.csv'), '--program', programId);
    expect(missing.code).toBe(1);
    noTrace(missing);
    expect(missing.err).toContain('no-such.csv: no such file');
    const notGzip = write('events.csv.gz', `${eventHeader}\nG-1,purchase,2026-10-04T10:00:00Z,B-1,,P-2,1,4900,\n`);
    const gz = await lojal('import', 'events', notGzip, '--program', programId);
    expect(gz.code).toBe(1);
    noTrace(gz);
    expect(gz.err).toContain('cannot be unzipped');
    const codes = await lojal('import', 'reward-codes', path.join(dir, 'no-codes.csv'), '--program', programId, '--reward', 'fuel-card');
    expect(codes.code).toBe(1);
    noTrace(codes);
    expect(codes.err).toContain('no-codes.csv: no such file');
    const codesGz = await lojal('import', 'reward-codes', notGzip, '--program', programId, '--reward', 'fuel-card');
    expect(codesGz.code).toBe(1);
    noTrace(codesGz);
    expect(codesGz.err).toContain('cannot be unzipped');
  });

  it('refuses an events file with unknown or missing columns, or no header, before sending anything', async () => {
    const misnamed = write('events-misnamed.csv', 'event_id,type,occurred_at,account\nH-1,app.login,2026-10-02T10:00:00Z,B-1\n');
    const r1 = await lojal('import', 'events', misnamed, '--program', programId);
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(/invalid_csv.*unknown columns event_id; accepted: id, type, occurred_at/);
    const semicolons = write('events-semicolons.csv', 'id;type;occurred_at;account\nH-2;app.login;2026-10-02T10:00:00Z;B-1\n');
    const r2 = await lojal('import', 'events', semicolons, '--program', programId);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain('unknown columns id;type;occurred_at;account');
    const noDate = write('events-no-date.csv', 'id,type,account\nH-3,app.login,B-1\n');
    const r3 = await lojal('import', 'events', noDate, '--program', programId);
    expect(r3.code).toBe(1);
    expect(r3.err).toContain('missing required columns: occurredAt');
    const empty = await lojal('import', 'events', write('events-empty.csv', ''), '--program', programId);
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('needs a header row');
    for (const r of [r1, r2, r3, empty]) expect(r.out).not.toMatch(/rows: processed/);
  });

  it('judges events from a CSV by LOJAL_FUTURE_TOLERANCE_SECONDS', async () => {
    // Half a day after the commands' clock starts: in the future however slow the machine, within the largest tolerance.
    const file = write('events-future.csv', `${eventHeader}\nF-1,app.login,2026-11-26T00:00:00Z,B-1,,,,,\n`);
    const refused = await lojal('import', 'events', file, '--program', programId);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('line 2: occurred_in_future occurredAt');
    const tolerated = await lojalWith({ LOJAL_FUTURE_TOLERANCE_SECONDS: String(86_400) }, 'import', 'events', file, '--program', programId);
    expect(tolerated.code, tolerated.err + tolerated.out).toBe(0);
    expect(tolerated.out).toContain('processed 1');
  });

  const retailHeader = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
  const programCount = async () => {
    const database = await openEmbedded(env.LOJAL_DATA_DIR!);
    try {
      return Number((await sql<{ n: string }>`SELECT count(*) AS n FROM programs`.execute(database.db)).rows[0]!.n);
    } finally {
      await database.close();
    }
  };

  it('checks the Online Retail file before it creates a program', async () => {
    const before = await programCount();
    const missing = await lojal('import', 'online-retail', path.join(dir, 'no-retail.csv'), '--import-id', 'cli-missing');
    expect(missing.code).toBe(1);
    noTrace(missing);
    expect(missing.err).toContain('no-retail.csv: no such file');
    const other = write('not-retail.csv', `${eventHeader}\nE-1,purchase,2026-10-01T10:00:00Z,B-1,,P-1,1,129900,\n`);
    const wrong = await lojal('import', 'online-retail', other, '--import-id', 'cli-wrong');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`expected the columns ${retailHeader}`);
    expect(missing.out + wrong.out).not.toContain('Program');
    expect(await programCount()).toBe(before);
  });

  it('exits 1 from an Online Retail import that refused events or products, listing them, and uses the future tolerance', async () => {
    const file = write(
      'retail.csv',
      [
        retailHeader,
        '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom',
        // Half a day after the commands' clock starts (UK time is UTC in November).
        '536366,71053,WHITE METAL LANTERN,6,2026-11-26 00:00:00,3.39,17850,United Kingdom',
        `536367,${'1'.repeat(70)},A STOCK CODE TOO LONG,1,2010-12-01 09:00:00,1.00,17851,United Kingdom`,
      ].join('\n') + '\n',
    );
    const r = await lojal('import', 'online-retail', file, '--import-id', 'cli-retail');
    expect(r.code, r.err + r.out).toBe(1);
    expect(r.out).toMatch(/products: 3 \(3 new, 1 refused\)|products: 3 \(2 new, 1 refused\)/);
    expect(r.out).toContain(`product ${'1'.repeat(70)}: validation_failed sku:`);
    expect(r.out).toContain('invoice 536366: occurred_in_future occurredAt');
    expect(r.out).not.toMatch(/occurred_in_future occurred_in_future|\{"occurredAt"/);
    const tolerated = await lojalWith({ LOJAL_FUTURE_TOLERANCE_SECONDS: String(86_400) }, 'import', 'online-retail', file, '--import-id', 'cli-retail');
    expect(tolerated.out).not.toContain('invoice 536366');
    expect(tolerated.out).toMatch(/This run booked 1 events/);
  });

  it('refuses impossible export dates and leaves the output file as it was when an export fails', async () => {
    const out = write('kept.csv', 'an earlier export\n');
    for (const args of [['--from', '2026-13-45'], ['--from', '2026-02-30'], ['--to', '2026-1-5'], ['--from', '2026-10-31', '--to', '2026-10-01']]) {
      const r = await lojal('export', 'kpis', '--program', programId, '--out', out, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      noTrace(r);
      expect(r.err).toMatch(/not a date of the calendar|is after --to/);
      expect(fs.readFileSync(out, 'utf8')).toBe('an earlier export\n');
    }
    const ok = await lojal('export', 'kpis', '--program', programId, '--out', out, '--from', '2024-02-29', '--to', '2026-10-31');
    expect(ok.code, ok.err).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^\uFEFFperiod,/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 1 when instance-admin finds nobody, and refuses a malformed program id with a message', async () => {
    const nobody = await lojal('staff', 'instance-admin', '--email', 'nobody@x.example');
    expect(nobody.code).toBe(1);
    expect(nobody.err).toContain('No staff user has the e-mail nobody@x.example');
    for (const args of [['balance', '--account', 'B-1'], ['audit', 'verify'], ['key', 'create', '--name', 'x']]) {
      const r = await lojal(...args, '--program', 'not-a-uuid');
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toContain('not a program id');
      expect(r.err).not.toMatch(/invalid input syntax|uuid:/);
    }
  });
});
