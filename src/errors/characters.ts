/**
 * Text PostgreSQL cannot store: a NUL character (refused in `text` and `jsonb`), or half of a UTF-16 surrogate
 * pair (no valid UTF-8 for it). JSON escapes (`\u0000`, `\ud800`), percent-encoded query strings and path
 * parameters, form fields and file names can all carry them, so every request's input is checked once, before
 * any route sees it, and refused as `invalid_characters` with the path of the first offending field.
 */
import { LojalError } from './index.js';

// Code units, not code points (no `u` flag): a high half not followed by a low half, or a low half not preceded by one.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const loneSurrogates = new RegExp(loneSurrogate.source, 'g');

export function isStorableText(s: string): boolean {
  return !s.includes('\0') && !loneSurrogate.test(s);
}

/** The path of the first string (or object key) in `value` that cannot be stored, `undefined` when all can. */
export function unstorableTextAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = unstorableTextAt(value[i], path ? `${path}.${i}` : String(i));
      if (at !== undefined) return at;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    // A bad key is named as safely as it can be: its storable characters only.
    const named = path ? `${path}.${printable(key)}` : printable(key);
    if (!isStorableText(key)) return named;
    const at = unstorableTextAt(inner, named);
    if (at !== undefined) return at;
  }
  return undefined;
}

/** The key without the characters it cannot carry back (the answer is JSON text, stored in logs). */
function printable(key: string): string {
  return key.replace(loneSurrogates, '\uFFFD').replace(/\0/g, '\uFFFD');
}

export function invalidCharacters(path: string): LojalError {
  return new LojalError('invalid_characters', { field: path }, [{ path, message: 'contains a NUL character or an unpaired UTF-16 surrogate', code: 'invalid_characters' }]);
}

/** Throws `invalid_characters` for the first part of a request's input that cannot be stored. */
export function checkStorableText(parts: Record<string, unknown>): void {
  for (const [where, value] of Object.entries(parts)) {
    const at = unstorableTextAt(value, where);
    if (at !== undefined) throw invalidCharacters(at);
  }
}
