import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTiers } from '../../src/tiers/job.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { expectLedgerConsistent } from '../support/ledger.js';
import { peopleWorld, type PeopleWorld } from './world.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const names = (n: string) => ({ en: n, sv: n, nb: n, pl: n, de: n });
const ladder = {
  settings: { basis: 'amount', windowKind: 'rolling', windowMonths: 12, scope: 'account' },
  levels: [
    { code: 'silver', rank: 1, threshold: 100_000, names: names('Silver') },
    { code: 'gold', rank: 2, threshold: 300_000, names: names('Gold') },
  ],
};
/** One training a month per company earns it 50 points. */
const trainingRule = {
  name: 'Training bonus',
  effectiveFrom: '2020-01-01T00:00:00Z',
  definition: {
    conditions: { eventTypes: ['training.completed'] },
    effect: { type: 'fixed', points: 50 },
    recipient: { type: 'account' },
    caps: [{ scope: 'account', period: 'month', maxTimes: 1 }],
  },
};
const yesterday = () => new Date(t.clock().getTime() - 86_400_000).toISOString();
const paint = (id: string, account: string, amount: number) => ({
  id, type: 'purchase', occurredAt: yesterday(), account, lines: [{ sku: 'PAINT', quantity: 1, amount }],
});
const training = (id: string, account: string) => ({ id, type: 'training.completed', occurredAt: yesterday(), account });

async function setUp(mode: 'branch' | 'chain'): Promise<PeopleWorld> {
  const w = await peopleWorld(t, { hierarchyRollup: mode });
  expect((await w.call('PUT', '/v1/tiers', ladder)).statusCode).toBe(200);
  expect((await w.call('POST', '/v1/rules', trainingRule)).statusCode).toBe(201);
  return w;
}

const tierOf = async (w: PeopleWorld, id: string) => (await w.call('GET', `/v1/accounts/${id}`)).json().tier as string | null;
const pointsOf = async (w: PeopleWorld, id: string) => (await w.call('GET', `/v1/accounts/${id}/balance`)).json().available as number;

describe('per branch (the default)', () => {
  it('counts each branch on its own for tiers and caps', async () => {
    const w = await setUp('branch');
    expect((await w.call('GET', '/v1/program')).json().hierarchyRollup).toBe('branch');
    for (const [id, acc] of [['P1', 'BR-1'], ['P2', 'BR-2']] as const) expect((await w.call('POST', '/v1/events', paint(id, acc, 60_000))).statusCode).toBe(201);
    expect(await tierOf(w, w.acc.br1)).toBeNull();
    expect(await tierOf(w, w.acc.chain)).toBeNull();
    const tier = (await w.call('GET', `/v1/accounts/${w.acc.br2}/tier`)).json();
    expect(tier.qualifying.total).toBe(60_000);

    for (const [id, acc] of [['T1', 'BR-1'], ['T2', 'BR-2'], ['T3', 'BR-1']] as const) await w.call('POST', '/v1/events', training(id, acc));
    const before = { br1: await pointsOf(w, w.acc.br1), br2: await pointsOf(w, w.acc.br2) };
    expect(before.br1).toBeGreaterThanOrEqual(50);
    expect(before.br2).toBeGreaterThanOrEqual(50);
    const trainingPoints = async (acc: string) =>
      (await w.call('GET', `/v1/events/${acc}`)).json().points as number;
    expect(await trainingPoints('T1')).toBe(50);
    expect(await trainingPoints('T2')).toBe(50);
    expect(await trainingPoints('T3'), 'the second training of BR-1 this month').toBe(0);
  });
});

