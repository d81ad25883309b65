import type { ExpiryPolicyJson } from '../db/schema.js';

/**
 * When points earned at `earnedAt` expire under a program's policy. Pure: the same inputs always give
 * the same instant. `end_of_year` means the end of the calendar year `yearsAfter` years after the year
 * of earning, in the program's time zone (yearsAfter 1: points earned in 2025 last through 31 Dec 2026).
 */
export function planExpiry(policy: ExpiryPolicyJson, earnedAt: Date, timeZone: string): Date | null {
  switch (policy.kind) {
    case 'never':
      return null;
    case 'rolling':
      return addMonthsUtc(earnedAt, policy.months);
    case 'end_of_year': {
      const year = localYear(earnedAt, timeZone) + policy.yearsAfter;
      return startOfLocalYear(year + 1, timeZone);
    }
  }
}

/** Same day-of-month N months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonthsUtc(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/** The calendar year `at` falls in, in `timeZone`: found between the years' local starts, which are kept once worked out. */
function localYear(at: Date, timeZone: string): number {
  const t = at.getTime();
  const guess = at.getUTCFullYear();
  if (t >= startOfLocalYear(guess + 1, timeZone).getTime()) return guess + 1;
  if (t < startOfLocalYear(guess, timeZone).getTime()) return guess - 1;
  return guess;
}

/** Local new year per time zone and year: every earning under an end-of-year policy asks for one. */
const newYears = new Map<string, Date>();

/** The instant local midnight of 1 January `year` happens in `timeZone`. */
export function startOfLocalYear(year: number, timeZone: string): Date {
  const key = `${timeZone}|${year}`;
  let at = newYears.get(key);
  if (!at) {
    at = wallTimeToUtc(year, 1, 1, 0, 0, 0, timeZone);
    if (newYears.size > 10_000) newYears.clear();
    newYears.set(key, at);
  }
  return new Date(at.getTime());
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();
function wallTimeAsUtc(at: Date, timeZone: string): number {
  let f = wallFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
}

const HOUR = 3_600_000;
/** `zone|hour` → the zone's offset throughout that hour (UTC), or NaN when the offset changes within it. */
const hourOffsets = new Map<string, number>();

/**
 * The zone's offset from UTC at `ms` (a whole second). Formatting a date in a zone is slow and an import asks for
 * tens of thousands of times, so the offset is kept per hour: an hour whose first and last second have the same
 * offset has it throughout (no zone changes its offset twice within an hour); an hour with a change is not kept.
 */
function offsetAt(ms: number, timeZone: string): number {
  const hour = Math.floor(ms / HOUR);
  const key = `${timeZone}|${hour}`;
  let kept = hourOffsets.get(key);
  if (kept === undefined) {
    const first = hour * HOUR;
    const last = first + HOUR - 1000;
    const atFirst = wallTimeAsUtc(new Date(first), timeZone) - first;
    kept = atFirst === wallTimeAsUtc(new Date(last), timeZone) - last ? atFirst : Number.NaN;
    if (hourOffsets.size > 100_000) hourOffsets.clear();
    hourOffsets.set(key, kept);
  }
  return Number.isNaN(kept) ? wallTimeAsUtc(new Date(ms), timeZone) - ms : kept;
}

/**
 * The instant a wall-clock time happens in `timeZone`. A time the clocks skip is moved forward by the gap (01:30 on
 * a spring-forward night in London is 02:30 summer time); of a time that happens twice, the later.
 */
export function wallTimeToUtc(y: number, m: number, d: number, hh: number, mm: number, ss: number, timeZone: string): Date {
  const guess = Date.UTC(y, m - 1, d, hh, mm, ss);
  const candidate = guess - offsetAt(guess, timeZone);
  return new Date(guess - offsetAt(candidate, timeZone));
}
