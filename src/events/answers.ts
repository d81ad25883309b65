import { z } from 'zod';

/** What the events routes answer, for the OpenAPI document and checked on the way out. */
const explanation = z
  .object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), notes: z.array(z.any()).optional() })
  .describe('the i18n key and values behind `reason`');

const posting = z.object({
  journalId: z.uuid(),
  ruleId: z.uuid(),
  ruleVersion: z.number().int(),
  ruleName: z.string(),
  wallet: z.enum(['account', 'member']),
  walletId: z.uuid(),
  points: z.number().int(),
  status: z.enum(['pending', 'available']),
  availableAt: z.string(),
  expiresAt: z.string().nullable(),
  explanation,
  reason: z.string().describe("why, in the reader's language"),
});

const reversal = z.object({
  journalId: z.uuid(),
  originalEventId: z.string(),
  ruleId: z.uuid().nullable(),
  wallet: z.enum(['account', 'member']),
  walletId: z.uuid(),
  points: z.number().int().describe('taken back'),
  shortfall: z.number().int().describe('already spent, so not taken back'),
  explanation,
  reason: z.string(),
});

const trace = z.object({
  ruleId: z.string(),
  ruleName: z.string(),
  outcome: z.enum(['paid', 'not_matched', 'capped', 'blocked_by_exclusive', 'nothing_to_pay']),
  explanation,
  reason: z.string(),
});

export const eventAnswer = z
  .object({
  id: z.uuid(),
  externalId: z.string(),
  type: z.string(),
  occurredAt: z.string(),
  accountId: z.uuid(),
  memberId: z.uuid().nullable(),
  points: z.number().int().describe("net points this event's rules moved"),
  totalPoints: z.number().int().describe('everything this event paid: `points` and the onboarding steps it completed'),
  onboarding: z
    .array(
      z.object({
        journalId: z.uuid(),
        step: z.string().describe('the checklist step’s code'),
        memberId: z.uuid(),
        points: z.number().int(),
        explanation,
        reason: z.string().describe("the step, named in the reader's language"),
      }),
    )
    .describe('onboarding steps this event completed, each paid to the member in a journal of its own'),
  postings: z.array(posting),
  reversals: z.array(reversal),
  unmatched: z.array(z.object({ sku: z.string(), quantity: z.number().int() })).describe('returned quantities that matched no purchase'),
  trace: z.array(trace).optional().describe('every rule and its outcome; in the first answer only'),
  })
  .meta({
    id: 'Event',
    description: 'An event as ingested, with the points its rules paid (postings), what a return took back (reversals) and why, in words.',
  });

const itemError = z.object({ code: z.string(), message: z.string(), errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional() });

export const singleAnswer = eventAnswer.extend({ status: z.enum(['processed', 'replayed']) });
export const batchAnswer = z.object({
  summary: z.object({ processed: z.number().int(), replayed: z.number().int(), rejected: z.number().int() }),
  results: z.array(
    z.object({
      index: z.number().int(),
      id: z.string().nullable(),
      status: z.enum(['processed', 'replayed', 'rejected']),
      event: eventAnswer.optional(),
      error: itemError.optional(),
    }),
  ),
});

export const simulateAnswer = z.object({
  accountId: z.uuid(),
  memberId: z.uuid().nullable(),
  points: z.number().int(),
  postings: z.array(z.object({ ruleId: z.string(), ruleVersion: z.number().int(), ruleName: z.string(), recipient: z.enum(['account', 'member']), points: z.number().int(), basisLines: z.array(z.number().int()), explanation, reason: z.string() })),
  trace: z.array(trace),
});
