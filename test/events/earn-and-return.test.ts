import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, purchase, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';

let t: TestApp;
let account: string;
let member: string;

/** The body with every object's keys sorted, as the fingerprint canonicalises it (src/events/schema.ts). */
const sortedKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortedKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])])) : v;

const balance = async (kind: 'accounts' | 'members', id: string) => (await t.call('GET', `/v1/${kind}/${id}/balance`)).json();

beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  account = await seedAccount(t, 'C-1', { segment: 'installer' });
  member = await seedMember(t, account, 'M-1', 'foreman');
  await createRules(t);
});
afterAll(async () => t.close());

describe('earn → balance → history', () => {
  it('pays every rule its due to the right wallet, and says why', async () => {
    const res = await t.call('POST', '/v1/events', purchase('INV-1', 'C-1', 'M-1'));
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.status).toBe('processed');
    expect(body.points).toBe(495);
    const paid = body.postings.map((p: { ruleName: string; wallet: string; points: number }) => [p.ruleName, p.wallet, p.points]);
    expect(paid).toEqual([
      ['Points per SEK', 'account', 49],
      ['Points per SEK', 'member', 21],
      ['High margin', 'member', 25],
      ['Cross-sell', 'account', 400],
    ]);
    expect(body.postings[3].reason).toMatch(/400 points: Cross-sell/);
    expect(body.trace.find((x: { ruleName: string }) => x.ruleName === 'App login').outcome).toBe('not_matched');
  });

  it('shows the balances as the sums of what was posted', async () => {
    expect(await balance('accounts', account)).toMatchObject({ available: 449, pending: 0, lifetimeEarned: 449, lifetimeSpent: 0 });
    expect(await balance('members', member)).toMatchObject({ available: 46, pending: 0, lifetimeEarned: 46 });
  });

  it("lists the event once in the history, with each rule's share explained", async () => {
    const history = (await t.call('GET', `/v1/members/${member}/history`)).json();
    expect(history.nextCursor).toBeNull();
    expect(history.data).toHaveLength(1);
    const [item] = history.data;
    expect(item).toMatchObject({ kind: 'earn', points: 46, eventExternalId: 'INV-1', description: 'Purchase INV-1: points from Points per SEK, High margin' });
    expect(item.details.map((d: { points: number }) => d.points)).toEqual([21, 25]);
    expect(item.details[1].description).toMatch(/25 points: High margin/);
  });

  it('answers a replay with the first result and pays nothing again', async () => {
    const again = await t.call('POST', '/v1/events', purchase('INV-1', 'C-1', 'M-1'));
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('replayed');
    expect(again.json().points).toBe(495);
    // The same content with keys in another order is the same event.
    const { lines, ...rest } = purchase('INV-1', 'C-1', 'M-1');
    expect((await t.call('POST', '/v1/events', { lines, ...rest })).statusCode).toBe(200);
    // So is the same moment written another way (UTC, milliseconds), and empty attributes, in a batch as alone.
    const retried = { ...purchase('INV-1', 'C-1', 'M-1'), occurredAt: '2026-11-20T09:00:00.000Z', attributes: {} };
    expect((await t.call('POST', '/v1/events', retried)).json().status).toBe('replayed');
    expect((await t.call('POST', '/v1/events', { events: [retried] })).json().results[0].status).toBe('replayed');
    // A different moment is a different event.
    expect((await t.call('POST', '/v1/events', { ...retried, occurredAt: '2026-11-20T09:00:01Z' })).statusCode).toBe(409);
    expect((await balance('accounts', account)).available).toBe(449);
  });

  it('still knows events fingerprinted before the moment was normalised, by their exact replay', async () => {
    await seedAccount(t, 'C-LEGACY');
    const body = purchase('INV-LEGACY', 'C-LEGACY');
    expect((await t.call('POST', '/v1/events', body)).statusCode).toBe(201);
    // As stored before: the hash of the body as sent, its offset included.
    await sql`UPDATE events SET body_hash = ${createHash('sha256').update(JSON.stringify(sortedKeys(body))).digest('hex')} WHERE external_id = 'INV-LEGACY'`.execute(t.database.db);
    expect((await t.call('POST', '/v1/events', body)).json().status).toBe('replayed');
    expect((await t.call('POST', '/v1/events', { events: [body] })).json().results[0].status).toBe('replayed');
  });

  it('refuses the same id with another body', async () => {
    const changed = purchase('INV-1', 'C-1', 'M-1');
    changed.lines[0]!.amount = 99900;
    const res = await t.call('POST', '/v1/events', changed);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('event_conflict');
    expect((await balance('accounts', account)).available).toBe(449);
  });

  it('GET /v1/events/:id returns the stored result', async () => {
    const res = await t.call('GET', '/v1/events/INV-1');
    expect(res.statusCode).toBe(200);
    expect(res.json().points).toBe(495);
    expect((await t.call('GET', '/v1/events/NOPE')).statusCode).toBe(404);
  });
});

