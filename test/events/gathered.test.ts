import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, purchase, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';

/**
 * Single events sent at once are written together when the writers are busy (src/events/gather.ts). Whatever the
 * server gathers, each request must be answered as if it had been sent alone: its own status, postings and
 * problem, caps counted over all of them, replays and conflicts told apart, and nothing posted twice or lost.
 * One writer, so that the events arriving while the first is written go together.
 */
let t: TestApp;
let accounts: string[] = [];
let member = '';

const balance = async (kind: 'accounts' | 'members', id: string) => (await t.call('GET', `/v1/${kind}/${id}/balance`)).json();
const login = (id: string) => ({ id, type: 'app.login', occurredAt: '2026-11-20T10:00:00+01:00', account: 'G-0', member: 'GP-0' });

beforeAll(async () => {
  t = await startTestApp({ LOJAL_EVENT_WRITERS: '1' });
  await seedCatalog(t);
  for (let i = 0; i < 4; i++) accounts.push(await seedAccount(t, `G-${i}`));
  member = await seedMember(t, accounts[0]!, 'GP-0');
  await createRules(t);
});
afterAll(async () => t?.close());

describe('single events sent at once', () => {
  it('answers each as if it were alone, and posts exactly what the answers say', async () => {
    const sent = [
      // Twelve purchases over four accounts, three each.
      ...Array.from({ length: 12 }, (_, i) => purchase(`gp-${i}`, `G-${i % 4}`)),
      // Logins capped at one a day: ten at once pay once.
      ...Array.from({ length: 10 }, (_, i) => login(`gl-${i}`)),
      // The same event twice, and one id with two bodies.
      purchase('twice', 'G-1'),
      purchase('twice', 'G-1'),
      purchase('two-bodies', 'G-2'),
      { ...purchase('two-bodies', 'G-2'), lines: [{ sku: 'PAINT', quantity: 1, amount: 100 }] },
      // Refused: an unknown account, and no lines' shape.
      purchase('nobody', 'G-404'),
      { id: 'no-type', occurredAt: '2026-11-20T10:00:00+01:00', account: 'G-0' },
    ];
    const answers = await Promise.all(sent.map((body) => t.call('POST', '/v1/events', body)));
    const byId = (id: string) => answers.filter((_, i) => (sent[i] as { id: string }).id === id);

    for (let i = 0; i < 12; i++) {
      const [a] = byId(`gp-${i}`);
      expect(a!.statusCode).toBe(201);
      expect(a!.json()).toMatchObject({ status: 'processed', externalId: `gp-${i}`, accountId: accounts[i % 4] });
      expect(a!.json().trace.length).toBeGreaterThan(0);
    }
    const logins = Array.from({ length: 10 }, (_, i) => byId(`gl-${i}`)[0]!);
    expect(logins.map((a) => a.statusCode)).toEqual(Array(10).fill(201));
    expect(logins.reduce((s, a) => s + a.json().totalPoints, 0)).toBe(10);

    const twice = byId('twice');
    expect(twice.map((a) => a.statusCode).sort()).toEqual([200, 201]);
    expect(twice.map((a) => a.json().status).sort()).toEqual(['processed', 'replayed']);
    expect(twice[0]!.json().postings).toEqual(twice[1]!.json().postings);
    expect(twice.find((a) => a.statusCode === 200)!.json().trace).toEqual([]);

    const bodies = byId('two-bodies');
    expect(bodies.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    expect(bodies.find((a) => a.statusCode === 409)!.json().code).toBe('event_conflict');

    expect(byId('nobody')[0]!.statusCode).toBe(422);
    expect(byId('nobody')[0]!.json().code).toBe('unknown_account');
    expect(byId('no-type')[0]!.statusCode).toBe(400);
    expect(byId('no-type')[0]!.json().code).toBe('validation_failed');

    // What the answers posted is what the wallets hold: nothing twice, nothing lost.
    const posted = new Map<string, number>();
    for (const a of answers) {
      if (a.statusCode !== 201) continue;
      for (const p of a.json().postings as Array<{ walletId: string; points: number }>) {
        posted.set(p.walletId, (posted.get(p.walletId) ?? 0) + p.points);
      }
    }
    for (const id of accounts) expect((await balance('accounts', id)).lifetimeEarned).toBe(posted.get(id) ?? 0);
    expect((await balance('members', member)).lifetimeEarned).toBe(posted.get(member) ?? 0);
    for (const id of accounts) expect(posted.get(id)).toBeGreaterThan(0);

    // Every single event went through a transaction, alone or gathered (a transaction that met a settings change, as
    // the rules just created may be when it starts, is tried again and counted again).
    const metrics = (await t.call('GET', '/metrics', undefined, null)).body;
    expect(Number(/^lojal_events_per_transaction_sum (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(sent.length);
  });
});
