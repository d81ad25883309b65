import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { walletTotalsMismatches } from '../../src/ledger/check.js';
import { sumOfEntries } from '../../src/ledger/queries.js';
import type { TestApp } from './app.js';
import { createRules, seedAccount, seedCatalog, seedMember } from './fixtures.js';

/** A program of its own with the fixture catalog, the standard rules, and named accounts and members. */
export interface World {
  programId: string;
  key: string;
  /** Account external id → wallet id. */
  accounts: Array<{ ext: string; id: string }>;
  /** Member external id → wallet id, with the index of its account. */
  members: Array<{ ext: string; id: string; account: number }>;
  call(method: string, url: string, body?: unknown): ReturnType<TestApp['call']>;
}

export async function newWorld(
  t: TestApp,
  settings: Parameters<TestApp['newProgram']>[0] = {},
  shape: { accounts: number; members: number[] } = { accounts: 2, members: [0, 0, 1] },
): Promise<World> {
  const { programId, key } = await t.newProgram(settings);
  await seedCatalog(t, programId);
  await createRules(t, undefined, key);
  const accounts: World['accounts'] = [];
  for (let i = 0; i < shape.accounts; i++) {
    const ext = `C-${i}`;
    accounts.push({ ext, id: await seedAccount(t, ext, { programId }) });
  }
  const members: World['members'] = [];
  for (const [i, account] of shape.members.entries()) {
    const ext = `M-${i}`;
    members.push({ ext, account, id: await seedMember(t, accounts[account]!.id, ext, 'buyer', programId) });
  }
  return { programId, key, accounts, members, call: (m, u, b) => t.call(m, u, b, key) };
}

export interface WalletRow {
  id: string;
  kind: string;
  available: number;
  pending: number;
  lifetimeEarned: number;
  lifetimeSpent: number;
}

export async function ownerWallets(db: Db, programId: string): Promise<WalletRow[]> {
  const rows = await sql<{ id: string; kind: string; available: number; pending: number; lifetime_earned: number; lifetime_spent: number }>`
    SELECT id, kind, available, pending, lifetime_earned, lifetime_spent FROM wallets
    WHERE program_id = ${programId} AND kind IN ('account', 'member') ORDER BY id`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    available: Number(r.available),
    pending: Number(r.pending),
    lifetimeEarned: Number(r.lifetime_earned),
    lifetimeSpent: Number(r.lifetime_spent),
  }));
}

export async function wallet(db: Db, programId: string, id: string): Promise<WalletRow> {
  const w = (await ownerWallets(db, programId)).find((x) => x.id === id);
  if (!w) throw new Error(`no wallet ${id}`);
  return w;
}

/** Everything a refused operation must leave alone: balances, and how many rows the ledger and events hold. */
export async function snapshot(db: Db, programId: string) {
  const counts = await sql<{ journals: number; entries: number; lots: number; remaining: number; events: number; returned: number }>`
    SELECT (SELECT count(*) FROM journals WHERE program_id = ${programId})::bigint AS journals,
           (SELECT count(*) FROM entries WHERE program_id = ${programId})::bigint AS entries,
           (SELECT count(*) FROM lots WHERE program_id = ${programId})::bigint AS lots,
           (SELECT coalesce(sum(remaining), 0) FROM lots WHERE program_id = ${programId})::bigint AS remaining,
           (SELECT count(*) FROM events WHERE program_id = ${programId})::bigint AS events,
           (SELECT coalesce(sum(returned_quantity), 0) FROM event_lines WHERE program_id = ${programId})::bigint AS returned`.execute(db);
  const c = counts.rows[0]!;
  return {
    wallets: await ownerWallets(db, programId),
    journals: Number(c.journals),
    entries: Number(c.entries),
    lots: Number(c.lots),
    remaining: Number(c.remaining),
    events: Number(c.events),
    returned: Number(c.returned),
  };
}

