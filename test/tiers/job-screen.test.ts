import { describe, expect, it } from 'vitest';
import { changesAnything } from '../../src/tiers/job.js';
import type { TierConfig, TierStatusRow } from '../../src/tiers/store.js';

// The nightly job skips an owner when this says its evaluation would write nothing: each case here is one the
// job must not skip (true) or may skip (false), checked against what evaluateOwner writes in that case.
const TZ = 'Europe/Stockholm';
const names = { en: 'x', sv: 'x', nb: 'x', pl: 'x', de: 'x' };
const level = (code: string, rank: number, threshold: number) => ({ code, rank, names, threshold, multiplierHundredths: 100, discountBasisPoints: 0, rewardTags: [], benefits: {} });
const config: TierConfig = {
  settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 0 },
  levels: [level('silver', 1, 500), level('gold', 2, 2000)],
  chain: false,
};
const now = new Date('2027-03-28T00:30:00Z');
const later = new Date('2027-09-01T00:00:00Z');
const status = (lvl: string | null, periodEnd: Date, frozenUntil: Date | null = null): TierStatusRow => ({
  level: lvl,
  since: new Date('2026-09-01T00:00:00Z'),
  periodEnd,
  frozenUntil,
  frozenReason: frozenUntil ? 'bench' : null,
});

describe('the nightly tier job’s screen', () => {
  it.each<[string, TierStatusRow | null, number, boolean]>([
    ['no status, below the ladder: nothing to keep', null, 499, false],
    ['no status, reaches the first level: a new status', null, 500, true],
    ['silver, still silver before the period end', status('silver', later), 1999, false],
    ['silver, reaches gold: an upgrade', status('silver', later), 2000, true],
    ['gold, no points this year, period not over: kept as it is', status('gold', later), 0, false],
    ['period ended (the last period’s total is needed): evaluated', status('gold', now), 5000, true],
    ['period ended long ago: evaluated', status(null, new Date('2026-01-01T00:00:00Z')), 0, true],
    ['frozen, an upgrade would be due: kept as it is', status('silver', later, later), 9999, false],
    ['a level no longer on the ladder: evaluated', status('platinum', later), 9999, true],
  ])('%s', (_name, state, total, expected) => {
    expect(changesAnything(config, TZ, state, total, now)).toBe(expected);
  });
});
