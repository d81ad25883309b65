import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decodeCursor, pageOf, pageQuery } from '../http/pagination.js';
import { caller } from '../http/routes.js';
import type { AppContext } from '../http/server.js';
import { listAudit } from './queries.js';

const entryOut = z.object({
  seq: z.number().int().describe('position in the program’s chain, from 1'),
  id: z.uuid(),
  at: z.date(),
  actor: z.string().describe('staff:<id> or api-key:<id>'),
  actorLabel: z.string(),
  actorIp: z.string().nullable(),
  action: z.string().describe('e.g. account.update, adjustment_request.approve, api_key.revoke'),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  prevHash: z.string(),
  hash: z.string().describe('sha256 of the entry and prevHash; `lojal audit verify` checks the chain'),
});

export async function auditRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/audit',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['control'],
        summary: 'The audit log of staff actions (who, what, before and after, when, from where), newest first',
        querystring: pageQuery
          .extend({
            entity: z.string().min(1).max(100).optional(),
            entityId: z.string().min(1).max(200).optional(),
            actor: z.string().min(1).max(200).optional().describe('staff:<id> or api-key:<id>'),
            from: z.iso.datetime({ offset: true }).optional().describe('inclusive'),
            to: z.iso.datetime({ offset: true }).optional().describe('exclusive'),
          })
          .strict(),
        response: { 200: pageOf(entryOut) },
      },
    },
    async (req) => {
      const q = req.query;
      const after = decodeCursor(q.cursor, z.tuple([z.number().int().min(1)]));
      return listAudit(db, caller(req).programId, {
        entity: q.entity,
        entityId: q.entityId,
        actor: q.actor,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
        beforeSeq: after?.[0],
      });
    },
  );
}
