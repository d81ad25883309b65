import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedCatalog } from '../support/fixtures.js';
import { postMultipart } from '../support/multipart.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

interface Job {
  id: string;
  state: 'running' | 'finished' | 'failed';
  total: number;
  done: number;
  created: number;
  updated: number;
  replayed: number;
  failed: number;
  errors: Array<{ line: number; code: string; message: string }>;
  failure: { code: string; message: string } | null;
}

const upload = async (kind: string, csv: string, key = t.key, fileName = `${kind}.csv`) =>
  postMultipart(t, `/v1/imports?kind=${kind}`, [{ name: 'file', fileName, bytes: Buffer.from(csv), contentType: 'text/csv' }], key);

/** Polls the job until it has ended (the import runs after the upload is answered). */
async function finished(id: string, key = t.key): Promise<Job> {
  for (;;) {
    const res = await t.call('GET', `/v1/imports/${id}`, undefined, key);
    expect(res.statusCode).toBe(200);
    const job = res.json() as Job;
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('console CSV imports as jobs', () => {
  it('imports accounts: good rows land, the bad line is reported by number, a re-upload duplicates nothing', async () => {
    const { key } = await t.newProgram();
    const csv = 'external_id,name,country,segment\nIMP-1,Import One,SE,installer\nIMP-2,Import Two,Sweden,installer\nIMP-3,Import Three,NO,dealer\n';
    const res = await upload('accounts', csv, key);
    expect(res.statusCode, res.body).toBe(202);
    const started = res.json() as Job;
    expect(started.total).toBe(3);
    const job = await finished(started.id, key);
    expect(job).toMatchObject({ state: 'finished', total: 3, done: 3, created: 2, updated: 0, failed: 1, failure: null });
    expect(job.errors).toHaveLength(1);
    expect(job.errors[0]).toMatchObject({ line: 3, code: 'validation_failed' });
    expect(job.errors[0]!.message).toContain('country');

    const again = await finished((await upload('accounts', csv, key)).json().id, key);
    expect(again).toMatchObject({ state: 'finished', created: 0, updated: 2, failed: 1 });
    const list = (await t.call('GET', '/v1/accounts?q=import', undefined, key)).json();
    expect(list.data.map((a: { externalId: string }) => a.externalId)).toEqual(['IMP-1', 'IMP-3']);
    const recent = (await t.call('GET', '/v1/imports', undefined, key)).json();
    expect(recent.data.map((j: Job) => j.id)).toEqual([again.id, job.id]);
  });

  it('imports members of accounts named by external id', async () => {
    const { key } = await t.newProgram();
    await t.call('POST', '/v1/accounts', { externalId: 'ACC-1', name: 'Member Home' }, key);
    const csv = 'external_id,account_external_id,name,email\nM-1,ACC-1,Ada Import,ada@example.com\nM-2,NOPE,Bo Import,bo@example.com\n';
    const job = await finished((await upload('members', csv, key)).json().id, key);
    expect(job).toMatchObject({ state: 'finished', created: 1, failed: 1 });
    expect(job.errors[0]).toMatchObject({ line: 3, code: 'unknown_account' });
  });

  it('imports purchase events once: a re-upload replays them and books no points twice', async () => {
    const { programId, key } = await t.newProgram();
    await seedCatalog(t, programId);
    const account = (await t.call('POST', '/v1/accounts', { externalId: 'EV-1', name: 'Event Buyer' }, key)).json();
    const rule = await t.call(
      'POST',
      '/v1/rules',
      { name: 'Per SEK', effectiveFrom: '2020-01-01T00:00:00Z', definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'account' } } },
      key,
    );
    expect(rule.statusCode, rule.body).toBe(201);
    const csv =
      'id,type,occurred_at,account,sku,quantity,amount\n' +
      'P-1,purchase,2026-10-01T10:00:00Z,EV-1,DRILL,1,100000\n' +
      'P-2,purchase,not-a-date,EV-1,PAINT,1,50000\n' +
      'P-3,purchase,2026-10-02T10:00:00Z,EV-1,PLANK,2,20000\n';
    const job = await finished((await upload('events', csv, key)).json().id, key);
    expect(job).toMatchObject({ state: 'finished', total: 3, done: 3, created: 2, failed: 1 });
    expect(job.errors.map((e) => e.line)).toEqual([3]);
    const balance = async () => (await t.call('GET', `/v1/accounts/${account.id}/balance`, undefined, key)).json().available;
    expect(await balance()).toBe(120);
    // The import refreshed the planner's statistics of the tables it grew (after its first batch): they count its lines.
    const lines = await sql<{ reltuples: number }>`SELECT reltuples FROM pg_class WHERE relname = 'event_lines' AND relnamespace = current_schema()::regnamespace`.execute(t.database.db);
    expect(Number(lines.rows[0]!.reltuples)).toBe(2);

    const again = await finished((await upload('events', csv, key)).json().id, key);
    expect(again).toMatchObject({ state: 'finished', created: 0, replayed: 2, failed: 1 });
    expect(await balance()).toBe(120);
  });

  it('judges uploaded events by the configured future tolerance, and says what is wrong in English', async () => {
    // An hour after the test apps' clock, which stands still: refused with the default 300 s, accepted with a day.
    const csv = 'id,type,occurred_at,account\nFUT-1,app.login,2026-11-25T13:00:00Z,FUT-A\n';
    const { key } = await t.newProgram();
    await t.call('POST', '/v1/accounts', { externalId: 'FUT-A', name: 'Future' }, key);
    const refused = await finished((await upload('events', csv, key)).json().id, key);
    expect(refused).toMatchObject({ state: 'finished', created: 0, failed: 1 });
    expect(refused.errors[0]).toMatchObject({ line: 2, code: 'occurred_in_future' });
    expect(refused.errors[0]!.message).toContain('lies more than 300 seconds in the future');

    const tolerant = await startTestApp({ LOJAL_FUTURE_TOLERANCE_SECONDS: '86400' });
    try {
      const other = await tolerant.newProgram();
      await tolerant.call('POST', '/v1/accounts', { externalId: 'FUT-A', name: 'Future' }, other.key);
      const res = await postMultipart(tolerant, '/v1/imports?kind=events', [{ name: 'file', fileName: 'events.csv', bytes: Buffer.from(csv), contentType: 'text/csv' }], other.key);
      expect(res.statusCode, res.body).toBe(202);
      let job = res.json() as Job;
      while (job.state === 'running') {
        await new Promise((r) => setTimeout(r, 20));
        job = (await tolerant.call('GET', `/v1/imports/${job.id}`, undefined, other.key)).json() as Job;
      }
      expect(job).toMatchObject({ state: 'finished', created: 1, failed: 0 });
    } finally {
      await tolerant.close();
    }
  });

  it('refuses an events file whose header names columns it does not know, and sends nothing', async () => {
    const { key } = await t.newProgram();
    const job = await finished((await upload('events', 'event_id,type,occurred_at,account\nX-1,app.login,2026-10-01T10:00:00Z,A\n', key)).json().id, key);
    expect(job.state).toBe('failed');
    expect(job.failure?.code).toBe('invalid_csv');
    expect(job.failure?.message).toContain('unknown columns event_id');
  });

  it('fails the whole job with a message when the header is wrong, and writes nothing', async () => {
    const { key } = await t.newProgram();
    const job = await finished((await upload('accounts', 'name,colour\nX,blue\n', key)).json().id, key);
    expect(job.state).toBe('failed');
    expect(job.failure?.code).toBe('invalid_csv');
    expect(job.failure?.message).toContain('colour');
    expect((await t.call('GET', '/v1/accounts', undefined, key)).json().data).toEqual([]);
  });

  it('refuses an upload without a file, a caller without the write scope, and an unknown kind', async () => {
    const noFile = await postMultipart(t, '/v1/imports?kind=accounts', [{ name: 'other', value: 'x' }]);
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().errors[0].path).toBe('file');
    const reader = await t.keyWith(['read']);
    expect((await upload('accounts', 'external_id,name\nA,B\n', reader)).statusCode).toBe(403);
    const accountsOnly = await t.keyWith(['accounts:write']);
    expect((await upload('events', 'id\n', accountsOnly)).statusCode).toBe(403);
    expect((await upload('products', 'sku\n')).statusCode).toBe(400);
    const other = await t.newProgram();
    const mine = (await upload('accounts', 'external_id,name\nZ-1,Zed\n')).json();
    await finished(mine.id);
    expect((await t.call('GET', `/v1/imports/${mine.id}`, undefined, other.key)).statusCode).toBe(404);
    const noKind = await postMultipart(t, '/v1/imports', [{ name: 'file', fileName: 'a.csv', bytes: Buffer.from('external_id,name\nA,B\n') }]);
    expect(noKind.statusCode).toBe(400);
  });

  it('still takes the upload at its path before issue 19, POST /v1/imports/{kind}, which the document no longer shows', async () => {
    const { key } = await t.newProgram();
    const res = await postMultipart(t, '/v1/imports/accounts', [{ name: 'file', fileName: 'old.csv', bytes: Buffer.from('external_id,name\nOLD-1,Old Path AB\n'), contentType: 'text/csv' }], key);
    expect(res.statusCode, res.body).toBe(202);
    expect(await finished(res.json().id, key)).toMatchObject({ state: 'finished', kind: 'accounts', created: 1 });
    const doc = (await t.call('GET', '/openapi.json', undefined, null)).json();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/imports')).sort()).toEqual(['/v1/imports', '/v1/imports/{id}']);
    expect(Object.keys(doc.paths['/v1/imports']).sort()).toEqual(['get', 'post']);
  });
});

