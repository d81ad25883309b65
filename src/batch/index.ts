import type { z } from 'zod';
import { LojalError, type FieldIssue } from '../errors/index.js';
import { fieldCodeOf } from '../errors/field-codes.js';
import { issuesOf } from '../errors/validation.js';
import { translator } from '../i18n/index.js';

/** The most items one batch call (HTTP or CSV chunk) may carry; more is `batch_too_large`. */
export const maxBatchItems = 1000;

export function checkBatchSize(count: number): void {
  if (count > maxBatchItems) throw new LojalError('batch_too_large', { max: maxBatchItems, count });
}

export interface ItemError {
  code: string;
  /** In English: a batch answers machines; `params` and `errors` let a reader's page say it in their language. */
  message: string;
  /** For `validation_failed`: each offending field with its field code (field-codes.ts). */
  errors?: Array<{ path: string; message: string; code: string }>;
  /** The same fields with their failed checks, so a reader's page can say them in their language (never answered). */
  issues?: FieldIssue[];
  /** The values of the code's message. */
  params?: Record<string, string | number>;
}

/** What happened to one item of a batch; `id` is the record's id (or its key: sku, code). */
export interface BatchItemResult {
  index: number;
  status: 'created' | 'updated' | 'error';
  id?: string;
  error?: ItemError;
}

const english = translator('en');

/** A batch answers each item on its own, so a validation error names its fields in the message itself. */
export function toItemError(err: LojalError): ItemError {
  if (err.code === 'validation_failed' && err.issues?.length) {
    return {
      code: err.code,
      message: err.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
      errors: err.issues.map((i) => ({ path: i.path, message: i.message, code: i.code ?? i.fieldCode ?? fieldCodeOf(i.check, i.message) })),
      issues: err.issues,
    };
  }
  return { code: err.code, message: english(`errors:${err.code}`, err.params), params: err.params };
}

/** Turns internal outcomes (with the LojalError of each failed item) into the public result list. */
export function toResults(outcomes: Array<{ status: 'created' | 'updated'; id: string } | LojalError>): BatchItemResult[] {
  return outcomes.map((o, index) =>
    o instanceof LojalError ? { index, status: 'error', error: toItemError(o) } : { index, status: o.status, id: o.id },
  );
}

/**
 * Checks every item of a batch on its own: the valid ones come back with their index, the others leave
 * their error in `outcomes` at the same index. An item whose key appeared earlier in the batch is refused,
 * since which of two versions wins would be an accident of order.
 */
export function parseItems<T, O>(
  inputs: readonly unknown[],
  schema: z.ZodType<T>,
  keyOf: (item: T) => string,
  duplicate: (key: string) => LojalError,
): { items: Array<{ index: number; item: T }>; outcomes: Array<O | LojalError> } {
  checkBatchSize(inputs.length);
  const outcomes: Array<O | LojalError> = new Array(inputs.length);
  const items: Array<{ index: number; item: T }> = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const r = schema.safeParse(input);
    if (!r.success) outcomes[index] = new LojalError('validation_failed', {}, issuesOf(r.error, '', input));
    else if (seen.has(keyOf(r.data))) outcomes[index] = duplicate(keyOf(r.data));
    else {
      seen.add(keyOf(r.data));
      items.push({ index, item: r.data });
    }
  });
  return { items, outcomes };
}
