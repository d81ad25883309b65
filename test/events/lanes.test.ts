/**
 * A large batch is written in lanes, each a transaction for a share of its accounts (src/events/ingest.ts). The
 * split itself, and the cases that keep a batch in one transaction. That lanes book what one transaction books is
 * test/events/batch-equivalence.test.ts (its three-company case runs in two lanes on PostgreSQL).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANE_MIN_EVENTS, splitIntoLanes } from '../../src/events/ingest.js';
import type { ReadyEvent } from '../../src/events/items.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newWorld } from '../support/ledger.js';

/** Events in this order, each of `accounts[i]` and, where given, `members[i]`. */
function ready(accounts: string[], members: Array<string | null> = []): ReadyEvent[] {
  return accounts.map((account, index) => {
    const member = members[index] ?? null;
    return { index, id: `e${index}`, account: { id: account }, member: member && { id: member } } as unknown as ReadyEvent;
  });
}

const cycle = (n: number, names: string[]) => Array.from({ length: n }, (_, i) => names[i % names.length]!);

describe('splitting a batch into lanes', () => {
  it('gives each lane whole accounts, in the batch order, about the same number of accounts each', () => {
    const batch = ready(cycle(250, ['A', 'B', 'C', 'D', 'E']));
    const lanes = splitIntoLanes(batch, 2, 'branch');
    expect(lanes).toHaveLength(2);
    const accountsOf = lanes.map((lane) => new Set(lane.map((ev) => ev.account.id)));
    expect([...accountsOf[0]!].sort()).toEqual(['A', 'C', 'E']);
    expect([...accountsOf[1]!].sort()).toEqual(['B', 'D']);
    for (const lane of lanes) expect(lane.map((ev) => ev.index)).toEqual([...lane.map((ev) => ev.index)].sort((a, b) => a - b));
    expect(lanes.flat().map((ev) => ev.index).sort((a, b) => a - b)).toEqual(batch.map((ev) => ev.index));
  });

  it('opens no more lanes than the batch has hundreds of events, nor than asked', () => {
    const names = Array.from({ length: 40 }, (_, i) => `A${i}`);
    expect(splitIntoLanes(ready(cycle(2 * LANE_MIN_EVENTS - 1, names)), 4, 'branch')).toHaveLength(1);
    expect(splitIntoLanes(ready(cycle(2 * LANE_MIN_EVENTS, names)), 4, 'branch')).toHaveLength(2);
    expect(splitIntoLanes(ready(cycle(4 * LANE_MIN_EVENTS + 50, names)), 4, 'branch')).toHaveLength(4);
    expect(splitIntoLanes(ready(cycle(1000, names)), 1, 'branch')).toHaveLength(1);
  });

  it('keeps one lane for a single account, for chains rolled up, and when a member earns with two accounts', () => {
    expect(splitIntoLanes(ready(cycle(300, ['A'])), 2, 'branch')).toHaveLength(1);
    expect(splitIntoLanes(ready(cycle(300, ['A', 'B', 'C'])), 2, 'chain')).toHaveLength(1);
    const accounts = cycle(300, ['A', 'B', 'C']);
    const ownMembers = accounts.map((a) => `M-${a}`);
    expect(splitIntoLanes(ready(accounts, ownMembers), 2, 'branch')).toHaveLength(2);
    // The last event (C's, in A's lane) names B's member: its caps would be counted in two transactions at once.
    expect(splitIntoLanes(ready(accounts, [...ownMembers.slice(0, -1), 'M-B']), 2, 'branch')).toHaveLength(1);
  });
});

describe('a batch with a campaign running', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const purchases = (prefix: string) =>
    Array.from({ length: 2 * LANE_MIN_EVENTS + 20 }, (_, i) => ({
      id: `${prefix}-${i}`,
      type: 'purchase',
      occurredAt: new Date(Date.parse('2026-11-02T08:00:00Z') + i * 60_000).toISOString(),
      account: `C-${i % 4}`,
      lines: [{ sku: 'DRILL', quantity: 1, amount: 10_000 }],
    }));
  const transactionsOf = async (programId: string) =>
    (await sql<{ n: number }>`SELECT count(DISTINCT xmin::text)::int AS n FROM events WHERE program_id = ${programId}`.execute(t.database.db)).rows[0]!.n;

  it('is written in one transaction, so the budget goes to its purchases in their order', async () => {
    const w = await newWorld(t, {}, { accounts: 4, members: [] });
    const campaign = await w.call('POST', '/v1/campaigns', {
      name: 'November double points',
      startsAt: '2026-11-01T00:00:00+01:00',
      endsAt: '2026-12-01T00:00:00+01:00',
      effects: [{ type: 'multiplier', factor: 2 }],
      budgetPoints: 1_000,
    });
    expect(campaign.statusCode, campaign.body).toBe(201);
    const res = await w.call('POST', '/v1/events', { events: purchases('CMP') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().summary).toEqual({ processed: 2 * LANE_MIN_EVENTS + 20, replayed: 0, rejected: 0 });
    expect(await transactionsOf(w.programId)).toBe(1);
  });

  it('without one, a server writes the same batch in two lanes', async () => {
    const w = await newWorld(t, {}, { accounts: 4, members: [] });
    const res = await w.call('POST', '/v1/events', { events: purchases('PLAIN') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().summary).toEqual({ processed: 2 * LANE_MIN_EVENTS + 20, replayed: 0, rejected: 0 });
    expect(await transactionsOf(w.programId)).toBe(t.database.kind === 'postgres' ? 2 : 1);
  });
});
