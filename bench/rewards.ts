/**
 * Reward orders per second through the whole order path (eligibility, limits, company lock, points taken
 * lot by lot, stock, order and history rows), next to a plain spend of the same points from the same
 * wallets (the ledger alone) measured in the same run: the ratio is what the shop adds to a debit.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../src/db/database.js';
import { spend } from '../src/ledger/operations.js';
import { writeCredits } from '../src/ledger/writer.js';
import { systemWalletId, type Program } from '../src/programs/programs.js';
import { createReward, placeOrder, rewardCreateSchema } from '../src/rewards/index.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2_000);
/**
 * Calls of each path made before it is measured: a server runs its code compiled and optimised, and the first
 * thousand calls of a path run it still being compiled (measured: spends at 945/s cold, 2,033/s from the third
 * thousand on, with a third of the CPU per call).
 */
const WARM_UP = Number(process.env.BENCH_ORDERS_WARM_UP ?? 1_000);
const MEMBERS = 200;
/**
 * A shop's catalogue: orders spread over twenty rewards. Orders of one reward wait for each other (each takes the
 * reward's stock under its row lock until it commits, so that stock never goes below zero), so one reward
 * ordered by every client at once is its own, harder, row.
 */
const CATALOGUE = Array.from({ length: 20 }, (_, i) => `bench-tool-${i}`);

export interface OrderRow {
  db: string;
  clients: number;
  what: string;
  orders: number;
  seconds: number;
  /** Each call's time, ms, in the order they finished (for p50 and p99). */
  latencies: number[];
  /** CPU time of this process over the run, ms. */
  clientCpuMs: number;
  /** CPU time of the database's processes over the run, ms, when the caller can read it (`databaseCpu`). */
  databaseCpuMs?: number;
}

async function members(database: Database, program: Program): Promise<string[]> {
  const db = database.db;
  const accounts = Array.from({ length: MEMBERS / 4 }, () => uuidv7());
  const people = Array.from({ length: MEMBERS }, (_, i) => ({ id: uuidv7(), account: accounts[i % accounts.length]! }));
  await db.insertInto('accounts').values(accounts.map((id, i) => ({ program_id: program.id, id, external_id: `SHOP-A-${i}`, name: `Shop company ${i}` })) as never).execute();
  await db.insertInto('members').values(people.map((m, i) => ({ program_id: program.id, id: m.id, account_id: m.account, external_id: `SHOP-M-${i}`, name: `Buyer ${i}` })) as never).execute();
  await db.insertInto('wallets').values([...accounts.map((id) => ({ program_id: program.id, id, kind: 'account' as const })), ...people.map((m) => ({ program_id: program.id, id: m.id, kind: 'member' as const }))]).execute();
  // Ten lots each, so that orders take from several lots as real wallets do.
  const now = new Date();
  await db.transaction().execute((trx) =>
    writeCredits(
      trx,
      program.id,
      people.map((m) => ({
        id: uuidv7(),
        idempotencyKey: `bench-open-${m.id}`,
        kind: 'adjust' as const,
        occurredAt: now,
        explanation: { key: 'ledger:explain.adjust', params: { reason: 'bench' } },
        fromWalletId: systemWalletId(program.id, 'adjustment'),
        earned: true,
        credits: Array.from({ length: 10 }, (_, k) => ({ walletId: m.id, points: 100_000, earnedAt: now, availableAt: now, expiresAt: new Date(now.getTime() + (k + 1) * 86_400_000) })),
      })),
      now,
    ),
  );
  return people.map((m) => m.id);
}

/** Runs `n` jobs with at most `clients` at a time; answers each job's time in ms. */
async function pool(n: number, clients: number, job: (i: number) => Promise<void>): Promise<number[]> {
  let next = 0;
  const times: number[] = [];
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < n) {
      const t0 = performance.now();
      await job(next++);
      times.push(performance.now() - t0);
    }
  }));
  return times;
}

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/** The bench's buyers (ten lots each) and the reward they order. */
export async function prepareShop(database: Database, program: Program): Promise<{ buyers: string[]; reward: string }> {
  const buyers = await members(database, program);
  await createReward(database.db, program.id, rewardCreateSchema.parse({ code: 'bench-jacket', type: 'physical', pricePoints: 1_500, stock: (ORDERS + WARM_UP) * 2, texts: { en: { name: 'Work jacket' } } }), new Date());
  for (const code of CATALOGUE) {
    await createReward(database.db, program.id, rewardCreateSchema.parse({ code, type: 'physical', pricePoints: 1_500, stock: ORDERS + WARM_UP, texts: { en: { name: `Tool ${code}` } } }), new Date());
  }
  return { buyers, reward: 'bench-jacket' };
}

/**
 * `databaseCpu`, when given, answers the CPU time (ms) the database's processes have used so far: read before and
 * after each path, for its CPU per call.
 */
export async function benchOrders(name: string, database: Database, program: Program, clients: number, databaseCpu?: () => Promise<number>): Promise<OrderRow[]> {
  const { buyers } = await prepareShop(database, program);
  const rows: OrderRow[] = [];
  const time = async (what: string, fn: () => Promise<number[]>) => {
    const db0 = await databaseCpu?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const latencies = await fn();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const db1 = await databaseCpu?.();
    rows.push({
      db: name, clients, what, orders: ORDERS, seconds, latencies, clientCpuMs: (cpu.user + cpu.system) / 1000,
      ...(db0 !== undefined && db1 !== undefined && { databaseCpuMs: db1 - db0 }),
    });
  };
  const spends = (n: number, key: string) =>
    pool(n, clients, (i) =>
      spend(database.db, program, { walletId: buyers[i % MEMBERS]!, points: 1_500, memo: 'bench', idempotencyKey: `${key}-${i}`, actor: 'bench' }, new Date()).then(() => {}),
    );
  const orders = (n: number, key: string, reward: (i: number) => string) =>
    pool(n, clients, (i) =>
      placeOrder(database.db, program, { reward: reward(i), memberId: buyers[i % MEMBERS]!, quantity: 1, payFrom: 'member', idempotencyKey: `${key}-${i}` }, 'bench', { now: new Date() }).then(() => {}),
    );
  const catalogue = (i: number) => CATALOGUE[i % CATALOGUE.length]!;
  // Statistics as autovacuum (or, without it, the server's statistics job) keeps them: fresh tables would
  // otherwise be planned as empty for the whole run (docs/operations.md#planner-statistics).
  const analyze = () => sql`ANALYZE`.execute(database.db);
  await spends(WARM_UP, 'bench-spend-warm-up');
  await analyze();
  await time('plain spend (ledger only)', () => spends(ORDERS, 'bench-spend'));
  await orders(WARM_UP, 'bench-order-warm-up', catalogue);
  await analyze();
  await time('reward order (shop), a catalogue of 20 rewards', () => orders(ORDERS, 'bench-order', catalogue));
  await analyze();
  await time('reward order (shop), one reward for all', () => orders(ORDERS, 'bench-order-one', () => 'bench-jacket'));
  return rows;
}
