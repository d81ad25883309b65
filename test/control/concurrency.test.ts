/**
 * Races on a PostgreSQL server: approvals of one request, adjustments against one actor's daily limit, and
 * staff actions appending to one audit chain. PGlite is one session, so the file is skipped there.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { seedAccount } from '../support/fixtures.js';
import { expectLedgerConsistent } from '../support/ledger.js';
import { reasons, staffWithKey } from './support.js';

describe.runIf(onPostgres)('control under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('20 racing approvals of one request post one journal', async () => {
    const p = await t.newProgram();
    await t.call('PUT', '/v1/settings/control', { approvalThreshold: 100, dailyAdjustmentLimit: null, reasonCodes: reasons(['goodwill']) }, p.key);
    const asker = await staffWithKey(t, 'ask@lojal.test', 'support', ['ledger:write'], p.key);
    const deciders = await Promise.all([1, 2, 3, 4].map((i) => staffWithKey(t, `boss${i}@lojal.test`, 'manager', ['ledger:write'], p.key)));
    const account = await seedAccount(t, 'RACE-APPROVE', { programId: p.programId });
    const req = (await t.call('POST', `/v1/accounts/${account}/adjustments`, { points: 5000, reasonCode: 'goodwill', idempotencyKey: 'race-approve-1' }, asker.key)).json();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.call('POST', `/v1/adjustment-requests/${req.id}/approve`, undefined, deciders[i % 4]!.key)),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.json().journalId)).size).toBe(1);
    const journals = await sql<{ n: number }>`SELECT count(*)::int AS n FROM journals WHERE program_id = ${p.programId} AND kind = 'adjust'`.execute(t.database.db);
    expect(journals.rows[0]!.n).toBe(1);
    expect((await t.call('GET', `/v1/accounts/${account}/balance`, undefined, p.key)).json().available).toBe(5000);
    await expectLedgerConsistent(t.database.db, p.programId);
    expect((await verifyChain(t.database.db, p.programId)).brokenAt).toBeNull();
  });

  it('30 concurrent adjustments of 100 by one actor against a limit of 1,000: exactly 10 pass', async () => {
    const p = await t.newProgram();
    await t.call('PUT', '/v1/settings/control', { approvalThreshold: null, dailyAdjustmentLimit: 1000, reasonCodes: reasons(['goodwill']) }, p.key);
    const actor = await staffWithKey(t, 'fast@lojal.test', 'support', ['ledger:write'], p.key);
    const account = await seedAccount(t, 'RACE-LIMIT', { programId: p.programId });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t.call('POST', `/v1/accounts/${account}/adjustments`, { points: 100, reasonCode: 'goodwill', idempotencyKey: `race-limit-${i}` }, actor.key),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201).length).toBe(10);
    for (const r of results.filter((x) => x.statusCode !== 201)) expect(r.json().code).toBe('adjustment_limit_exceeded');
    expect((await t.call('GET', `/v1/accounts/${account}/balance`, undefined, p.key)).json().available).toBe(1000);
    await expectLedgerConsistent(t.database.db, p.programId);
  });

  it('40 staff actions at once keep one unbroken audit chain', async () => {
    const p = await t.newProgram();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? t.call('POST', '/v1/accounts', { externalId: `CHAIN-${i}`, name: `Chain ${i} AB` }, p.key)
          : t.call('POST', '/v1/staff-users', { email: `chain${i}@lojal.test`, name: `Chain ${i}`, role: 'viewer' }, p.key),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
    const report = await verifyChain(t.database.db, p.programId);
    expect(report).toMatchObject({ checked: 40, brokenAt: null });
    const seqs = await sql<{ seq: number }>`SELECT seq FROM audit_log WHERE program_id = ${p.programId} ORDER BY seq`.execute(t.database.db);
    expect(seqs.rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
