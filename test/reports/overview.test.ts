/**
 * The dashboard's overview report on a ledger written row by row with known amounts and times, so every figure
 * can be checked exactly: buckets in the program's time zone, only owner wallets, earnings of people counted
 * for their company, and refusals of ranges that make no sense.
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';

let t: TestApp;
let programId: string;
let key: string;
const ids: Record<string, string> = {};

async function journal(kind: string, occurredAt: string, entries: Array<[wallet: string, amount: number]>) {
  const id = uuidv7();
  await t.database.db
    .insertInto('journals')
    .values({ program_id: programId, id, idempotency_key: `test-${id}`, kind, explanation: JSON.stringify({ key: 'test', params: {} }), occurred_at: new Date(occurredAt) } as never)
    .execute();
  await t.database.db
    .insertInto('entries')
    .values(entries.map(([w, amount], seq) => ({ program_id: programId, journal_id: id, seq, wallet_id: ids[w]!, bucket: 'available', amount })) as never)
    .execute();
}

const names = (en: string, sv: string, nb: string, pl: string, de: string) => ({ en, sv, nb, pl, de });

beforeAll(async () => {
  t = await startTestApp();
  ({ programId, key } = await t.newProgram({ timeZone: 'Europe/Stockholm', currency: 'SEK', pointValueMicros: 20_000 }));
  ids.A = await seedAccount(t, 'REP-A', { programId });
  ids.B = await seedAccount(t, 'REP-B', { programId });
  ids.m1 = await seedMember(t, ids.A, 'REP-M1', 'buyer', programId);
  ids.m2 = await seedMember(t, ids.B, 'REP-M2', 'buyer', programId);
  ids.m3 = await seedMember(t, ids.A, 'REP-M3', 'buyer', programId);
  ids.m4 = await seedMember(t, ids.B, 'REP-M4', 'buyer', programId);
  ids.issuance = uuidv7();
  await t.database.db.insertInto('wallets').values({ program_id: programId, id: ids.issuance, kind: 'issuance' }).execute();

  // Stockholm is UTC+1 in March 2026 (summer time starts 29 March).
  await journal('earn', '2026-03-02T09:00:00Z', [['A', 100], ['m1', 50], ['issuance', -150]]);
  await journal('earn', '2026-03-03T23:30:00Z', [['B', 300], ['issuance', -300]]); // 4 March, 00:30 in Stockholm
  await journal('transfer', '2026-03-05T12:00:00Z', [['A', -20], ['m3', 20]]);
  await journal('redeem', '2026-03-10T12:00:00Z', [['m2', -40]]);
  await journal('expire', '2026-03-20T12:00:00Z', [['A', -30]]);
  await journal('earn', '2026-02-28T12:00:00Z', [['m4', 1000]]); // before the range
  await journal('earn', '2026-03-31T22:10:00Z', [['m4', 2000]]); // 1 April, 00:10 in Stockholm: after it

  await t.database.db.updateTable('wallets').set({ available: 500 }).where('program_id', '=', programId).where('id', '=', ids.A!).execute();
  await t.database.db.updateTable('wallets').set({ pending: 50 }).where('program_id', '=', programId).where('id', '=', ids.m1!).execute();

  const ladder = {
    settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 0 },
    levels: [
      { code: 'bronze', rank: 1, threshold: 50, names: names('Bronze', 'Brons', 'Bronse', 'Brązowy', 'Bronze') },
      { code: 'gold', rank: 2, threshold: 1000, names: names('Gold', 'Guld', 'Gull', 'Złoty', 'Gold') },
    ],
  };
  const put = await t.call('PUT', '/v1/tiers', ladder, key);
  expect(put.statusCode, put.body).toBe(200);
  const status = (kind: string, owner: string, level: string | null) => ({
    program_id: programId, owner_kind: kind, owner_id: ids[owner]!, level_code: level, since: new Date('2026-01-01T00:00:00Z'), period_end: new Date('2027-01-01T00:00:00Z'),
  });
  await t.database.db
    .insertInto('tier_status')
    .values([status('account', 'A', 'gold'), status('account', 'B', 'bronze'), status('member', 'm1', 'bronze'), status('member', 'm2', 'bronze'), status('member', 'm3', null)] as never)
    .execute();
});
afterAll(async () => t?.close());

const overview = (q: string, lang = 'en') =>
  t.app.inject({ method: 'GET', url: `/v1/reports/overview?${q}`, headers: { authorization: `Bearer ${key}`, 'accept-language': lang } });

describe('GET /v1/reports/overview', () => {
  it('sums issued, redeemed and expired points per day in the program time zone, only for owner wallets', async () => {
    const res = await overview('from=2026-03-01&to=2026-03-31&interval=day');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.series).toHaveLength(31);
    expect(body.series[0]).toEqual({ start: '2026-03-01', issued: 0, redeemed: 0, expired: 0 });
    const nonZero = body.series.filter((p: { issued: number; redeemed: number; expired: number }) => p.issued || p.redeemed || p.expired);
    expect(nonZero).toEqual([
      { start: '2026-03-02', issued: 150, redeemed: 0, expired: 0 },
      { start: '2026-03-04', issued: 300, redeemed: 0, expired: 0 },
      { start: '2026-03-10', issued: 0, redeemed: 40, expired: 0 },
      { start: '2026-03-20', issued: 0, redeemed: 0, expired: 30 },
    ]);
    expect(body.totals).toEqual({ issued: 450, redeemed: 40, expired: 30 });
    // m1 (earned), m2 (redeemed), m3 (received a transfer); m4 only outside the range.
    expect(body.activeMembers).toBe(3);
    // A and B, on their own wallets and through their people; the issuance wallet is nobody.
    expect(body.activeAccounts).toBe(2);
    expect(body.members).toBe(4);
    expect(body.topAccounts).toEqual([
      { accountId: ids.B, name: 'Company REP-B', externalId: 'REP-B', points: 300, earned: 300, reversed: 0 },
      { accountId: ids.A, name: 'Company REP-A', externalId: 'REP-A', points: 150, earned: 150, reversed: 0 },
    ]);
    expect(body.latestActivity).toBe('2026-04-01');
    expect(body.outstanding).toEqual({ outstandingAvailable: 500, outstandingPending: 50, liabilityMinor: 11 });
    expect(body.currency).toBe('SEK');
    expect(body.tiers).toEqual([
      { code: 'bronze', name: 'Bronze', rank: 1, accounts: 1, members: 2 },
      { code: 'gold', name: 'Gold', rank: 2, accounts: 1, members: 0 },
    ]);
  });

  it('groups by week (from Monday) and by month, and names tiers in the reader’s language', async () => {
    const weeks = (await overview('from=2026-03-01&to=2026-03-31&interval=week', 'sv')).json();
    expect(weeks.series).toEqual([
      { start: '2026-02-23', issued: 0, redeemed: 0, expired: 0 },
      { start: '2026-03-02', issued: 450, redeemed: 0, expired: 0 },
      { start: '2026-03-09', issued: 0, redeemed: 40, expired: 0 },
      { start: '2026-03-16', issued: 0, redeemed: 0, expired: 30 },
      { start: '2026-03-23', issued: 0, redeemed: 0, expired: 0 },
      { start: '2026-03-30', issued: 0, redeemed: 0, expired: 0 },
    ]);
    expect(weeks.tiers.map((x: { name: string }) => x.name)).toEqual(['Brons', 'Guld']);
    const months = (await overview('from=2026-02-01&to=2026-04-30&interval=month')).json();
    expect(months.series).toEqual([
      { start: '2026-02-01', issued: 1000, redeemed: 0, expired: 0 },
      { start: '2026-03-01', issued: 450, redeemed: 40, expired: 30 },
      { start: '2026-04-01', issued: 2000, redeemed: 0, expired: 0 },
    ]);
    expect(months.activeMembers).toBe(4);
    expect(months.topAccounts.map((a: { accountId: string; points: number }) => [a.accountId, a.points])).toEqual([[ids.B, 3300], [ids.A, 150]]);
  });

  it('answers an empty range with zeros, and a program with no tiers with an empty list', async () => {
    const other = await t.newProgram();
    const res = await t.call('GET', '/v1/reports/overview?from=2026-03-01&to=2026-03-03', undefined, other.key);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      interval: 'day',
      series: [
        { start: '2026-03-01', issued: 0, redeemed: 0, expired: 0 },
        { start: '2026-03-02', issued: 0, redeemed: 0, expired: 0 },
        { start: '2026-03-03', issued: 0, redeemed: 0, expired: 0 },
      ],
      totals: { issued: 0, redeemed: 0, expired: 0 },
      activeAccounts: 0,
      activeMembers: 0,
      members: 0,
      tiers: [],
      topAccounts: [],
      latestActivity: null,
    });
  });

  it('refuses reversed, too long and malformed ranges with their own codes, in the reader’s language', async () => {
    const reversed = await overview('from=2026-03-02&to=2026-03-01', 'de');
    expect(reversed.statusCode).toBe(422);
    expect(reversed.json()).toMatchObject({ code: 'report_range_reversed' });
    expect(reversed.json().detail).toContain('Zeitraum');
    const long = await overview('from=2020-01-01&to=2023-12-31');
    expect(long.statusCode).toBe(422);
    expect(long.json()).toMatchObject({ code: 'report_range_too_long' });
    expect((await overview('from=2023-01-01&to=2025-12-31')).statusCode).toBe(200);
    for (const q of ['from=2026-13-01&to=2026-12-31', 'from=2026-01-01', 'to=2026-01-01', 'from=2026-01-01&to=2026-01-31&interval=year', 'from=2026-01-01&to=2026-01-31&x=1']) {
      const bad = await overview(q);
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json().code).toBe('validation_failed');
    }
  });

  it('ranks top accounts by points net of returns, and counts active accounts in a program without members', async () => {
    const other = await t.newProgram({ timeZone: 'Europe/London', currency: 'GBP' });
    const saved = programId;
    programId = other.programId;
    try {
      ids.X = await seedAccount(t, 'NET-X', { programId });
      ids.Y = await seedAccount(t, 'NET-Y', { programId });
      ids.Z = await seedAccount(t, 'NET-Z', { programId });
      ids.issuance2 = uuidv7();
      await t.database.db.insertInto('wallets').values({ program_id: programId, id: ids.issuance2, kind: 'issuance' }).execute();
      // X bought a lot and returned all of it; Y bought less and kept it; Z bought, returned part.
      await journal('earn', '2011-06-10T14:28:00Z', [['X', 59_479], ['issuance2', -59_479]]);
      await journal('reverse', '2011-06-10T14:31:00Z', [['X', -59_479], ['issuance2', 59_479]]);
      await journal('earn', '2011-06-12T10:00:00Z', [['Y', 900], ['issuance2', -900]]);
      await journal('earn', '2011-06-13T10:00:00Z', [['Z', 1500], ['issuance2', -1500]]);
      await journal('reverse', '2011-06-14T10:00:00Z', [['Z', -1000], ['issuance2', 1000]]);
      const res = await t.call('GET', '/v1/reports/overview?from=2011-06-01&to=2011-06-30', undefined, other.key);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.topAccounts.map((a: { externalId: string; points: number; earned: number; reversed: number }) => [a.externalId, a.points, a.earned, a.reversed])).toEqual([
        ['NET-Y', 900, 900, 0],
        ['NET-Z', 500, 1500, 1000],
      ]);
      expect(body).toMatchObject({ activeAccounts: 3, activeMembers: 0, members: 0 });

      // Without a range: all of it is older than 30 days, so the 30 days that end on the latest activity.
      const latest = await t.call('GET', '/v1/reports/overview', undefined, other.key);
      expect(latest.statusCode, latest.body).toBe(200);
      expect(latest.json()).toMatchObject({ from: '2011-05-16', to: '2011-06-14', interval: 'day', latestActivity: '2011-06-14', activeAccounts: 3 });
      expect(latest.json().series).toHaveLength(30);
      expect(latest.json().totals.issued).toBe(61_879);

      // Anything in the last 30 days (the test clock stands at 2026-11-25): the last 30 days, ending today.
      await journal('earn', '2026-11-20T10:00:00Z', [['Y', 10], ['issuance2', -10]]);
      const recent = (await t.call('GET', '/v1/reports/overview?interval=week', undefined, other.key)).json();
      expect(recent).toMatchObject({ from: '2026-10-27', to: '2026-11-25', interval: 'week', latestActivity: '2026-11-20', activeAccounts: 1 });
    } finally {
      programId = saved;
    }
  });

  it('opens a program without any activity on the last 30 days', async () => {
    const empty = await t.newProgram();
    const res = await t.call('GET', '/v1/reports/overview', undefined, empty.key);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ from: '2026-10-27', to: '2026-11-25', latestActivity: null, activeAccounts: 0 });
  });

  it('is readable with the read scope only, and needs a key', async () => {
    const reader = await t.keyWith(['read'], programId);
    expect((await t.call('GET', '/v1/reports/overview?from=2026-03-01&to=2026-03-31', undefined, reader)).statusCode).toBe(200);
    expect((await t.call('GET', '/v1/reports/overview?from=2026-03-01&to=2026-03-31', undefined, null)).statusCode).toBe(401);
  });
});
