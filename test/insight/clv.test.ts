/**
 * Predicted CLV through the API on a made-up program of twenty companies buying at different rhythms and stopping at
 * different times: the insight job fits the model, the KPI report carries it with its holdout check (whose counts this
 * test makes itself from the same purchases), an account's page gives its own figures, and a program with too little
 * history says why it has no model. Another program's account is not found.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedPurchases, expectedValue } from '../../src/insight/clv-model.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, seedAccount, seedCatalog } from '../support/fixtures.js';

let t: TestApp;
let programId: string;
let key: string;
const ids: Record<string, string> = {};

const start = Date.parse('2026-01-05T10:00:00Z');
const dayOf = (n: number) => new Date(start + n * 86_400_000).toISOString().slice(0, 10);

/** Company i: first purchase on day 3i, then one every 7–35 days until it stops (some never do), values varying. */
const purchases: Array<{ account: string; day: number; amount: number }> = [];
for (let i = 0; i < 20; i++) {
  const gap = 7 + (i % 5) * 7;
  const life = i % 4 === 0 ? 400 : 40 + ((i * 37) % 200);
  for (let d = 3 * i, k = 0; d <= Math.min(3 * i + life, 299); d += gap, k++) {
    purchases.push({ account: `CLV-${i}`, day: d, amount: 10_000 + 1_000 * ((i * 7 + k * 3) % 11) });
  }
}

const event = (p: { account: string; day: number; amount: number }, n: number) => ({
  id: `CLV-INV-${n}`,
  type: 'purchase',
  occurredAt: new Date(start + p.day * 86_400_000).toISOString(),
  account: p.account,
  lines: [{ sku: 'PAINT', quantity: 1, amount: p.amount }],
});

beforeAll(async () => {
  t = await startTestApp();
  ({ programId, key } = await t.newProgram({ timeZone: 'Europe/Stockholm', currency: 'SEK' }));
  await seedCatalog(t, programId);
  await createRules(t, undefined, key);
  for (let i = 0; i < 20; i++) ids[`CLV-${i}`] = await seedAccount(t, `CLV-${i}`, { programId });
  ids.never = await seedAccount(t, 'CLV-NEVER', { programId });
  const events = purchases.map(event);
  for (let i = 0; i < events.length; i += 100) {
    const res = await t.call('POST', '/v1/events', { events: events.slice(i, i + 100) }, key);
    expect(res.statusCode, res.body).toBe(200);
  }
});

afterAll(async () => {
  await t?.close();
});

