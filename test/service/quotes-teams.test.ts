/**
 * The service desk's second part on both databases: a special order answered with a quote that the member
 * accepts (a shop order through the ledger: points debited once, order mail and webhook) or declines; money
 * quotes become invoiced orders without points; too few points and an expired quote store nothing; teams as
 * assignees with the "my team" queue; and the CSAT answer counted in the program's CSAT figures by source.
 */
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/programs/api-keys.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';

interface Browser { cookie: string; csrf: string }

let t: TestApp;
let staffKey: string;
let staffId: string;
let otherStaffId: string;
let anna: Browser;
let erik: Browser;
const ids: Record<string, string> = {};

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
const ok = async (res: Promise<LightMyRequestResponse>, status = 200) => {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`expected ${status}, got ${r.statusCode}: ${r.body}`);
  return r.json();
};
const names = (en: string) => ({ en, sv: `${en} (sv)`, nb: `${en} (nb)`, pl: `${en} (pl)`, de: `${en} (de)` });
const count = async (table: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE program_id = ${t.programId}`.execute(t.database.db)).rows[0]!.n);
const available = async (b: Browser) => (await ok(portal(b, 'GET', '/balance'))).available as number;

async function specialOrder(subject: string) {
  return ok(portal(anna, 'POST', '/service/requests', { type: 'special', subject, body: 'Can you get this for us?', fields: { item: 'Rotating laser level', quantity: 2 } }), 201) as Promise<{ id: string; number: number }>;
}

beforeAll(async () => {
  t = await startTestApp();
  const db = t.database.db;
  staffId = uuidv7();
  otherStaffId = uuidv7();
  await sql`INSERT INTO staff_users (program_id, id, email, name, role) VALUES (${t.programId}, ${staffId}, 'sara@lojal.example', 'Sara Support', 'support'),
    (${t.programId}, ${otherStaffId}, 'olle@lojal.example', 'Olle Order', 'support')`.execute(db);
  staffKey = (await createApiKey(db, t.programId, { name: 'sara', scopes: ['read', 'service:write'], staffUserId: staffId })).key;
  ids.ACME = await seedAccount(t, 'ACME');
  ids.OTHERCO = await seedAccount(t, 'OTHERCO');
  ids.ANNA = await seedMember(t, ids.ACME, 'ANNA');
  ids.ERIK = await seedMember(t, ids.OTHERCO, 'ERIK');
  await sql`UPDATE members SET email = lower(external_id) || '@example.com', language = 'sv' WHERE program_id = ${t.programId}`.execute(db);
  await sql`INSERT INTO webhook_subscriptions (program_id, id, url, secret) VALUES (${t.programId}, ${uuidv7()}, 'https://erp.example/hook', 'x')`.execute(db);
  anna = await signIn(ids.ANNA, 'anna@example.com');
  erik = await signIn(ids.ERIK, 'erik@example.com');
  for (const [code, kind] of [['question', 'question'], ['special', 'special_order']] as const) await ok(t.call('POST', '/v1/service/types', { code, kind, names: names(code) }), 201);
  await ok(t.call('POST', `/v1/members/${ids.ANNA}/adjustments`, { points: 5000, reasonCode: 'opening', idempotencyKey: 'open-anna' }), 201);
});
afterAll(async () => t?.close());

describe('special-order quotes', () => {
  it('a points quote: answered publicly, waits for the customer; accepting debits the points once and makes a shop order', async () => {
    const r = await specialOrder('Laser level');
    const quoted = await ok(t.call('POST', `/v1/service/requests/${r.id}/quotes`, { points: 1200, quantity: 2, description: 'Two Leica levels, delivered in 5 days.', validUntil: '2026-12-10' }, staffKey), 201);
    expect(quoted.state).toBe('waiting_customer');
    expect(quoted.firstResponseAt).not.toBeNull();
    expect(quoted.quotes).toMatchObject([{ points: 1200, amountMinor: null, quantity: 2, status: 'open', expired: false, price: '1,200 points' }]);
    const mail = await sql<{ body: string }>`SELECT body FROM mail_outbox WHERE program_id = ${t.programId} AND template = 'service_answered'`.execute(t.database.db);
    expect(mail.rows.at(-1)!.body).toMatch(/Offert: 1[\s\u00a0]200 poäng för 2 × Rotating laser level, giltig till 2026-12-10/);

    const before = await available(anna);
    const quoteId = quoted.quotes[0].id as string;
    const accepted = await ok(portal(anna, 'POST', `/service/requests/${r.id}/quotes/${quoteId}/decision`, { decision: 'accept' }));
    expect(accepted.state).toBe('resolved');
    expect(accepted.quotes[0]).toMatchObject({ status: 'accepted', orderId: expect.any(String) });
    expect(await available(anna)).toBe(before - 1200);
    const order = await ok(t.call('GET', `/v1/reward-orders/${accepted.quotes[0].orderId}`));
    expect(order).toMatchObject({ state: 'placed', points: 1200, quantity: 2, memberId: ids.ANNA, invoice: null, reward: { code: 'service-special-order' } });
    expect(order.note).toContain('Two Leica levels');
    // The shop's notices: the order's confirmation mail and its webhook event.
    expect(await sql`SELECT 1 FROM mail_outbox WHERE program_id = ${t.programId} AND template = 'order_confirmed'`.execute(t.database.db).then((x) => x.rows.length)).toBe(1);
    expect(await sql`SELECT 1 FROM webhook_events WHERE program_id = ${t.programId} AND type = 'reward_order.placed'`.execute(t.database.db).then((x) => x.rows.length)).toBe(1);
    // The special-order reward is kept out of the shop.
    const shop = await ok(portal(anna, 'GET', '/rewards'));
    expect(JSON.stringify(shop)).not.toContain('service-special-order');

    // Accepting again (a retry) answers the same order; nothing more is paid.
    const again = await ok(portal(anna, 'POST', `/service/requests/${r.id}/quotes/${quoteId}/decision`, { decision: 'accept' }));
    expect(again.quotes[0].orderId).toBe(accepted.quotes[0].orderId);
    expect(await available(anna)).toBe(before - 1200);
    expect(await count('reward_orders')).toBe(1);
    // Declining what was accepted is refused.
    const decline = await portal(anna, 'POST', `/service/requests/${r.id}/quotes/${quoteId}/decision`, { decision: 'decline' });
    expect([decline.statusCode, decline.json().code]).toEqual([409, 'service_quote_not_open']);
  });

  it('too few points: 422 insufficient_points and nothing stored; the quote stays open', async () => {
    const r = await specialOrder('Expensive crane');
    const quoted = await ok(t.call('POST', `/v1/service/requests/${r.id}/quotes`, { points: 1_000_000, description: 'A crane.', validUntil: '2026-12-31' }, staffKey), 201);
    const before = [await count('reward_orders'), await count('journals'), await available(anna)];
    const res = await portal(anna, 'POST', `/service/requests/${r.id}/quotes/${quoted.quotes[0].id}/decision`, { decision: 'accept' });
    expect([res.statusCode, res.json().code]).toEqual([422, 'insufficient_points']);
    expect([await count('reward_orders'), await count('journals'), await available(anna)]).toEqual(before);
    const now = await ok(portal(anna, 'GET', `/service/requests/${r.id}`));
    expect([now.state, now.quotes[0].status]).toEqual(['waiting_customer', 'open']);
  });

  it('an expired quote: 409 service_quote_expired, nothing stored; declining sends it back to the team', async () => {
    const r = await specialOrder('Old offer');
    const quoted = await ok(t.call('POST', `/v1/service/requests/${r.id}/quotes`, { points: 100, description: 'Cheap.', validUntil: '2026-11-26' }, staffKey), 201);
    const quoteId = quoted.quotes[0].id;
    t.clock.advance(2 * 86_400_000); // the test clock stands at 2026-11-25 12:00Z: now past 2026-11-26 in Stockholm
    try {
      const before = [await count('reward_orders'), await available(anna)];
      const res = await portal(anna, 'POST', `/service/requests/${r.id}/quotes/${quoteId}/decision`, { decision: 'accept' });
      expect([res.statusCode, res.json().code]).toEqual([409, 'service_quote_expired']);
      expect([await count('reward_orders'), await available(anna)]).toEqual(before);
      expect((await ok(portal(anna, 'GET', `/service/requests/${r.id}`))).quotes[0]).toMatchObject({ status: 'open', expired: true });
      // A new quote withdraws the old one.
      const renewed = await ok(t.call('POST', `/v1/service/requests/${r.id}/quotes`, { points: 120, description: 'Renewed.', validUntil: '2026-12-20' }, staffKey), 201);
      expect(renewed.quotes.map((q: { status: string }) => q.status)).toEqual(['withdrawn', 'open']);
      const old = await portal(anna, 'POST', `/service/requests/${r.id}/quotes/${quoteId}/decision`, { decision: 'accept' });
      expect([old.statusCode, old.json().code]).toEqual([409, 'service_quote_not_open']);
      const declined = await ok(portal(anna, 'POST', `/service/requests/${r.id}/quotes/${renewed.quotes[1].id}/decision`, { decision: 'decline' }));
      expect([declined.state, declined.quotes[1].status]).toEqual(['in_progress', 'declined']);
    } finally {
      t.clock.advance(-2 * 86_400_000);
    }
  });

  it('a money quote: accepting makes an order to invoice, with no points taken', async () => {
    const r = await specialOrder('Custom signage');
    const quoted = await ok(t.call('POST', `/v1/service/requests/${r.id}/quotes`, { amountMinor: 1_250_000, description: 'Signage, printed and mounted.', validUntil: '2026-12-15' }, staffKey), 201);
    expect(quoted.quotes[0]).toMatchObject({ points: null, amountMinor: 1_250_000, currency: 'SEK' });
    const before = await available(anna);
    const accepted = await ok(portal(anna, 'POST', `/service/requests/${r.id}/quotes/${quoted.quotes[0].id}/decision`, { decision: 'accept' }));
    const order = await ok(t.call('GET', `/v1/reward-orders/${accepted.quotes[0].orderId}`));
    expect(order).toMatchObject({ points: 0, invoice: { amountMinor: 1_250_000, currency: 'SEK' }, state: 'placed' });
    expect(await available(anna)).toBe(before);
    const mail = await sql<{ body: string }>`SELECT body FROM mail_outbox WHERE program_id = ${t.programId} AND template = 'order_confirmed_invoice'`.execute(t.database.db);
    expect(mail.rows[0]!.body).toMatch(/12[\s\u00a0]500,00[\s\u00a0]kr/);
    // Cancelling it gives back no points (there were none) and is allowed.
    const cancelled = await ok(t.call('POST', `/v1/reward-orders/${order.id}/cancel`, { reason: 'Changed plans' }));
    expect(cancelled.state).toBe('cancelled');
    expect(await available(anna)).toBe(before);
  });

  it('only special orders take quotes; someone else\'s request is 404; a bad quote is 400', async () => {
    const q = await ok(portal(anna, 'POST', '/service/requests', { type: 'question', subject: 'Hours?', body: 'When are you open?' }), 201);
    const res = await t.call('POST', `/v1/service/requests/${q.id}/quotes`, { points: 10, description: 'x', validUntil: '2026-12-10' }, staffKey);
    expect([res.statusCode, res.json().code]).toEqual([409, 'service_quote_not_special_order']);
    const r = await specialOrder('Mine');
    const both = await t.call('POST', `/v1/service/requests/${r.id}/quotes`, { points: 10, amountMinor: 100, description: 'x', validUntil: '2026-12-10' }, staffKey);
    expect([both.statusCode, both.json().code]).toEqual([400, 'validation_failed']);
    const past = await t.call('POST', `/v1/service/requests/${r.id}/quotes`, { points: 10, description: 'x', validUntil: '2026-11-24' }, staffKey);
    expect([past.statusCode, past.json().code]).toEqual([400, 'validation_failed']);
    const quoted = await ok(t.call('POST', `/v1/service/requests/${r.id}/quotes`, { points: 10, description: 'x', validUntil: '2026-12-10' }, staffKey), 201);
    const foreign = await portal(erik, 'POST', `/service/requests/${r.id}/quotes/${quoted.quotes[0].id}/decision`, { decision: 'accept' });
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'not_found']);
  });
});

describe('teams', () => {
  it('teams with members; requests assigned to a team; "my team" in the queue', async () => {
    const orders = await ok(t.call('POST', '/v1/service/teams', { name: 'Orders', memberIds: [staffId, otherStaffId] }), 201);
    const nordic = await ok(t.call('POST', '/v1/service/teams', { name: 'Nordic accounts', memberIds: [otherStaffId] }), 201);
    const taken = await t.call('POST', '/v1/service/teams', { name: 'orders' });
    expect([taken.statusCode, taken.json().code]).toEqual([409, 'service_team_name_taken']);
    const unknown = await t.call('POST', '/v1/service/teams', { name: 'Ghosts', memberIds: [uuidv7()] });
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, 'unknown_staff_user']);

    const a = await specialOrder('For the order team');
    const b = await specialOrder('For the Nordic team');
    expect((await ok(t.call('POST', '/v1/service/requests/assign', { ids: [a.id], teamId: orders.id }))).changed).toBe(1);
    expect((await ok(t.call('POST', '/v1/service/requests/assign', { ids: [b.id], teamId: nordic.id, staffUserId: otherStaffId }))).changed).toBe(1);
    const badTeam = await t.call('POST', '/v1/service/requests/assign', { ids: [a.id], teamId: uuidv7() });
    expect([badTeam.statusCode, badTeam.json().code]).toEqual([422, 'unknown_service_team']);

    const full = await ok(t.call('GET', `/v1/service/requests/${a.id}`));
    expect(full.team).toEqual({ id: orders.id, name: 'Orders' });
    expect(full.timeline.find((e: { kind: string }) => e.kind === 'assignment')).toMatchObject({ teamName: 'Orders', internal: true });
    // The member never sees the team.
    expect(JSON.stringify(await ok(portal(anna, 'GET', `/service/requests/${a.id}`)))).not.toContain('Orders');

    const byTeam = await ok(t.call('GET', `/v1/service/requests?team=${nordic.id}`));
    expect(byTeam.data.map((x: { id: string }) => x.id)).toEqual([b.id]);
    const mine = await ok(t.call('GET', '/v1/service/requests?team=mine', undefined, staffKey));
    expect(mine.data.map((x: { id: string }) => x.id)).toEqual([a.id]);
    const keyOnly = await t.call('GET', '/v1/service/requests?team=mine');
    expect([keyOnly.statusCode, keyOnly.json().code]).toEqual([400, 'service_team_required']);

    // Sara leaves the order team: her team queue empties; removing a team leaves its requests without one.
    await ok(t.call('PUT', `/v1/service/teams/${orders.id}`, { name: 'Orders', memberIds: [otherStaffId] }));
    expect((await ok(t.call('GET', '/v1/service/requests?team=mine', undefined, staffKey))).data).toEqual([]);
    expect((await t.call('DELETE', `/v1/service/teams/${orders.id}`)).statusCode).toBe(204);
    expect((await ok(t.call('GET', `/v1/service/requests/${a.id}`))).team).toBeNull();
    expect((await ok(t.call('GET', '/v1/service/teams'))).data.map((x: { name: string }) => x.name)).toEqual(['Nordic accounts']);
  });
});

describe('CSAT in the program figures', () => {
  it('a rating on close is counted in the listening figures, split by source', async () => {
    const q = await ok(portal(anna, 'POST', '/service/requests', { type: 'question', subject: 'Invoice copy', body: 'Please resend.' }), 201);
    await ok(t.call('POST', `/v1/service/requests/${q.id}/state`, { to: 'resolved' }));
    await ok(portal(anna, 'POST', `/service/requests/${q.id}/csat`, { score: 4 }));
    const rows = await sql<{ source: string; source_ref: string; score: number; account_id: string }>`SELECT source, source_ref, score, account_id FROM csat_scores WHERE program_id = ${t.programId}`.execute(t.database.db);
    expect(rows.rows).toEqual([{ source: 'service_desk', source_ref: q.id, score: 4, account_id: ids.ACME }]);
    const figures = await ok(t.call('GET', '/v1/listening/figures?by=source&from=2026-11-01&to=2026-11-30'));
    expect(figures.csat.n).toBe(1);
    expect(figures.groups).toMatchObject([{ key: 'service_desk', answers: 1 }]);
  });
});
