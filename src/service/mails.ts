/**
 * The member's mails about their request, in their language, queued in the change's own transaction: the
 * acknowledgement (number and promised first-answer time), each public answer, and each state change (with
 * the satisfaction question when it closes). Internal comments never come here. A member who switched
 * service mails off in the portal, or has no e-mail address, gets none.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { enqueueMails } from '../mail/index.js';
import { preferencesOf } from '../people/preferences.js';
import type { Program } from '../programs/programs.js';
import { calendarOf, getServiceSettings, localized, type ServiceType } from './setup.js';
import type { ServiceRequest } from './requests.js';
import type { RequestState } from './workflow.js';
import { addWorkingMinutes } from './working-time.js';
import { csatLinkTokens } from './csat-links.js';

/** Where the links in a mail point (LOJAL_PUBLIC_URL); without it the rating question sends the member to the portal. */
export interface MailLinks {
  publicUrl: string;
}

/** The page a rating link opens. */
export const csatLinkPath = (token: string) => `/rate/${token}`;

export type ServiceNotice = { kind: 'received' } | { kind: 'answered'; body: string } | { kind: 'state'; from: RequestState; note: string | null };

/** "4 working hours", "2 working days" (of the program's opening hours), in the reader's language. */
export function promisedTime(minutes: number, dayMinutes: number, language: Language): string {
  const t = translator(language);
  if (minutes >= dayMinutes && minutes % dayMinutes === 0) return t('service:promise.days', { count: minutes / dayMinutes });
  if (minutes >= 60 && minutes % 60 === 0) return t('service:promise.hours', { count: minutes / 60 });
  return t('service:promise.minutes', { count: minutes });
}

export async function queueServiceMail(trx: Db, program: Program, r: ServiceRequest, type: ServiceType, notice: ServiceNotice, now: Date, links?: MailLinks): Promise<void> {
  const m = await sql<{ email: string | null; name: string; language: string | null; mail_preferences: unknown }>`
    SELECT email, name, language, mail_preferences FROM members WHERE program_id = ${program.id} AND id = ${r.memberId}`.execute(trx);
  const member = m.rows[0];
  if (!member?.email || !preferencesOf(member.mail_preferences).serviceMails) return;
  const language: Language = isLanguage(member.language) ? member.language : r.language;
  const t = translator(language);
  const settings = await getServiceSettings(trx, program.id);
  const [sh, sm] = settings.dayStart.split(':').map(Number) as [number, number];
  const [eh, em] = settings.dayEnd.split(':').map(Number) as [number, number];
  const dayMinutes = eh * 60 + em - (sh * 60 + sm);
  const due = addWorkingMinutes(calendarOf(settings, program.timeZone), r.createdAt, r.firstResponseMinutes);
  const params: Record<string, string> = {
    name: member.name,
    number: String(r.number),
    subject: r.subject,
    type: localized(type.names, language),
    promise: promisedTime(r.firstResponseMinutes, dayMinutes, language),
    due: due ? new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: program.timeZone }).format(due) : '',
    state: t(`service:state.${r.state}`),
    answer: notice.kind === 'answered' ? notice.body : '',
    note: notice.kind === 'state' && notice.note ? notice.note : '',
    rate: r.state === 'closed' || r.state === 'resolved' ? await rateQuestion(trx, program.id, r, language, now, links) : '',
  };
  const template = notice.kind === 'received' ? 'service_received' : notice.kind === 'answered' ? 'service_answered' : 'service_state_changed';
  await enqueueMails(trx, program.id, [{ template, to: member.email, language, params }], now);
}

/**
 * The satisfaction question of a resolve or close mail: five one-click links (1 … 5), each a signed token that
 * records its score without a sign-in. Nothing when the request was rated already.
 */
async function rateQuestion(trx: Db, programId: string, r: ServiceRequest, language: Language, now: Date, links: MailLinks | undefined): Promise<string> {
  const rated = await sql`SELECT 1 FROM service_csat WHERE program_id = ${programId} AND request_id = ${r.id}`.execute(trx);
  if (rated.rows.length) return '';
  const t = translator(language);
  if (!links) return t('service:mailRate');
  const tokens = await csatLinkTokens(trx, programId, r.id, now);
  const lines = tokens.map((token, i) => `${i + 1} – ${t(`service:csatScale.${i + 1}`)}: ${links.publicUrl}${csatLinkPath(token)}`);
  return t('service:mailRateLinks', { links: lines.join('\n') });
}
