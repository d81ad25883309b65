import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newWorld } from '../support/ledger.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const names = (en: string) => ({ en, sv: `${en} sv`, nb: `${en} nb`, pl: `${en} pl`, de: `${en} de` });
const ladder = () => ({
  settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 0 },
  levels: [
    { code: 'bronze', rank: 1, threshold: 50, names: names('Bronze') },
    { code: 'silver', rank: 2, threshold: 400, names: names('Silver') },
  ],
});

describe('the tier console’s server side', () => {
  it('counts accounts and members per level, every level listed, then those without one', async () => {
    const w = await newWorld(t);
    expect((await w.call('GET', '/v1/tiers/distribution')).json().code).toBe('tiers_not_configured');
    expect((await w.call('PUT', '/v1/tiers', ladder())).statusCode).toBe(200);
    await t.database.db.updateTable('accounts').set({ tier: 'silver' }).where('id', '=', w.accounts[0]!.id).execute();
    await t.database.db.updateTable('members').set({ tier: 'bronze' }).where('id', 'in', [w.members[0]!.id, w.members[1]!.id]).execute();
    const res = await w.call('GET', '/v1/tiers/distribution');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      accounts: [
        { level: 'bronze', count: 0 },
        { level: 'silver', count: 1 },
        { level: null, count: 1 },
      ],
      members: [
        { level: 'bronze', count: 2 },
        { level: 'silver', count: 0 },
        { level: null, count: 1 },
      ],
    });
  });

  it('names the level field that breaks the ladder, by its place in the request', async () => {
    const w = await newWorld(t);
    const bad = ladder();
    // Listed highest first: the error must still point at the request's own index.
    bad.levels = [{ ...bad.levels[1]!, threshold: 40 }, bad.levels[0]!];
    const res = await w.call('PUT', '/v1/tiers', bad);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: 'levels.0.threshold', message: 'silver (rank 2) needs a higher threshold than bronze (50)', code: 'invalid_value' }]);
  });
});
