/**
 * The service extranet in the member portal under /portal/v1: raise a request (with photos or PDFs), follow
 * it, answer, confirm or reopen, rate it on close, and the help centre. A member sees their own requests; a
 * manager also those of their company (and the companies below it). Internal notes never come here: the
 * member's view is read without them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { isManagerOf } from '../accounts/managers.js';
import { LojalError } from '../errors/index.js';
import { validationError } from '../events/ingest.js';
import { evidenceTypes } from '../evidence/files.js';
import { sendEvidence } from '../evidence/routes.js';
import type { AppContext } from '../http/context.js';
import { sendNoContent } from '../http/no-content.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { me, memberActorRef, ownKey, programOf } from '../portal/context.js';
import type { Db } from '../db/database.js';
import { countView, requireArticle, listArticles, rateArticle, searchArticles } from './help.js';
import { passThrough, readJsonWithFiles } from './http.js';
import { namesFor, presentRequest, requestOut, requestSummaryOut, summary } from './present.js';
import { listRequests } from './queue.js';
import { decideQuote } from './quotes.js';
import {
  addComment,
  changeState,
  commentInputSchema,
  createRequest,
  csatInputSchema,
  rateRequest,
  requestAttachment,
  requestInputSchema,
  requireRequest,
  type ServiceActor,
  type ServiceRequest,
} from './requests.js';
import { fieldsOf, listTypes, localized, typeKinds, fieldKinds } from './setup.js';

const tags = ['portal'];
const idParams = z.object({ id: z.uuid().describe('the service request id') });
const articleParams = z.object({ id: z.uuid().describe('the help article id') });
const fileErrors = ['unknown_evidence', 'evidence_too_large', 'evidence_type_not_allowed', 'malformed_multipart'] as const;

export const portalFileUrl = (requestId: string, fileId: string) => `/portal/v1/service/requests/${requestId}/attachments/${fileId}`;

/** The account and the accounts below it: what a manager's company view covers. */
async function accountTree(db: Db, programId: string, accountId: string): Promise<string[]> {
  const r = await sql<{ id: string }>`
    WITH RECURSIVE down (id, depth) AS (
      SELECT id, 0 FROM accounts WHERE program_id = ${programId} AND id = ${accountId}::uuid
      UNION ALL
      SELECT a.id, down.depth + 1 FROM accounts a JOIN down ON a.program_id = ${programId} AND a.parent_id = down.id WHERE down.depth < 50
    ) SELECT id FROM down`.execute(db);
  return r.rows.map((x) => x.id);
}

