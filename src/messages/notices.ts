/**
 * Earn notices: when a member earns points, a short message on their channels saying how many and the
 * balance, with the next tip from the program's pool. Off unless the program turns them on (message
 * settings); event ingestion reads the setting with the batch's state (earnNoticesSubquery), so a program that
 * does not use them pays no statement for them.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Language } from '../i18n/index.js';
import { recipientLanguage, sendToMember, type Recipient } from './dispatch.js';
import { renderTemplate, templateFor, variablesFor } from './templates.js';
import { takeTip } from './tips.js';

export interface MessageSettings {
  earnNotices: boolean;
  updatedAt: Date | null;
}

export async function messageSettings(db: Db, programId: string): Promise<MessageSettings> {
  const { rows } = await sql<{ earn_notices: boolean; updated_at: Date | string }>`
    SELECT earn_notices, updated_at FROM message_settings WHERE program_id = ${programId}`.execute(db);
  return rows[0] ? { earnNotices: rows[0].earn_notices, updatedAt: new Date(rows[0].updated_at) } : { earnNotices: false, updatedAt: null };
}

/** Whether the program sends earn notices, as a column of a statement the caller sends anyway. */
export function earnNoticesSubquery(programId: string) {
  return sql<boolean>`coalesce((SELECT s.earn_notices FROM message_settings s WHERE s.program_id = ${programId}), false)`;
}

export async function setMessageSettings(trx: Db, programId: string, input: { earnNotices: boolean }, now: Date): Promise<MessageSettings> {
  await sql`
    INSERT INTO message_settings (program_id, earn_notices, updated_at) VALUES (${programId}, ${input.earnNotices}, ${now})
    ON CONFLICT (program_id) DO UPDATE SET earn_notices = excluded.earn_notices, updated_at = excluded.updated_at`.execute(trx);
  return { earnNotices: input.earnNotices, updatedAt: now };
}

export interface Earned {
  eventId: string;
  memberId: string;
  accountId: string;
  points: number;
}

/**
 * In the ingestion transaction: one earn notice per event a member earned points on, when the program sends them
 * (`enabled`, read in the transaction with earnNoticesSubquery).
 */
export async function queueEarnNotices(
  trx: Db,
  program: { id: string; name: string; timeZone: string; defaultLanguage: Language },
  earned: Earned[],
  now: Date,
  enabled: boolean,
): Promise<number> {
  if (earned.length === 0 || !enabled) return 0;
  const ids = [...new Set(earned.map((e) => e.memberId))];
  const { rows } = await sql<Recipient & { status: string }>`
    SELECT id, name, role, email, phone, language, status FROM members
    WHERE program_id = ${program.id} AND id = ANY(${ids}::uuid[])
      AND NOT EXISTS (SELECT 1 FROM member_erasures e WHERE e.program_id = members.program_id AND e.member_id = members.id)`.execute(trx);
  const members = new Map(rows.filter((m) => m.status === 'active').map((m) => [m.id, m]));
  let sent = 0;
  for (const e of earned) {
    const member = members.get(e.memberId);
    if (!member) continue;
    const language = recipientLanguage(member, program.defaultLanguage);
    const balances = await sql<{ id: string; available: number | string }>`
      SELECT id, available FROM wallets WHERE program_id = ${program.id} AND id = ANY(${[e.memberId, e.accountId]}::uuid[])`.execute(trx);
    const wallet = balances.rows.find((w) => w.id === e.memberId) ?? balances.rows.find((w) => w.id === e.accountId);
    const tip = await takeTip(trx, program.id, member.id, language, now);
    const vars = variablesFor('earn_notice', language, {
      name: member.name,
      programName: program.name,
      portalUrl: '',
      points: e.points,
      balance: Number(wallet?.available ?? 0),
      tip: tip?.text ?? '',
    });
    const rendered = renderTemplate(await templateFor(trx, program.id, 'earn_notice', language), vars, language);
    await sendToMember(trx, program.id, program, member, { template: 'earn_notice', rendered, language, key: `earn:${e.eventId}:${member.id}`, createdBy: 'system:earn_notice' }, 'transactional', now);
    sent++;
  }
  return sent;
}
