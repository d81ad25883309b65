/**
 * The co-op rule (seed 002, BWT): the manufacturer pays half of an ad's cost when only its brand appears,
 * and its share shrinks in proportion to the other makers' brands shown: 50 % / (1 + other brands),
 * rounded down to whole minor units, and never more than the dealer's fund holds when it is approved.
 */
export const COOP_SHARE_PERCENT = 50;

/** The manufacturer's share of `cost` (minor units) for an ad showing `otherBrands` other makers' brands. */
export function coopShare(cost: number, otherBrands: number): number {
  if (!Number.isSafeInteger(cost) || cost < 0) throw new RangeError(`cost must be a non-negative safe integer, got ${cost}`);
  if (!Number.isInteger(otherBrands) || otherBrands < 0) throw new RangeError(`otherBrands must be a non-negative integer, got ${otherBrands}`);
  // BigInt: cost × 50 can pass 2^53 for large costs, and the division must round down exactly.
  return Number((BigInt(cost) * BigInt(COOP_SHARE_PERCENT)) / (100n * BigInt(1 + otherBrands)));
}

/** What is paid: the share, capped by the fund's balance at approval. */
export function reimbursement(share: number, fundBalance: number): number {
  return Math.max(0, Math.min(share, fundBalance));
}
