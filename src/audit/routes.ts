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
  actorLabel: z.string().describe("The actor's name (a staff user's name, an API key's name) when it acted"),
  actorIp: z.string().nullable().describe('The address the request came from'),
  action: z.string().describe('e.g. account.update, adjustment_request.approve, api_key.revoke'),
  entity: z.string().describe('The kind of record acted on, e.g. account, member, api_key'),
  entityId: z.string().nullable(),
  before: z.unknown().describe('The record before the action, as the API answers it (its shape is the entity\'s); null on a create'),
  after: z.unknown().describe('The record after the action, or what the action did (counts of a batch)'),
  prevHash: z.string().describe('The hash of the entry before (64 zeros for the first)'),
  hash: z.string().describe('HMAC-SHA256 (with LOJAL_AUDIT_KEY) or SHA-256 of the entry and prevHash; `lojal audit verify` checks the chain'),
}).meta({ id: 'AuditEntry', description: 'One entry of the tamper-evident audit log: who did what to which record, before and after.' });

export async function auditRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/audit',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listAuditEntries',
        tags: ['control'],
        summary: 'List the audit log',
        description:
          'Staff and API-key actions (who, what, before and after, when, from where), newest first, filtered by entity, ' +
          'actor, action and time. Each entry is chained to the one before by its hash. Cursor-paginated.',
        querystring: pageQuery
          .extend({
            entity: z.string().min(1).max(100).optional().describe('Only entries about this kind of record, e.g. account'),
            entityId: z.string().min(1).max(200).optional().describe('Only entries about this record (its id)'),
            actor: z.string().min(1).max(200).optional().describe('staff:<id> or api-key:<id>'),
            action: z
              .string()
              .regex(/^[a-z][a-z0-9_.-]{0,99}$/)
              .optional()
              .describe('an action (account.update), or its entity part for all of them (account)'),
            from: z.iso.datetime({ offset: true }).optional().describe('Only entries at or after this instant (ISO 8601 with offset)'),
            to: z.iso.datetime({ offset: true }).optional().describe('Only entries before this instant (ISO 8601 with offset)'),
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
        operationId: 'getAuditFacets',
        tags: ['control'],
        summary: 'Get the filters of the audit log',
        description: 'What the audit log can be filtered by: the actors that appear in it (with their names), its actions and entities, each sorted.',
        response: {
          200: z
            .object({
              actors: z.array(z.object({ actor: z.string().describe('staff:<id> or api-key:<id>'), actorLabel: z.string() })),
              actions: z.array(z.string()),
              entities: z.array(z.string()),
            })
            .meta({ id: 'AuditFacets', description: 'The values the audit log can be filtered by.' }),
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
