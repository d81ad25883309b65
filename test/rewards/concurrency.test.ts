/**
 * The shop's guarantees under real concurrency, on a PostgreSQL server (PGlite is one session: nothing
 * races there, so the file is skipped): stock never oversold, a balance never overdrawn, one order per key.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { expectLedgerConsistent, wallet } from '../support/ledger.js';

describe.runIf(onPostgres)('rewards shop under concurrency on PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  const count = (codes: number[], code: number) => codes.filter((c) => c === code).length;

  /** A program with `accounts` companies and `perAccount` members each, every member holding `points`. */
  async function program(accounts: number, perAccount: number, points: number) {
    const { programId, key } = await t.newProgram();
    const db = t.database.db;
    const accountIds = Array.from({ length: accounts }, () => uuidv7());
    const memberIds = accountIds.flatMap((a) => Array.from({ length: perAccount }, () => ({ id: uuidv7(), account: a })));
    await db.insertInto('accounts').values(accountIds.map((id, i) => ({ program_id: programId, id, external_id: `C-${i}`, name: `Company ${i}` })) as never).execute();
    await db.insertInto('members').values(memberIds.map((m, i) => ({ program_id: programId, id: m.id, account_id: m.account, external_id: `M-${i}`, name: `Person ${i}` })) as never).execute();
    await db.insertInto('wallets').values([...accountIds.map((id) => ({ program_id: programId, id, kind: 'account' as const })), ...memberIds.map((m) => ({ program_id: programId, id: m.id, kind: 'member' as const }))]).execute();
    const call = (method: string, url: string, body?: unknown) => t.call(method, url, body, key);
    for (let i = 0; i < memberIds.length; i += 50) {
      const opened = await Promise.all(
        memberIds.slice(i, i + 50).map((m, j) => call('POST', `/v1/members/${m.id}/adjustments`, { points, reasonCode: 'opening', idempotencyKey: `opening-${i + j}` })),
      );
      for (const res of opened) expect(res.statusCode).toBe(201);
    }
    return { programId, members: memberIds.map((m) => m.id), call };
  }

  it('500 members race for an item with stock 50: exactly 50 orders, the rest out_of_stock, stock 0', async () => {
    const p = await program(50, 10, 1_000);
    expect((await p.call('POST', '/v1/rewards', { code: 'hockey-seat', type: 'experience', pricePoints: 400, stock: 50, texts: { en: { name: 'Hockey seat' } } })).statusCode).toBe(201);
    const results = await Promise.all(
      p.members.map((m, i) => p.call('POST', '/v1/reward-orders', { reward: 'hockey-seat', memberId: m, idempotencyKey: `seat-race-${i}` })),
    );
    const codes = results.map((r) => r.statusCode);
    expect(count(codes, 201)).toBe(50);
    expect(count(codes, 409)).toBe(450);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('out_of_stock');
    expect((await p.call('GET', '/v1/rewards/hockey-seat')).json().stock).toBe(0);
    const orders = await sql<{ n: number }>`SELECT count(*)::int AS n FROM reward_orders WHERE program_id = ${p.programId}`.execute(t.database.db);
    expect(orders.rows[0]!.n).toBe(50);
    // Exactly the 50 buyers paid; nobody else lost a point.
    const paid = results.map((r, i) => (r.statusCode === 201 ? p.members[i]! : null)).filter((m): m is string => m !== null);
    for (const m of p.members) expect((await wallet(t.database.db, p.programId, m)).available).toBe(paid.includes(m) ? 600 : 1_000);
    await expectLedgerConsistent(t.database.db, p.programId);
  });

  it('one member sends 200 orders at once with points for 10: exactly 10 succeed and the balance never goes negative', async () => {
    const p = await program(1, 1, 10_000);
    const member = p.members[0]!;
    await p.call('POST', '/v1/rewards', { code: 'gift-card', type: 'code', codeSource: 'generated', pricePoints: 1_000, texts: { en: { name: 'Gift card' } } });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => p.call('POST', '/v1/reward-orders', { reward: 'gift-card', memberId: member, idempotencyKey: `member-race-${i}` })),
    );
    const codes = results.map((r) => r.statusCode);
    expect(count(codes, 201)).toBe(10);
    expect(count(codes, 422)).toBe(190);
    for (const r of results.filter((x) => x.statusCode === 422)) expect(r.json().code).toBe('insufficient_points');
    const w = await wallet(t.database.db, p.programId, member);
    expect(w.available).toBe(0);
    expect(w.lifetimeSpent).toBe(10_000);
    const issued = await sql<{ n: number }>`SELECT count(*)::int AS n FROM reward_codes WHERE program_id = ${p.programId} AND order_id IS NOT NULL`.execute(t.database.db);
    expect(issued.rows[0]!.n).toBe(10);
    await expectLedgerConsistent(t.database.db, p.programId);
  });

  it('the same request replayed 50 times at once makes one order, and every answer names it', async () => {
    const p = await program(1, 1, 10_000);
    await p.call('POST', '/v1/rewards', { code: 'jacket', type: 'physical', pricePoints: 700, stock: 100, texts: { en: { name: 'Work jacket' } } });
    const body = { reward: 'jacket', memberId: p.members[0], quantity: 2, idempotencyKey: 'one-jacket-order' };
    const results = await Promise.all(Array.from({ length: 50 }, () => p.call('POST', '/v1/reward-orders', body)));
    const codes = results.map((r) => r.statusCode);
    expect(count(codes, 201)).toBe(1);
    expect(count(codes, 200)).toBe(49);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    expect((await wallet(t.database.db, p.programId, p.members[0]!)).available).toBe(10_000 - 1_400);
    expect((await p.call('GET', '/v1/rewards/jacket')).json().stock).toBe(98);
    await expectLedgerConsistent(t.database.db, p.programId);
  });

  it('cancelling and shipping the same order at once: one wins, the points come back at most once', async () => {
    const p = await program(1, 1, 10_000);
    await p.call('POST', '/v1/rewards', { code: 'drill', type: 'physical', pricePoints: 1_000, stock: 10, texts: { en: { name: 'Drill' } } });
    const orders = [];
    for (let i = 0; i < 20; i++) {
      const o = (await p.call('POST', '/v1/reward-orders', { reward: 'drill', memberId: p.members[0], idempotencyKey: `drill-order-${i}` })).json();
      if (o.id) {
        await p.call('POST', `/v1/reward-orders/${o.id}/approve`, {});
        orders.push(o.id as string);
      }
    }
    expect(orders).toHaveLength(10);
    const results = await Promise.all(
      orders.flatMap((id) => [
        p.call('POST', `/v1/reward-orders/${id}/cancel`, { reason: 'race' }),
        p.call('POST', `/v1/reward-orders/${id}/cancel`, { reason: 'race again' }),
        p.call('POST', `/v1/reward-orders/${id}/ship`, { carrier: 'Bring' }),
      ]),
    );
    for (const r of results) expect([200, 409]).toContain(r.statusCode);
    const states = await sql<{ state: string; n: number }>`SELECT state, count(*)::int AS n FROM reward_orders WHERE program_id = ${p.programId} GROUP BY state`.execute(t.database.db);
    const cancelled = states.rows.find((s) => s.state === 'cancelled')?.n ?? 0;
    const shipped = states.rows.find((s) => s.state === 'shipped')?.n ?? 0;
    expect(cancelled + shipped).toBe(10);
    expect((await wallet(t.database.db, p.programId, p.members[0]!)).available).toBe(cancelled * 1_000);
    expect((await p.call('GET', '/v1/rewards/drill')).json().stock).toBe(cancelled);
    const refunds = await sql<{ n: number }>`SELECT count(*)::int AS n FROM journals WHERE program_id = ${p.programId} AND kind = 'refund'`.execute(t.database.db);
    expect(refunds.rows[0]!.n).toBe(cancelled);
    await expectLedgerConsistent(t.database.db, p.programId);
  });
});
