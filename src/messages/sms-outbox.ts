/**
 * The SMS outbox. A text message is stored in the transaction of whatever causes it (so a rolled-back
 * change sends nothing), with its encoding and part count worked out, and held until morning when it is
 * written in the recipient's quiet hours. Delivery claims due messages with a lease (SKIP LOCKED keeps two
 * workers apart), sends them outside any transaction, and marks them sent, retries with a growing pause
 * (a provider's 5xx, 429 or a network failure), or fails them (a 4xx the provider will answer again).
 * At least once: a crash between sending and marking sends again; 46elks takes no idempotency key.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { hasConsent, consentHistory, type ConsentPurpose } from '../privacy/consent.js';
import { requireNotErased } from '../privacy/erased.js';
import { e164, quietUntil, smsLength, type SmsEncoding } from './sms.js';
import { reportToken } from './sms-reports.js';

export interface SmsMessage {
  id: string;
  memberId: string | null;
  to: string;
  body: string;
  encoding: SmsEncoding;
  segments: number;
  kind: 'transactional' | 'marketing';
  status: 'pending' | 'sent' | 'failed' | 'cancelled';
  heldUntil: Date | null;
  attempts: number;
  nextAttemptAt: Date;
  providerId: string | null;
  cost: number | null;
  lastError: string | null;
  sentAt: Date | null;
  /** What the provider's delivery report said; null until one came. */
  delivery: 'delivered' | 'failed' | null;
  deliveredAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

interface Row {
  id: string;
  member_id: string | null;
  to_number: string;
  body: string;
  encoding: SmsEncoding;
  segments: number;
  kind: SmsMessage['kind'];
  status: SmsMessage['status'];
  held_until: Date | string | null;
  attempts: number;
  next_attempt_at: Date | string;
  provider_id: string | null;
  cost: number | string | null;
  last_error: string | null;
  sent_at: Date | string | null;
  delivery: 'delivered' | 'failed' | null;
  delivered_at: Date | string | null;
  created_by: string;
  created_at: Date | string;
}

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));
const toMessage = (r: Row): SmsMessage => ({
  id: r.id,
  memberId: r.member_id,
  to: r.to_number,
  body: r.body,
  encoding: r.encoding,
  segments: Number(r.segments),
  kind: r.kind,
  status: r.status,
  heldUntil: date(r.held_until),
  attempts: Number(r.attempts),
  nextAttemptAt: new Date(r.next_attempt_at),
  providerId: r.provider_id,
  cost: r.cost === null ? null : Number(r.cost),
  lastError: r.last_error,
  sentAt: date(r.sent_at),
  delivery: r.delivery,
  deliveredAt: date(r.delivered_at),
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
});

const columns = sql`id, member_id, to_number, body, encoding, segments, kind, status, held_until, attempts, next_attempt_at, provider_id, cost, last_error, sent_at, delivery, delivered_at, created_by, created_at`;

export interface NewSms {
  memberId?: string | null | undefined;
  to: string;
  body: string;
  kind: SmsMessage['kind'];
  idempotencyKey: string;
  createdBy: string;
  /** The consent a marketing message needs (default marketing; a newsletter needs newsletter consent). */
  purpose?: ConsentPurpose;
}

/**
 * Queues a message in the caller's transaction. The number must be E.164; a marketing message needs the
 * member's marketing consent for SMS. A repeat of the key answers the message queued first.
 */