export async function portalServiceRoutes(fastify: FastifyInstance, { database, config, evidence: store, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const memberActor = (req: FastifyRequest): ServiceActor => ({ ref: memberActorRef(req), name: me(req).name, party: 'member' });

  /** The request, if this member may see it (theirs, or their company's as its manager); otherwise it does not exist for them. */
  const visible = async (req: FastifyRequest, id: string): Promise<ServiceRequest> => {
    const m = me(req);
    const r = await requireRequest(db, m.programId, id).catch(() => undefined);
    if (r && (r.memberId === m.memberId || (await isManagerOf(db, m.programId, m.memberId, r.accountId)))) return r;
    throw new LojalError('not_found', { entity: 'service request', id });
  };
  const present = async (req: FastifyRequest, id: string) => {
    const m = me(req);
    const r = await requireRequest(db, m.programId, id);
    return presentRequest(db, m.programId, r, await listTypes(db, m.programId), { party: 'member', language: m.language, fileUrl: portalFileUrl, mayRate: r.memberId === m.memberId, now: clock() });
  };

  app.get('/portal/v1/service/types', {
    config: { member: true },
    schema: {
      operationId: 'portalListServiceTypes',
      tags,
      summary: 'What I can ask for',
      description: 'The active request types in my language with the fields each asks for; a request names one by its `code`. Not paginated.',
      response: {
        200: z.object({
          items: z.array(z.object({
            code: z.string(),
            kind: z.enum(typeKinds),
            name: z.string(),
            description: z.string(),
            fields: z.array(z.object({ key: z.string(), kind: z.enum(fieldKinds), required: z.boolean(), label: z.string(), options: z.array(z.string()).optional() })),
          })),
        }),
      },
    },
  }, async (req) => {
    const m = me(req);
    const types = await listTypes(db, m.programId, true);
    return {
      items: types.map((t) => ({
        code: t.code,
        kind: t.kind,
        name: localized(t.names, m.language),
        description: localized(t.descriptions, m.language),
        fields: fieldsOf(t).map((f) => ({ key: f.key, kind: f.kind, required: f.required, label: localized(f.labels, m.language), ...(f.options && { options: f.options }) })),
      })),
    };
  });

  app.get('/portal/v1/service/requests', {
    schema: {
      operationId: 'portalListServiceRequests',
      tags,
      summary: 'My requests (a manager: also my company\'s)',
      description: 'Newest first. `scope=company` lists the requests of the company I manage and the companies below it (403 `not_a_manager` otherwise).',
      querystring: z
        .object({
          limit: z.coerce.number().int().min(1).max(100).default(30).describe('requests per page, 1–100 (default 30)'),
          cursor: z.string().max(500).optional().describe("the previous page's `nextCursor`"),
          scope: z.enum(['mine', 'company']).default('mine').describe("'mine' (default): my own; 'company': my company's and those below it (managers)"),
          open: z.enum(['true', 'false']).optional().describe("'true': only open ones (new, in progress, waiting for me); 'false': only resolved or closed"),
        })
        .strict(),
      response: { 200: z.object({ items: z.array(requestSummaryOut), nextCursor: z.string().nullable() }) },
    },
    config: { member: true, errors: ['not_a_manager'] },
  }, async (req) => {
    const m = me(req);
    const program = await programOf(db, req);
    const q = req.query;
    let filter: { memberId?: string; accountIds?: string[] } = { memberId: m.memberId };
    if (q.scope === 'company') {
      if (!(await isManagerOf(db, m.programId, m.memberId, m.accountId))) throw new LojalError('not_a_manager', { member: m.memberId, account: m.accountId });
      filter = { accountIds: await accountTree(db, m.programId, m.accountId) };
    }
    const after = decodeCursor(q.cursor, z.tuple([z.iso.datetime(), z.uuid()]));
    const state = q.open === 'true' ? (['new', 'in_progress', 'waiting_customer'] as const) : q.open === 'false' ? (['resolved', 'closed'] as const) : undefined;
    const { rows, more } = await listRequests(db, program, { ...filter, state: state && [...state] }, q.limit, after && { createdAt: after[0], id: after[1] }, clock());
    const names = await namesFor(db, m.programId, rows, await listTypes(db, m.programId));
    const last = rows[rows.length - 1];
    // Members see who handles it by name, never the staff id.
    return {
      items: rows.map((r) => summary(r, names, m.language)),
      nextCursor: more && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  });

  app.post('/portal/v1/service/requests', {
    validatorCompiler: passThrough,
    schema: {
      operationId: 'portalCreateServiceRequest',
      tags,
      summary: 'Raise a request',
      description: 'JSON, or multipart/form-data with the request as JSON in a field named `request` and photos or PDFs as file parts (type checked by content, size limited). 201 with the request; a retry with the same `idempotencyKey` answers 200 with the same one. I get an acknowledgement mail with the number and the promised answer time.',
      consumes: ['application/json', 'multipart/form-data'],
      // What the document shows; the handler reads and checks it (JSON or the multipart `request` field).
      body: requestInputSchema,
      response: { 200: requestOut, 201: requestOut },
    },
    config: { member: true, errors: ['unknown_service_type', 'idempotency_conflict', 'upload_limit_exceeded', ...fileErrors] },
  }, async (req, reply) => {
    const m = me(req);
    const { raw, files } = await readJsonWithFiles(req, { database, evidence: store, clock }, 'request', config.evidenceMaxBytes);
    const parsed = requestInputSchema.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error.issues, raw);
    const program = await programOf(db, req);
    const input = { ...parsed.data, ...(parsed.data.idempotencyKey && { idempotencyKey: ownKey(req, parsed.data.idempotencyKey) }) };
    const result = await createRequest(db, store, program, m.memberId, input, files, memberActor(req), clock());
    reply.status(result.created ? 201 : 200);
    return present(req, result.request.id);
  });

  app.get('/portal/v1/service/requests/:id', {
    config: { member: true },
    schema: { operationId: 'portalGetServiceRequest', tags, summary: 'One of my requests with the conversation', description: 'The public timeline only. Someone else\'s request (outside a company I manage) is 404 `not_found`.', params: idParams, response: { 200: requestOut } },
  }, async (req) => {
    await visible(req, req.params.id);
    return present(req, req.params.id);
  });

  app.post('/portal/v1/service/requests/:id/comments', {
    validatorCompiler: passThrough,
    schema: {
      operationId: 'portalAddServiceRequestComment',
      tags,
      summary: 'Answer in my request\'s conversation',
      description: 'JSON `{ body }`, or multipart with that JSON in a field named `comment` and files beside it. An answer while the program waits for me moves the request back to in progress. A closed request takes no comments (409 `service_request_closed`).',
      consumes: ['application/json', 'multipart/form-data'],
      params: idParams,
      // What the document shows; the handler reads and checks it (JSON or the multipart `comment` field).
      body: commentInputSchema.omit({ internal: true }),
      response: { 201: requestOut },
    },
    config: { member: true, errors: ['service_request_closed', 'upload_limit_exceeded', ...fileErrors] },
  }, async (req, reply) => {
    const params = idParams.safeParse(req.params);
    if (!params.success) throw validationError(params.error.issues);
    const r = await visible(req, params.data.id);
    const { raw, files } = await readJsonWithFiles(req, { database, evidence: store, clock }, 'comment', config.evidenceMaxBytes);
    const parsed = commentInputSchema.extend({ internal: z.literal(false).default(false) }).safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error.issues, raw);
    await addComment(db, store, await programOf(db, req), r.id, parsed.data, files, memberActor(req), clock());
    reply.status(201);
    return present(req, r.id);
  });

  app.post('/portal/v1/service/requests/:id/state', {
    schema: {
      operationId: 'portalChangeServiceRequestState',
      tags,
      summary: 'Confirm a solution (close) or reopen',
      description: '`closed` from resolved; `in_progress` reopens a resolved request, or a closed one within the program\'s reopen window (409 `service_reopen_window_passed` after it).',
      params: idParams,
      body: z
        .object({
          to: z.enum(['closed', 'in_progress']).describe("'closed' confirms the solution; 'in_progress' reopens"),
          note: z.string().trim().min(1).max(2000).optional().describe('why, shown in the conversation'),
        })
        .strict(),
      response: { 200: requestOut },
    },
    config: { member: true, errors: ['service_transition_not_allowed', 'service_reopen_window_passed'] },
  }, async (req) => {
    const r = await visible(req, req.params.id);
    await changeState(db, await programOf(db, req), r.id, req.body.to, req.body.note ?? null, memberActor(req), clock(), { publicUrl: config.publicUrl });
    return present(req, r.id);
  });

  app.post('/portal/v1/service/requests/:id/csat', {
    schema: {
      operationId: 'portalRateServiceRequest',
      tags,
      summary: 'How satisfied was I?',
      description: 'Once per request, by the member who raised it, when it is resolved or closed: a score 1–5 and an optional comment. Again is 409 `service_csat_given`; before it is resolved 409 `service_csat_not_open`.',
      params: idParams,
      body: csatInputSchema,
      response: { 200: requestOut },
    },
    config: { member: true, errors: ['service_csat_given', 'service_csat_not_open'] },
  }, async (req) => {
    const m = me(req);
    const r = await visible(req, req.params.id);
    if (r.memberId !== m.memberId) throw new LojalError('not_found', { entity: 'service request', id: r.id });
    await rateRequest(db, m.programId, r.id, m.memberId, req.body, clock());
    return present(req, r.id);
  });

  app.post('/portal/v1/service/requests/:id/quotes/:quoteId/decision', {
    schema: {
      operationId: 'portalDecideServiceQuote',
      tags,
      summary: 'Accept or decline a quote on my special order',
      description:
        'By the member who raised the request. `accept` makes a shop order at the quoted price (points are paid from my wallet at once; a money quote is ' +
        'invoiced by the company) and resolves the request; `decline` sends it back to the team. Accepting again answers the same order. Too few points is ' +
        '422 `insufficient_points`, a quote past its last day 409 `service_quote_expired`, a withdrawn or otherwise decided quote 409 `service_quote_not_open`; ' +
        'nothing is stored then.',
      params: z.object({ id: z.uuid().describe('the service request id'), quoteId: z.uuid().describe('the quote id, from the request\'s `quotes`') }),
      body: z.object({ decision: z.enum(['accept', 'decline']).describe('`accept` orders at the quoted price; `decline` refuses it') }).strict(),
      response: { 200: requestOut },
    },
    config: { member: true, errors: ['insufficient_points', 'service_quote_expired', 'service_quote_not_open'] },
  }, async (req) => {
    const m = me(req);
    const r = await visible(req, req.params.id);
    if (r.memberId !== m.memberId) throw new LojalError('not_found', { entity: 'service request', id: r.id });
    await decideQuote(db, await programOf(db, req), r.id, req.params.quoteId, req.body.decision, memberActor(req), clock(), { publicUrl: config.publicUrl });
    return present(req, r.id);
  });

  app.get('/portal/v1/service/requests/:id/attachments/:fileId', {
    config: { member: true, produces: evidenceTypes, errors: ['evidence_missing'] },
    schema: {
      operationId: 'portalGetServiceAttachment',
      tags,
      summary: 'A file in my request\'s conversation',
      description: 'Only files on public entries, streamed with their type (PDF or an image); a file whose bytes were erased is 410 `evidence_missing`.',
      params: z.object({ id: z.uuid().describe('the service request id'), fileId: z.uuid().describe('the attachment id, from the conversation') }),
    },
  }, async (req, reply) => {
    const r = await visible(req, req.params.id);
    return sendEvidence(reply, store, me(req).programId, await requestAttachment(db, me(req).programId, r.id, req.params.fileId, false));
  });

  // ------------------------------------------------------------ help centre
  const hit = z.object({ id: z.uuid(), category: z.string(), title: z.string(), excerpt: z.string(), rank: z.number() });
  app.get('/portal/v1/help/search', {
    config: { member: true },
    schema: {
      operationId: 'portalSearchHelp',
      tags,
      summary: 'Search the help centre in my language',
      description: 'Full-text search with my language\'s stemming; the last word matches as a prefix, so it suggests while I type. At most 5 hits, best first.',
      querystring: z.object({ q: z.string().max(500).describe('the words to search for') }).strict(),
      response: { 200: z.object({ items: z.array(hit) }) },
    },
  }, async (req) => ({ items: await searchArticles(db, me(req).programId, me(req).language, req.query.q, 5) }));

  const article = z.object({ id: z.uuid(), category: z.string(), title: z.string(), body: z.string(), updatedAt: z.date() });
  app.get('/portal/v1/help/articles', {
    config: { member: true },
    schema: { operationId: 'portalListHelpArticles', tags, summary: 'Help articles in my language', description: 'Published articles by category. Not paginated.', response: { 200: z.object({ items: z.array(article) }) } },
  }, async (req) => ({ items: await listArticles(db, me(req).programId, { language: me(req).language, publishedOnly: true }) }));

  app.get('/portal/v1/help/articles/:id', {
    config: { member: true },
    schema: { operationId: 'portalGetHelpArticle', tags, summary: 'Read a help article', description: 'A published article; counts a view (who read it is not kept).', params: articleParams, response: { 200: article } },
  }, async (req) => {
    const a = await requireArticle(db, me(req).programId, req.params.id, true);
    await countView(db, me(req).programId, a.id);
    return a;
  });

  app.post('/portal/v1/help/articles/:id/feedback', {
    config: { member: true },
    schema: {
      operationId: 'portalRateHelpArticle',
      tags,
      summary: 'Did this help?',
      description: 'Counted per article; who answered is not kept.',
      params: articleParams,
      body: z.object({ helpful: z.boolean().describe('true: it helped') }).strict(),
      response: { 204: z.null().describe('no body') },
    },
  }, async (req, reply) => {
    await rateArticle(db, me(req).programId, req.params.id, req.body.helpful);
    return sendNoContent(reply);
  });
}
