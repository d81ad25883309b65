/**
 * The service desk's API for the program team under /v1/service: configuration (hours, types, service
 * levels, quick replies, help articles), the queue, a request with its whole timeline, answering, state
 * changes, (bulk) assignment, and the reports. Reads need `read`, writes `service:write`, configuration `admin`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { validationError } from '../events/ingest.js';
import { sendEvidence } from '../evidence/routes.js';
import { actor, caller, type AppContext } from '../http/context.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { languages } from '../i18n/index.js';
import { actorRef } from '../programs/actor.js';
import { getProgram, type Program } from '../programs/programs.js';
import { serviceCsatAnswers } from './csat.js';
import { articleInputSchema, listArticles, requireArticle, saveArticle, searchArticles } from './help.js';
import { passThrough, readJsonWithFiles } from './http.js';
import { entryOut, namesFor, presentRequest, requestOut, requestSummaryOut, slaOut, summary } from './present.js';
import { listRequests, serviceReport, slaOf } from './queue.js';
import {
  addComment,
  assignRequests,
  changeState,
  commentInputSchema,
  createRequest,
  requestAttachment,
  requestInputSchema,
  requireRequest,
  type ServiceActor,
} from './requests.js';
import {
  addQuickReply,
  deleteQuickReply,
  getServiceSettings,
  getType,
  levelSchema,
  listLevels,
  listQuickReplies,
  listTypes,
  putServiceSettings,
  quickReplySchema,
  replaceLevels,
  saveType,
  serviceSettingsSchema,
  typeInputSchema,
  typeKinds,
  typeFieldSchema,
} from './setup.js';
import { requestStates } from './workflow.js';

const tags = ['service'];
const idParams = z.object({ id: z.uuid() });
const typeOut = z.object({
  id: z.uuid(),
  code: z.string(),
  kind: z.enum(typeKinds),
  names: z.record(z.string(), z.string()),
  descriptions: z.record(z.string(), z.string()),
  fields: z.array(typeFieldSchema),
  active: z.boolean(),
  position: z.number(),
});
const articleOut = articleInputSchema.extend({ id: z.uuid(), helpful: z.number(), notHelpful: z.number(), views: z.number(), updatedAt: z.date() });
const reportRow = z.object({
  type: z.string(),
  volume: z.number(),
  open: z.number(),
  firstResponseMedian: z.number().nullable(),
  firstResponseP90: z.number().nullable(),
  resolutionMedian: z.number().nullable(),
  resolutionP90: z.number().nullable(),
  breachRate: z.number().nullable(),
  breached: z.number(),
  csatAverage: z.number().nullable(),
  csatCount: z.number(),
});

export const staffFileUrl = (requestId: string, fileId: string) => `/v1/service/requests/${requestId}/attachments/${fileId}`;

export async function serviceRoutes(fastify: FastifyInstance, { database, config, evidence: store, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const staffActor = (req: FastifyRequest): ServiceActor => ({ ref: actorRef(actor(req)), name: actor(req).label, party: 'staff' });
  const present = async (req: FastifyRequest, program: Program, id: string) => {
    const r = await requireRequest(db, program.id, id);
    const sla = (await slaOf(db, program, [r], clock())).get(r.id);
    return presentRequest(db, program.id, r, await listTypes(db, program.id), { party: 'staff', language: apiLanguage(req), sla, fileUrl: staffFileUrl });
  };

  // ------------------------------------------------------------ configuration
  app.get('/v1/service/settings', {
    config: { scope: 'read' },
    schema: { operationId: 'getServiceSettings', tags, summary: 'Service desk settings', description: 'Working days and hours (in the program time zone), holidays, the reopen window in days and the near-breach threshold.', response: { 200: serviceSettingsSchema } },
  }, async (req) => getServiceSettings(db, caller(req).programId));

  app.put('/v1/service/settings', {
    config: { scope: 'admin' },
    schema: { operationId: 'putServiceSettings', tags, summary: 'Set the service desk settings', description: 'Replaces working days and hours, holidays, the reopen window and the near-breach threshold. SLA clocks of open requests are computed with the new calendar from then on.', body: serviceSettingsSchema, response: { 200: serviceSettingsSchema } },
  }, async (req) => putServiceSettings(db, caller(req).programId, req.body));

  app.get('/v1/service/types', {
    config: { scope: 'read' },
    schema: { operationId: 'listServiceTypes', tags, summary: 'Request types', description: 'Every request type of the program with its names in five languages and its own fields (the built-in fields of call-backs and special orders are added when a request is raised).', response: { 200: z.object({ data: z.array(typeOut) }) } },
  }, async (req) => ({ data: await listTypes(db, caller(req).programId) }));

  app.post('/v1/service/types', {
    config: { scope: 'admin' },
    schema: { operationId: 'createServiceType', tags, summary: 'Add a request type', description: 'A question, complaint, call-back, special order or custom type with its own fields. The code is unique in the program (409 `service_type_code_taken`).', body: typeInputSchema, response: { 201: typeOut } },
  }, async (req, reply) => {
    reply.status(201);
    return saveType(db, caller(req).programId, req.body);
  });

  app.put('/v1/service/types/:id', {
    config: { scope: 'admin' },
    schema: { operationId: 'updateServiceType', tags, summary: 'Change a request type', description: 'Replaces the type; requests raised before keep the field values they were raised with.', params: idParams, body: typeInputSchema, response: { 200: typeOut } },
  }, async (req) => {
    if (!(await getType(db, caller(req).programId, req.params.id))) throw new LojalError('not_found', { entity: 'request type', id: req.params.id });
    return saveType(db, caller(req).programId, req.body, req.params.id);
  });

  app.get('/v1/service/levels', {
    config: { scope: 'read' },
    schema: { operationId: 'listServiceLevels', tags, summary: 'Service levels', description: 'Targets in working minutes per request type and account tier (null: any). The most specific match applies when a request is raised.', response: { 200: z.object({ data: z.array(levelSchema) }) } },
  }, async (req) => ({ data: await listLevels(db, caller(req).programId) }));

  app.put('/v1/service/levels', {
    config: { scope: 'admin' },
    schema: { operationId: 'putServiceLevels', tags, summary: 'Replace the service levels', description: 'The whole list at once; one level per type and tier. Requests already raised keep their targets.', body: z.object({ data: z.array(levelSchema).max(200) }).strict(), response: { 200: z.object({ data: z.array(levelSchema) }) } },
  }, async (req) => ({ data: await replaceLevels(db, caller(req).programId, req.body.data) }));

  app.get('/v1/service/quick-replies', {
    config: { scope: 'read' },
    schema: { operationId: 'listQuickReplies', tags, summary: 'Quick replies', description: 'Prepared answers per language for the request view.', querystring: z.object({ language: z.enum(languages).optional() }).strict(), response: { 200: z.object({ data: z.array(quickReplySchema.extend({ id: z.uuid() })) }) } },
  }, async (req) => ({ data: await listQuickReplies(db, caller(req).programId, req.query.language) }));

  app.post('/v1/service/quick-replies', {
    config: { scope: 'service:write' },
    schema: { operationId: 'createQuickReply', tags, summary: 'Add a quick reply', description: 'A prepared answer in one language.', body: quickReplySchema, response: { 201: quickReplySchema.extend({ id: z.uuid() }) } },
  }, async (req, reply) => {
    reply.status(201);
    return addQuickReply(db, caller(req).programId, req.body);
  });

  app.delete('/v1/service/quick-replies/:id', {
    config: { scope: 'service:write' },
    schema: { operationId: 'deleteQuickReply', tags, summary: 'Remove a quick reply', description: 'Gone for everyone at once.', params: idParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await deleteQuickReply(db, caller(req).programId, req.params.id);
    return reply.status(204).send(null);
  });

  // ------------------------------------------------------------ help centre
  app.get('/v1/service/articles', {
    config: { scope: 'read' },
    schema: { operationId: 'listHelpArticles', tags, summary: 'Help centre articles', description: 'By language and category, with how often each was read and found helpful.', querystring: z.object({ language: z.enum(languages).optional(), category: z.string().max(100).optional() }).strict(), response: { 200: z.object({ data: z.array(articleOut) }) } },
  }, async (req) => ({ data: await listArticles(db, caller(req).programId, { ...req.query, publishedOnly: false }) }));

  app.post('/v1/service/articles', {
    config: { scope: 'service:write' },
    schema: { operationId: 'createHelpArticle', tags, summary: 'Write a help article', description: 'In one language; searchable at once with that language\'s full-text configuration.', body: articleInputSchema, response: { 201: articleOut } },
  }, async (req, reply) => {
    reply.status(201);
    return saveArticle(db, caller(req).programId, req.body);
  });

  app.put('/v1/service/articles/:id', {
    config: { scope: 'service:write' },
    schema: { operationId: 'updateHelpArticle', tags, summary: 'Change a help article', description: 'Replaces its text, category, language and whether members see it.', params: idParams, body: articleInputSchema, response: { 200: articleOut } },
  }, async (req) => saveArticle(db, caller(req).programId, req.body, req.params.id));

  app.get('/v1/service/articles/search', {
    config: { scope: 'read' },
    schema: { operationId: 'searchHelpArticles', tags, summary: 'Search the help centre', description: 'Full-text search in one language (its own stemming; Polish: simple). The last word also matches as a prefix.', querystring: z.object({ q: z.string().max(500), language: z.enum(languages) }).strict(), response: { 200: z.object({ data: z.array(z.object({ id: z.uuid(), category: z.string(), title: z.string(), excerpt: z.string(), rank: z.number() })) }) } },
  }, async (req) => ({ data: await searchArticles(db, caller(req).programId, req.query.language, req.query.q, 10) }));

  app.get('/v1/service/articles/:id', {
    config: { scope: 'read' },
    schema: { operationId: 'getHelpArticle', tags, summary: 'A help article', description: 'With its counters.', params: idParams, response: { 200: articleOut } },
  }, async (req) => requireArticle(db, caller(req).programId, req.params.id, false));

  // ------------------------------------------------------------ requests
  const states = z.string().max(200).optional().transform((s, ctx) => {
    if (!s) return undefined;
    const list = s.split(',');
    for (const x of list) if (!(requestStates as readonly string[]).includes(x)) ctx.addIssue({ code: 'custom', message: `one or more of ${requestStates.join(', ')}` });
    return list as (typeof requestStates)[number][];
  });

  app.get('/v1/service/requests', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listServiceRequests',
      tags,
      summary: 'The service queue',
      description: 'Newest first, with both SLA clocks computed at the application clock. Filters: `state` (comma-separated), `type` (code), `assignee` (staff user id or `none`), `breach` (`breached`, `near`, `at_risk` = either; open requests only), `accountId`, `memberId`, `q` (number or words of the subject).',
      querystring: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(500).optional(),
        state: states,
        type: z.string().max(40).optional(),
        assignee: z.union([z.uuid(), z.literal('none')]).optional(),
        breach: z.enum(['breached', 'near', 'at_risk']).optional(),
        accountId: z.uuid().optional(),
        memberId: z.uuid().optional(),
        q: z.string().trim().max(200).optional(),
      }).strict(),
      response: { 200: z.object({ data: z.array(requestSummaryOut), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const program = await programOf(req);
    const q = req.query;
    const after = q.breach ? undefined : decodeCursor(q.cursor, z.tuple([z.iso.datetime(), z.uuid()]));
    const { rows, sla, more } = await listRequests(db, program, { ...q, accountIds: q.accountId ? [q.accountId] : undefined }, q.limit, after && { createdAt: after[0], id: after[1] }, clock());
    const names = await namesFor(db, program.id, rows, await listTypes(db, program.id));
    const last = rows[rows.length - 1];
    return {
      data: rows.map((r) => summary(r, names, apiLanguage(req), sla.get(r.id))),
      nextCursor: more && last && !q.breach ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  });

  app.post('/v1/service/requests', {
    config: { scope: 'service:write' },
    validatorCompiler: passThrough,
    schema: {
      operationId: 'createServiceRequest',
      tags,
      summary: 'Raise a request for a member',
      description: 'Staff taking a call or mail: the request belongs to `memberId` and their account. JSON, or multipart with the request as JSON in a field named `request` and files beside it. The member gets the acknowledgement mail.',
      consumes: ['application/json', 'multipart/form-data'],
      response: { 200: requestOut, 201: requestOut },
    },
  }, async (req, reply) => {
    const { raw, files } = await readJsonWithFiles(req, 'request', config.evidenceMaxBytes);
    const parsed = requestInputSchema.extend({ memberId: z.uuid() }).strict().safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error.issues, raw);
    const program = await programOf(req);
    const { memberId, ...input } = parsed.data;
    const exists = await db.selectFrom('members').select('id').where('program_id', '=', program.id).where('id', '=', memberId).executeTakeFirst();
    if (!exists) throw new LojalError('unknown_member', { member: memberId });
    const result = await createRequest(db, store, program, memberId, input, files, staffActor(req), clock());
    reply.status(result.created ? 201 : 200);
    return present(req, program, result.request.id);
  });

  app.get('/v1/service/requests/:id', {
    config: { scope: 'read' },
    schema: { operationId: 'getServiceRequest', tags, summary: 'A request with its whole timeline', description: 'Every state change, assignment, public and internal comment and attachment in order, both SLA clocks and the CSAT answer.', params: idParams, response: { 200: requestOut } },
  }, async (req) => present(req, await programOf(req), req.params.id));

  app.post('/v1/service/requests/:id/comments', {
    config: { scope: 'service:write' },
    validatorCompiler: passThrough,
    schema: {
      operationId: 'commentServiceRequest',
      tags,
      summary: 'Answer the member, or leave an internal note',
      description: 'JSON `{ body, internal }`, or multipart with that JSON in a field named `comment` and files beside it. A public answer is mailed to the member and stops the first-answer clock; an internal note reaches no member, mail or webhook. A closed request takes no comments (409 `service_request_closed`).',
      consumes: ['application/json', 'multipart/form-data'],
      params: idParams,
      response: { 201: requestOut },
    },
  }, async (req, reply) => {
    const params = idParams.safeParse(req.params);
    if (!params.success) throw validationError(params.error.issues);
    const { raw, files } = await readJsonWithFiles(req, 'comment', config.evidenceMaxBytes);
    const parsed = commentInputSchema.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error.issues, raw);
    const program = await programOf(req);
    await addComment(db, store, program, params.data.id, parsed.data, files, staffActor(req), clock());
    reply.status(201);
    return present(req, program, params.data.id);
  });

  app.post('/v1/service/requests/:id/state', {
    config: { scope: 'service:write' },
    schema: {
      operationId: 'changeServiceRequestState',
      tags,
      summary: 'Move a request through the workflow',
      description: 'new → in_progress → waiting_customer → resolved → closed; reopen to in_progress (from closed only within the reopen window). A move the workflow forbids is 409 `service_transition_not_allowed`. The optional note is public and goes into the member\'s mail.',
      params: idParams,
      body: z.object({ to: z.enum(requestStates), note: z.string().trim().min(1).max(2000).optional() }).strict(),
      response: { 200: requestOut },
    },
  }, async (req) => {
    const program = await programOf(req);
    await changeState(db, program, req.params.id, req.body.to, req.body.note ?? null, staffActor(req), clock());
    return present(req, program, req.params.id);
  });

  app.post('/v1/service/requests/assign', {
    config: { scope: 'service:write' },
    schema: {
      operationId: 'assignServiceRequests',
      tags,
      summary: 'Assign requests to a staff user (bulk)',
      description: 'One or many requests at once; `staffUserId: null` unassigns. All or none: an unknown request id is 404 and nothing changes.',
      body: z.object({ ids: z.array(z.uuid()).min(1).max(200), staffUserId: z.uuid().nullable() }).strict(),
      response: { 200: z.object({ changed: z.number() }) },
    },
  }, async (req) => ({ changed: await assignRequests(db, caller(req).programId, req.body.ids, req.body.staffUserId, staffActor(req), clock()) }));

  app.get('/v1/service/requests/:id/attachments/:fileId', {
    config: { scope: 'read' },
    schema: { operationId: 'getServiceAttachment', tags, summary: 'A file attached to a request', description: 'Streamed with its checked content type.', params: z.object({ id: z.uuid(), fileId: z.uuid() }) },
  }, async (req, reply) => {
    const programId = caller(req).programId;
    await requireRequest(db, programId, req.params.id);
    return sendEvidence(reply, store, programId, await requestAttachment(db, programId, req.params.id, req.params.fileId, true));
  });

  app.get('/v1/service/assignees', {
    config: { scope: 'read' },
    schema: { operationId: 'listServiceAssignees', tags, summary: 'Who requests can be assigned to', description: 'The active staff users who may answer requests (every role but viewer), by name.', response: { 200: z.object({ data: z.array(z.object({ id: z.uuid(), name: z.string(), email: z.string() })) }) } },
  }, async (req) => {
    const rows = await db.selectFrom('staff_users').select(['id', 'name', 'email']).where('program_id', '=', caller(req).programId).where('active', '=', true).where('role', '!=', 'viewer').orderBy('name').execute();
    return { data: rows };
  });

  // ------------------------------------------------------------ reports
  const range = z.object({ from: z.iso.date(), to: z.iso.date() }).strict();
  const checkRange = (q: z.infer<typeof range>) => {
    if (q.to < q.from) throw new LojalError('report_range_reversed', { from: q.from, to: q.to });
    return { from: new Date(`${q.from}T00:00:00Z`), to: new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) };
  };

  app.get('/v1/service/reports', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getServiceReport',
      tags,
      summary: 'Service figures per request type',
      description: 'For requests raised from `from` to `to` (inclusive dates, UTC): volume, open, first-response and resolution median and p90 in working minutes, breach rate and CSAT average.',
      querystring: range,
      response: { 200: z.object({ types: z.array(reportRow), total: reportRow }) },
    },
  }, async (req) => {
    const { from, to } = checkRange(req.query);
    return serviceReport(db, await programOf(req), from, to, clock());
  });

  app.get('/v1/service/csat', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listServiceCsat',
      tags,
      summary: 'Satisfaction answers on requests',
      description: 'Every 1–5 answer (with its comment) given on a resolved or closed request in the range.',
      querystring: range,
      response: { 200: z.object({ data: z.array(z.object({ requestId: z.uuid(), requestNumber: z.number(), memberId: z.uuid(), accountId: z.uuid(), type: z.string(), score: z.number(), comment: z.string().nullable(), answeredAt: z.date() })) }) },
    },
  }, async (req) => {
    const { from, to } = checkRange(req.query);
    return { data: await serviceCsatAnswers(db, caller(req).programId, from, to) };
  });

  void entryOut;
  void slaOut;
}
