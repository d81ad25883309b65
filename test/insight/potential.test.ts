/**
 * Clusters and potential: the pure rule on hand-made peers, then the API on a small program where the answer is
 * worked out by hand: eight companies of one segment, the two biggest share the top size band, the busier of them
 * is loyal, and the other is shown what it buys less of (paint) and not at all (timber).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median, potentialLines } from '../../src/insight/potential.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { chooseSessionMember, createSession } from '../../src/sessions/store.js';
import { seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';

describe('potential (pure)', () => {
  const g = (categoryCode: string, buyers: number, medianSpend: number, own: number) => ({ categoryCode, marginClass: 'A', buyers, medianSpend, own });
  it.each([
    {
      name: 'cross-sell where half the peers buy and the account does not',
      groups: [g('paint', 2, 1000, 0), g('tools', 1, 9000, 0)],
      peers: 4,
      ratio: 1.5,
      want: [{ categoryCode: 'paint', kind: 'cross-sell', expected: 1500, potential: 1500 }],
    },
    {
      name: 'up-sell where it buys less than the scaled median, nothing where it buys more',
      groups: [g('paint', 3, 1000, 400), g('tools', 3, 2000, 5000)],
      peers: 3,
      ratio: 1,
      want: [{ categoryCode: 'paint', kind: 'up-sell', expected: 1000, potential: 600 }],
    },
    {
      name: 'ranked by money, then by category',
      groups: [g('b', 2, 100, 0), g('a', 2, 100, 0), g('c', 2, 300, 0)],
      peers: 2,
      ratio: 0.5,
      want: [
        { categoryCode: 'c', kind: 'cross-sell', expected: 150, potential: 150 },
        { categoryCode: 'a', kind: 'cross-sell', expected: 50, potential: 50 },
        { categoryCode: 'b', kind: 'cross-sell', expected: 50, potential: 50 },
      ],
    },
    { name: 'no peers, no potential', groups: [g('a', 0, 100, 0)], peers: 0, ratio: 1, want: [] },
  ])('$name', ({ groups, peers, ratio, want }) => {
    expect(potentialLines(groups, peers, ratio).map(({ categoryCode, kind, expected, potential }) => ({ categoryCode, kind, expected, potential }))).toEqual(want);
  });

  it.each([
    [[], null],
    [[5], 5],
    [[1, 3], 2],
    [[1, 2, 10], 2],
  ])('median of %j is %j', (xs, m) => {
    expect(median(xs)).toBe(m);
  });
});

describe('potential API', () => {
  let t: TestApp;
  let programId: string;
  let key: string;
  const ids: Record<string, string> = {};
  const line = (sku: string, amount: number) => ({ sku, quantity: 1, amount });

  beforeAll(async () => {
    t = await startTestApp();
    ({ programId, key } = await t.newProgram({ timeZone: 'Europe/Stockholm', currency: 'SEK' }));
    await seedCatalog(t, programId);
    const events = [];
    for (let i = 1; i <= 6; i++) {
      ids[`F${i}`] = await seedAccount(t, `POT-F${i}`, { programId, segment: 'installer' });
      // F6 also buys a little paint with its planks: with A's second invoice, paint and planks are bought together twice.
      const lines = i === 6 ? [line('PLANK', 550), line('PAINT', 50)] : [line('PLANK', i * 100)];
      events.push({ id: `POT-F${i}`, type: 'purchase', occurredAt: '2026-06-10T10:00:00+02:00', account: `POT-F${i}`, lines });
    }
    ids.A = await seedAccount(t, 'POT-A', { programId, segment: 'installer' });
    ids.B = await seedAccount(t, 'POT-B', { programId, segment: 'installer' });
    // A: 10 000 over two invoices, the latest in October; B: 6 000 in one invoice in June.
    events.push({ id: 'POT-A1', type: 'purchase', occurredAt: '2026-09-10T10:00:00+02:00', account: 'POT-A', lines: [line('DRILL', 6000), line('PAINT', 1000)] });
    events.push({ id: 'POT-A2', type: 'purchase', occurredAt: '2026-10-10T10:00:00+02:00', account: 'POT-A', lines: [line('PAINT', 2000), line('PLANK', 1000)] });
    events.push({ id: 'POT-B1', type: 'purchase', occurredAt: '2026-06-11T10:00:00+02:00', account: 'POT-B', lines: [line('DRILL', 5000), line('PAINT', 1000)] });
    const res = await t.call('POST', '/v1/events', { events }, key);
    expect(res.statusCode, res.body).toBe(200);
    expect((await t.call('POST', '/v1/insight/refresh', {}, key)).statusCode).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('ranks what the loyal peer buys, scaled to the account’s size', async () => {
    const res = await t.call('GET', `/v1/accounts/${ids.B}/potential`, undefined, key);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p.window).toEqual({ from: '2025-11', to: '2026-10' });
    expect(p.cluster).toMatchObject({ segment: 'installer', sizeBand: 4, accounts: 2, loyalPeers: 1, loyal: false, volume: 6000, peerMedianVolume: 10000, sizeRatio: 0.6 });
    // Paint: 3 000 × 0.6 = 1 800 expected, 1 000 bought. Timber: 1 000 × 0.6 = 600, none bought. Tools: 3 600 < 5 000.
    expect(p.lines).toEqual([
      { categoryCode: 'paint', categoryName: 'paint', marginClass: 'standard', kind: 'up-sell', peersBuying: 1, peerMedianSpend: 3000, expected: 1800, own: 1000, potential: 800 },
      { categoryCode: 'timber', categoryName: 'timber', marginClass: 'low', kind: 'cross-sell', peersBuying: 1, peerMedianSpend: 1000, expected: 600, own: 0, potential: 600 },
    ]);
    expect(p.totalPotential).toBe(1400);
  });

  it('gives the loyal account itself no peers to chase, and an account without purchases no cluster', async () => {
    const a = (await t.call('GET', `/v1/accounts/${ids.A}/potential`, undefined, key)).json();
    expect(a.cluster).toMatchObject({ loyal: true, loyalPeers: 0, sizeRatio: null });
    expect(a.lines).toEqual([]);
    const idle = await seedAccount(t, 'POT-IDLE', { programId });
    const none = (await t.call('GET', `/v1/accounts/${idle}/potential`, undefined, key)).json();
    expect(none).toMatchObject({ cluster: null, lines: [], totalPotential: 0 });
  });

  it('downloads the list as CSV in the reader’s locale', async () => {
    const res = await t.call('GET', `/v1/accounts/${ids.B}/potential/csv?language=sv`, undefined, key);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const rows = res.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(rows[0]).toBe('rank;account_external_id;account_name;kind;category_code;category_name;margin_class;peers_buying;peer_median_spend;expected;own;potential');
    expect(rows[1]).toBe('1;POT-B;Company POT-B;up-sell;paint;paint;standard;1;30,00;18,00;10,00;8,00');
    expect(rows).toHaveLength(3);
  });

  it('shows the member, in the portal, the products bought with what the company buys (not what it has)', async () => {
    const member = await seedMember(t, ids.B!, 'POT-MB', 'buyer', programId);
    await t.database.db.updateTable('members').set({ email: 'pot-mb@example.com' }).where('program_id', '=', programId).where('id', '=', member).execute();
    const { token, session } = await createSession(t.database.db, { kind: 'member', email: 'pot-mb@example.com' }, t.clock());
    await chooseSessionMember(t.database.db, session.id, programId, member);
    const res = await t.app.inject({ method: 'GET', url: '/portal/v1/recommendations', headers: { cookie: `lojal_member=${token}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ items: [{ sku: 'PLANK', name: 'Plank', category: 'timber', because: { sku: 'PAINT', name: 'Paint 10 l' } }] });
    const anonymous = await t.app.inject({ method: 'GET', url: '/portal/v1/recommendations' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers 404 for another program’s account', async () => {
    const other = await t.newProgram();
    const res = await t.call('GET', `/v1/accounts/${ids.B}/potential`, undefined, other.key);
    expect(res.statusCode).toBe(404);
  });
});
