import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { batchResponse, batchSummary } from '../batch/schema.js';
import { typedBatchBody } from './batch-body.js';
import { country, externalId, lifecycleStatus, searchText, slug, tag, text } from '../fields/index.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { audited, batchCounts } from '../audit/index.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { upsertAccountByExternalId, upsertAccounts } from './account-batch.js';
import { accountCreateSchema, accountPatchSchema, accountPutSchema, accountSchema, accountUpsertSchema } from './account-schema.js';
import { createAccount, getAccount, getAccountByExternalId, listAccounts, updateAccount } from './accounts.js';
import { memberListQuery } from './member-routes.js';
import { memberSchema } from './member-schema.js';
import { listMembers } from './members.js';

export { memberRoutes } from './member-routes.js';

const tags = ['accounts'];
const idParams = z.object({ id: z.uuid() });
const externalIdParams = z.object({ externalId: externalId.describe("The account's external id (ERP customer number), percent-encoded") });

const listQuery = pageQuery
  .extend({
    q: searchText.optional().describe("Contained in name, external id or org number, or in a member's e-mail address, any case"),
    segment: text(100).optional().describe('Only accounts in this segment (exact)'),
    tag: tag.optional().describe('Only accounts with this tag (exact)'),
    status: lifecycleStatus.optional().describe('Only accounts in this status'),
    country: country.optional().describe('Only accounts in this country (ISO 3166-1 alpha-2, e.g. SE)'),
    parentId: z.uuid().optional().describe('Only the direct branches of this account'),
    tier: slug.optional().describe('Only accounts at this tier level (its code)'),
  })
  .strict();

export async function accountRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/accounts',
    {
      config: { scope: 'accounts:write', errors: ['unknown_parent_account', 'duplicate_external_id'] },
      schema: {
        operationId: 'createAccount',
        tags,
        summary: 'Create an account',
        description:
          'Creates a customer company and its company wallet (same id) in one step. An ERP sync should rather use ' +
          'PUT /v1/accounts/by-external-id/{externalId}, which a retry cannot duplicate. The parent may be given by ' +
          'id or by external id. Recorded in the audit log.',
        body: accountCreateSchema,
        response: { 201: accountSchema },
      },
    },
    async (req, reply) => {
      const account = await audited(db, auditContext(req), async (trx) => {
        const after = await createAccount(trx, caller(req).programId, req.body, req.clock());
        return { result: after, audit: { action: 'account.create', entity: 'account', entityId: after.id, after } };
      });
      return reply.status(201).send(account);
    },
  );

  app.get(
    '/v1/accounts',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listAccounts',
        tags,
        summary: 'List accounts',
        description:
          'Accounts sorted by name, filtered by search text, segment, tag, status, country, parent or tier. ' +
          'Cursor-paginated: pass `nextCursor` as `cursor` for the next page until it is null.',
        querystring: listQuery,
        response: { 200: pageOf(accountSchema) },
      },
    },
    async (req) => listAccounts(db, caller(req).programId, req.query),
  );

  app.get(
    '/v1/accounts/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAccount',
        tags,
        summary: 'Get an account',
        description: 'The account by its Lojal id, or by `ext:` and its external id (`/v1/accounts/ext:K1000`).',
        params: idParams,
        response: { 200: accountSchema },
      },
    },
    async (req) => getAccount(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/accounts/:id',
    {
      config: { scope: 'accounts:write', errors: ['unknown_parent_account', 'parent_cycle', 'duplicate_external_id'] },
      schema: {
        operationId: 'updateAccount',
        tags,
        summary: 'Change an account',
        description:
          'Fields sent are set (null clears), fields left out keep their value. A new parent that would make the ' +
          'hierarchy a loop is refused with parent_cycle. Setting status to suspended or closed stops earning and ' +
          'spending. Recorded in the audit log.',
        params: idParams,
        body: accountPatchSchema,
        response: { 200: accountSchema },
      },
    },
    async (req) =>
      audited(db, auditContext(req), async (trx) => {
        const before = await getAccount(trx, caller(req).programId, req.params.id);
        const after = await updateAccount(trx, caller(req).programId, req.params.id, req.body, req.clock());
        return { result: after, audit: { action: 'account.update', entity: 'account', entityId: after.id, before, after } };
      }),
  );

  app.get(
    '/v1/accounts/by-external-id/:externalId',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAccountByExternalId',
        tags,
        summary: 'Get an account by external id',
        description: 'The account with this external id (your ERP customer number); 404 when there is none.',
        params: externalIdParams,
        response: { 200: accountSchema },
      },
    },
    async (req) => getAccountByExternalId(db, caller(req).programId, req.params.externalId),
  );

  app.put(
    '/v1/accounts/by-external-id/:externalId',
    {
      config: { scope: 'accounts:write', errors: ['unknown_parent_account', 'parent_cycle'] },
      schema: {
        operationId: 'upsertAccountByExternalId',
        tags,
        summary: 'Create or update an account by external id',
        description:
          'The ERP sync call: creates the account with this external id (201) or updates it (200). `name` is required; ' +
          'other fields left out keep their stored value, so a sync does not undo a suspension made in Lojal. ' +
          'Idempotent: sending the same body again changes nothing. Recorded in the audit log.',
        params: externalIdParams,
        body: accountPutSchema,
        response: { 200: accountSchema, 201: accountSchema },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const { account, created } = await audited(db, auditContext(req), async (trx) => {
        const before = await getAccountByExternalId(trx, programId, req.params.externalId).catch(() => null);
        const result = await upsertAccountByExternalId(trx, programId, req.params.externalId, req.body, req.clock());
        const after = result.account;
        return { result, audit: { action: result.created ? 'account.create' : 'account.update', entity: 'account', entityId: after.id, before, after } };
      });
      return reply.status(created ? 201 : 200).send(account);
    },
  );

  app.post(
    '/v1/accounts/batch',
    {
      config: { scope: 'accounts:write', errors: ['batch_too_large'] },
      schema: {
        operationId: 'upsertAccountBatch',
        tags,
        summary: 'Create or update accounts in a batch',
        description:
          'Up to 1,000 accounts by external id, each as in the PUT by external id (an item may leave out `name` when ' +
          'the account exists). Each item is answered on its own in `results`: a bad item does not stop the others. ' +
          'Parents may be other items of the same batch. Idempotent like the PUT.',
        body: typedBatchBody('accounts', accountUpsertSchema),
        response: { 200: batchResponse },
      },
    },
    async (req) =>
      batchSummary(
        await audited(db, auditContext(req), async (trx) => {
          const results = await upsertAccounts(trx, caller(req).programId, req.body.items, req.clock());
          return { result: results, audit: { action: 'account.batch', entity: 'account', after: batchCounts(results) } };
        }),
      ),
  );

  app.get(
    '/v1/accounts/:id/members',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listAccountMembers',
        tags,
        summary: "List an account's members",
        description: 'The members of this account (not of its branches), sorted by name, with the filters of GET /v1/members. Cursor-paginated.',
        params: idParams,
        querystring: memberListQuery.omit({ accountId: true }),
        response: { 200: pageOf(memberSchema) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      await getAccount(db, programId, req.params.id);
      return listMembers(db, programId, { ...req.query, accountId: req.params.id });
    },
  );
}
