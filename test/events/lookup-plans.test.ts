import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { accountsStatement, membersStatement } from '../../src/accounts/references.js';
import { lookupStatement } from '../../src/events/lookup.js';
import { lockStatement } from '../../src/events/process.js';
import { balanceQuery } from '../../src/ledger/queries.js';
import { systemWalletId } from '../../src/programs/programs.js';
import { statusesAndTotalsStatement } from '../../src/tiers/store.js';
import { createProgram } from '../../src/programs/programs.js';
import { freshDatabase, onPostgres } from '../support/db.js';

/**
 * The earn path's look-ups stay index look-ups however many accounts the program has: with 100,000 accounts
 * no plan reads the accounts table sequentially (the old `external_id = ANY(..) OR id = ANY(..)` form did,
 * and so grew with the program). PostgreSQL only: the plans of the embedded database are not the server's.
 */
let database: Database;
let programId = '';
let someId = '';

function scans(plan: unknown, out: Array<{ node: string; relation?: string }> = []) {
  const p = plan as { 'Node Type': string; 'Relation Name'?: string; Plans?: unknown[] };
  out.push({ node: p['Node Type'], ...(p['Relation Name'] && { relation: p['Relation Name'] }) });
  for (const child of p.Plans ?? []) scans(child, out);
  return out;
}

async function explain(query: ReturnType<typeof sql>) {
  const { rows } = await sql<{ 'QUERY PLAN': Array<{ Plan: unknown }> }>`EXPLAIN (FORMAT JSON) ${query}`.execute(database.db);
  return scans(rows[0]!['QUERY PLAN'][0]!.Plan);
}

/** A parameter as an SQL literal, for EXECUTE (strings, numbers, dates and arrays of them: what the statements take). */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return literal(v.toISOString());
  if (Array.isArray(v)) return literal(`{${v.map((x) => (x === null ? 'NULL' : `"${String(x).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`);
  return `'${String(v).replace(/'/g, "''")}'`;
}

/**
 * The plan PostgreSQL keeps for the statement once it is a named prepared statement run more than five times (the
 * server's driver prepares repeated statements, src/db/database.ts), if it prefers the generic plan then: forced here.
 */
async function explainGeneric(query: { compile(db: Database['db']): { sql: string; parameters: readonly unknown[] } }) {
  const compiled = query.compile(database.db);
  return database.db.connection().execute(async (conn) => {
    await sql`SET plan_cache_mode = force_generic_plan`.execute(conn);
    try {
      await sql.raw(`PREPARE generic_probe AS ${compiled.sql}`).execute(conn);
      const { rows } = await sql.raw<{ 'QUERY PLAN': Array<{ Plan: unknown }> }>(
        `EXPLAIN (FORMAT JSON) EXECUTE generic_probe(${compiled.parameters.map(literal).join(', ')})`,
      ).execute(conn);
      return scans(rows[0]!['QUERY PLAN'][0]!.Plan);
    } finally {
      await sql`DEALLOCATE ALL`.execute(conn);
      await sql`RESET plan_cache_mode`.execute(conn);
    }
  });
}

