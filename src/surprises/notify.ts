/**
 * Tells a member something in their language: a message in the portal inbox and, when they have an address, a
 * mail through the outbox — both written in the caller's transaction, so a payout that rolls back says nothing.
 * Used by surprises, referrals and the retention job.
 */
import type { Db } from '../db/database.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { enqueueMails } from '../mail/index.js';
import { postToInbox } from '../messages/inbox.js';

export interface NoticeMember {
  id: string;
  name: string;
  email: string | null;
  language: string | null;
}

export interface Notice {
  /** i18n keys of the title and body, with their parameters. */
  titleKey: string;
  bodyKey: string;
  params: Record<string, string | number>;
  /** The program's own words for the body, per language (wins over bodyKey where given). */
  bodyOverride?: Partial<Record<Language, string>> | undefined;
}

export const memberLanguage = (m: { language: string | null }, fallback: Language): Language => (isLanguage(m.language) ? m.language : fallback);

export function renderNotice(n: Notice, lng: Language, member: { name: string }): { title: string; body: string } {
  const t = translator(lng);
  const params = { ...n.params, name: member.name };
  const override = n.bodyOverride?.[lng];
  // The program's own words may name the member and the points too: {{name}}, {{points}}.
  const body = override ? override.replace(/\{\{(\w+)\}\}/g, (all, k: string) => (k in params ? String(params[k as keyof typeof params]) : all)) : t(n.bodyKey, params);
  return { title: t(n.titleKey, params), body };
}

export async function notifyMember(
  trx: Db,
  program: { id: string; name: string; defaultLanguage: Language },
  member: NoticeMember,
  notice: Notice,
  createdBy: string,
  now: Date,
): Promise<void> {
  const lng = memberLanguage(member, program.defaultLanguage);
  const { title, body } = renderNotice(notice, lng, member);
  await postToInbox(trx, program.id, member.id, { kind: 'transactional', title, body, createdBy }, now);
  if (member.email) {
    await enqueueMails(trx, program.id, [{ template: 'member_notice', to: member.email, language: lng, params: { title, body, name: member.name, program: program.name } }], now);
  }
}
