/**
 * Text messages: part counting and encoding (GSM-7 vs UCS-2) and E.164 numbers and quiet hours as pure
 * functions, then the SMS outbox sending through the 46elks adapter to a server on loopback that speaks
 * 46elks' API (form-encoded POST, Basic authentication, JSON answer): retries, failures, quiet hours, a
 * rolled-back change sending nothing, and (PostgreSQL) two workers sending each message once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverSms, fortySixElks, queueSms } from '../../src/messages/sms-outbox.js';
import { e164, quietUntil, smsLength } from '../../src/messages/sms.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { newWorld, type World } from '../support/ledger.js';

describe('smsLength', () => {
  it.each([
    ['empty', '', 'gsm7', 0, 1],
    ['Swedish letters are GSM-7, an en dash is not', 'Hej Åsa! Dina poäng: 1 200. Välkommen åter – nej, vänta', 'ucs2', 55, 1],
    ['Swedish letters alone stay GSM-7', 'Hej Åsa! Dina poäng: 1 200. Välkommen åter', 'gsm7', 42, 1],
    ['å ä ö Å Ä Ö æ ø ü ß é are in the basic set', 'åäöÅÄÖæøÆØüÜßéÉñÑà', 'gsm7', 18, 1],
    ['160 plain characters: one part', 'a'.repeat(160), 'gsm7', 160, 1],
    ['161: two parts of 153', 'a'.repeat(161), 'gsm7', 161, 2],
    ['306: two parts', 'a'.repeat(306), 'gsm7', 306, 2],
    ['307: three parts', 'a'.repeat(307), 'gsm7', 307, 3],
    ['€ takes two septets: 80 fit one part', '€'.repeat(80), 'gsm7', 160, 1],
    ['81 €: an escape pair is not split (76 + 5)', '€'.repeat(81), 'gsm7', 162, 2],
    ['{ } [ ] ^ ~ | \\ are extended', '{}[]^~|\\', 'gsm7', 16, 1],
    ['Polish ł makes it UCS-2', 'Dziękujemy, Łukasz', 'ucs2', 18, 1],
    ['70 UCS-2 units: one part', 'ł'.repeat(70), 'ucs2', 70, 1],
    ['71: two parts of 67', 'ł'.repeat(71), 'ucs2', 71, 2],
    ['an emoji is two units', '👍', 'ucs2', 2, 1],
    ['a surrogate pair is not split', 'aa' + '👍'.repeat(40), 'ucs2', 82, 2],
    ['lower-case ç is not GSM-7 (only Ç is)', 'Ça va, garçon', 'ucs2', 13, 1],
  ])('%s', (_name, text, encoding, units, segments) => {
    const l = smsLength(text);
    expect({ encoding: l.encoding, units: l.units, segments: l.segments }).toEqual({ encoding, units, segments });
  });

  it('says how much room is left in the last part', () => {
    expect(smsLength('a'.repeat(150)).remaining).toBe(10);
    expect(smsLength('€'.repeat(81)).remaining).toBe(143);
    expect(smsLength('aa' + '👍'.repeat(40)).remaining).toBe(51);
  });
});

describe('e164', () => {
  it.each([
    ['+46701234567', '+46701234567'],
    ['+46 70-123 45 67', '+46701234567'],
    [' +48 501 234 567 ', '+48501234567'],
    ['+4791234567', '+4791234567'],
    ['0701234567', null],
    ['+4670', null],
    ['46701234567', null],
    ['+46 70 123 45 67 89 01', null],
    ['call me', null],
  ])('%s → %s', (input, expected) => {
    expect(e164(input)).toBe(expected);
  });
});

describe('quietUntil (21:00–08:00 local)', () => {
  it.each([
    ['13:00 in Stockholm: not quiet', '2026-11-25T12:00:00Z', 'Europe/Stockholm', null],
    ['22:30 in Stockholm: next morning 08:00 CET', '2026-11-25T21:30:00Z', 'Europe/Stockholm', '2026-11-26T07:00:00.000Z'],
    ['06:00 in Stockholm: the same morning', '2026-11-26T05:00:00Z', 'Europe/Stockholm', '2026-11-26T07:00:00.000Z'],
    ['08:00 sharp: not quiet', '2026-11-26T07:00:00Z', 'Europe/Stockholm', null],
    ['22:00 CEST in summer', '2026-07-01T20:00:00Z', 'Europe/Stockholm', '2026-07-02T06:00:00.000Z'],
    ['the night DST ends (25 Oct 2026)', '2026-10-24T22:00:00Z', 'Europe/Stockholm', '2026-10-25T07:00:00.000Z'],
    ['20:59 in Warsaw: not yet', '2026-11-25T19:59:00Z', 'Europe/Warsaw', null],
    ['23:00 in New York', '2026-11-26T04:00:00Z', 'America/New_York', '2026-11-26T13:00:00.000Z'],
  ])('%s', (_name, now, tz, expected) => {
    expect(quietUntil(new Date(now), tz)?.toISOString() ?? null).toBe(expected);
  });
});

// ---------------------------------------------------------------- against a 46elks-speaking server

interface Received {
  auth: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

let t: TestApp;
let w: World;
let server: http.Server;
let url: string;
const received: Received[] = [];
/** Status codes the server answers next, one per request (then 200). */
const failures: number[] = [];
let n = 0;

