import { describe, expect, it } from 'vitest';
import { addMonthsUtc, planExpiry, startOfLocalYear } from '../../src/ledger/expiry.js';

describe('planExpiry', () => {
  const cases: Array<[string, Parameters<typeof planExpiry>[0], string, string, string | null]> = [
    ['never expires', { kind: 'never' }, '2025-03-10T10:00:00Z', 'UTC', null],
    ['rolling 12 months', { kind: 'rolling', months: 12 }, '2025-03-10T10:00:00Z', 'UTC', '2026-03-10T10:00:00.000Z'],
    ['rolling clamps to month end', { kind: 'rolling', months: 1 }, '2025-01-31T08:00:00Z', 'UTC', '2025-02-28T08:00:00.000Z'],
    ['rolling into a leap February', { kind: 'rolling', months: 13 }, '2023-01-31T08:00:00Z', 'UTC', '2024-02-29T08:00:00.000Z'],
    ['end of the year after, Stockholm', { kind: 'end_of_year', yearsAfter: 1 }, '2025-06-01T12:00:00Z', 'Europe/Stockholm', '2026-12-31T23:00:00.000Z'],
    ['end of the same year', { kind: 'end_of_year', yearsAfter: 0 }, '2025-06-01T12:00:00Z', 'UTC', '2026-01-01T00:00:00.000Z'],
    // 31 Dec 23:30 UTC is already 1 Jan in Stockholm: the points belong to the new local year.
    ['local new year decides the year', { kind: 'end_of_year', yearsAfter: 0 }, '2025-12-31T23:30:00Z', 'Europe/Stockholm', '2026-12-31T23:00:00.000Z'],
    ['zone west of UTC', { kind: 'end_of_year', yearsAfter: 0 }, '2025-07-01T00:00:00Z', 'America/New_York', '2026-01-01T05:00:00.000Z'],
  ];
  it.each(cases)('%s', (_name, policy, earned, tz, expected) => {
    const got = planExpiry(policy, new Date(earned), tz);
    expect(got ? got.toISOString() : null).toBe(expected);
  });

  it('addMonthsUtc keeps the time of day', () => {
    expect(addMonthsUtc(new Date('2025-05-15T13:45:00Z'), 24).toISOString()).toBe('2027-05-15T13:45:00.000Z');
  });

  it('startOfLocalYear in a zone east of UTC', () => {
    expect(startOfLocalYear(2026, 'Asia/Tokyo').toISOString()).toBe('2025-12-31T15:00:00.000Z');
  });
});
