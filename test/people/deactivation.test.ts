import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { expectLedgerConsistent } from '../support/ledger.js';
import { peopleWorld, type PeopleWorld } from './world.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const expiring = { kind: 'rolling', months: 24 } as const;

/** Anna (staff at BR-1) holds 500 points: 400 given by the company, 100 by hand; she spent 150. */
async function withPoints(policy: 'return' | 'expire'): Promise<PeopleWorld> {
  const w = await peopleWorld(t, { leaverPoints: policy, expiryPolicy: expiring });
  await w.call('POST', `/v1/accounts/${w.acc.br1}/adjustments`, { points: 1000, reasonCode: 'campaign', idempotencyKey: 'company-points' });
  await w.call('POST', `/v1/accounts/${w.acc.br1}/transfers`, { memberId: w.mem.staff1, points: 400, idempotencyKey: 'company-to-anna' });
  await w.call('POST', `/v1/members/${w.mem.staff1}/adjustments`, { points: 250, reasonCode: 'goodwill', idempotencyKey: 'anna-goodwill' });
  await w.call('POST', `/v1/members/${w.mem.staff1}/debits`, { points: 150, memo: 'Thermos', idempotencyKey: 'anna-spend' });
  return w;
}

const balance = async (w: PeopleWorld, path: string) => (await w.call('GET', `${path}/balance`)).json() as { available: number };
const lotsOf = (w: PeopleWorld, walletId: string) =>
  t.database.db.selectFrom('lots').select(['expires_at', 'remaining']).where('program_id', '=', w.programId).where('wallet_id', '=', walletId).where('remaining', '>', 0).execute();

describe('deactivating a person who left', () => {
  it('returns the points to the company wallet, each with its expiry date, once', async () => {
    const w = await withPoints('return');
    const annaExpiries = (await lotsOf(w, w.mem.staff1)).map((l) => new Date(l.expires_at!).getTime()).sort();

    const refused = await w.call('POST', `/v1/members/${w.mem.staff1}/deactivate`, { byMemberId: w.mem.staff2 });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('not_a_manager');
    expect((await balance(w, `/v1/members/${w.mem.staff1}`)).available).toBe(500);

    const res = await w.call('POST', `/v1/members/${w.mem.staff1}/deactivate`, { byMemberId: w.mem.br1Manager });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'closed', policy: 'return', changed: true, points: 500 });
    expect((await balance(w, `/v1/members/${w.mem.staff1}`)).available).toBe(0);
    expect((await balance(w, `/v1/accounts/${w.acc.br1}`)).available).toBe(600 + 500);
    expect((await w.call('GET', `/v1/members/${w.mem.staff1}`)).json().status).toBe('closed');
    // The company got lots with Anna's expiry dates, not new ones.
    const companyLots = await lotsOf(w, w.acc.br1);
    const moved = companyLots.map((l) => new Date(l.expires_at!).getTime());
    for (const e of annaExpiries) expect(moved).toContain(e);
    const history = (await w.call('GET', `/v1/accounts/${w.acc.br1}/history`)).json().data;
    expect(history[0].description).toMatch(/Person|Anna/);

    const again = await w.call('POST', `/v1/members/${w.mem.staff1}/deactivate`, {});
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ changed: false, points: 0, journalId: null });
    expect((await balance(w, `/v1/accounts/${w.acc.br1}`)).available).toBe(1100);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('expires the points under the expire policy', async () => {
    const w = await withPoints('expire');
    const before = (await w.call('GET', '/v1/ledger/summary')).json();
    const res = await w.call('POST', `/v1/members/${w.mem.staff1}/deactivate`, {});
    expect(res.json()).toMatchObject({ policy: 'expire', changed: true, points: 500 });
    expect((await balance(w, `/v1/members/${w.mem.staff1}`)).available).toBe(0);
    expect((await balance(w, `/v1/accounts/${w.acc.br1}`)).available).toBe(600);
    const after = (await w.call('GET', '/v1/ledger/summary')).json();
    expect(after.expired - before.expired).toBe(500);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('closes a member without points, and 404s an unknown one', async () => {
    const w = await peopleWorld(t);
    const res = await w.call('POST', `/v1/members/${w.mem.buyer}/deactivate`, {});
    expect(res.json()).toMatchObject({ changed: true, points: 0, journalId: null });
    const unknown = await w.call('POST', '/v1/members/00000000-0000-7000-8000-000000000000/deactivate', {});
    expect(unknown.statusCode).toBe(404);
  });
});

describe.runIf(onPostgres)('deactivation under concurrency (PostgreSQL)', () => {
  it('moves the points once when two requests close the same person at once', async () => {
    const w = await withPoints('return');
    const answers = await Promise.all([1, 2, 3, 4].map(() => w.call('POST', `/v1/members/${w.mem.staff1}/deactivate`, {})));
    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    expect(answers.filter((a) => a.json().changed)).toHaveLength(1);
    expect((await balance(w, `/v1/accounts/${w.acc.br1}`)).available).toBe(1100);
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});

describe('points still pending when a person leaves', () => {
  it('follow the leaver policy once the return window has passed, and only once', async () => {
    const w = await peopleWorld(t, { leaverPoints: 'return', expiryPolicy: expiring, pendingDays: 14 });
    const sale = await w.call('POST', '/v1/events', {
      id: 'EV-ANNA', type: 'purchase', occurredAt: new Date(t.clock().getTime() - 86_400_000).toISOString(), account: 'BR-1', member: 'P-S1',
      lines: [{ sku: 'DRILL', quantity: 1, amount: 500_000 }],
    });
    expect(sale.statusCode, sale.body).toBeLessThan(300);
    const pending = (await w.call('GET', `/v1/members/${w.mem.staff1}/balance`)).json().pending as number;
    expect(pending).toBeGreaterThan(0);
    const companyBefore = (await balance(w, `/v1/accounts/${w.acc.br1}`)).available;

    const res = await w.call('POST', `/v1/members/${w.mem.staff1}/deactivate`, {});
    expect(res.json()).toMatchObject({ changed: true, points: 0 });

    const { runLedgerJobs } = await import('../../src/jobs/ledger-jobs.js');
    const later = new Date(t.clock().getTime() + 20 * 86_400_000);
    const first = await runLedgerJobs(t.database.db, later);
    expect(first.leaverPointsSettled).toBeGreaterThanOrEqual(pending);
    expect(await balance(w, `/v1/members/${w.mem.staff1}`)).toMatchObject({ available: 0 });
    expect((await balance(w, `/v1/accounts/${w.acc.br1}`)).available - companyBefore).toBeGreaterThanOrEqual(pending);
    const again = await runLedgerJobs(t.database.db, later);
    expect(again.leaverPointsSettled).toBe(0);
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});