/**
 * The ledger's invariants, exactly:
 * - every owner wallet's cached available/pending equals the sum of its entries per bucket, and neither is negative;
 * - every owner wallet's kept lifetime earned/spent/expired equals what its entries say (src/ledger/check.ts);
 * - every journal's entries sum to zero (so all entries of the program do too);
 * - every lot has 0 ≤ remaining ≤ original, and the remaining of a wallet's available (pending) lots adds up to
 *   its available (pending) balance;
 * - each lot's own entries add up to its remaining, all in the bucket of its status;
 * - every owner-wallet entry names a lot of that same wallet (system-wallet entries name none).
 */
export async function expectLedgerConsistent(db: Db, programId: string): Promise<void> {
  const wallets = await ownerWallets(db, programId);
  const lotSums = await sql<{ wallet_id: string; status: string; remaining: number }>`
    SELECT wallet_id, status, sum(remaining)::bigint AS remaining FROM lots WHERE program_id = ${programId} GROUP BY 1, 2`.execute(db);
  const lotSum = (walletId: string, status: string) =>
    Number(lotSums.rows.find((r) => r.wallet_id === walletId && r.status === status)?.remaining ?? 0);
  for (const w of wallets) {
    const sums = await sumOfEntries(db, programId, w.id);
    expect({ wallet: w.id, available: w.available, pending: w.pending }, 'cached balance = sum of entries').toEqual({ wallet: w.id, ...sums });
    expect(w.available, `available of ${w.id}`).toBeGreaterThanOrEqual(0);
    expect(w.pending, `pending of ${w.id}`).toBeGreaterThanOrEqual(0);
    expect({ wallet: w.id, available: lotSum(w.id, 'available'), pending: lotSum(w.id, 'pending') }, 'lots add up to the balance').toEqual({
      wallet: w.id,
      available: w.available,
      pending: w.pending,
    });
  }

  expect(await walletTotalsMismatches(db, programId), 'kept lifetime figures = sums of the history').toEqual([]);

  const unbalanced = await sql<{ journal_id: string; total: number }>`
    SELECT journal_id, sum(amount)::bigint AS total FROM entries WHERE program_id = ${programId}
    GROUP BY journal_id HAVING sum(amount) <> 0`.execute(db);
  expect(unbalanced.rows, 'journals whose entries do not sum to zero').toEqual([]);

  const badLots = await sql<{ id: string; status: string; original: number; remaining: number; available: number; pending: number }>`
    SELECT l.id, l.status, l.original, l.remaining,
           coalesce(sum(e.amount) FILTER (WHERE e.bucket = 'available'), 0)::bigint AS available,
           coalesce(sum(e.amount) FILTER (WHERE e.bucket = 'pending'), 0)::bigint AS pending
    FROM lots l LEFT JOIN entries e ON e.program_id = l.program_id AND e.lot_id = l.id
    WHERE l.program_id = ${programId}
    GROUP BY l.id, l.status, l.original, l.remaining
    HAVING l.remaining < 0 OR l.remaining > l.original
        OR coalesce(sum(e.amount) FILTER (WHERE e.bucket = 'available'), 0) <> CASE WHEN l.status = 'available' THEN l.remaining ELSE 0 END
        OR coalesce(sum(e.amount) FILTER (WHERE e.bucket = 'pending'), 0) <> CASE WHEN l.status = 'pending' THEN l.remaining ELSE 0 END`.execute(db);
  expect(badLots.rows.map((r) => ({ ...r, original: Number(r.original), remaining: Number(r.remaining), available: Number(r.available), pending: Number(r.pending) })), 'lots whose entries do not match them').toEqual([]);

  const strayEntries = await sql<{ journal_id: string; seq: number }>`
    SELECT e.journal_id, e.seq FROM entries e
    JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
    LEFT JOIN lots l ON l.program_id = e.program_id AND l.id = e.lot_id
    WHERE e.program_id = ${programId}
      AND CASE WHEN w.kind IN ('account', 'member') THEN l.id IS NULL OR l.wallet_id <> e.wallet_id ELSE e.lot_id IS NOT NULL END`.execute(db);
  expect(strayEntries.rows, 'entries on the wrong lot or without one').toEqual([]);
}
