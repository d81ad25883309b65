/** Inactivity clean-up and tier warnings over HTTP: the settings, and running the job now. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { auditContext, caller, type AppContext } from '../http/context.js';
import { getInactivitySettings, inactivitySettingsSchema, runRetention, saveInactivitySettings } from './job.js';

const tags = ['people'];

export async function retentionRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/inactivity/settings',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getInactivitySettings',
        tags,
        summary: 'Get the inactivity and tier-warning settings',
        description: 'When inactive members are reminded and deactivated, and how long before a tier period ends its holders are warned (defaults until saved: off).',
        response: { 200: inactivitySettingsSchema },
      },
    },
    async (req) => getInactivitySettings(db, caller(req).programId),
  );

  app.put(
    '/v1/inactivity/settings',
    {
      config: { scope: 'accounts:write', errors: ['inactivity_months_reversed'] },
      schema: {
        operationId: 'saveInactivitySettings',
        tags,
        summary: 'Set the inactivity and tier-warning settings',
        description:
          'Members with no purchase and no portal visit for `remindAfterMonths` get one reminder; after `deactivateAfterMonths` they are ' +
          'deactivated and their points follow the program’s leaver policy. Deactivation not after the reminder answers 422 ' +
          '`inactivity_months_reversed`. Recorded in the audit log.',
        body: inactivitySettingsSchema,
        response: { 200: inactivitySettingsSchema },
      },
    },
    async (req) =>
      audited(db, auditContext(req), async (trx) => {
        const saved = await saveInactivitySettings(trx, caller(req).programId, req.body, clock());
        return { result: saved, audit: { action: 'inactivity.settings', entity: 'program', entityId: caller(req).programId, after: saved } };
      }),
  );

  app.post(
    '/v1/inactivity/run',
    {
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'runInactivity',
        tags,
        summary: 'Remind, deactivate and warn now',
        description: 'Runs the inactivity and tier-warning job for this program at once (it also runs every hour). Each notice goes once per member and occasion.',
        body: z.object({}).strict().optional(),
        response: {
          200: z.object({ reminded: z.number().int(), deactivated: z.number().int(), tierWarnings: z.number().int().describe('members told what keeping their tier needs') }),
        },
      },
    },
    async (req) => runRetention(db, clock(), { programId: caller(req).programId }),
  );
}
