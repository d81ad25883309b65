/**
 * CSV uploads (console imports and static segment lists) are received as streams (issue 11 item 6, issue 12
 * item 8): spooled to a temporary file as they arrive, refused with the same codes as when they were buffered
 * (too large, a NUL anywhere in the file), other file parts drained, and no temporary file left behind, neither
 * after a refusal nor after the import has run.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxImportBytes } from '../../src/imports/routes.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { postMultipart } from '../support/multipart.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

/**
 * This run's mark in its files' contents: a run killed earlier (kill -9 leaves its spooled copy in the temporary
 * directory, which nothing sweeps) must not be counted against this one.
 */
const thisRun = randomBytes(4).toString('hex').toUpperCase();

/** Temporary upload files still on disk that hold `marker` (other tests may be uploading at the same time). */
async function leftBehind(marker: string): Promise<string[]> {
  const dir = os.tmpdir();
  const names = (await fs.readdir(dir)).filter((n) => n.startsWith('lojal-csv-'));
  const found: string[] = [];
  for (const n of names) {
    const text = await fs.readFile(path.join(dir, n), 'latin1').catch(() => '');
    if (text.includes(marker)) found.push(n);
  }
  return found;
}

/** Polls the job until it has ended (the import runs after the upload is answered). */
async function finished(id: string, key: string): Promise<{ state: string; total: number; created: number }> {
  for (;;) {
    const job = (await t.call('GET', `/v1/imports/${id}`, undefined, key)).json();
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An accounts file of about `bytes` bytes whose rows carry `marker` in their names. */
function accountsCsv(marker: string, rows: number): string {
  const lines = ['external_id,name'];
  for (let i = 0; i < rows; i++) lines.push(`${marker}-${i},Company ${marker} ${i}`);
  return `${lines.join('\n')}\n`;
}

describe('console CSV import uploads', () => {
  it('imports a file of many chunks from the spooled copy, counts its rows first, and removes the copy when the job ends', async () => {
    const { key } = await t.newProgram();
    const marker = `SPOOL7Q${thisRun}`;
    // About 1 MB: many chunks of the form parser, so the spooled copy must be whole and in order.
    const csv = accountsCsv(marker, 30_000);
    const res = await postMultipart(t, '/v1/imports?kind=accounts', [{ name: 'file', fileName: 'big.csv', bytes: Buffer.from(csv), contentType: 'text/csv' }], key);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().total).toBe(30_000);
    const job = await finished(res.json().id, key);
    expect(job).toMatchObject({ state: 'finished', total: 30_000, created: 30_000 });
    const last = (await t.call('GET', `/v1/accounts?q=${marker}-29999`, undefined, key)).json().data;
    expect(last.map((a: { externalId: string }) => a.externalId)).toContain(`${marker}-29999`);
    expect(await leftBehind(marker)).toEqual([]);
  });

  it('refuses a file past the limit with payload_too_large and keeps nothing of it', async () => {
    const { key } = await t.newProgram();
    const marker = `TOOBIG4X${thisRun}`;
    const bytes = Buffer.alloc(maxImportBytes + 1, 'a');
    bytes.write(`external_id,name\n${marker},x\n`);
    const res = await postMultipart(t, '/v1/imports?kind=accounts', [{ name: 'file', fileName: 'big.csv', bytes, contentType: 'text/csv' }], key);
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
    // A file of exactly the limit is taken (and fails as a CSV with one very long line, which is the job's business).
    const exact = Buffer.alloc(maxImportBytes, 'a');
    exact.write(`external_id,name\n${marker}-EXACT,x\n`);
    const ok = await postMultipart(t, '/v1/imports?kind=accounts', [{ name: 'file', fileName: 'exact.csv', bytes: exact, contentType: 'text/csv' }], key);
    expect(ok.statusCode, ok.body).toBe(202);
    await finished(ok.json().id, key);
    expect(await leftBehind(marker)).toEqual([]);
  });

  it('refuses a NUL anywhere in the file, also far past the first chunk, with invalid_characters on file', async () => {
    const { key } = await t.newProgram();
    const marker = `NULFAR9${thisRun}`;
    const csv = Buffer.from(`${accountsCsv(marker, 20_000)}${marker}-NUL,Bygg\u0000 AB\n`);
    expect(csv.indexOf(0)).toBeGreaterThan(256 * 1024);
    const res = await postMultipart(t, '/v1/imports?kind=accounts', [{ name: 'file', fileName: 'nul.csv', bytes: csv, contentType: 'text/csv' }], key);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_characters', errors: [{ path: 'file' }] });
    expect(await leftBehind(marker)).toEqual([]);
    expect((await t.call('GET', '/v1/imports', undefined, key)).json().data).toEqual([]);
    // Too large and with a NUL: the size is what is wrong first, as when the file was read whole.
    const both = Buffer.alloc(maxImportBytes + 10, 'b');
    both.write(`external_id,name\n${marker}-BOTH,x\u0000\n`);
    const big = await postMultipart(t, '/v1/imports?kind=accounts', [{ name: 'file', fileName: 'both.csv', bytes: both, contentType: 'text/csv' }], key);
    expect(big.json().code).toBe('payload_too_large');
  });

  it('drains a file part of another name without keeping it, and imports the file part', async () => {
    const { key } = await t.newProgram();
    const marker = `DRAIN5K${thisRun}`;
    const res = await postMultipart(
      t,
      '/v1/imports?kind=accounts',
      [
        { name: 'note', value: 'a field is ignored' },
        { name: 'file', fileName: 'a.csv', bytes: Buffer.from(accountsCsv(marker, 3)), contentType: 'text/csv' },
      ],
      key,
    );
    expect(res.statusCode, res.body).toBe(202);
    expect(await finished(res.json().id, key)).toMatchObject({ state: 'finished', created: 3 });
    // One file per request, as before: a second file part is refused by the form's limit.
    const two = await postMultipart(
      t,
      '/v1/imports?kind=accounts',
      [
        { name: 'file', fileName: 'a.csv', bytes: Buffer.from(accountsCsv(`${marker}-A`, 3)), contentType: 'text/csv' },
        { name: 'extra', fileName: 'b.csv', bytes: Buffer.from(accountsCsv(`${marker}-B`, 3)), contentType: 'text/csv' },
      ],
      key,
    );
    expect(two.statusCode).toBe(400);
    expect(two.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'file' }] });
    const onlyOther = await postMultipart(t, '/v1/imports?kind=accounts', [{ name: 'other', fileName: 'b.csv', bytes: Buffer.from(accountsCsv(`${marker}-C`, 3)) }], key);
    expect(onlyOther.statusCode).toBe(400);
    expect(onlyOther.json().errors[0]).toMatchObject({ path: 'file', code: 'required' });
    expect(await leftBehind(marker)).toEqual([]);
  });

  it('counts the rows of a file broken part way by its lines, as before', async () => {
    const { key } = await t.newProgram();
    const res = await postMultipart(t, '/v1/imports?kind=accounts', [{ name: 'file', fileName: 'broken.csv', bytes: Buffer.from('external_id,name\nB-1,One\n\nB-2,"Two\nB-3,Three\n') }], key);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().total).toBe(3);
    await finished(res.json().id, key);
  });
});

