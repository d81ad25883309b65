/**
 * Races on a real PostgreSQL server: the same sale claimed many times at once passes once (the unique
 * index decides), and many approvals of one claim at once post its points once. Skipped on PGlite,
 * which is one session.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { expectLedgerConsistent, wallet } from '../support/ledger.js';
import { aClaim, claimWorld, type ClaimWorld } from './world.js';

describe.runIf(onPostgres)('claims under concurrency on PostgreSQL', () => {
  let t: TestApp;
  let w: ClaimWorld;
  beforeAll(async () => {
    t = await startTestApp();
    w = await claimWorld(t);
  });
  afterAll(async () => t?.close());

  it('12 concurrent submissions of the same invoice line: one claim, eleven 409 duplicate_claim', async () => {
    const members = ['SELLER', 'SELLER2', 'BRMGR', 'INSELLER'];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => w.submit(aClaim({ invoiceNumber: 'RACE-1', member: members[i % members.length] }))),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(11);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('duplicate_claim');
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sale_claims WHERE program_id = ${w.programId} AND invoice_exact = 'RACE-1'`.execute(t.database.db);
    expect(n.rows[0]!.n).toBe(1);
  });

  it('8 concurrent approvals of one claim post its points once', async () => {
    const claim = (await w.submit(aClaim({ amount: 300000 }))).json();
    const results = await Promise.all(Array.from({ length: 8 }, () => w.call('POST', `/v1/claims/${claim.id}/approve`)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(new Set(results.map((r) => r.json().eventId)).size).toBe(1);
    const b = await wallet(t.database.db, w.programId, w.ids.SELLER!);
    const journals = await sql<{ n: number }>`SELECT count(*)::int AS n FROM journals WHERE program_id = ${w.programId} AND kind = 'earn'`.execute(t.database.db);
    expect(journals.rows[0]!.n).toBe(1);
    expect(b.available + b.pending).toBe(300);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('an approval racing a rejection: exactly one wins, and the points match the winner', async () => {
    for (let i = 0; i < 5; i++) {
      const claim = (await w.submit(aClaim({ member: 'INSELLER' }))).json();
      const [a, r] = await Promise.all([
        w.call('POST', `/v1/claims/${claim.id}/approve`),
        w.call('POST', `/v1/claims/${claim.id}/reject`, { reason: 'invoice_not_found' }),
      ]);
      expect([a.statusCode, r.statusCode].sort()).toEqual([200, 409]);
      const final = (await w.call('GET', `/v1/claims/${claim.id}`)).json();
      const event = await w.call('GET', `/v1/events/claim:${claim.id}`);
      expect(event.statusCode).toBe(final.state === 'approved' ? 200 : 404);
    }
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});
