/**
 * Concurrent requests against a real PostgreSQL server (a pool of 20 connections): spends serialize per
 * wallet, idempotency keys and event ids hold under races, and batch writers cannot deadlock. PGlite is a
 * single session, so there is nothing to race there: the file is skipped.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { purchase } from '../support/fixtures.js';
import { expectLedgerConsistent, newWorld, wallet, type World } from '../support/ledger.js';

describe.runIf(onPostgres)('concurrency on PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  const count = (codes: number[], code: number) => codes.filter((c) => c === code).length;
  const available = async (w: World, id: string) => (await wallet(t.database.db, w.programId, id)).available;
  const journals = async (w: World) =>
    Number((await sql<{ n: number }>`SELECT count(*)::bigint AS n FROM journals WHERE program_id = ${w.programId}`.execute(t.database.db)).rows[0]!.n);

  it('200 concurrent debits of 7 against 1,000 points: exactly 142 succeed, 6 points are left', async () => {
    const w = await newWorld(t, {}, { accounts: 1, members: [] });
    const account = w.accounts[0]!.id;
    expect((await w.call('POST', `/v1/accounts/${account}/adjustments`, { points: 1000, reasonCode: 'opening', idempotencyKey: 'opening-1000' })).statusCode).toBe(201);

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => w.call('POST', `/v1/accounts/${account}/debits`, { points: 7, memo: 'race', idempotencyKey: `race-debit-${i}` })),
    );
    const codes = results.map((r) => r.statusCode);
    expect(count(codes, 201)).toBe(Math.floor(1000 / 7));
    expect(count(codes, 422)).toBe(200 - 142);
    for (const r of results.filter((x) => x.statusCode === 422)) expect(r.json().code).toBe('insufficient_points');
    expect(await available(w, account)).toBe(1000 - 142 * 7);
    expect(await journals(w)).toBe(1 + 142);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('the same event 50 times at once: processed once, 49 replays with the same postings', async () => {
    const w = await newWorld(t, {}, { accounts: 1, members: [0] });
    const event = purchase('RACE-1', 'C-0', 'M-0', '2026-11-20T10:00:00+01:00');
    const results = await Promise.all(Array.from({ length: 50 }, () => w.call('POST', '/v1/events', event)));
    const codes = results.map((r) => r.statusCode);
    expect(count(codes, 201)).toBe(1);
    expect(count(codes, 200)).toBe(49);
    const first = results.find((r) => r.statusCode === 201)!.json();
    expect(first.status).toBe('processed');
    expect(first.points).toBeGreaterThan(0);
    const postings = (body: { postings: Array<{ journalId: string; walletId: string; points: number }> }) =>
      body.postings.map((p) => [p.journalId, p.walletId, p.points]);
    for (const r of results.filter((x) => x.statusCode === 200)) {
      expect(r.json().status).toBe('replayed');
      expect(r.json().id).toBe(first.id);
      expect(postings(r.json())).toEqual(postings(first));
    }

    const events = await t.database.db.selectFrom('events').select('id').where('program_id', '=', w.programId).execute();
    expect(events.map((e) => e.id)).toEqual([first.id]);
    const written = await t.database.db.selectFrom('journals').select('id').where('program_id', '=', w.programId).where('event_id', '=', first.id).execute();
    // One journal per event, which every posting names.
    expect(written.map((j) => j.id)).toEqual([...new Set(first.postings.map((p: { journalId: string }) => p.journalId))]);
    expect((await available(w, w.accounts[0]!.id)) + (await available(w, w.members[0]!.id))).toBe(first.points);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('200 concurrent debits over 20 idempotency keys: 20 journals, 20 debits taken', async () => {
    const w = await newWorld(t, {}, { accounts: 1, members: [] });
    const account = w.accounts[0]!.id;
    await w.call('POST', `/v1/accounts/${account}/adjustments`, { points: 1000, reasonCode: 'opening', idempotencyKey: 'opening-1000' });

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => w.call('POST', `/v1/accounts/${account}/debits`, { points: 9, memo: 'retried', idempotencyKey: `retried-debit-${i % 20}` })),
    );
    const codes = results.map((r) => r.statusCode);
    expect(count(codes, 201)).toBe(20);
    expect(count(codes, 200)).toBe(180);
    // Every answer for a key names the one journal that key wrote.
    const byKey = new Map<number, Set<string>>();
    results.forEach((r, i) => byKey.set(i % 20, (byKey.get(i % 20) ?? new Set()).add(r.json().journalId)));
    expect([...byKey.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(new Set([...byKey.values()].map((ids) => [...ids][0])).size).toBe(20);

    const spends = await t.database.db.selectFrom('journals').select('id').where('program_id', '=', w.programId).where('kind', '=', 'spend').execute();
    expect(spends).toHaveLength(20);
    expect(await available(w, account)).toBe(1000 - 20 * 9);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('two batches of 500 purchases over the same 20 accounts in opposite orders, at once: no deadlock, every point posted', async () => {
    const w = await newWorld(t, {}, { accounts: 20, members: [] });
    const batch = (name: string, accountOf: (i: number) => number) => ({
      events: Array.from({ length: 500 }, (_, i) => ({
        ...purchase(`${name}-${i}`, `C-${accountOf(i)}`, undefined, '2026-11-20T10:00:00+01:00'),
        lines: [{ sku: (['DRILL', 'PAINT', 'PLANK'] as const)[i % 3], quantity: 1, amount: 1000 * (1 + (i % 50)) }],
      })),
    });
    const [a, b] = await Promise.all([w.call('POST', '/v1/events', batch('UP', (i) => i % 20)), w.call('POST', '/v1/events', batch('DOWN', (i) => 19 - (i % 20)))]);
    for (const res of [a, b]) {
      expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
      expect(res.json().summary).toEqual({ processed: 500, replayed: 0, rejected: 0 });
    }

    const posted = new Map<string, number>();
    for (const res of [a, b]) {
      for (const r of res.json().results as Array<{ event: { postings: Array<{ walletId: string; points: number }> } }>) {
        for (const p of r.event.postings) posted.set(p.walletId, (posted.get(p.walletId) ?? 0) + p.points);
      }
    }
    for (const acc of w.accounts) expect(await available(w, acc.id), acc.ext).toBe(posted.get(acc.id) ?? 0);
    // Cross-sell paid each account once per category across both batches: 3 categories × 200.
    // Each rule's posting is an entry of its event's journal; count the cross-sell entries.
    const crossSell = await sql<{ n: number }>`
      SELECT count(*)::bigint AS n FROM entries x JOIN rules r ON r.program_id = x.program_id AND r.id = x.rule_id AND r.version = x.rule_version
      WHERE x.program_id = ${w.programId} AND r.name = 'Cross-sell'`.execute(t.database.db);
    expect(Number(crossSell.rows[0]!.n)).toBe(20 * 3);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('concurrent spends, transfers and adjustments across an account and its members keep every invariant', async () => {
    const w = await newWorld(t, {}, { accounts: 1, members: [0, 0] });
    const [acc, m1, m2] = [w.accounts[0]!.id, w.members[0]!.id, w.members[1]!.id];
    for (const [id, path] of [[acc, 'accounts'], [m1, 'members'], [m2, 'members']] as const) {
      await w.call('POST', `/v1/${path}/${id}/adjustments`, { points: 300, reasonCode: 'opening', idempotencyKey: `opening-${id}` });
    }
    // Transfers lock two wallets at once, in both directions of id order relative to the members' own spends.
    const requests = Array.from({ length: 120 }, (_, i) => {
      const key = `mixed-op-${i}`;
      switch (i % 6) {
        case 0:
          return { taken: 11, res: w.call('POST', `/v1/accounts/${acc}/transfers`, { memberId: m1, points: 11, idempotencyKey: key }) };
        case 1:
          return { taken: 13, res: w.call('POST', `/v1/accounts/${acc}/transfers`, { memberId: m2, points: 13, idempotencyKey: key }) };
        case 2:
          return { taken: 17, res: w.call('POST', `/v1/members/${m1}/debits`, { points: 17, memo: 'mix', idempotencyKey: key }) };
        case 3:
          return { taken: 19, res: w.call('POST', `/v1/members/${m2}/debits`, { points: 19, memo: 'mix', idempotencyKey: key }) };
        case 4:
          return { taken: 23, res: w.call('POST', `/v1/accounts/${acc}/debits`, { points: 23, memo: 'mix', idempotencyKey: key }) };
        default:
          return { taken: 5, res: w.call('POST', `/v1/members/${m1}/adjustments`, { points: -5, reasonCode: 'correction', idempotencyKey: key }) };
      }
    });
    const done = await Promise.all(requests.map(async (r, i) => ({ i, taken: r.taken, res: await r.res })));
    for (const d of done) {
      expect([201, 422], d.res.body).toContain(d.res.statusCode);
      if (d.res.statusCode === 422) expect(d.res.json().code).toBe('insufficient_points');
    }
    // Transfers move points; spends and negative adjustments take them out of the wallets for good.
    const out = done.filter((d) => d.res.statusCode === 201 && d.i % 6 >= 2).reduce((s, d) => s + d.taken, 0);
    const total = (await available(w, acc)) + (await available(w, m1)) + (await available(w, m2));
    expect(total).toBe(900 - out);
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});
