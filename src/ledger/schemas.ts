import { z } from 'zod';

/** Response shapes of the ledger routes, for the OpenAPI document and checked on the way out. */
const byDate = z.array(z.object({ date: z.string().describe('YYYY-MM-DD in the program time zone'), points: z.number().int() }));

export const balanceOut = z.object({
  walletId: z.uuid(),
  available: z.number().int().describe('spendable now'),
  pending: z.number().int().describe('earned, not yet spendable (return window)'),
  pendingReleases: byDate.describe('when pending points become available'),
  expiring: byDate.describe('points expiring within the asked number of days, per day'),
  expiringTotal: z.number().int(),
  lifetimeEarned: z.number().int(),
  lifetimeSpent: z.number().int(),
  lifetimeExpired: z.number().int(),
}).meta({ id: 'Balance', description: 'The points of an account\'s or member\'s wallet: spendable, pending, expiring soon, and lifetime figures.' });

const explanation = z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), notes: z.array(z.any()).optional() }).describe('the i18n key and values behind the description');

const historyEntry = z
  .object({
    journalId: z.uuid(),
    kind: z.enum(['earn', 'reverse', 'release', 'expire', 'adjust', 'transfer', 'spend', 'redeem', 'refund']),
    points: z.number().int().describe('net change of this wallet'),
    pendingPoints: z.number().int().describe('of which still not spendable now (0 once the points were released)'),
    occurredAt: z.date(),
    recordedAt: z.date(),
    description: z.string().describe("in the reader's language"),
    explanation,
    details: z.array(z.object({ points: z.number().int(), ruleId: z.uuid().nullable(), description: z.string() })),
    eventId: z.uuid().nullable(),
    eventExternalId: z.string().nullable(),
    ruleId: z.uuid().nullable(),
    ruleVersion: z.number().int().nullable(),
    reasonCode: z.string().nullable(),
    memo: z.string().nullable(),
  })
  .meta({ id: 'LedgerEntry', description: 'One journal as it moved a wallet\'s points, described in the reader\'s language.' });

export const historyOut = z.object({
  data: z.array(historyEntry),
  nextCursor: z.uuid().nullable().describe('pass as `cursor` for the next page; null on the last'),
});

export const operationOut = z.object({
  journalId: z.uuid(),
  created: z.boolean().describe('false: a replay of an earlier request with the same idempotency key'),
  points: z.number().int(),
}).meta({ id: 'LedgerOperation', description: 'The journal a points operation wrote (or, for a replay, wrote the first time).' });

export const summaryOut = z.object({
  currency: z.string(),
  issued: z.number().int(),
  reversed: z.number().int(),
  spent: z.number().int(),
  redeemed: z.number().int().describe('points taken by reward orders, net of cancelled and rejected orders'),
  expired: z.number().int(),
  adjusted: z.number().int(),
  outstandingAvailable: z.number().int(),
  outstandingPending: z.number().int(),
  liabilityMinor: z.number().int().describe('outstanding points × point value, in minor units of the currency'),
}).meta({ id: 'LedgerSummary', description: 'The program\'s points in total, and what the outstanding ones are worth.' });
