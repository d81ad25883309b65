import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * Parent links must form a forest: an account may not become its own ancestor.
 * `changes` are the parent links about to be written (account id → new parent id or null); the
 * answer is the accounts among them whose new ancestry would loop back to themselves.
 */
export async function accountsInCycles(
  db: Db,
  programId: string,
  changes: ReadonlyMap<string, string | null>,
): Promise<Set<string>> {
  const starts = [...new Set([...changes.values()].filter((p): p is string => p !== null))];
  const stored = new Map<string, string | null>();
  if (starts.length) {
    // Everything above the new parents as stored; UNION (not ALL) also ends on a loop already stored.
    const rows = await sql<{ id: string; parent_id: string | null }>`
      WITH RECURSIVE up (id, parent_id) AS (
        SELECT id, parent_id FROM accounts WHERE program_id = ${programId} AND id = ANY(${starts}::uuid[])
        UNION
        SELECT a.id, a.parent_id FROM accounts a JOIN up ON a.program_id = ${programId} AND a.id = up.parent_id
      )
      SELECT id, parent_id FROM up`.execute(db);
    for (const r of rows.rows) stored.set(r.id, r.parent_id);
  }
  const parentOf = (id: string) => (changes.has(id) ? changes.get(id)! : (stored.get(id) ?? null));
  const looping = new Set<string>();
  for (const id of changes.keys()) {
    const seen = new Set<string>();
    for (let at = parentOf(id); at !== null && !seen.has(at); at = parentOf(at)) {
      if (at === id) {
        looping.add(id);
        break;
      }
      seen.add(at);
    }
  }
  return looping;
}

/** Hierarchies are shallow in practice; the limit only stops a corrupt loop from running forever. */
const MAX_DEPTH = 50;

/** The account itself and every account below it (branches of branches too). */
export async function accountAndBelow(db: Db, programId: string, accountId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    WITH RECURSIVE down (id, depth) AS (
      SELECT id, 0 FROM accounts WHERE program_id = ${programId} AND id = ${accountId}
      UNION
      SELECT a.id, down.depth + 1 FROM accounts a JOIN down ON a.program_id = ${programId} AND a.parent_id = down.id
      WHERE down.depth < ${MAX_DEPTH}
    )
    SELECT DISTINCT id FROM down`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Each given account's top parent (itself when it has none): the chain it counts in when rollup is on. */
export async function chainRoots(db: Db, programId: string, accountIds: string[]): Promise<Map<string, string>> {
  if (accountIds.length === 0) return new Map();
  const rows = await sql<{ start: string; id: string }>`
    WITH RECURSIVE up (start, id, parent_id, depth) AS (
      SELECT id, id, parent_id, 0 FROM accounts WHERE program_id = ${programId} AND id = ANY(${accountIds}::uuid[])
      UNION ALL
      SELECT up.start, a.id, a.parent_id, up.depth + 1 FROM accounts a
      JOIN up ON a.program_id = ${programId} AND a.id = up.parent_id
      WHERE up.depth < ${MAX_DEPTH}
    )
    SELECT start, id FROM up WHERE parent_id IS NULL OR depth = ${MAX_DEPTH}`.execute(db);
  return new Map(rows.rows.map((r) => [r.start, r.id]));
}

/** For the tiers module when chains roll up: the chain's level on every account below its top parent. */
export async function setTierBelow(db: Db, programId: string, rootId: string, tier: string | null, now: Date): Promise<void> {
  const ids = (await accountAndBelow(db, programId, rootId)).filter((id) => id !== rootId);
  if (ids.length === 0) return;
  await sql`UPDATE accounts SET tier = ${tier}, updated_at = ${now}
    WHERE program_id = ${programId} AND id = ANY(${ids}::uuid[]) AND tier IS DISTINCT FROM ${tier}`.execute(db);
}
