import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { caller } from '../http/routes.js';
import type { AppContext } from '../http/server.js';
import { createApiKey, listApiKeys, revokeApiKey, scopes } from './api-keys.js';
import { getProgram, programSettingsSchema, updateProgram, type Program } from './programs.js';

const programOut = programSettingsSchema.extend({ id: z.uuid(), createdAt: z.date() });
const apiKeyOut = z.object({
  id: z.uuid(),
  name: z.string(),
  scopes: z.array(z.enum(scopes)),
  createdAt: z.date(),
  revokedAt: z.date().nullable(),
});

// hasOnboarding is kept by the onboarding module, not a setting (GET /v1/onboarding shows the checklist).
const toOut = ({ hasOnboarding: _kept, ...p }: Program) => p;

export async function programRoutes(fastify: FastifyInstance, { database, keyCache }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/program',
    {
      config: { scope: 'read' },
      schema: { tags: ['program'], summary: 'The program this API key belongs to', response: { 200: programOut } },
    },
    async (req) => toOut((await getProgram(db, caller(req).programId))!),
  );

  app.patch(
    '/v1/program',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['program'],
        summary: 'Change program settings (name, language, currency, pending days, expiry policy…)',
        body: programSettingsSchema.partial(),
        response: { 200: programOut },
      },
    },
    async (req) => toOut(await updateProgram(db, caller(req).programId, req.body)),
  );

  app.get(
    '/v1/api-keys',
    {
      config: { scope: 'admin' },
      schema: { tags: ['program'], summary: 'List API keys (never their secrets)', response: { 200: z.object({ data: z.array(apiKeyOut) }) } },
    },
    async (req) => ({ data: await listApiKeys(db, caller(req).programId) }),
  );

  app.post(
    '/v1/api-keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['program'],
        summary: 'Create an API key; the key is shown in this response only',
        body: z.object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.enum(scopes)).min(1) }).strict(),
        response: { 201: apiKeyOut.extend({ key: z.string() }) },
      },
    },
    async (req, reply) => {
      const { key, record } = await createApiKey(db, caller(req).programId, req.body);
      reply.status(201);
      return { ...record, key };
    },
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['program'],
        summary: 'Revoke an API key',
        params: z.object({ id: z.uuid() }),
        response: { 200: apiKeyOut },
      },
    },
    async (req) => revokeApiKey(db, caller(req).programId, req.params.id, keyCache),
  );
}
