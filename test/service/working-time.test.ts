/** The working-time arithmetic and the SLA clock, table-driven: weekends, holidays, DST in Europe/Stockholm, pauses. */
import { describe, expect, it } from 'vitest';
import { addWorkingMinutes, slaClock, workingMinutesBetween, type WorkCalendar } from '../../src/service/working-time.js';
import { segmentsOf } from '../../src/service/queue.js';

const sthlm: WorkCalendar = { timeZone: 'Europe/Stockholm', days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00', holidays: ['2026-12-24', '2026-12-25', '2026-12-26'] };
const d = (s: string) => new Date(s);

describe('workingMinutesBetween', () => {
  it.each([
    ['same working day (CET, UTC+1)', '2026-11-25T08:00:00Z', '2026-11-25T10:30:00Z', 150],
    ['before opening counts from 08:00 local', '2026-11-25T05:00:00Z', '2026-11-25T08:00:00Z', 60],
    ['after closing counts nothing', '2026-11-25T16:30:00Z', '2026-11-25T20:00:00Z', 0],
    ['over a night', '2026-11-25T15:00:00Z', '2026-11-26T08:00:00Z', 60 + 60],
    ['Friday afternoon to Monday morning skips the weekend', '2026-11-27T14:00:00Z', '2026-11-30T09:00:00Z', 120 + 120],
    ['a whole week is 45 hours', '2026-11-23T00:00:00Z', '2026-11-30T00:00:00Z', 45 * 60],
    ['Christmas Eve to Boxing Day are holidays', '2026-12-23T15:00:00Z', '2026-12-28T08:00:00Z', 60 + 60],
    ['summer time (UTC+2): 08:00 local is 06:00Z', '2026-06-10T06:00:00Z', '2026-06-10T07:00:00Z', 60],
    ['reversed range is zero', '2026-11-25T10:00:00Z', '2026-11-25T09:00:00Z', 0],
  ])('%s', (_, a, b, minutes) => {
    expect(workingMinutesBetween(sthlm, d(a), d(b))).toBe(minutes);
  });

  it('across the spring DST change (29 March 2026): Friday 16:00 local to Monday 09:00 local is 2 hours', () => {
    // Friday 27 March 16:00 CET = 15:00Z; Monday 30 March 09:00 CEST = 07:00Z
    expect(workingMinutesBetween(sthlm, d('2026-03-27T15:00:00Z'), d('2026-03-30T07:00:00Z'))).toBe(120);
  });

  it('across the autumn DST change (25 October 2026): Friday 16:00 CEST to Monday 09:00 CET is 2 hours', () => {
    expect(workingMinutesBetween(sthlm, d('2026-10-23T14:00:00Z'), d('2026-10-26T08:00:00Z'))).toBe(120);
  });

  it('a working Sunday with DST: a calendar open every day keeps 9 hours on the short and the long day', () => {
    const always = { ...sthlm, days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
    expect(workingMinutesBetween(always, d('2026-03-28T23:00:00Z'), d('2026-03-29T22:00:00Z'))).toBe(9 * 60);
    expect(workingMinutesBetween(always, d('2026-10-24T22:00:00Z'), d('2026-10-25T23:00:00Z'))).toBe(9 * 60);
  });
});

describe('addWorkingMinutes', () => {
  it.each([
    ['inside the day', '2026-11-25T08:00:00Z', 60, '2026-11-25T09:00:00Z'],
    ['spills to the next morning', '2026-11-25T15:00:00Z', 120, '2026-11-26T08:00:00Z'],
    ['raised on Saturday: from Monday 08:00', '2026-11-28T10:00:00Z', 240, '2026-11-30T11:00:00Z'],
    ['over Christmas', '2026-12-23T15:30:00Z', 60, '2026-12-28T07:30:00Z'],
    ['into summer time', '2026-03-27T15:00:00Z', 120, '2026-03-30T07:00:00Z'],
    ['zero minutes at a closed hour: the next opening', '2026-11-25T20:00:00Z', 0, '2026-11-26T07:00:00Z'],
  ])('%s', (_, from, minutes, expected) => {
    expect(addWorkingMinutes(sthlm, d(from), minutes)?.toISOString()).toBe(d(expected).toISOString());
  });

  it('a calendar without working days gives no due time instead of looping', () => {
    expect(addWorkingMinutes({ ...sthlm, days: [] }, d('2026-11-25T08:00:00Z'), 60)).toBeNull();
  });

  it('is the inverse of workingMinutesBetween', () => {
    for (const [from, m] of [['2026-11-20T09:13:00Z', 1000], ['2026-12-22T10:00:00Z', 600], ['2026-03-26T12:00:00Z', 2000]] as const) {
      const due = addWorkingMinutes(sthlm, d(from), m)!;
      expect(workingMinutesBetween(sthlm, d(from), due)).toBeCloseTo(m, 6);
    }
  });
});

describe('slaClock', () => {
  const now = d('2026-11-25T12:00:00Z'); // Wednesday 13:00 local (CET)
  it.each([
    ['running, plenty left (raised 09:00 local)', '2026-11-25T08:00:00Z', [], 480, null, 'ok', 240],
    ['running, near (≤ 25 % left)', '2026-11-25T08:00:00Z', [], 300, null, 'near', 240],
    ['running, breached (Monday 09:00 local)', '2026-11-23T08:00:00Z', [], 240, null, 'breached', 480 + 540 + 300],
    ['answered in time', '2026-11-25T08:00:00Z', [], 240, '2026-11-25T09:00:00Z', 'met', 60],
    ['answered late', '2026-11-24T08:00:00Z', [], 60, '2026-11-25T09:00:00Z', 'breached', 540 + 60],
  ] as const)('%s', (_, created, changes, target, stoppedAt, status, elapsed) => {
    const c = slaClock(sthlm, segmentsOf(d(created), changes), target, stoppedAt ? d(stoppedAt) : null, now, 25);
    expect(c.status).toBe(status);
    expect(c.elapsedMinutes).toBe(elapsed);
  });

  it('waiting for the customer pauses the clock and shows no due time', () => {
    const segments = segmentsOf(d('2026-11-25T08:00:00Z'), [{ at: d('2026-11-25T09:00:00Z'), to: 'waiting_customer' }]);
    const c = slaClock(sthlm, segments, 240, null, now, 25);
    expect(c).toMatchObject({ status: 'paused', elapsedMinutes: 60, dueAt: null });
  });

  it('the clock resumes after the customer answers, and the due time moves by the pause', () => {
    const segments = segmentsOf(d('2026-11-25T08:00:00Z'), [
      { at: d('2026-11-25T09:00:00Z'), to: 'waiting_customer' },
      { at: d('2026-11-25T11:00:00Z'), to: 'in_progress' },
    ]);
    const c = slaClock(sthlm, segments, 240, null, now, 25);
    expect(c.elapsedMinutes).toBe(120);
    expect(c.dueAt?.toISOString()).toBe('2026-11-25T14:00:00.000Z');
  });
});
