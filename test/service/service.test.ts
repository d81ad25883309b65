/**
 * The service extranet over HTTP on both databases: a member raises a complaint with a photo in the portal,
 * staff answer (publicly and internally), the workflow runs to close and the member rates it; mails, webhooks
 * and the member's view never carry an internal note; bad input answers with its own code and stores nothing;
 * service levels breach on the application clock; the help centre searches in each language; another
 * program's ids are 404 on every new route.
 */
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyPdf, tinyPng } from '../../src/evidence/samples.js';
import { createApiKey } from '../../src/programs/api-keys.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { serviceCsatAnswers } from '../../src/service/csat.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';
import { multipartBody, type Part } from '../support/multipart.js';

interface Browser { cookie: string; csrf: string }

let t: TestApp;
let staffKey: string;
let staffId: string;
let otherKey: string;
const ids: Record<string, string> = {};
const SECRET_NOTE = 'INTERNAL: customer is on credit hold, do not promise delivery';

const HOUR = 3_600_000;

async function signIn(memberId: string, email: string): Promise<Browser> {
  const { token, session } = await createSession(t.database.db, { kind: 'member', email }, t.clock());
  await chooseSessionMember(t.database.db, session.id, t.programId, memberId);
  return { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
}

function portal(b: Browser, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { cookie: b.cookie };
  if (method !== 'GET') headers['x-csrf-token'] = b.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method: method as 'GET', url: `/portal/v1${url}`, headers, ...(body !== undefined && { payload: JSON.stringify(body) }) });
}

function portalMultipart(b: Browser, url: string, parts: Part[]) {
  const { body, contentType } = multipartBody(parts);
  return t.app.inject({ method: 'POST', url: `/portal/v1${url}`, headers: { cookie: b.cookie, 'x-csrf-token': b.csrf, 'content-type': contentType }, payload: body });
}

const staff = async (method: string, url: string, body?: unknown, key = staffKey) => t.call(method, url, body, key);
const ok = async (res: Promise<LightMyRequestResponse>, status = 200) => {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`expected ${status}, got ${r.statusCode}: ${r.body}`);
  return r.json();
};

