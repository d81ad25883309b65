import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { batchResponse, batchSummary } from '../batch/schema.js';
import { typedBatchBody } from './batch-body.js';
import { externalId, searchText, slug, tag } from '../fields/index.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { audited, batchCounts } from '../audit/index.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { upsertMemberByExternalId, upsertMembers } from './member-batch.js';
import { memberCreateSchema, memberPatchSchema, memberPutSchema, memberSchema, memberStatuses, memberUpsertSchema } from './member-schema.js';
import { createMember, getMember, getMemberByExternalId, listMembers, updateMember } from './members.js';

const tags = ['members'];
const idParams = z.object({ id: z.uuid() });
const externalIdParams = z.object({ externalId: externalId.describe("The member's external id (CRM contact number), percent-encoded") });

export const memberListQuery = pageQuery
  .extend({
    accountId: z.uuid().optional().describe('Only the members of this account (not of its branches)'),
    role: slug.optional().describe('Only members with this role (exact, any case)'),
    status: z.enum(memberStatuses).optional().describe('Only members in this status'),
    tag: tag.optional().describe('Only members with this tag (exact)'),
    email: z.string().trim().max(254).optional().describe('Exact e-mail address, any case'),
    q: searchText.optional().describe('Contained in name, e-mail or external id, any case'),
    tier: slug.optional().describe("Only members at this tier level (its code)"),
  })
  .strict();

export async function memberRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/members',
    {
      config: { scope: 'accounts:write', errors: ['unknown_account', 'duplicate_external_id'] },
      schema: {
        operationId: 'createMember',
        tags,
        summary: 'Create a member',
        description:
          'Creates a person of an account and their own wallet (same id). The account may be given by id or by ' +
          'external id. No mail is sent (POST /v1/accounts/{id}/invitations invites by mail). A CRM sync should ' +
          'rather use PUT /v1/members/by-external-id/{externalId}. Recorded in the audit log.',
        body: memberCreateSchema,
        response: { 201: memberSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(
        await audited(db, auditContext(req), async (trx) => {
          const after = await createMember(trx, caller(req).programId, req.body, clock());
          return { result: after, audit: { action: 'member.create', entity: 'member', entityId: after.id, after } };
        }),
      ),
  );

  app.get(
    '/v1/members',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listMembers',
        tags,
        summary: 'List members',
        description:
          'Members sorted by name, filtered by account, role, status, tag, e-mail, search text or tier. ' +
          'Cursor-paginated: pass `nextCursor` as `cursor` for the next page until it is null.',
        querystring: memberListQuery,
        response: { 200: pageOf(memberSchema) },
      },
    },
    async (req) => listMembers(db, caller(req).programId, req.query),
  );

  app.get(
    '/v1/members/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getMember',
        tags,
        summary: 'Get a member',
        description: 'The member by its Lojal id, or by `ext:` and its external id (`/v1/members/ext:P10001`).',
        params: idParams,
        response: { 200: memberSchema },
      },
    },
    async (req) => getMember(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/members/:id',
    {
      config: { scope: 'accounts:write', errors: ['unknown_account', 'duplicate_external_id'] },
      schema: {
        operationId: 'updateMember',
        tags,
        summary: 'Change a member',
        description:
          'Fields sent are set (null clears), fields left out keep their value; an account reference moves the ' +
          "member to that account (the member's points stay with the member). Recorded in the audit log.",
        params: idParams,
        body: memberPatchSchema,
        response: { 200: memberSchema },
      },
    },
    async (req) =>
      audited(db, auditContext(req), async (trx) => {
        const before = await getMember(trx, caller(req).programId, req.params.id);
        const after = await updateMember(trx, caller(req).programId, req.params.id, req.body, req.clock());
        return { result: after, audit: { action: 'member.update', entity: 'member', entityId: after.id, before, after } };
      }),
  );

  app.get(
    '/v1/members/by-external-id/:externalId',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getMemberByExternalId',
        tags,
        summary: 'Get a member by external id',
        description: 'The member with this external id (your CRM contact number); 404 when there is none.',
        params: externalIdParams,
        response: { 200: memberSchema },
      },
    },
    async (req) => getMemberByExternalId(db, caller(req).programId, req.params.externalId),
  );

  app.put(
    '/v1/members/by-external-id/:externalId',
    {
      config: { scope: 'accounts:write', errors: ['unknown_account'] },
      schema: {
        operationId: 'upsertMemberByExternalId',
        tags,
        summary: 'Create or update a member by external id',
        description:
          'The CRM sync call: creates the member with this external id (201) or updates it (200). `name` and the ' +
          'account are required; other fields left out keep their stored value. Idempotent: sending the same body ' +
          'again changes nothing. Recorded in the audit log.',
        params: externalIdParams,
        body: memberPutSchema,
        response: { 200: memberSchema, 201: memberSchema },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const { member, created } = await audited(db, auditContext(req), async (trx) => {
        const before = await getMemberByExternalId(trx, programId, req.params.externalId).catch(() => null);
        const result = await upsertMemberByExternalId(trx, programId, req.params.externalId, req.body, req.clock());
        const after = result.member;
        return { result, audit: { action: result.created ? 'member.create' : 'member.update', entity: 'member', entityId: after.id, before, after } };
      });
      return reply.status(created ? 201 : 200).send(member);
    },
  );

  app.post(
    '/v1/members/batch',
    {
      config: { scope: 'accounts:write', errors: ['batch_too_large'] },
      schema: {
        operationId: 'upsertMemberBatch',
        tags,
        summary: 'Create or update members in a batch',
        description:
          'Up to 1,000 members by external id, each as in the PUT by external id (an item may leave out `name` and ' +
          'the account when the member exists). Each item is answered on its own in `results`: a bad item does not ' +
          'stop the others. Idempotent like the PUT.',
        body: typedBatchBody('members', memberUpsertSchema),
        response: { 200: batchResponse },
      },
    },
    async (req) =>
      batchSummary(
        await audited(db, auditContext(req), async (trx) => {
          const results = await upsertMembers(trx, caller(req).programId, req.body.items, req.clock());
          return { result: results, audit: { action: 'member.batch', entity: 'member', after: batchCounts(results) } };
        }),
      ),
  );
}
