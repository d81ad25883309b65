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

const idParams = z.object({ id: z.uuid().describe("The subscription's id") });
const deliveryStates = ['pending', 'delivered', 'failed'] as const;

const subscriptionFields = z.object({
  id: z.uuid(),
  url: z.string().describe('where the signed POSTs go'),
  eventTypes: z.array(z.string()).describe('the event types sent, or ["*"] for all'),
  active: z.boolean().describe('false: paused, nothing is sent'),
  description: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const subscriptionOut = subscriptionFields.meta({ id: 'WebhookSubscription', description: 'A URL that receives signed POSTs for the program\'s events of the given types.' });
const withSecret = subscriptionFields
  .extend({ secret: z.string().describe('the signing secret; shown in this response only') })
  .meta({ id: 'WebhookSubscriptionWithSecret', description: 'A webhook subscription with its signing secret, which is shown only when created or rotated.' });

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
  log: z.array(z.object({ attempt: z.number().int(), at: z.date(), status: z.number().int().nullable(), error: z.string().nullable() })).describe('every attempt, first first'),
}).meta({ id: 'WebhookDelivery', description: 'One event sent (or to be sent) to a subscription, with every attempt.' });

export async function webhookRoutes(fastify: FastifyInstance, { database, config, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const tags = ['webhooks'];

  app.post(
    '/v1/webhooks',
    {
      config: { scope: 'admin', errors: ['invalid_webhook_url', 'webhook_target_not_allowed', 'unknown_webhook_event_type'] },
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Subscribe a URL to events; the signing secret is shown in this response only',
        description:
          'Each delivery is a POST signed with the secret (see the `webhooks` section for the payloads), retried with back-off until it ' +
          'is answered 2xx or its attempts run out (then it is `failed`). A URL in a loopback or private network is 422 `webhook_target_not_allowed` unless the server allows it.',
        body: subscriptionCreateSchema,
        response: { 201: withSecret },
      },
    },
    async (req, reply) => {
      reply.status(201);
      return createSubscription(db, caller(req).programId, req.body, { allowPrivate: config.webhooksAllowPrivate }, req.clock());
    },
  );

  app.get(
    '/v1/webhooks',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listWebhooks',
        tags,
        summary: 'The program’s webhook subscriptions (never their secrets)',
        description: "Paginated: pass the answer's `nextCursor` as `cursor` for the next page.",
        querystring: pageQuery.strict(),
        response: { 200: pageOf(subscriptionOut) },
      },
    },
    async (req) => listSubscriptions(db, caller(req).programId, req.query),
  );

  app.get(
    '/v1/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: { operationId: 'getWebhook', tags, summary: 'One webhook subscription', description: 'Never its secret; rotate it to get a new one.', params: idParams, response: { 200: subscriptionOut } },
    },
    async (req) => getSubscription(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      config: { scope: 'admin', errors: ['invalid_webhook_url', 'webhook_target_not_allowed', 'unknown_webhook_event_type'] },
      schema: {
        operationId: 'updateWebhook',
        tags,
        summary: 'Change the URL, event types, description, or pause it (active: false)',
        description: 'Fields left out keep their value; `active: false` pauses the subscription until it is set active again.',
        params: idParams,
        body: subscriptionPatchSchema,
        response: { 200: subscriptionOut },
      },
    },
    async (req) => updateSubscription(db, caller(req).programId, req.params.id, req.body, { allowPrivate: config.webhooksAllowPrivate }, req.clock()),
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'deleteWebhook',
        tags,
        summary: 'Remove a subscription and its deliveries',
        description: 'Answers the subscription as it was. Deliveries not yet sent are dropped.',
        params: idParams,
        response: { 200: subscriptionOut },
      },
    },
    async (req) => deleteSubscription(db, caller(req).programId, req.params.id),
  );

  app.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: 'Replace the signing secret at once; the new one is shown in this response only',
        description: 'Deliveries from now on are signed with the new secret only, so update the receiver right away.',
        params: idParams,
        response: { 200: withSecret },
      },
    },
    async (req) => rotateSecret(db, caller(req).programId, req.params.id, req.clock()),
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'Deliveries of the subscription, newest first, with every attempt (?state=failed for the ones to look at)',
        description: "Paginated: pass the answer's `nextCursor` as `cursor` for the next page.",
        params: idParams,
        querystring: pageQuery.extend({ state: z.enum(deliveryStates).optional().describe('Only deliveries in this state; default all') }).strict(),
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
      config: { scope: 'admin', errors: ['webhook_delivery_not_failed'] },
      schema: {
        operationId: 'retryWebhookDelivery',
        tags,
        summary: 'Send a failed delivery again now (one more attempt)',
        description: 'Queues one more attempt, sent in the background (202). Only a failed delivery can be retried (409 `webhook_delivery_not_failed`).',
        params: z.object({ id: z.uuid().describe("The delivery's id") }),
        response: { 202: deliveryOut },
      },
    },
    async (req, reply) => {
      reply.status(202);
      return retryDelivery(db, caller(req).programId, req.params.id, clock());
    },
  );
}
