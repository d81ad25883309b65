/**
 * Numbers, money and dates in the user's language. Points and money arrive as integers (money in minor units).
 */
import { currentLanguage, type Language } from './i18n';

const locales: Record<Language, string> = { en: 'en-GB', sv: 'sv-SE', nb: 'nb-NO', pl: 'pl-PL', de: 'de-DE' };

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

/** Minor units as typed by a person ("1 234,50" or "1234.5") → integer minor units, or undefined. */
export function parseMoney(input: string, currency: string): number | undefined {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const normalized = input.replace(/[\s\u00a0']/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(normalized)) return undefined;
  return Math.round(Number(normalized) * 10 ** digits);
}
