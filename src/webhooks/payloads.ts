/**
 * What each webhook event's `data` holds, as schemas: the OpenAPI document's `webhooks` section is built from them,
 * so a receiver can generate its types, and the publishers (publish.ts, service/events.ts) are checked against
 * them by the compiler.
 */
import { z } from 'zod';
import { requestStates } from '../service/workflow.js';
import type { EventType } from './events.js';

const orderStates = ['pending_approval', 'placed', 'approved', 'shipped', 'delivered', 'issued', 'cancelled', 'rejected'] as const;

export const orderEventData = z
  .object({
    orderId: z.uuid(),
    rewardCode: z.string().describe('The reward\'s code in the catalogue'),
    rewardType: z.string().describe('physical, code (gift card or coupon), donation, experience…'),
    memberId: z.uuid(),
    accountId: z.uuid(),
    quantity: z.int().min(1),
    points: z.int().describe('Points the order cost in all'),
    from: z.enum(orderStates).nullable().describe('The state before; null when the order was just placed'),
    to: z.enum(orderStates),
    tracking: z.record(z.string(), z.string()).nullable().describe('Carrier and tracking number, once shipped'),
    codes: z.array(z.string()).optional().describe('Gift-card or coupon codes, only when a code order is issued'),
  })
  .meta({ id: 'RewardOrderEventData', description: 'A reward order placed or moved to another state.' });

export const creditNoteEventData = z
  .object({
    creditNoteId: z.uuid(),
    orderId: z.uuid().nullable(),
    accountId: z.uuid(),
    accountExternalId: z.string().nullable().describe('The account\'s number in the ERP'),
    amountMinor: z.int().describe('The amount in minor units (öre, cents)'),
    currency: z.string().length(3),
  })
  .meta({ id: 'CreditNoteEventData', description: 'A credit note to book in the ERP (volume discounts, cash-back rewards).' });

export const tierEventData = z
  .object({
    ownerKind: z.enum(['account', 'member']),
    ownerId: z.uuid(),
    ownerExternalId: z.string().nullable(),
    from: z.string().nullable().describe('The tier code before; null when the owner had none'),
    to: z.string().nullable().describe('The tier code now; null when the owner lost its tier'),
    reason: z.string().describe('Why: qualification, requalification, manual, expiry…'),
  })
  .meta({ id: 'TierChangedEventData', description: 'An account or member moved to another tier.' });

export const serviceEventData = z
  .object({
    requestId: z.uuid(),
    number: z.string().describe('The request number the member sees'),
    change: z.enum(['created', 'commented', 'state_changed', 'assigned']),
    type: z.string().describe('The request type\'s code'),
    kind: z.string().describe('question, complaint, callback, special_order or custom'),
    state: z.enum(requestStates),
    from: z.enum(requestStates).optional().describe('The state before, on a state change'),
    memberId: z.uuid(),
    accountId: z.uuid(),
    assigneeId: z.uuid().nullable(),
    teamId: z.uuid().nullable().describe('The team the request is with; null: none'),
    subject: z.string(),
    comment: z
      .object({ body: z.string(), byStaff: z.boolean() })
      .nullable()
      .describe('A public comment, on `commented`; internal comments never reach a webhook'),
  })
  .meta({ id: 'ServiceRequestEventData', description: 'A service request created, answered, assigned or moved to another state.' });

const wallet = z.enum(['account', 'member']);

export const pointsEarnedData = z
  .object({
    eventId: z.uuid().describe('Lojal\'s id of the event that earned'),
    externalEventId: z.string().describe('Your id of that event (the invoice number), as sent'),
    eventType: z.string().describe('purchase, training.completed, survey.completed…'),
    accountId: z.uuid(),
    accountExternalId: z.string().nullable(),
    memberId: z.uuid().nullable(),
    memberExternalId: z.string().nullable(),
    points: z.int().describe('Points earned by the event in all'),
    postings: z
      .array(
        z.object({
          wallet,
          walletId: z.uuid().describe('The account\'s or member\'s id: a wallet has its owner\'s id'),
          points: z.int(),
          ruleName: z.string(),
          status: z.enum(['pending', 'available']).describe('Pending points become available at `availableAt`'),
          availableAt: z.iso.datetime({ offset: true }),
          expiresAt: z.iso.datetime({ offset: true }).nullable(),
        }),
      )
      .describe('One per rule that paid'),
  })
  .meta({ id: 'PointsEarnedEventData', description: 'An event earned points (sent only when it earned some).' });

