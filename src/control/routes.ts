import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../audit/index.js';
import { decodeCursor, pageOf, pageQuery } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { getProgram, type Program } from '../programs/programs.js';
import { approveRequest, getRequest, listRequests, rejectRequest, type Decider } from './adjustments.js';
import { controlSettingsSchema, getControlSettings, putControlSettings, type ControlSettings } from './settings.js';
import type { Language } from '../i18n/index.js';
import { adjustmentRequestOut } from './schemas.js';

const tags = ['control'];
const idParams = z.object({ id: z.uuid() });


const settingsOut = controlSettingsSchema.extend({
  reasonCodes: z.array(z.object({ code: z.string(), labels: z.record(z.string(), z.string()), label: z.string().describe("in the reader's language") })),
});

const present = (s: ControlSettings, lng: Language) => ({ ...s, reasonCodes: s.reasonCodes.map((r) => ({ ...r, label: r.labels[lng] })) });

export async function controlRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const decider = (req: FastifyRequest): Decider => ({ audit: auditContext(req), role: caller(req).staff?.role ?? null });

  app.get(
    '/v1/settings/control',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Approval threshold, daily adjustment limit and reason codes of manual adjustments', response: { 200: settingsOut } },
    },
    async (req) => {
      const program = await programOf(req);
      return present(await getControlSettings(db, program.id), apiLanguage(req));
    },
  );

  app.put(
    '/v1/settings/control',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Set the approval threshold (null: none), the per-actor daily limit (null: none) and the reason codes',
        body: controlSettingsSchema,
        response: { 200: settingsOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const saved = await db.transaction().execute(async (trx) => {
        const before = await getControlSettings(trx, program.id, true);
        const after = await putControlSettings(trx, program.id, req.body);
        await recordAudit(trx, { ...auditContext(req), action: 'control_settings.update', entity: 'program', entityId: program.id, before, after });
        return after;
      });
      return present(saved, apiLanguage(req));
    },
  );

  app.get(
    '/v1/adjustment-requests',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Adjustment requests waiting for (or past) a second person’s decision, newest first',
        querystring: pageQuery.extend({ state: z.enum(['pending', 'approved', 'rejected']).optional() }).strict(),
        response: { 200: pageOf(adjustmentRequestOut) },
      },
    },
    async (req) =>
      listRequests(db, caller(req).programId, {
        state: req.query.state,
        limit: req.query.limit,
        after: decodeCursor(req.query.cursor, z.tuple([z.iso.datetime(), z.uuid()])),
      }),
  );

  app.get(
    '/v1/adjustment-requests/:id',
    { config: { scope: 'read' }, schema: { tags, summary: 'An adjustment request', params: idParams, response: { 200: adjustmentRequestOut } } },
    async (req) => getRequest(db, caller(req).programId, req.params.id),
  );

  app.post(
    '/v1/adjustment-requests/:id/approve',
    {
      config: { scope: 'ledger:write' },
      schema: {
        tags,
        summary: 'Approve and post the adjustment (an owner or manager other than the requester); approving again changes nothing',
        params: idParams,
        response: { 200: adjustmentRequestOut },
      },
    },
    async (req) => approveRequest(db, await programOf(req), req.params.id, decider(req)),
  );

  app.post(
    '/v1/adjustment-requests/:id/reject',
    {
      config: { scope: 'ledger:write' },
      schema: {
        tags,
        summary: 'Reject the request with a reason (an owner or manager), or withdraw your own',
        params: idParams,
        body: z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
        response: { 200: adjustmentRequestOut },
      },
    },
    async (req) => rejectRequest(db, await programOf(req), req.params.id, req.body.reason, decider(req)),
  );
}
