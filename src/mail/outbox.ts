/**
 * The outbox: a mail is a row written in the same transaction as the action that causes it, so an action
 * that rolls back sends nothing and one that commits cannot lose its mail. Delivery (delivery.ts) reads it.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { MailOutboxTable } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
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
export async function enqueueMails(trx: Db, programId: string, mails: MailRequest[], now: Date): Promise<string[]> {
  if (mails.length === 0) return [];
  const rows = outboxRows(programId, mails, now);
  await trx.insertInto('mail_outbox').values(rows).execute();
  return rows.map((r) => r.id);
}

/** The outbox rows of rendered mails, for a caller that inserts them in a statement it sends anyway. */
export function outboxRows(programId: string, mails: MailRequest[], now: Date) {
  return mails.map((m) => ({
    program_id: programId,
    id: uuidv7(),
    template: m.template,
    to_address: m.to,
    language: m.language,
    ...renderMail(m.template, m.language, m.params),
    next_attempt_at: now,
  }));
}

/**
 * Queues one mail already rendered elsewhere (a program's own template, a campaign); `template` names its
 * kind in the outbox list. Call inside the action's transaction.
 */
export async function enqueueRenderedMail(
  trx: Db,
  programId: string,
  mail: { template: string; to: string; language: Language; subject: string; body: string; html?: string | null },
  now: Date,
): Promise<string> {
  const id = uuidv7();
  await trx
    .insertInto('mail_outbox')
    .values({ program_id: programId, id, template: mail.template, to_address: mail.to, language: mail.language, subject: mail.subject, body: mail.body, html: mail.html ?? null, next_attempt_at: now, created_at: now })
    .execute();
  return id;
}

export interface OutboxMail {
  id: string;
  template: string;
  to: string;
  language: string;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'failed' | 'cancelled';
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
  return toPage(rows, limit, (r) => [new Date(r.created_at).toISOString(), r.id], toOutboxMail);
}

function toOutboxMail(r: Selectable<MailOutboxTable>): OutboxMail {
  return {
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
  };
}

async function outboxRow(db: Db, programId: string, id: string) {
  const row = await db.selectFrom('mail_outbox').selectAll().where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'mail', id });
  return row;
}

/** Stops a mail that has not gone yet; a sent or failed one is refused (`outbox_mail_not_pending`). */
export async function cancelMail(trx: Db, programId: string, id: string): Promise<OutboxMail> {
  const row = await outboxRow(trx, programId, id);
  if (row.status !== 'pending') throw new LojalError('outbox_mail_not_pending', { status: row.status });
  await trx.updateTable('mail_outbox').set({ status: 'cancelled', last_error: 'cancelled in the console' }).where('program_id', '=', programId).where('id', '=', id).execute();
  return (await mailById(trx, programId, id))!;
}

/**
 * Sends a mail again: a new outbox row with the same recipient and text (the original stays as it was, so
 * the list shows both). A pending mail is refused: it is going to be sent anyway.
 */
export async function resendMail(trx: Db, programId: string, id: string, now: Date): Promise<OutboxMail> {
  const row = await outboxRow(trx, programId, id);
  if (row.status === 'pending') throw new LojalError('outbox_mail_not_resendable', { status: row.status });
  if (row.to_address === '[erased]') throw new LojalError('member_erased', { id });
  const copy = await enqueueRenderedMail(trx, programId, { template: row.template, to: row.to_address, language: row.language as Language, subject: row.subject, body: row.body }, now);
  return (await mailById(trx, programId, copy))!;
}

export async function mailById(db: Db, programId: string, id: string): Promise<OutboxMail | undefined> {
  const r = await db.selectFrom('mail_outbox').selectAll().where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  return r ? toOutboxMail(r) : undefined;
}
