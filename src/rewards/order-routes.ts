import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
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
const idParams = z.object({ id: z.uuid() });
const line = (max: number) => z.string().trim().min(1).max(max);

const orderOut = z.object({
  id: z.uuid(),
  state: z.enum(states),
  reward: z.object({ id: z.uuid(), code: z.string(), type: z.enum(rewardTypes), name: z.string() }),
  quantity: z.number().int(),
  points: z.number().int(),
  memberId: z.uuid(),
  accountId: z.uuid(),
  paidFrom: z.enum(['member', 'account']),
  shippingAddress: z.record(z.string(), z.string()).nullable(),
  tracking: z.record(z.string(), z.string()).nullable(),
  codes: z.array(z.string()).describe('gift-card or coupon codes, once issued'),
  note: z.string().nullable(),
  creditNote: z.object({ id: z.uuid(), amountMinor: z.number().int(), currency: z.string(), exportedAt: z.date().nullable() }).nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  history: z.array(z.object({ from: z.enum(states).nullable(), to: z.enum(states), actor: z.string(), reason: z.string().nullable(), at: z.date() })),
});

/** A delivery address of an order (also what the portal takes). */
export const shippingAddressSchema = z
  .object({
    name: line(200),
    company: line(200).optional(),
    street: line(200),
    postalCode: line(20),
    city: line(100),
    country: z.string().trim().length(2).toUpperCase(),
    phone: line(40).optional(),
  })
  .strict();

const actions: Array<{ action: OrderAction; summary: string; body: z.ZodType }> = [
  { action: 'approve', summary: 'Approve an order (codes, donations and cashback are issued at once)', body: z.object({ reason: line(500).optional() }).strict() },
  { action: 'reject', summary: 'Refuse an order waiting for approval; the points and the stock go back', body: z.object({ reason: line(500) }).strict() },
  {
    action: 'ship',
    summary: 'Mark goods or tickets as sent, with tracking',
    body: z.object({ carrier: line(100).optional(), trackingNumber: line(100).optional(), trackingUrl: z.url().max(1000).optional(), reason: line(500).optional() }).strict(),
  },
  { action: 'deliver', summary: 'Mark as delivered (or handed over at the counter)', body: z.object({ reason: line(500).optional() }).strict() },
  {
    action: 'issue',
    summary: 'Hand over content or a service, with the details the member needs',
    body: z.object({ details: line(2000).optional(), reason: line(500).optional() }).strict(),
  },
  { action: 'cancel', summary: 'Cancel before fulfilment; the points and the stock go back', body: z.object({ reason: line(500) }).strict() },
];

export async function rewardOrderRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const actorOf = (req: FastifyRequest) => actorRef(actor(req));

  app.post(
    '/v1/reward-orders',
    {
      config: { scope: 'orders:write' },
      schema: {
        tags: ['rewards'],
        summary: 'Order a reward for a member: points and stock are reserved together (idempotent by idempotencyKey)',
        body: z
          .object({
            reward: z.string().min(1).max(100).describe('the reward id or code'),
            memberId: z.uuid(),
            quantity: z.number().int().min(1).max(100).default(1),
            payFrom: z.enum(['member', 'account']).default('member').describe("'account': the company's points, for its managers"),
            shippingAddress: shippingAddressSchema.optional(),
            note: z.string().trim().max(1000).optional(),
            idempotencyKey: z.string().trim().min(8, 'use a unique key of at least 8 characters, e.g. a UUID').max(200),
          })
          .strict(),
        response: { 200: orderOut, 201: orderOut },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const result = await placeOrder(db, program, req.body, actorOf(req), { lng: apiLanguage(req) });
      reply.status(result.created ? 201 : 200);
      return result.order;
    },
  );

  app.get(
    '/v1/reward-orders',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['rewards'],
        summary: 'Orders, newest first: the fulfilment queue (?state=placed) or one member\'s orders',
        querystring: pageQuery.extend({ state: z.enum(states).optional(), memberId: z.uuid().optional(), accountId: z.uuid().optional(), rewardId: z.uuid().optional() }).strict(),
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
    { config: { scope: 'read' }, schema: { tags: ['rewards'], summary: 'One order with its history', params: idParams, response: { 200: orderOut } } },
    async (req) => {
      const program = await programOf(req);
      return getOrder(db, program, req.params.id, apiLanguage(req));
    },
  );

  for (const { action, summary, body } of actions) {
    app.post(
      `/v1/reward-orders/:id/${action}`,
      {
        // A member may cancel their own order from a portal; everything else is the program team's.
        config: { scope: action === 'cancel' ? ['rewards:write', 'orders:write'] : 'rewards:write' },
        schema: { tags: ['rewards'], summary, params: idParams, body, response: { 200: orderOut } },
      },
      async (req) => {
        const program = await programOf(req);
        const b = req.body as { reason?: string; carrier?: string; trackingNumber?: string; trackingUrl?: string; details?: string };
        const tracking = Object.fromEntries(
          Object.entries({ carrier: b.carrier, trackingNumber: b.trackingNumber, trackingUrl: b.trackingUrl, details: b.details }).filter(([, v]) => v !== undefined),
        ) as Record<string, string>;
        return transition(db, program, req.params.id, action, { reason: b.reason, tracking }, actorOf(req), { lng: apiLanguage(req), audit: auditContext(req) });
      },
    );
  }
}
