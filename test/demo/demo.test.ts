/**
 * The demo program `npm start` shows, seeded once on each database: a year of activity, four tiers, and a
 * shop of forty rewards with orders in every state, all of it consistent with the ledger.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { ensureDemoProgram } from '../../src/demo/index.js';
import { freshDatabase } from '../support/db.js';
import { expectLedgerConsistent } from '../support/ledger.js';

describe('demo program', () => {
  let database: Database;
  let programId: string;
  beforeAll(async () => {
    database = await freshDatabase();
    let saved: string | undefined;
    await ensureDemoProgram(database.db, async (k) => void (saved = k), async () => saved);
    programId = (await database.db.selectFrom('programs').select('id').executeTakeFirstOrThrow()).id;
  }, 300_000);
  afterAll(async () => database?.close());

  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows;

  it('has the rewards shop: six categories, forty rewards in five languages, two charities and cashback', async () => {
    const byType = await rows(sql<{ type: string; n: number }>`SELECT type, count(*)::int AS n FROM rewards WHERE program_id = ${programId} GROUP BY type`);
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

  it('has one paused webhook for the ERP, so the demo sends nothing', async () => {
    const hooks = await rows(sql<{ url: string; active: boolean }>`SELECT url, active FROM webhook_subscriptions WHERE program_id = ${programId}`);
    expect(hooks).toEqual([{ url: 'http://127.0.0.1:9/erp-demo', active: false }]);
    expect(await rows(sql`SELECT id FROM webhook_deliveries WHERE program_id = ${programId}`)).toEqual([]);
  });

  it('has four tiers with companies on them', async () => {
    const tiers = await rows(sql<{ tier: string | null; n: number }>`SELECT tier, count(*)::int AS n FROM accounts WHERE program_id = ${programId} GROUP BY tier`);
    expect(tiers.filter((t) => t.tier !== null).length).toBeGreaterThanOrEqual(3);
  });
});