describe('an import whose server process stopped', () => {
  it('is reported as interrupted, in the reader’s language, once its heartbeat is two minutes old; a live one is left alone', async () => {
    const { programId, key } = await t.newProgram();
    const job = async (id: string, heartbeatAgoMs: number) =>
      t.database.db
        .insertInto('import_jobs')
        .values({ program_id: programId, id, kind: 'accounts', file_name: 'big.csv', total_rows: 10_000, done_rows: 4_000, errors: '[]', started_by: 'staff:x', heartbeat_at: new Date(t.clock().getTime() - heartbeatAgoMs) })
        .execute();
    await job('0190a7d0-0000-7000-8000-000000000001', 3 * 60_000);
    await job('0190a7d0-0000-7000-8000-000000000002', 10_000);

    const list = (await t.app.inject({ method: 'GET', url: '/v1/imports', headers: { authorization: `Bearer ${key}`, 'accept-language': 'de' } })).json();
    const byId = new Map((list.data as Array<Job & { id: string }>).map((j) => [j.id, j]));
    expect(byId.get('0190a7d0-0000-7000-8000-000000000001')).toMatchObject({ state: 'failed', done: 4_000, failure: { code: 'import_interrupted', message: expect.stringMatching(/neu gestartet/) } });
    expect(byId.get('0190a7d0-0000-7000-8000-000000000002')).toMatchObject({ state: 'running', failure: null });
  });
});

