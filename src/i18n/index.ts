import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n, type TFunction } from 'i18next';

export const languages = ['en', 'sv', 'nb', 'pl', 'de'] as const;
export type Language = (typeof languages)[number];

const localesDir = fileURLToPath(new URL('./locales/', import.meta.url));

/** Every `<lang>/<namespace>.json` under locales/, read once at start. */
function loadResources(): Record<string, Record<string, object>> {
  const resources: Record<string, Record<string, object>> = {};
  for (const lng of languages) {
    resources[lng] = {};
    // A language without its catalogue yet falls back to English message by message.
    if (!fs.existsSync(localesDir + lng)) continue;
    for (const file of fs.readdirSync(localesDir + lng)) {
      if (!file.endsWith('.json')) continue;
      resources[lng]![file.slice(0, -5)] = JSON.parse(fs.readFileSync(`${localesDir}${lng}/${file}`, 'utf8'));
    }
  }
  return resources;
}

const instance: i18n = i18next.createInstance();
const resources = loadResources();
await instance.init({
  resources,
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...languages],
  ns: Object.keys(resources.en!),
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false,
});

/**
 * `{{value, number}}`, the one format our catalogues use, with one Intl.NumberFormat per locale. i18next's own
 * caches its formatters under the whole of the call's options, the sentence's other values included, so every
 * explanation with a new amount made a formatter and kept it for the life of the process (55 MB after 100,000
 * explanations). The catalogues test holds the catalogues to the plain `number` format.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
instance.services.formatter!.add('number', (value: unknown, lng: string | undefined) => {
  const locale = lng ?? 'en';
  let format = numberFormats.get(locale);
  if (!format) numberFormats.set(locale, (format = new Intl.NumberFormat(locale)));
  return format.format(value as number);
});

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

// One function per language, made once: answers render many sentences. Not i18next's getFixedT, whose function
// copies every one of the instance's options on each call (for key selectors we do not use), which made a sentence
// cost about three times its translation; this one passes the language to the instance's own `t`, which reads the
// resources when called, so it stays current.
const fixed = new Map<Language, TFunction>();

export function translator(lng: Language): TFunction {
  let t = fixed.get(lng);
  if (!t) {
    // As getFixedT's: t(key), t(key, options), t(key, defaultValue, options?); a language in the options wins.
    const inLanguage = (key: string | string[], second?: unknown, third?: unknown) => {
      const given = (typeof second === 'string' ? { ...(third as object | undefined), defaultValue: second } : (second ?? {})) as { lng?: string };
      return instance.t(key, { ...given, lng: given.lng || lng } as never);
    };
    fixed.set(lng, (t = inLanguage as unknown as TFunction));
  }
  return t;
}

/** Picks the best of our languages from an Accept-Language header, else the fallback. */
export function negotiateLanguage(header: string | undefined, fallback: Language): Language {
  if (!header) return fallback;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.tag && !Number.isNaN(x.q))
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    // Norwegian: "no" and "nn" readers get Bokmål, the written standard we ship.
    const mapped = base === 'no' || base === 'nn' ? 'nb' : base;
    if (isLanguage(mapped)) return mapped;
  }
  return fallback;
}
