/**
 * Broken form bodies on every route that takes files (issue 11, items 4 and 6): each is answered with a 4xx and
 * a stable code, never a 5xx or a request left hanging, and nothing of it is kept, neither a row nor bytes (staged
 * or under a key). Also over a real socket, where a body that stops mid-file once left the type check waiting.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyPdf, tinyPng } from '../../src/evidence/samples.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';

let t: TestApp;
let member: { cookie: string; csrf: string };
let adminRequest: string;
let portalRequest: string;
let memberId: string;
let invoices = 0;

const names = (en: string) => ({ en, sv: en, nb: en, pl: en, de: en });

beforeAll(async () => {
  t = await startTestApp({ LOJAL_EVIDENCE_MAX_BYTES: String(64 * 1024) });
  await seedCatalog(t);
  const account = await seedAccount(t, 'MP-1');
  memberId = await seedMember(t, account, 'MP-M');
  await t.database.db.updateTable('members').set({ email: 'mp@example.com' }).where('id', '=', memberId).execute();
  const { token, session } = await createSession(t.database.db, { kind: 'member', email: 'mp@example.com' }, t.clock());
  await chooseSessionMember(t.database.db, session.id, t.programId, memberId);
  member = { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
  // Plenty for this file: the hourly allowance has its own tests (uploads.test.ts).
  expect((await t.call('PATCH', '/v1/program', { memberUploadFilesPerHour: 10_000 })).statusCode).toBe(200);
  expect((await t.call('POST', '/v1/service/types', { code: 'question', kind: 'question', names: names('Question') })).statusCode).toBe(201);
  const raised = await t.call('POST', '/v1/service/requests', { memberId, type: 'question', subject: 'Hello', body: 'A question' });
  expect(raised.statusCode, raised.body).toBe(201);
  adminRequest = raised.json().id;
  const own = await t.app.inject({
    method: 'POST',
    url: '/portal/v1/service/requests',
    headers: { cookie: member.cookie, 'x-csrf-token': member.csrf },
    payload: { type: 'question', subject: 'Mine', body: 'My question' },
  });
  expect(own.statusCode, own.body).toBe(201);
  portalRequest = own.json().id;
});
afterAll(() => t.close());

/** Every upload route, with the form field its JSON goes in (if any) and a valid JSON for it. */
interface Route {
  url: () => string;
  portal?: boolean;
  field?: string;
  json?: () => unknown;
}
const routes: Record<string, Route> = {
  evidence: { url: () => '/v1/evidence?account=MP-1' },
  claims: { url: () => '/v1/claims', field: 'claim', json: () => ({ member: 'MP-M', sku: 'DRILL', quantity: 1, amount: 10_000, saleDate: '2026-11-01', invoiceNumber: `INV-${++invoices}`, endCustomer: 'X' }) },
  coopClaims: { url: () => '/v1/coop/claims', field: 'claim', json: () => ({ account: 'MP-1', cost: 10_000, adDate: '2026-11-01', medium: 'print', otherBrands: 0 }) },
  portalClaims: { url: () => '/portal/v1/claims', portal: true, field: 'claim', json: () => ({ sku: 'DRILL', quantity: 1, amount: 10_000, saleDate: '2026-11-01', invoiceNumber: `INV-${++invoices}`, endCustomer: 'Y' }) },
  serviceRequests: { url: () => '/v1/service/requests', field: 'request', json: () => ({ memberId, type: 'question', subject: 'S', body: 'B' }) },
  serviceComments: { url: () => `/v1/service/requests/${adminRequest}/comments`, field: 'comment', json: () => ({ body: 'A comment' }) },
  portalServiceRequests: { url: () => '/portal/v1/service/requests', portal: true, field: 'request', json: () => ({ type: 'question', subject: 'S', body: 'B' }) },
  portalServiceComments: { url: () => `/portal/v1/service/requests/${portalRequest}/comments`, portal: true, field: 'comment', json: () => ({ body: 'A comment' }) },
  trainingFiles: { url: () => '/v1/training/files' },
};

const auth = (r: Route): Record<string, string> => (r.portal ? { cookie: member.cookie, 'x-csrf-token': member.csrf } : { authorization: `Bearer ${t.key}` });

const CRLF = '\r\n';
const fieldPart = (b: string, name: string, value: string) => `--${b}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${value}${CRLF}`;
const fileHead = (b: string, fileName = 'a.pdf', extra = '') =>
  `--${b}${CRLF}Content-Disposition: form-data; name="file"; filename="${fileName}"${CRLF}${extra}Content-Type: application/octet-stream${CRLF}${CRLF}`;
