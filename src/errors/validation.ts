import type { z } from 'zod';
import { checkFailureOf, type CheckFailure } from './check-messages.js';
import { LojalError, type FieldIssue } from './index.js';

export function issuesOf(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((i) => {
    // Unknown keys are reported on the parent; name the key itself so the caller knows what to drop.
    const keys = i.code === 'unrecognized_keys' ? i.keys : [];
    const path = [prefix, ...i.path.map(String), ...(keys.length ? [keys.join(',')] : [])].filter(Boolean).join('.');
    return { path, message: i.message, check: checkFailureOf(i as unknown as CheckFailure) };
  });
}

/** Parses input for a data function; a failure is the same `validation_failed` the HTTP layer gives. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new LojalError('validation_failed', {}, issuesOf(result.error, prefix));
  return result.data;
}
