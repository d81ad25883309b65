/**
 * The KPI API on a small program built through the events API: per-month figures equal the pure reference
 * (countsFromInvoices) on the same invoices, months are the program's (a purchase at 23:30 UTC on 31 October is
 * November in Stockholm), segments split by country and role, points and participation come from the ledger,
 * freshness says when new data is not in the summaries yet, lists export as CSV, and other programs see nothing.
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsFromInvoices, periodKpis } from '../../src/insight/formulas.js';
import { getProgramSummary } from '../../src/ledger/queries.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, purchase, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';

let t: TestApp;
let programId: string;
let key: string;
const ids: Record<string, string> = {};

const invoices = [
  { id: 'P1', account: 'KPI-A', member: 'KPI-MA', at: '2026-09-10T10:00:00+02:00', day: '2026-09-10' },
  { id: 'P2', account: 'KPI-A', at: '2026-10-05T10:00:00+02:00', day: '2026-10-05' },
  { id: 'P3', account: 'KPI-A', at: '2026-10-20T10:00:00+02:00', day: '2026-10-20' },
  { id: 'P4', account: 'KPI-B', at: '2026-10-31T23:30:00Z', day: '2026-11-01' },
  { id: 'P5', account: 'KPI-C', at: '2026-11-20T10:00:00+01:00', day: '2026-11-20' },
];

beforeAll(async () => {
  t = await startTestApp();
  ({ programId, key } = await t.newProgram({ timeZone: 'Europe/Stockholm', currency: 'SEK', pointValueMicros: 20_000 }));
  await seedCatalog(t, programId);
  await createRules(t, undefined, key);
  ids.A = await seedAccount(t, 'KPI-A', { programId, segment: 'retail' });
  ids.B = await seedAccount(t, 'KPI-B', { programId, segment: 'retail' });
  ids.C = await seedAccount(t, 'KPI-C', { programId, segment: 'industry' });
  for (const [k, country] of [['A', 'SE'], ['B', 'NO'], ['C', 'SE']] as const) {
    await t.database.db.updateTable('accounts').set({ country } as never).where('program_id', '=', programId).where('id', '=', ids[k]!).execute();
  }
  ids.mA = await seedMember(t, ids.A, 'KPI-MA', 'buyer', programId);
  ids.mB = await seedMember(t, ids.B, 'KPI-MB', 'manager', programId);
  const events = invoices.map((i) => purchase(i.id, i.account, i.member, i.at));
  const res = await t.call('POST', '/v1/events', { events: [...events, { id: 'R1', type: 'return', occurredAt: '2026-10-06T09:00:00+02:00', account: 'KPI-A', originalId: 'P2', lines: [{ sku: 'PAINT', quantity: 1 }] }] }, key);
  expect(res.statusCode, res.body).toBe(200);
  // KPI-MB signed in to the portal last week: participation without earning.
  await t.database.db
    .insertInto('web_sessions')
    .values({
      id: uuidv7(), token_hash: `test-${uuidv7()}`, kind: 'member', program_id: programId, email: 'mb@example.com', member_id: ids.mB, csrf_secret: 'x',
      created_at: new Date('2026-11-18T08:00:00Z'), last_seen_at: new Date('2026-11-18T08:00:00Z'),
      expires_at: new Date('2026-11-19T08:00:00Z'), absolute_expires_at: new Date('2026-11-19T08:00:00Z'),
    } as never)
    .execute();
});

afterAll(async () => {
  await t?.close();
});

const get = async (url: string, k = key) => {
  const res = await t.call('GET', url, undefined, k);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('insight KPIs', () => {
  it('say the summaries were never built, then build them on request', async () => {
    const before = await get('/v1/insight/kpis?from=2026-09-01&to=2026-11-30');
    expect(before.freshness).toEqual({ refreshedAt: null, stale: true, tookMs: null });
    expect(before.rows.every((r: { purchases: number }) => r.purchases === 0)).toBe(true);
    const res = await t.call('POST', '/v1/insight/refresh', {}, key);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ refreshed: true, freshness: { stale: false, refreshedAt: '2026-11-25T12:00:00.000Z' } });
  });

  it('per month equal the reference computed from the invoices, in the program time zone', async () => {
    const r = await get('/v1/insight/kpis?from=2026-09-15&to=2026-11-02&period=month');
    expect([r.from, r.to]).toEqual(['2026-09-01', '2026-11-30']);
    const value = 70_000;
    const purchases = invoices.map((i) => ({ account: i.account, day: i.day, value }));
    const returns = [{ account: 'KPI-A', day: '2026-10-06', value: 20_000 }];
    for (const row of r.rows) expect(row).toEqual({ period: row.period, segment: '', ...periodKpis(countsFromInvoices(purchases, returns, 'month', row.period)) });
    expect(r.rows.map((x: { period: string; buyers: number; repeaters: number; newBuyers: number }) => [x.period, x.buyers, x.repeaters, x.newBuyers])).toEqual([
      ['2026-09-01', 1, 0, 1],
      ['2026-10-01', 1, 1, 0],
      ['2026-11-01', 2, 0, 2],
    ]);
    expect(r.rows[2]).toMatchObject({ cumulativeBuyers: 3, cumulativeRepeaters: 1, cumulativeRepeatRate: 1 / 3, averageOrderValue: 70_000, historicalClv: Math.round((350_000 - 20_000) / 3) });
  });

  it('split by country and by the buyer\'s role', async () => {
    const byCountry = await get('/v1/insight/kpis?from=2026-01-01&to=2026-12-31&period=year&segmentBy=country');
    expect(byCountry.rows.map((x: { segment: string; buyers: number; purchases: number }) => [x.segment, x.buyers, x.purchases])).toEqual([
      ['NO', 1, 1],
      ['SE', 2, 4],
    ]);
    const byRole = await get('/v1/insight/kpis?from=2026-01-01&to=2026-12-31&period=quarter&segmentBy=role');
    const q3 = byRole.rows.filter((x: { period: string }) => x.period === '2026-07-01');
    expect(q3.map((x: { segment: string; purchases: number }) => [x.segment, x.purchases])).toEqual([['', 0], ['buyer', 1]]);
  });

  it('points issued per period add up to the ledger\'s, with breakage and the liability in money', async () => {
    const r = await get('/v1/insight/kpis?from=2026-01-01&to=2026-12-31&period=year');
    const ledger = await getProgramSummary(t.database.db, programId, 20_000);
    expect(r.points[0].issued).toBe(ledger.issued);
    expect(r.points[0].reversed).toBe(ledger.reversed);
    expect(r.points[0].breakageRate).toBe(0);
    expect(r.liability.outstandingPoints).toBe(ledger.outstandingAvailable + ledger.outstandingPending);
    expect(r.liability.liabilityMinor).toBe(ledger.liabilityMinor);
  });

  it('participation over the last 90 days: earned, or signed in', async () => {
    const p = await get('/v1/insight/participation');
    expect(p.windowDays).toBe(90);
    expect(p.accounts).toEqual({ all: 3, active: 3, earned: 3, spent: 0, loggedIn: 1, rate: 1 });
    expect(p.members).toEqual({ all: 2, active: 2, earned: 1, spent: 0, loggedIn: 1, rate: 1 });
  });

  it('cohort table of the program', async () => {
    const c = await get('/v1/insight/cohorts');
    expect(c.through).toBe('2026-11');
    expect(c.cohorts).toEqual([
      { cohort: '2026-09', size: 1, active: [1, 1, 0], retention: [1, 1, 0] },
      { cohort: '2026-11', size: 2, active: [2], retention: [1] },
    ]);
  });

  it('turn stale when an event comes in after the refresh', async () => {
    const res = await t.call('POST', '/v1/events', purchase('P6', 'KPI-C', undefined, '2026-11-24T10:00:00+01:00'), key);
    expect(res.statusCode).toBe(201);
    expect((await get('/v1/insight/kpis?from=2026-11-01&to=2026-11-30')).freshness.stale).toBe(true);
  });

  it('show another program nothing of this one', async () => {
    const r = await get('/v1/insight/kpis?from=2026-01-01&to=2026-12-31&period=year', t.key);
    expect(r.rows[0].purchases).toBe(0);
    const csv = await t.call('GET', '/v1/exports/accounts', undefined, t.key);
    expect(csv.body).not.toContain('KPI-A');
  });

  it('refuse periods it does not know and reversed ranges', async () => {
    const bad = await t.call('GET', '/v1/insight/kpis?period=hour', undefined, key);
    expect(bad.statusCode).toBe(400);
    const reversed = await t.call('GET', '/v1/insight/kpis?from=2026-12-01&to=2026-11-01', undefined, key);
    expect([reversed.statusCode, reversed.json().code]).toEqual([422, 'report_range_reversed']);
    expect((await t.call('GET', '/v1/exports/everything', undefined, key)).statusCode).toBe(400);
  });
});

describe('CSV exports', () => {
  it('accounts in German: BOM, semicolons, every row', async () => {
    const res = await t.call('GET', '/v1/exports/accounts?language=de', undefined, key);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="accounts-2026-11-25\.csv"/);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('id;external_id;name;legal_name;org_number;vat_number;country;segment;status;tier;key_account_manager;parent_id;tags;created_at');
    expect(lines.slice(1).map((l) => l.split(';')[1]).sort()).toEqual(['KPI-A', 'KPI-B', 'KPI-C']);
  });

  it('ledger entries with their value in money, one row per entry', async () => {
    const res = await t.call('GET', '/v1/exports/ledger-entries', undefined, key);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\n');
    const count = await t.database.db.selectFrom('entries').select((eb) => eb.fn.countAll().as('n')).where('program_id', '=', programId).executeTakeFirstOrThrow();
    expect(lines.length - 1).toBe(Number(count.n));
    expect(lines[0]).toContain('points,value');
  });

  it('members, orders and claims (empty lists still have their header)', async () => {
    const members = (await t.call('GET', '/v1/exports/members', undefined, key)).body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(members).toHaveLength(3);
    expect(members.some((l) => l.includes('KPI-MB') && l.includes('manager'))).toBe(true);
    for (const what of ['orders', 'claims']) {
      const res = await t.call('GET', `/v1/exports/${what}`, undefined, key);
      expect(res.statusCode).toBe(200);
      expect(res.body.replace(/^\uFEFF/, '').trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('recommendations by co-occurrence', () => {
  const lines = (...skus: string[]) => skus.map((sku) => ({ sku, quantity: 1, amount: 10_000 }));
  beforeAll(async () => {
    const events = [
      { id: 'Q1', type: 'purchase', occurredAt: '2026-11-21T10:00:00+01:00', account: 'KPI-B', lines: lines('DRILL', 'PLANK') },
      { id: 'Q2', type: 'purchase', occurredAt: '2026-11-21T11:00:00+01:00', account: 'KPI-B', lines: lines('PAINT', 'PLANK') },
      { id: 'Q3', type: 'purchase', occurredAt: '2026-11-22T10:00:00+01:00', account: 'KPI-C', lines: lines('DRILL', 'PLANK') },
    ];
    expect((await t.call('POST', '/v1/events', { events }, key)).statusCode).toBe(200);
    expect((await t.call('POST', '/v1/insight/refresh', {}, key)).statusCode).toBe(200);
  });

  it('offer what is bought with what the account buys, scored by cosine similarity, pairs seen once left out', async () => {
    // DRILL is on 8 invoices (P1–P6, Q1, Q3), PLANK on 3, both on 2: 2 ÷ √(8 · 3). PAINT+PLANK is on one invoice only.
    const r = await get('/v1/accounts/ext:KPI-A/recommendations');
    expect(r.data).toEqual([{ sku: 'PLANK', name: 'Plank', categoryCode: 'timber', score: Math.round((2 / Math.sqrt(24)) * 1e6) / 1e6, because: { sku: 'DRILL', name: 'Drill', invoices: 2 } }]);
    expect((await get(`/v1/accounts/${ids.B}/recommendations`)).data).toEqual([]);
  });

  it('are not shown for another program\'s account', async () => {
    const res = await t.call('GET', `/v1/accounts/${ids.A}/recommendations`, undefined, t.key);
    expect(res.statusCode).toBe(404);
  });
});
