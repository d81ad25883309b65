/**
 * Which channels a member is reached on. Transactional messages (about their own points, orders, claims)
 * go on the member's own choice, or else the default the program set for the member's role (a foreman:
 * SMS and the inbox; a buyer: e-mail), or else the program's default for everyone. Marketing is kept apart:
 * it goes only on the channels the member gave marketing consent for (src/privacy/consent.ts), whatever
 * the transactional choice. Quiet hours for SMS are counted in the member's time zone when they set one.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { consentHistory, hasConsent, type ConsentPurpose } from '../privacy/consent.js';
import { e164 } from './sms.js';

export const messageChannels = ['email', 'sms', 'inbox'] as const;
export type MessageChannel = (typeof messageChannels)[number];

/** The role key of the program-wide default (a member without a role, or a role without a row of its own). */
export const anyRole = '';
/** Without any setting: e-mail and the inbox, what every member has. */
export const builtInChannels: MessageChannel[] = ['email', 'inbox'];

const ordered = (channels: readonly string[]): MessageChannel[] => messageChannels.filter((c) => channels.includes(c));

export interface RoleDefault {
  role: string;
  channels: MessageChannel[];
  updatedAt: Date;
}

export async function listRoleDefaults(db: Db, programId: string): Promise<RoleDefault[]> {
  const { rows } = await sql<{ role: string; channels: string[]; updated_at: Date | string }>`
    SELECT role, channels, updated_at FROM message_channel_defaults WHERE program_id = ${programId} ORDER BY role`.execute(db);
  return rows.map((r) => ({ role: r.role, channels: ordered(r.channels), updatedAt: new Date(r.updated_at) }));
}

/** Replaces the program's defaults: one row per role ('' for everyone else). */
export async function setRoleDefaults(trx: Db, programId: string, defaults: Array<{ role: string; channels: MessageChannel[] }>, now: Date): Promise<RoleDefault[]> {
  const roles = defaults.map((d) => d.role.trim());
  if (new Set(roles).size !== roles.length) throw new LojalError('channel_role_duplicate', { role: roles.find((r, i) => roles.indexOf(r) !== i)! });
  for (const d of defaults) if (d.channels.length === 0) throw new LojalError('channels_empty', { role: d.role });
  await sql`DELETE FROM message_channel_defaults WHERE program_id = ${programId}`.execute(trx);
  for (const d of defaults) {
    await sql`INSERT INTO message_channel_defaults (program_id, role, channels, updated_at)
      VALUES (${programId}, ${d.role.trim()}, ${ordered(d.channels)}::text[], ${now})`.execute(trx);
  }
  return listRoleDefaults(trx, programId);
}

export interface MemberPreferences {
  /** The member's own choice for transactional messages; null: the role's default applies. */
  channels: MessageChannel[] | null;
  /** What applies now: the member's choice or the default. */
  effective: MessageChannel[];
  /** Where the effective channels come from. */
  source: 'member' | 'role' | 'program' | 'built_in';
  /** The channels the member can be reached on at all (an address or number on file). */
  reachable: MessageChannel[];
  timeZone: string | null;
}

interface MemberContact {
  id: string;
  role: string | null;
  email: string | null;
  phone: string | null;
}

export async function memberPreferences(db: Db, programId: string, member: MemberContact): Promise<MemberPreferences> {
  const { rows } = await sql<{ own: string[] | null; time_zone: string | null; by_role: string[] | null; by_any: string[] | null }>`
    SELECT
      (SELECT channels FROM member_message_preferences WHERE program_id = ${programId} AND member_id = ${member.id}) AS own,
      (SELECT time_zone FROM member_message_preferences WHERE program_id = ${programId} AND member_id = ${member.id}) AS time_zone,
      (SELECT channels FROM message_channel_defaults WHERE program_id = ${programId} AND role = ${member.role ?? anyRole} AND ${member.role ?? anyRole} <> '') AS by_role,
      (SELECT channels FROM message_channel_defaults WHERE program_id = ${programId} AND role = '') AS by_any`.execute(db);
  const r = rows[0]!;
  const reachable = messageChannels.filter((c) => (c === 'email' ? !!member.email : c === 'sms' ? !!(member.phone && e164(member.phone)) : true));
  const [effective, source]: [MessageChannel[], MemberPreferences['source']] = r.own
    ? [ordered(r.own), 'member']
    : r.by_role
      ? [ordered(r.by_role), 'role']
      : r.by_any
        ? [ordered(r.by_any), 'program']
        : [builtInChannels, 'built_in'];
  return { channels: r.own ? ordered(r.own) : null, effective, source, reachable, timeZone: r.time_zone };
}

/** The zone a member's SMS quiet hours are counted in: their own if they set one, else the program's. */
export async function quietHoursZone(db: Db, programId: string, memberId: string, programZone: string): Promise<string> {
  const { rows } = await sql<{ time_zone: string | null }>`
    SELECT time_zone FROM member_message_preferences WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(db);
  return rows[0]?.time_zone ?? programZone;
}

/** A valid IANA zone name, as Intl knows them. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The member's own choice (null channels: back to the default). */
export async function setMemberPreferences(
  trx: Db,
  programId: string,
  member: MemberContact,
  input: { channels?: MessageChannel[] | null | undefined; timeZone?: string | null | undefined },
  now: Date,
): Promise<MemberPreferences> {
  if (input.channels && input.channels.length === 0) throw new LojalError('channels_empty', { role: member.role ?? '' });
  if (input.timeZone && !isTimeZone(input.timeZone)) throw new LojalError('time_zone_unknown', { timeZone: input.timeZone });
  const current = await memberPreferences(trx, programId, member);
  if (input.channels) {
    // A channel the member cannot be reached on (no number for SMS) cannot be chosen.
    const missing = input.channels.find((c) => !current.reachable.includes(c));
    if (missing) throw new LojalError('channel_unreachable', { channel: missing });
  }
  const channels = input.channels === undefined ? current.channels : input.channels === null ? null : ordered(input.channels);
  const timeZone = input.timeZone === undefined ? current.timeZone : input.timeZone;
  await sql`
    INSERT INTO member_message_preferences (program_id, member_id, channels, time_zone, updated_at)
    VALUES (${programId}, ${member.id}, ${channels}::text[], ${timeZone}, ${now})
    ON CONFLICT (program_id, member_id) DO UPDATE SET channels = excluded.channels, time_zone = excluded.time_zone, updated_at = excluded.updated_at`.execute(trx);
  return memberPreferences(trx, programId, member);
}

/**
 * The channels one message goes on: transactional ones on the effective choice, marketing ones on the
 * channels with consent for the purpose; both only where the member can be reached.
 */
export async function channelsFor(
  db: Db,
  programId: string,
  member: MemberContact,
  category: 'transactional' | { purpose: ConsentPurpose },
): Promise<{ channels: MessageChannel[]; timeZone: string | null }> {
  const prefs = await memberPreferences(db, programId, member);
  if (category === 'transactional') return { channels: prefs.effective.filter((c) => prefs.reachable.includes(c)), timeZone: prefs.timeZone };
  const history = await consentHistory(db, programId, member.id);
  return { channels: prefs.reachable.filter((c) => hasConsent(history, category.purpose, c)), timeZone: prefs.timeZone };
}

/** Erasure: the member's own channel choice and time zone go (a later default would apply, were they reached). */
export async function eraseMemberPreferences(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await sql`DELETE FROM member_message_preferences WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}