describe('static segment list uploads', () => {
  it('refuses a file past 10 MB with payload_too_large and a NUL with invalid_characters, and keeps nothing', async () => {
    const seg = await t.call('POST', '/v1/segments', { key: 'upload-limits', name: 'Upload limits', kind: 'static' });
    expect(seg.statusCode, seg.body).toBe(201);
    const url = `/v1/segments/${seg.json().id}/members`;
    const marker = `SEGTMP3${thisRun}`;
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 'c');
    big.write(`external_id\n${marker}\n`);
    const tooLarge = await postMultipart(t, url, [{ name: 'file', fileName: 'list.csv', bytes: big }]);
    expect(tooLarge.statusCode, tooLarge.body).toBe(413);
    expect(tooLarge.json().code).toBe('payload_too_large');
    const nul = await postMultipart(t, url, [{ name: 'file', fileName: 'list.csv', bytes: Buffer.from(`external_id\n${marker}\n${'x\n'.repeat(100_000)}A\u0000\n`) }]);
    expect(nul.statusCode, nul.body).toBe(400);
    expect(nul.json()).toMatchObject({ code: 'invalid_characters', errors: [{ path: 'file' }] });
    const unknown = await postMultipart(t, url, [
      { name: 'other', fileName: 'x.csv', bytes: Buffer.from(`${marker}\n`) },
    ]);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({ path: 'file', code: 'required' });
    expect(await leftBehind(marker)).toEqual([]);
  });
});
