/** Texts in the reader's language, else the program's default language, marked so the console can show it. */
import type { Language } from '../i18n/index.js';
import { languages } from '../i18n/index.js';
import type { LocalizedText, Question } from './types.js';

export interface Localized {
  text: string;
  /** The language the text is in; differs from the one asked for when it fell back. */
  language: Language;
  fallback: boolean;
}

export function localize(text: LocalizedText, lang: Language, defaultLanguage: Language): Localized {
  const own = text[lang];
  if (own) return { text: own, language: lang, fallback: false };
  const dflt = text[defaultLanguage];
  if (dflt) return { text: dflt, language: defaultLanguage, fallback: true };
  // A form is published only with every default-language text, so this is a draft's gap: any text will do.
  const any = languages.find((l) => text[l]);
  return { text: any ? text[any]! : '', language: any ?? defaultLanguage, fallback: true };
}

/** Texts of a form the default language lacks: a form is published only without such gaps. */
export function missingDefaultTexts(questions: Question[], title: LocalizedText, defaultLanguage: Language): string[] {
  const missing: string[] = [];
  if (!title[defaultLanguage]) missing.push('title');
  questions.forEach((q, i) => {
    if (!q.text[defaultLanguage]) missing.push(`questions.${i}.text`);
    if (q.kind === 'single' || q.kind === 'multiple') {
      q.options.forEach((o, j) => {
        if (!o.text[defaultLanguage]) missing.push(`questions.${i}.options.${j}.text`);
      });
    }
  });
  return missing;
}

/** Per language, how many texts fall back to the default: what the console's preview marks. */
export function translationGaps(questions: Question[], title: LocalizedText): Record<Language, number> {
  const texts: LocalizedText[] = [title];
  for (const q of questions) {
    texts.push(q.text);
    if (q.kind === 'single' || q.kind === 'multiple') for (const o of q.options) texts.push(o.text);
  }
  return Object.fromEntries(languages.map((l) => [l, texts.filter((t) => !t[l]).length])) as Record<Language, number>;
}