export const pointsReversedData = z
  .object({
    eventId: z.uuid().describe('Lojal\'s id of the return or cancellation'),
    externalEventId: z.string(),
    accountId: z.uuid(),
    accountExternalId: z.string().nullable(),
    memberId: z.uuid().nullable(),
    memberExternalId: z.string().nullable(),
    points: z.int().describe('Points taken back in all (a positive number)'),
    reversals: z.array(
      z.object({
        originalEventId: z.string().describe('Your id of the purchase whose points are taken back'),
        wallet,
        walletId: z.uuid(),
        points: z.int(),
        shortfall: z.int().describe('Points that could not be taken back because they were already spent'),
      }),
    ),
  })
  .meta({ id: 'PointsReversedEventData', description: 'A return or cancellation took back points a purchase had earned.' });

export const pointsExpiredData = z
  .object({
    wallet,
    walletId: z.uuid().describe('The account\'s or member\'s id'),
    externalId: z.string().nullable().describe('The account\'s or member\'s external id'),
    points: z.int().describe('Points that expired in this run'),
  })
  .meta({ id: 'PointsExpiredEventData', description: 'Points of an account or member expired (one event per wallet and expiry run).' });

export const claimDecidedData = z
  .object({
    claimId: z.uuid(),
    decision: z.enum(['approved', 'rejected']),
    accountId: z.uuid(),
    memberId: z.uuid().nullable(),
    points: z.int().describe('Points paid for the claim; 0 when rejected'),
    reason: z.string().nullable().describe('The reviewer\'s reason, given on a rejection'),
  })
  .meta({ id: 'ClaimDecidedEventData', description: 'A claim was approved (and paid) or rejected.' });

export const coopClaimDecidedData = z
  .object({
    claimId: z.uuid(),
    decision: z.enum(['approved', 'rejected']),
    accountId: z.uuid(),
    accountExternalId: z.string().nullable(),
    memberId: z.uuid().nullable(),
    cost: z.int().describe('What the ad cost, in minor units'),
    amount: z.int().describe('What the fund paid, in minor units (the share, capped by the fund balance); 0 when rejected'),
    currency: z.string().describe("The program's currency (ISO 4217)"),
    reason: z.string().nullable().describe('The rejection reason code (proof_unreadable, ad_not_eligible, …) on a rejection'),
    note: z.string().nullable().describe("The reviewer's note to the dealer, as written"),
  })
  .meta({ id: 'CoopClaimDecidedEventData', description: 'A co-op claim was approved (and paid from the fund, a payout for the ERP) or rejected.' });

export const memberChangeData = z
  .object({
    memberId: z.uuid(),
    externalId: z.string().nullable(),
    accountId: z.uuid(),
    status: z.enum(['active', 'closed']),
    how: z
      .enum(['created', 'invitation_accepted', 'registration_approved', 'deactivated'])
      .describe('created through the API or console, an invitation accepted, a request to join approved, or deactivated'),
  })
  .meta({ id: 'MemberChangedEventData', description: 'A member joined (became active) or left (was deactivated).' });

/** Each event type with its payload and the sentence the document shows. */
export const webhookPayloads: Record<EventType, { data: z.ZodType; summary: string }> = {
  'reward_order.placed': { data: orderEventData, summary: 'A member placed a reward order' },
  'reward_order.state_changed': { data: orderEventData, summary: 'A reward order was approved, shipped, delivered, issued, cancelled or rejected' },
  'credit_note.created': { data: creditNoteEventData, summary: 'A credit note was created for an account' },
  'tier.changed': { data: tierEventData, summary: 'An account or member changed tier' },
  'service_request.created': { data: serviceEventData, summary: 'A member raised a service request' },
  'service_request.changed': { data: serviceEventData, summary: 'A service request was answered, assigned or changed state' },
  'points.earned': { data: pointsEarnedData, summary: 'An event earned points' },
  'points.reversed': { data: pointsReversedData, summary: 'A return or cancellation took points back' },
  'points.expired': { data: pointsExpiredData, summary: 'Points of an account or member expired' },
  'claim.decided': { data: claimDecidedData, summary: 'A claim was approved or rejected' },
  'coop_claim.decided': { data: coopClaimDecidedData, summary: 'A co-op claim was approved and paid, or rejected' },
  'member.joined': { data: memberChangeData, summary: 'A member joined: created active, invitation accepted or request approved' },
  'member.left': { data: memberChangeData, summary: 'A member was deactivated' },
};

export type OrderEventData = z.infer<typeof orderEventData>;
export type PointsEarnedData = z.infer<typeof pointsEarnedData>;
export type PointsReversedData = z.infer<typeof pointsReversedData>;
export type PointsExpiredData = z.infer<typeof pointsExpiredData>;
export type ClaimDecidedData = z.infer<typeof claimDecidedData>;
export type MemberChangeData = z.infer<typeof memberChangeData>;
export type CoopClaimDecidedData = z.infer<typeof coopClaimDecidedData>;
