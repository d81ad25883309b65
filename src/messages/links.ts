/**
 * The program's key for signed links in messages (unsubscribe, open tracking, SMS delivery reports): made
 * on first use and kept in message_settings, so a link stays valid across restarts and server processes.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export async function linkKey(db: Db, programId: string, now: Date): Promise<Buffer> {
  const { rows } = await sql<{ link_key: string }>`
    INSERT INTO message_settings (program_id, earn_notices, link_key, updated_at) VALUES (${programId}, false, ${randomBytes(32).toString('hex')}, ${now})
    ON CONFLICT (program_id) DO UPDATE SET link_key = coalesce(message_settings.link_key, excluded.link_key)
    RETURNING link_key`.execute(db);
  return Buffer.from(rows[0]!.link_key, 'hex');
}
