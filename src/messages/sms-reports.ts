/**
 * SMS delivery reports. Each message goes to 46elks with a `whendelivered` URL whose last segment is a token
 * signed with the program's link key: it names the program and the outbox row, so the public route needs no
 * sign-in and a made-up or changed URL is refused. 46elks posts `id`, `status` (sent, delivered or failed)
 * and, when delivered, `delivered` (UTC); the row keeps the outcome, which campaign counts then show.
 * A repeated report (46elks retries until it gets a 2xx) changes nothing more.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { splitSignedToken } from '../http/signed-tokens.js';
import { linkKey } from './links.js';

/** One byte saying what the token is for, so a token of another kind never verifies as a report token. */
const purpose = Buffer.from([0x64]);
const macBytes = 16;
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidOf = (b: Buffer) => b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
const mac = (key: Buffer, payload: Buffer) => createHmac('sha256', key).update(purpose).update(payload).digest().subarray(0, macBytes);

export async function reportToken(db: Db, programId: string, smsId: string, now: Date): Promise<string> {
  const payload = Buffer.concat([uuidBytes(programId), uuidBytes(smsId)]);
  return `${payload.toString('base64url')}.${mac(await linkKey(db, programId, now), payload).toString('base64url')}`;
}

/** The program and message a token names; anything changed, cut or made up is `sms_report_token_invalid`. */
export async function verifyReportToken(db: Db, token: string, now: Date): Promise<{ programId: string; smsId: string }> {
  const invalid = () => new LojalError('sms_report_token_invalid');
  const parts = splitSignedToken(token);
  if (!parts) throw invalid();
  const { payload, mac: givenMac } = parts;
  if (payload.length !== 32) throw invalid();
  const programId = uuidOf(payload.subarray(0, 16));
  const smsId = uuidOf(payload.subarray(16, 32));
  const program = await sql`SELECT 1 FROM programs WHERE id = ${programId}`.execute(db);
  if (program.rows.length === 0) throw invalid();
  const expected = mac(await linkKey(db, programId, now), payload);
  if (givenMac.length !== expected.length || !timingSafeEqual(givenMac, expected)) throw invalid();
  return { programId, smsId };
}

export interface DeliveryReport {
  /** 46elks' id of the message. */
  id: string;
  status: 'sent' | 'delivered' | 'failed';
  /** When delivered (UTC), as 46elks writes it: `2026-11-25 12:00:03.123456`. */
  delivered?: string | undefined;
}

/** 46elks' timestamp (UTC, space between date and time, no zone) as a Date; null when unreadable. */
export function parseElksTime(text: string | undefined): Date | null {
  if (!text) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?Z?$/.exec(text.trim());
  if (!m) return null;
  const d = new Date(`${m[1]}T${m[2]}${m[3] ? m[3].slice(0, 4) : ''}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Records a report on the message the token names. A report for another provider id than the message's is
 * refused (`sms_report_mismatch`); `sent` only notes that the carrier has it. A final outcome is not
 * overwritten by a later, older report: delivered stays delivered.
 */
export async function recordDeliveryReport(db: Db, token: string, report: DeliveryReport, now: Date): Promise<{ delivery: 'delivered' | 'failed' | null }> {
  const { programId, smsId } = await verifyReportToken(db, token, now);
  const { rows } = await sql<{ provider_id: string | null; delivery: 'delivered' | 'failed' | null }>`
    SELECT provider_id, delivery FROM sms_outbox WHERE program_id = ${programId} AND id = ${smsId}`.execute(db);
  const row = rows[0];
  if (!row) throw new LojalError('sms_report_token_invalid');
  // The report can come before the sender marked the message sent (46elks answers, then reports): the
  // provider id is then not yet stored, and the one in the report is taken.
  if (row.provider_id !== null && row.provider_id !== report.id) throw new LojalError('sms_report_mismatch', { id: report.id });
  if (report.status === 'sent' || row.delivery !== null) {
    await sql`UPDATE sms_outbox SET reported_at = ${now} WHERE program_id = ${programId} AND id = ${smsId}`.execute(db);
    return { delivery: row.delivery };
  }
  const deliveredAt = report.status === 'delivered' ? (parseElksTime(report.delivered) ?? now) : null;
  await sql`
    UPDATE sms_outbox SET delivery = ${report.status}, delivered_at = ${deliveredAt}, reported_at = ${now},
      provider_id = coalesce(provider_id, ${report.id})
    WHERE program_id = ${programId} AND id = ${smsId}`.execute(db);
  return { delivery: report.status };
}