describe('returns take back points in proportion', () => {
  it('a partial return reverses each earning by the returned share of its basis', async () => {
    const res = await t.call('POST', '/v1/events', {
      id: 'RET-1',
      type: 'return',
      occurredAt: '2026-11-21T10:00:00+01:00',
      account: 'C-1',
      originalId: 'INV-1',
      lines: [{ sku: 'DRILL', quantity: 1 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    // 25 000 of 70 000 returned: 49→17, 21→7; upsell basis is the drills: 25→12; cross-sell basis both lines: 400→142.
    expect(res.json().reversals.map((r: { points: number }) => r.points).sort((a: number, b: number) => a - b)).toEqual([7, 12, 17, 142]);
    expect(res.json().points).toBe(-178);
    expect((await balance('accounts', account)).available).toBe(449 - 17 - 142);
    expect((await balance('members', member)).available).toBe(46 - 7 - 12);
  });

  it('returning the rest takes back exactly what is left, never more', async () => {
    const res = await t.call('POST', '/v1/events', { id: 'RET-2', type: 'return', occurredAt: '2026-11-22T10:00:00+01:00', account: 'C-1', originalId: 'INV-1' });
    expect(res.statusCode, res.body).toBe(201);
    expect(await balance('accounts', account)).toMatchObject({ available: 0, lifetimeEarned: 0 });
    expect(await balance('members', member)).toMatchObject({ available: 0, lifetimeEarned: 0 });
  });

  it('refuses a return beyond what was bought, writing nothing', async () => {
    const res = await t.call('POST', '/v1/events', {
      id: 'RET-3',
      type: 'return',
      occurredAt: '2026-11-22T11:00:00+01:00',
      account: 'C-1',
      originalId: 'INV-1',
      lines: [{ sku: 'DRILL', quantity: 1 }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('return_exceeds_purchase');
    expect((await t.call('GET', '/v1/events/RET-3')).statusCode).toBe(404);
  });

  it("takes back one unit's share when a unit comes back with a larger amount than it cost, and the rest with the rest", async () => {
    const priced = await seedAccount(t, 'C-9');
    await seedAccount(t, 'C-10');
    await t.call('POST', '/v1/events', purchase('INV-9', 'C-9'));
    await t.call('POST', '/v1/events', purchase('INV-10', 'C-10'));
    const unit = (id: string, account: string, original: string, amount?: number) =>
      t.call('POST', '/v1/events', { id, type: 'return', occurredAt: '2026-11-21T10:00:00+01:00', account, originalId: original, lines: [{ sku: 'DRILL', quantity: 1, ...(amount !== undefined && { amount }) }] });
    const inflated = await unit('RET-9', 'C-9', 'INV-9', 999_999);
    const plain = await unit('RET-10', 'C-10', 'INV-10');
    expect(inflated.statusCode, inflated.body).toBe(201);
    expect(inflated.json().points).toBe(plain.json().points);
    expect(inflated.json().points).toBeLessThan(0);
    // The second drill still has its share to give back; after the paint too, nothing is left.
    const rest = await t.call('POST', '/v1/events', { id: 'RET-9B', type: 'return', occurredAt: '2026-11-22T10:00:00+01:00', account: 'C-9', originalId: 'INV-9' });
    expect(rest.json().points).toBeLessThan(0);
    expect(await balance('accounts', priced)).toMatchObject({ available: 0, lifetimeEarned: 0 });
  });

  it('refuses a return dated before the purchase it names, writing nothing', async () => {
    await seedAccount(t, 'C-11');
    await t.call('POST', '/v1/events', purchase('INV-11', 'C-11'));
    const early = await t.call('POST', '/v1/events', { id: 'RET-11', type: 'return', occurredAt: '2026-11-19T10:00:00+01:00', account: 'C-11', originalId: 'INV-11' });
    expect(early.statusCode, early.body).toBe(422);
    expect(early.json().code).toBe('return_before_purchase');
    expect((await t.call('GET', '/v1/events/RET-11')).statusCode).toBe(404);
  });

  it('refuses a return of an unknown or foreign purchase', async () => {
    await seedAccount(t, 'C-2');
    await t.call('POST', '/v1/events', purchase('INV-C2', 'C-2'));
    const res = await t.call('POST', '/v1/events', { id: 'RET-X', type: 'return', occurredAt: '2026-11-22T11:00:00+01:00', account: 'C-1', originalId: 'INV-C2' });
    expect(res.json().code).toBe('unknown_original_event');
  });

  it('matches a return without reference to the latest purchase of the SKU and reports what matched nothing', async () => {
    const acc = await seedAccount(t, 'C-3');
    await t.call('POST', '/v1/events', purchase('INV-3A', 'C-3', undefined, '2026-10-01T10:00:00Z'));
    await t.call('POST', '/v1/events', { ...purchase('INV-3B', 'C-3', undefined, '2026-10-05T10:00:00Z'), lines: [{ sku: 'PAINT', quantity: 2, amount: 40000 }] });
    const before = (await balance('accounts', acc)).available;
    const res = await t.call('POST', '/v1/events', {
      id: 'CN-3',
      type: 'return',
      occurredAt: '2026-10-06T10:00:00Z',
      account: 'C-3',
      lines: [{ sku: 'PAINT', quantity: 4 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    // 2 from INV-3B (all of it), 1 from INV-3A, 1 unmatched.
    expect(body.unmatched).toEqual([{ sku: 'PAINT', quantity: 1 }]);
    expect(new Set(body.reversals.map((r: { originalEventId: string }) => r.originalEventId))).toEqual(new Set(['INV-3A', 'INV-3B']));
    expect((await balance('accounts', acc)).available).toBe(before + body.points);
  });

  it('a return listing one SKU twice takes from the purchase once per listed unit, never beyond it', async () => {
    const acc = await seedAccount(t, 'C-8');
    await t.call('POST', '/v1/events', purchase('INV-8', 'C-8', undefined, '2026-10-01T10:00:00Z'));
    const twice = { id: 'RET-8', type: 'return', occurredAt: '2026-10-02T10:00:00Z', account: 'C-8', originalId: 'INV-8', lines: [{ sku: 'DRILL', quantity: 1 }, { sku: 'DRILL', quantity: 1 }] };
    const tooMany = { ...twice, id: 'RET-8X', lines: [{ sku: 'DRILL', quantity: 2 }, { sku: 'DRILL', quantity: 1 }] };
    expect((await t.call('POST', '/v1/events', tooMany)).json().code).toBe('return_exceeds_purchase');
    expect((await t.call('POST', '/v1/events', twice)).statusCode).toBe(201);
    const thrice = { ...twice, id: 'RET-8B', lines: [{ sku: 'DRILL', quantity: 1 }] };
    expect((await t.call('POST', '/v1/events', thrice)).json().code).toBe('return_exceeds_purchase');
    // Both drills are back: what the drills earned is gone, the paint's share stays.
    const bal = await balance('accounts', acc);
    expect(bal.available).toBeLessThan(470);
    expect(bal.available).toBeGreaterThan(0);
  });

  it('pages through a history with cursors, none missing and none twice', async () => {
    const acc = (await t.call('GET', '/v1/events/INV-3A')).json().accountId;
    const all = (await t.call('GET', `/v1/accounts/${acc}/history?limit=100`)).json().data.map((h: { journalId: string }) => h.journalId);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ journalId: string }>; nextCursor: string | null } = (
        await t.call('GET', `/v1/accounts/${acc}/history?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((h) => h.journalId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });
});

describe('behaviour events and caps', () => {
  it('pays app logins once a day per member', async () => {
    const acc = await seedAccount(t, 'C-4');
    const m = await seedMember(t, acc, 'M-4');
    const login = (id: string, at: string) => ({ id, type: 'app.login', occurredAt: at, account: 'C-4', member: 'M-4' });
    const res = await t.call('POST', '/v1/events', {
      events: [login('L1', '2026-11-02T07:00:00Z'), login('L2', '2026-11-02T15:00:00Z'), login('L3', '2026-11-03T07:00:00Z')],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().results.map((r: { event: { points: number } }) => r.event.points)).toEqual([10, 0, 10]);
    expect((await balance('members', m)).available).toBe(20);
  });

  it('caps feedback at 100 points a month, across requests', async () => {
    const acc = await seedAccount(t, 'C-5');
    const m = await seedMember(t, acc, 'M-5');
    const fb = (id: string, at: string) => ({ id, type: 'feedback.given', occurredAt: at, account: 'C-5', member: 'M-5' });
    const got: number[] = [];
    for (const [i, at] of ['2026-09-01', '2026-09-10', '2026-09-20', '2026-09-25', '2026-10-01'].entries()) {
      got.push((await t.call('POST', '/v1/events', fb(`F${i}`, `${at}T10:00:00Z`))).json().points);
    }
    expect(got).toEqual([40, 40, 20, 0, 40]);
    expect((await balance('members', m)).available).toBe(140);
  });
});

describe('simulate', () => {
  it('tells what an event would earn and why, writing nothing', async () => {
    const acc = await seedAccount(t, 'C-6');
    const res = await t.call('POST', '/v1/events/simulate', purchase('SIM-1', 'C-6'));
    expect(res.statusCode, res.body).toBe(200);
    // Without a member the high-margin bonus falls back to the company: 70 + 25 + 400.
    expect(res.json().points).toBe(495);
    expect(res.json().trace.length).toBeGreaterThan(0);
    expect((await balance('accounts', acc)).available).toBe(0);
    expect((await t.call('GET', '/v1/events/SIM-1')).statusCode).toBe(404);
  });
});

describe('rule versions', () => {
  it('judges an event by the version in force when it occurred', async () => {
    const acc = await seedAccount(t, 'C-7');
    const rule = (await t.call('GET', '/v1/rules')).json().data.find((r: { name: string }) => r.name === 'Points per SEK');
    const upd = await t.call('PATCH', `/v1/rules/${rule.id}`, {
      expectedVersion: rule.version,
      effectiveFrom: '2026-06-01T00:00:00Z',
      definition: { ...rule.definition, effect: { type: 'perAmount', points: 2, per: 1000 } },
    });
    expect(upd.statusCode, upd.body).toBe(200);
    const early = (await t.call('POST', '/v1/events', { ...purchase('V-OLD', 'C-7', undefined, '2026-05-01T10:00:00Z'), lines: [{ sku: 'PLANK', quantity: 1, amount: 100000 }] })).json();
    const late = (await t.call('POST', '/v1/events', { ...purchase('V-NEW', 'C-7', undefined, '2026-07-01T10:00:00Z'), lines: [{ sku: 'PLANK', quantity: 1, amount: 100000 }] })).json();
    const perSek = (e: { postings: Array<{ ruleName: string; points: number; ruleVersion: number }> }) => e.postings.filter((p) => p.ruleName === 'Points per SEK');
    expect(perSek(early).map((p) => [p.points, p.ruleVersion])).toEqual([[100, 1]]);
    expect(perSek(late).map((p) => [p.points, p.ruleVersion])).toEqual([[200, 2]]);
    expect((await balance('accounts', acc)).available).toBe(100 + 200 + 200);
  });
});
