import { describe, expect, it } from 'vitest';
import { addMonthsUtc, planExpiry, startOfLocalYear, wallTimeToUtc } from '../../src/ledger/expiry.js';

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

describe('wallTimeToUtc', () => {
  /** The zone's wall time at an instant, read through Intl for every call (what wallTimeToUtc keeps per hour). */
  const wallAt = (ms: number, timeZone: string) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
        .formatToParts(new Date(ms)).map((x) => [x.type, x.value]),
    );
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  };
  const reference = (guess: number, timeZone: string) => {
    const candidate = guess - (wallAt(guess, timeZone) - guess);
    return guess - (wallAt(candidate, timeZone) - candidate);
  };

  // Days on which these zones change their offset in 2026, by an hour, half an hour (Lord Howe) or not at all.
  const days: Array<[string, string[]]> = [
    ['Europe/London', ['2026-03-29', '2026-10-25']],
    ['America/New_York', ['2026-03-08', '2026-11-01']],
    ['America/St_Johns', ['2026-03-08', '2026-11-01']],
    ['Australia/Lord_Howe', ['2026-04-05', '2026-10-04']],
    ['Pacific/Chatham', ['2026-04-05', '2026-09-27']],
    ['Asia/Kolkata', ['2026-03-29']],
  ];
  it.each(days)('gives, every ten minutes of the days %s changes its offset, the instant Intl gives', (timeZone, dates) => {
    let checked = 0;
    for (const date of dates) {
      const [y, m, d] = date.split('-').map(Number) as [number, number, number];
      for (let minute = 0; minute < 24 * 60; minute += 10) {
        const hh = Math.floor(minute / 60);
        const mm = minute % 60;
        const got = wallTimeToUtc(y, m, d, hh, mm, 0, timeZone).getTime();
        expect(got, `${date} ${hh}:${mm} ${timeZone}`).toBe(reference(Date.UTC(y, m - 1, d, hh, mm, 0), timeZone));
        checked++;
      }
    }
    expect(checked).toBe(dates.length * 144);
  });

  it('moves a time the clocks skip forward by the gap, and takes the later of a repeated hour', () => {
    // 01:30 does not happen in London on 29 March 2026: 02:30 summer time. On 25 October it happens twice: the second.
    expect(wallTimeToUtc(2026, 3, 29, 1, 30, 0, 'Europe/London').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(wallTimeToUtc(2026, 10, 25, 1, 30, 0, 'Europe/London').toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });
});
