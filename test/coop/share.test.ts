import { describe, expect, it } from 'vitest';
import { coopShare, reimbursement } from '../../src/coop/share.js';
import { quarterOf } from '../../src/coop/accrual.js';

describe('co-op share: 50 % / (1 + other brands), rounded down to minor units', () => {
  it.each([
    // cost, other brands, share
    [1_000_000, 0, 500_000], // only our brand: half
    [1_000_000, 1, 250_000], // one other brand: a quarter
    [1_000_000, 3, 125_000], // three others: an eighth
    [999_999, 0, 499_999], // 499 999.5 rounds down
    [100_001, 1, 25_000], // 25 000.25
    [1_000_001, 3, 125_000], // 125 000.125
    [1, 0, 0],
    [7, 2, 1], // 7 × 0.5 / 3 = 1.1666…
    [Number.MAX_SAFE_INTEGER, 0, 4_503_599_627_370_495], // exact where floating point is not
  ])('cost %i with %i other brands: %i', (cost, others, share) => {
    expect(coopShare(cost, others)).toBe(share);
  });

  it('refuses what is not a cost or a count', () => {
    expect(() => coopShare(-1, 0)).toThrow(RangeError);
    expect(() => coopShare(1.5, 0)).toThrow(RangeError);
    expect(() => coopShare(100, -1)).toThrow(RangeError);
    expect(() => coopShare(100, 0.5)).toThrow(RangeError);
  });

  it.each([
    [500_000, 1_000_000, 500_000], // the fund covers it
    [500_000, 300_000, 300_000], // capped by the balance
    [500_000, 0, 0],
    [0, 100, 0],
  ])('share %i with %i in the fund pays %i', (share, balance, paid) => {
    expect(reimbursement(share, balance)).toBe(paid);
  });
});

describe('quarters in the program’s time zone', () => {
  it.each([
    ['2026-03-31T21:59:59Z', 'Europe/Stockholm', '2026-Q1'],
    ['2026-03-31T22:00:00Z', 'Europe/Stockholm', '2026-Q2'], // midnight in Stockholm
    ['2026-12-31T23:30:00Z', 'Europe/Oslo', '2027-Q1'],
    ['2026-07-01T00:00:00Z', 'UTC', '2026-Q3'],
  ])('%s in %s is %s', (at, tz, q) => {
    expect(quarterOf(new Date(at), tz)).toBe(q);
  });
});