export async function queueSms(trx: Db, programId: string, timeZone: string, input: NewSms, now: Date): Promise<{ message: SmsMessage; created: boolean }> {
  const to = e164(input.to);
  if (!to) throw new LojalError('phone_not_e164', { phone: input.to });
  if (input.memberId) {
    await requireNotErased(trx, programId, input.memberId);
    const purpose = input.purpose ?? 'marketing';
    if (input.kind === 'marketing' && !hasConsent(await consentHistory(trx, programId, input.memberId), purpose, 'sms')) {
      throw new LojalError('consent_missing', { member: input.memberId, purpose, channel: 'sms' });
    }
  }
  const length = smsLength(input.body);
  const held = quietUntil(now, timeZone);
  const inserted = await sql<Row>`
    INSERT INTO sms_outbox (program_id, id, idempotency_key, member_id, to_number, body, encoding, segments, kind, held_until, next_attempt_at, created_by, created_at)
    VALUES (${programId}, ${uuidv7()}, ${input.idempotencyKey}, ${input.memberId ?? null}, ${to}, ${input.body}, ${length.encoding}, ${length.segments},
            ${input.kind}, ${held}, ${held ?? now}, ${input.createdBy}, ${now})
    ON CONFLICT (program_id, idempotency_key) DO NOTHING
    RETURNING ${columns}`.execute(trx);
  if (inserted.rows[0]) return { message: toMessage(inserted.rows[0]), created: true };
  const existing = await sql<Row>`SELECT ${columns} FROM sms_outbox WHERE program_id = ${programId} AND idempotency_key = ${input.idempotencyKey}`.execute(trx);
  return { message: toMessage(existing.rows[0]!), created: false };
}

export async function listSms(db: Db, programId: string, status: SmsMessage['status'] | undefined, limit: number): Promise<SmsMessage[]> {
  const rows = await sql<Row>`
    SELECT ${columns} FROM sms_outbox WHERE program_id = ${programId} ${status ? sql`AND status = ${status}` : sql``}
    ORDER BY created_at DESC, id DESC LIMIT ${limit}`.execute(db);
  return rows.rows.map(toMessage);
}

/** Cancels a message still waiting; a sent or failed one is answered as it is. */
export async function cancelSms(db: Db, programId: string, id: string): Promise<SmsMessage> {
  await sql`UPDATE sms_outbox SET status = 'cancelled' WHERE program_id = ${programId} AND id = ${id} AND status = 'pending'`.execute(db);
  const rows = await sql<Row>`SELECT ${columns} FROM sms_outbox WHERE program_id = ${programId} AND id = ${id}`.execute(db);
  if (!rows.rows[0]) throw new LojalError('not_found', { entity: 'sms', id });
  return toMessage(rows.rows[0]);
}

