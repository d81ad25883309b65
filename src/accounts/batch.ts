import type { ZodError } from 'zod';
import type { FieldIssue } from '../errors/index.js';

/** One item's answer in a batch: written (created or updated) or refused with the fields to fix. */
export type BatchResult =
  | { index: number; status: 'created' | 'updated'; id: string }
  | { index: number; status: 'error'; error: { code: string; message: string; errors: FieldIssue[] } };

export function itemError(index: number, err: ZodError | undefined, issues: FieldIssue[] = []): BatchResult {
  const list = err ? err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) : issues;
  return { index, status: 'error', error: { code: 'validation_failed', message: list.map((i) => `${i.path}: ${i.message}`).join('; '), errors: list } };
}

export const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';
