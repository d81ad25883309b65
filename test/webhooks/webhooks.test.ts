/**
 * Outgoing webhooks through the API, on both databases, with a real receiver on 127.0.0.1: signed
 * deliveries for an order's life, retries on a failing receiver, nothing for a change that rolled back
 * or for types nobody asked for, bad URLs refused with a code. The delivery job is run directly with a
 * chosen `now`, so retry times are tested without waiting.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLedgerJobs } from '../../src/jobs/ledger-jobs.js';
import { deliverWebhooks } from '../../src/webhooks/delivery.js';
import { enqueueEvent } from '../../src/webhooks/events.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { documentSchemas } from '../support/contract.js';
import { newWorld, type World } from '../support/ledger.js';
import { startReceiver, verify, type Receiver } from './receiver.js';

const MINUTE = 60_000;
const local = { allowPrivate: true };
let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  // The receiver is on 127.0.0.1, a target the server refuses unless allowed (see guard.test.ts).
  t = await startTestApp({ LOJAL_WEBHOOKS_ALLOW_PRIVATE: 'on' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

/** A program whose member holds `points`, with a drill (stock 3) and a cashback reward. */
async function shop(points = 10_000): Promise<World & { member: string; account: string }> {
  const w = await newWorld(t, {}, { accounts: 1, members: [0] });
  const member = w.members[0]!.id;
  const account = w.accounts[0]!.id;
  expect((await w.call('PUT', '/v1/reward-categories/tools', { names: { en: 'Tools' } })).statusCode).toBe(200);
  for (const r of [
    { code: 'drill', type: 'physical', pricePoints: 1_000, stock: 3 },
    { code: 'cashback-500', type: 'cashback', pricePoints: 2_000, cashValueMinor: 50_000 },
  ]) {
    const res = await w.call('POST', '/v1/rewards', { category: 'tools', texts: { en: { name: r.code } }, ...r });
    expect(res.statusCode, res.body).toBe(201);
  }
  await w.call('POST', `/v1/members/${member}/adjustments`, { points, reasonCode: 'opening', idempotencyKey: `open-${member}` });
  return { ...w, member, account };
}

