/**
 * The ROI arithmetic of docs/insight.md#roi as pure functions: the difference in differences of members against
 * non-members around the month each member joined, its cluster-robust standard error, and the return on the
 * program's cost. roi.ts only sums per account in SQL; everything here is tested on hand-made data
 * (test/insight/roi.test.ts).
 *
 * Design ("stacked" by join month): member i joined in month J_i; its change is
 *
 *     Δ_i = mean value over months J_i+1 … J_i+K  −  mean value over months J_i−K … J_i−1
 *
 * (the join month itself is left out: part of it is before). A non-member j has no join month, so it is compared
 * over the same calendar windows as the members, weighted by how many members joined in each month m (w_m):
 *
 *     g_j = Σ_m w_m · (mean over m+1 … m+K − mean over m−K … m−1)
 *
 * DiD = mean_i Δ_i − mean_j g_j. Accounts are independent clusters of months, so its variance is
 * var(Δ)/n_members + var(g)/n_non-members (sample variances), and the 95 % interval is DiD ± 1.96 · SE.
 */

/** Two-sided 95 % quantile of the normal distribution. */
export const Z95 = 1.959963984540054;

export interface Window {
  /** Mean monthly value in the K months before joining (or the weighted calendar windows, for a non-member). */
  before: number;
  after: number;
}

export interface GroupMeans {
  accounts: number;
  before: number | null;
  after: number | null;
}

export interface DiffInDiff {
  members: GroupMeans;
  nonMembers: GroupMeans;
  /** Members' change − non-members' change, per account and month; null when either group is empty. */
  estimate: number | null;
  standardError: number | null;
  low: number | null;
  high: number | null;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Sample variance (n − 1); 0 for a single value. */
function variance(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

export function differenceInDifferences(members: Window[], nonMembers: Window[]): DiffInDiff {
  const group = (ws: Window[]): GroupMeans => ({ accounts: ws.length, before: mean(ws.map((w) => w.before)), after: mean(ws.map((w) => w.after)) });
  const dm = members.map((w) => w.after - w.before);
  const dn = nonMembers.map((w) => w.after - w.before);
  const out = { members: group(members), nonMembers: group(nonMembers) };
  if (!dm.length || !dn.length) return { ...out, estimate: null, standardError: null, low: null, high: null };
  const estimate = mean(dm)! - mean(dn)!;
  const standardError = Math.sqrt(variance(dm) / dm.length + variance(dn) / dn.length);
  return { ...out, estimate, standardError, low: estimate - Z95 * standardError, high: estimate + Z95 * standardError };
}

/** Months as integers (year × 12 + month − 1), so windows are plain arithmetic. */
export const monthIndex = (day: string) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
export const monthOf = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;

/** A member's windows from its monthly values (index → value; months without purchases are 0). */
export function memberWindow(values: Map<number, number>, joinMonth: number, k: number): Window {
  let before = 0;
  let after = 0;
  for (let t = 1; t <= k; t++) {
    before += values.get(joinMonth - t) ?? 0;
    after += values.get(joinMonth + t) ?? 0;
  }
  return { before: before / k, after: after / k };
}

/**
 * The weight of each calendar month in a non-member's windows: with members joining in months m (count n_m of n),
 * a non-member's `before` is Σ_t value_t · beforeWeight_t, and likewise `after`.
 */
export function calendarWeights(joins: Map<number, number>, k: number): Map<number, { before: number; after: number }> {
  const total = [...joins.values()].reduce((a, b) => a + b, 0);
  const out = new Map<number, { before: number; after: number }>();
  const add = (t: number, key: 'before' | 'after', w: number) => {
    const cell = out.get(t) ?? { before: 0, after: 0 };
    cell[key] += w;
    out.set(t, cell);
  };
  if (!total) return out;
  for (const [m, n] of joins) {
    const w = n / total / k;
    for (let t = 1; t <= k; t++) {
      add(m - t, 'before', w);
      add(m + t, 'after', w);
    }
  }
  return out;
}

/** A non-member's windows from its monthly values and the calendar weights. */
export function nonMemberWindow(values: Map<number, number>, weights: Map<number, { before: number; after: number }>): Window {
  let before = 0;
  let after = 0;
  for (const [t, w] of weights) {
    const v = values.get(t) ?? 0;
    before += v * w.before;
    after += v * w.after;
  }
  return { before, after };
}

export interface ProgramCost {
  /** Points redeemed × the point's cost, minor units. */
  redemptions: number;
  /** Points paid out of campaign budgets × the point's cost. */
  campaigns: number;
  /** Reward orders × the fulfilment cost per order. */
  fulfilment: number;
  total: number;
}

/** Points × point value (millionths of a minor unit per point), rounded half up to a minor unit. */
export const pointsInMoney = (points: number, pointValueMicros: number) => Math.round((points * pointValueMicros) / 1_000_000);

export function programCost(input: { redeemedPoints: number; campaignPoints: number; pointValueMicros: number; orders: number; fulfilmentPerOrder: number }): ProgramCost {
  const redemptions = pointsInMoney(input.redeemedPoints, input.pointValueMicros);
  const campaigns = pointsInMoney(input.campaignPoints, input.pointValueMicros);
  const fulfilment = input.orders * input.fulfilmentPerOrder;
  return { redemptions, campaigns, fulfilment, total: redemptions + campaigns + fulfilment };
}

export interface Roi {
  /** DiD of margin per account and month × member-months in the range, minor units. */
  incrementalMargin: number | null;
  incrementalMarginLow: number | null;
  incrementalMarginHigh: number | null;
  /** (incremental margin − cost) ÷ cost; null without a cost or an estimate. */
  roi: number | null;
  roiLow: number | null;
  roiHigh: number | null;
}

/** The return on the program's cost, with the interval carried over from the margin DiD (the cost is counted, not estimated). */
export function returnOnInvestment(marginDid: DiffInDiff, memberMonths: number, cost: number): Roi {
  const scale = (x: number | null) => (x === null ? null : Math.round(x * memberMonths));
  const incrementalMargin = scale(marginDid.estimate);
  const incrementalMarginLow = scale(marginDid.low);
  const incrementalMarginHigh = scale(marginDid.high);
  const r = (m: number | null) => (m === null || cost <= 0 ? null : (m - cost) / cost);
  return { incrementalMargin, incrementalMarginLow, incrementalMarginHigh, roi: r(incrementalMargin), roiLow: r(incrementalMarginLow), roiHigh: r(incrementalMarginHigh) };
}

/** Margin rates by margin class, from `A:35,B:20` (percent); the empty class is written `-`. */
export function parseMarginRates(text: string | undefined): Map<string, number> | null {
  const out = new Map<string, number>();
  if (!text) return out;
  for (const part of text.split(',')) {
    const m = /^\s*([^:]{1,40}):\s*(\d{1,3}(?:\.\d{1,2})?)\s*$/.exec(part);
    if (!m) return null;
    const pct = Number(m[2]);
    if (pct > 100) return null;
    out.set(m[1]!.trim() === '-' ? '' : m[1]!.trim(), pct / 100);
  }
  return out;
}
