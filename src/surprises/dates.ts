/**
 * When a dated surprise (birthday, membership anniversary, seasonal greeting) falls due — pure calendar
 * arithmetic on local dates, so the job only has to ask "which occasion, if any, is due today?".
 *
 * - An anchor is a month and day; 29 February falls on 28 February in a year without it.
 * - The occasion due on `today` is the latest one on or before today, if it is at most `catchUpDays` old: a job
 *   that did not run for a few days pays what it missed, once, because the occasion's date is the payout's key.
 * - Nothing before `notBefore` is due (the day a surprise was switched on, the day after a member joined).
 * - The job asks with the local date of the program's time zone, so two runs on one local day (even on the night
 *   the clocks change) ask the same question and get the same occasion.
 */
import { daysFromCivil, isoDate, type LocalDate } from '../rules/calendar.js';

export interface Anchor {
  month: number;
  day: number;
}

export const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

const daysInMonth = (y: number, m: number) => (m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

/** The anchor's date in `year`: 29 February becomes 28 February when the year has no 29th. */
export function occasionIn(anchor: Anchor, year: number): LocalDate {
  return { year, month: anchor.month, day: Math.min(anchor.day, daysInMonth(year, anchor.month)) };
}

const dayNumber = (d: LocalDate) => daysFromCivil(d.year, d.month, d.day);

export interface DueOptions {
  /** How many days back a missed occasion is still paid (0: only on the day itself). */
  catchUpDays: number;
  /** No occasion before this date is due. */
  notBefore?: LocalDate | null;
}

/** The occasion due on `today`, as `YYYY-MM-DD`, or null. */
export function dueOccasion(anchor: Anchor, today: LocalDate, opts: DueOptions): string | null {
  let occasion = occasionIn(anchor, today.year);
  if (dayNumber(occasion) > dayNumber(today)) occasion = occasionIn(anchor, today.year - 1);
  const age = dayNumber(today) - dayNumber(occasion);
  if (age > opts.catchUpDays) return null;
  if (opts.notBefore && dayNumber(occasion) < dayNumber(opts.notBefore)) return null;
  return isoDate(occasion);
}

/**
 * Every month/day that has an occasion in the `catchUpDays` before and including `today` — what the job asks
 * the database for, so it reads only the members whose day it might be. Includes 29 February in a year without
 * one when 28 February is in the window.
 */
export function anchorsInWindow(today: LocalDate, catchUpDays: number): Anchor[] {
  const out: Anchor[] = [];
  const todayN = dayNumber(today);
  for (let back = 0; back <= catchUpDays; back++) {
    const d = civilFromDays(todayN - back);
    out.push({ month: d.month, day: d.day });
    if (d.month === 2 && d.day === 28 && !isLeapYear(d.year)) out.push({ month: 2, day: 29 });
  }
  return out;
}

/** The civil date of a day number (inverse of daysFromCivil, Howard Hinnant's civil_from_days). */
export function civilFromDays(n: number): LocalDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

/** The day after `d`. */
export const nextDay = (d: LocalDate): LocalDate => civilFromDays(dayNumber(d) + 1);

/** Parses `YYYY-MM-DD`. */
export function parseIsoDate(s: string): LocalDate {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  return { year: y!, month: m!, day: d! };
}
