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
