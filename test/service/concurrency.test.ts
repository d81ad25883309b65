/**
 * On a real PostgreSQL server: two staff answering the same request at the same moment both keep their
 * comment (the request row lock orders them; neither overwrites the other), and concurrent requests get
 * distinct numbers. Skipped on PGlite, which is one session.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { seedAccount, seedMember } from '../support/fixtures.js';

describe.runIf(onPostgres)('service requests under concurrency on PostgreSQL', () => {
  let t: TestApp;
  let memberId: string;
  beforeAll(async () => {
    t = await startTestApp();
    memberId = await seedMember(t, await seedAccount(t, 'RACE'), 'RACER');
    const res = await t.call('POST', '/v1/service/types', { code: 'question', kind: 'question', names: { en: 'Question' } });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => t?.close());

  it('two staff answering at once: both comments are kept, first answer recorded once', async () => {
    const r = (await t.call('POST', '/v1/service/requests', { memberId, type: 'question', subject: 'Race', body: 'Who answers?' })).json();
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        t.call('POST', `/v1/service/requests/${r.id}/comments`, { body: `Anna answers ${round}` }),
        t.call('POST', `/v1/service/requests/${r.id}/comments`, { body: `Bo answers ${round}` }),
      ]);
      expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    }
    const full = (await t.call('GET', `/v1/service/requests/${r.id}`)).json();
    const comments = full.timeline.filter((e: { kind: string }) => e.kind === 'comment').map((e: { body: string }) => e.body);
    expect(comments).toHaveLength(10);
    for (let round = 0; round < 5; round++) expect(comments).toEqual(expect.arrayContaining([`Anna answers ${round}`, `Bo answers ${round}`]));
    expect(full.timeline.filter((e: { kind: string; toState: string }) => e.kind === 'state' && e.toState === 'in_progress')).toHaveLength(1);
    expect(full.state).toBe('in_progress');
  });

  it('ten requests raised at once get ten distinct numbers', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => t.call('POST', '/v1/service/requests', { memberId, type: 'question', subject: `Q${i}`, body: 'b' })));
    expect(results.map((x) => x.statusCode)).toEqual(Array(10).fill(201));
    const numbers = new Set(results.map((x) => x.json().number));
    expect(numbers.size).toBe(10);
    const n = await sql<{ n: string }>`SELECT count(DISTINCT number) AS n FROM service_requests WHERE program_id = ${t.programId}`.execute(t.database.db);
    expect(Number(n.rows[0]!.n)).toBe(11);
  });
});

describe.runIf(onPostgres)('a special-order quote accepted twice at once on PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('ten accepts at once make one order and debit the points once', async () => {
    const { chooseSessionMember, createSession, csrfTokenFor } = await import('../../src/sessions/store.js');
    const memberId = await seedMember(t, await seedAccount(t, 'QUOTE'), 'QUOTER');
    await sql`UPDATE members SET email = 'quoter@example.com' WHERE program_id = ${t.programId} AND id = ${memberId}`.execute(t.database.db);
    expect((await t.call('POST', '/v1/service/types', { code: 'special', kind: 'special_order', names: { en: 'Special order' } })).statusCode).toBe(201);
    expect((await t.call('POST', `/v1/members/${memberId}/adjustments`, { points: 1000, reasonCode: 'opening', idempotencyKey: 'open-quoter' })).statusCode).toBe(201);
    const r = (await t.call('POST', '/v1/service/requests', { memberId, type: 'special', subject: 'Pallet of tiles', body: 'b', fields: { item: 'Tiles', quantity: 1 } })).json();
    const quoted = (await t.call('POST', `/v1/service/requests/${r.id}/quotes`, { points: 700, description: 'One pallet.', validUntil: '2026-12-20' })).json();
    const { token, session } = await createSession(t.database.db, { kind: 'member', email: 'quoter@example.com' }, t.clock());
    await chooseSessionMember(t.database.db, session.id, t.programId, memberId);
    const headers = { cookie: `lojal_member=${token}`, 'x-csrf-token': csrfTokenFor(session), 'content-type': 'application/json' };
    const url = `/portal/v1/service/requests/${r.id}/quotes/${quoted.quotes[0].id}/decision`;
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.app.inject({ method: 'POST', url, headers, payload: JSON.stringify({ decision: 'accept' }) })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((a) => a.json().quotes[0].orderId)).size).toBe(1);
    const orders = await sql<{ n: string; points: string }>`SELECT count(*) AS n, sum(points) AS points FROM reward_orders WHERE program_id = ${t.programId}`.execute(t.database.db);
    expect([Number(orders.rows[0]!.n), Number(orders.rows[0]!.points)]).toEqual([1, 700]);
    const balance = (await t.app.inject({ method: 'GET', url: '/portal/v1/balance', headers })).json();
    expect(balance.available).toBe(300);
  });
});
