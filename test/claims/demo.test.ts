import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { DiskEvidenceStore } from '../../src/evidence/store.js';
import { getProgram, createProgram } from '../../src/programs/programs.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerConsistent } from '../support/ledger.js';

/** The demo shows claims in every state and a co-op fund with claims and payouts; its ledger adds up. */
describe('demo: sales claims and co-op fund', () => {
  let t: TestApp;
  let programId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const p = await createProgram(t.database.db, { name: 'Demo', currency: 'SEK', defaultLanguage: 'sv', timeZone: 'Europe/Stockholm', pendingDays: 14 });
    programId = p.id;
    await seedDemo(t.database.db, (await getProgram(t.database.db, p.id))!, new Date('2026-11-23T09:00:00Z'), new DiskEvidenceStore(t.config.evidenceDir));
  }, 240_000);
  afterAll(async () => t?.close());

  it('has about twenty claims in every state, each with evidence', async () => {
    const db = t.database.db;
    const states = await sql<{ state: string; n: number }>`SELECT state, count(*)::int AS n FROM sale_claims WHERE program_id = ${programId} GROUP BY state`.execute(db);
    const by = Object.fromEntries(states.rows.map((r) => [r.state, r.n]));
    expect(Object.keys(by).sort()).toEqual(['approved', 'needs_review', 'rejected', 'submitted']);
    expect(Object.values(by).reduce((s, n) => s + n, 0)).toBeGreaterThanOrEqual(18);
    const flags = await sql<{ code: string }>`SELECT DISTINCT f->>'code' AS code FROM sale_claims, jsonb_array_elements(flags) f WHERE program_id = ${programId}`.execute(db);
    expect(flags.rows.map((r) => r.code)).toEqual(expect.arrayContaining(['near_duplicate_invoice', 'same_amount_recent', 'member_velocity']));
    const bare = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sale_claims c WHERE program_id = ${programId} AND NOT EXISTS (SELECT 1 FROM sale_claim_evidence e WHERE e.program_id = c.program_id AND e.claim_id = c.id)`.execute(db);
    expect(bare.rows[0]!.n).toBe(0);
    const byManager = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sale_claims WHERE program_id = ${programId} AND decided_by LIKE 'member:%'`.execute(db);
    expect(byManager.rows[0]!.n).toBeGreaterThan(0);
    await expectLedgerConsistent(db, programId);
  });

  it('has accrued co-op funds, co-op claims and payouts, one exported', async () => {
    const db = t.database.db;
    const funds = await sql<{ n: number; total: number }>`SELECT count(*)::int AS n, sum(accrued)::bigint AS total FROM coop_funds WHERE program_id = ${programId}`.execute(db);
    expect(funds.rows[0]!.n).toBeGreaterThan(50);
    const claims = await sql<{ state: string }>`SELECT state FROM coop_claims WHERE program_id = ${programId} ORDER BY id`.execute(db);
    expect(claims.rows.map((r) => r.state)).toEqual(['approved', 'approved', 'approved', 'rejected', 'submitted']);
    const payouts = await sql<{ exported: boolean }>`SELECT export_batch_id IS NOT NULL AS exported FROM coop_payouts WHERE program_id = ${programId} ORDER BY id`.execute(db);
    expect(payouts.rows.map((r) => r.exported)).toEqual([true, false, false]);
  });
});
