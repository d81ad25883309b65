/**
 * Numbers, money and dates in the user's language. Points and money arrive as integers (money in minor units).
 */
import i18n from 'i18next';
import { currentLanguage, type Language } from './i18n';
import { fractionDigits, localeOfLanguage, moneyInput as moneyInputIn, readMoney } from './money';

export type { MoneyProblem, MoneyReading } from './money';

const locales: Record<Language, string> = localeOfLanguage;

export const localeOf = (lng: Language = currentLanguage()): string => locales[lng];

export function formatNumber(n: number, lng?: Language): string {
  return new Intl.NumberFormat(localeOf(lng)).format(n);
}

/** Money from minor units; the currency decides how many decimals it has (SEK 2, JPY 0). */
export function formatMoney(minor: number, currency: string, lng?: Language): string {
  const f = new Intl.NumberFormat(localeOf(lng), { style: 'currency', currency });
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(minor / 10 ** digits);
}

export function formatDate(value: string | Date, lng?: Language): string {
  return new Intl.DateTimeFormat(localeOf(lng), { dateStyle: 'medium' }).format(new Date(value));
}

export function formatDateTime(value: string | Date, lng?: Language): string {
  return new Intl.DateTimeFormat(localeOf(lng), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

/** Minor units as typed by a person, or undefined when `readMoney` cannot read them. */
export function parseMoney(input: string, currency: string, lng?: Language): number | undefined {
  const r = readMoney(input, currency, localeOf(lng));
  return r.ok ? r.minor : undefined;
}

/** Why the typed amount cannot be read, in the UI language, or undefined when it can. */
export function moneyError(input: string, currency: string, lng: Language = currentLanguage()): string | undefined {
  const r = readMoney(input, currency, localeOf(lng));
  if (r.ok) return undefined;
  const digits = fractionDigits(currency);
  const plain = (n: number, max = digits) => new Intl.NumberFormat(localeOf(lng), { maximumFractionDigits: max }).format(n);
  const example = new Intl.NumberFormat(localeOf(lng), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(1234.5);
  const t = i18n.getFixedT(lng, 'web');
  if (r.kind === 'ambiguous') return t('money.ambiguous', { input: input.trim(), thousands: plain(r.thousands), decimal: plain(r.decimal, 3) });
  if (r.kind === 'decimals') return t('money.decimals', { currency, example });
  return t('money.malformed', { example });
}

/** Minor units as a person would type them in the UI language (no grouping), for an input's initial value. */
export function moneyInput(minor: number, currency: string, lng?: Language): string {
  return moneyInputIn(minor, currency, localeOf(lng));
}
