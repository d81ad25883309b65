/**
 * A local time's instant depends on the date and the zone only: the same answers whatever month this process's
 * clock says (dayjs.tz's own answer for a repeated hour changed between summer and winter).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instantOfLocalTime } from '../../src/clock/local-time.js';
import { quoteDeadline } from '../../src/service/quotes.js';
import { workingMinutesBetween, type WorkCalendar } from '../../src/service/working-time.js';

afterEach(() => {
  vi.useRealTimers();
});

const cases: Array<[string, string, string, string, string]> = [
  ['an ordinary winter time', '2026-11-25', '08:00', 'Europe/Stockholm', '2026-11-25T07:00:00.000Z'],
  ['an ordinary summer time', '2026-06-10', '08:00', 'Europe/Stockholm', '2026-06-10T06:00:00.000Z'],
  ['the repeated hour of the autumn night is its first occurrence (summer time)', '2026-10-25', '02:30', 'Europe/Stockholm', '2026-10-25T00:30:00.000Z'],
  ['the hour after it is winter time', '2026-10-25', '03:00', 'Europe/Stockholm', '2026-10-25T02:00:00.000Z'],
  ['the skipped hour of the spring night is read with winter time, i.e. 03:30 summer time', '2027-03-28', '02:30', 'Europe/Stockholm', '2027-03-28T01:30:00.000Z'],
  ['the hour after it is summer time', '2027-03-28', '03:00', 'Europe/Stockholm', '2027-03-28T01:00:00.000Z'],
  ['midnight of the autumn day in New York is not repeated (its change is at 02:00)', '2026-11-01', '00:00', 'America/New_York', '2026-11-01T04:00:00.000Z'],
  ['the repeated 01:30 in New York is daylight time', '2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'],
  ['Havana repeats the hour after midnight: midnight is its first occurrence (daylight time)', '2026-11-01', '00:00', 'America/Havana', '2026-11-01T04:00:00.000Z'],
  ['a zone without DST', '2026-12-31', '23:30', 'Asia/Tokyo', '2026-12-31T14:30:00.000Z'],
];

describe('instantOfLocalTime', () => {
  for (const clockAt of ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z']) {
    it.each(cases)(`%s (this process's clock at ${clockAt})`, (_, date, time, zone, expected) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(clockAt));
      expect(instantOfLocalTime(date, time, zone).toISOString()).toBe(expected);
    });
  }

  it('refuses what is not a local date and time', () => {
    expect(() => instantOfLocalTime('2026-13-01', '08:00', 'Europe/Stockholm')).toThrow(/not a local date and time/);
  });
});

describe('what is computed from local times does not move with the day it runs', () => {
  const desk: WorkCalendar = { timeZone: 'Europe/Stockholm', days: [1, 2, 3, 4, 5, 6, 7], start: '02:30', end: '04:00', holidays: [] };
  for (const clockAt of ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z']) {
    it(`a desk opening at 02:30 on the autumn night, and a quote's deadline in Havana (clock at ${clockAt})`, () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(clockAt));
      // 02:30 summer time (00:30Z) to 04:00 winter time (03:00Z): two and a half hours that night.
      expect(workingMinutesBetween(desk, new Date('2026-10-24T22:00:00Z'), new Date('2026-10-25T22:00:00Z'))).toBe(150);
      // Valid through 31 October: it may be accepted until the first midnight of 1 November in Havana.
      expect(quoteDeadline('2026-10-31', 'America/Havana').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    });
  }
});
