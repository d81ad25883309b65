import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { batchBody, batchResponse, batchSummary } from '../batch/schema.js';
import { country, externalId, lifecycleStatus, searchText, slug, tag, text } from '../fields/index.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { audited, batchCounts } from '../audit/index.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { upsertAccountByExternalId, upsertAccounts } from './account-batch.js';
import { accountCreateSchema, accountPatchSchema, accountPutSchema, accountSchema } from './account-schema.js';
import { createAccount, getAccount, getAccountByExternalId, listAccounts, updateAccount } from './accounts.js';
import { memberListQuery } from './member-routes.js';
import { memberSchema } from './member-schema.js';
import { listMembers } from './members.js';

export { memberRoutes } from './member-routes.js';

const tags = ['accounts'];
const idParams = z.object({ id: z.uuid() });
const externalIdParams = z.object({ externalId });

const listQuery = pageQuery
  .extend({
    q: searchText.optional().describe("Contained in name, external id or org number, or in a member's e-mail address, any case"),
    segment: text(100).optional(),
    tag: tag.optional(),
    status: lifecycleStatus.optional(),
    country: country.optional(),
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
      config: { scope: 'accounts:write' },
      schema: { tags, summary: 'Create an account (and its company wallet)', body: accountCreateSchema, response: { 201: accountSchema } },
    },
    async (req, reply) => {
      const account = await audited(db, auditContext(req), async (trx) => {
        const after = await createAccount(trx, caller(req).programId, req.body);
        return { result: after, audit: { action: 'account.create', entity: 'account', entityId: after.id, after } };
      });
      return reply.status(201).send(account);
    },
  );

  app.get(
    '/v1/accounts',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'List accounts by name, with filters', querystring: listQuery, response: { 200: pageOf(accountSchema) } },
    },
    async (req) => listAccounts(db, caller(req).programId, req.query),
  );

  app.get(
    '/v1/accounts/:id',
    { config: { scope: 'read' }, schema: { tags, summary: 'Get an account', params: idParams, response: { 200: accountSchema } } },
    async (req) => getAccount(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/accounts/:id',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Change an account: fields sent are set (null clears), fields left out keep their value',
        params: idParams,
        body: accountPatchSchema,
        response: { 200: accountSchema },
      },
    },
    async (req) =>
      audited(db, auditContext(req), async (trx) => {
        const before = await getAccount(trx, caller(req).programId, req.params.id);
        const after = await updateAccount(trx, caller(req).programId, req.params.id, req.body);
        return { result: after, audit: { action: 'account.update', entity: 'account', entityId: after.id, before, after } };
      }),
  );

  app.get(
    '/v1/accounts/by-external-id/:externalId',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Get an account by its external id (ERP customer number)', params: externalIdParams, response: { 200: accountSchema } },
    },
    async (req) => getAccountByExternalId(db, caller(req).programId, req.params.externalId),
  );

  app.put(
    '/v1/accounts/by-external-id/:externalId',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Create (201) or update (200) the account with this external id; fields left out keep their value',
        params: externalIdParams,
        body: accountPutSchema,
        response: { 200: accountSchema, 201: accountSchema },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const { account, created } = await audited(db, auditContext(req), async (trx) => {
        const before = await getAccountByExternalId(trx, programId, req.params.externalId).catch(() => null);
        const result = await upsertAccountByExternalId(trx, programId, req.params.externalId, req.body);
        const after = result.account;
        return { result, audit: { action: result.created ? 'account.create' : 'account.update', entity: 'account', entityId: after.id, before, after } };
      });
      return reply.status(created ? 201 : 200).send(account);
    },
  );

  app.post(
    '/v1/accounts/batch',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Create or update up to 1,000 accounts by external id; each item is answered on its own',
        body: batchBody('accounts'),
        response: { 200: batchResponse },
      },
    },
    async (req) =>
      batchSummary(
        await audited(db, auditContext(req), async (trx) => {
          const results = await upsertAccounts(trx, caller(req).programId, req.body.items);
          return { result: results, audit: { action: 'account.batch', entity: 'account', after: batchCounts(results) } };
        }),
      ),
  );

  app.get(
    '/v1/accounts/:id/members',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "List the account's members",
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
