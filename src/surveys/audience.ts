/** Who a survey or quiz is for (pure): the whole program, or members by role, tier, account segment or tags. */
import { z } from 'zod';

const list = z.array(z.string().trim().min(1).max(100)).max(50);

/** Each given list narrows the audience ("any of" within a list, all lists must match); empty: everybody. */
export const audienceSchema = z
  .object({
    roles: list.optional().describe('Member roles (e.g. `buyer`, `installer`)'),
    /** The member's or the account's tier. */
    tiers: list.optional().describe('Tier codes: the member\'s or the account\'s tier'),
    /** The account's segment field. */
    segments: list.optional().describe('Values of the account\'s segment field'),
    /** A tag on the member or the account. */
    tags: list.optional().describe('Tags on the member or the account'),
  })
  .strict()
  .meta({
    id: 'FormAudience',
    description: 'Who a survey or quiz is for. Each given list narrows it ("any of" within a list; every given list must match); empty: every member.',
  });
export type Audience = z.infer<typeof audienceSchema>;

export interface Respondent {
  role: string | null;
  memberTier: string | null;
  memberTags: readonly string[];
  accountTier: string | null;
  accountTags: readonly string[];
  segment: string | null;
}

const given = (l: readonly string[] | undefined): l is readonly string[] => Array.isArray(l) && l.length > 0;

export function inAudience(a: Audience, r: Respondent): boolean {
  if (given(a.roles) && !(r.role !== null && a.roles.includes(r.role))) return false;
  if (given(a.tiers) && !a.tiers.some((t) => t === r.memberTier || t === r.accountTier)) return false;
  if (given(a.segments) && !(r.segment !== null && a.segments.includes(r.segment))) return false;
  if (given(a.tags) && !a.tags.some((t) => r.memberTags.includes(t) || r.accountTags.includes(t))) return false;
  return true;
}

/** Open at `now`: published, after opensAt (if any), before closesAt (if any). */
export function openState(s: { status: string; opensAt: Date | null; closesAt: Date | null }, now: Date): 'open' | 'not_open' | 'closed' {
  if (s.status === 'closed' || (s.closesAt && now >= s.closesAt)) return 'closed';
  if (s.status !== 'published' || (s.opensAt && now < s.opensAt)) return 'not_open';
  return 'open';
}
