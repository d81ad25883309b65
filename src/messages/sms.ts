/**
 * The pure part of text messages: how many parts (segments) a message takes and in which encoding, whether
 * a number is a valid E.164 number, and when quiet hours in the recipient's time zone end.
 *
 * Encoding: a message every character of which is in the GSM 03.38 alphabet (its basic set, or its extension
 * table at two septets each) goes as GSM-7: 160 septets in one part, 153 per part when split (the rest is
 * the concatenation header). Anything else, e.g. Polish ł, ę, ś or an emoji, makes the whole message UCS-2:
 * 70 UTF-16 units in one part, 67 per part when split. Swedish and Norwegian å ä ö æ ø and German ü ß are in
 * the basic set. Neither an escape pair nor a surrogate pair is split across parts.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

// GSM 03.38 basic character set, in table order (0x1B, the escape to the extension table, left out).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// The extension table: each takes the escape septet and its own.
const GSM_EXTENDED = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extended = new Set(GSM_EXTENDED);

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsLength {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  segments: number;
  /** Units still free in the last part before another part is needed. */
  remaining: number;
}

const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS_SINGLE = 70;
const UCS_PART = 67;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extended.has(ch)) return false;
  return true;
}

/** Packs units (each character's size) into parts of `size`, never splitting one character. */
function pack(sizes: number[], size: number): { segments: number; lastUsed: number } {
  let segments = 1;
  let used = 0;
  for (const s of sizes) {
    if (used + s > size) {
      segments++;
      used = 0;
    }
    used += s;
  }
  return { segments, lastUsed: used };
}

export function smsLength(text: string): SmsLength {
  const chars = [...text];
  if (isGsm7(text)) {
    const sizes = chars.map((ch) => (extended.has(ch) ? 2 : 1));
    const units = sizes.reduce((a, b) => a + b, 0);
    if (units <= GSM_SINGLE) return { encoding: 'gsm7', units, segments: 1, remaining: GSM_SINGLE - units };
    const { segments, lastUsed } = pack(sizes, GSM_PART);
    return { encoding: 'gsm7', units, segments, remaining: GSM_PART - lastUsed };
  }
  // UTF-16 code units: a character outside the BMP (most emoji) is a surrogate pair, two units.
  const sizes = chars.map((ch) => ch.length);
  const units = text.length;
  if (units <= UCS_SINGLE) return { encoding: 'ucs2', units, segments: 1, remaining: UCS_SINGLE - units };
  const { segments, lastUsed } = pack(sizes, UCS_PART);
  return { encoding: 'ucs2', units, segments, remaining: UCS_PART - lastUsed };
}

/**
 * The number in E.164 form (+ and up to 15 digits, valid for its country's numbering plan), or null. Only
 * international numbers are taken: without a country a number cannot be dialled from an SMS gateway.
 */
export function e164(input: string): string | null {
  const trimmed = input.trim();
  if (!trimmed.startsWith('+')) return null;
  const parsed = parsePhoneNumberFromString(trimmed);
  return parsed && parsed.isValid() ? parsed.number : null;
}

// ---------------------------------------------------------------- quiet hours

export interface QuietHours {
  /** Local hour (0–23) quiet hours start, e.g. 21. */
  start: number;
  /** Local hour (0–23) they end, e.g. 8. */
  end: number;
}

export const defaultQuietHours: QuietHours = { start: 21, end: 8 };

const formatters = new Map<string, Intl.DateTimeFormat>();
function localParts(at: Date, timeZone: string): { y: number; m: number; d: number; hour: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), hour: Number(p.hour) };
}

/** The instant a local wall-clock hour happens (for an hour skipped by DST, the hour after). */
function localHourToUtc(y: number, m: number, d: number, hour: number, timeZone: string): Date {
  const guess = Date.UTC(y, m - 1, d, hour);
  const offsetAt = (t: number) => {
    const p = localParts(new Date(t), timeZone);
    const minutes = new Date(t).getUTCMinutes();
    return Date.UTC(p.y, p.m - 1, p.d, p.hour, minutes) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

/**
 * When a message may go: null when `now` is outside quiet hours in `timeZone`, else the end of quiet
 * hours (the same morning, or the next one when it is evening). Hours wrap midnight when start > end.
 */
export function quietUntil(now: Date, timeZone: string, quiet: QuietHours = defaultQuietHours): Date | null {
  if (quiet.start === quiet.end) return null;
  const p = localParts(now, timeZone);
  const inQuiet = quiet.start > quiet.end ? p.hour >= quiet.start || p.hour < quiet.end : p.hour >= quiet.start && p.hour < quiet.end;
  if (!inQuiet) return null;
  // The end is today unless it is already past today's end hour (evening, when quiet hours wrap midnight).
  const endsTomorrow = p.hour >= quiet.end;
  const day = new Date(Date.UTC(p.y, p.m - 1, p.d + (endsTomorrow ? 1 : 0)));
  return localHourToUtc(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), quiet.end, timeZone);
}
