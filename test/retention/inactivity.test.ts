import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent, wallet } from '../support/ledger.js';
import { adjust } from '../../src/ledger/operations.js';
import { getProgram } from '../../src/programs/programs.js';

let t: TestApp;
let account: string;
let sleeper: string;
let active: string;

beforeAll(async () => {
  t = await startTestApp();
  account = await seedAccount(t, 'IN1');
  sleeper = await seedMember(t, account, 'IN-sleeper');
  active = await seedMember(t, account, 'IN-active');
  await sql`UPDATE members SET created_at = '2025-01-10T10:00:00Z', status = 'active' WHERE program_id = ${t.programId}`.execute(t.database.db);
  await sql`UPDATE members SET created_at = '2026-11-01T10:00:00Z' WHERE program_id = ${t.programId} AND id = ${active}`.execute(t.database.db);
  const program = (await getProgram(t.database.db, t.programId))!;
  await adjust(t.database.db, program, { walletId: sleeper, points: 300, reasonCode: 'goodwill', idempotencyKey: 'in-1', actor: 'test' }, t.clock());
});
afterAll(async () => t.close());

describe('inactivity: a reminder, then deactivation by the leaver policy', () => {
  it('refuses deactivation before the reminder', async () => {
    const r = await t.call('PUT', '/v1/inactivity/settings', { enabled: true, remindAfterMonths: 12, deactivateAfterMonths: 12, tierWarningDays: 30 });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('inactivity_months_reversed');
  });

  it('reminds once, deactivates after the reminder, and returns the points to the company', async () => {
    expect((await t.call('PUT', '/v1/inactivity/settings', { enabled: true, remindAfterMonths: 11, deactivateAfterMonths: 12, tierWarningDays: 30 })).statusCode).toBe(200);
    // 2026-11-25: the sleeper joined 22 months ago and did nothing; the other joined this month.
    expect((await t.call('POST', '/v1/inactivity/run', {})).json()).toEqual({ reminded: 1, deactivated: 0, tierWarnings: 0 });
    expect((await t.call('POST', '/v1/inactivity/run', {})).json()).toEqual({ reminded: 0, deactivated: 0, tierWarnings: 0 });
    const inbox = await sql<{ title: string }>`SELECT title FROM inbox_messages WHERE program_id = ${t.programId} AND member_id = ${sleeper}`.execute(t.database.db);
    expect(inbox.rows).toEqual([{ title: 'We miss you' }]);
    t.clock.set('2026-12-30T12:00:00Z');
    expect((await t.call('POST', '/v1/inactivity/run', {})).json()).toEqual({ reminded: 0, deactivated: 1, tierWarnings: 0 });
    expect((await t.call('POST', '/v1/inactivity/run', {})).json()).toEqual({ reminded: 0, deactivated: 0, tierWarnings: 0 });
    const status = await sql<{ id: string; status: string }>`SELECT id, status FROM members WHERE program_id = ${t.programId} ORDER BY id`.execute(t.database.db);
    expect(Object.fromEntries(status.rows.map((r) => [r.id, r.status]))).toEqual({ [sleeper]: 'closed', [active]: 'active' });
    expect(Number((await wallet(t.database.db, t.programId, account)).available)).toBe(300);
    await expectLedgerConsistent(t.database.db, t.programId);
  });
});
