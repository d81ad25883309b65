/**
 * What a matched rule is worth, before caps and recipients. Integer-only: money is summed as BigInt
 * and multiplier factors are handled in hundredths, so no float rounding can ever move a point.
 */
import { LojalError } from '../errors/index.js';
import { amountParam, type MatchResult } from './conditions.js';
import type { Effect, EngineHistory, EngineLine, Explanation } from './types.js';

type Matched = Extract<MatchResult, { matched: true }>;

export type BaseOutcome =
  | {
      pays: true;
      points: number;
      basisLines: number[];
      /** The effect's explanation without the point count, which is filled in per posting. */
      key: string;
      params: Record<string, string | number>;
    }
  | { pays: false; explanation: Explanation };

const DEFAULT_UPSELL_CLASSES = ['high'];

export function toSafePoints(points: bigint, ruleName: string): number {
  if (points > BigInt(Number.MAX_SAFE_INTEGER)) {
    // A rate times an amount near 2^53: refusing the event beats posting a rounded number.
    throw new LojalError('points_limit_exceeded', { limit: Number.MAX_SAFE_INTEGER, rule: ruleName });
  }
  return points < 0n ? 0 : Number(points);
}

function nothing(key: string, params: Record<string, string | number>): BaseOutcome {
  return { pays: false, explanation: { key: `explain.nothingToPay.${key}`, params } };
}

function lineNos(lines: readonly EngineLine[]): number[] {
  return lines.map((l) => l.lineNo);
}

function perAmountPoints(amount: bigint, points: number, per: number): bigint {
  // Negative totals (a refund-like line) earn nothing rather than negative points.
  if (amount <= 0n) return 0n;
  return (amount * BigInt(points)) / BigInt(per);
}

export function computeBase(
  effect: Exclude<Effect, { type: 'multiplier' }>,
  match: Matched,
  eventLineCount: number,
  history: EngineHistory,
  rule: string,
): BaseOutcome {
  if (effect.type === 'fixed') {
    const points = toSafePoints(BigInt(effect.points), rule);
    if (points === 0) return nothing('zero', { rule });
    return { pays: true, points, basisLines: lineNos(match.lines), key: 'explain.fixed', params: { rule } };
  }

  // Amount and category effects have nothing to work on in a behaviour event.
  if (eventLineCount === 0) return nothing('noLines', { rule });

  switch (effect.type) {
    case 'perAmount': {
      const points = toSafePoints(perAmountPoints(match.amount, effect.points, effect.per), rule);
      const params = { rule, rate: effect.points, per: effect.per, amount: amountParam(match.amount) };
      if (points === 0) return nothing('tooSmall', params);
      return { pays: true, points, basisLines: lineNos(match.lines), key: 'explain.perAmount', params };
    }
    case 'upsell': {
      const classes = effect.marginClasses && effect.marginClasses.length > 0 ? effect.marginClasses : DEFAULT_UPSELL_CLASSES;
      const lines = match.lines.filter((l) => l.marginClass !== null && classes.includes(l.marginClass));
      if (lines.length === 0) return nothing('noMarginLines', { rule });
      let amount = 0n;
      for (const l of lines) amount += BigInt(l.amount);
      const points = toSafePoints(perAmountPoints(amount, effect.points, effect.per), rule);
      const params = { rule, rate: effect.points, per: effect.per, amount: amountParam(amount) };
      if (points === 0) return nothing('tooSmall', params);
      return { pays: true, points, basisLines: lineNos(lines), key: 'explain.upsell', params };
    }
    case 'crossSell': {
      const fresh: string[] = [];
      for (const l of match.lines) {
        if (l.category !== null && !history.categoriesBought.has(l.category) && !fresh.includes(l.category)) {
          fresh.push(l.category);
        }
      }
      if (fresh.length === 0) return nothing('noNewCategories', { rule });
      const points = toSafePoints(BigInt(effect.points) * BigInt(fresh.length), rule);
      if (points === 0) return nothing('zero', { rule });
      const basis = match.lines.filter((l) => l.category !== null && fresh.includes(l.category));
      return {
        pays: true,
        points,
        basisLines: lineNos(basis),
        key: 'explain.crossSell',
        params: { rule, rate: effect.points, categories: fresh.join(', '), newCategories: fresh.length },
      };
    }
  }
}

/** Factor as an integer number of hundredths: 1.5 → 150. Definitions allow at most two decimals. */
export function factorHundredths(factor: number): bigint {
  return BigInt(Math.round(factor * 100));
}

/** The extra points a multiplier adds on top of `current`: floor(current × (factor − 1)). */
export function multiplierExtra(current: number, hundredths: bigint): bigint {
  if (current <= 0 || hundredths <= 100n) return 0n;
  return (BigInt(current) * (hundredths - 100n)) / 100n;
}
