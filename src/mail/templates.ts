/** Mails rendered from the `mail` i18n namespace in the recipient's language: plain text, one subject and body. */
import { translator, type Language } from '../i18n/index.js';

export const mailTemplates = [
  'invitation',
  'registration_request',
  'registration_approved',
  'registration_rejected',
  'order_confirmed',
  'order_confirmed_invoice',
  'order_shipped',
  'order_issued',
  'order_cancelled',
  'staff_password_reset',
  'staff_invitation',
  'member_sign_in_code',
  'claim_approved',
  'claim_rejected',
  'certificate_expiring',
  'service_received',
  'service_answered',
  'service_state_changed',
  // Recognition and retention notices (surprises, referrals, inactivity, tier warnings): title and body rendered by the sender.
  'member_notice',
] as const;
export type MailTemplate = (typeof mailTemplates)[number];

export interface RenderedMail {
  subject: string;
  body: string;
}

export function renderMail(template: MailTemplate, language: Language, params: Record<string, string>): RenderedMail {
  const t = translator(language);
  // The service desk keeps its mails in a namespace of its own (mail-service).
  const ns = template.startsWith('service_') ? 'mail-service' : 'mail';
  return { subject: t(`${ns}:${template}.subject`, params), body: t(`${ns}:${template}.body`, params) };
}

/** A date as people read it in their language, e.g. "7 December 2026" or "7 grudnia 2026". */
export function mailDate(at: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone }).format(at);
}
