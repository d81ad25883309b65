import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../audit/index.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { getApiKey, listApiKeys, revokeApiKey, scopes } from './api-keys.js';
import { issueApiKey } from './key-issue.js';
import { getProgram, programSettingsSchema, updateProgram, type Program } from './programs.js';
import { createProgramAsStaff, newProgramSchema, programsOfStaff } from './instance.js';
import { LojalError } from '../errors/index.js';

const programOut = programSettingsSchema
  .extend({ id: z.uuid(), createdAt: z.date() })
  .meta({ id: 'Program', description: 'A loyalty program and its settings; every API key, account and point belongs to one.' });
const apiKeyOut = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(z.enum(scopes)).describe('What the key may do'),
    createdAt: z.date(),
    revokedAt: z.date().nullable().describe('Set when the key was revoked; it works no more'),
    staffUserId: z.uuid().nullable().describe('The staff user the key was issued to; their role bounds its scopes'),
    partnerId: z.uuid().nullable().describe('The coalition partner the key belongs to'),
  })
  .meta({ id: 'ApiKey', description: 'An API key without its secret.' });
const newApiKeyOut = apiKeyOut
  .extend({ key: z.string().describe('The secret: send it as `Authorization: Bearer <key>`. Shown in this answer only') })
  .meta({ id: 'NewApiKey', description: 'A new API key with its secret, which is never shown again.' });
const programChoice = z
  .object({ id: z.uuid(), name: z.string(), role: z.string().nullable().describe("The person's staff role there; null for an API key") })
  .meta({ id: 'ProgramChoice', description: 'A program the caller can work in.' });

const apiKeyCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('What the key is for, e.g. ERP sync'),
    scopes: z.array(z.enum(scopes)).min(1).describe('What the key may do; `read` reads everything, `admin` everything'),
    staffUserId: z.uuid().optional().describe('The person the key is issued to; its scopes must be within their role'),
    partnerId: z.uuid().optional().describe('A coalition partner; its key has exactly the scope `partner`'),
  })
  .strict();

// hasOnboarding is kept by the onboarding module, not a setting (GET /v1/onboarding shows the checklist).
const toOut = ({ hasOnboarding: _kept, ...p }: Program) => p;

export async function programRoutes(fastify: FastifyInstance, { database, settings, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/program',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getProgram',
        tags: ['program'],
        summary: 'Get the program',
        description: 'The program the API key (or the console session) belongs to, with its settings.',
        response: { 200: programOut },
      },
    },
    async (req) => toOut((await getProgram(db, caller(req).programId))!),
  );

  app.get(
    '/v1/programs',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listPrograms',
        tags: ['program'],
        summary: 'The programs the caller can work in',
        description:
          'For a console session: every program where the same person is an active staff user with the same ' +
          'password (the console switches between them with POST /auth/staff/switch). For an API key: its own program.',
        response: { 200: z.object({ data: z.array(programChoice) }) },
      },
    },
    async (req) => {
      const auth = caller(req);
      if (req.session?.kind === 'staff' && auth.staff) return { data: await programsOfStaff(db, auth.programId, auth.staff.id) };
      const own = (await getProgram(db, auth.programId))!;
      return { data: [{ id: own.id, name: own.name, role: null }] };
    },
  );

  app.post(
    '/v1/programs',
    {
      config: { scope: 'admin', errors: ['instance_admin_required'] },
      schema: {
        operationId: 'createProgram',
        tags: ['program'],
        summary: 'Create a program while the server runs (instance administrators, signed in to the console)',
        description:
          'The creator becomes the new program’s owner with the same e-mail and password, and can switch to it ' +
          '(POST /auth/staff/switch). Everything else about the program (expiry, pending days, point value…) is set ' +
          'afterwards with PATCH /v1/program. Refused with instance_admin_required for API keys and for staff who ' +
          'are not instance administrators (`lojal staff instance-admin --email …`).',
        body: newProgramSchema,
        response: { 201: programOut },
      },
    },
    async (req, reply) => {
      const auth = caller(req);
      if (req.session?.kind !== 'staff' || !auth.staff) throw new LojalError('instance_admin_required');
      const { program } = await createProgramAsStaff(db, { programId: auth.programId, staffUserId: auth.staff.id, ip: req.ip }, req.body, clock());
      reply.status(201);
      return toOut(program);
    },
  );

  app.patch(
    '/v1/program',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'updateProgram',
        tags: ['program'],
        summary: 'Change the program settings',
        description:
          'Settings sent are set, those left out keep their value: name, language, currency, pending days, expiry ' +
          'policy, point value, leaver policy… Recorded in the audit log.',
        body: programSettingsSchema.partial().meta({ id: 'ProgramSettingsPatch', description: 'Program settings to change.' }),
        response: { 200: programOut },
      },
    },
    async (req) =>
      toOut(
        await db.transaction().execute(async (trx) => {
          const before = (await getProgram(trx, caller(req).programId))!;
          const after = await updateProgram(trx, caller(req).programId, req.body);
          await recordAudit(trx, { ...auditContext(req), action: 'program.update', entity: 'program', entityId: after.id, before, after });
          return after;
        }),
      ),
  );

  app.get(
    '/v1/api-keys',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listApiKeys',
        tags: ['program'],
        summary: 'List API keys',
        description: "The program's API keys, revoked ones included, never with their secrets.",
        response: { 200: z.object({ data: z.array(apiKeyOut) }) },
      },
    },
    async (req) => ({ data: await listApiKeys(db, caller(req).programId) }),
  );

  app.post(
    '/v1/api-keys',
    {
      config: { scope: 'admin', errors: ['unknown_staff_user', 'scope_exceeds_role', 'unknown_partner'] },
      schema: {
        operationId: 'createApiKey',
        tags: ['program'],
        summary: 'Create an API key',
        description:
          'The secret is in this answer only: store it at once. A key issued to a staff user has at most the scopes of ' +
          'their role and stops working when they are deactivated; a partner key has exactly the scope `partner`. ' +
          'Recorded in the audit log.',
        body: apiKeyCreateSchema,
        response: { 201: newApiKeyOut },
      },
    },
    async (req, reply) => {
      const { key, record } = await issueApiKey(db, auditContext(req), req.body);
      reply.status(201);
      return { ...record, key };
    },
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'revokeApiKey',
        tags: ['program'],
        summary: 'Revoke an API key',
        description: 'The key stops working at once, on every server. Recorded in the audit log.',
        params: z.object({ id: z.uuid().describe("The API key's id") }),
        response: { 200: apiKeyOut },
      },
    },
    async (req) => {
      const revoked = await db.transaction().execute(async (trx) => {
        const before = await getApiKey(trx, caller(req).programId, req.params.id);
        const after = await revokeApiKey(trx, caller(req).programId, req.params.id, clock());
        await recordAudit(trx, { ...auditContext(req), action: 'api_key.revoke', entity: 'api_key', entityId: after.id, before, after });
        return after;
      });
      // This process at once; the others when the commit's notification arrives (and for writes, at once too).
      settings.invalidate(caller(req).programId);
      return revoked;
    },
  );
}
