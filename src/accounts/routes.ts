import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { pageQuery } from '../http/pagination.js';
import { caller } from '../http/routes.js';
import type { AppContext } from '../http/server.js';
import { createAccount, getAccount, getAccountByExternalId, listAccounts, updateAccount, upsertAccounts } from './accounts.js';
import { createMember, getMember, getMemberByExternalId, listMembers, updateMember, upsertMembers } from './members.js';
import { accountCreate, accountPatch, memberCreate, memberPatch, statusSchema } from './schemas.js';

const MAX_BATCH = 1000;
const idParams = z.object({ id: z.uuid() });
const extParams = z.object({ externalId: z.string().min(1).max(200) });
const batchBody = z.object({ items: z.array(z.unknown()) }).strict();

function checkBatch(items: unknown[]) {
  if (items.length > MAX_BATCH) throw new LojalError('batch_too_large', { max: MAX_BATCH, count: items.length });
}

export async function accountRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const pid = (req: Parameters<typeof caller>[0]) => caller(req).programId;
  const read = { scope: 'read' as const };
  const write = { scope: 'accounts:write' as const };

  app.post('/v1/accounts', { config: write, schema: { tags: ['accounts'], summary: 'Create an account (a company)', body: accountCreate } }, async (req, reply) => {
    reply.status(201);
    return createAccount(db, pid(req), req.body);
  });
  app.get(
    '/v1/accounts',
    {
      config: read,
      schema: {
        tags: ['accounts'],
        summary: 'List accounts by name, with filters and cursor pages',
        querystring: z.object({ ...pageQuery, q: z.string().max(200).optional(), segment: z.string().optional(), tag: z.string().optional(), status: statusSchema.optional(), country: z.string().optional(), parentId: z.uuid().optional() }).strict(),
      },
    },
    async (req) => listAccounts(db, pid(req), req.query),
  );
  app.get('/v1/accounts/:id', { config: read, schema: { tags: ['accounts'], summary: 'An account', params: idParams } }, async (req) => getAccount(db, pid(req), req.params.id));
  app.patch('/v1/accounts/:id', { config: write, schema: { tags: ['accounts'], summary: 'Change an account', params: idParams, body: accountPatch } }, async (req) =>
    updateAccount(db, pid(req), req.params.id, req.body),
  );
  app.get('/v1/accounts/by-external-id/:externalId', { config: read, schema: { tags: ['accounts'], summary: 'An account by your id (ERP customer number)', params: extParams } }, async (req) =>
    getAccountByExternalId(db, pid(req), req.params.externalId),
  );
  app.put(
    '/v1/accounts/by-external-id/:externalId',
    { config: write, schema: { tags: ['accounts'], summary: 'Create or replace an account by your id', params: extParams, body: accountCreate.omit({ externalId: true }).extend({ parentExternalId: z.string().optional() }).strict() } },
    async (req, reply) => {
      const [r] = await upsertAccounts(db, pid(req), [{ ...req.body, externalId: req.params.externalId }]);
      if (r!.status === 'error') throw new LojalError('validation_failed', {}, r!.error.errors);
      reply.status(r!.status === 'created' ? 201 : 200);
      return getAccount(db, pid(req), r!.id);
    },
  );
  app.post(
    '/v1/accounts/batch',
    { config: write, schema: { tags: ['accounts'], summary: 'Create or replace up to 1,000 accounts by external id; answers per item', body: batchBody } },
    async (req) => {
      checkBatch(req.body.items);
      return { results: await upsertAccounts(db, pid(req), req.body.items) };
    },
  );
  app.get(
    '/v1/accounts/:id/members',
    { config: read, schema: { tags: ['accounts'], summary: "The account's members", params: idParams, querystring: z.object(pageQuery).strict() } },
    async (req) => {
      await getAccount(db, pid(req), req.params.id);
      return listMembers(db, pid(req), { accountId: req.params.id, ...req.query });
    },
  );

  const mwrite = write;
  app.post('/v1/members', { config: mwrite, schema: { tags: ['members'], summary: 'Create a member (a person at an account)', body: memberCreate } }, async (req, reply) => {
    reply.status(201);
    return createMember(db, pid(req), req.body);
  });
  app.get(
    '/v1/members',
    {
      config: read,
      schema: {
        tags: ['members'],
        summary: 'List members with filters and cursor pages',
        querystring: z.object({ ...pageQuery, q: z.string().max(200).optional(), accountId: z.uuid().optional(), role: z.string().optional(), status: statusSchema.optional(), email: z.string().optional() }).strict(),
      },
    },
    async (req) => listMembers(db, pid(req), req.query),
  );
  app.get('/v1/members/:id', { config: read, schema: { tags: ['members'], summary: 'A member', params: idParams } }, async (req) => getMember(db, pid(req), req.params.id));
  app.patch('/v1/members/:id', { config: mwrite, schema: { tags: ['members'], summary: 'Change a member', params: idParams, body: memberPatch } }, async (req) =>
    updateMember(db, pid(req), req.params.id, req.body),
  );
  app.get('/v1/members/by-external-id/:externalId', { config: read, schema: { tags: ['members'], summary: 'A member by your id', params: extParams } }, async (req) =>
    getMemberByExternalId(db, pid(req), req.params.externalId),
  );
  app.put(
    '/v1/members/by-external-id/:externalId',
    { config: mwrite, schema: { tags: ['members'], summary: 'Create or replace a member by your id', params: extParams, body: memberCreate.omit({ externalId: true }) } },
    async (req, reply) => {
      const [r] = await upsertMembers(db, pid(req), [{ ...req.body, externalId: req.params.externalId }]);
      if (r!.status === 'error') {
        if (r!.error.code === 'unknown_account') throw new LojalError('unknown_account', { account: req.body.accountId ?? req.body.accountExternalId ?? '' });
        throw new LojalError('validation_failed', {}, r!.error.errors);
      }
      reply.status(r!.status === 'created' ? 201 : 200);
      return getMember(db, pid(req), r!.id);
    },
  );
  app.post(
    '/v1/members/batch',
    { config: mwrite, schema: { tags: ['members'], summary: 'Create or replace up to 1,000 members by external id; answers per item', body: batchBody } },
    async (req) => {
      checkBatch(req.body.items);
      return { results: await upsertMembers(db, pid(req), req.body.items) };
    },
  );
}
