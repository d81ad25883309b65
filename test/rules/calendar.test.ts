import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../../src/rules/calendar.js';

/** The local date straight from Intl, with no cache in between: what localDate must always answer. */
function reference(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

// Zones with half- and quarter-hour offsets, daylight saving on both hemispheres, and a date-line jump (Apia, 2011).
const zones = ['Europe/Stockholm', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Pacific/Apia', 'UTC'];

describe('localDate', () => {
  it('answers the wall-clock date of every instant, however the instants before it were asked for', () => {
    // Runs of instants close together, starting near a UTC quarter hour (where every local midnight and
    // daylight-saving change since 1972 falls) and stepping across it, in any zone and order.
    const quarter = 900_000;
    const instant = fc
      .tuple(fc.integer({ min: Date.UTC(1960, 0, 1) / quarter, max: Date.UTC(2040, 0, 1) / quarter }), fc.integer({ min: -120_000, max: 120_000 }))
      .map(([q, offset]) => q * quarter + offset);
    const run = fc.tuple(instant, fc.array(fc.integer({ min: -90_000, max: 90_000 }), { maxLength: 8 }), fc.constantFrom(...zones));
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 20 }), (runs) => {
        for (const [start, steps, zone] of runs) {
          let ms = start;
          for (const step of [0, ...steps]) {
            ms += step;
            expect(localDate(new Date(ms), zone), `${new Date(ms).toISOString()} in ${zone}`).toEqual(reference(new Date(ms), zone));
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is right on both sides of a local midnight a quarter past a UTC hour, in either order', () => {
    // Kathmandu's midnight is at 18:15 UTC: 18:14:59.999 and 18:15:00.000 UTC are different local dates.
    const before = new Date(Date.UTC(2026, 5, 1, 18, 14, 59, 999));
    const after = new Date(Date.UTC(2026, 5, 1, 18, 15, 0, 0));
    expect(localDate(before, 'Asia/Kathmandu')).toEqual({ year: 2026, month: 6, day: 1 });
    expect(localDate(after, 'Asia/Kathmandu')).toEqual({ year: 2026, month: 6, day: 2 });
    expect(localDate(before, 'Asia/Kathmandu')).toEqual({ year: 2026, month: 6, day: 1 });
    // An answer handed out is the caller's own: changing it changes no later answer.
    const answer = localDate(after, 'Asia/Kathmandu');
    answer.day = 31;
    expect(localDate(after, 'Asia/Kathmandu')).toEqual({ year: 2026, month: 6, day: 2 });
  });

  it('is right within one minute before 1972, when some offsets were not whole minutes', () => {
    // Monrovia kept −0:44:30 until 1972: its midnight fell at 00:44:30 UTC.
    expect(localDate(new Date(Date.UTC(1971, 5, 1, 0, 44, 10)), 'Africa/Monrovia')).toEqual({ year: 1971, month: 5, day: 31 });
    expect(localDate(new Date(Date.UTC(1971, 5, 1, 0, 44, 50)), 'Africa/Monrovia')).toEqual({ year: 1971, month: 6, day: 1 });
  });

  it('refuses an invalid date', () => {
    expect(() => localDate(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });
});
