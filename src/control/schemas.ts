import { z } from 'zod';

/** An adjustment request as the API answers it (also the 202 answer of POST …/adjustments). */
export const adjustmentRequestOut = z.object({
  id: z.uuid(),
  walletId: z.uuid(),
  points: z.number().int(),
  reasonCode: z.string(),
  memo: z.string().nullable(),
  state: z.enum(['pending', 'approved', 'rejected']),
  requestedBy: z.string().describe('staff:<id> or api-key:<id>'),
  requestedAt: z.date(),
  decidedBy: z.string().nullable(),
  decidedAt: z.date().nullable(),
  decisionReason: z.string().nullable(),
  journalId: z.uuid().nullable().describe('the posted adjustment, once approved'),
}).meta({ id: 'AdjustmentRequest', description: 'A manual adjustment at or above the approval threshold, waiting for (or past) a second person\'s decision.' });
