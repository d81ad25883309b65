import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { listDeliveries, retryDelivery } from './delivery.js';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  rotateSecret,
  subscriptionCreateSchema,
  subscriptionPatchSchema,
  updateSubscription,
} from './subscriptions.js';

const idParams = z.object({ id: z.uuid() });
const deliveryStates = ['pending', 'delivered', 'failed'] as const;

const subscriptionOut = z.object({
  id: z.uuid(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  active: z.boolean(),
  description: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const withSecret = subscriptionOut.extend({ secret: z.string().describe('the signing secret; shown in this response only') });

const deliveryOut = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  eventType: z.string(),
  occurredAt: z.date(),
  state: z.enum(deliveryStates),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.date().nullable(),
  nextAttemptAt: z.date().nullable(),
  deliveredAt: z.date().nullable(),
  log: z.array(z.object({ attempt: z.number().int(), at: z.date(), status: z.number().int().nullable(), error: z.string().nullable() })),
});

export async function webhookRoutes(fastify: FastifyInstance, { database, config }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const tags = ['webhooks'];

  app.post(
    '/v1/webhooks',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Subscribe a URL to events; the signing secret is shown in this response only', body: subscriptionCreateSchema, response: { 201: withSecret } },
    },
    async (req, reply) => {
      reply.status(201);
      return createSubscription(db, caller(req).programId, req.body, { allowPrivate: config.webhooksAllowPrivate });
    },
  );

  app.get(
    '/v1/webhooks',
    { config: { scope: 'admin' }, schema: { tags, summary: 'The program’s webhook subscriptions (never their secrets)', querystring: pageQuery.strict(), response: { 200: pageOf(subscriptionOut) } } },
    async (req) => listSubscriptions(db, caller(req).programId, req.query),
  );

  app.get(
    '/v1/webhooks/:id',
    { config: { scope: 'admin' }, schema: { tags, summary: 'One webhook subscription', params: idParams, response: { 200: subscriptionOut } } },
    async (req) => getSubscription(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Change the URL, event types, description, or pause it (active: false)', params: idParams, body: subscriptionPatchSchema, response: { 200: subscriptionOut } },
    },
    async (req) => updateSubscription(db, caller(req).programId, req.params.id, req.body, { allowPrivate: config.webhooksAllowPrivate }),
  );

  app.delete(
    '/v1/webhooks/:id',
    { config: { scope: 'admin' }, schema: { tags, summary: 'Remove a subscription and its deliveries', params: idParams, response: { 200: subscriptionOut } } },
    async (req) => deleteSubscription(db, caller(req).programId, req.params.id),
  );

  app.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Replace the signing secret at once; the new one is shown in this response only', params: idParams, response: { 200: withSecret } },
    },
    async (req) => rotateSecret(db, caller(req).programId, req.params.id),
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Deliveries of the subscription, newest first, with every attempt (?state=failed for the ones to look at)',
        params: idParams,
        querystring: pageQuery.extend({ state: z.enum(deliveryStates).optional() }).strict(),
        response: { 200: pageOf(deliveryOut) },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      await getSubscription(db, programId, req.params.id);
      return listDeliveries(db, programId, req.params.id, req.query);
    },
  );

  app.post(
    '/v1/webhooks/deliveries/:id/retry',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Send a failed delivery again now (one more attempt)', params: idParams, response: { 202: deliveryOut } },
    },
    async (req, reply) => {
      reply.status(202);
      return retryDelivery(db, caller(req).programId, req.params.id);
    },
  );
}
