import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { accountsStatement, membersStatement } from '../../src/accounts/references.js';
import { lookupStatement } from '../../src/events/lookup.js';
import { lockStatement } from '../../src/events/process.js';
import { balanceQuery } from '../../src/ledger/queries.js';
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
    expect(plan.filter((n) => n.relation).map((n) => `${n.relation}: ${n.node}`)).toEqual([
      'wallets: Index Scan',
      'lots: Index Scan',
      'lots: Index Scan',
    ]);
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
