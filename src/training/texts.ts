/**
 * Texts an author writes in some of the five languages. A reader gets their own language, else the
 * program's default, else the first one written; the answer says which language it is and whether it fell
 * back, so the console can mark a missing translation and the portal can set `lang` on the text.
 */
import { z } from 'zod';
import { languages, type Language } from '../i18n/index.js';

/** Up to one text per language; at least one. */
export const localizedText = (max: number) =>
  z
    .partialRecord(z.enum(languages), z.string().trim().min(1).max(max))
    .refine((t) => Object.values(t).some((v) => v !== undefined), { message: 'write the text in at least one language (en, sv, nb, pl, de)' });

/** The same, but may be empty (a summary nobody wrote). */
export const optionalLocalizedText = (max: number) => z.partialRecord(z.enum(languages), z.string().trim().min(1).max(max));

export type LocalizedText = Partial<Record<Language, string>>;

export interface PickedText {
  text: string;
  language: Language;
  /** True when the reader's language was missing and another was shown. */
  fallback: boolean;
}

export function pickText(texts: LocalizedText, wanted: Language, programDefault: Language): PickedText | null {
  const own = texts[wanted];
  if (own !== undefined) return { text: own, language: wanted, fallback: false };
  const order: Language[] = [programDefault, ...languages.filter((l) => l !== programDefault)];
  for (const l of order) {
    const t = texts[l];
    if (t !== undefined) return { text: t, language: l, fallback: true };
  }
  return null;
}

/** The text or an empty string: for places a text is optional (a summary). */
export const textOr = (texts: LocalizedText, wanted: Language, programDefault: Language): string =>
  pickText(texts, wanted, programDefault)?.text ?? '';

/** The languages an author has not written yet: what the console marks "falls back". */
export const missingLanguages = (texts: LocalizedText): Language[] => languages.filter((l) => texts[l] === undefined);
