import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { EvidenceStore } from '../evidence/store.js';
import { createApiKey } from '../programs/api-keys.js';
import { createProgram } from '../programs/programs.js';
import { demoProgramName } from './name.js';
import { seedDemo, type SeedProgress } from './seed.js';

export { demoProgramName };

/**
 * Creates the demo program on first start and returns its admin key. Later starts find the program
 * and return the key saved by `saveKey` (keys are stored hashed, so only the saved copy can be shown again).
 */
export async function ensureDemoProgram(
  db: Db,
  saveKey: (key: string) => Promise<void>,
  loadKey: () => Promise<string | undefined>,
  /** The demo's "today": its year of history ends here. */
  now: Date,
  /** Where the demo's claim evidence files go; without one the demo has no claims. */
  evidence?: EvidenceStore,
  progress?: SeedProgress,
): Promise<string | undefined> {
  const existing = await db.selectFrom('programs').select('id').where('name', '=', demoProgramName).executeTakeFirst();
  if (existing) return loadKey();
  const program = await createProgram(db, {
    name: demoProgramName,
    currency: 'SEK',
    defaultLanguage: 'sv',
    timeZone: 'Europe/Stockholm',
    pointsName: 'poäng',
    pendingDays: 14,
    expiryPolicy: { kind: 'end_of_year', yearsAfter: 1 },
  });
  await seedDemo(db, program, now, evidence, progress);
  // Planner statistics for the tables the seed just filled: without them PostgreSQL plans the dashboard's
  // queries for empty tables until autovacuum gets round to it (60 s for a month's figures instead of 1.3 s).
  await sql`ANALYZE`.execute(db);
  const { key } = await createApiKey(db, program.id, { name: 'demo admin', scopes: ['admin'] });
  await saveKey(key);
  return key;
}
