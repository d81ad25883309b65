import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent, wallet } from '../support/ledger.js';
import { runSurprises } from '../../src/surprises/job.js';
import { adjust } from '../../src/ledger/operations.js';
import { getProgram } from '../../src/programs/programs.js';

let t: TestApp;
let account: string;
const members: Record<string, string> = {};

const run = async (at: string) => (await runSurprises(t.database.db, new Date(at), { programId: t.programId })).paid;
const balance = async (id: string) => Number((await wallet(t.database.db, t.programId, id)).available);
const payouts = async (member: string) =>
  (await sql<{ surprise_key: string; occasion: string }>`SELECT surprise_key, occasion FROM surprise_payouts WHERE program_id = ${t.programId} AND member_id = ${member} ORDER BY paid_at, surprise_key`.execute(t.database.db)).rows;

beforeAll(async () => {
  t = await startTestApp();
  account = await seedAccount(t, 'S1');
  for (const name of ['dst', 'leap', 'late', 'fall', 'year', 'sv'] as const) members[name] = await seedMember(t, account, `S-${name}`);
  // Everyone joined long before the occasions tested here (the anniversary test sets its own date).
  await sql`UPDATE members SET created_at = '2020-06-15T10:00:00Z', status = 'active' WHERE program_id = ${t.programId}`.execute(t.database.db);
  await sql`UPDATE members SET language = 'sv' WHERE program_id = ${t.programId} AND id = ${members.sv!}`.execute(t.database.db);
  const birthdays: Record<string, { month: number; day: number; year?: number | null }> = {
    dst: { month: 3, day: 28 },
    leap: { month: 2, day: 29, year: 1988 },
    late: { month: 1, day: 10 },
    fall: { month: 10, day: 31 },
    year: { month: 5, day: 5, year: 1990 },
    sv: { month: 3, day: 28 },
  };
  for (const [name, b] of Object.entries(birthdays)) {
    const r = await t.call('PUT', `/v1/members/${members[name]}/birthday`, { birthday: b });
    expect(r.statusCode, r.body).toBe(200);
  }
  const s = await t.call('PUT', '/v1/surprises/birthday', { key: 'birthday', kind: 'birthday', points: 100, message: { sv: 'Grattis {{name}}! {{points}} poäng från oss.' } });
  expect(s.statusCode, s.body).toBe(200);
});
afterAll(async () => t.close());

describe('birthdays (day and month, the year optional)', () => {
  it.each([
    [{ month: 2, day: 30 }, 422, 'birthday_invalid'],
    [{ month: 4, day: 31 }, 422, 'birthday_invalid'],
    [{ month: 2, day: 29, year: 2023 }, 422, 'birthday_invalid'],
    [{ month: 13, day: 1 }, 400, 'validation_failed'],
  ])('%j is refused', async (birthday, status, code) => {
    const r = await t.call('PUT', `/v1/members/${members.year}/birthday`, { birthday });
    expect(r.statusCode).toBe(status);
    expect(r.json().code).toBe(code);
  });
  it('keeps no year unless given', async () => {
    expect((await t.call('GET', `/v1/members/${members.dst}/birthday`)).json()).toEqual({ birthday: { month: 3, day: 28, year: null } });
    expect((await t.call('GET', `/v1/members/${members.year}/birthday`)).json().birthday.year).toBe(1990);
  });
});

describe('the surprise job pays once per member, surprise and occasion', () => {
  it('run twice on the night the clocks go forward (Stockholm, 2027-03-28 02:00 → 03:00) pays once', async () => {
    // 23:30 on the 27th local: not yet the birthday.
    expect(await run('2027-03-27T22:30:00Z')).toBe(0);
    // 01:30 CET and 03:30 CEST: the same local day, on either side of the change.
    expect(await run('2027-03-28T00:30:00Z')).toBe(2);
    expect(await run('2027-03-28T01:30:00Z')).toBe(0);
    expect(await run('2027-03-28T01:30:00Z')).toBe(0);
    // 23:30 CEST on the 28th is still the 28th; the next day is not a new occasion either.
    expect(await run('2027-03-28T21:30:00Z')).toBe(0);
    expect(await run('2027-03-29T08:00:00Z')).toBe(0);
    expect(await balance(members.dst!)).toBe(100);
    expect(await payouts(members.dst!)).toEqual([{ surprise_key: 'birthday', occasion: '2027-03-28' }]);
  });

  it('run twice on the night the clocks go back (2027-10-31 03:00 → 02:00) pays once', async () => {
    // 02:30 CEST, then 02:30 CET an hour later: the same wall-clock time twice.
    expect(await run('2027-10-31T00:30:00Z')).toBe(1);
    expect(await run('2027-10-31T01:30:00Z')).toBe(0);
    expect(await balance(members.fall!)).toBe(100);
  });

  it('29 February is celebrated on 28 February in a common year, once, and on the 29th in a leap year', async () => {
    expect(await run('2027-02-27T12:00:00Z')).toBe(0);
    expect(await run('2027-02-28T12:00:00Z')).toBe(1);
    expect(await run('2027-03-01T12:00:00Z')).toBe(0);
    expect(await run('2028-02-28T12:00:00Z')).toBe(0);
    expect(await run('2028-02-29T12:00:00Z')).toBe(1);
    expect((await payouts(members.leap!)).map((p) => p.occasion)).toEqual(['2027-02-28', '2028-02-29']);
  });

  it('a missed day is caught up once, within a week', async () => {
    // The job did not run from 9 to 12 January 2028; on the 13th it pays the 10th, and never again.
    expect(await run('2028-01-13T09:00:00Z')).toBe(1);
    expect(await run('2028-01-14T09:00:00Z')).toBe(0);
    expect((await payouts(members.late!)).map((p) => p.occasion)).toEqual(['2028-01-10']);
  });

  it('explains the points in the member’s language and writes the message to inbox and outbox', async () => {
    const history = await t.app.inject({ method: 'GET', url: `/v1/members/${members.sv}/history`, headers: { authorization: `Bearer ${t.key}`, 'accept-language': 'sv' } });
    expect(history.statusCode, history.body).toBe(200);
    expect(JSON.stringify(history.json())).toContain('Grattis på födelsedagen');
    const inbox = await sql<{ title: string; body: string }>`SELECT title, body FROM inbox_messages WHERE program_id = ${t.programId} AND member_id = ${members.sv!}`.execute(t.database.db);
    expect(inbox.rows).toEqual([{ title: 'Grattis på födelsedagen!', body: 'Grattis Person S-sv! 100 poäng från oss.' }]);
    await expectLedgerConsistent(t.database.db, t.programId);
  });
});

