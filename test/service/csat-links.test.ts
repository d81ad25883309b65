/**
 * The satisfaction question in the mail (issue 15, item 6), on both databases: the resolve mail carries five
 * one-click links; opening one records its score without a sign-in, once, in the same CSAT figures as the
 * portal's answer, and shows a page in the member's language with a comment form; a second click changes
 * nothing; a changed or expired token is refused with its own code and stores nothing. Also the quick replies'
 * edit and delete.
 */
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';
import { multipartBody } from '../support/multipart.js';

let t: TestApp;
const ids: Record<string, string> = {};
const names = (en: string) => ({ en, sv: `${en} (sv)`, nb: `${en} (nb)`, pl: `${en} (pl)`, de: `${en} (de)` });
const ok = async (res: Promise<LightMyRequestResponse>, status = 200) => {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`expected ${status}, got ${r.statusCode}: ${r.body}`);
  return r.json();
};
const DAY = 86_400_000;
const html = { accept: 'text/html,application/xhtml+xml' };

async function portalAs(memberId: string, email: string) {
  const { token, session } = await createSession(t.database.db, { kind: 'member', email }, t.clock());
  await chooseSessionMember(t.database.db, session.id, t.programId, memberId);
  return (method: string, url: string, body?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url: `/portal/v1${url}`,
      headers: { cookie: `lojal_member=${token}`, ...(method !== 'GET' && { 'x-csrf-token': csrfTokenFor(session) }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
}

const linksIn = (body: string) => [...body.matchAll(/\/rate\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)].map((m) => m[1]!);
const scores = async () =>
  (await sql<{ score: number; source: string }>`SELECT score, source FROM csat_scores WHERE program_id = ${t.programId} ORDER BY occurred_at`.execute(t.database.db)).rows;

async function raiseAndResolve(subject: string): Promise<{ id: string; number: number; tokens: string[] }> {
  const r = await ok(t.call('POST', '/v1/service/requests', { memberId: ids.anna, type: 'question', subject, body: 'Hur gör jag?' }), 201);
  await ok(t.call('POST', `/v1/service/requests/${r.id}/comments`, { body: 'Så här gör du.' }), 201);
  await ok(t.call('POST', `/v1/service/requests/${r.id}/state`, { to: 'resolved' }));
  const mail = await sql<{ body: string }>`
    SELECT body FROM mail_outbox WHERE program_id = ${t.programId} AND template = 'service_state_changed' AND body LIKE ${`%#${r.number} %`} ORDER BY created_at DESC LIMIT 1`.execute(t.database.db);
  return { id: r.id, number: r.number, tokens: linksIn(mail.rows[0]!.body) };
}

beforeAll(async () => {
  t = await startTestApp({ LOJAL_PUBLIC_URL: 'http://loyalty.example' });
  ids.acme = await seedAccount(t, 'ACME');
  ids.anna = await seedMember(t, ids.acme, 'ANNA');
  await sql`UPDATE members SET email = 'anna@example.com', language = 'sv' WHERE program_id = ${t.programId} AND id = ${ids.anna}`.execute(t.database.db);
  await ok(t.call('POST', '/v1/service/types', { code: 'question', kind: 'question', names: names('Question') }), 201);
});
afterAll(async () => t?.close());

describe('the satisfaction question in the mail', () => {
  let first: Awaited<ReturnType<typeof raiseAndResolve>>;

  it('the resolve mail carries five links, 1 to 5, to the public address, in the member\'s language', async () => {
    first = await raiseAndResolve('Fakturakopia');
    expect(first.tokens).toHaveLength(5);
    const mail = await sql<{ body: string }>`SELECT body FROM mail_outbox WHERE program_id = ${t.programId} AND template = 'service_state_changed' ORDER BY created_at DESC LIMIT 1`.execute(t.database.db);
    expect(mail.rows[0]!.body).toContain('Svara med ett klick');
    expect(mail.rows[0]!.body).toContain('5 – mycket nöjd: http://loyalty.example/rate/');
    expect(new Set(first.tokens).size).toBe(5);
  });

  it('a click records the score once, without signing in, in the program\'s CSAT figures, and shows a page in Swedish with a comment form', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/rate/${first.tokens[3]}`, headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="sv">');
    expect(res.body).toContain(`Tack! Du gav ärende #${first.number} (Fakturakopia) betyget 4 av 5.`);
    expect(res.body).toContain('<textarea id="comment" name="comment"');
    expect(await scores()).toEqual([{ score: 4, source: 'service_desk' }]);
    const answers = await ok(t.call('GET', '/v1/service/csat?from=2026-01-01&to=2027-12-31'));
    expect(answers.data).toMatchObject([{ requestNumber: first.number, score: 4, comment: null }]);
  });

  it('a second click, of the same or another score, changes nothing and says what counts', async () => {
    for (const token of [first.tokens[3], first.tokens[0]]) {
      const res = await t.app.inject({ method: 'GET', url: `/rate/${token}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ requestNumber: first.number, score: 4, recorded: false, portalUrl: `http://loyalty.example/requests/${first.id}` });
    }
    expect(await scores()).toEqual([{ score: 4, source: 'service_desk' }]);
  });

  it('the page\'s form adds a comment (a second replaces it); the score stays', async () => {
    const { body, contentType } = multipartBody([{ name: 'comment', value: 'Snabbt och vänligt.' }]);
    const res = await t.app.inject({ method: 'POST', url: `/rate/${first.tokens[3]}`, headers: { ...html, 'content-type': contentType }, payload: body });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Tack, vi har fått din kommentar.');
    const json = await ok(t.app.inject({ method: 'POST', url: `/rate/${first.tokens[1]}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ comment: 'Mycket bra.' }) }));
    expect(json).toMatchObject({ score: 4, comment: 'Mycket bra.', recorded: false });
    const r = await ok(t.call('GET', `/v1/service/requests/${first.id}`));
    expect(r.csat).toMatchObject({ score: 4, comment: 'Mycket bra.' });
    expect(await scores()).toHaveLength(1);
  });

  it('the portal shows the mail\'s answer and does not ask again', async () => {
    const portal = await portalAs(ids.anna!, 'anna@example.com');
    const mine = await ok(portal('GET', `/service/requests/${first.id}`));
    expect(mine).toMatchObject({ csat: { score: 4 }, canRate: false });
    const again = await portal('POST', `/service/requests/${first.id}/csat`, { score: 2 });
    expect([again.statusCode, again.json().code]).toEqual([409, 'service_csat_given']);
    // Closing after rating: the close mail asks nothing.
    await ok(portal('POST', `/service/requests/${first.id}/state`, { to: 'closed' }));
    const mail = await sql<{ body: string }>`SELECT body FROM mail_outbox WHERE program_id = ${t.programId} AND template = 'service_state_changed' ORDER BY created_at DESC LIMIT 1`.execute(t.database.db);
    expect(linksIn(mail.rows[0]!.body)).toEqual([]);
  });

  it('a changed token is 400 service_csat_link_invalid, an expired one 410 service_csat_link_expired, a reopened request 409; nothing is stored', async () => {
    const second = await raiseAndResolve('Leveransdatum');
    const token = second.tokens[4]!;
    const [payload, mac] = token.split('.') as [string, string];
    const flipped = `${payload.slice(0, 10)}${payload[10] === 'A' ? 'B' : 'A'}${payload.slice(11)}.${mac}`;
    for (const bad of [flipped, `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, `${payload}.${mac}.x`, 'not-a-token-at-all']) {
      const res = await t.app.inject({ method: 'GET', url: `/rate/${bad}` });
      expect([res.statusCode, res.json().code], bad).toEqual([400, 'service_csat_link_invalid']);
    }
    const page = await t.app.inject({ method: 'GET', url: `/rate/${flipped}`, headers: { ...html, 'accept-language': 'de' } });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Dieser Bewertungslink ist ungültig');

    t.clock.advance(31 * DAY);
    const old = await t.app.inject({ method: 'GET', url: `/rate/${token}` });
    expect([old.statusCode, old.json().code]).toEqual([410, 'service_csat_link_expired']);
    t.clock.advance(-31 * DAY);

    await ok(t.call('POST', `/v1/service/requests/${second.id}/state`, { to: 'in_progress' }));
    const reopened = await t.app.inject({ method: 'GET', url: `/rate/${token}` });
    expect([reopened.statusCode, reopened.json().code]).toEqual([409, 'service_csat_not_open']);
    expect(await scores()).toHaveLength(1);
  });
});

describe('quick replies', () => {
  it('are edited with PUT and deleted with an empty 204', async () => {
    const q = await ok(t.call('POST', '/v1/service/quick-replies', { language: 'sv', title: 'Tack', body: 'Tack för ditt ärende.' }), 201);
    const changed = await ok(t.call('PUT', `/v1/service/quick-replies/${q.id}`, { language: 'nb', title: 'Takk', body: 'Takk for henvendelsen.' }));
    expect(changed).toEqual({ id: q.id, language: 'nb', title: 'Takk', body: 'Takk for henvendelsen.' });
    expect((await ok(t.call('GET', '/v1/service/quick-replies?language=nb'))).data).toEqual([changed]);
    const gone = await t.call('DELETE', `/v1/service/quick-replies/${q.id}`);
    expect([gone.statusCode, gone.body, gone.headers['content-length'] ?? '0']).toEqual([204, '', '0']);
    const missing = await t.call('PUT', `/v1/service/quick-replies/${q.id}`, { language: 'nb', title: 'Takk', body: 'x' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'not_found']);
  });
});
