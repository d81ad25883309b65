/**
 * One message to one member on each of their channels, rendered in the member's language, written in the
 * caller's transaction: a mail row, a text message, an inbox message. Nothing is sent here; the outboxes
 * deliver after the commit, so a rolled-back change sends nothing.
 */
import type { Db } from '../db/database.js';
import { isLanguage, type Language } from '../i18n/index.js';
import { enqueueRenderedMail } from '../mail/outbox.js';
import type { ConsentPurpose } from '../privacy/consent.js';
import { channelsFor, type MessageChannel } from './channels.js';
import { postToInbox } from './inbox.js';
import { queueSms } from './sms-outbox.js';
import type { RenderedMessage } from './templates.js';

export interface Recipient {
  id: string;
  name: string;
  role: string | null;
  email: string | null;
  phone: string | null;
  language: string | null;
}

export const recipientLanguage = (m: Pick<Recipient, 'language'>, fallback: Language): Language => (isLanguage(m.language) ? m.language : fallback);

export interface Delivery {
  channel: MessageChannel;
  /** The outbox row: mail_outbox, sms_outbox or inbox_messages. */
  messageId: string;
}

/**
 * Writes `rendered` on the member's channels (or on `only` of them). `key` makes the SMS idempotent (the
 * only outbox with a key); callers that may repeat keep their own record of what they sent.
 */
export async function sendToMember(
  trx: Db,
  programId: string,
  program: { timeZone: string },
  member: Recipient,
  message: { template: string; rendered: RenderedMessage & { html?: string }; language: Language; key: string; createdBy: string },
  category: 'transactional' | { purpose: ConsentPurpose },
  now: Date,
  only?: MessageChannel[],
): Promise<Delivery[]> {
  const { channels, timeZone } = await channelsFor(trx, programId, member, category);
  const kind = category === 'transactional' ? 'transactional' : 'marketing';
  const purpose = category === 'transactional' ? undefined : category.purpose;
  const out: Delivery[] = [];
  for (const channel of channels) {
    if (only && !only.includes(channel)) continue;
    if (channel === 'email') {
      const id = await enqueueRenderedMail(trx, programId, { template: message.template, to: member.email!, language: message.language, subject: message.rendered.subject, body: message.rendered.body, html: message.rendered.html ?? null }, now);
      out.push({ channel, messageId: id });
    } else if (channel === 'sms') {
      const { message: sms } = await queueSms(
        trx,
        programId,
        timeZone ?? program.timeZone,
        { memberId: member.id, to: member.phone!, body: message.rendered.sms, kind, idempotencyKey: `${message.key}:sms`, createdBy: message.createdBy, ...(purpose ? { purpose } : {}) },
        now,
      );
      out.push({ channel, messageId: sms.id });
    } else {
      const posted = await postToInbox(trx, programId, member.id, { kind, title: message.rendered.subject, body: message.rendered.body, createdBy: message.createdBy, ...(purpose ? { purpose } : {}) }, now);
      out.push({ channel, messageId: posted.id });
    }
  }
  return out;
}
