/**
 * Segments and scores over HTTP: the builder's field list and live count, segment definitions, members, counts
 * over time, static lists by CSV upload, and the nightly scores (distribution, one account's type with its
 * reasons, month-to-month movement).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { toItemError, type BatchItemResult } from '../batch/index.js';
import { emptySummary, importCsv } from '../csv/index.js';
import { invalidCharacters } from '../errors/characters.js';
import { LojalError } from '../errors/index.js';
import { multipartFailure } from '../evidence/multipart.js';
import { slug } from '../fields/index.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { auditContext, caller, type AppContext } from '../http/context.js';
import { translator, type Language } from '../i18n/index.js';
import { getProgram } from '../programs/programs.js';
import { fieldCatalogue, filterSchema, operators, subjects, type Filter } from './filter.js';
import { runRelevanceJobs } from './job.js';
import { loyaltyTypes, type Reason } from './loyalty.js';
import { scoreOf, scoreOverview, typeMovement } from './scores.js';
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  previewFilter,
  refreshSegment,
  refreshSegmentIn,
  replaceStaticMembers,
  resolveSubjects,
  segmentHistory,
  segmentMembers,
  updateSegment,
  type Segment,
} from './store.js';

const tags = ['segments'];
const idParams = z.object({ id: z.uuid() });
const subject = z.enum(subjects);
const maxUploadBytes = 10 * 1024 * 1024;

const segmentOut = z.object({
  id: z.uuid(),
  key: z.string().describe('what rules (`account.segments`) and rewards (`eligibility.segments`) name'),
  name: z.string(),
  description: z.string().nullable(),
  kind: z.enum(['dynamic', 'static']),
  subject,
  definition: z.any().nullable().describe('the filter (dynamic segments); see docs/segments.md'),
  system: z.boolean().describe('built in (the middle band): not editable'),
  memberCount: z.number().int(),
  refreshedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const refreshOut = z.object({ segmentId: z.uuid(), key: z.string(), count: z.number().int(), added: z.number().int(), removed: z.number().int(), at: z.date() });
const previewOut = z.object({
  count: z.number().int(),
  total: z.number().int().describe('subjects of the program that are not closed'),
  sample: z.array(z.object({ id: z.uuid(), name: z.string(), externalId: z.string().nullable() })),
});
const reasonOut = z.object({ key: z.string(), params: z.record(z.string(), z.number()), text: z.string().describe("in the reader's language") });

const present = (s: Segment) => s;
const reasonText = (lng: Language, r: Reason) => ({ ...r, text: translator(lng)(`console-segments:reason.${r.key}`, r.params) });

export async function segmentRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest) => (await getProgram(db, caller(req).programId))!;

  app.get(
    '/v1/segments/fields',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSegmentFields',
        tags,
        summary: 'The fields a segment filter may use, with their operators',
        description: 'Custom fields are named `attributes.<key>` besides these. Windowed fields need `days`; purchase fields take an optional `category`.',
        querystring: z.object({ subject: subject.default('account') }).strict(),
        response: {
          200: z.object({
            operators: z.array(z.enum(operators)),
            data: z.array(z.object({ field: z.string(), kind: z.string(), operators: z.array(z.string()), category: z.boolean(), windowed: z.boolean(), description: z.string() })),
          }),
        },
      },
    },
    async (req) => ({ operators: [...operators], data: fieldCatalogue(req.query.subject) }),
  );

  app.post(
    '/v1/segments/preview',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'previewSegment',
        tags,
        summary: 'How many accounts or members a filter selects now, and up to 20 of them (nothing is stored)',
        description: 'The console builder calls this as the filter changes. An unknown field answers 422 `segment_field_unknown`.',
        body: z.object({ subject: subject.default('account'), definition: filterSchema }).strict(),
        response: { 200: previewOut },
      },
    },
    async (req) => previewFilter(db, caller(req).programId, req.body.subject, req.body.definition, clock()),
  );

  app.get(
    '/v1/segments',
    {
      config: { scope: 'read' },
      schema: { operationId: 'listSegments', tags, summary: 'The program’s segments, built-in first, then by key', description: 'Counts are as of each segment’s last refresh.', response: { 200: z.object({ data: z.array(segmentOut) }) } },
    },
    async (req) => ({ data: (await listSegments(db, caller(req).programId)).map(present) }),
  );

  app.post(
    '/v1/segments',
    {
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'createSegment',
        tags,
        summary: 'Create a dynamic segment (a filter, evaluated at once) or a static one (members by CSV upload)',
        description: 'The key is unique in the program (409 `segment_key_taken`). A dynamic segment is refreshed nightly and on demand.',
        body: z
          .object({
            key: slug,
            name: z.string().trim().min(1).max(200),
            description: z.string().trim().max(1000).nullable().optional(),
            kind: z.enum(['dynamic', 'static']).default('dynamic'),
            subject: subject.default('account'),
            definition: filterSchema.nullable().optional(),
          })
          .strict(),
        response: { 201: segmentOut },
      },
    },
    async (req, reply) => {
      const programId = caller(req).programId;
      const now = clock();
      const seg = await audited(db, auditContext(req), async (trx) => {
        const created = await createSegment(trx, programId, req.body, now);
        if (created.kind === 'dynamic') await refreshSegmentIn(trx, programId, created.id, 'create', now);
        const after = await getSegment(trx, programId, created.id);
        return { result: after, audit: { action: 'segment.create', entity: 'segment', entityId: created.id, after } };
      });
      return reply.status(201).send(present(seg));
    },
  );

  app.get(
    '/v1/segments/:id',
    { config: { scope: 'read' }, schema: { operationId: 'getSegment', tags, summary: 'One segment', description: 'Another program’s segment answers 404.', params: idParams, response: { 200: segmentOut } } },
    async (req) => present(await getSegment(db, caller(req).programId, req.params.id)),
  );

  app.patch(
    '/v1/segments/:id',
    {
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'updateSegment',
        tags,
        summary: 'Rename a segment or change its filter (the members are recomputed at once)',
        description: 'Built-in segments answer 409 `segment_system`.',
        params: idParams,
        body: z
          .object({
            name: z.string().trim().min(1).max(200).optional(),
            description: z.string().trim().max(1000).nullable().optional(),
            definition: filterSchema.optional(),
          })
          .strict(),
        response: { 200: segmentOut },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const now = clock();
      return present(
        await audited(db, auditContext(req), async (trx) => {
          const { before, after } = await updateSegment(trx, programId, req.params.id, req.body, now);
          if (req.body.definition !== undefined) await refreshSegmentIn(trx, programId, after.id, 'manual', now);
          const fresh = await getSegment(trx, programId, after.id);
          return { result: fresh, audit: { action: 'segment.update', entity: 'segment', entityId: after.id, before, after: fresh } };
        }),
      );
    },
  );

  app.delete(
    '/v1/segments/:id',
    {
      config: { scope: 'accounts:write' },
      schema: { operationId: 'deleteSegment', tags, summary: 'Delete a segment and its members', description: 'Rules and rewards naming its key then match nobody by it.', params: idParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      const programId = caller(req).programId;
      await audited(db, auditContext(req), async (trx) => {
        const before = await deleteSegment(trx, programId, req.params.id);
        return { result: null, audit: { action: 'segment.delete', entity: 'segment', entityId: before.id, before } };
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/segments/:id/refresh',
    {
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'refreshSegment',
        tags,
        summary: 'Recompute a dynamic segment’s members now',
        description: 'Answers how many it has, and how many joined and left. A static list answers 409 `segment_not_dynamic`.',
        params: idParams,
        response: { 200: refreshOut },
      },
    },
    async (req) => refreshSegment(db, caller(req).programId, req.params.id, 'manual', clock()),
  );

  app.get(
    '/v1/segments/:id/members',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSegmentMembers',
        tags,
        summary: 'The segment’s members as of its last refresh (or upload)',
        description: 'Keyset pages in id order; pass `nextCursor` back as `cursor`.',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().min(1).max(200).optional() }).strict(),
        response: { 200: z.object({ data: z.array(z.object({ id: z.uuid(), name: z.string(), externalId: z.string().nullable(), addedAt: z.date() })), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const seg = await getSegment(db, programId, req.params.id);
      const after = decodeCursor(req.query.cursor, z.tuple([z.uuid()]));
      const page = await segmentMembers(db, programId, seg, req.query.limit, after?.[0]);
      return { data: page.items, nextCursor: page.next ? encodeCursor([page.next]) : null };
    },
  );

  app.get(
    '/v1/segments/:id/history',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getSegmentHistory',
        tags,
        summary: 'The segment’s member count at each refresh, oldest first',
        description: 'With how many joined and left each time, and what triggered it (schedule, manual, upload, create).',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(90) }).strict(),
        response: { 200: z.object({ data: z.array(z.object({ at: z.date(), count: z.number().int(), added: z.number().int(), removed: z.number().int(), trigger: z.string() })) }) },
      },
    },
    async (req) => ({ data: await segmentHistory(db, caller(req).programId, req.params.id, req.query.limit) }),
  );

  app.post(
    '/v1/segments/:id/members',
    {
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'uploadSegmentMembers',
        tags,
        summary: 'Replace a static segment’s members with a CSV list (multipart, the file in a part named `file`)',
        description:
          'One column `external_id` (or `id`) naming accounts or members of the program, by the segment’s subject. ' +
          'All or nothing: if a row names nobody, 422 `segment_members_unknown` and the list stays as it was.',
        consumes: ['multipart/form-data'],
        params: idParams,
        response: { 200: refreshOut },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const seg = await getSegment(db, programId, req.params.id);
      if (seg.kind !== 'static') throw new LojalError('segment_not_static', { key: seg.key });
      if (!req.isMultipart()) throw new LojalError('unsupported_media_type', { type: String(req.headers['content-type'] ?? 'none') });
      let bytes: Buffer | undefined;
      try {
        for await (const part of req.parts({ limits: { fileSize: maxUploadBytes, files: 1, fields: 5 } })) {
          if (part.type === 'file' && part.fieldname === 'file') bytes = await part.toBuffer();
          else if (part.type === 'file') await part.toBuffer();
        }
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new LojalError('payload_too_large', { limit: maxUploadBytes });
        throw multipartFailure(err);
      }
      if (!bytes) throw new LojalError('validation_failed', {}, [{ path: 'file', message: 'send the CSV file in a part named file', fieldCode: 'required' }]);
      if (bytes.includes(0)) throw invalidCharacters('file');
      const ids: string[] = [];
      const unknown: Array<{ line: number; ref: string }> = [];
      const summary = await importCsv(
        Readable.from(bytes),
        {
          columns: { external_id: 'ref', id: 'ref' },
          required: ['ref'],
          toItem: (row) => ({ ref: row.fields.ref ?? '' }),
          write: async (batch) => {
            const found = await resolveSubjects(db, programId, seg.subject, batch.map((b) => String(b.item.ref)));
            return batch.map((b, index): BatchItemResult => {
              const id = found.get(String(b.item.ref));
              if (id) {
                ids.push(id);
                return { index, status: 'created', id };
              }
              unknown.push({ line: b.row.line, ref: String(b.item.ref) });
              return { index, status: 'error', error: toItemError(new LojalError('not_found', { entity: seg.subject, id: String(b.item.ref) })) };
            });
          },
        },
        emptySummary(),
      );
      if (unknown.length > 0) {
        throw new LojalError('segment_members_unknown', { count: unknown.length, subject: seg.subject, first: `${unknown[0]!.ref} (line ${unknown[0]!.line})` });
      }
      if (summary.errorCount > 0) throw new LojalError('invalid_csv', { line: summary.errors[0]!.line, detail: summary.errors[0]!.message });
      const now = clock();
      return audited(db, auditContext(req), async (trx) => {
        const result = await replaceStaticMembers(trx, programId, seg.id, ids, now);
        return { result, audit: { action: 'segment.upload', entity: 'segment', entityId: seg.id, after: { count: result.count, added: result.added, removed: result.removed } } };
      });
    },
  );

  // ---------------------------------------------------------------- scores
  const typeCount = z.object({ type: z.enum(loyaltyTypes), count: z.number().int(), name: z.string() });
  app.get(
    '/v1/scores',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getScoreOverview',
        tags,
        summary: 'The latest nightly scores: accounts per loyalty type, the RFM grid (recency × frequency) and the middle band',
        description: 'Scores cover the last 365 days up to the score date; docs/segments.md states the rules.',
        response: {
          200: z.object({
            scoreDate: z.string().nullable(),
            accounts: z.number().int(),
            types: z.array(typeCount),
            grid: z.array(z.object({ r: z.number().int(), f: z.number().int(), count: z.number().int() })),
            middleBand: z.number().int(),
          }),
        },
      },
    },
    async (req) => {
      const t = translator(apiLanguage(req));
      const o = await scoreOverview(db, caller(req).programId);
      return { ...o, types: o.types.map((x) => ({ ...x, type: x.type as (typeof loyaltyTypes)[number], name: t(`console-segments:type.${x.type}`) })) };
    },
  );

  app.post(
    '/v1/scores/run',
    {
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'runScores',
        tags,
        summary: 'Compute the scores and refresh every dynamic segment now (what the nightly job does)',
        description: 'Runs even if tonight’s run is done; answers how many accounts were scored and segments refreshed.',
        response: { 200: z.object({ runDate: z.string(), accounts: z.number().int(), segments: z.number().int() }) },
      },
    },
    async (req) => {
      const [run] = await runRelevanceJobs(db, clock(), { programId: caller(req).programId, force: true });
      return { runDate: run!.runDate, accounts: run!.accounts, segments: run!.segments };
    },
  );

  app.get(
    '/v1/scores/movement',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getLoyaltyMovement',
        tags,
        summary: 'How accounts moved between loyalty types from the month before to this month',
        description: '`from: new` counts accounts first scored this month.',
        querystring: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().describe('YYYY-MM; default: the latest scores’ month') }).strict(),
        response: { 200: z.object({ from: z.string(), to: z.string(), moves: z.array(z.object({ from: z.string(), to: z.string(), count: z.number().int() })) }) },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const month = req.query.month ?? (await scoreOverview(db, programId)).scoreDate?.slice(0, 7) ?? clock().toISOString().slice(0, 7);
      return typeMovement(db, programId, month);
    },
  );

  app.get(
    '/v1/accounts/:id/score',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAccountScore',
        tags,
        summary: 'An account’s latest RFM scores and loyalty type with the reasons',
        description: '404 for another program’s account or one not scored yet.',
        params: idParams,
        response: {
          200: z.object({
            accountId: z.uuid(),
            scoreDate: z.string(),
            recencyDays: z.number().int().nullable(),
            frequency: z.number().int(),
            monetary: z.number().int(),
            r: z.number().int(),
            f: z.number().int(),
            m: z.number().int(),
            rankPercent: z.number().int(),
            loyaltyType: z.string(),
            loyaltyTypeName: z.string(),
            reasons: z.array(reasonOut),
            observations: z.record(z.string(), z.unknown()),
          }),
        },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const score = await scoreOf(db, program.id, req.params.id);
      if (!score) throw new LojalError('not_found', { entity: 'score', id: req.params.id });
      const lng = apiLanguage(req);
      return {
        ...score,
        loyaltyTypeName: translator(lng)(`console-segments:type.${score.loyaltyType}`),
        reasons: score.reasons.map((r) => reasonText(lng, r)),
        observations: { ...score.observations },
      };
    },
  );
}

export type { Filter };
