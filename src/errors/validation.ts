import type { z } from 'zod';
import { checkFailureOf, type CheckFailure } from './check-messages.js';
import { fieldCodeOf, valueAt } from './field-codes.js';
import { LojalError, type FieldIssue } from './index.js';

type IssueLike = { path: ReadonlyArray<PropertyKey>; message: string; code?: string } & Record<string, unknown>;

/**
 * Field issues from zod's: each with its path (prefixed), its message and its field code. An unknown key is
 * reported by zod on the parent object; here each key is an issue of its own whose path names the key, so the
 * caller knows what to drop. `input`, where given, tells a missing field (`required`) from a wrong one.
 */
export function fieldIssuesOf(issues: ReadonlyArray<IssueLike>, prefix = '', input?: unknown): FieldIssue[] {
  const join = (parts: ReadonlyArray<PropertyKey>) => [prefix, ...parts.map(String)].filter(Boolean).join('.');
  return issues.flatMap((i): FieldIssue[] => {
    const check = i.code ? checkFailureOf(i as unknown as CheckFailure) : undefined;
    if (i.code === 'unrecognized_keys' && Array.isArray(i.keys) && i.keys.length > 0) {
      return (i.keys as string[]).map((key) => ({ path: join([...i.path, key]), message: i.message, check: check!, fieldCode: 'unknown_field' }));
    }
    const missing = input === undefined ? undefined : valueAt(input, i.path) === undefined;
    return [{ path: join(i.path), message: i.message, ...(check && { check }), fieldCode: fieldCodeOf(check, i.message, missing) }];
  });
}

export function issuesOf(error: z.ZodError, prefix = '', input?: unknown): FieldIssue[] {
  return fieldIssuesOf(error.issues as unknown as IssueLike[], prefix, input);
}

/** Parses input for a data function; a failure is the same `validation_failed` the HTTP layer gives. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new LojalError('validation_failed', {}, issuesOf(result.error, prefix, value));
  return result.data;
}