describe('rolled up to the chain', () => {
  it('gives the chain the tier its branches earn together, and every branch the chain’s tier', async () => {
    const w = await setUp('chain');
    for (const [id, acc] of [['P1', 'BR-1'], ['P2', 'BR-2']] as const) expect((await w.call('POST', '/v1/events', paint(id, acc, 60_000))).statusCode).toBe(201);
    expect(await tierOf(w, w.acc.chain)).toBe('silver');
    expect(await tierOf(w, w.acc.br1)).toBe('silver');
    expect(await tierOf(w, w.acc.br2)).toBe('silver');
    expect(await tierOf(w, w.acc.solo)).toBeNull();
    const tier = (await w.call('GET', `/v1/accounts/${w.acc.br2}/tier`)).json();
    expect(tier.level.code).toBe('silver');
    expect(tier.qualifying.total).toBe(120_000);

    // A branch opened later takes the chain's level from the tier job.
    const br3 = (await w.call('POST', '/v1/accounts', { externalId: 'BR-3', name: 'Company BR-3', parentExternalId: 'CHAIN' })).json().id;
    expect(await tierOf(w, br3)).toBeNull();
    await evaluateTiers(t.database.db, w.programId, t.clock());
    expect(await tierOf(w, br3)).toBe('silver');
    expect(await tierOf(w, w.acc.chain)).toBe('silver');

    // Enough for gold together; the job keeps it (nothing to downgrade).
    await w.call('POST', '/v1/events', paint('P3', 'BR-3', 200_000));
    expect(await tierOf(w, br3)).toBe('gold');
    expect(await tierOf(w, w.acc.br1)).toBe('gold');
    const report = await evaluateTiers(t.database.db, w.programId, t.clock());
    expect(report.downgrades).toBe(0);
    expect(await tierOf(w, w.acc.br2)).toBe('gold');

    // A branch's tier history and a hold on its level are the chain's.
    const history = (await w.call('GET', `/v1/accounts/${w.acc.br1}/tier/history`)).json().data.map((h: { to: string }) => h.to);
    expect(history).toEqual(['gold', 'silver']);
    const frozen = await w.call('POST', `/v1/accounts/${w.acc.br2}/tier/freeze`, { months: 3, reason: 'Renovering' });
    expect(frozen.statusCode, frozen.body).toBe(200);
    expect((await w.call('GET', `/v1/accounts/${w.acc.chain}/tier`)).json().frozen.reason).toBe('Renovering');
    expect((await w.call('DELETE', `/v1/accounts/${w.acc.br1}/tier/freeze`)).json().frozen).toBeNull();
    expect((await w.call('GET', `/v1/accounts/${w.acc.chain}/tier`)).json().frozen).toBeNull();
  });

  it('counts account caps against the chain', async () => {
    const w = await setUp('chain');
    for (const [id, acc] of [['T1', 'BR-1'], ['T2', 'BR-2'], ['T3', 'CHAIN'], ['T4', 'SOLO']] as const) {
      expect((await w.call('POST', '/v1/events', training(id, acc))).statusCode).toBe(201);
    }
    const points = async (id: string) => (await w.call('GET', `/v1/events/${id}`)).json().points as number;
    expect([await points('T1'), await points('T2'), await points('T3'), await points('T4')]).toEqual([50, 0, 0, 50]);
    // Simulation judges by the same counters.
    const sim = await w.call('POST', '/v1/events/simulate', training('T5', 'BR-2'));
    expect(sim.statusCode, sim.body).toBe(200);
    expect(sim.json().postings).toEqual([]);
    // One batch across the chain is judged the same way.
    const batch = await w.call('POST', '/v1/events', { events: [training('T6', 'SOLO'), training('T7', 'BR-1')] });
    expect(batch.statusCode, batch.body).toBe(200);
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});

describe.runIf(onPostgres)('rolled up, under concurrency (PostgreSQL)', () => {
  it('pays a chain-capped rule once when its branches send at the same moment, and deadlocks nothing', async () => {
    const w = await setUp('chain');
    const senders = ['BR-1', 'BR-2', 'CHAIN', 'BR-2', 'BR-1', 'CHAIN'].map((acc, i) =>
      w.call('POST', '/v1/events', { events: [training(`C${i}`, acc), paint(`CP${i}`, acc, 30_000)] }),
    );
    const answers = await Promise.all(senders);
    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    const paid = await t.database.db
      .selectFrom('rule_usage').select(['cap_key', 'times']).where('program_id', '=', w.programId).execute();
    expect(paid.map((p) => p.times)).toEqual([1]);
    expect(paid[0]!.cap_key).toContain(`|account|${w.acc.chain}|`);
    expect(await tierOf(w, w.acc.br1)).toBe('silver');
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});
