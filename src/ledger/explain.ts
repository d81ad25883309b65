import { MONEY_PARAMS } from '../rules/engine.js';
import type { Explanation } from '../rules/types.js';
import { translator, type Language } from '../i18n/index.js';

const locales: Record<Language, string> = { en: 'en-GB', sv: 'sv-SE', nb: 'nb-NO', pl: 'pl-PL', de: 'de-DE' };
/** A format per language and currency, with the currency's minor-unit divisor (resolvedOptions builds an object). */
const moneyFormats = new Map<string, { format: Intl.NumberFormat; divisor: number }>();

/** Formats minor units as money in the reader's locale: 123456 SEK → "1 234,56 kr" in Swedish. */
export function formatMoney(minor: number | string, currency: string, lng: Language): string {
  const key = `${lng}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    const format = new Intl.NumberFormat(locales[lng], { style: 'currency', currency });
    f = { format, divisor: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
    moneyFormats.set(key, f);
  }
  return f.format.format(Number(minor) / f.divisor);
}

/** Renders a stored explanation (an i18n key with its params, and notes) as a sentence in the reader's language. */
export function renderExplanation(e: Explanation, lng: Language, currency: string): string {
  const t = translator(lng);
  const params: Record<string, unknown> = { ...e.params };
  // A text stored in several languages (a reward's name) comes as `name@sv`, `name@en`…: the reader's wins.
  for (const [name, v] of Object.entries(e.params)) {
    const at = name.indexOf('@');
    if (at < 0) continue;
    const base = name.slice(0, at);
    if (name.slice(at + 1) === lng || (params[base] === undefined && name.endsWith('@en'))) params[base] = v;
  }
  for (const name of MONEY_PARAMS) {
    const v = params[name];
    if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v))) params[name] = formatMoney(v, currency, lng);
  }
  const key = e.key.includes(':') ? e.key : `rules:${e.key}`;
  const main = String(t(key, { ...params, lng } as never));
  const notes = (e.notes ?? []).map((n) => renderExplanation(n, lng, currency));
  return [main, ...notes].join(' ');
}

/** An event type in words ("Card purchase" for card.purchase); a type of the program's own making stays as it is. */
export function eventTypeWords(type: string, lng: Language): string {
  return String(translator(lng)(`ledger:eventType.${type.replace(/[.-]/g, '_')}`, { defaultValue: type }));
}

/**
 * A history line for the points an event earned, said in words: what happened, the event's id as the sender knows
 * it, and the rules that paid ("Card purchase fjordbanken:TX-88013: points from Fjordbanken: card purchase") — the stored
 * explanation holds the id alone.
 */
/**
 * Events Lojal writes itself (a course completed, a quiz passed, a survey answered, an approved sales claim): their
 * ids (`training:<course>:<member>`) are keys, not references a reader knows, so the history names the event only.
 */
const OWN_EVENT_TYPES = new Set(['training.completed', 'quiz.passed', 'survey.completed', 'sale_claim']);

export function describeEarning(eventType: string, eventExternalId: string, ruleNames: string[], lng: Language): string {
  const type = eventTypeWords(eventType, lng);
  const rules = [...new Set(ruleNames.filter(Boolean))];
  const own = OWN_EVENT_TYPES.has(eventType);
  if (rules.length === 0) return own ? type : `${type} ${eventExternalId}`;
  if (own) return String(translator(lng)('ledger:explain.earnOwnEvent', { type, rules: rules.join(', ') } as never));
  return String(translator(lng)('ledger:explain.earnEvent', { type, event: eventExternalId, rules: rules.join(', ') } as never));
}
