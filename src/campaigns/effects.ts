/**
 * What a campaign adds to a purchase, its control group and its measured uplift: pure functions, table-tested.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EngineLine } from '../rules/types.js';

export const campaignEffectSchema = z
  .discriminatedUnion('type', [
    /** Double points and the like: the purchase's points from the rules × (factor − 1) on top. */
    z
      .strictObject({
        type: z.literal('multiplier'),
        factor: z
          .number()
          .min(1.01)
          .max(10)
          .refine((f) => Math.abs(f * 100 - Math.round(f * 100)) < 1e-9, 'at most two decimals')
          .describe('The purchase’s points from the rules times this (at most two decimals); 2 is double points'),
      })
      .describe('The rules’ points multiplied'),
    /** Extra points per amount on a product line: lines of a category and/or brand. */
    z
      .strictObject({
        type: z.literal('lineBonus'),
        category: z.string().trim().min(1).max(100).optional().describe('Lines of this category code'),
        brand: z.string().trim().min(1).max(100).optional().describe('Lines of this brand'),
        points: z.number().int().min(1).max(1_000_000).describe('Points for each `per` of the line amount'),
        per: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('Line amount in minor units that earns `points`'),
      })
      .refine((e) => e.category !== undefined || e.brand !== undefined, 'name a category or a brand')
      .describe('Extra points per amount on the lines of a category and/or brand (name at least one)'),
    /** A fixed bonus for each purchase in the campaign. */
    z.strictObject({ type: z.literal('fixed'), points: z.number().int().min(1).max(1_000_000).describe('Points per purchase') }).describe('A fixed bonus for each purchase'),
  ])
  .meta({ id: 'CampaignEffect', description: 'What a campaign adds to a purchase in its window, on top of the earning rules, paid from its budget.' });
export type CampaignEffect = z.infer<typeof campaignEffectSchema>;

export interface BonusPart {
  effect: CampaignEffect['type'];
  points: number;
}

/** The campaign's bonus for one purchase: each effect on its own, added up (never negative, whole points). */
export function campaignBonus(effects: readonly CampaignEffect[], lines: readonly EngineLine[], rulePoints: number): { points: number; parts: BonusPart[] } {
  const parts: BonusPart[] = [];
  for (const e of effects) {
    let points = 0;
    if (e.type === 'multiplier') points = Math.floor((rulePoints * Math.round(e.factor * 100 - 100)) / 100);
    else if (e.type === 'fixed') points = e.points;
    else {
      const amount = lines
        .filter((l) => (e.category === undefined || l.category === e.category) && (e.brand === undefined || l.brand === e.brand))
        .reduce((s, l) => s + l.amount, 0);
      points = Math.floor(amount / e.per) * e.points;
    }
    if (points > 0) parts.push({ effect: e.type, points });
  }
  return { points: parts.reduce((s, p) => s + p.points, 0), parts };
}

/**
 * The account's place in the campaign: a number 0–99 from md5(campaign:account), the same in SQL
 * (`controlBucketSql`), so the held-out share is fixed for the campaign's life and reproducible in reports.
 */
export function controlBucket(campaignId: string, accountId: string): number {
  const hex = createHash('md5').update(`${campaignId}:${accountId}`).digest('hex').slice(0, 8);
  return parseInt(hex, 16) % 100;
}

export const inControlGroup = (campaignId: string, accountId: string, controlPercent: number) => controlBucket(campaignId, accountId) < controlPercent;

export interface GroupStats {
  n: number;
  mean: number;
  /** Sample variance (n − 1). */
  variance: number;
}

export interface Uplift {
  /** Treatment mean − control mean, per account. */
  difference: number;
  /** Relative to the control mean (null when the control mean is 0). */
  relative: number | null;
  /** 95 % confidence interval of the difference (Welch's unequal variances, normal approximation). */
  low: number;
  high: number;
  /** Whether the interval excludes zero. */
  significant: boolean;
}

/** The uplift of the treated over the held-out group; null when either group has fewer than 2 accounts. */
export function uplift(treatment: GroupStats, control: GroupStats, z95 = 1.959964): Uplift | null {
  if (treatment.n < 2 || control.n < 2) return null;
  const difference = treatment.mean - control.mean;
  const se = Math.sqrt(treatment.variance / treatment.n + control.variance / control.n);
  const low = difference - z95 * se;
  const high = difference + z95 * se;
  return { difference, relative: control.mean !== 0 ? difference / control.mean : null, low, high, significant: low > 0 || high < 0 };
}
