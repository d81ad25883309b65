/**
 * The demo program `npm start` shows, seeded once on each database (it takes most of a minute, so every
 * check of the demo lives in this one file): a year of activity, four tiers, a shop of forty rewards with
 * orders in every state, sales claims and a co-op fund, staff and partners, all consistent with the ledger.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { ensureDemoProgram } from '../../src/demo/index.js';
import { ensureDemoSignIns } from '../../src/demo/sign-in.js';
import { DiskEvidenceStore } from '../../src/evidence/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerConsistent } from '../support/ledger.js';

describe('demo program', () => {
  let t: TestApp;
  let database: Database;
  let programId: string;
  beforeAll(async () => {
    t = await startTestApp();
    database = t.database;
    let saved: string | undefined;
    await ensureDemoProgram(database.db, async (k) => void (saved = k), async () => saved, t.clock(), new DiskEvidenceStore(t.config.evidenceDir));
    programId = (await database.db.selectFrom('programs').select('id').where('name', 'like', '%demo%').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => t?.close());

  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows;

  it('has the rewards shop: six categories, forty rewards in five languages, two charities and cashback', async () => {
    // The service desk's hidden special-order reward (accepted quotes are booked on it) is not part of the shop.
    const byType = await rows(sql<{ type: string; n: number }>`SELECT type, count(*)::int AS n FROM rewards WHERE program_id = ${programId} AND active GROUP BY type`);
    const hidden = await rows(sql<{ code: string; active: boolean }>`SELECT code, active FROM rewards WHERE program_id = ${programId} AND NOT active`);
    expect(hidden).toEqual([{ code: 'service-special-order', active: false }]);
    const n = Object.fromEntries(byType.map((r) => [r.type, r.n]));
    expect(Object.values(n).reduce((a, b) => a + b, 0)).toBe(40);
    expect(n.charity).toBe(2);
    expect(n.cashback).toBeGreaterThanOrEqual(1);
    expect((await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM reward_categories WHERE program_id = ${programId}`))[0]!.n).toBe(6);
    const texts = await rows(sql<{ texts: Record<string, { name: string }> }>`SELECT texts FROM rewards WHERE program_id = ${programId}`);
    for (const t of texts) expect(Object.keys(t.texts).sort()).toEqual(['de', 'en', 'nb', 'pl', 'sv']);
  });

  it('has orders in every state, and the ledger agrees with them', async () => {
    const states = await rows(sql<{ state: string }>`SELECT DISTINCT state FROM reward_orders WHERE program_id = ${programId} ORDER BY state`);
    expect(states.map((s) => s.state)).toEqual(['approved', 'cancelled', 'delivered', 'issued', 'pending_approval', 'placed', 'rejected', 'shipped']);
    const money = await rows(sql<{ orders: number; refunds: number; redeemed: number; net: number }>`
      SELECT (SELECT count(*) FROM reward_orders WHERE program_id = ${programId})::int AS orders,
             (SELECT count(*) FROM journals WHERE program_id = ${programId} AND kind = 'refund')::int AS refunds,
             (SELECT coalesce(sum(points), 0) FROM reward_orders WHERE program_id = ${programId} AND state NOT IN ('cancelled', 'rejected'))::bigint AS redeemed,
             (SELECT -coalesce(sum(e.amount), 0) FROM entries e JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
               JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
               WHERE e.program_id = ${programId} AND j.kind IN ('redeem', 'refund') AND w.kind IN ('account', 'member'))::bigint AS net`);
    expect(money[0]!.orders).toBeGreaterThanOrEqual(30);
    expect(money[0]!.refunds).toBeGreaterThanOrEqual(2);
    expect(Number(money[0]!.net)).toBe(Number(money[0]!.redeemed));
    await expectLedgerConsistent(database.db, programId);
  });

  it('has a month of service requests in every state, some rated, some breached, with help articles in every language', async () => {
    const states = await rows(sql<{ state: string }>`SELECT DISTINCT state FROM service_requests WHERE program_id = ${programId} ORDER BY state`);
    expect(states.map((s) => s.state)).toEqual(['closed', 'in_progress', 'new', 'resolved', 'waiting_customer']);
    const span = await rows(sql<{ days: number; rated: number; internal: number }>`
      SELECT extract(epoch FROM max(created_at) - min(created_at))::int / 86400 AS days,
             (SELECT count(*) FROM service_csat WHERE program_id = ${programId})::int AS rated,
             (SELECT count(*) FROM service_entries WHERE program_id = ${programId} AND internal)::int AS internal
      FROM service_requests WHERE program_id = ${programId}`);
    expect(span[0]!.days).toBeGreaterThanOrEqual(25);
    expect(span[0]!.rated).toBeGreaterThanOrEqual(5);
    expect(span[0]!.internal).toBeGreaterThanOrEqual(2);
    const langs = await rows(sql<{ language: string }>`SELECT DISTINCT language FROM help_articles WHERE program_id = ${programId} ORDER BY language`);
    expect(langs.map((l) => l.language)).toEqual(['de', 'en', 'nb', 'pl', 'sv']);
    const portalMember = await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM service_requests r JOIN members m ON m.program_id = r.program_id AND m.id = r.member_id
      WHERE r.program_id = ${programId} AND m.external_id = 'P10001'`);
    expect(portalMember[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('has one paused webhook for the ERP, so the demo sends nothing', async () => {
    const hooks = await rows(sql<{ url: string; active: boolean }>`SELECT url, active FROM webhook_subscriptions WHERE program_id = ${programId}`);
    expect(hooks).toEqual([{ url: 'http://127.0.0.1:9/erp-demo', active: false }]);
    expect(await rows(sql`SELECT id FROM webhook_deliveries WHERE program_id = ${programId}`)).toEqual([]);
  });

  it('has surprises paid over the year', async () => {
    const paid = await rows(sql<{ key: string; n: number }>`
      SELECT p.surprise_key AS key, count(*)::int AS n FROM surprise_payouts p
      WHERE p.program_id = ${programId} GROUP BY p.surprise_key`);
    expect(paid.find((p) => p.key === 'birthday')?.n).toBeGreaterThan(0);
  });

  it('gives every company its own e-mail domain, and has paid, waiting and refused referrals', async () => {
    const shared = await rows(sql<{ domain: string; n: number }>`
      SELECT split_part(m.email, '@', 2) AS domain, count(DISTINCT m.account_id)::int AS n FROM members m
      WHERE m.program_id = ${programId} AND m.email IS NOT NULL AND m.external_id LIKE 'P%' GROUP BY 1 HAVING count(DISTINCT m.account_id) > 1`);
    expect(shared).toEqual([]);
    const states = await rows(sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM referrals WHERE program_id = ${programId} GROUP BY status`);
    expect(Object.fromEntries(states.map((r) => [r.status, r.n]))).toEqual({ paid: 2, pending: 1 });
    const refused = await rows(sql<{ reason: string }>`SELECT reason FROM referral_refusals WHERE program_id = ${programId} ORDER BY reason`);
    expect(refused.map((r) => r.reason)).toEqual(['referral_circular', 'referral_same_company', 'referral_too_late']);
    // The portal's demo member sees a surprise in their history.
    const own = await rows(sql<{ n: number }>`
      SELECT count(*)::int AS n FROM surprise_payouts p JOIN members m ON m.program_id = p.program_id AND m.id = p.member_id
      WHERE p.program_id = ${programId} AND m.external_id = 'P10001' AND p.journal_id IS NOT NULL`);
    expect(own[0]!.n).toBeGreaterThan(0);
  });

  it('has four tiers with companies on them', async () => {
    const tiers = await rows(sql<{ tier: string | null; n: number }>`SELECT tier, count(*)::int AS n FROM accounts WHERE program_id = ${programId} GROUP BY tier`);
    expect(tiers.filter((t) => t.tier !== null).length).toBeGreaterThanOrEqual(3);
  });
  it('has about twenty claims in every state, each with evidence', async () => {
    const db = database.db;
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
    const db = database.db;
    const funds = await sql<{ n: number; total: number }>`SELECT count(*)::int AS n, sum(accrued)::bigint AS total FROM coop_funds WHERE program_id = ${programId}`.execute(db);
    expect(funds.rows[0]!.n).toBeGreaterThan(50);
    const claims = await sql<{ state: string }>`SELECT state FROM coop_claims WHERE program_id = ${programId} ORDER BY id`.execute(db);
    expect(claims.rows.map((r) => r.state)).toEqual(['approved', 'approved', 'approved', 'rejected', 'submitted']);
    const payouts = await sql<{ exported: boolean }>`SELECT export_batch_id IS NOT NULL AS exported FROM coop_payouts WHERE program_id = ${programId} ORDER BY id`.execute(db);
    expect(payouts.rows.map((r) => r.exported)).toEqual([true, false, false]);
  });

  it('has a published course certified in every gold and platinum company, one certificate expiring this month, and gated articles with reads', async () => {
    const [course] = await rows(sql<{ id: string; status: string }>`SELECT id, status FROM courses WHERE program_id = ${programId} AND code = 'installer-certified'`);
    expect(course?.status).toBe('published');
    const certs = await rows(sql<{ expires_at: Date; reminded_at: Date | null }>`SELECT expires_at, reminded_at FROM certificates WHERE program_id = ${programId} AND course_id = ${course!.id}`);
    const companies = await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM accounts WHERE program_id = ${programId} AND tier IN ('gold', 'platinum')`);
    expect(certs.length).toBe(companies[0]!.n);
    expect(certs.filter((c) => c.expires_at.getTime() - t.clock().getTime() < 30 * 86_400_000 && c.expires_at.getTime() > t.clock().getTime())).toHaveLength(1);
    const paid = await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE program_id = ${programId} AND type = 'training.completed' AND attributes->>'courseId' = ${course!.id}`);
    expect(paid[0]!.n).toBe(certs.length);
    // The portal's demo member holds a yearly certificate due for renewal this month.
    const due = await rows(sql<{ expires_at: Date }>`
      SELECT c.expires_at FROM certificates c JOIN members m ON m.program_id = c.program_id AND m.id = c.member_id
      JOIN courses k ON k.program_id = c.program_id AND k.id = c.course_id
      WHERE c.program_id = ${programId} AND m.external_id = 'P10001' AND k.code = 'work-at-height' AND c.replaced_by IS NULL`);
    expect(due).toHaveLength(1);
    expect(due[0]!.expires_at.getTime() - t.clock().getTime()).toBeLessThan(30 * 86_400_000);
    const items = await rows(sql<{ status: string; reads: number }>`
      SELECT c.status, (SELECT count(*)::int FROM content_reads r WHERE r.program_id = c.program_id AND r.content_id = c.id) AS reads
      FROM content_items c WHERE c.program_id = ${programId}`);
    expect(items).toHaveLength(3);
    expect(items.every((i) => i.status === 'published' && i.reads > 0)).toBe(true);
  });

  it('signs in to the console and the portal with the printed demo passwords', async () => {
    const demo = await ensureDemoSignIns(database.db, programId, t.clock());
    // A second start keeps what the first set.
    expect(await ensureDemoSignIns(database.db, programId, t.clock())).toEqual(demo);
    const staff = await t.call('POST', '/auth/staff/sign-in', demo.console, null);
    expect(staff.statusCode, staff.body).toBe(200);
    expect(staff.json()).toMatchObject({ staff: { role: 'owner' }, program: { id: programId } });
    const member = await t.call('POST', '/auth/member/password-sign-in', { email: demo.portal.email, password: demo.portal.password }, null);
    expect(member.statusCode, member.body).toBe(200);
    expect(member.json().member).toMatchObject({ programId, isManager: true });
  });

  it('runs a partner NPS survey with a year of answers, recent detractors to follow up, and an installer quiz with attempts', async () => {
    const [survey] = await rows(sql<{ id: string; status: string }>`SELECT id, status FROM surveys WHERE program_id = ${programId} AND NOT anonymous`);
    expect(survey!.status).toBe('published');
    const span = await rows(sql<{ n: number; months: number }>`SELECT count(*)::int AS n, count(DISTINCT date_trunc('month', answered_on))::int AS months FROM survey_answers WHERE program_id = ${programId} AND survey_id = ${survey!.id}`);
    expect(span[0]!.n).toBeGreaterThan(100);
    expect(span[0]!.months).toBeGreaterThanOrEqual(12);
    const results = (await t.call('GET', `/v1/surveys/${survey!.id}/results?by=period&period=quarter`, undefined, (await t.keyWith(['read'], programId)))).json();
    expect(results.nps.low).toBeLessThan(results.nps.nps);
    expect(results.groups.length).toBeGreaterThanOrEqual(4);
    expect((await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM survey_followups WHERE program_id = ${programId} AND status = 'open'`))[0]!.n).toBeGreaterThan(0);
    const quiz = await rows(sql<{ attempts: number; passes: number }>`SELECT count(*)::int AS attempts, count(*) FILTER (WHERE first_pass)::int AS passes FROM quiz_attempts WHERE program_id = ${programId}`);
    expect(quiz[0]!.attempts).toBeGreaterThan(quiz[0]!.passes);
    expect(quiz[0]!.passes).toBeGreaterThan(0);
    await expectLedgerConsistent(database.db, programId);
  });
});
