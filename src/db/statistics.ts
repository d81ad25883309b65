import { sql } from 'kysely';
import type { Database, Db } from './database.js';

/** A table is analyzed again once it has grown by this share of its size at its last analyze. */
const GROWTH = 1.2;
/** ...and by at least this many 8 kB pages, so small tables are not analyzed on every few rows. */
const MIN_PAGES = 16;

/**
 * Whether Lojal must keep the planner's statistics itself: PGlite has no autovacuum, and a server may run with it
 * off. Without fresh statistics a growing table keeps the plans made when it was empty, worst of all those a
 * connection keeps for its foreign-key checks (a sequential scan per inserted row), so every write grows slower with
 * the history. With autovacuum on, its analyze does this job.
 */
export async function keepsOwnStatistics(database: Database): Promise<boolean> {
  if (database.kind === 'pglite') return true;
  const row = await sql<{ autovacuum: string }>`SELECT current_setting('autovacuum') AS autovacuum`.execute(database.db);
  return row.rows[0]?.autovacuum !== 'on';
}

/**
 * Analyzes this schema's tables that have grown by a fifth since their last analyze (or were never analyzed and
 * hold a few pages), as autovacuum's analyze would: it reads each table's size against the page count the last
 * ANALYZE recorded, which needs no statistics collector (PGlite's counters are not kept up to date). ANALYZE also
 * makes every connection plan its statements on that table afresh. Returns the tables analyzed.
 */
export async function analyzeGrownTables(db: Db): Promise<string[]> {
  const grown = await sql<{ name: string }>`
    SELECT c.relname AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
      AND pg_relation_size(c.oid) / current_setting('block_size')::int >= greatest(${MIN_PAGES}::int, ceil(c.relpages * ${GROWTH}::float8))
    ORDER BY c.relname`.execute(db);
  const names = grown.rows.map((r) => r.name);
  // One table per statement, each its own transaction: a long analyze holds no other table's lock meanwhile.
  for (const name of names) await sql`ANALYZE ${sql.table(name)}`.execute(db);
  return names;
}
