/**
 * ROI: the difference in differences, its interval and the return on cost, table-driven on hand-made windows with
 * answers worked out by hand (docs/insight.md#roi), then the API on a small program whose members and non-members
 * bought known amounts month by month.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Z95, calendarWeights, differenceInDifferences, memberWindow, monthIndex, monthOf, nonMemberWindow, parseMarginRates, programCost,
  returnOnInvestment,
} from '../../src/insight/roi-formulas.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedCatalog } from '../support/fixtures.js';

describe('difference in differences (pure)', () => {
  const cases = [
    {
      name: 'members gain 55, non-members 6⅔: DiD 48⅓ with SE √(50/2 + 33⅓/3)',
      members: [{ before: 100, after: 150 }, { before: 200, after: 260 }],
      nonMembers: [{ before: 100, after: 110 }, { before: 300, after: 310 }, { before: 50, after: 50 }],
      estimate: 55 - 20 / 3,
      se: Math.sqrt(50 / 2 + 100 / 3 / 3),
      members2x2: { accounts: 2, before: 150, after: 205 },
      nonMembers2x2: { accounts: 3, before: 150, after: 470 / 3 },
    },
    {
      name: 'everyone grows alike: DiD 0, SE 0',
      members: [{ before: 10, after: 20 }],
      nonMembers: [{ before: 5, after: 15 }, { before: 0, after: 10 }],
      estimate: 0,
      se: 0,
      members2x2: { accounts: 1, before: 10, after: 20 },
      nonMembers2x2: { accounts: 2, before: 2.5, after: 12.5 },
    },
    {
      name: 'members fall while non-members hold: a negative effect',
      members: [{ before: 100, after: 40 }, { before: 100, after: 60 }],
      nonMembers: [{ before: 80, after: 80 }],
      estimate: -50,
      se: Math.sqrt(200 / 2),
      members2x2: { accounts: 2, before: 100, after: 50 },
      nonMembers2x2: { accounts: 1, before: 80, after: 80 },
    },
  ];
  it.each(cases)('$name', (c) => {
    const d = differenceInDifferences(c.members, c.nonMembers);
    expect(d.estimate).toBeCloseTo(c.estimate, 9);
    expect(d.standardError).toBeCloseTo(c.se, 9);
    expect(d.low).toBeCloseTo(c.estimate - Z95 * c.se, 9);
    expect(d.high).toBeCloseTo(c.estimate + Z95 * c.se, 9);
    expect(d.members.accounts).toBe(c.members2x2.accounts);
    expect(d.members.before).toBeCloseTo(c.members2x2.before, 9);
    expect(d.members.after).toBeCloseTo(c.members2x2.after, 9);
    expect(d.nonMembers.before).toBeCloseTo(c.nonMembers2x2.before, 9);
    expect(d.nonMembers.after).toBeCloseTo(c.nonMembers2x2.after, 9);
  });

  it('has no estimate when a group is empty', () => {
    expect(differenceInDifferences([{ before: 1, after: 2 }], [])).toMatchObject({ estimate: null, standardError: null, low: null, high: null });
    expect(differenceInDifferences([], [{ before: 1, after: 2 }])).toMatchObject({ estimate: null, nonMembers: { accounts: 1, before: 1, after: 2 } });
  });
});

describe('windows (pure)', () => {
  const mar = monthIndex('2026-03-01');
  it('numbers months and back', () => {
    expect(monthIndex('2026-01-15') + 12).toBe(monthIndex('2027-01-01'));
    expect(monthOf(mar)).toBe('2026-03-01');
    expect(monthOf(monthIndex('2025-12-01'))).toBe('2025-12-01');
  });

  it.each([
    { name: 'K 2, join month left out', values: [[mar - 2, 10], [mar - 1, 30], [mar, 999], [mar + 1, 40], [mar + 2, 0]], k: 2, before: 20, after: 20 },
    { name: 'K 1', values: [[mar - 1, 30], [mar + 1, 50]], k: 1, before: 30, after: 50 },
    { name: 'months outside the window do not count', values: [[mar - 3, 500], [mar + 3, 500], [mar + 1, 6]], k: 2, before: 0, after: 3 },
  ])('a member: $name', ({ values, k, before, after }) => {
    expect(memberWindow(new Map(values as Array<[number, number]>), mar, k)).toEqual({ before, after });
  });

  it('a non-member is weighed over the members’ calendar windows', () => {
    // Three members joined in March, one in May; K = 1: before = ¾·Feb + ¼·Apr, after = ¾·Apr + ¼·Jun.
    const w = calendarWeights(new Map([[mar, 3], [mar + 2, 1]]), 1);
    expect(Object.fromEntries(w)).toEqual({
      [mar - 1]: { before: 0.75, after: 0 },
      [mar + 1]: { before: 0.25, after: 0.75 },
      [mar + 3]: { before: 0, after: 0.25 },
    });
    const values = new Map([[mar - 1, 100], [mar + 1, 200], [mar + 3, 400]]);
    expect(nonMemberWindow(values, w)).toEqual({ before: 75 + 50, after: 150 + 100 });
    expect(calendarWeights(new Map(), 3).size).toBe(0);
  });
});

describe('cost and ROI (pure)', () => {
  it.each([
    { redeemedPoints: 10_000, campaignPoints: 2_000, pointValueMicros: 20_000, orders: 3, fulfilmentPerOrder: 500, total: 200 + 40 + 1500 },
    { redeemedPoints: 1, campaignPoints: 0, pointValueMicros: 500_000, orders: 0, fulfilmentPerOrder: 0, total: 1 },
    { redeemedPoints: 0, campaignPoints: 0, pointValueMicros: 1_000_000, orders: 0, fulfilmentPerOrder: 900, total: 0 },
  ])('cost of $redeemedPoints redeemed, $campaignPoints campaign points and $orders orders is $total', (c) => {
    expect(programCost(c).total).toBe(c.total);
  });

  it('ROI = (DiD × member-months − cost) ÷ cost, with the interval carried over', () => {
    const did = { members: { accounts: 1, before: 0, after: 0 }, nonMembers: { accounts: 1, before: 0, after: 0 }, estimate: 30, standardError: 5, low: 20, high: 40 };
    expect(returnOnInvestment(did, 100, 1000)).toEqual({
      incrementalMargin: 3000, incrementalMarginLow: 2000, incrementalMarginHigh: 4000, roi: 2, roiLow: 1, roiHigh: 3,
    });
    expect(returnOnInvestment(did, 100, 0).roi).toBeNull();
    expect(returnOnInvestment({ ...did, estimate: null, low: null, high: null }, 100, 10).roi).toBeNull();
  });

  it.each([
    ['A:35,B:20', [['A', 0.35], ['B', 0.2]]],
    [' high : 40 , -:10', [['high', 0.4], ['', 0.1]]],
    ['', []],
  ])('margin rates %j', (text, pairs) => {
    expect([...parseMarginRates(text)!]).toEqual(pairs);
  });
  it.each(['A', 'A:101', 'A:x', 'A:10,,B:2'])('refuses margin rates %j', (text) => {
    expect(parseMarginRates(text)).toBeNull();
  });
});

describe('ROI API', () => {
  let t: TestApp;
  let programId: string;
  let key: string;
  const ids: Record<string, string> = {};
  // Monthly purchase values (minor units) of drills (margin class "high") in 2026. Both members joined in March;
  // the answers are worked out in the first test.
  const plan: Record<string, { joined: string | null; months: Record<string, number> }> = {
    M1: { joined: '2026-03-15', months: { '01': 1000, '02': 1000, '03': 7777, '04': 3000, '05': 3000 } },
    M2: { joined: '2026-03-10', months: { '01': 2000, '04': 2000, '05': 5000 } },
    N1: { joined: null, months: { '01': 1000, '02': 1000, '04': 1500, '05': 1500, '06': 100 } },
    N2: { joined: null, months: { '02': 2000, '04': 1000, '05': 2000 } },
  };

  beforeAll(async () => {
    t = await startTestApp();
    ({ programId, key } = await t.newProgram({ timeZone: 'Europe/Stockholm', currency: 'SEK', pointValueMicros: 20_000 }));
    await seedCatalog(t, programId);
    const events = [];
    for (const [name, p] of Object.entries(plan)) {
      ids[name] = await seedAccount(t, `ROI-${name}`, { programId });
      const res = await t.call('PATCH', `/v1/accounts/${ids[name]}`, { joinedOn: p.joined }, key);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().joinedOn).toBe(p.joined);
      for (const [m, amount] of Object.entries(p.months)) {
        events.push({ id: `ROI-${name}-${m}`, type: 'purchase', occurredAt: `2026-${m}-12T10:00:00+01:00`, account: `ROI-${name}`, lines: [{ sku: 'DRILL', quantity: 1, amount }] });
      }
    }
    const res = await t.call('POST', '/v1/events', { events }, key);
    expect(res.statusCode, res.body).toBe(200);
    expect((await t.call('POST', '/v1/insight/refresh', {}, key)).statusCode).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('compares members before and after joining with non-members over the same months', async () => {
    const res = await t.call('GET', '/v1/insight/roi?windowMonths=2&marginRates=high:40&fulfilmentPerOrder=500', undefined, key);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect([r.from, r.to, r.windowMonths]).toEqual(['2026-01', '2026-06', 2]);
    // M1: before (1000 + 1000)/2 = 1000, after 3000, Δ 2000. M2: before 1000, after 3500, Δ 2500. March is left out.
    // N1 and N2, over January–February and April–May: Δ 500 each. DiD = 2250 − 500 = 1750; SE = √(125 000 / 2) = 250.
    expect(r.value).toEqual({
      members: { accounts: 2, before: 1000, after: 3250 },
      nonMembers: { accounts: 2, before: 1000, after: 1500 },
      estimate: 1750,
      standardError: 250,
      low: Math.round(1750 - Z95 * 250),
      high: Math.round(1750 + Z95 * 250),
    });
    expect(r.margin).toMatchObject({ estimate: 700, standardError: 100 });
    expect(r.membersCompared).toBe(2);
    // Months of membership after March up to June: 3 each.
    expect(r.memberMonths).toBe(6);
    expect(r.cost).toMatchObject({ redeemedPoints: 0, campaignPoints: 0, orders: 0, total: 0 });
    expect(r.roi).toMatchObject({ incrementalMargin: 4200, roi: null });
    expect(r.assumptions).toEqual({ marginRates: [{ marginClass: 'high', rate: 0.4 }], defaultMargin: 0.25, fulfilmentPerOrder: 500 });
  });

  it('leaves out members without a whole window in the range, and uses the default margin', async () => {
    const r = (await t.call('GET', '/v1/insight/roi?windowMonths=3&from=2026-01&to=2026-06', undefined, key)).json();
    expect(r.membersCompared).toBe(0);
    expect(r.value.estimate).toBeNull();
    expect(r.assumptions.defaultMargin).toBe(0.25);
  });

  it('refuses bad assumptions with a problem', async () => {
    for (const q of ['marginRates=high', 'windowMonths=0', 'from=2026-05&to=2026-01', 'defaultMargin=101', 'fulfilmentPerOrder=-1']) {
      const res = await t.call('GET', `/v1/insight/roi?${q}`, undefined, key);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }
  });

  it('is empty for a program without purchases', async () => {
    const other = await t.newProgram();
    const r = (await t.call('GET', '/v1/insight/roi', undefined, other.key)).json();
    expect(r).toMatchObject({ from: null, to: null, membersCompared: 0, value: { estimate: null } });
  });
});
