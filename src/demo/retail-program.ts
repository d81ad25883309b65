import type { Db } from '../db/database.js';
import { createApiKey } from '../programs/api-keys.js';
import { createProgram, type Program } from '../programs/programs.js';
import { createRule } from '../rules/store.js';

/**
 * The program the Online Retail data is imported into: pounds, London time, points that never expire
 * (the data is from 2010–2011; a rolling expiry would expire it all on the first job run), and rules
 * that make the derived margin bands and categories count.
 */
export async function createRetailProgram(db: Db, now: Date): Promise<{ program: Program; key: string }> {
  const program = await createProgram(db, { name: 'Online Retail (UCI)', currency: 'GBP', timeZone: 'Europe/London', defaultLanguage: 'en', pendingDays: 30 });
  const since = '2010-01-01T00:00:00Z';
  await createRule(db, program.id, { name: '1 point per £1', effectiveFrom: since, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 100 }, recipient: { type: 'account' } } }, now);
  await createRule(db, program.id, { name: 'High-margin bonus', effectiveFrom: since, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'upsell', points: 1, per: 200 }, recipient: { type: 'account' } } }, now);
  await createRule(db, program.id, { name: 'New category bonus', effectiveFrom: since, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'crossSell', points: 50 }, recipient: { type: 'account' } } }, now);
  const { key } = await createApiKey(db, program.id, { name: 'admin (import)', scopes: ['admin'] });
  return { program, key };
}
