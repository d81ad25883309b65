import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idempotencyKey } from '../fields/index.js';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { actor, auditContext } from '../http/context.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { getProgram, type Program } from '../programs/programs.js';
import { rewardTypes } from './catalogue.js';
import type { OrderAction } from './fulfilment.js';
import { getOrder, listOrders, placeOrder, transition } from './orders.js';

const states = ['pending_approval', 'placed', 'approved', 'shipped', 'delivered', 'issued', 'cancelled', 'rejected'] as const;
const idParams = z.object({ id: z.uuid().describe('The order\'s id (UUID)') });
const line = (max: number) => z.string().trim().min(1).max(max);

/** A delivery address of an order (also what the portal takes). */
export const shippingAddressSchema = z
  .object({
    name: line(200).describe('Who receives it'),
    company: line(200).optional(),
    street: line(200),
    postalCode: line(20),
    city: line(100),
    country: z.string().trim().length(2).toUpperCase().describe('ISO 3166-1 alpha-2, e.g. SE'),
    phone: line(40).optional(),
  })
  .strict()
  .meta({ id: 'ShippingAddress', description: 'Where the goods of a reward order are sent.' });

const orderOut = z
  .object({
    id: z.uuid(),
    state: z.enum(states).describe('pending_approval (waits for the program team), placed, approved, shipped, delivered, issued, cancelled, rejected'),
    reward: z
      .object({ id: z.uuid(), code: z.string(), type: z.enum(rewardTypes), name: z.string().describe("In the reader's language (Accept-Language)") })
      .describe('The reward ordered'),
    quantity: z.number().int(),
    points: z.number().int().describe('Points paid: price × quantity at the time of the order'),
    memberId: z.uuid().describe('The member who ordered'),
    accountId: z.uuid().describe("The member's account"),
    paidFrom: z.enum(['member', 'account']).describe("member: the member's own points; account: the company's"),
    shippingAddress: z
      .object({ name: z.string(), company: z.string().optional(), street: z.string(), postalCode: z.string(), city: z.string(), country: z.string(), phone: z.string().optional() })
      .nullable()
      .describe('Where goods go; null: none given'),
    tracking: z
      .object({ carrier: z.string().optional(), trackingNumber: z.string().optional(), trackingUrl: z.string().optional(), details: z.string().optional() })
      .nullable()
      .describe('Shipment tracking, or the details a member needs for content and services; null: none yet'),
    codes: z.array(z.string()).describe('Gift-card or coupon codes, once issued'),
    note: z.string().nullable().describe("The buyer's note"),
    creditNote: z
      .object({ id: z.uuid(), amountMinor: z.number().int(), currency: z.string(), exportedAt: z.date().nullable() })
      .nullable()
      .describe('For an issued cashback order: the credit note the ERP pays (see listCreditNotes)'),
    invoice: z
      .object({ amountMinor: z.number().int().describe('Minor units (öre, cents)'), currency: z.string().describe('ISO 4217') })
      .nullable()
      .describe('An accepted money quote of the service desk: the amount the ERP invoices; `points` is then 0. Null for orders paid in points'),
    createdAt: z.date(),
    updatedAt: z.date(),
    history: z
      .array(z.object({ from: z.enum(states).nullable(), to: z.enum(states), actor: z.string().describe('Who moved it: `staff:<id>`, `api-key:<id>`, `member:<id>` or `system`'), reason: z.string().nullable(), at: z.date() }))
      .describe('Every state change, oldest first'),
  })
  .meta({ id: 'RewardOrder', description: 'An order of a reward, paid in points (or, for an accepted money quote, invoiced), with its fulfilment history.' });

const reason = (what: string) => line(500).describe(what);
const actions: Array<{ action: OrderAction; operationId: string; summary: string; description: string; body: z.ZodType }> = [
  {
    action: 'approve',
    operationId: 'approveRewardOrder',
    summary: 'Approve an order (codes, donations and cashback are issued at once)',
    description:
      'From pending_approval or placed. Codes, donations and cashback are issued in the same step (state issued, codes or credit note in the answer, ' +
      'an order mail and `credit_note.created` for cashback); goods, experiences and content wait for ship, deliver or issue.',
    body: z.object({ reason: reason('Kept in the order history').optional() }).strict(),
  },
  {
    action: 'reject',
    operationId: 'rejectRewardOrder',
    summary: 'Refuse an order waiting for approval; the points and the stock go back',
    description: 'Only from pending_approval. The points are refunded through the ledger and the member is mailed the reason.',
    body: z.object({ reason: reason('Why, for the member (mailed) and the history') }).strict(),
  },
  {
    action: 'ship',
    operationId: 'shipRewardOrder',
    summary: 'Mark goods or tickets as sent, with tracking',
    description: 'Physical and experience rewards, from approved. The member is mailed the tracking.',
    body: z
      .object({
        carrier: line(100).optional().describe('e.g. PostNord, DB Schenker'),
        trackingNumber: line(100).optional(),
        trackingUrl: z.url().max(1000).optional().describe('Where the member follows the parcel'),
        reason: reason('Kept in the order history').optional(),
      })
      .strict(),
  },
  {
    action: 'deliver',
    operationId: 'deliverRewardOrder',
    summary: 'Mark as delivered (or handed over at the counter)',
    description: 'Physical and experience rewards, from approved or shipped. No mail.',
    body: z.object({ reason: reason('Kept in the order history').optional() }).strict(),
  },
  {
    action: 'issue',
    operationId: 'issueRewardOrder',
    summary: 'Hand over content or a service, with the details the member needs',
    description: 'Content, code, charity and cashback rewards, from approved (codes and cashback are usually issued on approval already). The member is mailed the details.',
    body: z.object({ details: line(2000).optional().describe('What the member needs: a link, an access code, a date'), reason: reason('Kept in the order history').optional() }).strict(),
  },
  {
    action: 'cancel',
    operationId: 'cancelRewardOrder',
    summary: 'Cancel before fulfilment; the points and the stock go back',
    description:
      'From pending_approval, placed or approved. The points are refunded through the ledger and the member is mailed. ' +
      'Also open to keys with `orders:write` (a portal cancelling for its member).',
    body: z.object({ reason: reason('Why, for the member (mailed) and the history') }).strict(),
  },
];

