import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyPdf, tinyPng } from '../../src/evidence/samples.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount } from '../support/fixtures.js';
import { postMultipart } from '../support/multipart.js';

let t: TestApp;
let small: TestApp;
let accountId: string;

beforeAll(async () => {
  t = await startTestApp();
  accountId = await seedAccount(t, 'EV-1');
  small = await startTestApp({ LOJAL_EVIDENCE_MAX_BYTES: '2048' });
  await seedAccount(small, 'EV-1');
});
afterAll(async () => {
  await t.close();
  await small.close();
});

// Minimal headers that file-type recognises: JPEG (SOI + APP0 JFIF), WebP (RIFF….WEBP), HEIC (ftyp heic).
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), Buffer.alloc(64)]);
const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(64)]);
const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic'), Buffer.alloc(64)]);

describe('evidence files', () => {
  it('stores PDF, PNG, JPEG, WebP and HEIC judged by content, and streams them back with their type', async () => {
    const pdf = tinyPdf('Invoice 4711');
    const res = await postMultipart(t, '/v1/evidence?account=EV-1', [
      { name: 'file', fileName: 'invoice.pdf', bytes: pdf },
      // Named and labelled wrong on purpose: the content decides.
      { name: 'file', fileName: 'photo.txt', bytes: tinyPng(), contentType: 'text/plain' },
      { name: 'file', fileName: 'a.jpg', bytes: jpeg },
      { name: 'file', fileName: 'a.webp', bytes: webp },
      { name: 'file', fileName: 'a.heic', bytes: heic },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const files = res.json().data;
    expect(files.map((f: { contentType: string }) => f.contentType)).toEqual(['application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'image/heic']);
    expect(files[0]).toMatchObject({ accountId, fileName: 'invoice.pdf', sizeBytes: pdf.length, uploadedBy: expect.stringMatching(/^api-key:/) });

    const meta = await t.call('GET', `/v1/evidence/${files[0].id}`);
    expect(meta.json().sha256).toBe(files[0].sha256);
    const content = await t.app.inject({ method: 'GET', url: files[0].url, headers: { authorization: `Bearer ${t.key}` } });
    expect(content.statusCode).toBe(200);
    expect(content.headers['content-type']).toBe('application/pdf');
    expect(content.rawPayload.equals(pdf)).toBe(true);

    // On disk by program / owner account / sha256.
    const onDisk = path.join(t.config.evidenceDir, t.programId, accountId, files[0].sha256);
    expect((await fs.readFile(onDisk)).equals(pdf)).toBe(true);
  });

  it('refuses a file whose content is not an allowed type with 415 evidence_type_not_allowed, storing nothing', async () => {
    const before = await t.database.db.selectFrom('evidence_files' as never).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const res = await postMultipart(t, '/v1/evidence?account=EV-1', [
      { name: 'file', fileName: 'ok.pdf', bytes: tinyPdf('fine') },
      { name: 'file', fileName: 'invoice.pdf', bytes: Buffer.from('MZ\x90\x00 this is no pdf at all, just bytes'), contentType: 'application/pdf' },
    ]);
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('evidence_type_not_allowed');
    const after = await t.database.db.selectFrom('evidence_files' as never).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    expect(after).toEqual(before);
  });

  it('refuses a file above the configured size with 413 evidence_too_large', async () => {
    const big = Buffer.concat([tinyPdf('big'), Buffer.alloc(4096, 0x20)]);
    const res = await postMultipart(small, '/v1/evidence?account=EV-1', [{ name: 'file', fileName: 'big.pdf', bytes: big }], small.key);
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('evidence_too_large');
    const ok = await postMultipart(small, '/v1/evidence?account=EV-1', [{ name: 'file', fileName: 'ok.png', bytes: tinyPng() }], small.key);
    expect(ok.statusCode).toBe(201);
  });

  it('answers bad requests with their codes', async () => {
    expect((await postMultipart(t, '/v1/evidence?account=NOPE', [{ name: 'file', fileName: 'a.png', bytes: tinyPng() }])).json().code).toBe('unknown_account');
    expect((await postMultipart(t, '/v1/evidence', [{ name: 'file', fileName: 'a.png', bytes: tinyPng() }])).json().code).toBe('validation_failed');
    expect((await postMultipart(t, '/v1/evidence?account=EV-1', [{ name: 'note', value: 'no file' }])).json().code).toBe('validation_failed');
    const json = await t.call('POST', '/v1/evidence?account=EV-1', { file: 'x' });
    expect(json.statusCode).toBe(415);
    expect(json.json().code).toBe('unsupported_media_type');
    const readOnly = await t.keyWith(['read']);
    expect((await postMultipart(t, '/v1/evidence?account=EV-1', [{ name: 'file', fileName: 'a.png', bytes: tinyPng() }], readOnly)).json().code).toBe('insufficient_scope');
    expect((await t.call('GET', '/v1/evidence/00000000-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });

  it('serves a file only to its own program', async () => {
    const up = await postMultipart(t, '/v1/evidence?account=EV-1', [{ name: 'file', fileName: 'a.png', bytes: tinyPng([1, 2, 3]) }]);
    const other = await t.newProgram({ name: 'Other' });
    const res = await t.call('GET', up.json().data[0].url, undefined, other.key);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });
});
