import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { sumOfEntries } from '../../src/ledger/queries.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { createRules, purchase, seedAccount, seedCatalog } from '../support/fixtures.js';

/**
 * Concurrency is only real on a server: the embedded database is one session, so these run on PostgreSQL
 * (the `npm test` server run) and are skipped on PGlite.
 */
let t: TestApp;
beforeAll(async () => {
  if (!onPostgres) return;
  t = await startTestApp();
  await seedCatalog(t);
  await createRules(t);
});
afterAll(async () => t?.close());

async function journalsInBalance(programId: string) {
  const unbalanced = await sql<{ journal_id: string }>`
    SELECT journal_id FROM entries WHERE program_id = ${programId} GROUP BY journal_id HAVING sum(amount) <> 0`.execute(t.database.db);
  return unbalanced.rows.length;
}

describe.runIf(onPostgres)('on a PostgreSQL server, under concurrency', () => {
  it('200 concurrent spends against one balance never overdraw it', async () => {
    const acc = await seedAccount(t, 'CC-1');
    const seed = await t.call('POST', `/v1/accounts/${acc}/adjustments`, { points: 1000, reasonCode: 'seed', idempotencyKey: 'cc-seed-0001' });
    expect(seed.statusCode).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => t.call('POST', `/v1/accounts/${acc}/debits`, { points: 7, memo: 'race', idempotencyKey: `cc-spend-${String(i).padStart(4, '0')}` })),
    );
    const ok = results.filter((r) => r.statusCode === 201).length;
    const refused = results.filter((r) => r.statusCode === 422 && r.json().code === 'insufficient_points').length;
    expect(ok).toBe(142);
    expect(refused).toBe(58);
    const bal = (await t.call('GET', `/v1/accounts/${acc}/balance`)).json();
    expect(bal.available).toBe(1000 - 142 * 7);
    expect(await sumOfEntries(t.database.db, t.programId, acc)).toEqual({ available: bal.available, pending: 0 });
  });

  it('200 concurrent spends over 20 idempotency keys spend 20 times', async () => {
    const acc = await seedAccount(t, 'CC-2');
    await t.call('POST', `/v1/accounts/${acc}/adjustments`, { points: 10_000, reasonCode: 'seed', idempotencyKey: 'cc-seed-0002' });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => t.call('POST', `/v1/accounts/${acc}/debits`, { points: 10, memo: 'retry', idempotencyKey: `cc-retry-${String(i % 20).padStart(4, '0')}` })),
    );
    expect(results.every((r) => r.statusCode === 201 || r.statusCode === 200)).toBe(true);
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(20);
    expect((await t.call('GET', `/v1/accounts/${acc}/balance`)).json().available).toBe(10_000 - 20 * 10);
  });

  it('the same event sent 50 times at once pays once', async () => {
    const acc = await seedAccount(t, 'CC-3');
    const results = await Promise.all(Array.from({ length: 50 }, () => t.call('POST', '/v1/events', purchase('CC-EVENT', 'CC-3'))));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 200 && r.json().status === 'replayed')).toHaveLength(49);
    const points = new Set(results.map((r) => r.json().points));
    expect([...points]).toEqual([495]);
    expect((await t.call('GET', `/v1/accounts/${acc}/balance`)).json().available).toBe(70 + 25 + 400);
    const journals = await t.database.db.selectFrom('journals').select('id').where('program_id', '=', t.programId).where('kind', '=', 'earn')
      .where('event_id', '=', (await t.call('GET', '/v1/events/CC-EVENT')).json().id).execute();
    expect(journals).toHaveLength(1);
  });

  it('two batches over the same accounts in opposite orders both land, without deadlock', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await seedAccount(t, `CC-B${i}`));
    const batch = (tag: string, order: number[]) => ({
      events: Array.from({ length: 500 }, (_, k) => ({
        ...purchase(`${tag}-${k}`, `CC-B${order[k % 20]}`, undefined, new Date(Date.UTC(2026, 5, 1) + k * 60_000).toISOString()),
        lines: [{ sku: 'PLANK', quantity: 1, amount: 10_000 + k }],
      })),
    });
    const up = Array.from({ length: 20 }, (_, i) => i);
    const [a, b] = await Promise.all([t.call('POST', '/v1/events', batch('UP', up)), t.call('POST', '/v1/events', batch('DOWN', [...up].reverse()))]);
    expect(a.statusCode, a.body.slice(0, 300)).toBe(200);
    expect(b.statusCode, b.body.slice(0, 300)).toBe(200);
    expect(a.json().summary.processed + b.json().summary.processed).toBe(1000);
    const paid = [...a.json().results, ...b.json().results].reduce((s: number, r: { event: { points: number } }) => s + r.event.points, 0);
    let total = 0;
    for (const id of ids) total += (await t.call('GET', `/v1/accounts/${id}/balance`)).json().available;
    expect(total).toBe(paid);
    expect(await journalsInBalance(t.programId)).toBe(0);
  });
});
