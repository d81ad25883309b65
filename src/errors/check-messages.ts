/**
 * Field messages in the reader's language. A zod check that failed keeps what it found (the issue without its
 * path) next to its English message; the answer renders it with zod's own catalogue for the reader's language.
 * Messages a schema wrote itself (ours, in English) are recognised by differing from zod's English default
 * and stay as written.
 */
import { z } from 'zod';
import { translator, type Language } from '../i18n/index.js';

/** A failed check as zod reported it, without path and message: code, expected, minimum, origin, format… */
export type CheckFailure = { code: string } & Record<string, unknown>;

type ErrorMap = (issue: never) => string | { message: string } | undefined | null;

const catalogues: Record<Language, ErrorMap> = {
  en: z.locales.en().localeError as ErrorMap,
  sv: z.locales.sv().localeError as ErrorMap,
  // zod's Norwegian is bokmål.
  nb: z.locales.no().localeError as ErrorMap,
  pl: z.locales.pl().localeError as ErrorMap,
  de: z.locales.de().localeError as ErrorMap,
};

function render(map: ErrorMap, failure: CheckFailure): string | undefined {
  try {
    const out = map(failure as never);
    return typeof out === 'string' ? out : (out?.message ?? undefined);
  } catch {
    // A failure shaped differently from what the catalogue expects: keep the English message.
    return undefined;
  }
}

/** The issue without path, message and the input itself (which never goes back to the client). */
export function checkFailureOf(issue: { code: string; path?: unknown; message?: unknown } & Record<string, unknown>): CheckFailure {
  const { path: _path, message: _message, ...failure } = issue;
  return failure as CheckFailure;
}

export function checkMessage(failure: CheckFailure | undefined, english: string, lng: Language): string {
  // A check of our own that names its catalogue key (fields/index.ts fieldCheck).
  const own = failure?.code === 'custom' ? (failure.params as { field?: unknown } | undefined)?.field : undefined;
  if (typeof own === 'string' && lng !== 'en') return translator(lng)(`errors:field.${own}`, { defaultValue: english });
  if (!failure || lng === 'en') return english;
  if (render(catalogues.en, failure) !== english) return english;
  return render(catalogues[lng], failure) ?? english;
}
