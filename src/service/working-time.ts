/**
 * Working time: how many working minutes lie between two instants, and which instant lies a number of working
 * minutes after another, for a calendar of opening hours in a time zone with weekends and holidays. Pure;
 * the local-time arithmetic (DST included) is dayjs's timezone plugin over the platform's time-zone data, and a
 * local time becomes an instant through instantOfLocalTime, which does not depend on the day it runs.
 */
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { instantOfLocalTime } from '../clock/local-time.js';

dayjs.extend(utc);
dayjs.extend(timezone);

export interface WorkCalendar {
  timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  days: readonly number[];
  /** Local opening and closing time, "HH:mm". */
  start: string;
  end: string;
  /** Local dates "YYYY-MM-DD" that are not working days. */
  holidays: readonly string[];
}

const MINUTE = 60_000;
/** How far the arithmetic looks: a calendar with no working day at all must not loop for ever. */
const MAX_DAYS = 3 * 366;

interface Window {
  from: number;
  to: number;
}

/** The working window of one local date, or null on a day off. */
function windowOf(cal: WorkCalendar, date: dayjs.Dayjs): Window | null {
  const iso = date.format('YYYY-MM-DD');
  const weekday = ((date.day() + 6) % 7) + 1;
  if (!cal.days.includes(weekday) || cal.holidays.includes(iso)) return null;
  const from = instantOfLocalTime(iso, cal.start, cal.timeZone).getTime();
  const to = instantOfLocalTime(iso, cal.end, cal.timeZone).getTime();
  return to > from ? { from, to } : null;
}

/** Local dates from the one containing `at`, one by one. */
function* localDays(cal: WorkCalendar, at: number): Generator<dayjs.Dayjs> {
  // Noon keeps the walk on the right date whatever DST does at night.
  const noon = (date: string) => dayjs(instantOfLocalTime(date, '12:00', cal.timeZone)).tz(cal.timeZone);
  let day = noon(dayjs(at).tz(cal.timeZone).format('YYYY-MM-DD'));
  for (let i = 0; i < MAX_DAYS; i++) {
    yield day;
    day = noon(day.add(1, 'day').format('YYYY-MM-DD'));
  }
}

/** Working minutes (fractional) between two instants; 0 when `to` is not after `from`. */
export function workingMinutesBetween(cal: WorkCalendar, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  let total = 0;
  for (const day of localDays(cal, a)) {
    const w = windowOf(cal, day);
    if (w) {
      if (w.from >= b) break;
      total += Math.max(0, Math.min(w.to, b) - Math.max(w.from, a));
    } else if (day.valueOf() - 12 * 60 * MINUTE >= b) break;
  }
  return total / MINUTE;
}

/** The instant `minutes` working minutes after `from` (from the next opening if `from` is outside hours). */
export function addWorkingMinutes(cal: WorkCalendar, from: Date, minutes: number): Date | null {
  let left = minutes * MINUTE;
  const a = from.getTime();
  for (const day of localDays(cal, a)) {
    const w = windowOf(cal, day);
    if (!w || w.to <= a) continue;
    const start = Math.max(w.from, a);
    if (start + left <= w.to) return new Date(start + left);
    left -= w.to - start;
  }
  return null;
}

/** A stretch of a request's life and whether its clock ran in it (waiting for the customer pauses it). */
export interface ClockSegment {
  from: Date;
  /** null: still going on now. */
  to: Date | null;
  running: boolean;
}

export type SlaStatus = 'met' | 'ok' | 'near' | 'breached' | 'paused';

export interface SlaClock {
  targetMinutes: number;
  elapsedMinutes: number;
  /** When the target runs out if the clock keeps running; null when it is paused or stopped. */
  dueAt: Date | null;
  status: SlaStatus;
}

/**
 * One service-level clock: working minutes spent in running segments up to `stoppedAt` (the first answer or
 * the resolution) or `now`, against a target. `nearPercent` of the target left or less is "near".
 */
export function slaClock(
  cal: WorkCalendar,
  segments: readonly ClockSegment[],
  targetMinutes: number,
  stoppedAt: Date | null,
  now: Date,
  nearPercent: number,
): SlaClock {
  const end = stoppedAt ?? now;
  let elapsed = 0;
  for (const s of segments) {
    if (!s.running) continue;
    const to = new Date(Math.min((s.to ?? end).getTime(), end.getTime()));
    elapsed += workingMinutesBetween(cal, s.from, to);
  }
  elapsed = Math.round(elapsed * 100) / 100;
  const left = targetMinutes - elapsed;
  if (stoppedAt) return { targetMinutes, elapsedMinutes: elapsed, dueAt: null, status: left >= 0 ? 'met' : 'breached' };
  if (left < 0) return { targetMinutes, elapsedMinutes: elapsed, dueAt: null, status: 'breached' };
  const last = segments[segments.length - 1];
  const running = !!last && last.running && last.to === null;
  if (!running) return { targetMinutes, elapsedMinutes: elapsed, dueAt: null, status: 'paused' };
  return {
    targetMinutes,
    elapsedMinutes: elapsed,
    dueAt: addWorkingMinutes(cal, now, left),
    status: left <= (targetMinutes * nearPercent) / 100 ? 'near' : 'ok',
  };
}
