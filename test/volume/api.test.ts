import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { peopleWorld, type PeopleWorld } from '../people/world.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const ladder = {
  basis: 'amount',
  periodKind: 'calendar_year',
  levels: [
    { threshold: 10_000_000, basisPoints: 200 },
    { threshold: 25_000_000, basisPoints: 400 },
  ],
};
const recently = () => new Date(t.clock().getTime() - 60_000).toISOString();
const buy = (w: PeopleWorld, id: string, account: string, amount: number, quantity = 1, occurredAt = recently()) =>
  w.call('POST', '/v1/events', { id, type: 'purchase', occurredAt, account, lines: [{ sku: 'PLANK', quantity, amount }] });
const standing = async (w: PeopleWorld, id: string) => (await w.call('GET', `/v1/accounts/${id}/volume-discount`)).json();

describe('volume discounts', () => {
  it('are refused until configured, and with a ladder that gives a bigger buyer less', async () => {
    const w = await peopleWorld(t);
    const none = await w.call('GET', `/v1/accounts/${w.acc.solo}/volume-discount`);
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('volume_discounts_not_configured');
    const bad = await w.call('PUT', '/v1/volume-discounts', { ...ladder, levels: [{ threshold: 100, basisPoints: 400 }, { threshold: 200, basisPoints: 200 }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('invalid_volume_discounts');
    const zero = await w.call('PUT', '/v1/volume-discounts', { ...ladder, levels: [{ threshold: 100, basisPoints: 0 }] });
    expect(zero.json().code).toBe('validation_failed');
    expect((await w.call('GET', '/v1/volume-discounts')).statusCode).toBe(404);
  });

  it('answer the level, the next, what is missing and until when; returns count back', async () => {
    const w = await peopleWorld(t, { timeZone: 'Europe/Stockholm' });
    expect((await w.call('PUT', '/v1/volume-discounts', ladder)).statusCode).toBe(200);
    expect((await w.call('GET', '/v1/volume-discounts')).json()).toMatchObject({ basis: 'amount', periodKind: 'calendar_year', levels: ladder.levels });

    let s = await standing(w, w.acc.solo);
    expect(s).toMatchObject({ purchased: 0, current: null, next: { basisPoints: 200 }, missing: 10_000_000, currency: 'SEK', countedFor: w.acc.solo });
    const year = t.clock().getUTCFullYear();
    expect(new Date(s.until).getUTCFullYear()).toBe(new Date(s.period.start).getUTCFullYear() + 1);
    expect(new Date(s.period.end).getTime()).toBeGreaterThan(t.clock().getTime());
    expect([year, year + 1]).toContain(new Date(s.until).getUTCFullYear());

    await buy(w, 'V1', 'SOLO', 8_000_000);
    await buy(w, 'V2', 'SOLO', 4_000_000);
    // A purchase from last year does not count.
    await buy(w, 'V0', 'SOLO', 50_000_000, 1, `${year - 1}-06-15T10:00:00Z`);
    s = await standing(w, w.acc.solo);
    expect(s).toMatchObject({ purchased: 12_000_000, current: { threshold: 10_000_000, basisPoints: 200 }, next: { basisPoints: 400 }, missing: 13_000_000 });

    const ret = await w.call('POST', '/v1/events', { id: 'R1', type: 'return', occurredAt: recently(), account: 'SOLO', originalId: 'V2', lines: [{ sku: 'PLANK', quantity: 1, amount: 4_000_000 }] });
    expect(ret.statusCode, ret.body).toBe(201);
    s = await standing(w, w.acc.solo);
    expect(s).toMatchObject({ purchased: 8_000_000, current: null, missing: 2_000_000 });
  });

  it('count pieces on a quantity basis, in a quarter', async () => {
    const w = await peopleWorld(t);
    await w.call('PUT', '/v1/volume-discounts', { basis: 'quantity', periodKind: 'quarter', levels: [{ threshold: 100, basisPoints: 150 }] });
    await buy(w, 'Q1', 'SOLO', 1000, 120);
    const s = await standing(w, w.acc.solo);
    expect(s).toMatchObject({ basis: 'quantity', currency: null, purchased: 120, current: { basisPoints: 150 }, next: null, missing: 0 });
    expect(s.period.kind).toBe('quarter');
  });

  it('respect the rollup setting: per branch, or the chain’s purchases together', async () => {
    for (const mode of ['branch', 'chain'] as const) {
      const w = await peopleWorld(t, { hierarchyRollup: mode });
      await w.call('PUT', '/v1/volume-discounts', ladder);
      await buy(w, 'B1', 'BR-1', 6_000_000);
      await buy(w, 'B2', 'BR-2', 6_000_000);
      const s = await standing(w, w.acc.br1);
      if (mode === 'branch') expect(s).toMatchObject({ countedFor: w.acc.br1, purchased: 6_000_000, current: null });
      else expect(s).toMatchObject({ countedFor: w.acc.chain, purchased: 12_000_000, current: { basisPoints: 200 } });
    }
  });
});
