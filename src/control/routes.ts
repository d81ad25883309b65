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
const idParams = z.object({ id: z.uuid().describe("The adjustment request's id") });

const settingsOut = controlSettingsSchema
  .extend({
    approvalThreshold: z.number().int().nullable().describe('|points| at or above which an adjustment waits for a second person; null: never'),
    dailyAdjustmentLimit: z.number().int().nullable().describe('the sum of |points| one actor may adjust per program-local day; null: no limit'),
    reasonCodes: z.array(
      z.object({
        code: z.string(),
        labels: z.record(z.string(), z.string()).describe('the label by language code (en, sv, nb, pl, de)'),
        label: z.string().describe("in the reader's language"),
      }),
    ),
  })
  .meta({ id: 'ControlSettings', description: 'The controls on manual adjustments: the four-eyes threshold, the daily limit per actor, and the reason codes.' });

const present = (s: ControlSettings, lng: Language) => ({ ...s, reasonCodes: s.reasonCodes.map((r) => ({ ...r, label: r.labels[lng] })) });

export async function controlRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const decider = (req: FastifyRequest): Decider => ({ audit: auditContext(req), role: caller(req).staff?.role ?? null });

  app.get(
    '/v1/settings/control',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getControlSettings',
        tags,
        summary: 'Approval threshold, daily adjustment limit and reason codes of manual adjustments',
        description: 'A program that never set them has no threshold, no limit and the usual reason codes (goodwill, correction, complaint, migration, campaign, opening).',
        response: { 200: settingsOut },
      },
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
        operationId: 'updateControlSettings',
        tags,
        summary: 'Set the approval threshold (null: none), the per-actor daily limit (null: none) and the reason codes',
        description: 'Replaces all three; each reason code needs a label in every language. Requests already waiting keep waiting. Recorded in the audit log.',
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
        operationId: 'listAdjustmentRequests',
        tags,
        summary: 'Adjustment requests waiting for (or past) a second person’s decision, newest first',
        description: "`?state=pending` for the ones to decide. Paginated: pass the answer's `nextCursor` as `cursor` for the next page.",
        querystring: pageQuery.extend({ state: z.enum(['pending', 'approved', 'rejected']).optional().describe('Only requests in this state; default all') }).strict(),
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
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAdjustmentRequest',
        tags,
        summary: 'An adjustment request',
        description: 'With its decision and, once approved, the journal it posted.',
        params: idParams,
        response: { 200: adjustmentRequestOut },
      },
    },
    async (req) => getRequest(db, caller(req).programId, req.params.id),
  );

  app.post(
    '/v1/adjustment-requests/:id/approve',
    {
      config: { scope: 'ledger:write', errors: ['self_approval', 'approval_not_allowed', 'adjustment_request_closed', 'insufficient_points'] },
      schema: {
        operationId: 'approveAdjustmentRequest',
        tags,
        summary: 'Approve and post the adjustment (an owner or manager other than the requester); approving again changes nothing',
        description:
          'Posts the adjustment to the wallet at once. The requester cannot approve (403 `self_approval`), nor can staff other than ' +
          'owners and managers or an API key of nobody (403 `approval_not_allowed`); a rejected request is 409 `adjustment_request_closed`. ' +
          'Recorded in the audit log.',
        params: idParams,
        response: { 200: adjustmentRequestOut },
      },
    },
    async (req) => approveRequest(db, await programOf(req), req.params.id, decider(req), clock()),
  );

  app.post(
    '/v1/adjustment-requests/:id/reject',
    {
      config: { scope: 'ledger:write', errors: ['approval_not_allowed', 'adjustment_request_closed'] },
      schema: {
        operationId: 'rejectAdjustmentRequest',
        tags,
        summary: 'Reject the request with a reason (an owner or manager), or withdraw your own',
        description:
          'No points move; the request no longer counts against the requester\'s daily limit. Rejecting again changes nothing; an ' +
          'approved request is 409 `adjustment_request_closed`. Recorded in the audit log.',
        params: idParams,
        body: z.object({ reason: z.string().trim().min(1).max(500).describe('Why, shown to the requester') }).strict(),
        response: { 200: adjustmentRequestOut },
      },
    },
    async (req) => rejectRequest(db, await programOf(req), req.params.id, req.body.reason, decider(req), clock()),
  );
}
