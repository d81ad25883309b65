/**
 * A program's surprises (what each occasion gives and says), members' birthdays, and what was paid.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { languages, type Language } from '../i18n/index.js';
import { isoDate, localDate } from '../rules/calendar.js';

export const surpriseKinds = ['birthday', 'anniversary', 'orders', 'lifetime_points', 'tier', 'seasonal'] as const;
export type SurpriseKind = (typeof surpriseKinds)[number];

const messageSchema = z
  .partialRecord(z.enum(languages), z.string().trim().min(1).max(2000))
  .describe('The program’s own words for the message, per language (en, sv, nb, pl, de); {{name}} and {{points}} are filled in. A missing language uses the built-in text.');

export const surpriseInputSchema = z
  .object({
    key: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - and _').describe('Names the surprise: e.g. birthday, tenth-order, christmas'),
    kind: z.enum(surpriseKinds).describe('birthday, anniversary (of joining), orders (the Nth purchase), lifetime_points, tier (a level reached) or seasonal (a day of the year)'),
    enabled: z.boolean().default(true),
    points: z.number().int().min(0).max(1_000_000).default(0).describe('Points paid through the ledger (0 with a reward)'),
    rewardId: z.uuid().nullable().default(null).describe('A reward given instead: its price is credited and the reward ordered for the member'),
    month: z.number().int().min(1).max(12).nullable().default(null).describe('Seasonal: the month of the greeting'),
    day: z.number().int().min(1).max(31).nullable().default(null).describe('Seasonal: the day of the greeting (29 February falls on the 28th in other years)'),
    threshold: z.number().int().min(1).max(1_000_000_000).nullable().default(null).describe('Orders: the how-many-th purchase (e.g. 10); lifetime_points: the points earned in all (e.g. 100000)'),
    tierKey: z.string().trim().min(1).max(40).nullable().default(null).describe('Tier: the level whose reaching is celebrated'),
    message: messageSchema.default({}),
  })
  .strict();
export type SurpriseInput = z.output<typeof surpriseInputSchema>;

export interface Surprise extends SurpriseInput {
  activeFrom: string;
  updatedAt: Date;
}

interface Row {
  key: string;
  kind: SurpriseKind;
  enabled: boolean;
  points: number;
  reward_id: string | null;
  month: number | null;
  day: number | null;
  threshold: string | number | null;
  tier_key: string | null;
  message: Partial<Record<Language, string>>;
  active_from: string | Date;
  updated_at: Date | string;
}

const toSurprise = (r: Row): Surprise => ({
  key: r.key,
  kind: r.kind,
  enabled: r.enabled,
  points: r.points,
  rewardId: r.reward_id,
  month: r.month,
  day: r.day,
  threshold: r.threshold === null ? null : Number(r.threshold),
  tierKey: r.tier_key,
  message: r.message,
  activeFrom: typeof r.active_from === 'string' ? r.active_from.slice(0, 10) : r.active_from.toISOString().slice(0, 10),
  updatedAt: new Date(r.updated_at),
});

export async function listSurprises(db: Db, programId: string): Promise<Surprise[]> {
  const { rows } = await sql<Row>`
    SELECT key, kind, enabled, points, reward_id, month, day, threshold, tier_key, message, active_from::text AS active_from, updated_at
    FROM surprises WHERE program_id = ${programId} ORDER BY kind, key`.execute(db);
  return rows.map(toSurprise);
}

/** Checks what zod cannot see alone: each kind's own fields, a real day, a reward of this program. */
async function validate(db: Db, programId: string, s: SurpriseInput): Promise<void> {
  const bad = (reason: string) => new LojalError('surprise_invalid', { key: s.key, reason });
  if (s.kind === 'seasonal') {
    if (s.month === null || s.day === null) throw bad('a seasonal surprise needs its month and day');
    if (s.day > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][s.month - 1]!) throw bad(`there is no day ${s.day} in month ${s.month}`);
  }
  if ((s.kind === 'orders' || s.kind === 'lifetime_points') && s.threshold === null) throw bad('a milestone needs its threshold');
  if (s.kind === 'tier' && !s.tierKey) throw bad('a tier surprise needs the tier key');
  if (s.points === 0 && s.rewardId === null) throw bad('give points or a reward');
  if (s.rewardId !== null) {
    const { rows } = await sql`SELECT 1 FROM rewards WHERE program_id = ${programId} AND id = ${s.rewardId}`.execute(db);
    if (rows.length === 0) throw new LojalError('unknown_reward', { reward: s.rewardId });
  }
}

/**
 * Creates or replaces one surprise. Switching one on (or creating it) sets the day from which occasions count,
 * so a birthday last week is not paid by a surprise created today.
 */