const filePart = (b: string, bytes: Buffer, fileName?: string) => Buffer.concat([Buffer.from(fileHead(b, fileName)), bytes, Buffer.from(CRLF)]);

/** A body's parts before the files: the route's JSON field, filled validly, so only the form is wrong. */
const jsonPart = (r: Route, b: string) => (r.field ? fieldPart(b, r.field, JSON.stringify(r.json!())) : '');

/** The broken bodies, each with the codes it may be answered with. */
function brokenBodies(r: Route): Array<{ name: string; contentType: string; body: Buffer; codes: string[]; mayPass?: boolean }> {
  const b = 'LojalBoundary';
  const ct = `multipart/form-data; boundary=${b}`;
  const pdf = tinyPdf('broken');
  return [
    { name: 'truncated mid-file', contentType: ct, body: Buffer.concat([Buffer.from(jsonPart(r, b) + fileHead(b)), pdf.subarray(0, 20)]), codes: ['malformed_multipart'] },
    {
      name: 'truncated mid-file past the type check',
      contentType: ct,
      body: Buffer.concat([Buffer.from(jsonPart(r, b) + fileHead(b)), pdf, Buffer.alloc(20_000, 0x20)]),
      codes: ['malformed_multipart'],
    },
    { name: 'no boundary', contentType: 'multipart/form-data', body: Buffer.concat([Buffer.from(jsonPart(r, b)), filePart(b, pdf), Buffer.from(`--${b}--${CRLF}`)]), codes: ['malformed_multipart'] },
    {
      name: 'a boundary the body does not use',
      contentType: 'multipart/form-data; boundary=SomethingElse',
      body: Buffer.concat([Buffer.from(jsonPart(r, b)), filePart(b, pdf), Buffer.from(`--${b}--${CRLF}`)]),
      codes: ['malformed_multipart', 'validation_failed'],
    },
    { name: 'an empty file', contentType: ct, body: Buffer.concat([Buffer.from(jsonPart(r, b)), filePart(b, Buffer.alloc(0)), Buffer.from(`--${b}--${CRLF}`)]), codes: ['evidence_type_not_allowed'] },
    {
      name: 'eleven files',
      contentType: ct,
      body: Buffer.concat([Buffer.from(jsonPart(r, b)), ...Array.from({ length: 11 }, (_, i) => filePart(b, tinyPng([i, 0, 0]))), Buffer.from(`--${b}--${CRLF}`)]),
      codes: ['validation_failed'],
    },
    {
      name: 'a wrong type after a good file, larger than the limit too',
      contentType: ct,
      body: Buffer.concat([Buffer.from(jsonPart(r, b)), filePart(b, tinyPng()), filePart(b, Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(200 * 1024)])), Buffer.from(`--${b}--${CRLF}`)]),
      codes: ['evidence_type_not_allowed'],
    },
    {
      name: 'a good file over the limit',
      contentType: ct,
      body: Buffer.concat([Buffer.from(jsonPart(r, b)), filePart(b, Buffer.concat([tinyPdf('big'), Buffer.alloc(100 * 1024, 0x20)])), Buffer.from(`--${b}--${CRLF}`)]),
      codes: ['evidence_too_large'],
    },
    { name: 'no body at all', contentType: ct, body: Buffer.alloc(0), codes: ['malformed_multipart', 'validation_failed'] },
    { name: 'garbage', contentType: ct, body: Buffer.from('\u0000\u0001 not a form'), codes: ['malformed_multipart'] },
    // The form parser keeps at most 80 KB of a part's header and drops the rest: bounded, so it may be taken.
    {
      name: 'a huge part header',
      contentType: ct,
      body: Buffer.concat([Buffer.from(jsonPart(r, b) + fileHead(b, 'a.pdf', `X-Padding: ${'x'.repeat(200_000)}${CRLF}`)), pdf, Buffer.from(`${CRLF}--${b}--${CRLF}`)]),
      codes: ['malformed_multipart', 'validation_failed'],
      mayPass: true,
    },
    {
      name: 'a huge file name',
      contentType: ct,
      body: Buffer.concat([Buffer.from(jsonPart(r, b)), filePart(b, pdf, 'n'.repeat(100_000)), Buffer.from(`--${b}--${CRLF}`)]),
      codes: ['malformed_multipart', 'validation_failed'],
      mayPass: true,
    },
  ];
}

