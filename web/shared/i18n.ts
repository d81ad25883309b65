/**
 * The pages' translations: the same i18next catalogues the server uses (src/i18n/locales), so the parity test
 * keeps every language complete. Only the web namespaces are bundled, each language and namespace as its own
 * small chunk loaded when first needed. The chosen language is remembered in the browser.
 */
import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import resourcesToBackend from 'i18next-resources-to-backend';
import { initReactI18next } from 'react-i18next';

export const languages = ['en', 'sv', 'nb', 'pl', 'de'] as const;
export type Language = (typeof languages)[number];

/** Each language named in itself, for the switcher. */
export const languageNames: Record<Language, string> = { en: 'English', sv: 'Svenska', nb: 'Norsk bokmål', pl: 'Polski', de: 'Deutsch' };

const catalogues = import.meta.glob<{ default: Record<string, unknown> }>('../../src/i18n/locales/*/{web,portal,portal-*,console,console-*}.json');

export const storageKey = 'lojal.language';

export async function startI18n(namespaces: string[]): Promise<typeof i18n> {
  await i18n
    .use(LanguageDetector)
    .use(
      resourcesToBackend(async (lng: string, ns: string) => {
        const load = catalogues[`../../src/i18n/locales/${lng}/${ns}.json`];
        return load ? (await load()).default : {};
      }),
    )
    .use(initReactI18next)
    .init({
      supportedLngs: [...languages],
      fallbackLng: 'en',
      nonExplicitSupportedLngs: true,
      load: 'languageOnly',
      ns: ['web', ...namespaces],
      defaultNS: namespaces[0] ?? 'web',
      fallbackNS: 'web',
      interpolation: { escapeValue: false },
      // Only a language the person picked is remembered (switchLanguage); a detected one is not, so that a page
      // may still follow the language an inviter chose or the member's profile.
      detection: { order: ['localStorage', 'navigator'], lookupLocalStorage: storageKey, caches: [] },
      react: { useSuspense: true },
    });
  document.documentElement.lang = i18n.resolvedLanguage ?? 'en';
  i18n.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  return i18n;
}

/** The UI language as one of ours (the detector may report `pl-PL`). */
export function currentLanguage(): Language {
  const lng = (i18n.resolvedLanguage ?? i18n.language ?? 'en').slice(0, 2);
  return (languages as readonly string[]).includes(lng) ? (lng as Language) : 'en';
}

/** Switches the language; `remember` (a person's own choice) keeps it for their next visit on this device. */
export async function switchLanguage(lng: Language, remember = true): Promise<void> {
  if (remember) localStorage.setItem(storageKey, lng);
  await i18n.changeLanguage(lng);
}

/** Whether the person picked a language on this device (else the page may follow their profile's). */
export const languageChosen = (): boolean => localStorage.getItem(storageKey) !== null;