/** Erasure: the messages to the member keep kind, parts and times, not the number or the words. */
export async function eraseSmsTo(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await sql`
    UPDATE sms_outbox SET to_number = '[erased]', body = '', status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END
    WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}

// ---------------------------------------------------------------- delivery

export class SmsSendError extends Error {
  constructor(
    message: string,
    /** Worth another try later (the provider's 5xx or 429, a network failure). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface SmsProvider {
  /** `whendelivered`: where the provider posts the delivery report of this message. */
  send(sms: { from: string; to: string; message: string; whendelivered?: string | undefined }): Promise<{ id: string; parts: number | null; cost: number | null }>;
}

/**
 * 46elks (https://46elks.com/docs/send-sms): POST form-encoded `from`, `to`, `message` with HTTP Basic
 * authentication by the API username and password; the answer is JSON with the message's `id`, `parts`
 * and `cost` (in 10,000ths of the account's currency unit). With `whendelivered`, 46elks posts the message's
 * delivery report to that URL (sms-reports.ts).
 */
export function fortySixElks(config: { url: string; username: string; password: string }, fetchImpl: typeof fetch = fetch): SmsProvider {
  const auth = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
  return {
    async send({ from, to, message, whendelivered }) {
      let res: Response;
      try {
        res = await fetchImpl(config.url, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ from, to, message, ...(whendelivered ? { whendelivered } : {}) }).toString(),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (err) {
        throw new SmsSendError(`46elks unreachable: ${(err as Error).message}`, true);
      }
      const text = await res.text();
      if (!res.ok) throw new SmsSendError(`46elks answered ${res.status}: ${text.slice(0, 300)}`, res.status >= 500 || res.status === 429);
      let body: { id?: unknown; parts?: unknown; cost?: unknown; status?: unknown };
      try {
        body = JSON.parse(text);
      } catch {
        throw new SmsSendError(`46elks answered ${res.status} with something that is not JSON`, true);
      }
      if (typeof body.id !== 'string') throw new SmsSendError('46elks answered without a message id', true);
      return { id: body.id, parts: typeof body.parts === 'number' ? body.parts : null, cost: typeof body.cost === 'number' ? body.cost : null };
    },
  };
}

export interface SmsReport {
  sent: number;
  retried: number;
  failed: number;
  held: number;
}

/** Minutes before attempt n + 1: 1, 2, 4, 8… capped at six hours. */
export const smsRetryDelayMs = (attempts: number) => Math.min(2 ** Math.max(0, attempts - 1), 360) * 60_000;

export async function deliverSms(
  db: Db,
  provider: SmsProvider,
  opts: {
    from: string;
    now: Date;
    batchSize?: number;
    maxAttempts?: number;
    leaseMs?: number;
    /** Lojal's public address: each message asks for its delivery report at a signed URL below it. */
    publicUrl?: string | undefined;
  },
): Promise<SmsReport> {
  const report: SmsReport = { sent: 0, retried: 0, failed: 0, held: 0 };
  const { now } = opts;
  for (;;) {
    const leaseUntil = new Date(now.getTime() + (opts.leaseMs ?? 5 * 60_000));
    const claimed = await sql<Row & { program_id: string; time_zone: string }>`
      UPDATE sms_outbox o SET attempts = o.attempts + 1, next_attempt_at = ${leaseUntil}
      FROM programs p, (
        SELECT program_id, id FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= ${now}
        ORDER BY next_attempt_at LIMIT ${opts.batchSize ?? 50} FOR UPDATE SKIP LOCKED
      ) due
      WHERE o.program_id = due.program_id AND o.id = due.id AND p.id = o.program_id
      RETURNING o.program_id, coalesce((SELECT mp.time_zone FROM member_message_preferences mp WHERE mp.program_id = o.program_id AND mp.member_id = o.member_id), p.time_zone) AS time_zone, o.id, o.member_id, o.to_number, o.body, o.encoding, o.segments, o.kind, o.status, o.held_until,
                o.attempts, o.next_attempt_at, o.provider_id, o.cost, o.last_error, o.sent_at, o.delivery, o.delivered_at, o.created_by, o.created_at`.execute(db);
    if (claimed.rows.length === 0) break;
    for (const m of claimed.rows) {
      // A retry that falls in the night waits for the morning too (and does not count as an attempt).
      const held = quietUntil(now, m.time_zone);
      if (held) {
        await sql`UPDATE sms_outbox SET attempts = attempts - 1, next_attempt_at = ${held}, held_until = ${held} WHERE program_id = ${m.program_id} AND id = ${m.id}`.execute(db);
        report.held++;
        continue;
      }
      try {
        const whendelivered = opts.publicUrl ? `${opts.publicUrl}/v1/sms/delivery-reports/${await reportToken(db, m.program_id, m.id, now)}` : undefined;
        const sent = await provider.send({ from: opts.from, to: m.to_number, message: m.body, whendelivered });
        await sql`
          UPDATE sms_outbox SET status = 'sent', sent_at = ${now}, provider_id = ${sent.id}, cost = ${sent.cost},
            segments = coalesce(${sent.parts}::int, segments), last_error = NULL
          WHERE program_id = ${m.program_id} AND id = ${m.id}`.execute(db);
        report.sent++;
      } catch (err) {
        const retryable = !(err instanceof SmsSendError) || err.retryable;
        const last = !retryable || Number(m.attempts) >= (opts.maxAttempts ?? 6);
        await sql`
          UPDATE sms_outbox SET status = ${last ? 'failed' : 'pending'}, last_error = ${String((err as Error).message ?? err).slice(0, 1000)},
            next_attempt_at = ${new Date(now.getTime() + smsRetryDelayMs(Number(m.attempts)))}
          WHERE program_id = ${m.program_id} AND id = ${m.id}`.execute(db);
        if (last) report.failed++;
        else report.retried++;
      }
    }
  }
  return report;
}
