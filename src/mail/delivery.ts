/**
 * Delivers the outbox over SMTP, at least once. A batch of due mails is claimed in one statement (their
 * next attempt moves a lease ahead, so another worker skips them; SKIP LOCKED keeps two workers off the
 * same rows), sent outside any transaction, then marked sent, or retried later with a growing pause, and
 * failed after the last attempt. A crash after sending and before marking sends that mail again.
 */
import type { Transporter } from 'nodemailer';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface MailTransport {
  send(mail: { from: string; to: string; subject: string; text: string; html?: string; messageId: string }): Promise<void>;
  close(): void;
}

export function smtpTransport(url: string): MailTransport {
  // nodemailer is loaded with the first mail sent: a server with no mail due never holds it.
  let transporter: Promise<Transporter> | undefined;
  const open = () => (transporter ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(url)));
  return {
    send: async (m) => void (await (await open()).sendMail(m)),
    close: () => void transporter?.then((t) => t.close()),
  };
}

export interface DeliveryOptions {
  from: string;
  now: Date;
  batchSize?: number;
  maxAttempts?: number;
  /** How long a claimed mail is left alone before another worker may try it (a worker died mid-send). */
  leaseMs?: number;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

/** Minutes before attempt n + 1: 1, 2, 4, 8… capped at a day. */
export const retryDelayMs = (attempts: number) => Math.min(2 ** Math.max(0, attempts - 1), 1440) * 60_000;

export async function deliverOutbox(db: Db, transport: MailTransport, opts: DeliveryOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  const now = opts.now;
  const programs = await db.selectFrom('programs').select('id').execute();
  for (const { id: programId } of programs) {
    for (;;) {
      const claimed = await claim(db, programId, now, opts.batchSize ?? 50, opts.leaseMs ?? 5 * 60_000);
      for (const m of claimed) {
        try {
          await transport.send({ from: opts.from, to: m.to_address, subject: m.subject, text: m.body, ...(m.html ? { html: m.html } : {}), messageId: `<${m.id}@lojal>` });
          await db.updateTable('mail_outbox').set({ status: 'sent', sent_at: now, last_error: null })
            .where('program_id', '=', programId).where('id', '=', m.id).execute();
          report.sent++;
        } catch (err) {
          const last = m.attempts >= (opts.maxAttempts ?? 6);
          await db.updateTable('mail_outbox')
            .set({
              status: last ? 'failed' : 'pending',
              last_error: String((err as Error).message ?? err).slice(0, 1000),
              next_attempt_at: new Date(now.getTime() + retryDelayMs(m.attempts)),
            })
            .where('program_id', '=', programId).where('id', '=', m.id).execute();
          if (last) report.failed++;
          else report.retried++;
        }
      }
      if (claimed.length < (opts.batchSize ?? 50)) break;
    }
  }
  return report;
}

async function claim(db: Db, programId: string, now: Date, limit: number, leaseMs: number) {
  const rows = await sql<{ id: string; to_address: string; subject: string; body: string; html: string | null; attempts: number }>`
    UPDATE mail_outbox o SET attempts = o.attempts + 1, next_attempt_at = ${new Date(now.getTime() + leaseMs)}
    FROM (
      SELECT id FROM mail_outbox
      WHERE program_id = ${programId} AND status = 'pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at, id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) due
    WHERE o.program_id = ${programId} AND o.id = due.id
    RETURNING o.id, o.to_address, o.subject, o.body, o.html, o.attempts`.execute(db);
  return rows.rows;
}
