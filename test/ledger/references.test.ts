/**
 * Entries and lots refer to a journal and a wallet that exist, checked by the database once per insert statement
 * (migration 0057) instead of by a foreign key per row: a statement with one row referring to nothing fails
 * whole, with the foreign key's SQLSTATE, and what they refer to (wallets) can be neither removed nor re-keyed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, purchase, seedAccount, seedCatalog } from '../support/fixtures.js';

let t: TestApp;
let wallet: string;
let journal: string;
beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  await createRules(t);
  wallet = await seedAccount(t, 'REF-1');
  const res = await t.call('POST', '/v1/events', purchase('REF-EV-1', 'REF-1', undefined, t.clock().toISOString()));
  expect(res.statusCode, res.body).toBeLessThan(300);
  journal = (await sql<{ id: string }>`SELECT id FROM journals WHERE program_id = ${t.programId} LIMIT 1`.execute(t.database.db)).rows[0]!.id;
});
afterAll(async () => t.close());

const failure = async (statement: ReturnType<typeof sql>) => {
  const err = await statement.execute(t.database.db).then(() => undefined, (e: unknown) => e);
  expect(err, statement.compile(t.database.db).sql).toBeInstanceOf(Error);
  return err as Error & { code?: string };
};
const count = async (table: 'entries' | 'lots' | 'journals') =>
  Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE program_id = ${t.programId}`.execute(t.database.db)).rows[0]!.n);

describe('the ledger refers only to rows that exist', () => {
  it('an entry with no such journal or no such wallet fails its whole statement as a foreign key would', async () => {
    const before = await count('entries');
    const nowhere = randomUUID();
    // The first row is sound; the second refers to nothing. Neither is written.
    const badJournal = await failure(sql`
      INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount)
      VALUES (${t.programId}, ${journal}, 900, ${wallet}, 'available', 1), (${t.programId}, ${nowhere}, 1, ${wallet}, 'available', -1)`);
    expect(badJournal.code).toBe('23503');
    expect(badJournal.message).toContain(nowhere);
    const badWallet = await failure(sql`
      INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount)
      VALUES (${t.programId}, ${journal}, 901, ${nowhere}, 'available', 1)`);
    expect(badWallet.code).toBe('23503');
    expect(badWallet.message).toMatch(/wallet/);
    expect(await count('entries')).toBe(before);
  });

  it('a lot with no such journal or wallet fails the same way', async () => {
    const before = await count('lots');
    for (const [journalId, walletId] of [[randomUUID(), wallet], [journal, randomUUID()]]) {
      const err = await failure(sql`
        INSERT INTO lots (program_id, id, wallet_id, journal_id, status, earned_at, available_at, original, remaining)
        VALUES (${t.programId}, ${randomUUID()}, ${walletId}, ${journalId}, 'available', now(), now(), 5, 5)`);
      expect(err.code).toBe('23503');
    }
    expect(await count('lots')).toBe(before);
  });

  it("a journal of no such program fails (its foreign key), and the program's own still goes in", async () => {
    const before = await count('journals');
    const err = await failure(sql`
      INSERT INTO journals (program_id, id, idempotency_key, kind, explanation, occurred_at)
      VALUES (${randomUUID()}, ${randomUUID()}, 'ref-test-1', 'adjust', '{}', now())`);
    expect(err.code).toBe('23503');
    await sql`
      INSERT INTO journals (program_id, id, idempotency_key, kind, explanation, occurred_at)
      VALUES (${t.programId}, ${randomUUID()}, 'ref-test-2', 'adjust', '{}', now())`.execute(t.database.db);
    expect(await count('journals')).toBe(before + 1);
  });

  it('a wallet is never deleted, truncated or re-keyed; its balance still changes', async () => {
    for (const statement of [
      sql`DELETE FROM wallets WHERE program_id = ${t.programId} AND id = ${wallet}`,
      sql`TRUNCATE wallets CASCADE`,
      sql`UPDATE wallets SET id = ${randomUUID()} WHERE program_id = ${t.programId} AND id = ${wallet}`,
    ]) {
      const err = await failure(statement);
      expect(err.message).toMatch(/never removed or re-keyed/);
    }
    await sql`UPDATE wallets SET lifetime_spent = lifetime_spent WHERE program_id = ${t.programId} AND id = ${wallet}`.execute(t.database.db);
  });
});
