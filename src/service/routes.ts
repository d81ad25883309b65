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
import { evidenceTypes } from '../evidence/files.js';
import { sendEvidence } from '../evidence/routes.js';
import { actor, caller, type AppContext } from '../http/context.js';
import { sendNoContent } from '../http/no-content.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { languages } from '../i18n/index.js';
import { actorRef } from '../programs/actor.js';
import { getProgram, type Program } from '../programs/programs.js';
import { serviceCsatAnswers } from './csat.js';
import { csatLinkRoutes } from './csat-link-routes.js';
import { articleInputSchema, listArticles, requireArticle, saveArticle, searchArticles } from './help.js';
import { passThrough, readJsonWithFiles } from './http.js';
import { createQuote, quoteInputSchema } from './quotes.js';
import { deleteTeam, listTeams, saveTeam, teamInputSchema, teamsOfStaff } from './teams.js';
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
  updateQuickReply,
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
const idOf = (what: string) => z.object({ id: z.uuid().describe(`The ${what}'s id (a UUID)`) });
const requestParams = idOf('request');
const typeOut = z
  .object({
  id: z.uuid(),
  code: z.string(),
  kind: z.enum(typeKinds),
  names: z.record(z.string(), z.string()),
  descriptions: z.record(z.string(), z.string()),
  fields: z.array(typeFieldSchema),
  active: z.boolean(),
  position: z.number().describe('Order in the portal\'s list, lowest first'),
  })
  .meta({ id: 'ServiceType', description: 'A kind of service request (question, complaint, call-back, special order or custom) with its names by language and its own fields.' });
const articleOut = articleInputSchema
  .extend({
    id: z.uuid(),
    helpful: z.number().int().describe('Readers who found it helpful'),
    notHelpful: z.number().int().describe('Readers who did not'),
    views: z.number().int(),
    updatedAt: z.date(),
  })
  .meta({ id: 'HelpArticle', description: 'A help centre article in one language, with how often it was read and found helpful.' });
const quickReplyOut = quickReplySchema.extend({ id: z.uuid() }).meta({ id: 'QuickReply', description: 'A prepared answer in one language for the request view.' });
const reportRow = z
  .object({
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
  })
  .meta({
    id: 'ServiceReportRow',
    description: 'Service figures of one request type (or all): volume, open, first-response and resolution median and p90 in working minutes, breach rate (percent) and CSAT average.',
  });

export const staffFileUrl = (requestId: string, fileId: string) => `/v1/service/requests/${requestId}/attachments/${fileId}`;

