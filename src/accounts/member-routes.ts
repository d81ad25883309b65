import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { batchBody, batchResponse, batchSummary } from '../batch/schema.js';
import { externalId, searchText, slug, tag } from '../fields/index.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { audited, batchCounts } from '../audit/index.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { upsertMemberByExternalId, upsertMembers } from './member-batch.js';
import { memberCreateSchema, memberPatchSchema, memberPutSchema, memberSchema, memberStatuses } from './member-schema.js';
import { createMember, getMember, getMemberByExternalId, listMembers, updateMember } from './members.js';

const tags = ['members'];
const idParams = z.object({ id: z.uuid() });
const externalIdParams = z.object({ externalId });

export const memberListQuery = pageQuery
  .extend({
    accountId: z.uuid().optional(),
    role: slug.optional(),
    status: z.enum(memberStatuses).optional(),
    tag: tag.optional(),
    email: z.string().trim().max(254).optional().describe('Exact e-mail address, any case'),
    q: searchText.optional().describe('Contained in name, e-mail or external id, any case'),
    tier: slug.optional().describe("Only members at this tier level (its code)"),
  })
  .strict();

export async function memberRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/members',
    {
      config: { scope: 'accounts:write' },
      schema: { tags, summary: 'Create a member of an account (and the member wallet)', body: memberCreateSchema, response: { 201: memberSchema } },
    },
    async (req, reply) =>
      reply.status(201).send(
        await audited(db, auditContext(req), async (trx) => {
          const after = await createMember(trx, caller(req).programId, req.body);
          return { result: after, audit: { action: 'member.create', entity: 'member', entityId: after.id, after } };
        }),
      ),
  );

  app.get(
    '/v1/members',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'List members by name, with filters', querystring: memberListQuery, response: { 200: pageOf(memberSchema) } },
    },
    async (req) => listMembers(db, caller(req).programId, req.query),
  );

  app.get(
    '/v1/members/:id',
    { config: { scope: 'read' }, schema: { tags, summary: 'Get a member', params: idParams, response: { 200: memberSchema } } },
    async (req) => getMember(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/members/:id',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Change a member: fields sent are set (null clears); an account reference moves the member',
        params: idParams,
        body: memberPatchSchema,
        response: { 200: memberSchema },
      },
    },
    async (req) =>
      audited(db, auditContext(req), async (trx) => {
        const before = await getMember(trx, caller(req).programId, req.params.id);
        const after = await updateMember(trx, caller(req).programId, req.params.id, req.body);
        return { result: after, audit: { action: 'member.update', entity: 'member', entityId: after.id, before, after } };
      }),
  );

  app.get(
    '/v1/members/by-external-id/:externalId',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Get a member by external id', params: externalIdParams, response: { 200: memberSchema } },
    },
    async (req) => getMemberByExternalId(db, caller(req).programId, req.params.externalId),
  );

  app.put(
    '/v1/members/by-external-id/:externalId',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Create (201) or update (200) the member with this external id; fields left out keep their value',
        params: externalIdParams,
        body: memberPutSchema,
        response: { 200: memberSchema, 201: memberSchema },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const { member, created } = await audited(db, auditContext(req), async (trx) => {
        const before = await getMemberByExternalId(trx, programId, req.params.externalId).catch(() => null);
        const result = await upsertMemberByExternalId(trx, programId, req.params.externalId, req.body);
        const after = result.member;
        return { result, audit: { action: result.created ? 'member.create' : 'member.update', entity: 'member', entityId: after.id, before, after } };
      });
      return reply.status(created ? 201 : 200).send(member);
    },
  );

  app.post(
    '/v1/members/batch',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Create or update up to 1,000 members by external id; each item is answered on its own',
        body: batchBody('members'),
        response: { 200: batchResponse },
      },
    },
    async (req) =>
      batchSummary(
        await audited(db, auditContext(req), async (trx) => {
          const results = await upsertMembers(trx, caller(req).programId, req.body.items);
          return { result: results, audit: { action: 'member.batch', entity: 'member', after: batchCounts(results) } };
        }),
      ),
  );
}
