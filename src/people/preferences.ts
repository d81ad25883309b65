/**
 * Which mails a member wants. Kept in a column of the member's own (`mail_preferences`, migration 0060), apart
 * from the free attributes that staff and CRM syncs write; the code that queues a mail asks here first, so a switch
 * in the portal really stops that kind of mail.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';

export const preferencesSchema = z.object({
  newsletter: z.boolean().describe('news and offers from the program'),
  orderMails: z.boolean().describe('mails about my reward orders'),
  claimMails: z.boolean().describe('mails about my sales claims'),
  serviceMails: z.boolean().describe('mails about my service requests (acknowledgement, answers, state changes)'),
});
export type Preferences = z.infer<typeof preferencesSchema>;

// Service mails about one's own orders and claims are on until switched off; marketing needs a yes.
const defaultPreferences: Preferences = { newsletter: false, orderMails: true, claimMails: true, serviceMails: true };

/** The member's choices from the stored column, the defaults for any not made. */
export function preferencesOf(stored: unknown): Preferences {
  const parsed = preferencesSchema.partial().safeParse(stored);
  return { ...defaultPreferences, ...(parsed.success ? parsed.data : {}) };
}

export async function readPreferences(db: Db, programId: string, memberId: string): Promise<Preferences> {
  const row = await db.selectFrom('members').select('mail_preferences').where('program_id', '=', programId).where('id', '=', memberId).executeTakeFirst();
  return preferencesOf(row?.mail_preferences);
}

/** Changes the choices given, keeps the others; answers all of them. */
export async function changePreferences(db: Db, programId: string, memberId: string, change: Partial<Preferences>): Promise<Preferences> {
  const { rows } = await sql<{ mail_preferences: unknown }>`
    UPDATE members SET mail_preferences = mail_preferences || ${JSON.stringify(change)}::jsonb
    WHERE program_id = ${programId} AND id = ${memberId}
    RETURNING mail_preferences`.execute(db);
  return preferencesOf(rows[0]?.mail_preferences);
}