export async function rewardOrderRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const actorOf = (req: FastifyRequest) => actorRef(actor(req));

  app.post(
    '/v1/reward-orders',
    {
      config: {
        scope: 'orders:write',
        errors: [
          'unknown_reward',
          'unknown_member',
          'member_not_active',
          'account_not_active',
          'reward_expired',
          'reward_not_available',
          'not_eligible',
          'company_wallet_not_allowed',
          'insufficient_points',
          'redemption_limit_reached',
          'out_of_stock',
          'idempotency_conflict',
        ],
      },
      schema: {
        operationId: 'createRewardOrder',
        tags: ['rewards'],
        summary: 'Order a reward for a member',
        description:
          'Checks eligibility, limits, stock and balance, then debits the points (a redeem journal) and takes the stock in one transaction. ' +
          'Answers 201 with the new order, or 200 with the first order when the same `idempotencyKey` comes again (a different request with it is 409). ' +
          'Orders from the approval threshold wait in pending_approval; codes, donations and cashback below it are issued at once. ' +
          'Sends `reward_order.placed` (and the member an order mail).',
        body: z
          .object({
            reward: z.string().min(1).max(100).describe('The reward: its id or code'),
            memberId: z.uuid().describe('The member who orders'),
            quantity: z.number().int().min(1).max(100).default(1).describe('Units (default 1)'),
            payFrom: z.enum(['member', 'account']).default('member').describe("member (default): the member's own points; account: the company's points, for its managers"),
            shippingAddress: shippingAddressSchema.optional(),
            note: z.string().trim().max(1000).optional().describe('A note from the buyer to the program team'),
            idempotencyKey: idempotencyKey.describe('A unique key of at least 8 characters, e.g. a UUID; a retry with it answers the same order'),
          })
          .strict(),
        response: { 200: orderOut, 201: orderOut },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const result = await placeOrder(db, program, req.body, actorOf(req), { lng: apiLanguage(req), now: clock() });
      reply.status(result.created ? 201 : 200);
      return result.order;
    },
  );

  app.get(
    '/v1/reward-orders',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listRewardOrders',
        tags: ['rewards'],
        summary: 'Reward orders, newest first',
        description:
          'The fulfilment queue with `state=placed` (or approved, shipped…), or one member\'s orders with `memberId`. ' +
          'Cursor-paginated (`limit`, `cursor` from the previous page\'s `nextCursor`); the filters combine.',
        querystring: pageQuery
          .extend({
            state: z.enum(states).optional().describe('Only orders in this state'),
            memberId: z.uuid().optional().describe('Only this member\'s orders (UUID)'),
            accountId: z.uuid().optional().describe('Only orders of this account\'s members (UUID)'),
            rewardId: z.uuid().optional().describe('Only orders of this reward (UUID)'),
          })
          .strict(),
        response: { 200: pageOf(orderOut) },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return listOrders(db, program, req.query, apiLanguage(req));
    },
  );

  app.get(
    '/v1/reward-orders/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getRewardOrder',
        tags: ['rewards'],
        summary: 'One order with its history',
        description: 'With its codes, tracking, credit note and every state change.',
        params: idParams,
        response: { 200: orderOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return getOrder(db, program, req.params.id, apiLanguage(req));
    },
  );

  for (const { action, operationId, summary, description, body } of actions) {
    app.post(
      `/v1/reward-orders/:id/${action}`,
      {
        // A member may cancel their own order from a portal; everything else is the program team's.
        config: { scope: action === 'cancel' ? ['rewards:write', 'orders:write'] : 'rewards:write', errors: ['invalid_order_transition'] },
        schema: {
          operationId,
          tags: ['rewards'],
          summary,
          description:
            `${description} Asking for the state the order is already in answers it unchanged (a safe retry); a step the order's state or type does not allow is 409 invalid_order_transition. ` +
            'Sends `reward_order.state_changed` and is recorded in the audit log.',
          params: idParams,
          body,
          response: { 200: orderOut },
        },
      },
      async (req) => {
        const program = await programOf(req);
        const b = req.body as { reason?: string; carrier?: string; trackingNumber?: string; trackingUrl?: string; details?: string };
        const tracking = Object.fromEntries(
          Object.entries({ carrier: b.carrier, trackingNumber: b.trackingNumber, trackingUrl: b.trackingUrl, details: b.details }).filter(([, v]) => v !== undefined),
        ) as Record<string, string>;
        return transition(db, program, req.params.id, action, { reason: b.reason, tracking }, actorOf(req), { lng: apiLanguage(req), now: clock(), audit: auditContext(req) });
      },
    );
  }
}
