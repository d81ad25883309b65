/**
 * Calendar arithmetic in a program's IANA time zone.
 *
 * Only the local *date* of an instant matters to the rule language (windows, weekdays, cap periods),
 * so we ask Intl for year/month/day once and do everything else with proleptic Gregorian arithmetic,
 * which is exact and allocation-free. Formatters are expensive to build, so one is cached per zone.
 */
import type { Period } from './types.js';

export interface LocalDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Pinning calendar and numbering system keeps the numeric parts parseable whatever the host's locale data.
    // An unknown zone throws a RangeError here, which is the right place to fail: the program is misconfigured.
    f = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The last date asked for per zone, with the UTC minute it was asked for. Since 1972 every zone's offset and every
 * change of it is a whole number of minutes, so all instants of one UTC minute have the same local date; a server
 * asks for the same minute over and over (every order's and spend's `now`), and formatting costs ~30 µs a call.
 */
const lastDates = new Map<string, { minute: number; date: LocalDate }>();
const WHOLE_MINUTE_OFFSETS_SINCE = Date.UTC(1973, 0, 1);

/** The calendar date of `at` as seen on a wall clock in `timeZone`. */
export function localDate(at: Date, timeZone: string): LocalDate {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new RangeError('occurredAt is not a valid date');
  const minute = Math.floor(ms / 60_000);
  const last = lastDates.get(timeZone);
  if (last !== undefined && last.minute === minute) return { ...last.date };
  // en-US numeric output is always "M/D/YYYY"; parsing that string is several times faster than formatToParts.
  const text = formatterFor(timeZone).format(at);
  const first = text.indexOf('/');
  const second = text.indexOf('/', first + 1);
  const date = {
    month: Number(text.slice(0, first)),
    day: Number(text.slice(first + 1, second)),
    year: Number(text.slice(second + 1)),
  };
  if (ms >= WHOLE_MINUTE_OFFSETS_SINCE) lastDates.set(timeZone, { minute, date: { ...date } });
  return date;
}

/** Days since 1970-01-01 for a civil date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** ISO weekday, 1 = Monday … 7 = Sunday. */
export function isoWeekday(d: LocalDate): number {
  // 1970-01-01 was a Thursday (ISO 4).
  const days = daysFromCivil(d.year, d.month, d.day);
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** ISO 8601 week-year and week number: the week belongs to the year that holds its Thursday. */
export function isoWeek(d: LocalDate): { weekYear: number; week: number } {
  const days = daysFromCivil(d.year, d.month, d.day);
  const thursday = days + 4 - isoWeekday(d);
  // The Thursday's year is within one of the date's year; pick whichever contains it.
  let weekYear = d.year + 1;
  if (thursday < daysFromCivil(weekYear, 1, 1)) weekYear = d.year;
  if (thursday < daysFromCivil(weekYear, 1, 1)) weekYear = d.year - 1;
  const week = Math.floor((thursday - daysFromCivil(weekYear, 1, 1)) / 7) + 1;
  return { weekYear, week };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD`, comparable as a string with rule date windows. */
export function isoDate(d: LocalDate): string {
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

export function periodKeyOf(period: Period, d: LocalDate): string {
  switch (period) {
    case 'day':
      return `day:${isoDate(d)}`;
    case 'week': {
      const { weekYear, week } = isoWeek(d);
      return `week:${pad(weekYear, 4)}-W${pad(week, 2)}`;
    }
    case 'month':
      return `month:${pad(d.year, 4)}-${pad(d.month, 2)}`;
    case 'year':
      return `year:${pad(d.year, 4)}`;
    case 'lifetime':
      return 'lifetime';
  }
}

/**
 * The cap-period bucket an instant falls into, in the program's time zone:
 * `day:2026-11-23`, `week:2026-W47` (ISO week-year), `month:2026-11`, `year:2026`, `lifetime`.
 */
export function periodKey(period: Period, at: Date, timeZone: string): string {
  // Lifetime needs no clock, and must not fail just because the zone is odd.
  if (period === 'lifetime') return 'lifetime';
  return periodKeyOf(period, localDate(at, timeZone));
}

/**
 * The calendar facts about one event instant, computed on first use and then reused by every rule:
 * most events need the local date at most once, and some never.
 */
export class EventCalendar {
  private local: LocalDate | undefined;
  private readonly keys = new Map<Period, string>();

  constructor(
    private readonly at: Date,
    private readonly timeZone: string,
  ) {}

  date(): LocalDate {
    return (this.local ??= localDate(this.at, this.timeZone));
  }

  periodKey(period: Period): string {
    let key = this.keys.get(period);
    if (key === undefined) {
      key = period === 'lifetime' ? 'lifetime' : periodKeyOf(period, this.date());
      this.keys.set(period, key);
    }
    return key;
  }
}
