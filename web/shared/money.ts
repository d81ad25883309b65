/**
 * Money typed by a person, read in the marks of their locale. Kept free of the app's i18n so that it runs (and is
 * tested) outside a browser.
 */

/** The locale each UI language formats and reads numbers in. */
export const localeOfLanguage = { en: 'en-GB', sv: 'sv-SE', nb: 'nb-NO', pl: 'pl-PL', de: 'de-DE' } as const;

export function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** The language's own marks: `1.234,5` in German, `1,234.5` in English, `1 234,5` in Swedish. */
function marks(locale: string): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(1234567.5);
  return { group: parts.find((p) => p.type === 'group')?.value ?? ',', decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
}

export type MoneyProblem =
  | { kind: 'malformed' }
  /** `1.500` where the language groups with spaces: a thousand and a half are both plausible. */
  | { kind: 'ambiguous'; thousands: number; decimal: number }
  | { kind: 'decimals' };

export type MoneyReading = { ok: true; minor: number } | ({ ok: false } & MoneyProblem);

const WHITESPACE = /^[ \u00a0\u202f]$/;

/**
 * Money as typed by a person in the UI language → integer minor units, or why it cannot be read. The language's
 * group mark is accepted only between groups of three digits and its decimal mark once; a phone keyboard may offer
 * only the other mark (iOS shows the device region's), so that mark is read as the decimal point where no grouping
 * can explain it (`1,5` in English, `12.50` in Swedish) and refused where both readings are possible.
 */
export function readMoney(input: string, currency: string, locale: string): MoneyReading {
  const digits = fractionDigits(currency);
  const { group, decimal } = marks(locale);
  const spaceGroups = WHITESPACE.test(group);
  const other = decimal === ',' ? '.' : ',';
  const malformed = { ok: false, kind: 'malformed' } as const;

  let text = input.trim();
  const negative = /^[-\u2212]/.test(text);
  if (negative) text = text.slice(1);
  const tokens = text.split(/(\D)/);
  const runs = tokens.filter((_, i) => i % 2 === 0);
  const seps = tokens.filter((_, i) => i % 2 === 1);
  if (runs.some((r) => r === '')) return malformed;
  const isGroup = (s: string) => s === group || (spaceGroups && WHITESPACE.test(s));
  const wellGrouped = (intRuns: string[]) => intRuns.length === 1 || (intRuns[0]!.length <= 3 && intRuns.slice(1).every((r) => r.length === 3));

  let intRuns = runs;
  let fraction = '';
  const last = seps.length - 1;
  if (seps.includes(decimal)) {
    if (seps.indexOf(decimal) !== last) return malformed;
    intRuns = runs.slice(0, -1);
    fraction = runs[last + 1]!;
  } else if (seps.length > 0 && seps[last] === other && seps.indexOf(other) === last && !(seps.length === 1 && isGroup(other) && runs[1]!.length === 3)) {
    const after = runs[last + 1]!;
    if (after.length === 3) {
      const before = runs.slice(0, -1);
      if (!seps.slice(0, -1).every(isGroup) || !wellGrouped(before)) return malformed;
      const whole = before.join('');
      return { ok: false, kind: 'ambiguous', thousands: Number(whole + after), decimal: Number(`${whole}.${after}`) };
    }
    intRuns = runs.slice(0, -1);
    fraction = after;
  }
  const intSeps = seps.slice(0, intRuns.length - 1);
  if (!intSeps.every(isGroup) || !wellGrouped(intRuns)) return malformed;
  if (fraction.length > digits) return { ok: false, kind: 'decimals' };
  const minor = Number(intRuns.join('') + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return malformed;
  return { ok: true, minor: negative && minor !== 0 ? -minor : minor };
}

/** Minor units as a person would type them in the locale (no grouping), for an input's initial value. */
export function moneyInput(minor: number, currency: string, locale: string): string {
  const digits = fractionDigits(currency);
  const whole = minor % 10 ** digits === 0;
  return new Intl.NumberFormat(locale, { useGrouping: false, minimumFractionDigits: whole ? 0 : digits, maximumFractionDigits: digits }).format(minor / 10 ** digits);
}
