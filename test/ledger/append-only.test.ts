/**
 * The ledger's history refuses to be rewritten in the database itself: a journal or entry cannot be changed
 * or deleted by any SQL, and a lot only in the ways the ledger writer changes it (its remaining points go
 * down, pending becomes available). The normal operations (earn, release, spend) still work.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLedgerJobs } from '../../src/jobs/ledger-jobs.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, purchase, seedAccount, seedCatalog } from '../support/fixtures.js';

let t: TestApp;
let acc: string;
beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  await createRules(t);
  await t.call('PATCH', '/v1/program', { pendingDays: 14 });
  acc = await seedAccount(t, 'AO-1');
  // The events route still judges "pending" by the system clock, so the purchase is dated by it too: whatever the
  // day, its points are pending for 14 days and the job 15 days on releases them.
  const occurred = t.clock();
  const res = await t.call('POST', '/v1/events', purchase('AO-EV-1', 'AO-1', undefined, occurred.toISOString()));
  expect(res.statusCode, res.body).toBeLessThan(300);
  // Released by the job, then partly spent: the lot changes the legitimate ways.
  await runLedgerJobs(t.database.db, new Date(occurred.getTime() + 15 * 86_400_000));
  const spend = await t.call('POST', `/v1/accounts/${acc}/debits`, { points: 10, memo: 'test', idempotencyKey: 'ao-spend-1' });
  expect(spend.statusCode, spend.body).toBeLessThan(300);
});
afterAll(async () => t.close());

const refused = async (statement: ReturnType<typeof sql>) => {
  const err = await statement.execute(t.database.db).then(() => undefined, (e: unknown) => e);
  expect(err, statement.compile(t.database.db).sql).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/append-only/);
};

describe('the ledger history is append-only', () => {
  it('journals and entries: no UPDATE, no DELETE', async () => {
    const p = t.programId;
    await refused(sql`UPDATE journals SET memo = 'rewritten' WHERE program_id = ${p}`);
    await refused(sql`DELETE FROM journals WHERE program_id = ${p} AND kind = 'spend'`);
    await refused(sql`UPDATE entries SET amount = amount * 2 WHERE program_id = ${p}`);
    await refused(sql`DELETE FROM entries WHERE program_id = ${p}`);
    const kinds = await sql<{ kind: string }>`SELECT kind FROM journals WHERE program_id = ${p} ORDER BY kind`.execute(t.database.db);
    expect(kinds.rows.map((r) => r.kind)).toEqual(expect.arrayContaining(['earn', 'release', 'spend']));
  });

  it('lots: no DELETE, remaining never up, status never back, nothing else changes', async () => {
    const p = t.programId;
    const spent = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lots WHERE program_id = ${p} AND remaining < original AND status = 'available'`.execute(t.database.db);
    expect(spent.rows[0]!.n).toBeGreaterThan(0);
    await refused(sql`DELETE FROM lots WHERE program_id = ${p}`);
    await refused(sql`UPDATE lots SET remaining = original WHERE program_id = ${p} AND remaining < original`);
    await refused(sql`UPDATE lots SET status = 'pending' WHERE program_id = ${p}`);
    await refused(sql`UPDATE lots SET expires_at = COALESCE(expires_at + interval '1 day', '2030-01-01T00:00Z') WHERE program_id = ${p}`);
    await refused(sql`UPDATE lots SET original = original + 1 WHERE program_id = ${p}`);
    // Spending down is what the writer does, and stays possible.
    await sql`UPDATE lots SET remaining = remaining - 1 WHERE program_id = ${p} AND remaining > 0`.execute(t.database.db);
  });
});
