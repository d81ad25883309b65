import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTiers, runTierJobs } from '../../src/tiers/job.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newWorld, type World } from '../support/ledger.js';

/** The tier job over every program of a database of its own, so the counts are exact. */
let t: TestApp;
let worlds: World[];
const DAY = 86_400_000;
const names = (n: string) => ({ en: n, sv: `${n} sv`, nb: `${n} nb`, pl: `${n} pl`, de: `${n} de` });
const ladder = {
  settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both' },
  levels: [
    { code: 'bronze', rank: 1, threshold: 40, names: names('Bronze') },
    { code: 'silver', rank: 2, threshold: 400, names: names('Silver') },
  ],
};
const buy = (id: string, account: string, member: string) => ({
  id,
  type: 'purchase',
  occurredAt: new Date(t.clock().getTime() - DAY).toISOString(),
  account,
  member,
  lines: [
    { sku: 'DRILL', quantity: 2, amount: 50000 },
    { sku: 'PAINT', quantity: 1, amount: 20000 },
  ],
});
const historyRows = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM tier_history`.execute(t.database.db)).rows[0]!.n);

beforeAll(async () => {
  t = await startTestApp();
  worlds = [await newWorld(t), await newWorld(t), await newWorld(t)];
  // Each purchase pays the account 449 and the member 46 points. Two programs get tiers afterwards, so the
  // job (not the events) gives the first levels; the third has none.
  for (const w of worlds) expect((await w.call('POST', '/v1/events', buy('INV-1', 'C-0', 'M-0'))).statusCode).toBe(201);
  for (const w of worlds.slice(0, 2)) expect((await w.call('PUT', '/v1/tiers', ladder)).statusCode).toBe(200);
});
afterAll(async () => t.close());

describe('the tier job', () => {
  it('evaluates every owner with activity in every program with tiers, once', async () => {
    const now = t.clock();
    expect(await runTierJobs(t.database.db, now)).toEqual({ evaluated: 4, upgrades: 4, downgrades: 0 });
    expect(await historyRows()).toBe(4);
    const tiers = await sql<{ kind: string; tier: string | null }>`
      SELECT 'account' AS kind, tier FROM accounts WHERE program_id = ${worlds[0]!.programId} AND tier IS NOT NULL
      UNION ALL SELECT 'member', tier FROM members WHERE program_id = ${worlds[0]!.programId} AND tier IS NOT NULL ORDER BY 1`.execute(t.database.db);
    expect(tiers.rows).toEqual([
      { kind: 'account', tier: 'silver' },
      { kind: 'member', tier: 'bronze' },
    ]);
  });

  it('upgrades at event time once tiers exist, and only for the owners of the event', async () => {
    const w = worlds[1]!;
    expect((await w.call('POST', '/v1/events', buy('INV-2', 'C-1', 'M-2'))).statusCode).toBe(201);
    expect(await historyRows()).toBe(6);
    const tiers = await sql<{ ext: string; tier: string | null }>`
      SELECT external_id AS ext, tier FROM accounts WHERE program_id = ${w.programId}
      UNION ALL SELECT external_id, tier FROM members WHERE program_id = ${w.programId} ORDER BY 1`.execute(t.database.db);
    expect(tiers.rows).toEqual([
      { ext: 'C-0', tier: 'silver' },
      { ext: 'C-1', tier: 'silver' },
      { ext: 'M-0', tier: 'bronze' },
      { ext: 'M-1', tier: null },
      { ext: 'M-2', tier: 'bronze' },
    ]);
  });

  it('is idempotent: the same now again, or two runs at once, write no more history', async () => {
    const now = t.clock();
    expect(await runTierJobs(t.database.db, now)).toEqual({ evaluated: 6, upgrades: 0, downgrades: 0 });
    const later = new Date(t.clock().getTime() + 400 * DAY);
    const [a, b] = await Promise.all([evaluateTiers(t.database.db, worlds[0]!.programId, later), evaluateTiers(t.database.db, worlds[0]!.programId, later)]);
    expect(a.downgrades + b.downgrades).toBe(2);
    expect(await historyRows()).toBe(8);
    expect(await runTierJobs(t.database.db, later)).toEqual({ evaluated: 6, upgrades: 0, downgrades: 4 });
    expect(await runTierJobs(t.database.db, later)).toEqual({ evaluated: 6, upgrades: 0, downgrades: 0 });
    expect(await historyRows()).toBe(12);
  });
});
