import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { createRules, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent } from '../support/ledger.js';
import { campaignBonus, controlBucket, uplift } from '../../src/campaigns/effects.js';

describe('campaign effects, control group and uplift (pure)', () => {
  const lines = [
    { lineNo: 1, sku: 'DRILL', category: 'tools', brand: 'Bosch', marginClass: 'high', quantity: 1, amount: 25_000 },
    { lineNo: 2, sku: 'PAINT', category: 'paint', brand: null, marginClass: null, quantity: 1, amount: 9_999 },
  ];
  it.each([
    ['double points', [{ type: 'multiplier' as const, factor: 2 }], 35, 35],
    ['×1.5 rounds down', [{ type: 'multiplier' as const, factor: 1.5 }], 35, 17],
    ['tools line bonus', [{ type: 'lineBonus' as const, category: 'tools', points: 10, per: 10_000 }], 35, 20],
    ['brand line bonus', [{ type: 'lineBonus' as const, brand: 'Bosch', points: 1, per: 1_000 }], 0, 25],
    ['no matching line', [{ type: 'lineBonus' as const, category: 'timber', points: 10, per: 100 }], 35, 0],
    ['fixed plus double', [{ type: 'fixed' as const, points: 50 }, { type: 'multiplier' as const, factor: 2 }], 35, 85],
    ['multiplier of nothing', [{ type: 'multiplier' as const, factor: 3 }], 0, 0],
  ])('%s', (_n, effects, rulePoints, expected) => {
    expect(campaignBonus(effects, lines, rulePoints).points).toBe(expected);
  });

  it('the control bucket is stable and spreads evenly', () => {
    expect(controlBucket('c1', 'a1')).toBe(controlBucket('c1', 'a1'));
    const held = Array.from({ length: 2000 }, (_, i) => controlBucket('campaign', `account-${i}`)).filter((b) => b < 20).length;
    expect(held).toBeGreaterThan(330);
    expect(held).toBeLessThan(470);
  });

  it.each([
    ['clear uplift', { n: 100, mean: 120, variance: 100 }, { n: 100, mean: 100, variance: 100 }, { difference: 20, significant: true }],
    ['noise', { n: 10, mean: 101, variance: 400 }, { n: 10, mean: 100, variance: 400 }, { difference: 1, significant: false }],
  ])('%s', (_n, treated, control, expected) => {
    const u = uplift(treated, control)!;
    expect(u).toMatchObject(expected);
    expect(u.low).toBeLessThan(u.difference);
    expect(u.high).toBeGreaterThan(u.difference);
  });
  it('needs two accounts per group', () => {
    expect(uplift({ n: 1, mean: 1, variance: 0 }, { n: 5, mean: 1, variance: 0 })).toBeNull();
  });
});

let t: TestApp;
const accounts: string[] = [];
beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  await createRules(t, [
    {
      name: 'Points per SEK',
      effectiveFrom: '2020-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'account' } },
    },
  ]);
  for (let i = 0; i < 40; i++) accounts.push(await seedAccount(t, `P${i}`, { tags: i < 30 ? ['promo'] : [] }));
  const seg = await t.call('POST', '/v1/segments', { key: 'promo', name: 'Promo', definition: { field: 'tags', op: 'hasAny', value: ['promo'] } });
  expect(seg.statusCode, seg.body).toBe(201);
});
afterAll(async () => t.close());

const campaign = (over: Record<string, unknown> = {}) => ({
  name: 'Double November',
  segmentKeys: ['promo'],
  startsAt: '2026-11-01T00:00:00+01:00',
  endsAt: '2026-12-01T00:00:00+01:00',
  effects: [{ type: 'multiplier', factor: 2 }],
  budgetPoints: 500,
  controlPercent: 20,
  ...over,
});