export async function saveSurprise(db: Db, program: { id: string; timeZone: string }, s: SurpriseInput, now: Date): Promise<Surprise> {
  await validate(db, program.id, s);
  const today = isoDate(localDate(now, program.timeZone));
  const { rows } = await sql<Row>`
    INSERT INTO surprises (program_id, key, kind, enabled, points, reward_id, month, day, threshold, tier_key, message, active_from, updated_at)
    VALUES (${program.id}, ${s.key}, ${s.kind}, ${s.enabled}, ${s.points}, ${s.rewardId}, ${s.month}, ${s.day}, ${s.threshold}, ${s.tierKey},
            ${JSON.stringify(s.message)}::jsonb, ${today}::date, ${now})
    ON CONFLICT (program_id, key) DO UPDATE SET kind = excluded.kind, enabled = excluded.enabled, points = excluded.points,
      reward_id = excluded.reward_id, month = excluded.month, day = excluded.day, threshold = excluded.threshold,
      tier_key = excluded.tier_key, message = excluded.message, updated_at = excluded.updated_at,
      active_from = CASE WHEN surprises.enabled THEN surprises.active_from ELSE excluded.active_from END
    RETURNING key, kind, enabled, points, reward_id, month, day, threshold, tier_key, message, active_from::text AS active_from, updated_at`.execute(db);
  return toSurprise(rows[0]!);
}

export async function deleteSurprise(db: Db, programId: string, key: string): Promise<void> {
  const res = await sql`DELETE FROM surprises WHERE program_id = ${programId} AND key = ${key}`.execute(db);
  if (Number(res.numAffectedRows ?? 0) === 0) throw new LojalError('not_found', { entity: 'surprise', id: key });
}

export interface Birthday {
  month: number;
  day: number;
  year: number | null;
}

export const birthdaySchema = z
  .object({
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
    year: z.number().int().min(1900).max(2100).nullable().optional().describe('Optional: only kept when the member gives it'),
  })
  .strict()
  .meta({ id: 'Birthday', description: 'A birthday: day and month; the year only if the member chose to give it.' });

export async function getBirthday(db: Db, programId: string, memberId: string): Promise<Birthday | null> {
  const { rows } = await sql<Birthday>`SELECT month, day, year FROM member_birthdays WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(db);
  return rows[0] ?? null;
}

export async function setBirthday(db: Db, programId: string, memberId: string, b: z.output<typeof birthdaySchema> | null, now: Date): Promise<Birthday | null> {
  if (b === null) {
    await sql`DELETE FROM member_birthdays WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(db);
    return null;
  }
  const leap = b.year == null || (b.year % 4 === 0 && b.year % 100 !== 0) || b.year % 400 === 0;
  const max = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][b.month - 1]!;
  if (b.day > max) throw new LojalError('birthday_invalid', { month: b.month, day: b.day });
  await sql`
    INSERT INTO member_birthdays (program_id, member_id, month, day, year, updated_at)
    VALUES (${programId}, ${memberId}, ${b.month}, ${b.day}, ${b.year ?? null}, ${now})
    ON CONFLICT (program_id, member_id) DO UPDATE SET month = excluded.month, day = excluded.day, year = excluded.year, updated_at = excluded.updated_at`.execute(db);
  return { month: b.month, day: b.day, year: b.year ?? null };
}

/** Erasure: a birthday is personal data and goes with the member. */
export async function eraseBirthday(trx: Db, programId: string, memberId: string): Promise<void> {
  await sql`DELETE FROM member_birthdays WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
}

export interface SurprisePayout {
  memberId: string;
  memberName: string;
  surpriseKey: string;
  kind: SurpriseKind;
  occasion: string;
  points: number;
  journalId: string | null;
  rewardId: string | null;
  orderId: string | null;
  orderError: string | null;
  paidAt: Date;
}

/** What was paid, newest first; one member's only when given. */
export async function listPayouts(db: Db, programId: string, opts: { memberId?: string | undefined; limit: number }): Promise<SurprisePayout[]> {
  const { rows } = await sql<{
    member_id: string; name: string; surprise_key: string; kind: SurpriseKind; occasion: string; points: number;
    journal_id: string | null; reward_id: string | null; order_id: string | null; order_error: string | null; paid_at: Date | string;
  }>`
    SELECT p.member_id, m.name, p.surprise_key, p.kind, p.occasion, p.points, p.journal_id, p.reward_id, p.order_id, p.order_error, p.paid_at
    FROM surprise_payouts p JOIN members m ON m.program_id = p.program_id AND m.id = p.member_id
    WHERE p.program_id = ${programId} ${opts.memberId ? sql`AND p.member_id = ${opts.memberId}` : sql``}
    ORDER BY p.paid_at DESC, p.member_id, p.surprise_key LIMIT ${opts.limit}`.execute(db);
  return rows.map((r) => ({
    memberId: r.member_id,
    memberName: r.name,
    surpriseKey: r.surprise_key,
    kind: r.kind,
    occasion: r.occasion,
    points: r.points,
    journalId: r.journal_id,
    rewardId: r.reward_id,
    orderId: r.order_id,
    orderError: r.order_error,
    paidAt: new Date(r.paid_at),
  }));
}
