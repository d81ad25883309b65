import { z } from 'zod';
import { maxBatchItems, type BatchItemResult } from './index.js';

/** Items are checked one by one by the data function, so one bad item does not reject the batch. */
export const batchBody = (what: string) =>
  z.strictObject({
    items: z
      .array(z.unknown())
      .describe(`Up to ${maxBatchItems} ${what}, each as in the single-item PUT, with its key; more is 413 batch_too_large`),
  });

const itemResult = z.object({
  index: z.number().int(),
  status: z.enum(['created', 'updated', 'error']),
  id: z.string().optional(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().describe('the field code: required, unknown_field, invalid_type, too_small, too_large, invalid_format, invalid_value, invalid_characters') })).optional(),
    })
    .optional(),
});

export const batchResponse = z.object({
  results: z.array(itemResult),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
});

export function batchSummary(results: BatchItemResult[]): z.infer<typeof batchResponse> {
  const count = (status: BatchItemResult['status']) => results.filter((r) => r.status === status).length;
  return { results, created: count('created'), updated: count('updated'), failed: count('error') };
}
