/**
 * The instant a wall-clock time names in a time zone, decided by the date and the zone alone.
 *
 * dayjs.tz(text, zone) starts its search from the offset the zone has on the day the code runs (it reads the
 * machine's date), so a time that a DST change repeats came out an hour apart in summer and in winter: an
 * opening hour or a quote's last minute then moved with the day the server computed it. Here the candidates are
 * the offsets in force a day before and a day after the time. A repeated time is its first occurrence; a time the
 * change skips is read with the offset from before it, so 02:30 on the spring night in Stockholm is 03:30
 * summer time (the rule RFC 5545 and Temporal's 'compatible' disambiguation use).
 */
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(timezone);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** `date` "YYYY-MM-DD", `time` "HH:mm" or "HH:mm:ss", `timeZone` an IANA name. */
export function instantOfLocalTime(date: string, time: string, timeZone: string): Date {
  // The wall-clock reading as if it were UTC; a real instant is it minus the zone's offset at that instant.
  const wall = Date.parse(`${date}T${time}Z`);
  if (Number.isNaN(wall)) throw new Error(`instantOfLocalTime: not a local date and time: ${date} ${time}`);
  const offsetAt = (instant: number) => dayjs(instant).tz(timeZone).utcOffset() * MINUTE;
  const before = offsetAt(wall - DAY);
  const after = offsetAt(wall + DAY);
  // Clocks go back only: a repeated time fits both offsets, and the one from before gives the earlier instant.
  if (offsetAt(wall - before) === before) return new Date(wall - before);
  if (offsetAt(wall - after) === after) return new Date(wall - after);
  return new Date(wall - before); // skipped by the change
}
