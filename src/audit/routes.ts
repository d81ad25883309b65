import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decodeCursor, pageOf, pageQuery } from '../http/pagination.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { auditFacets, listAudit } from './queries.js';
import { auditCheckpoint } from './verify.js';

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
  hash: z.string().describe('HMAC-SHA256 (with LOJAL_AUDIT_KEY) or SHA-256 of the entry and prevHash; `lojal audit verify` checks the chain'),
});

export async function auditRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
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
            action: z
              .string()
              .regex(/^[a-z][a-z0-9_.-]{0,99}$/)
              .optional()
              .describe('an action (account.update), or its entity part for all of them (account)'),
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
        action: q.action,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
        beforeSeq: after?.[0],
      });
    },
  );

  app.get(
    '/v1/audit/facets',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['control'],
        summary: 'What the audit log can be filtered by: the actors that appear in it (with their names), its actions and entities',
        response: {
          200: z.object({
            actors: z.array(z.object({ actor: z.string(), actorLabel: z.string() })),
            actions: z.array(z.string()),
            entities: z.array(z.string()),
          }),
        },
      },
    },
    async (req) => auditFacets(db, caller(req).programId),
  );

  app.get(
    '/v1/audit/checkpoint',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAuditCheckpoint',
        tags: ['control'],
        summary: 'The audit chain’s head now, to keep outside Lojal',
        description:
          'Store the answer somewhere the database’s administrators cannot change (a ticket, another system, a file on ' +
          'other storage). `lojal audit verify --checkpoints <file>` then proves the log still holds that entry with ' +
          'that hash, so removing the newest entries is caught.',
        response: {
          200: z.object({
            programId: z.uuid(),
            seq: z.number().int().describe('the number of entries in the chain'),
            hash: z.string().describe('the hash of entry `seq` (64 zeros when the log is empty)'),
            at: z.string().describe('when the checkpoint was taken'),
          }),
        },
      },
    },
    async (req) => auditCheckpoint(db, caller(req).programId, clock()),
  );
}