const subscribe = async (w: World, path: string, body: Record<string, unknown> = {}) => {
  const res = await w.call('POST', '/v1/webhooks', { url: receiver.url(path), description: 'ERP connector', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string; eventTypes: string[] };
};
const at = (path: string) => receiver.received.filter((r) => r.path === path);
const deliveries = async (w: World, subscriptionId: string, query = '') => {
  const res = await w.call('GET', `/v1/webhooks/${subscriptionId}/deliveries${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data as Array<{ id: string; eventId: string; eventType: string; state: string; attempts: number; lastStatus: number | null; lastError: string | null; nextAttemptAt: string | null; log: unknown[] }>;
};
const eventsOf = async (programId: string) =>
  Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_events WHERE program_id = ${programId}`.execute(t.database.db)).rows[0]!.n);

describe('webhooks', () => {
  it('an order placed, approved and shipped reaches the receiver as three signed events, in order', async () => {
    const w = await shop();
    const sub = await subscribe(w, '/life');
    expect(sub.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(sub.eventTypes).toEqual(['*']);
    const placed = await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, quantity: 2, idempotencyKey: 'wh-order-1' });
    expect(placed.statusCode, placed.body).toBe(201);
    const orderId = placed.json().id;
    await w.call('POST', `/v1/reward-orders/${orderId}/approve`, {});
    await w.call('POST', `/v1/reward-orders/${orderId}/ship`, { carrier: 'PostNord', trackingNumber: 'SE123' });
    // A replayed order request publishes nothing more.
    expect((await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, quantity: 2, idempotencyKey: 'wh-order-1' })).statusCode).toBe(200);

    const report = await deliverWebhooks(t.database.db, { ...local, now: t.clock() });
    expect(report.delivered).toBeGreaterThanOrEqual(3);
    const got = at('/life');
    expect(got.map((r) => [r.json.type, r.json.data.from, r.json.data.to])).toEqual([
      ['reward_order.placed', null, 'placed'],
      ['reward_order.state_changed', 'placed', 'approved'],
      ['reward_order.state_changed', 'approved', 'shipped'],
    ]);
    for (const r of got) {
      expect(verify(sub.secret, r)).toBe(true);
      expect(verify('whsec_someone-else', r)).toBe(false);
      expect(r.headers['lojal-event-id']).toBe(r.json.id);
      expect(r.headers['lojal-event-type']).toBe(r.json.type);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.json.programId).toBe(w.programId);
      expect(Number.isNaN(Date.parse(r.json.occurredAt))).toBe(false);
    }
    expect(new Set(got.map((r) => r.json.id)).size).toBe(3);
    expect(got[2]!.json.data).toEqual({
      orderId,
      rewardCode: 'drill',
      rewardType: 'physical',
      memberId: w.member,
      accountId: w.account,
      quantity: 2,
      points: 2_000,
      from: 'approved',
      to: 'shipped',
      tracking: { carrier: 'PostNord', trackingNumber: 'SE123' },
    });
    const list = await deliveries(w, sub.id);
    expect(list.map((d) => [d.eventType, d.state, d.attempts, d.lastStatus, d.nextAttemptAt])).toEqual([
      ['reward_order.state_changed', 'delivered', 1, 200, null],
      ['reward_order.state_changed', 'delivered', 1, 200, null],
      ['reward_order.placed', 'delivered', 1, 200, null],
    ]);
    // Delivered means done: running again sends nothing.
    await deliverWebhooks(t.database.db, { ...local, now: new Date(t.clock().getTime() + 3 * 24 * 60 * MINUTE) });
    expect(at('/life')).toHaveLength(3);
    // The secret is never shown again.
    expect(JSON.stringify((await w.call('GET', `/v1/webhooks/${sub.id}`)).json())).not.toContain(sub.secret);
    expect(JSON.stringify((await w.call('GET', '/v1/webhooks')).json())).not.toContain('whsec_');
  });

  it('a receiver answering 500 gets the same event again after a minute, and it is delivered once', async () => {
    const w = await shop();
    const sub = await subscribe(w, '/flaky', { eventTypes: ['reward_order.placed'] });
    await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, idempotencyKey: 'wh-flaky-1' });
    const t0 = t.clock();
    receiver.answer('/flaky', 500);
    await deliverWebhooks(t.database.db, { ...local, now: t0 });
    let [d] = await deliveries(w, sub.id);
    expect(d).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500: receiver says no' });
    const next = new Date(d!.nextAttemptAt!).getTime() - t0.getTime();
    expect(next).toBeGreaterThanOrEqual(MINUTE);
    expect(next).toBeLessThan(2 * MINUTE);

    await deliverWebhooks(t.database.db, { ...local, now: new Date(t0.getTime() + 30_000) });
    expect(at('/flaky')).toHaveLength(1);
    await deliverWebhooks(t.database.db, { ...local, now: new Date(t0.getTime() + 2 * MINUTE) });
    expect(at('/flaky')).toHaveLength(2);
    [d] = await deliveries(w, sub.id);
    expect(d).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 200, lastError: null, nextAttemptAt: null });
    expect(d!.log).toMatchObject([{ attempt: 1, status: 500 }, { attempt: 2, status: 200, error: null }]);
    const [first, second] = at('/flaky');
    expect(second!.json.id).toBe(first!.json.id);
    expect(second!.body).toBe(first!.body);
    expect(verify(sub.secret, second!)).toBe(true);
    await deliverWebhooks(t.database.db, { ...local, now: new Date(t0.getTime() + 24 * 60 * MINUTE) });
    expect(at('/flaky')).toHaveLength(2);
    expect(await deliveries(w, sub.id, '?state=delivered')).toHaveLength(1);
    expect(await deliveries(w, sub.id, '?state=pending')).toHaveLength(0);
  });

  it('gives up after six attempts (1 min, 5 min, 30 min, 2 h, 12 h apart); a failed delivery is retried by hand', async () => {
    const w = await shop();
    const sub = await subscribe(w, '/down', { eventTypes: ['reward_order.placed'] });
    await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, idempotencyKey: 'wh-down-1' });
    let now = t.clock().getTime();
    // Each wait a second longer than the schedule: a retry is due from the end of the attempt before it.
    const waits = [0, 1, 5, 30, 120, 720].map((m) => m * MINUTE + 1000);
    for (const wait of waits) {
      now += wait;
      receiver.answer('/down', 503);
      await deliverWebhooks(t.database.db, { ...local, now: new Date(now) });
    }
    expect(at('/down')).toHaveLength(6);
    let [d] = await deliveries(w, sub.id);
    expect(d).toMatchObject({ state: 'failed', attempts: 6, lastStatus: 503, nextAttemptAt: null });
    await deliverWebhooks(t.database.db, { ...local, now: new Date(now + 30 * 24 * 60 * MINUTE) });
    expect(at('/down')).toHaveLength(6);

    const retried = await w.call('POST', `/v1/webhooks/deliveries/${d!.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(202);
    expect(retried.json()).toMatchObject({ state: 'pending', attempts: 6 });
    await deliverWebhooks(t.database.db, { ...local, now: t.clock() });
    [d] = await deliveries(w, sub.id);
    expect(d).toMatchObject({ state: 'delivered', attempts: 7, lastStatus: 200 });
    expect(at('/down')).toHaveLength(7);

    const again = await w.call('POST', `/v1/webhooks/deliveries/${d!.id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'webhook_delivery_not_failed' });
    expect(again.json().detail).toBe(`Delivery ${d!.id} is delivered; only a failed delivery can be sent again by hand.`);
  });

  it('an attempt without an answer ends at the timeout and is recorded without a status', async () => {
    const w = await shop();
    const sub = await subscribe(w, '/silent', { eventTypes: ['reward_order.placed'] });
    await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, idempotencyKey: 'wh-silent-1' });
    receiver.hang(true);
    try {
      await deliverWebhooks(t.database.db, { ...local, timeoutMs: 300, now: t.clock() });
    } finally {
      receiver.hang(false);
    }
    const [d] = await deliveries(w, sub.id);
    expect(d).toMatchObject({ state: 'pending', attempts: 1, lastStatus: null, lastError: 'no answer within 0.3 s' });
  });

  it('an order that rolls back publishes nothing; nor does a transaction that fails after enqueueing', async () => {
    const w = await shop(1_500);
    await subscribe(w, '/rollback');
    const tooMany = await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, quantity: 4, idempotencyKey: 'wh-rollback-1' });
    expect(tooMany.json().code).toBe('insufficient_points');
    await w.call('POST', `/v1/members/${w.member}/adjustments`, { points: 10_000, reasonCode: 'goodwill', idempotencyKey: `more-${w.member}` });
    const soldOut = await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, quantity: 4, idempotencyKey: 'wh-rollback-2' });
    expect(soldOut.json().code).toBe('out_of_stock');
    // The outbox itself: an event written inside a transaction that then fails is gone with it.
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        expect(await enqueueEvent(trx, w.programId, 'tier.changed', { ownerKind: 'account' }, t.clock())).not.toBeNull();
        throw new Error('the change fails after its event was written');
      }),
    ).rejects.toThrow('the change fails');
    expect(await eventsOf(w.programId)).toBe(0);
    await deliverWebhooks(t.database.db, { ...local, now: t.clock() });
    expect(at('/rollback')).toHaveLength(0);
  });

  it('a subscriber gets only the types it asked for; cashback sends the credit note with the account external id', async () => {
    const w = await shop();
    const tiers = await subscribe(w, '/tiers-only', { eventTypes: ['tier.changed'] });
    const notes = await subscribe(w, '/notes', { eventTypes: ['credit_note.created'] });
    const paused = await subscribe(w, '/paused', { active: false });
    const order = await w.call('POST', '/v1/reward-orders', { reward: 'cashback-500', memberId: w.member, idempotencyKey: 'wh-cash-1' });
    expect(order.json().state).toBe('issued');
    await deliverWebhooks(t.database.db, { ...local, now: t.clock() });
    expect(at('/tiers-only')).toHaveLength(0);
    expect(at('/paused')).toHaveLength(0);
    expect(await deliveries(w, tiers.id)).toEqual([]);
    expect(await deliveries(w, paused.id)).toEqual([]);
    const [note] = at('/notes');
    expect(at('/notes')).toHaveLength(1);
    expect(verify(notes.secret, note!)).toBe(true);
    expect(note!.json).toMatchObject({ type: 'credit_note.created', data: { creditNoteId: order.json().creditNote.id, orderId: order.json().id, accountId: w.account, accountExternalId: 'C-0', amountMinor: 50_000, currency: 'SEK' } });

    // Pausing and resuming by PATCH; a paused subscription gets what happens while it is active again.
    expect((await w.call('PATCH', `/v1/webhooks/${paused.id}`, { active: true, eventTypes: ['reward_order.placed', 'reward_order.state_changed'] })).json()).toMatchObject({
      active: true,
      eventTypes: ['reward_order.placed', 'reward_order.state_changed'],
    });
    await w.call('POST', '/v1/reward-orders', { reward: 'cashback-500', memberId: w.member, idempotencyKey: 'wh-cash-2' });
    await deliverWebhooks(t.database.db, { ...local, now: t.clock() });
    expect(at('/paused').map((r) => [r.json.type, r.json.data.to])).toEqual([
      ['reward_order.placed', 'placed'],
      ['reward_order.state_changed', 'approved'],
      ['reward_order.state_changed', 'issued'],
    ]);
    expect(at('/notes')).toHaveLength(2);
  });

  it('a tier upgrade at event time is published as tier.changed', async () => {
    const w = await shop(0);
    const sub = await subscribe(w, '/tier', { eventTypes: ['tier.changed'] });
    const names = { en: 'Silver', sv: 'Silver', nb: 'Sølv', pl: 'Srebrny', de: 'Silber' };
    const ladder = { settings: { basis: 'points', windowKind: 'rolling', scope: 'account' }, levels: [{ code: 'silver', rank: 1, threshold: 10, names }] };
    expect((await w.call('PUT', '/v1/tiers', ladder)).statusCode).toBe(200);
    const event = {
      id: 'WH-INV-1',
      type: 'purchase',
      occurredAt: new Date(t.clock().getTime() - 3_600_000).toISOString(),
      account: 'C-0',
      lines: [{ sku: 'DRILL', quantity: 2, amount: 50000 }],
    };
    expect((await w.call('POST', '/v1/events', event)).statusCode).toBe(201);
    await deliverWebhooks(t.database.db, { ...local, now: t.clock() });
    const got = at('/tier');
    expect(got).toHaveLength(1);
    expect(verify(sub.secret, got[0]!)).toBe(true);
    expect(got[0]!.json.data).toEqual({ ownerKind: 'account', ownerId: w.account, ownerExternalId: 'C-0', from: null, to: 'silver', reason: 'threshold_reached' });
  });

  it('points earned, taken back and expired, and members joining and leaving, reach the receiver as the document describes them', async () => {
    const base = await newWorld(t, { expiryPolicy: { kind: 'end_of_year', yearsAfter: 1 } }, { accounts: 1, members: [0] });
    const w = { ...base, account: base.accounts[0]!.id, member: base.members[0]!.id };
    const sub = await subscribe(w, '/points', { eventTypes: ['points.earned', 'points.reversed', 'points.expired', 'member.joined', 'member.left'] });
    const purchase = { id: 'PT-INV-1', type: 'purchase', occurredAt: '2026-11-20T10:00:00+01:00', account: 'C-0', member: 'M-0', lines: [{ sku: 'DRILL', quantity: 2, amount: 50000 }] };
    expect((await w.call('POST', '/v1/events', purchase)).statusCode).toBe(201);
    expect((await w.call('POST', '/v1/events', purchase)).statusCode).toBe(200); // a replay publishes nothing
    const back = { id: 'PT-RET-1', type: 'return', occurredAt: '2026-11-21T10:00:00+01:00', account: 'C-0', originalId: 'PT-INV-1' };
    expect((await w.call('POST', '/v1/events', back)).statusCode).toBe(201);
    const joined = await w.call('POST', '/v1/members', { name: 'Ny Montör', accountId: w.account, externalId: 'M-NEW' });
    expect(joined.statusCode, joined.body).toBe(201);
    expect((await w.call('POST', `/v1/members/${joined.json().id}/deactivate`, {})).statusCode).toBe(200);
    // What is left of the member's points expires long after (the job run at a chosen time).
    const opening = await w.call('POST', `/v1/members/${w.member}/adjustments`, { points: 700, reasonCode: 'opening', idempotencyKey: 'points-opening-1' });
    expect(opening.statusCode, opening.body).toBe(201);
    // Far past any expiry the opening points can have: the adjustment is dated by the system clock, whatever year it is.
    const later = new Date(t.clock().getTime() + 5 * 366 * 86_400_000);
    expect((await runLedgerJobs(t.database.db, later)).pointsExpired).toBeGreaterThanOrEqual(700);

    await deliverWebhooks(t.database.db, { ...local, now: later });
    const got = at('/points');
    for (const r of got) expect(verify(sub.secret, r)).toBe(true);
    const types = got.map((r) => r.json.type);
    expect(types.filter((x) => x === 'points.earned')).toHaveLength(1);
    expect(types.sort(), JSON.stringify(types)).toEqual(expect.arrayContaining(['member.joined', 'member.left', 'points.earned', 'points.expired', 'points.reversed']));
    const earned = got.find((r) => r.json.type === 'points.earned')!.json.data;
    expect(earned).toMatchObject({ externalEventId: 'PT-INV-1', eventType: 'purchase', accountExternalId: 'C-0', memberExternalId: 'M-0' });
    expect(earned.points).toBeGreaterThan(0);
    const reversed = got.find((r) => r.json.type === 'points.reversed')!.json.data;
    expect(reversed).toMatchObject({ externalEventId: 'PT-RET-1', points: earned.points });
    expect(got.find((r) => r.json.type === 'member.left')!.json.data).toMatchObject({ externalId: 'M-NEW', status: 'closed', how: 'deactivated' });

    // Every body matches the document's `webhooks` section, which is what receivers generate their types from.
    const doc = (await t.call('GET', '/openapi.json', undefined, null)).json();
    const compile = documentSchemas(doc);
    for (const r of got) {
      const schema = doc.webhooks[r.json.type].post.requestBody.content['application/json'].schema;
      const validate = compile(schema);
      expect(validate(r.json), `${r.json.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('a rotated secret signs what is sent from then on', async () => {
    const w = await shop();
    const sub = await subscribe(w, '/rotate', { eventTypes: ['reward_order.placed'] });
    const rotated = await w.call('POST', `/v1/webhooks/${sub.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const secret = rotated.json().secret as string;
    expect(secret).not.toBe(sub.secret);
    await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, idempotencyKey: 'wh-rot-1' });
    await deliverWebhooks(t.database.db, { ...local, now: t.clock() });
    const [r] = at('/rotate');
    expect(verify(secret, r!)).toBe(true);
    expect(verify(sub.secret, r!)).toBe(false);
  });

  it('refuses bad URLs and unknown event types with their codes, in the reader’s language', async () => {
    const w = await shop(0);
    const cases: Array<[string, string]> = [
      ['http://erp.example.com/hook', 'insecure'],
      ['ftp://erp.example.com/hook', 'scheme'],
      ['not a url', 'unparsable'],
      ['https://user:secret@erp.example.com/hook', 'credentials'],
    ];
    for (const [url, reason] of cases) {
      const res = await w.call('POST', '/v1/webhooks', { url });
      expect(res.statusCode, url).toBe(422);
      expect(res.json().code, url).toBe('invalid_webhook_url');
      expect(res.json().detail, url).toContain(reason === 'insecure' ? 'plain http is only allowed to localhost' : url);
    }
    for (const url of ['https://erp.example.com/hook', 'http://localhost:8080/hook', 'http://127.0.0.1:9/erp', 'http://[::1]:8080/x']) {
      expect((await w.call('POST', '/v1/webhooks', { url })).statusCode, url).toBe(201);
    }
    const sv = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: { authorization: `Bearer ${w.key}`, 'content-type': 'application/json', 'accept-language': 'sv' },
      payload: JSON.stringify({ url: 'http://erp.example.com/hook' }),
    });
    expect(sv.json().detail).toBe('Webhook-adressen http://erp.example.com/hook kan inte användas: okrypterad http tillåts bara till localhost eller 127.0.0.1; använd https.');
    const badType = await w.call('POST', '/v1/webhooks', { url: 'https://erp.example.com/x', eventTypes: ['order.placed'] });
    expect(badType.statusCode).toBe(422);
    expect(badType.json()).toMatchObject({ code: 'unknown_webhook_event_type' });
    expect(badType.json().detail).toContain('reward_order.placed');
    const sub = await subscribe(w, '/patch');
    const patch = await w.call('PATCH', `/v1/webhooks/${sub.id}`, { url: 'http://erp.example.com/hook' });
    expect(patch.json().code).toBe('invalid_webhook_url');
    expect((await w.call('GET', `/v1/webhooks/${sub.id}`)).json().url).toBe(receiver.url('/patch'));
    expect((await w.call('POST', '/v1/webhooks', { url: 'https://erp.example.com/x', extra: 1 })).json().code).toBe('validation_failed');
    // Webhooks are the program team's: a read key may not see them.
    const readKey = await t.keyWith(['read'], w.programId);
    expect((await t.call('GET', '/v1/webhooks', undefined, readKey)).statusCode).toBe(403);
  });

  it('another program sees none of the subscriptions or deliveries; deleting removes a subscription and its deliveries', async () => {
    const w = await shop();
    const other = await shop();
    const sub = await subscribe(w, '/mine');
    await w.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: w.member, idempotencyKey: 'wh-iso-1' });
    const [d] = await deliveries(w, sub.id);
    expect((await other.call('GET', '/v1/webhooks')).json().data).toEqual([]);
    expect((await other.call('GET', `/v1/webhooks/${sub.id}`)).statusCode).toBe(404);
    expect((await other.call('GET', `/v1/webhooks/${sub.id}/deliveries`)).statusCode).toBe(404);
    expect((await other.call('POST', `/v1/webhooks/deliveries/${d!.id}/retry`)).statusCode).toBe(404);
    expect((await other.call('DELETE', `/v1/webhooks/${sub.id}`)).statusCode).toBe(404);
    // The other program's own order does not reach this program's subscriber.
    await other.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: other.member, idempotencyKey: 'wh-iso-1' });
    await deliverWebhooks(t.database.db, { ...local, now: t.clock() });
    expect(at('/mine').map((r) => r.json.programId)).toEqual([w.programId]);

    expect((await w.call('DELETE', `/v1/webhooks/${sub.id}`)).statusCode).toBe(200);
    expect((await w.call('GET', `/v1/webhooks/${sub.id}`)).statusCode).toBe(404);
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_deliveries WHERE program_id = ${w.programId}`.execute(t.database.db);
    expect(left.rows[0]!.n).toBe(0);
  });

  it('several delivery jobs at once send each event once', async () => {
    const w = await shop();
    await subscribe(w, '/race', { eventTypes: ['tier.changed'] });
    await t.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 60; i++) await enqueueEvent(trx, w.programId, 'tier.changed', { n: i }, t.clock());
    });
    const reports = await Promise.all(Array.from({ length: 4 }, () => deliverWebhooks(t.database.db, { ...local, now: t.clock() })));
    expect(reports.reduce((n, r) => n + r.delivered, 0)).toBeGreaterThanOrEqual(60);
    const got = at('/race');
    expect(got).toHaveLength(60);
    expect(new Set(got.map((r) => r.json.id)).size).toBe(60);
    expect(new Set(got.map((r) => r.json.data.n)).size).toBe(60);
  });
});
