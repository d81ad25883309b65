/**
 * Which mails a member wants. Kept in the member's attributes under one key (a few switches need no table);
 * the code that queues a mail asks here first, so a switch in the portal really stops that kind of mail.
 */
import { z } from 'zod';

export const preferencesKey = 'communication';

export const preferencesSchema = z.object({
  newsletter: z.boolean().describe('news and offers from the program'),
  orderMails: z.boolean().describe('mails about my reward orders'),
  claimMails: z.boolean().describe('mails about my sales claims'),
  serviceMails: z.boolean().describe('mails about my service requests (acknowledgement, answers, state changes)'),
});
export type Preferences = z.infer<typeof preferencesSchema>;

// Service mails about one's own orders and claims are on until switched off; marketing needs a yes.
const defaultPreferences: Preferences = { newsletter: false, orderMails: true, claimMails: true, serviceMails: true };

export function preferencesOf(attributes: Record<string, unknown> | null | undefined): Preferences {
  const stored = preferencesSchema.partial().safeParse(attributes?.[preferencesKey]);
  return { ...defaultPreferences, ...(stored.success ? stored.data : {}) };
}
