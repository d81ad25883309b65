import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isManagerOf } from '../../src/accounts/managers.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerConsistent } from '../support/ledger.js';
import { peopleWorld, type PeopleWorld } from './world.js';

let t: TestApp;
let w: PeopleWorld;

beforeAll(async () => {
  t = await startTestApp();
  w = await peopleWorld(t);
  // The chain's company wallet holds points to hand out; staff earn and spend some.
  await w.call('POST', `/v1/accounts/${w.acc.br1}/adjustments`, { points: 1000, reasonCode: 'campaign', idempotencyKey: 'seed-br1-points' });
  await w.call('POST', `/v1/members/${w.mem.staff1}/adjustments`, { points: 300, reasonCode: 'campaign', idempotencyKey: 'seed-staff1' });
  await w.call('POST', `/v1/members/${w.mem.staff1}/debits`, { points: 120, memo: 'Gift card', idempotencyKey: 'seed-staff1-spend' });
  await w.call('POST', '/v1/events', {
    id: 'EV-S2', type: 'purchase', occurredAt: t.clock().toISOString(), account: 'BR-2', member: 'P-S2', lines: [{ sku: 'PAINT', quantity: 1, amount: 20000 }],
  });
});
afterAll(async () => t.close());

describe('who manages what', () => {
  it('a manager of an account or an account above it; not a buyer, not another company’s manager, not a closed manager', async () => {
    const db = t.database.db;
    expect(await isManagerOf(db, w.programId, w.mem.chainManager, w.acc.chain)).toBe(true);
    expect(await isManagerOf(db, w.programId, w.mem.chainManager, w.acc.br1)).toBe(true);
    expect(await isManagerOf(db, w.programId, w.mem.br1Manager, w.acc.br1)).toBe(true);
    expect(await isManagerOf(db, w.programId, w.mem.br1Manager, w.acc.br2)).toBe(false);
    expect(await isManagerOf(db, w.programId, w.mem.br1Manager, w.acc.chain)).toBe(false);
    expect(await isManagerOf(db, w.programId, w.mem.buyer, w.acc.chain)).toBe(false);
    expect(await isManagerOf(db, w.programId, w.mem.soloManager, w.acc.br1)).toBe(false);
    expect(await isManagerOf(db, t.programId, w.mem.chainManager, w.acc.chain), 'another program').toBe(false);
    const other = await peopleWorld(t);
    await other.call('PATCH', `/v1/members/${other.mem.chainManager}`, { status: 'closed' });
    expect(await isManagerOf(db, other.programId, other.mem.chainManager, other.acc.chain)).toBe(false);
  });
});

describe('the team view', () => {
  it('lists the chain’s people with what they earned, spent and hold, in pages', async () => {
    const res = await w.call('GET', `/v1/accounts/${w.acc.chain}/team?byMemberId=${w.mem.chainManager}`);
    expect(res.statusCode, res.body).toBe(200);
    const team = res.json().data as Array<{ name: string; earned: number; spent: number; available: number; accountId: string }>;
    expect(team.map((m) => m.name)).toEqual(['Anna Andersson', 'Bengt Filialchef', 'Cecilia Chef', 'Dora Dahl', 'Erik Berg']);
    const anna = team.find((m) => m.name === 'Anna Andersson')!;
    expect(anna).toMatchObject({ accountId: w.acc.br1, spent: 120, available: 180 });
    const erik = team.find((m) => m.name === 'Erik Berg')!;
    expect(erik.earned).toBeGreaterThan(0);
    expect(erik.available).toBe(erik.earned);

    const page1 = (await w.call('GET', `/v1/accounts/${w.acc.chain}/team?limit=2`)).json();
    expect(page1.data).toHaveLength(2);
    const page2 = (await w.call('GET', `/v1/accounts/${w.acc.chain}/team?limit=2&cursor=${page1.nextCursor}`)).json();
    const page3 = (await w.call('GET', `/v1/accounts/${w.acc.chain}/team?limit=2&cursor=${page2.nextCursor}`)).json();
    expect([...page1.data, ...page2.data, ...page3.data].map((m: { name: string }) => m.name)).toEqual(team.map((m) => m.name));
    expect(page3.nextCursor).toBeNull();
  });

  it('a branch manager sees the branch only; a period before anything happened shows nothing earned', async () => {
    const team = (await w.call('GET', `/v1/accounts/${w.acc.br1}/team?byMemberId=${w.mem.br1Manager}`)).json().data as Array<{ name: string }>;
    expect(team.map((m) => m.name)).toEqual(['Anna Andersson', 'Bengt Filialchef']);
    const old = (await w.call('GET', `/v1/accounts/${w.acc.br1}/team?from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z`)).json().data;
    expect(old.find((m: { name: string }) => m.name === 'Anna Andersson')).toMatchObject({ earned: 0, spent: 0, available: 180 });
  });

  it('is refused to a non-manager and to the manager of another branch', async () => {
    for (const by of [w.mem.buyer, w.mem.staff1, w.mem.soloManager]) {
      const res = await w.call('GET', `/v1/accounts/${w.acc.chain}/team?byMemberId=${by}`);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().code).toBe('not_a_manager');
    }
    expect((await w.call('GET', `/v1/accounts/${w.acc.br2}/team?byMemberId=${w.mem.br1Manager}`)).json().code).toBe('not_a_manager');
  });
});

describe('allocating company points to staff', () => {
  it('a manager may allocate; a non-manager is refused and nothing moves', async () => {
    const refused = await w.call('POST', `/v1/accounts/${w.acc.br1}/transfers`, {
      memberId: w.mem.staff1, points: 100, idempotencyKey: 'alloc-by-buyer', byMemberId: w.mem.buyer,
    });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().code).toBe('not_a_manager');
    expect((await w.call('GET', `/v1/accounts/${w.acc.br1}/balance`)).json().available).toBe(1000);

    const ok = await w.call('POST', `/v1/accounts/${w.acc.br1}/transfers`, {
      memberId: w.mem.staff1, points: 100, idempotencyKey: 'alloc-by-chain-manager', byMemberId: w.mem.chainManager,
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const again = await w.call('POST', `/v1/accounts/${w.acc.br1}/transfers`, {
      memberId: w.mem.staff1, points: 100, idempotencyKey: 'alloc-by-chain-manager', byMemberId: w.mem.chainManager,
    });
    expect(again.statusCode).toBe(200);
    expect((await w.call('GET', `/v1/accounts/${w.acc.br1}/balance`)).json().available).toBe(900);
    const anna = (await w.call('GET', `/v1/accounts/${w.acc.br1}/team`)).json().data.find((m: { name: string }) => m.name === 'Anna Andersson');
    expect(anna).toMatchObject({ received: 100, available: 280 });
    const journal = await t.database.db.selectFrom('journals').select('actor').where('program_id', '=', w.programId).where('kind', '=', 'transfer').executeTakeFirstOrThrow();
    expect(journal.actor).toMatch(new RegExp(`^member:${w.mem.chainManager} via api-key:`));
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});