export async function serviceRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const { database, config, evidence: store, clock } = ctx;
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const staffActor = (req: FastifyRequest): ServiceActor => ({ ref: actorRef(actor(req)), name: actor(req).label, party: 'staff' });
  const present = async (req: FastifyRequest, program: Program, id: string) => {
    const r = await requireRequest(db, program.id, id);
    const sla = (await slaOf(db, program, [r], clock())).get(r.id);
    return presentRequest(db, program.id, r, await listTypes(db, program.id), { party: 'staff', language: apiLanguage(req), sla, fileUrl: staffFileUrl, now: clock() });
  };

  // ------------------------------------------------------------ configuration
  app.get('/v1/service/settings', {
    config: { scope: 'read' },
    schema: { operationId: 'getServiceSettings', tags, summary: 'Get the service desk settings', description: 'Working days and hours (in the program time zone), holidays, the reopen window in days and the near-breach threshold.', response: { 200: serviceSettingsSchema } },
  }, async (req) => getServiceSettings(db, caller(req).programId));

  app.put('/v1/service/settings', {
    config: { scope: 'admin' },
    schema: { operationId: 'putServiceSettings', tags, summary: 'Set the service desk settings', description: 'Replaces working days and hours, holidays, the reopen window and the near-breach threshold (needs the `admin` scope). SLA clocks of open requests are computed with the new calendar from then on.', body: serviceSettingsSchema, response: { 200: serviceSettingsSchema } },
  }, async (req) => putServiceSettings(db, caller(req).programId, req.body));

  app.get('/v1/service/types', {
    config: { scope: 'read' },
    schema: { operationId: 'listServiceTypes', tags, summary: 'List request types', description: 'Every request type of the program with its names in five languages and its own fields (the built-in fields of call-backs and special orders are added when a request is raised).', response: { 200: z.object({ data: z.array(typeOut) }) } },
  }, async (req) => ({ data: await listTypes(db, caller(req).programId) }));

  app.post('/v1/service/types', {
    config: { scope: 'admin', errors: ['service_type_code_taken'] },
    schema: { operationId: 'createServiceType', tags, summary: 'Add a request type', description: 'A question, complaint, call-back, special order or custom type with its own fields (needs the `admin` scope). The code is unique in the program (409 `service_type_code_taken`).', body: typeInputSchema, response: { 201: typeOut } },
  }, async (req, reply) => {
    reply.status(201);
    return saveType(db, caller(req).programId, req.body);
  });

  app.put('/v1/service/types/:id', {
    config: { scope: 'admin', errors: ['service_type_code_taken'] },
    schema: { operationId: 'updateServiceType', tags, summary: 'Change a request type', description: 'Replaces the type (needs the `admin` scope); requests raised before keep the field values they were raised with. `active: false` hides it from new requests.', params: idOf('request type'), body: typeInputSchema, response: { 200: typeOut } },
  }, async (req) => {
    if (!(await getType(db, caller(req).programId, req.params.id))) throw new LojalError('not_found', { entity: 'request type', id: req.params.id });
    return saveType(db, caller(req).programId, req.body, req.params.id);
  });

  app.get('/v1/service/levels', {
    config: { scope: 'read' },
    schema: { operationId: 'listServiceLevels', tags, summary: 'List service levels', description: 'Targets in working minutes per request type and account tier (null: any). The most specific match applies when a request is raised.', response: { 200: z.object({ data: z.array(levelSchema) }) } },
  }, async (req) => ({ data: await listLevels(db, caller(req).programId) }));

  app.put('/v1/service/levels', {
    config: { scope: 'admin' },
    schema: { operationId: 'putServiceLevels', tags, summary: 'Replace the service levels', description: 'The whole list at once (needs the `admin` scope); one level per type and tier. Requests already raised keep their targets.', body: z.object({ data: z.array(levelSchema).max(200) }).strict(), response: { 200: z.object({ data: z.array(levelSchema) }) } },
  }, async (req) => ({ data: await replaceLevels(db, caller(req).programId, req.body.data) }));

  app.get('/v1/service/quick-replies', {
    config: { scope: 'read' },
    schema: { operationId: 'listQuickReplies', tags, summary: 'List quick replies', description: 'Prepared answers for the request view, by language and title (no paging).', querystring: z.object({ language: z.enum(languages).optional().describe('Only replies in this language; default all') }).strict(), response: { 200: z.object({ data: z.array(quickReplyOut) }) } },
  }, async (req) => ({ data: await listQuickReplies(db, caller(req).programId, req.query.language) }));

  app.post('/v1/service/quick-replies', {
    config: { scope: 'service:write' },
    schema: { operationId: 'createQuickReply', tags, summary: 'Add a quick reply', description: 'A prepared answer in one language, offered to everyone answering requests.', body: quickReplySchema, response: { 201: quickReplyOut } },
  }, async (req, reply) => {
    reply.status(201);
    return addQuickReply(db, caller(req).programId, req.body);
  });

  app.put('/v1/service/quick-replies/:id', {
    config: { scope: 'service:write' },
    schema: { operationId: 'updateQuickReply', tags, summary: 'Change a quick reply', description: 'Replaces its language, title and text for everyone at once; answers already sent keep the text they had.', params: idOf('quick reply'), body: quickReplySchema, response: { 200: quickReplyOut } },
  }, async (req) => updateQuickReply(db, caller(req).programId, req.params.id, req.body));

  app.delete('/v1/service/quick-replies/:id', {
    config: { scope: 'service:write' },
    schema: { operationId: 'deleteQuickReply', tags, summary: 'Remove a quick reply', description: 'Gone for everyone at once; answers already sent keep their text.', params: idOf('quick reply'), response: { 204: z.null() } },
  }, async (req, reply) => {
    await deleteQuickReply(db, caller(req).programId, req.params.id);
    return sendNoContent(reply);
  });

  // ------------------------------------------------------------ help centre
  app.get('/v1/service/articles', {
    config: { scope: 'read' },
    schema: { operationId: 'listHelpArticles', tags, summary: 'List help centre articles', description: 'Published and hidden articles by language and category (no paging), with how often each was read and found helpful.', querystring: z.object({ language: z.enum(languages).optional().describe('Only articles in this language; default all'), category: z.string().max(100).optional().describe('Only articles in this category') }).strict(), response: { 200: z.object({ data: z.array(articleOut) }) } },
  }, async (req) => ({ data: await listArticles(db, caller(req).programId, { ...req.query, publishedOnly: false }) }));

  app.post('/v1/service/articles', {
    config: { scope: 'service:write' },
    schema: { operationId: 'createHelpArticle', tags, summary: 'Write a help article', description: 'In one language; searchable at once with that language\'s full-text configuration. With `published: false` members do not see it.', body: articleInputSchema, response: { 201: articleOut } },
  }, async (req, reply) => {
    reply.status(201);
    return saveArticle(db, caller(req).programId, req.body, req.clock());
  });

  app.put('/v1/service/articles/:id', {
    config: { scope: 'service:write' },
    schema: { operationId: 'updateHelpArticle', tags, summary: 'Change a help article', description: 'Replaces its text, category, language and whether members see it; its counters stay.', params: idOf('article'), body: articleInputSchema, response: { 200: articleOut } },
  }, async (req) => saveArticle(db, caller(req).programId, req.body, req.clock(), req.params.id));

  app.get('/v1/service/articles/search', {
    config: { scope: 'read' },
    schema: { operationId: 'searchHelpArticles', tags, summary: 'Search the help centre', description: 'Full-text search in one language (its own stemming; Polish: simple). The last word also matches as a prefix.', querystring: z.object({ q: z.string().max(500).describe('The words to find'), language: z.enum(languages).describe('The language searched: en, sv, nb, pl or de') }).strict(), response: { 200: z.object({ data: z.array(z.object({ id: z.uuid(), category: z.string(), title: z.string(), excerpt: z.string().describe('The matching passage'), rank: z.number().describe('Relevance, higher first') })).describe('The ten best matches, best first') }) } },
  }, async (req) => ({ data: await searchArticles(db, caller(req).programId, req.query.language, req.query.q, 10) }));

  app.get('/v1/service/articles/:id', {
    config: { scope: 'read' },
    schema: { operationId: 'getHelpArticle', tags, summary: 'Get a help article', description: 'The article, published or not, with its counters.', params: idOf('article'), response: { 200: articleOut } },
  }, async (req) => requireArticle(db, caller(req).programId, req.params.id, false));

  // ------------------------------------------------------------ requests
  const states = z.string().max(200).optional().transform((s, ctx) => {
    if (!s) return undefined;
    const list = s.split(',');
    for (const x of list) if (!(requestStates as readonly string[]).includes(x)) ctx.addIssue({ code: 'custom', message: `one or more of ${requestStates.join(', ')}` });
    return list as (typeof requestStates)[number][];
  });

  app.get('/v1/service/requests', {
    config: { scope: 'read', errors: ['service_team_required'] },
    schema: {
      operationId: 'listServiceRequests',
      tags,
      summary: 'List the service queue',
      description: 'Requests newest first, with both SLA clocks computed now, paged by cursor (`nextCursor` is null on the last page; a `breach` filter answers one page). Filters combine.',
      querystring: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50).describe('Requests per page, 1–200; default 50'),
        cursor: z.string().max(500).optional().describe('Cursor from the previous page\'s `nextCursor`; left out: the first page'),
        state: states.describe(`States, comma-separated: ${requestStates.join(', ')}`),
        type: z.string().max(40).optional().describe('The request type\'s code'),
        assignee: z.union([z.uuid(), z.literal('none')]).optional().describe('A staff user\'s id, or `none` for unassigned requests'),
        team: z.union([z.uuid(), z.literal('none'), z.literal('mine')]).optional().describe('A team\'s id, `none` for requests with no team, or `mine` for the teams of the signed-in staff user (a console session; an API key has no teams: 400 `service_team_required`)'),
        breach: z.enum(['breached', 'near', 'at_risk']).optional().describe('Open requests whose SLA is `breached`, `near` breach, or `at_risk` (either)'),
        accountId: z.uuid().optional().describe('Only this account\'s requests'),
        memberId: z.uuid().optional().describe('Only this member\'s requests'),
        q: z.string().trim().max(200).optional().describe('A request number, or words of the subject'),
      }).strict(),
      response: { 200: z.object({ data: z.array(requestSummaryOut), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const program = await programOf(req);
    const q = req.query;
    const after = q.breach ? undefined : decodeCursor(q.cursor, z.tuple([z.iso.datetime(), z.uuid()]));
    const { team, ...filters } = q;
    let teams: string[] | 'none' | undefined = team === 'none' ? 'none' : team === 'mine' ? undefined : team ? [team] : undefined;
    if (team === 'mine') {
      const who = actor(req);
      if (who.kind !== 'staff') throw new LojalError('service_team_required');
      teams = await teamsOfStaff(db, program.id, who.id);
    }
    const { rows, sla, more } = await listRequests(db, program, { ...filters, teams, accountIds: q.accountId ? [q.accountId] : undefined }, q.limit, after && { createdAt: after[0], id: after[1] }, clock());
    const names = await namesFor(db, program.id, rows, await listTypes(db, program.id));
    const last = rows[rows.length - 1];
    return {
      data: rows.map((r) => summary(r, names, apiLanguage(req), sla.get(r.id), true)),
      nextCursor: more && last && !q.breach ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  });

  app.post('/v1/service/requests', {
    config: { scope: 'service:write', errors: ['unknown_member', 'unknown_service_type', 'unknown_evidence', 'idempotency_conflict', 'evidence_type_not_allowed', 'evidence_too_large', 'malformed_multipart'] },
    validatorCompiler: passThrough,
    schema: {
      operationId: 'createServiceRequest',
      tags,
      summary: 'Raise a request for a member',
      description:
        'Staff taking a call or mail: the request belongs to `memberId` and their account, gets the service level of its type and tier and the account\'s ' +
        'key-account manager as assignee. JSON, or multipart/form-data with the request as JSON in a field named `request` and files beside it. The member ' +
        'gets the acknowledgement mail and `service_request` webhooks fire. With `idempotencyKey`, a retry answers 200 with the request raised first.',
      body: requestInputSchema.extend({ memberId: z.uuid().describe('The member the request is for') }).strict(),
      response: { 200: requestOut, 201: requestOut },
    },
  }, async (req, reply) => {
    const { raw, files } = await readJsonWithFiles(req, { database, evidence: store, clock }, 'request', config.evidenceMaxBytes);
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
    schema: { operationId: 'getServiceRequest', tags, summary: 'Get a request', description: 'The request with its whole timeline: every state change, assignment, public and internal comment and attachment in order, both SLA clocks and the CSAT answer.', params: requestParams, response: { 200: requestOut } },
  }, async (req) => present(req, await programOf(req), req.params.id));

  app.post('/v1/service/requests/:id/comments', {
    config: { scope: 'service:write', errors: ['service_request_closed', 'unknown_evidence', 'evidence_type_not_allowed', 'evidence_too_large', 'malformed_multipart'] },
    validatorCompiler: passThrough,
    schema: {
      operationId: 'commentServiceRequest',
      tags,
      summary: 'Answer a request, or leave an internal note',
      description: 'JSON `{ body, internal }`, or multipart/form-data with that JSON in a field named `comment` and files beside it. A public answer is mailed to the member and stops the first-answer clock; an internal note reaches no member, mail or webhook. A closed request takes no comments (409 `service_request_closed`).',
      params: requestParams,
      body: commentInputSchema,
      response: { 201: requestOut },
    },
  }, async (req, reply) => {
    const params = requestParams.safeParse(req.params);
    if (!params.success) throw validationError(params.error.issues);
    const { raw, files } = await readJsonWithFiles(req, { database, evidence: store, clock }, 'comment', config.evidenceMaxBytes);
    const parsed = commentInputSchema.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error.issues, raw);
    const program = await programOf(req);
    await addComment(db, store, program, params.data.id, parsed.data, files, staffActor(req), clock());
    reply.status(201);
    return present(req, program, params.data.id);
  });

  app.post('/v1/service/requests/:id/state', {
    config: { scope: 'service:write', errors: ['service_transition_not_allowed', 'service_reopen_window_passed'] },
    schema: {
      operationId: 'changeServiceRequestState',
      tags,
      summary: 'Change a request\'s state',
      description: 'new → in_progress → waiting_customer → resolved → closed; reopen to in_progress (from closed only within the reopen window, else 409 `service_reopen_window_passed`). A move the workflow forbids is 409 `service_transition_not_allowed`. The member is mailed (the optional note is public and goes into the mail) and a webhook fires; `waiting_customer` pauses the SLA clocks.',
      params: requestParams,
      body: z.object({ to: z.enum(requestStates).describe('The state to move to'), note: z.string().trim().min(1).max(2000).optional().describe('A public note for the member, included in the mail') }).strict(),
      response: { 200: requestOut },
    },
  }, async (req) => {
    const program = await programOf(req);
    await changeState(db, program, req.params.id, req.body.to, req.body.note ?? null, staffActor(req), clock(), { publicUrl: config.publicUrl });
    return present(req, program, req.params.id);
  });

  app.post('/v1/service/requests/assign', {
    config: { scope: 'service:write', errors: ['unknown_staff_user', 'unknown_service_team', 'not_found'] },
    schema: {
      operationId: 'assignServiceRequests',
      tags,
      summary: 'Assign requests to a staff user or a team',
      description: 'One or many requests at once, to a staff user (`staffUserId`), a team (`teamId`) or both; a key left out keeps what each request has, null clears it. All or none: an unknown request id is 404 and nothing changes. The member is not told; the webhook fires.',
      body: z
        .object({
          ids: z.array(z.uuid()).min(1).max(200).describe('The requests to assign, 1–200'),
          staffUserId: z.uuid().nullable().optional().describe('An active staff user; null: nobody; left out: unchanged'),
          teamId: z.uuid().nullable().optional().describe('A team (GET /v1/service/teams); null: no team; left out: unchanged'),
        })
        .strict()
        .refine((b) => b.staffUserId !== undefined || b.teamId !== undefined, { path: ['staffUserId'], message: 'give staffUserId, teamId or both' }),
      response: { 200: z.object({ changed: z.number().int().describe('Requests whose assignee or team changed') }) },
    },
  }, async (req) => ({ changed: await assignRequests(db, caller(req).programId, req.body.ids, { staffUserId: req.body.staffUserId, teamId: req.body.teamId }, staffActor(req), clock()) }));

  // ------------------------------------------------------------ special-order quotes
  app.post('/v1/service/requests/:id/quotes', {
    config: { scope: 'service:write', errors: ['service_quote_not_special_order', 'service_request_closed'] },
    schema: {
      operationId: 'quoteServiceRequest',
      tags,
      summary: 'Answer a special order with a quote',
      description:
        'A price in points (`points`) or in the program\'s currency (`amountMinor`), for `quantity`, with a text and a last day. It is posted as a public answer ' +
        '(mailed, the first-answer clock stops), withdraws an open earlier quote, and the request waits for the customer. The member accepts or declines it in ' +
        'the portal: accepting makes a shop order (points: paid from the member\'s wallet; money: an order with `invoice` set for the ERP, no points). Only ' +
        'special orders take quotes (409 `service_quote_not_special_order`).',
      params: requestParams,
      body: quoteInputSchema,
      response: { 201: requestOut },
    },
  }, async (req, reply) => {
    const program = await programOf(req);
    await createQuote(db, program, req.params.id, req.body, staffActor(req), clock());
    reply.status(201);
    return present(req, program, req.params.id);
  });

  // ------------------------------------------------------------ teams
  const teamOut = z
    .object({ id: z.uuid(), name: z.string(), members: z.array(z.object({ id: z.uuid(), name: z.string(), email: z.string() })), createdAt: z.date() })
    .meta({ id: 'ServiceTeam', description: 'A team of staff users that service requests can be assigned to.' });

  app.get('/v1/service/teams', {
    config: { scope: 'read' },
    schema: { operationId: 'listServiceTeams', tags, summary: 'List service teams', description: 'Every team with its members, by name (no paging).', response: { 200: z.object({ data: z.array(teamOut) }) } },
  }, async (req) => ({ data: await listTeams(db, caller(req).programId) }));

  app.post('/v1/service/teams', {
    config: { scope: 'admin', errors: ['service_team_name_taken', 'unknown_staff_user'] },
    schema: { operationId: 'createServiceTeam', tags, summary: 'Add a service team', description: 'A named team of active staff users (needs the `admin` scope). Names are unique in the program (409 `service_team_name_taken`).', body: teamInputSchema, response: { 201: teamOut } },
  }, async (req, reply) => {
    reply.status(201);
    return saveTeam(db, caller(req).programId, req.body, clock());
  });

  app.put('/v1/service/teams/:id', {
    config: { scope: 'admin', errors: ['service_team_name_taken', 'unknown_staff_user'] },
    schema: { operationId: 'updateServiceTeam', tags, summary: 'Change a service team', description: 'Replaces its name and members (needs the `admin` scope); its requests stay with it.', params: idOf('team'), body: teamInputSchema, response: { 200: teamOut } },
  }, async (req) => saveTeam(db, caller(req).programId, req.body, clock(), req.params.id));

  app.delete('/v1/service/teams/:id', {
    config: { scope: 'admin' },
    schema: { operationId: 'deleteServiceTeam', tags, summary: 'Remove a service team', description: 'Its requests are left without a team (their people stay assigned); the timeline keeps who had them.', params: idOf('team'), response: { 204: z.null() } },
  }, async (req, reply) => {
    await deleteTeam(db, caller(req).programId, req.params.id);
    return sendNoContent(reply);
  });

  app.get('/v1/service/requests/:id/attachments/:fileId', {
    config: { scope: 'read', errors: ['evidence_missing'], produces: [...evidenceTypes] },
    schema: {
      operationId: 'getServiceAttachment',
      tags,
      summary: 'Download a request\'s attachment',
      description: 'Streamed with the content type judged at upload, internal notes\' files included. 410 `evidence_missing` when the stored bytes are gone (erased).',
      params: z.object({ id: z.uuid().describe('The request\'s id (a UUID)'), fileId: z.uuid().describe('The attachment\'s id, from the timeline') }),
    },
  }, async (req, reply) => {
    const programId = caller(req).programId;
    await requireRequest(db, programId, req.params.id);
    return sendEvidence(reply, store, programId, await requestAttachment(db, programId, req.params.id, req.params.fileId, true));
  });

  app.get('/v1/service/assignees', {
    config: { scope: 'read' },
    schema: { operationId: 'listServiceAssignees', tags, summary: 'List possible assignees', description: 'The active staff users who may answer requests (every role but viewer), by name.', response: { 200: z.object({ data: z.array(z.object({ id: z.uuid(), name: z.string(), email: z.string() })) }) } },
  }, async (req) => {
    const rows = await db.selectFrom('staff_users').select(['id', 'name', 'email']).where('program_id', '=', caller(req).programId).where('active', '=', true).where('role', '!=', 'viewer').orderBy('name').execute();
    return { data: rows };
  });

  // ------------------------------------------------------------ reports
  const range = z.object({ from: z.iso.date().describe('First day, YYYY-MM-DD (inclusive, UTC)'), to: z.iso.date().describe('Last day, YYYY-MM-DD (inclusive, UTC)') }).strict();
  const checkRange = (q: z.infer<typeof range>) => {
    if (q.to < q.from) throw new LojalError('report_range_reversed', { from: q.from, to: q.to });
    return { from: new Date(`${q.from}T00:00:00Z`), to: new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) };
  };

  app.get('/v1/service/reports', {
    config: { scope: 'read', errors: ['report_range_reversed'] },
    schema: {
      operationId: 'getServiceReport',
      tags,
      summary: 'Get service figures per request type',
      description: 'For requests raised from `from` to `to` (inclusive dates, UTC): volume, open, first-response and resolution median and p90 in working minutes, breach rate and CSAT average.',
      querystring: range,
      response: { 200: z.object({ types: z.array(reportRow), total: reportRow }) },
    },
  }, async (req) => {
    const { from, to } = checkRange(req.query);
    return serviceReport(db, await programOf(req), from, to, clock());
  });

  app.get('/v1/service/csat', {
    config: { scope: 'read', errors: ['report_range_reversed'] },
    schema: {
      operationId: 'listServiceCsat',
      tags,
      summary: 'List satisfaction answers on requests',
      description: 'Every 1–5 answer (with its comment) given on a resolved or closed request in the range.',
      querystring: range,
      response: { 200: z.object({ data: z.array(z.object({ requestId: z.uuid(), requestNumber: z.number(), memberId: z.uuid(), accountId: z.uuid(), type: z.string(), score: z.number(), comment: z.string().nullable(), answeredAt: z.date() })) }) },
    },
  }, async (req) => {
    const { from, to } = checkRange(req.query);
    return { data: await serviceCsatAnswers(db, caller(req).programId, from, to) };
  });

  await csatLinkRoutes(fastify, ctx);

  void entryOut;
  void slaOut;
}