describe('anniversaries, milestones and seasons', () => {
  it('pays the anniversary a year after joining, not on the day of joining', async () => {
    const m = await seedMember(t, account, 'S-anniversary');
    await sql`UPDATE members SET created_at = '2027-06-10T08:00:00Z', status = 'active' WHERE program_id = ${t.programId} AND id = ${m}`.execute(t.database.db);
    const r = await t.call('PUT', '/v1/surprises/anniversary', { key: 'anniversary', kind: 'anniversary', points: 50 });
    expect(r.statusCode, r.body).toBe(200);
    expect(await run('2027-06-10T12:00:00Z')).toBe(0);
    const paid = await run('2028-06-10T12:00:00Z');
    expect((await payouts(m)).map((p) => p.occasion)).toEqual(['2028-06-10']);
    expect(paid).toBeGreaterThanOrEqual(1);
    expect(await run('2028-06-10T13:00:00Z')).toBe(0);
  });

  it('pays a lifetime-points milestone once', async () => {
    await t.call('PUT', '/v1/surprises/points-1000', { key: 'points-1000', kind: 'lifetime_points', threshold: 150, points: 25 });
    // The dst member has 100 (birthday) + nothing else: not yet; the adjustment takes them over.
    const program = (await getProgram(t.database.db, t.programId))!;
    await adjust(t.database.db, program, { walletId: members.dst!, points: 60, reasonCode: 'goodwill', idempotencyKey: 'lp-1', actor: 'test' }, new Date('2028-06-11T10:00:00Z'));
    expect(await run('2028-06-11T12:00:00Z')).toBeGreaterThanOrEqual(1);
    expect(await run('2028-06-12T12:00:00Z')).toBe(0);
    expect((await payouts(members.dst!)).map((p) => p.surprise_key)).toContain('points-1000');
  });

  it('greets everyone on a seasonal day once', async () => {
    const r = await t.call('PUT', '/v1/surprises/christmas', { key: 'christmas', kind: 'seasonal', month: 12, day: 24, points: 10 });
    expect(r.statusCode, r.body).toBe(200);
    await run('2028-12-24T08:00:00Z');
    const active = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM members WHERE program_id = ${t.programId} AND status = 'active'`.execute(t.database.db)).rows[0]!.n);
    expect(await run('2028-12-24T20:00:00Z')).toBe(0);
    const list = await t.call('GET', '/v1/surprises/payouts?limit=500');
    expect(list.json().data.filter((p: { surpriseKey: string }) => p.surpriseKey === 'christmas')).toHaveLength(active);
  });

  it.each([
    [{ key: 'x', kind: 'seasonal', points: 5 }, 'surprise_invalid'],
    [{ key: 'x', kind: 'seasonal', month: 2, day: 30, points: 5 }, 'surprise_invalid'],
    [{ key: 'x', kind: 'orders', points: 5 }, 'surprise_invalid'],
    [{ key: 'x', kind: 'birthday', points: 0 }, 'surprise_invalid'],
    [{ key: 'y', kind: 'birthday', points: 5 }, 'surprise_invalid'],
  ])('refuses %j', async (body, code) => {
    const r = await t.call('PUT', '/v1/surprises/x', body);
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe(code);
  });

  it('removes a surprise with an empty 204; removing it again is 404', async () => {
    expect((await t.call('PUT', '/v1/surprises/gone', { key: 'gone', kind: 'seasonal', month: 6, day: 1, points: 5 })).statusCode).toBe(200);
    const r = await t.call('DELETE', '/v1/surprises/gone');
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect((await t.call('GET', '/v1/surprises')).json().data.map((x: { key: string }) => x.key)).not.toContain('gone');
    expect((await t.call('DELETE', '/v1/surprises/gone')).json().code).toBe('not_found');
  });

  it('leaves the ledger consistent', async () => {
    await expectLedgerConsistent(t.database.db, t.programId);
  });
});