beforeAll(async () => {
  t = await startTestApp();
  w = await newWorld(t, {}, { accounts: 1, members: [0, 0] });
  await w.call('PATCH', `/v1/members/${w.members[0]!.id}`, { phone: '+46 70 123 45 67' });
  await w.call('PATCH', `/v1/members/${w.members[1]!.id}`, { phone: '070-123 45 68' });
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = failures.shift() ?? 200;
      if (req.headers.authorization !== `Basic ${Buffer.from('u1234:secret').toString('base64')}`) {
        res.writeHead(401).end('API access requires Basic HTTP authentication');
        return;
      }
      if (status !== 200) {
        res.writeHead(status).end(status === 503 ? 'Service unavailable' : 'Invalid to number');
        return;
      }
      const form = Object.fromEntries(new URLSearchParams(body));
      received.push({ auth: req.headers.authorization, contentType: req.headers['content-type'], form });
      const parts = smsLength(form.message ?? '').segments;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ status: 'created', direction: 'outgoing', from: form.from, to: form.to, message: form.message, parts, cost: 3500 * parts, id: `s${++n}abc` }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/a1/sms`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});
beforeEach(() => {
  received.length = 0;
  failures.length = 0;
});

const provider = () => fortySixElks({ url, username: 'u1234', password: 'secret' });
const deliver = (now = t.clock()) => deliverSms(t.database.db, provider(), { from: 'Lojal', now });
let keyN = 0;
const send = (member: number, body: Record<string, unknown>) =>
  w.call('POST', `/v1/members/${w.members[member]!.id}/sms`, { idempotencyKey: `sms-test-${++keyN}`, ...body });

describe('the SMS outbox through 46elks', () => {
  it('queues a message, sends it once with Basic auth and a form body, and records the provider id and cost', async () => {
    t.clock.set('2026-11-25T12:00:00Z');
    const body = { message: 'Hej! Du har fått 120 poäng för ditt köp. Visste du att…', idempotencyKey: 'sms-first-1' };
    const queued = await w.call('POST', `/v1/members/${w.members[0]!.id}/sms`, body);
    expect(queued.statusCode).toBe(201);
    // The ellipsis (…) is not in GSM 03.38: the message goes as UCS-2.
    expect(queued.json()).toMatchObject({ to: '+46701234567', encoding: 'ucs2', segments: 1, status: 'pending', heldUntil: null });
    const again = await w.call('POST', `/v1/members/${w.members[0]!.id}/sms`, body);
    expect([again.statusCode, again.json().id]).toEqual([200, queued.json().id]);

    expect(await deliver()).toEqual({ sent: 1, retried: 0, failed: 0, held: 0 });
    expect(received).toEqual([
      { auth: expect.stringMatching(/^Basic /), contentType: 'application/x-www-form-urlencoded', form: { from: 'Lojal', to: '+46701234567', message: body.message } },
    ]);
    const [sent] = (await w.call('GET', '/v1/sms?status=sent')).json().data;
    expect(sent).toMatchObject({ id: queued.json().id, providerId: 's1abc', cost: 3500, attempts: 1, sentAt: '2026-11-25T12:00:00.000Z' });
    expect(await deliver()).toEqual({ sent: 0, retried: 0, failed: 0, held: 0 });
  });

  it('retries a 503 later and fails a 4xx at once', async () => {
    t.clock.set('2026-11-25T12:00:00Z');
    const retried = (await send(0, { message: 'Dziękujemy za zamówienie, Łukasz!' })).json();
    expect(retried).toMatchObject({ encoding: 'ucs2', segments: 1 });
    failures.push(503);
    expect(await deliver()).toMatchObject({ sent: 0, retried: 1 });
    expect(await deliver()).toMatchObject({ sent: 0, retried: 0 });
    expect(await deliver(new Date('2026-11-25T12:02:00Z'))).toMatchObject({ sent: 1 });

    const rejected = (await send(0, { message: 'Till fel nummer' })).json();
    failures.push(400);
    expect(await deliver()).toMatchObject({ failed: 1 });
    const row = (await w.call('GET', '/v1/sms?status=failed')).json().data.find((m: { id: string }) => m.id === rejected.id);
    expect(row.lastError).toMatch(/46elks answered 400/);
  });

  it('holds a message written at night until 08:00 in the program’s time zone', async () => {
    t.clock.set('2026-11-25T22:15:00Z');
    const held = (await send(0, { message: 'Din order har skickats.' })).json();
    expect(held.heldUntil).toBe('2026-11-26T07:00:00.000Z');
    expect(await deliver()).toMatchObject({ sent: 0 });
    expect(await deliver(new Date('2026-11-26T06:59:00Z'))).toMatchObject({ sent: 0 });
    expect(await deliver(new Date('2026-11-26T07:00:00Z'))).toMatchObject({ sent: 1 });
    t.clock.set('2026-11-25T12:00:00Z');
  });

  it('counts quiet hours in the member’s own time zone when they set one', async () => {
    const member = w.members[0]!.id;
    expect((await w.call('PUT', `/v1/members/${member}/message-preferences`, { timeZone: 'America/New_York' })).statusCode).toBe(200);
    try {
      // 19:41 in New York is 01:41 in Stockholm: the program's night, the member's evening.
      t.clock.set('2026-11-26T00:41:00Z');
      const evening = (await send(0, { message: 'Your order has shipped.' })).json();
      expect(evening.heldUntil).toBeNull();
      expect(await deliver()).toMatchObject({ sent: 1, held: 0 });
      // 22:30 in New York: held until 08:00 there, not until 08:00 in Stockholm.
      t.clock.set('2026-11-26T03:30:00Z');
      const night = (await send(0, { message: 'Your order has shipped.' })).json();
      expect(night.heldUntil).toBe('2026-11-26T13:00:00.000Z');
      expect(await deliver(new Date('2026-11-26T07:00:00Z'))).toMatchObject({ sent: 0 });
      expect(await deliver(new Date('2026-11-26T13:00:00Z'))).toMatchObject({ sent: 1 });
    } finally {
      t.clock.set('2026-11-25T12:00:00Z');
      await w.call('PUT', `/v1/members/${member}/message-preferences`, { timeZone: null });
    }
  });

  it('refuses a message without an idempotency key: a retry must never send twice', async () => {
    const res = await w.call('POST', `/v1/members/${w.members[0]!.id}/sms`, { message: 'Hej' });
    expect([res.statusCode, res.json().code, res.json().errors[0].path]).toEqual([400, 'validation_failed', 'body.idempotencyKey']);
  });

  it('refuses a number not in E.164 and marketing without consent, storing nothing', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sms_outbox`.execute(t.database.db);
    const bad = await send(1, { message: 'Hej' });
    expect([bad.statusCode, bad.json().code]).toEqual([422, 'phone_not_e164']);
    const marketing = await send(0, { message: 'Kampanj!', kind: 'marketing' });
    expect([marketing.statusCode, marketing.json().code]).toEqual([422, 'consent_missing']);
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sms_outbox`.execute(t.database.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);

    await w.call('POST', `/v1/members/${w.members[0]!.id}/consents`, { purpose: 'marketing', channel: 'sms', granted: true });
    expect((await send(0, { message: 'Kampanj!', kind: 'marketing' })).statusCode).toBe(201);
    expect((await w.call('GET', '/v1/sms?status=pending')).json().data[0]).toMatchObject({ kind: 'marketing' });
    const cancelled = (await w.call('POST', `/v1/sms/${(await w.call('GET', '/v1/sms?status=pending')).json().data[0].id}/cancel`)).json();
    expect(cancelled.status).toBe('cancelled');
  });

  it('sends nothing for a change that was rolled back', async () => {
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await queueSms(trx, w.programId, 'Europe/Stockholm', { to: '+46701234567', body: 'rolled back', kind: 'transactional', idempotencyKey: 'rollback-1', createdBy: 'test' }, t.clock());
        throw new Error('the change fails after the message was written');
      }),
    ).rejects.toThrow(/change fails/);
    expect(await deliver()).toMatchObject({ sent: 0 });
    const rows = await sql`SELECT 1 FROM sms_outbox WHERE idempotency_key = 'rollback-1'`.execute(t.database.db);
    expect(rows.rows).toHaveLength(0);
  });

  it.runIf(onPostgres)('sends each message once when two workers deliver at the same time', async () => {
    for (let i = 0; i < 12; i++) await send(0, { message: `Meddelande ${i}` });
    const [a, b] = await Promise.all([deliver(), deliver()]);
    expect(a.sent + b.sent).toBe(12);
    expect(new Set(received.map((r) => r.form.message)).size).toBe(12);
    expect(received).toHaveLength(12);
  });

  it('asks for a delivery report at a signed URL and records what 46elks reports, refusing a changed token', async () => {
    t.clock.set('2026-11-25T12:00:00Z');
    const queued = (await send(0, { message: 'Din order är levererad.' })).json();
    expect(await deliverSms(t.database.db, provider(), { from: 'Lojal', now: t.clock(), publicUrl: 'https://lojal.example' })).toMatchObject({ sent: 1 });
    const whendelivered = received[0]!.form.whendelivered!;
    expect(whendelivered).toMatch(/^https:\/\/lojal\.example\/v1\/sms\/delivery-reports\/[\w-]+\.[\w-]+$/);
    const path = new URL(whendelivered).pathname;
    const providerId = (await w.call('GET', '/v1/sms?status=sent')).json().data.find((m: { id: string }) => m.id === queued.id).providerId;
    // As 46elks posts it: form-encoded, no credentials but the token.
    const report = (form: Record<string, string>, url = path) =>
      t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });

    expect((await report({ id: providerId, status: 'sent' })).json()).toEqual({ delivery: null });
    const delivered = await report({ id: providerId, status: 'delivered', delivered: '2026-11-25 12:00:03.372016' });
    expect([delivered.statusCode, delivered.json()]).toEqual([200, { delivery: 'delivered' }]);
    // 46elks retries; a late or repeated report does not undo delivered.
    expect((await report({ id: providerId, status: 'failed' })).json()).toEqual({ delivery: 'delivered' });
    const row = (await w.call('GET', '/v1/sms?status=sent')).json().data.find((m: { id: string }) => m.id === queued.id);
    expect(row).toMatchObject({ delivery: 'delivered', deliveredAt: '2026-11-25T12:00:03.372Z' });

    const [payload, mac] = path.split('/').at(-1)!.split('.');
    const other = Buffer.from(payload!, 'base64url');
    other[31] = other[31]! ^ 1;
    for (const bad of [`${other.toString('base64url')}.${mac}`, `${payload}.${mac}x`, 'not-a-report-token']) {
      const res = await report({ id: providerId, status: 'delivered' }, `/v1/sms/delivery-reports/${bad}`);
      expect([res.statusCode, res.json().code]).toEqual([400, 'sms_report_token_invalid']);
    }
    const mismatch = await report({ id: 'someone-elses-id', status: 'failed' });
    expect([mismatch.statusCode, mismatch.json().code]).toEqual([409, 'sms_report_mismatch']);
    const badStatus = await report({ id: providerId, status: 'lost' });
    expect(badStatus.statusCode).toBe(400);
  });

  it('counts a campaign’s texts as delivered and failed from the delivery reports', async () => {
    t.clock.set('2026-11-25T12:00:00Z');
    const m = w.members[0]!;
    await w.call('POST', `/v1/members/${m.id}/consents`, { purpose: 'newsletter', channel: 'sms', granted: true });
    const c = (
      await w.call('POST', '/v1/message-campaigns', { name: 'SMS news', channel: 'sms', purpose: 'newsletter', audience: { field: 'status', op: 'eq', value: 'active' }, content: { en: { subject: 'News', body: 'News for {{name}}' } } })
    ).json();
    const sent = await w.call('POST', `/v1/message-campaigns/${c.id}/schedule`, {});
    expect(sent.json()).toMatchObject({ status: 'sent', counts: { recipients: 1, sent: 0, delivered: 0, failed: 0 } });
    await deliverSms(t.database.db, provider(), { from: 'Lojal', now: t.clock(), publicUrl: 'https://lojal.example' });
    const form = received.at(-1)!.form;
    const providerId = (await w.call('GET', '/v1/sms?status=sent')).json().data.find((x: { body: string }) => x.body.startsWith('News for')).providerId;
    const res = await t.app.inject({ method: 'POST', url: new URL(form.whendelivered!).pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `id=${providerId}&status=failed` });
    expect(res.json()).toEqual({ delivery: 'failed' });
    expect((await w.call('GET', `/v1/message-campaigns/${c.id}`)).json().counts).toEqual({ recipients: 1, sent: 1, delivered: 0, opened: null, failed: 1, bounced: 0 });
  });

  it('measures a text for the console counter', async () => {
    expect((await w.call('POST', '/v1/sms/length', { message: 'ł'.repeat(71) })).json()).toEqual({ encoding: 'ucs2', units: 71, segments: 2, remaining: 63 });
  });
});
