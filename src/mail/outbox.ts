/**
 * The outbox: a mail is a row written in the same transaction as the action that causes it, so an action
 * that rolls back sends nothing and one that commits cannot lose its mail. Delivery (delivery.ts) reads it.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import type { Language } from '../i18n/index.js';
import { renderMail, type MailTemplate } from './templates.js';

export interface MailRequest {
  template: MailTemplate;
  to: string;
  language: Language;
  params: Record<string, string>;
}

/** Renders and queues mails; call inside the action's transaction. */
export async function enqueueMails(trx: Db, programId: string, mails: MailRequest[], now = new Date()): Promise<string[]> {
  if (mails.length === 0) return [];
  const rows = mails.map((m) => ({
    program_id: programId,
    id: uuidv7(),
    template: m.template,
    to_address: m.to,
    language: m.language,
    ...renderMail(m.template, m.language, m.params),
    next_attempt_at: now,
  }));
  await trx.insertInto('mail_outbox').values(rows).execute();
  return rows.map((r) => r.id);
}

export interface OutboxMail {
  id: string;
  template: string;
  to: string;
  language: string;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

const outboxCursor = z.tuple([z.iso.datetime(), z.uuid()]);

/** Newest first, optionally one status or one recipient only. */
export async function listOutbox(
  db: Db,
  programId: string,
  q: PageParams & { status?: OutboxMail['status'] | undefined; to?: string | undefined },
): Promise<Page<OutboxMail>> {
  const limit = pageSize(q);
  const after = decodeCursor(q.cursor, outboxCursor);
  const rows = await db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('program_id', '=', programId)
    .$if(q.status !== undefined, (qb) => qb.where('status', '=', q.status!))
    .$if(q.to !== undefined, (qb) => qb.where('to_address', '=', q.to!.trim().toLowerCase()))
    .$if(after !== undefined, (qb) => qb.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(new Date(after![0]) as never, after![1]))))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => [new Date(r.created_at).toISOString(), r.id], (r) => ({
    id: r.id,
    template: r.template,
    to: r.to_address,
    language: r.language,
    subject: r.subject,
    body: r.body,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? new Date(r.next_attempt_at) : null,
    lastError: r.last_error,
    sentAt: r.sent_at,
    createdAt: new Date(r.created_at),
  }));
}
