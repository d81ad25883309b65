/**
 * Who may order a reward, and when: pure functions over the reward's conditions and the buyer's facts,
 * so the shop listing ("can I have it?") and the order itself apply exactly the same rules.
 */
import { daysFromCivil, isoWeekday, type LocalDate } from '../rules/calendar.js';
import type { LimitPeriod } from '../db/schema.js';

export interface RewardConditions {
  active: boolean;
  validFrom: Date | null;
  validUntil: Date | null;
  /** Rank of the lowest tier that may order; null: every member. */
  minTierRank: number | null;
  /** Open to buyers whose tier level carries one of these reward tags; empty: no such condition. */
  tierTags: string[];
  segments: string[];
  roles: string[];
  countries: string[];
}

export interface Buyer {
  /** The better of the member's own tier and the company's, as a rank; null below the lowest tier. */
  tierRank: number | null;
  /** The reward tags of the member's and the company's levels. */
  tierTags: string[];
  role: string | null;
  segment: string | null;
  /** Keys of the segments (src/segments) the member or their company belongs to; absent: none. */
  segments?: readonly string[] | undefined;
  country: string | null;
}

/** Why a buyer may not order; empty when they may. */
export type Ineligibility =
  | { reason: 'inactive' }
  | { reason: 'not_yet_valid'; from: Date }
  | { reason: 'expired'; until: Date }
  | { reason: 'tier'; required: number }
  | { reason: 'tier_tag'; tags: string[] }
  | { reason: 'segment'; allowed: string[] }
  | { reason: 'role'; allowed: string[] }
  | { reason: 'country'; allowed: string[] };

export function ineligibilities(reward: RewardConditions, buyer: Buyer, now: Date): Ineligibility[] {
  const out: Ineligibility[] = [];
  if (!reward.active) out.push({ reason: 'inactive' });
  if (reward.validFrom && now < reward.validFrom) out.push({ reason: 'not_yet_valid', from: reward.validFrom });
  if (reward.validUntil && now >= reward.validUntil) out.push({ reason: 'expired', until: reward.validUntil });
  if (reward.minTierRank !== null && (buyer.tierRank ?? 0) < reward.minTierRank) out.push({ reason: 'tier', required: reward.minTierRank });
  if (reward.tierTags.length > 0 && !reward.tierTags.some((t) => buyer.tierTags.includes(t))) out.push({ reason: 'tier_tag', tags: reward.tierTags });
  const restricts = (allowed: string[], value: string | null) => allowed.length > 0 && (value === null || !allowed.includes(value));
  const inSegment = (buyer.segments ?? []).some((k) => reward.segments.includes(k));
  if (restricts(reward.segments, buyer.segment) && !inSegment) out.push({ reason: 'segment', allowed: reward.segments });
  if (restricts(reward.roles, buyer.role)) out.push({ reason: 'role', allowed: reward.roles });
  if (restricts(reward.countries, buyer.country)) out.push({ reason: 'country', allowed: reward.countries });
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function civilFromDays(days: number): LocalDate {
  const d = new Date(days * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export const isoLocalDate = (d: LocalDate) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;

/**
 * The first day of the limit period that holds `today`, as `YYYY-MM-DD` on the program's calendar
 * (weeks start on Monday); null for a lifetime limit, which counts every order.
 */
export function periodStart(period: LimitPeriod, today: LocalDate): string | null {
  switch (period) {
    case 'day':
      return isoLocalDate(today);
    case 'week':
      return isoLocalDate(civilFromDays(daysFromCivil(today.year, today.month, today.day) - (isoWeekday(today) - 1)));
    case 'month':
      return isoLocalDate({ ...today, day: 1 });
    case 'quarter':
      return isoLocalDate({ year: today.year, month: today.month - ((today.month - 1) % 3), day: 1 });
    case 'year':
      return isoLocalDate({ year: today.year, month: 1, day: 1 });
    case 'lifetime':
      return null;
  }
}
