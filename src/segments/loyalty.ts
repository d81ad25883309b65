/**
 * The loyalty type of an account (seed 003: satisfaction-, price-, opportunity-, convenience-driven loyalty and
 * true advocates), decided from what the program can observe over the last 365 days. Pure: the nightly job
 * gathers the observations in SQL and calls this for each account; docs/segments.md states the same rules.
 */

export const loyaltyTypes = ['advocate', 'satisfaction', 'price', 'opportunistic', 'convenience', 'occasional', 'inactive'] as const;
export type LoyaltyType = (typeof loyaltyTypes)[number];

/** What the job observes per account in the scoring window. */
export interface Observations {
  /** Purchases in the window. */
  purchases: number;
  /** Calendar months (program time zone) with at least one purchase, 0–12. */
  activeMonths: number;
  /** Purchases marked as bought on an offer (attribute `campaign`, `discount` or `promo`). */
  offerPurchases: number;
  /** Distinct categories bought in the window. */
  categories: number;
  /** Events that are neither purchases nor returns (logins, trainings, surveys…). */
  engagements: number;
  /** Mean `score` of `survey` / `nps` events, on their own 0–10 scale; null without any. */
  surveyScore: number | null;
  /** `referral` events in the window. */
  referrals: number;
  /** RFM frequency quintile 1–5 (0: no purchase). */
  frequencyQuintile: number;
}

/** One reason, as an i18n key under `segments:reason.*` with its values. */
export interface Reason {
  key: string;
  params: Record<string, number>;
}

export interface Classification {
  type: LoyaltyType;
  reasons: Reason[];
}

/** The thresholds, named so the docs and the tests can say them. */
export const thresholds = {
  advocateFrequencyQuintile: 4,
  promoterScore: 9,
  priceOfferShare: 0.6,
  priceMinPurchases: 3,
  opportunisticOfferShare: 0.3,
  opportunisticMaxMonths: 3,
  steadyMonths: 6,
  satisfiedScore: 8,
  convenienceMonths: 4,
  convenienceMaxEngagements: 2,
} as const;

const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
const percent = (x: number) => Math.round(x * 100);

/** The first rule that holds decides; each type says which observations made it. */
export function classify(o: Observations): Classification {
  const t = thresholds;
  if (o.purchases === 0) return { type: 'inactive', reasons: [{ key: 'noPurchase', params: { days: 365 } }] };

  const offerShare = share(o.offerPurchases, o.purchases);
  const promoter = o.surveyScore !== null && o.surveyScore >= t.promoterScore;
  if (o.frequencyQuintile >= t.advocateFrequencyQuintile && (o.referrals > 0 || promoter)) {
    return {
      type: 'advocate',
      reasons: [
        { key: 'highFrequency', params: { quintile: o.frequencyQuintile } },
        o.referrals > 0 ? { key: 'referrals', params: { count: o.referrals } } : { key: 'promoter', params: { score: round1(o.surveyScore!) } },
      ],
    };
  }
  if (o.purchases >= t.priceMinPurchases && offerShare >= t.priceOfferShare) {
    return { type: 'price', reasons: [{ key: 'offerShare', params: { percent: percent(offerShare), purchases: o.purchases } }] };
  }
  if (offerShare >= t.opportunisticOfferShare && o.activeMonths <= t.opportunisticMaxMonths) {
    return {
      type: 'opportunistic',
      reasons: [
        { key: 'offerShare', params: { percent: percent(offerShare), purchases: o.purchases } },
        { key: 'fewMonths', params: { months: o.activeMonths } },
      ],
    };
  }
  if (o.activeMonths >= t.steadyMonths && o.surveyScore !== null && o.surveyScore >= t.satisfiedScore) {
    return {
      type: 'satisfaction',
      reasons: [
        { key: 'steady', params: { months: o.activeMonths } },
        { key: 'goodSurveys', params: { score: round1(o.surveyScore) } },
      ],
    };
  }
  if (o.activeMonths >= t.convenienceMonths && o.categories <= 1 && o.engagements <= t.convenienceMaxEngagements) {
    return {
      type: 'convenience',
      reasons: [
        { key: 'steady', params: { months: o.activeMonths } },
        { key: 'singleCategory', params: { categories: o.categories } },
        { key: 'lowEngagement', params: { engagements: o.engagements } },
      ],
    };
  }
  return { type: 'occasional', reasons: [{ key: 'noPattern', params: { purchases: o.purchases, months: o.activeMonths } }] };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Quintile 1–5 from a cumulative share (0 < share ≤ 1); equal values share a quintile. */
export function quintile(cumulativeShare: number): number {
  return Math.min(5, Math.max(1, Math.ceil(cumulativeShare * 5 - 1e-9)));
}

/**
 * The middle band (seed 000): the customers who "just are satisfied" and buy moderately — not the best 15 %
 * (already loyal) nor the weakest 15 % by RFM rank. Its ready-made segment uses these bounds.
 */
export const middleBand = { fromRankPercent: 15, toRankPercent: 84 } as const;
