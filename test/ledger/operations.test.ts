import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLedgerJobs } from '../../src/jobs/ledger-jobs.js';
import { walletTotalsMismatches } from '../../src/ledger/check.js';
import { addMonthsUtc } from '../../src/ledger/expiry.js';
import { sumOfEntries } from '../../src/ledger/queries.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, purchase, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const DAY = 86_400_000;

async function program(settings: Record<string, unknown>) {
  const p = await t.newProgram(settings);
  await seedCatalog(t, p.programId);
  await createRules(t, undefined, p.key);
  return p;
}

describe('pending points', () => {
  it('are pending through the return window, then released once by the job', async () => {
    const p = await program({ pendingDays: 14 });
    const acc = await seedAccount(t, 'P-1', { programId: p.programId });
    const now = t.clock();
    const res = await t.call('POST', '/v1/events', purchase('PEND-1', 'P-1', undefined, now.toISOString()), p.key);
    expect(res.json().postings.every((x: { status: string }) => x.status === 'pending')).toBe(true);
    const bal = (await t.call('GET', `/v1/accounts/${acc}/balance`, undefined, p.key)).json();
    expect(bal).toMatchObject({ available: 0, pending: 495 });
    const historyOf = async () => (await t.call('GET', `/v1/accounts/${acc}/history`, undefined, p.key)).json().data as Array<{ kind: string; points: number; pendingPoints: number }>;
    expect((await historyOf()).map((h) => [h.kind, h.points, h.pendingPoints])).toEqual([['earn', 495, 495]]);
    // Released on the day the window ends, as a date in the program's zone (the test clock stands at midday UTC).
    expect(bal.pendingReleases).toEqual([{ date: new Date(now.getTime() + 14 * DAY).toISOString().slice(0, 10), points: 495 }]);
    // Pending points cannot be spent.
    const spend = await t.call('POST', `/v1/accounts/${acc}/debits`, { points: 1, memo: 'test', idempotencyKey: 'spend-pending-1' }, p.key);
    expect(spend.json().code).toBe('insufficient_points');

    const later = new Date(now.getTime() + 15 * DAY);
    const first = await runLedgerJobs(t.database.db, later);
    // The purchase's rules pay into one lot of the account (one lot per event and wallet, src/ledger/writer.ts).
    expect(first.lotsReleased).toBeGreaterThanOrEqual(1);
    const again = await runLedgerJobs(t.database.db, later);
    expect(again.lotsReleased).toBe(0);
    expect((await t.call('GET', `/v1/accounts/${acc}/balance`, undefined, p.key)).json()).toMatchObject({ available: 495, pending: 0 });
    // The history says so too: the earning is no longer waiting, and the release moved nothing in or out.
    expect((await historyOf()).map((h) => [h.kind, h.points, h.pendingPoints])).toEqual([['release', 0, 0], ['earn', 495, 0]]);
  });

  it('a return inside the window takes the points from the pending lot', async () => {
    const p = await program({ pendingDays: 14 });
    const acc = await seedAccount(t, 'P-2', { programId: p.programId });
    const now = t.clock();
    await t.call('POST', '/v1/events', purchase('PEND-2', 'P-2', undefined, new Date(now.getTime() - DAY).toISOString()), p.key);
    const ret = await t.call('POST', '/v1/events', { id: 'RET-P2', type: 'return', occurredAt: now.toISOString(), account: 'P-2', originalId: 'PEND-2' }, p.key);
    expect(ret.statusCode, ret.body).toBe(201);
    expect(ret.json().reversals.every((r: { shortfall: number }) => r.shortfall === 0)).toBe(true);
    expect((await t.call('GET', `/v1/accounts/${acc}/balance`, undefined, p.key)).json()).toMatchObject({ available: 0, pending: 0, lifetimeEarned: 0 });
  });
});