describe('campaigns paid from a budget that never goes below zero', () => {
  it.each([
    [{ budgetPoints: -1 }, 'campaign_budget_negative'],
    [{ endsAt: '2026-10-01T00:00:00Z' }, 'campaign_dates_reversed'],
    [{ segmentKeys: ['nobody'] }, 'campaign_segment_unknown'],
    [{ effects: [] }, 'validation_failed'],
  ])('refuses %j with %s', async (over, code) => {
    const res = await t.call('POST', '/v1/campaigns', campaign(over));
    expect(res.statusCode).toBe(code === 'validation_failed' ? 400 : 422);
    expect(res.json().code).toBe(code);
  });

  it('pays the segment’s treated accounts, holds out the control group, stops when the budget is spent and says so', async () => {
    const res = await t.call('POST', '/v1/campaigns', campaign());
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json();
    // The same bucket in SQL as in code.
    const { rows } = await sql<{ id: string; bucket: string }>`
      SELECT a.id, ((('x' || substr(md5(${c.id} || ':' || a.id::text), 1, 8))::bit(32)::bigint) % 100) AS bucket
      FROM accounts a WHERE a.program_id = ${t.programId}`.execute(t.database.db);
    for (const r of rows) expect(Number(r.bucket)).toBe(controlBucket(c.id, r.id));

    // 40 purchases of 300 SEK (30 points each, so 30 more under double points): the 500-point budget pays 16 and a part.
    const events = accounts.map((_, i) => ({ id: `N-${i}`, type: 'purchase', occurredAt: '2026-11-20T10:00:00Z', account: `P${i}`, lines: [{ sku: 'PAINT', quantity: 1, amount: 30_000 }] }));
    const out = await t.call('POST', '/v1/events', { events });
    expect(out.statusCode, out.body).toBe(200);
    const results = out.json().results as Array<{ event: { points: number; postings: Array<{ ruleName: string; points: number; reason: string }> } }>;
    const bonus = results.flatMap((r) => r.event.postings.filter((p) => p.ruleName === 'Double November'));
    expect(bonus.reduce((s, p) => s + p.points, 0)).toBe(500);
    expect(bonus.map((p) => p.points)).toEqual([...Array(16).fill(30), 20]);
    expect(bonus[16]!.reason).toMatch(/ran out.*20 of 30/);
    // Once it is empty, a treated account's purchase gets nothing from it, and the event's trace says why.
    const treated = accounts.findIndex((id, i) => i < 30 && controlBucket(c.id, id) >= 20);
    const late = await t.call('POST', '/v1/events', { id: 'LATE', type: 'purchase', occurredAt: '2026-11-21T10:00:00Z', account: `P${treated}`, lines: [{ sku: 'PAINT', quantity: 1, amount: 30_000 }] });
    expect(late.statusCode, late.body).toBe(201);
    expect(late.json().points).toBe(30);
    const line = (late.json().trace as Array<{ ruleName: string; outcome: string; reason: string }>).find((x) => x.ruleName === 'Double November');
    expect(line).toMatchObject({ outcome: 'capped', reason: expect.stringMatching(/used up/) });
    // Neither the held-out group nor accounts outside the segment ever got a bonus.
    accounts.forEach((id, i) => {
      const paidHere = results[i]!.event.postings.some((p) => p.ruleName === 'Double November');
      if (paidHere) {
        expect(i).toBeLessThan(30);
        expect(controlBucket(c.id, id)).toBeGreaterThanOrEqual(20);
      }
    });

    // A replay pays nothing more.
    const again = await t.call('POST', '/v1/events', { events: events.slice(0, 3) });
    expect(again.json().summary).toMatchObject({ replayed: 3 });

    const report = (await t.call('GET', `/v1/campaigns/${c.id}`)).json().report;
    expect(report).toMatchObject({ status: 'running', budget: { planned: 500, spent: 500, available: 0, exhausted: true }, payouts: { count: 17 } });
    expect(report.groups.treatment.n + report.groups.control.n).toBe(30);
    expect(report.groups.control.n).toBeGreaterThan(0);
    expect(report.uplift).not.toBeNull();
    await expectLedgerConsistent(t.database.db, t.programId);
    expect((await t.call('GET', '/v1/campaigns')).json().data).toHaveLength(1);
    const other = await t.newProgram();
    expect((await t.call('GET', `/v1/campaigns/${c.id}`, undefined, other.key)).statusCode).toBe(404);
  });

  it.skipIf(!onPostgres)('200 concurrent earning events never take the budget below zero', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push(await seedAccount(t, `R${i}`));
    const res = await t.call('POST', '/v1/campaigns', campaign({ name: 'Race', segmentKeys: [], controlPercent: 0, budgetPoints: 1000, effects: [{ type: 'fixed', points: 7 }] }));
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json();
    const answers = await Promise.all(
      ids.map((_, i) =>
        t.call('POST', '/v1/events', { id: `R-${i}`, type: 'purchase', occurredAt: '2026-11-21T10:00:00Z', account: `R${i}`, lines: [{ sku: 'PLANK', quantity: 1, amount: 1_000 }] }),
      ),
    );
    expect(answers.map((a) => a.statusCode).filter((s) => s !== 201)).toEqual([]);
    const paid = answers.map((a) => (a.json().postings as Array<{ ruleName: string; points: number }>).filter((p) => p.ruleName === 'Race').reduce((s, p) => s + p.points, 0));
    expect(paid.reduce((s, p) => s + p, 0)).toBe(1000);
    expect(paid.filter((p) => p === 7)).toHaveLength(142);
    expect(paid.filter((p) => p === 6)).toHaveLength(1);
    const report = (await t.call('GET', `/v1/campaigns/${c.id}`)).json().report;
    expect(report.budget).toEqual({ planned: 1000, spent: 1000, available: 0, exhausted: true });
    await expectLedgerConsistent(t.database.db, t.programId);
  });

  it('reports a campaign for a member segment: the accounts of its members, on the purchases naming them', async () => {
    // P30–P39 are in no account segment; each has a foreman (in the member segment) and a buyer (not).
    const foremen: string[] = [];
    for (let i = 30; i < 40; i++) {
      foremen.push(await seedMember(t, accounts[i]!, `F${i}`, 'foreman'));
      await seedMember(t, accounts[i]!, `B${i}`, 'buyer');
    }
    const seg = await t.call('POST', '/v1/segments', { key: 'foremen', name: 'Foremen', subject: 'member', definition: { field: 'role', op: 'eq', value: 'foreman' } });
    expect(seg.statusCode, seg.body).toBe(201);
    const res = await t.call('POST', '/v1/campaigns', campaign({ name: 'Foremen week', segmentKeys: ['foremen'], controlPercent: 50, budgetPoints: 100_000, effects: [{ type: 'fixed', points: 5 }] }));
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json();
    const at = '2026-11-22T10:00:00Z';
    const events = accounts.slice(30).flatMap((_, j) => [
      { id: `FW-F-${j}`, type: 'purchase', occurredAt: at, account: `P${30 + j}`, member: `F${30 + j}`, lines: [{ sku: 'PAINT', quantity: 1, amount: 10_000 * (j + 1) }] },
      // The buyer's purchase is one the campaign could never pay on, so it is no part of either group's amount.
      { id: `FW-B-${j}`, type: 'purchase', occurredAt: at, account: `P${30 + j}`, member: `B${30 + j}`, lines: [{ sku: 'PAINT', quantity: 1, amount: 1_000_000 }] },
    ]);
    const out = await t.call('POST', '/v1/events', { events });
    expect(out.statusCode, out.body).toBe(200);

    const held = (j: number) => controlBucket(c.id, accounts[30 + j]!) < 50;
    const results = out.json().results as Array<{ event: { postings: Array<{ ruleName: string }> } }>;
    const paid = results.map((r) => r.event.postings.some((p) => p.ruleName === 'Foremen week'));
    // The campaign pays treated foremen only: the report must count the same accounts it paid.
    expect(paid).toEqual(accounts.slice(30).flatMap((_, j) => [!held(j), false]));

    const stats = (inControl: boolean) => {
      const amounts = foremen.map((_, j) => j).filter((j) => held(j) === inControl).map((j) => 10_000 * (j + 1));
      return { n: amounts.length, mean: amounts.length ? amounts.reduce((a, b) => a + b, 0) / amounts.length : 0, purchases: amounts.length };
    };
    const report = (await t.call('GET', `/v1/campaigns/${c.id}`)).json().report;
    expect(report.groups.treatment.n + report.groups.control.n).toBe(10);
    expect(report.groups.treatment).toMatchObject(stats(false));
    expect(report.groups.control).toMatchObject(stats(true));
  });
});
