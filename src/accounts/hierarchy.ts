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