async function storedFiles(): Promise<string[]> {
  const entries = await fs.readdir(t.config.evidenceDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}
async function rows(): Promise<number> {
  const r = await sql<{ n: string }>`SELECT (SELECT count(*) FROM evidence_files) + (SELECT count(*) FROM training_files) AS n`.execute(t.database.db);
  return Number(r.rows[0]!.n);
}

describe('broken form bodies on every upload route', () => {
  it.each(Object.keys(routes))('%s: 4xx with a stable code, nothing kept', async (name) => {
    const route = routes[name]!;
    for (const c of brokenBodies(route)) {
      const files = await storedFiles();
      const count = await rows();
      const res = await t.app.inject({ method: 'POST', url: route.url(), headers: { ...auth(route), 'content-type': c.contentType }, payload: c.body });
      const label = `${name}: ${c.name}: ${res.statusCode} ${res.body.slice(0, 300)}`;
      if (c.mayPass && res.statusCode < 300) continue;
      expect(res.statusCode, label).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, label).toBeLessThan(500);
      expect(res.headers['content-type'], label).toMatch(/^application\/problem\+json/);
      expect(c.codes, label).toContain(res.json().code);
      expect(await storedFiles(), label).toEqual(files);
      expect(await rows(), label).toBe(count);
    }
  });

  it('two proofs where a co-op claim takes one: refused, and neither is kept', async () => {
    const b = 'TwoProofs';
    const body = Buffer.concat([Buffer.from(jsonPart(routes.coopClaims!, b)), filePart(b, tinyPdf('one')), filePart(b, tinyPdf('two')), Buffer.from(`--${b}--${CRLF}`)]);
    const files = await storedFiles();
    const count = await rows();
    const res = await t.app.inject({ method: 'POST', url: '/v1/coop/claims', headers: { ...auth(routes.coopClaims!), 'content-type': `multipart/form-data; boundary=${b}` }, payload: body });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('evidence_required');
    expect(await storedFiles()).toEqual(files);
    expect(await rows()).toBe(count);
  });

  it('the JSON field after the file is read as well as before it', async () => {
    const b = 'FieldAfterFile';
    const route = routes.portalClaims!;
    const body = Buffer.concat([filePart(b, tinyPng([3, 2, 1])), Buffer.from(jsonPart(route, b) + `--${b}--${CRLF}`)]);
    const res = await t.app.inject({ method: 'POST', url: route.url(), headers: { ...auth(route), 'content-type': `multipart/form-data; boundary=${b}` }, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().evidence).toHaveLength(1);
  });
});

describe('over a real socket', () => {
  let port: number;
  beforeAll(async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });

  /** Sends raw bytes and reads the answer until the server closes or answers whole. */
  const exchange = (head: string, chunks: Buffer[], endSocket: boolean) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => {
        answer += d.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
      socket.on('connect', () => {
        socket.write(head);
        for (const c of chunks) socket.write(c);
        if (endSocket) socket.end();
      });
      // An answer that arrives whole on a kept-alive connection ends the exchange too.
      socket.on('data', () => {
        if (/\r\n\r\n[\s\S]*\}$/.test(answer)) socket.end();
      });
    });

  it('a chunked body that ends mid-file is answered 400 malformed_multipart, not left waiting', async () => {
    const b = 'Chunked';
    const part = Buffer.concat([Buffer.from(fileHead(b)), tinyPdf('half').subarray(0, 30)]);
    const chunk = (buf: Buffer) => Buffer.concat([Buffer.from(`${buf.length.toString(16)}\r\n`), buf, Buffer.from('\r\n')]);
    const head =
      `POST /v1/evidence?account=MP-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.key}\r\n` +
      `Content-Type: multipart/form-data; boundary=${b}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const files = await storedFiles();
    const answer = await exchange(head, [chunk(part), Buffer.from('0\r\n\r\n')], false);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"malformed_multipart"');
    expect(await storedFiles()).toEqual(files);
  });

  it('a client that goes away mid-file leaves nothing behind', async () => {
    const b = 'GoneAway';
    const part = Buffer.concat([Buffer.from(fileHead(b)), tinyPdf('gone'), Buffer.alloc(30_000, 0x20)]);
    const head =
      `POST /v1/evidence?account=MP-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.key}\r\n` +
      `Content-Type: multipart/form-data; boundary=${b}\r\nContent-Length: ${part.length + 100_000}\r\n\r\n`;
    const files = await storedFiles();
    const count = await rows();
    await exchange(head, [part], true);
    // The server notices the end of the connection on its own time: wait for the staged part to be gone.
    await expect.poll(storedFiles).toEqual(files);
    expect(await rows()).toBe(count);
    // And it still serves.
    expect((await t.call('GET', '/v1/evidence/00000000-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });
});
