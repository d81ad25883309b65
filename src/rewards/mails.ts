/**
 * The mails a member gets about their order, in their language, queued in the order's own transaction:
 * confirmed, sent (with tracking), ready (with the codes or the details), not carried out (points back).
 * A member without an e-mail address, or who switched order mails off in the portal, gets none; the portal
 * shows the same in the order's history.
 */
import type { Db } from '../db/database.js';
import type { OrderState } from '../db/schema.js';
import { isLanguage, translator } from '../i18n/index.js';
import { enqueueMails, type MailRequest, type MailTemplate } from '../mail/index.js';
import { preferencesOf } from '../people/preferences.js';
import type { Program } from '../programs/programs.js';
import { textIn, type RewardTexts } from './catalogue.js';

export type OrderMail = 'confirmed' | 'shipped' | 'issued' | 'cancelled';

/** What an order mail says, as the order, its member and its reward stand. */
export interface OrderMailFacts {
  id: string;
  state: string;
  quantity: number;
  points: number | string;
  codes: string[];
  tracking: unknown;
  invoice_amount_minor: number | string | null;
  invoice_currency: string | null;
  email: string | null;
  name: string;
  language: string | null;
  mail_preferences: unknown;
  texts: unknown;
}

export async function queueOrderMail(trx: Db, program: Program, orderId: string, mail: OrderMail, reason: string | null, now: Date): Promise<void> {
  const o = await trx
    .selectFrom('reward_orders as o')
    .innerJoin('members as m', (j) => j.onRef('m.program_id', '=', 'o.program_id').onRef('m.id', '=', 'o.member_id'))
    .innerJoin('rewards as r', (j) => j.onRef('r.program_id', '=', 'o.program_id').onRef('r.id', '=', 'o.reward_id'))
    .select(['o.id', 'o.state', 'o.quantity', 'o.points', 'o.codes', 'o.tracking', 'o.invoice_amount_minor', 'o.invoice_currency', 'm.email', 'm.name', 'm.language', 'm.mail_preferences', 'r.texts'])
    .where('o.program_id', '=', program.id)
    .where('o.id', '=', orderId)
    .executeTakeFirstOrThrow();
  const request = orderMail(program, o, mail, reason);
  if (request) await enqueueMails(trx, program.id, [request], now);
}

/**
 * The mail, rendered from what the caller has (placing an order knows it all without reading the order back);
 * null for a member without an address or who switched order mails off.
 */
export function orderMail(program: Program, o: OrderMailFacts, mail: OrderMail, reason: string | null): MailRequest | null {
  if (!o.email || !preferencesOf(o.mail_preferences).orderMails) return null;
  const language = isLanguage(o.language) ? o.language : program.defaultLanguage;
  const t = translator(language);
  const tracking = (o.tracking ?? {}) as Record<string, string>;
  const details = [
    o.codes.length ? t('rewards:mail.codes', { codes: o.codes.join(', ') }) : '',
    tracking.details ?? '',
  ].filter(Boolean);
  const params: Record<string, string> = {
    name: o.name,
    reward: textIn(o.texts as RewardTexts, language, program.defaultLanguage).name,
    quantity: String(o.quantity),
    points: new Intl.NumberFormat(language).format(Number(o.points)),
    order: o.id.slice(-8).toUpperCase(),
    status: mail === 'confirmed' ? t(`rewards:mail.status.${o.state as OrderState}`) : '',
    outcome: mail === 'cancelled' ? t(`rewards:mail.outcome.${o.state === 'rejected' ? 'rejected' : 'cancelled'}`) : '',
    tracking: tracking.carrier || tracking.trackingNumber ? t('rewards:mail.tracking', { carrier: tracking.carrier ?? '–', number: tracking.trackingNumber ?? '–' }) + (tracking.trackingUrl ? `\n${tracking.trackingUrl}` : '') : '',
    details: details.join('\n\n'),
    reason: reason ?? '–',
    amount: o.invoice_amount_minor === null ? '' : new Intl.NumberFormat(language, { style: 'currency', currency: (o.invoice_currency ?? program.currency).trim() }).format(Number(o.invoice_amount_minor) / 100),
  };
  // An invoiced order (an accepted money quote) paid no points: its confirmation names the amount to be invoiced instead.
  const template = mail === 'confirmed' && o.invoice_amount_minor !== null ? 'order_confirmed_invoice' : (`order_${mail}` as MailTemplate);
  return { template, to: o.email, language, params };
}