const get = async (url: string, k = key) => {
  const res = await t.call('GET', url, undefined, k);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

/** The KPI CSV export as records keyed by column (Swedish and the other decimal-comma languages: ';' between fields). */
const kpiCsv = async (query: string, k = key) => {
  const res = await t.call('GET', `/v1/exports/kpis?${query}`, undefined, k);
  expect(res.statusCode, res.body).toBe(200);
  const delimiter = /language=en/.test(query) ? ',' : ';';
  return parse(res.body.replace(/^\uFEFF/, ''), { columns: true, delimiter }) as Array<Record<string, string>>;
};

describe('predicted customer lifetime value', () => {
  it('has no model before the first rebuild', async () => {
    const k = await get('/v1/insight/kpis');
    expect(k.predictedClv).toEqual({ model: null, unavailable: 'no_purchases' });
    // The CSV says so in the reader's language, with the figures empty.
    const rows = await kpiCsv('from=2026-01-01&to=2026-03-31&period=month&language=sv');
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.predicted_clv).toBe('');
      expect(r.predicted_purchases).toBe('');
      expect(r.predicted_clv_note).toBe('Inga köp ännu.');
    }
  });

  it('is fitted by the rebuild and checked on a holdout period whose counts match the purchases', async () => {
    expect((await t.call('POST', '/v1/insight/refresh', {}, key)).statusCode).toBe(200);
    const m = (await get('/v1/insight/kpis')).predictedClv.model;
    const last = Math.max(...purchases.map((p) => p.day));
    expect(m.observedFrom).toBe(dayOf(0));
    expect(m.observedThrough).toBe(dayOf(last));
    const holdoutDays = Math.min(182, Math.floor(last / 3));
    const cut = last - holdoutDays;
    expect(m.holdout.calibrationThrough).toBe(dayOf(cut));
    expect(m.holdout.weeks).toBeCloseTo(holdoutDays / 7, 10);

    const first = new Map<string, number>();
    for (const p of purchases) first.set(p.account, Math.min(first.get(p.account) ?? Infinity, p.day));
    const calibrated = [...first].filter(([, d]) => d <= cut).map(([a]) => a);
    expect(m.holdout.customers).toBe(calibrated.length);
    expect(m.holdout.actual).toBe(purchases.filter((p) => p.day > cut && calibrated.includes(p.account)).length);
    expect(m.holdout.aggregateError).toBeCloseTo((m.holdout.predicted - m.holdout.actual) / m.holdout.actual, 10);
    expect(m.holdout.meanAbsoluteError).toBeGreaterThan(0);

    expect(m.accounts).toBe(20);
    expect(m.repeatBuyers).toBe(20);
    expect(m.horizonWeeks).toBe(52);
    for (const v of [m.frequency.r, m.frequency.alpha, m.frequency.a, m.frequency.b, m.monetary.p, m.monetary.q, m.monetary.gamma]) {
      expect(v).toBeGreaterThan(0);
    }
    expect(m.predicted.purchases).toBeGreaterThan(0);
    expect(m.predicted.meanClv).toBe(Math.round(m.predicted.value / 20));
  });

  it('is in the KPI CSV export as the JSON carries it, with the decimal separator and the note of the reader\'s language', async () => {
    const query = 'from=2026-01-01&to=2026-12-31&period=quarter&segmentBy=none';
    const m = (await get(`/v1/insight/kpis?${query}`)).predictedClv.model;
    const money = (minor: number, sep: string) => `${Math.floor(minor / 100)}${sep}${String(minor % 100).padStart(2, '0')}`;
    const decimal = (x: number, sep: string) => String(Number(x.toFixed(6))).replace('.', sep);
    for (const [language, sep] of [['sv', ','], ['de', ','], ['en', '.']] as const) {
      const rows = await kpiCsv(`${query}&language=${language}`);
      expect(rows).toHaveLength(4);
      for (const r of rows) {
        expect(r.predicted_clv).toBe(money(m.predicted.meanClv, sep));
        expect(r.predicted_clv_total).toBe(money(m.predicted.value, sep));
        expect(r.predicted_purchases).toBe(decimal(m.predicted.purchases, sep));
        expect(r.predicted_clv_weeks).toBe('52');
        expect(r.clv_observed_through).toBe(m.observedThrough);
        expect(r.clv_holdout_error).toBe(decimal(m.holdout.aggregateError, sep));
        expect(r.clv_holdout_mean_absolute_error).toBe(decimal(m.holdout.meanAbsoluteError, sep));
      }
      // Decimal figures carry the reader's separator (the mean CLV is whole öre, so always has one).
      expect(rows[0]!.predicted_clv).toContain(sep);
    }
    expect((await kpiCsv(`${query}&language=sv`))[0]!.predicted_clv_note).toBe(
      `Gäller hela programmet, samma på varje rad: de 52 veckorna efter ${m.observedThrough}, BG/NBD × Gamma-Gamma anpassade till programmets köphistorik.`,
    );
    expect((await kpiCsv(`${query}&language=en`))[0]!.predicted_clv_note).toContain(`the next 52 weeks after ${m.observedThrough}`);
  });

  it("gives an account its history as the model sees it and the prediction the model's formulas give for it", async () => {
    const id = ids['CLV-4']!; // buys every week and never stops
    const c = await get(`/v1/accounts/${id}/clv`);
    const own = purchases.filter((p) => p.account === 'CLV-4');
    const last = Math.max(...purchases.map((p) => p.day));
    const firstDay = own[0]!.day;
    expect(c.history).toEqual({
      firstPurchase: dayOf(firstDay),
      repeatPurchases: own.length - 1,
      weeksSinceFirst: (last - firstDay) / 7,
      weeksToLast: (own.at(-1)!.day - firstDay) / 7,
      meanRepeatValue: Math.round(own.slice(1).reduce((s, p) => s + p.amount, 0) / (own.length - 1)),
    });
    const h = { x: own.length - 1, tx: (own.at(-1)!.day - firstDay) / 7, T: (last - firstDay) / 7 };
    expect(c.expectedPurchases).toBeCloseTo(expectedPurchases(c.model.frequency, h, 52), 10);
    const mean = own.slice(1).reduce((s, p) => s + p.amount, 0) / (own.length - 1);
    expect(c.expectedValuePerPurchase).toBe(Math.round(expectedValue(c.model.monetary, h.x, mean)!));
    expect(c.predictedClv).toBe(Math.round(c.expectedPurchases * expectedValue(c.model.monetary, h.x, mean)!));
    expect(c.currency).toBe('SEK');

    // CLV-1 bought every fortnight for a few weeks early in the year and stopped: less likely alive, less expected.
    const gone = await get(`/v1/accounts/${ids['CLV-1']}/clv`);
    expect(gone.probabilityAlive).toBeLessThan(c.probabilityAlive);
    expect(gone.expectedPurchases).toBeLessThan(c.expectedPurchases);
  });

  it('has no prediction for an account that never bought, and another program neither sees the account nor has a model', async () => {
    const c = await get(`/v1/accounts/${ids.never}/clv`);
    expect(c.history).toBeNull();
    expect(c.predictedClv).toBeNull();
    expect(c.model).not.toBeNull();

    const other = await t.newProgram({});
    expect((await t.call('GET', `/v1/accounts/${ids['CLV-4']}/clv`, undefined, other.key)).statusCode).toBe(404);
    await seedCatalog(t, other.programId);
    await seedAccount(t, 'CLV-OTHER', { programId: other.programId });
    const res = await t.call('POST', '/v1/events', { events: [event({ account: 'CLV-OTHER', day: 0, amount: 100 }, 1), event({ account: 'CLV-OTHER', day: 20, amount: 100 }, 2)] }, other.key);
    expect(res.statusCode, res.body).toBe(200);
    expect((await t.call('POST', '/v1/insight/refresh', {}, other.key)).statusCode).toBe(200);
    expect((await get('/v1/insight/kpis', other.key)).predictedClv).toEqual({ model: null, unavailable: 'too_short' });
  });
});