describe('the lines an import could not take', () => {
  it('are told in the reader’s language where the check is a general one, and by their code’s message otherwise', async () => {
    const { key } = await t.newProgram();
    await t.call('POST', '/v1/accounts', { externalId: 'ACC-L', name: 'Language Home' }, key);
    const csv = 'external_id,account_external_id,name,language\nL-1,ACC-L,Ada,xx\nL-2,NOPE,Bo,sv\nL-3,ACC-L,Cy,pl\n';
    const job = await finished((await upload('members', csv, key)).json().id, key);
    expect(job.errors.map((e) => [e.line, e.code])).toEqual([[2, 'validation_failed'], [3, 'unknown_account']]);
    const read = async (language: string) =>
      (await t.app.inject({ method: 'GET', url: `/v1/imports/${job.id}`, headers: { authorization: `Bearer ${key}`, 'accept-language': language } })).json() as Job;
    const en = await read('en');
    const pl = await read('pl');
    expect(en.errors[0]!.message).toMatch(/^language: Invalid option/);
    expect(pl.errors[0]!.message).toMatch(/^language: Nieprawidłowa opcja/);
    expect(en.errors[1]!.message).toMatch(/NOPE/);
    expect(pl.errors[1]!.message).toMatch(/NOPE/);
    expect(pl.errors[1]!.message).not.toBe(en.errors[1]!.message);
  });
});