describe('expiry', () => {
  it('expires the oldest points first and spending uses them first', async () => {
    const p = await program({ expiryPolicy: { kind: 'rolling', months: 12 } });
    const acc = await seedAccount(t, 'X-1', { programId: p.programId });
    const now = t.clock().getTime();
    // Both still valid today: the older expires in about 65 days, the recent one in about 265.
    const old = new Date(now - 300 * DAY).toISOString();
    const recent = new Date(now - 100 * DAY).toISOString();
    const plank = (id: string, at: string, amount: number) => ({ id, type: 'purchase', occurredAt: at, account: 'X-1', lines: [{ sku: 'PLANK', quantity: 1, amount }] });
    // The old purchase also earns the cross-sell bonus (first timber): 100 + 200; the recent one 50.
    await t.call('POST', '/v1/events', { events: [plank('X-OLD', old, 100000), plank('X-NEW', recent, 50000)] }, p.key);
    const bal = (await t.call('GET', `/v1/accounts/${acc}/balance?expiringWithinDays=730`, undefined, p.key)).json();
    expect(bal.available).toBe(350);
    expect(bal.expiring).toEqual([
      { date: addMonthsUtc(new Date(old), 12).toISOString().slice(0, 10), points: 300 },
      { date: addMonthsUtc(new Date(recent), 12).toISOString().slice(0, 10), points: 50 },
    ]);

    // Spending 120 takes from the oldest lots (which expire first).
    const spent = await t.call('POST', `/v1/accounts/${acc}/debits`, { points: 120, memo: 'Order 77', idempotencyKey: 'spend-x1-1' }, p.key);
    expect(spent.statusCode, spent.body).toBe(201);
    // Seventy days on, the older lot's remaining 180 expire.
    const report = await runLedgerJobs(t.database.db, new Date(now + 70 * DAY));
    expect(report.pointsExpired).toBe(180);
    const after = (await t.call('GET', `/v1/accounts/${acc}/balance`, undefined, p.key)).json();
    expect(after).toMatchObject({ available: 50, lifetimeSpent: 120, lifetimeExpired: 180 });
    const history = (await t.call('GET', `/v1/accounts/${acc}/history`, undefined, p.key)).json().data;
    expect(history[0].kind).toBe('expire');
  });

  it('neither spends nor shows as available points whose expiry has passed before the job takes them', async () => {
    const p = await program({ expiryPolicy: { kind: 'rolling', months: 12 } });
    const acc = await seedAccount(t, 'X-3', { programId: p.programId });
    const now = t.clock().getTime();
    const plank = (id: string, at: number, amount: number) => ({ id, type: 'purchase', occurredAt: new Date(at).toISOString(), account: 'X-3', lines: [{ sku: 'PLANK', quantity: 1, amount }] });
    // A purchase sent late: its 300 points expired about a month ago, before they were written. The recent one's 50 hold.
    const sent = await t.call('POST', '/v1/events', { events: [plank('X3-OLD', now - 400 * DAY, 100000), plank('X3-NEW', now - 100 * DAY, 50000)] }, p.key);
    expect(sent.json().summary.processed).toBe(2);
    const bal = (await t.call('GET', `/v1/accounts/${acc}/balance?expiringWithinDays=730`, undefined, p.key)).json();
    expect(bal).toMatchObject({ available: 50, lifetimeEarned: 350, lifetimeExpired: 300, expiringTotal: 50 });
    expect(bal.expiring).toEqual([{ date: addMonthsUtc(new Date(now - 100 * DAY), 12).toISOString().slice(0, 10), points: 50 }]);

    const tooMuch = await t.call('POST', `/v1/accounts/${acc}/debits`, { points: 51, memo: 'Order 78', idempotencyKey: 'spend-x3-1' }, p.key);
    expect(tooMuch.statusCode, tooMuch.body).toBe(422);
    expect(tooMuch.json().code).toBe('insufficient_points');
    const enough = await t.call('POST', `/v1/accounts/${acc}/debits`, { points: 50, memo: 'Order 79', idempotencyKey: 'spend-x3-2' }, p.key);
    expect(enough.statusCode, enough.body).toBe(201);

    // The job takes the expired lot; the figures read the same as before it did, and agree with the entries.
    expect((await runLedgerJobs(t.database.db, t.clock())).pointsExpired).toBe(300);
    expect((await t.call('GET', `/v1/accounts/${acc}/balance`, undefined, p.key)).json()).toMatchObject({ available: 0, lifetimeExpired: 300, lifetimeSpent: 50 });
    expect(await walletTotalsMismatches(t.database.db, p.programId)).toEqual([]);
  });

  it('keeps lifetime expired on the wallet, and the check names a wallet whose kept figures differ from its entries', async () => {
    const p = await program({ expiryPolicy: { kind: 'rolling', months: 12 } });
    const acc = await seedAccount(t, 'X-2', { programId: p.programId });
    const old = new Date(t.clock().getTime() - 400 * DAY).toISOString();
    await t.call('POST', '/v1/events', { events: [{ id: 'X2-OLD', type: 'purchase', occurredAt: old, account: 'X-2', lines: [{ sku: 'PLANK', quantity: 1, amount: 100000 }] }] }, p.key);
    await runLedgerJobs(t.database.db, t.clock());
    const row = await t.database.db.selectFrom('wallets').select(['lifetime_expired', 'lifetime_earned']).where('program_id', '=', p.programId).where('id', '=', acc).executeTakeFirstOrThrow();
    expect({ expired: Number(row.lifetime_expired), earned: Number(row.lifetime_earned) }).toEqual({ expired: 300, earned: 300 });
    expect(await walletTotalsMismatches(t.database.db, p.programId)).toEqual([]);

    await t.database.db.updateTable('wallets').set({ lifetime_expired: 299 }).where('program_id', '=', p.programId).where('id', '=', acc).execute();
    const bad = await walletTotalsMismatches(t.database.db, p.programId);
    expect(bad).toEqual([{ walletId: acc, kept: expect.objectContaining({ expired: 299 }), fromEntries: expect.objectContaining({ expired: 300 }) }]);
  });
});