describe.skipIf(!onPostgres)('earn path look-ups with 100,000 accounts (PostgreSQL)', () => {
  beforeAll(async () => {
    database = await freshDatabase();
    programId = (await createProgram(database.db, { name: 'Big', currency: 'SEK' })).id;
    await sql`INSERT INTO accounts (program_id, id, external_id, name)
      SELECT ${programId}, gen_random_uuid(), 'A-' || n, 'Account ' || n FROM generate_series(1, 100000) n`.execute(database.db);
    await sql`ANALYZE accounts`.execute(database.db);
    someId = (await sql<{ id: string }>`SELECT id FROM accounts WHERE program_id = ${programId} AND external_id = 'A-500'`.execute(database.db)).rows[0]!.id;
  });
  afterAll(() => database?.close());

  it('finds an account by external id and by id, and locks one, without reading the table', async () => {
    const q = { eventIds: ['e-1'], memberExt: [], memberIds: [], skus: ['SKU-1'] };
    for (const refs of [{ accountExt: ['A-77'], accountIds: [] }, { accountExt: [], accountIds: [someId] }]) {
      const plan = await explain(lookupStatement(programId, { ...q, ...refs }) as never);
      expect(plan.filter((n) => n.relation === 'accounts' && n.node === 'Seq Scan'), JSON.stringify(plan)).toEqual([]);
      expect(plan.some((n) => n.relation === 'accounts' && /Index/.test(n.node))).toBe(true);
    }
    const lock = await explain(lockStatement(programId, [someId], [someId]) as never);
    expect(lock.filter((n) => n.node === 'Seq Scan'), JSON.stringify(lock)).toEqual([]);
    expect(lock.some((n) => n.relation === 'accounts' && /Index/.test(n.node))).toBe(true);
  });

  it('their generic plans (what a prepared statement may keep after five runs) are index look-ups too', async () => {
    const q = { eventIds: ['e-1'], memberExt: [], memberIds: [], skus: ['SKU-1'] };
    for (const refs of [{ accountExt: ['A-77'], accountIds: [] }, { accountExt: [], accountIds: [someId] }]) {
      const plan = await explainGeneric(lookupStatement(programId, { ...q, ...refs }));
      expect(plan.filter((n) => n.node === 'Seq Scan'), JSON.stringify(plan)).toEqual([]);
      expect(plan.some((n) => n.relation === 'accounts' && /Index/.test(n.node))).toBe(true);
    }
    const lock = await explainGeneric(lockStatement(programId, [someId], [someId]));
    expect(lock.filter((n) => n.node === 'Seq Scan'), JSON.stringify(lock)).toEqual([]);
    expect(lock.some((n) => n.relation === 'accounts' && /Index/.test(n.node))).toBe(true);
  });

  it("the balance read's generic plan (it is marked to run with it) reads the wallet and its lots by index", async () => {
    const plan = await explainGeneric(balanceQuery(programId, someId, { now: new Date(0), timeZone: 'Europe/Stockholm' }));
    expect(plan.filter((n) => n.node === 'Seq Scan'), JSON.stringify(plan)).toEqual([]);
    // The expiring lots may come from the index alone (it carries `remaining`, migration 0056).
    expect(plan.filter((n) => n.relation).map((n) => `${n.relation}: ${n.node.replace('Index Only Scan', 'Index Scan')}`)).toEqual([
      'wallets: Index Scan',
      'lots: Index Scan',
      'lots: Index Scan',
    ]);
  });

  it("an earn's tier check on points (marked for its generic plan) reads the owners' statuses, wallets, entries and journals by key", async () => {
    // A history for the statistics to describe: 2,000 account wallets with a status and 20 earnings each over a year.
    const pid = programId;
    const issuance = systemWalletId(pid, 'issuance');
    await database.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO wallets (program_id, id, kind)
        SELECT program_id, id, 'account' FROM accounts WHERE program_id = ${pid} ORDER BY id LIMIT 2000
        ON CONFLICT DO NOTHING`.execute(trx);
      await sql`CREATE TEMP TABLE history ON COMMIT DROP AS
        SELECT w.id AS wallet_id, gen_random_uuid() AS journal_id, n
        FROM (SELECT id FROM wallets WHERE program_id = ${pid} AND kind = 'account') w, generate_series(1, 20) n`.execute(trx);
      await sql`INSERT INTO journals (program_id, id, idempotency_key, kind, explanation, occurred_at)
        SELECT ${pid}, journal_id, 'plan:' || journal_id, 'earn', '{"key":"ledger:explain.adjust","params":{}}'::jsonb,
               now() - n * interval '17 days' FROM history`.execute(trx);
      await sql`INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount)
        SELECT ${pid}, journal_id, s, CASE WHEN s = 0 THEN ${issuance}::uuid ELSE wallet_id END, 'available',
               CASE WHEN s = 0 THEN -100 ELSE 100 END
        FROM history, generate_series(0, 1) s`.execute(trx);
      await sql`INSERT INTO tier_status (program_id, owner_kind, owner_id, level_code, since, period_end)
        SELECT ${pid}, 'account', id, NULL, now(), now() + interval '1 year' FROM wallets WHERE program_id = ${pid} AND kind = 'account'`.execute(trx);
    });
    await sql`ANALYZE wallets, journals, entries, tier_status`.execute(database.db);
    const owner = (await sql<{ id: string }>`SELECT id FROM wallets WHERE program_id = ${pid} AND kind = 'account' LIMIT 1`.execute(database.db)).rows[0]!.id;
    const window = { start: new Date(Date.UTC(2025, 0, 1)), end: new Date(Date.UTC(2026, 0, 1)) };
    const plan = await explainGeneric(statusesAndTotalsStatement(pid, 'points', window, { account: [owner], member: [owner] }));
    expect(plan.filter((n) => n.node === 'Seq Scan'), JSON.stringify(plan)).toEqual([]);
    // The owners first: the wallets, then their entries, then each entry's journal; never the program's journals.
    const order = plan.filter((n) => n.relation && n.relation !== 'tier_status').map((n) => n.relation);
    expect(order.indexOf('journals'), JSON.stringify(plan)).toBeGreaterThan(order.indexOf('entries'));
  });

  it('the bulk account and member look-ups (claims, surveys, allocations) are index look-ups too', async () => {
    for (const [ext, ids] of [[['A-77'], []], [[], [someId]], [['A-77'], [someId]]] as Array<[string[], string[]]>) {
      const accounts = await explain(accountsStatement(programId, ext, ids) as never);
      expect(accounts.filter((n) => n.node === 'Seq Scan'), JSON.stringify(accounts)).toEqual([]);
      const members = await explain(membersStatement(programId, ext, ids) as never);
      expect(members.filter((n) => n.node === 'Seq Scan'), JSON.stringify(members)).toEqual([]);
    }
  });
});