const names = (en: string) => ({ en, sv: `${en} (sv)`, nb: `${en} (nb)`, pl: `${en} (pl)`, de: `${en} (de)` });
const count = async (table: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE program_id = ${t.programId}`.execute(t.database.db)).rows[0]!.n);

let anna: Browser;
let erik: Browser;
let boss: Browser;

beforeAll(async () => {
  t = await startTestApp({ LOJAL_EVIDENCE_MAX_BYTES: '20000' });
  const db = t.database.db;
  staffId = uuidv7();
  await sql`INSERT INTO staff_users (program_id, id, email, name, role) VALUES (${t.programId}, ${staffId}, 'sara@lojal.example', 'Sara Support', 'support')`.execute(db);
  staffKey = (await createApiKey(db, t.programId, { name: 'sara', scopes: ['read', 'service:write'], staffUserId: staffId })).key;
  ids.ACME = await seedAccount(t, 'ACME');
  ids.OTHERCO = await seedAccount(t, 'OTHERCO');
  await sql`UPDATE accounts SET key_account_manager = 'SARA@lojal.example', tier = 'platinum' WHERE program_id = ${t.programId} AND id = ${ids.ACME}`.execute(db);
  ids.ANNA = await seedMember(t, ids.ACME, 'ANNA');
  ids.BOSS = await seedMember(t, ids.ACME, 'BOSS', 'manager');
  ids.ERIK = await seedMember(t, ids.OTHERCO, 'ERIK');
  await sql`UPDATE members SET email = lower(external_id) || '@example.com', language = 'sv' WHERE program_id = ${t.programId}`.execute(db);
  await sql`INSERT INTO webhook_subscriptions (program_id, id, url, secret) VALUES (${t.programId}, ${uuidv7()}, 'https://erp.example/hook', 'x')`.execute(db);
  anna = await signIn(ids.ANNA, 'anna@example.com');
  erik = await signIn(ids.ERIK, 'erik@example.com');
  boss = await signIn(ids.BOSS, 'boss@example.com');

  for (const [code, kind] of [['question', 'question'], ['complaint', 'complaint'], ['callback', 'callback'], ['special', 'special_order']] as const) {
    await ok(t.call('POST', '/v1/service/types', { code, kind, names: names(code) }), 201);
  }
  await ok(t.call('POST', '/v1/service/types', {
    code: 'warranty', kind: 'custom', names: names('Warranty claim'),
    fields: [{ key: 'serial', kind: 'text', required: true, labels: { en: 'Serial number', sv: 'Serienummer' } }, { key: 'product_line', kind: 'choice', labels: { en: 'Line' }, options: ['pro', 'home'] }],
  }), 201);
  await ok(t.call('PUT', '/v1/service/levels', { data: [
    { typeCode: null, tier: null, firstResponseMinutes: 540, resolutionMinutes: 2700 },
    { typeCode: 'complaint', tier: 'platinum', firstResponseMinutes: 240, resolutionMinutes: 1080 },
  ] }));
  ({ key: otherKey } = await t.newProgram({ name: 'Other program' }));
});
afterAll(async () => t?.close());

let complaint: { id: string; number: number };

describe('a complaint from raising to rating', () => {
  it('the member raises a complaint with a photo: numbered, assigned to the key-account manager, acknowledged in Swedish with the promise', async () => {
    const res = await portalMultipart(anna, '/service/requests', [
      { name: 'request', value: JSON.stringify({ type: 'complaint', subject: 'Skadade takplåtar', body: 'Tre plåtar var bucklade vid leverans.' }) },
      { name: 'photo', fileName: 'dent.png', bytes: tinyPng(), contentType: 'image/png' },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    complaint = r;
    expect(r).toMatchObject({ number: 1, state: 'new', type: { code: 'complaint' }, assignee: { id: staffId, name: 'Sara Support' }, tier: 'platinum' });
    expect(r.timeline[0].attachments[0]).toMatchObject({ contentType: 'image/png', fileName: 'dent.png' });
    expect(r.timeline[0].attachments[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const mail = await sql<{ subject: string; body: string; to_address: string }>`SELECT subject, body, to_address FROM mail_outbox WHERE program_id = ${t.programId} AND template = 'service_received'`.execute(t.database.db);
    expect(mail.rows).toHaveLength(1);
    expect(mail.rows[0]!.to_address).toBe('anna@example.com');
    expect(mail.rows[0]!.subject).toContain('#1');
    expect(mail.rows[0]!.body).toContain('4 arbetstimmar');
    const photo = await t.app.inject({ method: 'GET', url: r.timeline[0].attachments[0].url, headers: { cookie: anna.cookie } });
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/png');
  });

  it('the staff queue shows it with its SLA clock; near at closing time, breached the next day', async () => {
    // raised Wednesday 13:00 in Stockholm; four working hours run out at 17:00, when the office closes
    const q = await ok(staff('GET', '/v1/service/requests?state=new'));
    expect(q.data[0]).toMatchObject({ number: 1, sla: { firstResponse: { targetMinutes: 240, status: 'ok', dueAt: '2026-11-25T16:00:00.000Z' } } });
    t.clock.advance(3.5 * HOUR);
    expect((await ok(staff('GET', '/v1/service/requests?breach=near'))).data.map((x: { number: number }) => x.number)).toEqual([1]);
    t.clock.advance(17 * HOUR);
    const breached = await ok(staff('GET', '/v1/service/requests?breach=breached'));
    expect(breached.data.map((x: { number: number }) => x.number)).toEqual([1]);
    t.clock.advance(-20.5 * HOUR);
    expect((await ok(staff('GET', '/v1/service/requests?breach=breached'))).data).toEqual([]);
  });

  it('an internal note and a public answer: the member, mails and webhooks only ever see the answer', async () => {
    await ok(staff('POST', `/v1/service/requests/${complaint.id}/comments`, { body: SECRET_NOTE, internal: true }), 201);
    const after = await ok(staff('POST', `/v1/service/requests/${complaint.id}/comments`, { body: 'Vi skickar nya plåtar på fredag.' }), 201);
    expect(after.state).toBe('in_progress');
    expect(after.firstResponseAt).not.toBeNull();
    expect(after.timeline.some((e: { body: string }) => e.body === SECRET_NOTE)).toBe(true);

    const mine = await ok(portal(anna, 'GET', `/service/requests/${complaint.id}`));
    expect(JSON.stringify(mine)).not.toContain('credit hold');
    expect(mine.timeline.some((e: { body: string }) => e.body === 'Vi skickar nya plåtar på fredag.')).toBe(true);
    expect(mine.timeline.every((e: { internal: boolean }) => !e.internal)).toBe(true);
    const list = await ok(portal(anna, 'GET', '/service/requests'));
    expect(JSON.stringify(list)).not.toContain('credit hold');

    const mails = await sql<{ body: string; template: string }>`SELECT body, template FROM mail_outbox WHERE program_id = ${t.programId}`.execute(t.database.db);
    expect(mails.rows.some((m) => m.template === 'service_answered' && m.body.includes('nya plåtar'))).toBe(true);
    expect(mails.rows.every((m) => !m.body.includes('credit hold'))).toBe(true);
    const events = await sql<{ body: string; type: string }>`SELECT body, type FROM webhook_events WHERE program_id = ${t.programId}`.execute(t.database.db);
    expect(events.rows.map((e) => e.type)).toContain('service_request.created');
    expect(events.rows.filter((e) => e.type === 'service_request.changed').length).toBeGreaterThan(0);
    expect(events.rows.every((e) => !e.body.includes('credit hold'))).toBe(true);
  });

  it('waiting for the customer, the member answers (back in progress), staff resolve, the member closes and rates', async () => {
    await ok(staff('POST', `/v1/service/requests/${complaint.id}/state`, { to: 'waiting_customer', note: 'Vilken leveransadress?' }));
    const answered = await ok(portal(anna, 'POST', `/service/requests/${complaint.id}/comments`, { body: 'Samma som förra gången.' }), 201);
    expect(answered.state).toBe('in_progress');
    await ok(staff('POST', `/v1/service/requests/${complaint.id}/state`, { to: 'resolved' }));
    const closed = await ok(portal(anna, 'POST', `/service/requests/${complaint.id}/state`, { to: 'closed' }));
    expect(closed).toMatchObject({ state: 'closed', canRate: true });
    const rated = await ok(portal(anna, 'POST', `/service/requests/${complaint.id}/csat`, { score: 5, comment: 'Snabbt!' }));
    expect(rated).toMatchObject({ csat: { score: 5, comment: 'Snabbt!' }, canRate: false });
    const again = await portal(anna, 'POST', `/service/requests/${complaint.id}/csat`, { score: 1 });
    expect([again.statusCode, again.json().code]).toEqual([409, 'service_csat_given']);
    const answers = await serviceCsatAnswers(t.database.db, t.programId, new Date('2026-01-01'), new Date('2027-01-01'));
    expect(answers).toMatchObject([{ requestNumber: 1, type: 'complaint', score: 5 }]);
    const mails = await sql<{ template: string }>`SELECT template FROM mail_outbox WHERE program_id = ${t.programId} AND template = 'service_state_changed'`.execute(t.database.db);
    expect(mails.rows.length).toBeGreaterThanOrEqual(3);
  });

  it('the full timeline is kept in order', async () => {
    const r = await ok(staff('GET', `/v1/service/requests/${complaint.id}`));
    expect(r.timeline.map((e: { kind: string; toState: string | null }) => (e.kind === 'state' ? `state:${e.toState}` : e.kind))).toEqual([
      'created', 'comment', 'comment', 'state:in_progress', 'state:waiting_customer', 'comment', 'state:in_progress', 'state:resolved', 'state:closed',
    ]);
  });
});

describe('bad input: its own code, nothing stored', () => {
  it.each([
    ['another member\'s request', () => portal(erik, 'GET', `/service/requests/${complaint.id}`), 404, 'not_found'],
    ['a comment on another member\'s request', () => portal(erik, 'POST', `/service/requests/${complaint.id}/comments`, { body: 'hi' }), 404, 'not_found'],
    ['a comment on a closed request', () => portal(anna, 'POST', `/service/requests/${complaint.id}/comments`, { body: 'one more thing' }), 409, 'service_request_closed'],
    ['a staff comment on a closed request', () => staff('POST', `/v1/service/requests/${complaint.id}/comments`, { body: 'note' }), 409, 'service_request_closed'],
    ['a state jump the workflow forbids (member closing an open request)', () => portal(boss, 'POST', `/service/requests/${complaint.id}/state`, { to: 'closed' }), 409, 'service_transition_not_allowed'],
    ['an unknown type', () => portal(anna, 'POST', '/service/requests', { type: 'nope', subject: 's', body: 'b' }), 422, 'unknown_service_type'],
    ['a call-back without a phone number', () => portal(anna, 'POST', '/service/requests', { type: 'callback', subject: 's', body: 'b', fields: { preferred_times: 'mornings' } }), 400, 'validation_failed'],
    ['a custom field outside its choices', () => portal(anna, 'POST', '/service/requests', { type: 'warranty', subject: 's', body: 'b', fields: { serial: 'X1', product_line: 'garden' } }), 400, 'validation_failed'],
    ['an oversized file', () => portalMultipart(anna, '/service/requests', [
      { name: 'request', value: JSON.stringify({ type: 'question', subject: 'big', body: 'b' }) },
      { name: 'f', fileName: 'big.pdf', bytes: Buffer.concat([tinyPdf('x'), Buffer.alloc(30_000)]), contentType: 'application/pdf' },
    ]), 413, 'evidence_too_large'],
    ['a file of the wrong type', () => portalMultipart(anna, '/service/requests', [
      { name: 'request', value: JSON.stringify({ type: 'question', subject: 'exe', body: 'b' }) },
      { name: 'f', fileName: 'invoice.pdf', bytes: Buffer.from('MZ this is not a pdf at all, just bytes'), contentType: 'application/pdf' },
    ]), 415, 'evidence_type_not_allowed'],
  ])('%s → %s %s', async (_, send, status, code) => {
    const before = [await count('service_requests'), await count('service_entries'), await count('evidence_files'), await count('mail_outbox')];
    const res = await send();
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().code).toBe(code);
    expect([await count('service_requests'), await count('service_entries'), await count('evidence_files'), await count('mail_outbox')]).toEqual(before);
  });

  it('reopening after the window is refused', async () => {
    t.clock.advance(15 * 24 * HOUR);
    try {
      const res = await portal(anna, 'POST', `/service/requests/${complaint.id}/state`, { to: 'in_progress' });
      expect([res.statusCode, res.json().code]).toEqual([409, 'service_reopen_window_passed']);
    } finally {
      t.clock.advance(-15 * 24 * HOUR);
    }
  });
});

describe('types, managers, assignment, idempotency', () => {
  it('a call-back and a special order carry their built-in fields; a custom type its own', async () => {
    const types = await ok(portal(anna, 'GET', '/service/types'));
    const callback = types.items.find((x: { code: string }) => x.code === 'callback');
    expect(callback.fields.map((f: { key: string }) => f.key)).toEqual(['phone', 'preferred_times']);
    expect(callback.fields[0].label).toBe('Telefonnummer');
    const r = await ok(portal(anna, 'POST', '/service/requests', { type: 'callback', subject: 'Ring mig', body: 'Om leveransen', fields: { phone: '+46 70 123 45 67', preferred_times: 'vardagar 9–11' } }), 201);
    expect(r.fields).toEqual([{ key: 'phone', label: 'Telefonnummer', value: '+46 70 123 45 67' }, { key: 'preferred_times', label: 'När får vi ringa?', value: 'vardagar 9–11' }]);
    const s = await ok(portal(anna, 'POST', '/service/requests', { type: 'special', subject: 'Specialbeställning', body: 'Röda takpannor', fields: { item: 'Takpanna röd', quantity: '400', wished_date: '2027-02-01' } }), 201);
    expect(s.fields.find((f: { key: string }) => f.key === 'quantity').value).toBe(400);
    const w = await ok(portal(erik, 'POST', '/service/requests', { type: 'warranty', subject: 'Trasig borr', body: 'Går inte igång', fields: { serial: 'SN-1', product_line: 'pro' } }), 201);
    expect(w.assignee).toBeNull();
  });

  it('a manager sees the company\'s requests; a member who is not a manager may not ask', async () => {
    const company = await ok(portal(boss, 'GET', '/service/requests?scope=company'));
    expect(company.items.length).toBeGreaterThanOrEqual(3);
    expect(company.items.every((x: { account: { id: string } }) => x.account.id === ids.ACME)).toBe(true);
    const view = await portal(boss, 'GET', `/service/requests/${complaint.id}`);
    expect(view.statusCode).toBe(200);
    const res = await portal(anna, 'GET', '/service/requests?scope=company');
    expect([res.statusCode, res.json().code]).toEqual([403, 'not_a_manager']);
  });

  it('bulk assignment, then the assignee filter', async () => {
    const all = await ok(staff('GET', '/v1/service/requests?assignee=none'));
    expect(all.data.length).toBe(1);
    const res = await ok(staff('POST', '/v1/service/requests/assign', { ids: all.data.map((x: { id: string }) => x.id), staffUserId: staffId }));
    expect(res.changed).toBe(1);
    expect((await ok(staff('GET', '/v1/service/requests?assignee=none'))).data).toEqual([]);
    const unknown = await staff('POST', '/v1/service/requests/assign', { ids: [uuidv7()], staffUserId: staffId });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'not_found']);
  });

  it('a retry with the same idempotency key answers the same request once', async () => {
    const body = { type: 'question', subject: 'Öppettider?', body: 'När har ni öppet i jul?', idempotencyKey: 'q-2026-12-xmas' };
    const a = await ok(portal(anna, 'POST', '/service/requests', body), 201);
    const b = await ok(portal(anna, 'POST', '/service/requests', body), 200);
    expect(b.id).toBe(a.id);
    const c = await portal(anna, 'POST', '/service/requests', { ...body, subject: 'Annat' });
    expect([c.statusCode, c.json().code]).toEqual([409, 'idempotency_conflict']);
  });

  it('reports count volume, times and CSAT per type', async () => {
    const rep = await ok(staff('GET', '/v1/service/reports?from=2026-11-01&to=2026-11-30'));
    const c = rep.types.find((x: { type: string }) => x.type === 'complaint');
    expect(c).toMatchObject({ volume: 1, open: 0, csatAverage: 5, csatCount: 1, breached: 0 });
    expect(c.firstResponseMedian).toBeGreaterThanOrEqual(0);
    expect(rep.total.volume).toBeGreaterThanOrEqual(5);
  });
});

describe('help centre', () => {
  it('finds articles with each language\'s stemming, suggests while typing, and counts "did this help?"', async () => {
    const sv = await ok(staff('POST', '/v1/service/articles', { language: 'sv', category: 'Leveranser', title: 'Skadade leveranser', body: 'Om en leverans kommer skadad: fotografera skadan och skapa en reklamation i portalen inom sju dagar.' }), 201);
    await ok(staff('POST', '/v1/service/articles', { language: 'en', category: 'Deliveries', title: 'Damaged deliveries', body: 'Photograph the damage and raise a complaint within seven days.' }), 201);
    await ok(staff('POST', '/v1/service/articles', { language: 'de', category: 'Lieferungen', title: 'Beschädigte Lieferungen', body: 'Fotografieren Sie den Schaden.' }), 201);
    await ok(staff('POST', '/v1/service/articles', { language: 'pl', category: 'Dostawy', title: 'Uszkodzone dostawy', body: 'Zrób zdjęcie uszkodzenia i zgłoś reklamację.' }), 201);
    await ok(staff('POST', '/v1/service/articles', { language: 'nb', category: 'Leveranser', title: 'Skadede leveranser', body: 'Ta bilde av skaden og opprett en reklamasjon.' }), 201);

    // Swedish stemming: "leveransen" finds "leveranser"; the member's language decides
    const hits = await ok(portal(anna, 'GET', '/help/search?q=' + encodeURIComponent('skadad leveransen')));
    expect(hits.items.map((h: { title: string }) => h.title)).toEqual(['Skadade leveranser']);
    // while typing: a prefix of the last word
    expect((await ok(portal(anna, 'GET', '/help/search?q=reklam'))).items).toHaveLength(1);
    for (const [language, q, title] of [['en', 'damaging delivery', 'Damaged deliveries'], ['de', 'Lieferung', 'Beschädigte Lieferungen'], ['pl', 'dostawy', 'Uszkodzone dostawy'], ['nb', 'leveransene', 'Skadede leveranser']]) {
      const r = await ok(staff('GET', `/v1/service/articles/search?language=${language}&q=${encodeURIComponent(q!)}`));
      expect(r.data.map((h: { title: string }) => h.title), `${language}: ${q}`).toEqual([title]);
    }
    expect((await ok(portal(anna, 'GET', '/help/search?q=' + encodeURIComponent("'&|!:*()")))).items).toEqual([]);

    await ok(portal(anna, 'GET', `/help/articles/${sv.id}`));
    await t.app.inject({ method: 'POST', url: `/portal/v1/help/articles/${sv.id}/feedback`, headers: { cookie: anna.cookie, 'x-csrf-token': anna.csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ helpful: true }) });
    const a = await ok(staff('GET', `/v1/service/articles/${sv.id}`));
    expect(a).toMatchObject({ helpful: 1, notHelpful: 0, views: 1 });
  });
});

describe('tenant isolation', () => {
  it('another program\'s key sees none of this program\'s requests, types or articles', async () => {
    const article = (await ok(staff('GET', '/v1/service/articles'))).data[0];
    const types = (await ok(staff('GET', '/v1/service/types'))).data;
    const file = (await ok(staff('GET', `/v1/service/requests/${complaint.id}`))).timeline[0].attachments[0];
    const probes: [string, string, unknown?][] = [
      ['GET', `/v1/service/requests/${complaint.id}`],
      ['POST', `/v1/service/requests/${complaint.id}/comments`, { body: 'x' }],
      ['POST', `/v1/service/requests/${complaint.id}/state`, { to: 'in_progress' }],
      ['POST', '/v1/service/requests/assign', { ids: [complaint.id], staffUserId: null }],
      ['GET', `/v1/service/requests/${complaint.id}/attachments/${file.id}`],
      ['PUT', `/v1/service/types/${types[0].id}`, { code: 'question', kind: 'question', names: { en: 'Q' } }],
      ['GET', `/v1/service/articles/${article.id}`],
      ['PUT', `/v1/service/articles/${article.id}`, { language: 'en', category: 'c', title: 't', body: 'b' }],
    ];
    for (const [method, url, body] of probes) {
      const res = await t.call(method, url, body, otherKey);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeGreaterThanOrEqual(404);
      expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
      expect(res.statusCode === 404 || res.statusCode === 422, `${method} ${url} ${res.statusCode}`).toBe(true);
    }
    expect((await ok(t.call('GET', '/v1/service/requests', undefined, otherKey))).data).toEqual([]);
    expect((await ok(t.call('GET', '/v1/service/types', undefined, otherKey))).data).toEqual([]);
    expect((await ok(t.call('GET', '/v1/service/articles/search?language=sv&q=leverans', undefined, otherKey))).data).toEqual([]);
    const mine = await ok(staff('GET', `/v1/service/requests/${complaint.id}`));
    expect(mine.timeline.filter((e: { body: string | null }) => e.body === 'x')).toEqual([]);
  });
});
