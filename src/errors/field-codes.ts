/**
 * The machine code of one field's problem, next to its readable message: integrations switch on it instead of
 * parsing text. Derived from the zod check that failed, so every schema gets it without saying so.
 */
import type { CheckFailure } from './check-messages.js';

export const fieldCodes = [
  'required',
  'unknown_field',
  'invalid_type',
  'too_small',
  'too_large',
  'invalid_format',
  'invalid_value',
  'invalid_characters',
] as const;
export type FieldCode = (typeof fieldCodes)[number];

const isFieldCode = (c: unknown): c is FieldCode => typeof c === 'string' && (fieldCodes as readonly string[]).includes(c);

/**
 * `missing`: whether the input had nothing at the field's path, where the caller knows the input. Without it, a
 * type check whose message is zod's own still tells (it names what it received).
 */
export function fieldCodeOf(check: CheckFailure | undefined, message: string, missing?: boolean): FieldCode {
  switch (check?.code) {
    case 'unrecognized_keys':
      return 'unknown_field';
    case 'invalid_type':
      return missing ?? /received undefined$/.test(message) ? 'required' : 'invalid_type';
    case 'invalid_union':
      // A discriminated union without its discriminator, or no variant at all.
      return missing ? 'required' : 'invalid_value';
    case 'too_small':
      return 'too_small';
    case 'too_big':
      return 'too_large';
    case 'invalid_format':
      return 'invalid_format';
    case 'custom': {
      const own = (check.params as { code?: unknown } | undefined)?.code;
      return isFieldCode(own) ? own : missing ? 'required' : 'invalid_value';
    }
    default:
      return 'invalid_value';
  }
}

/** The value at a path inside an input (`undefined` when any step is missing). */
export function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key as string];
  }
  return at;
}
