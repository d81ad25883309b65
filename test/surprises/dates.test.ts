import { describe, expect, it } from 'vitest';
import { anchorsInWindow, civilFromDays, dueOccasion, occasionIn } from '../../src/surprises/dates.js';
import { daysFromCivil } from '../../src/rules/calendar.js';

const d = (s: string) => {
  const [year, month, day] = s.split('-').map(Number);
  return { year: year!, month: month!, day: day! };
};

describe('which occasion is due on a local date (pure)', () => {
  it.each([
    // anchor, today, catch-up days, not before, expected
    ['on the day', '03-28', '2027-03-28', 7, null, '2027-03-28'],
    ['the day before', '03-28', '2027-03-27', 7, null, null],
    ['caught up three days late', '01-10', '2027-01-13', 7, null, '2027-01-10'],
    ['too late to catch up', '01-10', '2027-01-18', 7, null, null],
    ['exactly at the catch-up limit', '01-10', '2027-01-17', 7, null, '2027-01-10'],
    ['no catch-up: only the day itself', '01-10', '2027-01-11', 0, null, null],
    ['across new year', '12-30', '2027-01-02', 7, null, '2026-12-30'],
    ['29 February in a leap year', '02-29', '2028-02-29', 7, null, '2028-02-29'],
    ['29 February in a leap year: not on the 28th', '02-29', '2028-02-28', 0, null, null],
    ['29 February in another year: on the 28th', '02-29', '2027-02-28', 7, null, '2027-02-28'],
    ['29 February in another year: caught up on 1 March as the 28th', '02-29', '2027-03-01', 7, null, '2027-02-28'],
    ['29 February in 2100 (not a leap year)', '02-29', '2100-02-28', 0, null, '2100-02-28'],
    ['29 February in 2000 (a leap year)', '02-29', '2000-02-29', 0, null, '2000-02-29'],
    ['before the surprise was switched on', '11-20', '2026-11-26', 7, '2026-11-25', null],
    ['on the day it was switched on', '11-25', '2026-11-26', 7, '2026-11-25', '2026-11-25'],
    ['31 December caught up in January', '12-31', '2027-01-07', 7, null, '2026-12-31'],
  ])('%s', (_name, anchor, today, catchUpDays, notBefore, expected) => {
    const [month, day] = anchor.split('-').map(Number);
    expect(dueOccasion({ month: month!, day: day! }, d(today), { catchUpDays, notBefore: notBefore ? d(notBefore) : null })).toBe(expected);
  });

  it('29 February is the 28th only in years without it', () => {
    expect(occasionIn({ month: 2, day: 29 }, 2027)).toEqual({ year: 2027, month: 2, day: 28 });
    expect(occasionIn({ month: 2, day: 29 }, 2024)).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('the window of anchors includes 29 February when 28 February of a common year is in it', () => {
    const anchors = anchorsInWindow(d('2027-03-02'), 3);
    expect(anchors).toEqual(expect.arrayContaining([{ month: 3, day: 2 }, { month: 2, day: 27 }, { month: 2, day: 28 }, { month: 2, day: 29 }]));
    expect(anchorsInWindow(d('2028-03-01'), 1)).toEqual([{ month: 3, day: 1 }, { month: 2, day: 29 }]);
  });

  it('day numbers round-trip', () => {
    for (const s of ['1970-01-01', '2000-02-29', '2027-03-28', '2100-03-01', '1969-12-31']) {
      const x = d(s);
      expect(civilFromDays(daysFromCivil(x.year, x.month, x.day))).toEqual(x);
    }
  });
});