describe('adjustments, debits and transfers', () => {
  let p: { programId: string; key: string };
  let acc: string;
  let member: string;
  beforeAll(async () => {
    p = await program({});
    acc = await seedAccount(t, 'A-1', { programId: p.programId });
    member = await seedMember(t, acc, 'AM-1', 'buyer', p.programId);
  });
  const call = (m: string, url: string, body?: unknown) => t.call(m, url, body, p.key);

  it('adds points by hand with a reason, once per idempotency key', async () => {
    const body = { points: 500, reasonCode: 'goodwill', memo: 'Delayed delivery', idempotencyKey: 'adj-0001' };
    const first = await call('POST', `/v1/accounts/${acc}/adjustments`, body);
    expect(first.statusCode).toBe(201);
    const again = await call('POST', `/v1/accounts/${acc}/adjustments`, body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, journalId: first.json().journalId });
    const conflict = await call('POST', `/v1/accounts/${acc}/adjustments`, { ...body, points: 501 });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('idempotency_conflict');
    expect((await call('GET', `/v1/accounts/${acc}/balance`)).json().available).toBe(500);
    const hist = (await call('GET', `/v1/accounts/${acc}/history`)).json().data[0];
    expect(hist).toMatchObject({ kind: 'adjust', reasonCode: 'goodwill', points: 500 });
    expect(hist.description).toContain('Delayed delivery');
  });

  it('refuses to take more than there is', async () => {
    const res = await call('POST', `/v1/accounts/${acc}/adjustments`, { points: -501, reasonCode: 'correction', idempotencyKey: 'adj-0002' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('insufficient_points');
    const debit = await call('POST', `/v1/accounts/${acc}/debits`, { points: 501, memo: 'too much', idempotencyKey: 'deb-0001' });
    expect(debit.json().code).toBe('insufficient_points');
    expect((await call('GET', `/v1/accounts/${acc}/balance`)).json().available).toBe(500);
  });

  it('transfers company points to a member of the account', async () => {
    const res = await call('POST', `/v1/accounts/${acc}/transfers`, { memberId: member, points: 200, idempotencyKey: 'transfer-0001' });
    expect(res.statusCode, res.body).toBe(201);
    expect((await call('GET', `/v1/accounts/${acc}/balance`)).json().available).toBe(300);
    expect((await call('GET', `/v1/members/${member}/balance`)).json().available).toBe(200);
    const replay = await call('POST', `/v1/accounts/${acc}/transfers`, { memberId: member, points: 200, idempotencyKey: 'transfer-0001' });
    expect(replay.statusCode).toBe(200);
    expect((await call('GET', `/v1/members/${member}/balance`)).json().available).toBe(200);
  });

  it('refuses a transfer to someone outside the account', async () => {
    const other = await seedAccount(t, 'A-2', { programId: p.programId });
    const stranger = await seedMember(t, other, 'AM-2', 'buyer', p.programId);
    const res = await call('POST', `/v1/accounts/${acc}/transfers`, { memberId: stranger, points: 10, idempotencyKey: 'transfer-0002' });
    expect(res.json().code).toBe('member_not_in_account');
  });

  it('keeps cached balances equal to the sum of entries', async () => {
    for (const w of [acc, member]) {
      const cached = (await call('GET', `/v1/${w === acc ? 'accounts' : 'members'}/${w}/balance`)).json();
      const sums = await sumOfEntries(t.database.db, p.programId, w);
      expect({ available: cached.available, pending: cached.pending }).toEqual(sums);
    }
  });

  it('summarises the program ledger with its liability', async () => {
    const s = (await call('GET', '/v1/ledger/summary')).json();
    expect(s).toMatchObject({ adjusted: 500, outstandingAvailable: 500, liabilityMinor: 500 });
  });
});

describe('replays and owners who left', () => {
  let p: { programId: string; key: string };
  let acc: string;
  let member: string;
  beforeAll(async () => {
    p = await program({});
    acc = await seedAccount(t, 'R-1', { programId: p.programId });
    member = await seedMember(t, acc, 'RM-1', 'buyer', p.programId);
    await t.call('POST', `/v1/accounts/${acc}/adjustments`, { points: 500, reasonCode: 'goodwill', idempotencyKey: 'replay-setup-1' }, p.key);
  });
  const call = (m: string, url: string, body?: unknown) => t.call(m, url, body, p.key);

  it('answers a replayed debit, transfer or adjustment with what the first call answered', async () => {
    const debit = { points: 7, memo: 'checkout', idempotencyKey: 'deb-replay-1' };
    const first = await call('POST', `/v1/accounts/${acc}/debits`, debit);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().points).toBe(-7);
    const again = await call('POST', `/v1/accounts/${acc}/debits`, debit);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...first.json(), created: false });
    const transfer = { memberId: member, points: 3, idempotencyKey: 'transfer-replay-1' };
    const given = await call('POST', `/v1/accounts/${acc}/transfers`, transfer);
    expect(given.json().points).toBe(3);
    expect((await call('POST', `/v1/accounts/${acc}/transfers`, transfer)).json()).toEqual({ ...given.json(), created: false });
    const taken = { points: -2, reasonCode: 'correction', idempotencyKey: 'adj-replay-1' };
    const adjusted = await call('POST', `/v1/accounts/${acc}/adjustments`, taken);
    expect(adjusted.json().points).toBe(-2);
    expect((await call('POST', `/v1/accounts/${acc}/adjustments`, taken)).json()).toEqual({ ...adjusted.json(), created: false });
  });

  it('neither pays, gives to nor lets spend a member or company that is closed or suspended; taking away stays possible', async () => {
    const company = await seedAccount(t, 'A-OFF', { programId: p.programId });
    const leaver = await seedMember(t, company, 'AM-OFF', 'buyer', p.programId);
    const stayer = await seedMember(t, company, 'AM-ON', 'buyer', p.programId);
    expect((await call('POST', `/v1/accounts/${company}/adjustments`, { points: 100, reasonCode: 'goodwill', idempotencyKey: 'inactive-1-key' })).statusCode).toBe(201);
    expect((await call('POST', `/v1/accounts/${company}/transfers`, { memberId: leaver, points: 20, idempotencyKey: 'inactive-2-key' })).statusCode).toBe(201);
    expect((await call('POST', `/v1/members/${leaver}/deactivate`, {})).statusCode).toBeLessThan(300);
    const before = (await call('GET', `/v1/accounts/${company}/balance`)).json().available;

    const refused = async (res: Awaited<ReturnType<typeof call>>, code: string) => {
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().code).toBe(code);
    };
    await refused(await call('POST', `/v1/accounts/${company}/transfers`, { memberId: leaver, points: 5, idempotencyKey: 'inactive-3-key' }), 'member_not_active');
    await refused(await call('POST', `/v1/members/${leaver}/adjustments`, { points: 5, reasonCode: 'goodwill', idempotencyKey: 'inactive-4-key' }), 'member_not_active');
    await refused(await call('POST', `/v1/members/${leaver}/debits`, { points: 1, memo: 'x', idempotencyKey: 'inactive-5-key' }), 'member_not_active');
    await refused(await call('POST', '/v1/events', { id: 'OFF-LOGIN', type: 'app.login', occurredAt: t.clock().toISOString(), account: 'A-OFF', member: 'AM-OFF' }), 'member_not_active');

    expect((await call('PATCH', `/v1/accounts/${company}`, { status: 'suspended' })).statusCode).toBe(200);
    await refused(await call('POST', `/v1/accounts/${company}/debits`, { points: 1, memo: 'x', idempotencyKey: 'inactive-6-key' }), 'account_not_active');
    await refused(await call('POST', `/v1/members/${stayer}/debits`, { points: 1, memo: 'x', idempotencyKey: 'inactive-7-key' }), 'account_not_active');
    await refused(await call('POST', `/v1/accounts/${company}/transfers`, { memberId: stayer, points: 5, idempotencyKey: 'inactive-8-key' }), 'account_not_active');
    await refused(await call('POST', `/v1/accounts/${company}/adjustments`, { points: 5, reasonCode: 'goodwill', idempotencyKey: 'inactive-9-key' }), 'account_not_active');
    const correction = await call('POST', `/v1/accounts/${company}/adjustments`, { points: -5, reasonCode: 'correction', idempotencyKey: 'inactive-10-key' });
    expect(correction.statusCode, correction.body).toBe(201);
    expect((await call('GET', `/v1/accounts/${company}/balance`)).json().available).toBe(before - 5);
    expect((await call('GET', `/v1/members/${leaver}/balance`)).json().available).toBe(0);
  });
});
