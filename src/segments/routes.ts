/**
 * Segments and scores over HTTP: the builder's field list and live count, segment definitions, members, counts
 * over time, static lists by CSV upload, and the nightly scores (distribution, one account's type with its
 * reasons, month-to-month movement).
 */
import { sendNoContent } from '../http/no-content.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { toItemError, type BatchItemResult } from '../batch/index.js';
import { emptySummary, importCsv } from '../csv/index.js';
import { invalidCharacters } from '../errors/characters.js';
import { LojalError, type ErrorCode } from '../errors/index.js';
import { receiveCsvUpload, type SpooledCsv } from '../csv/upload.js';
import { multipartFailure } from '../evidence/multipart.js';
import { slug } from '../fields/index.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { auditContext, caller, type AppContext } from '../http/context.js';
import { translator, type Language } from '../i18n/index.js';
import { getProgram } from '../programs/programs.js';
import { fieldCatalogue, filterSchema, operators, subjects, type Filter } from './filter.js';
import { runRelevanceJobs } from './job.js';
import { loyaltyTypes, type LoyaltyType, type Reason } from './loyalty.js';
import { listScoredAccounts, scoreOf, scoreOverview, typeMovement } from './scores.js';
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
const idParams = z.object({ id: z.uuid().describe('The segment’s id') });
const subject = z.enum(subjects).describe('What the segment holds: accounts (companies) or members (people)');
const maxUploadBytes = 10 * 1024 * 1024;

const segmentOut = z
  .object({
    id: z.uuid(),
    key: z.string().describe('what rules (`account.segments`) and rewards (`eligibility.segments`) name'),
    name: z.string(),
    description: z.string().nullable(),
    kind: z.enum(['dynamic', 'static']).describe('dynamic: members follow the filter; static: the members of the last CSV upload'),
    subject,
    definition: filterSchema.nullable().describe('the filter (dynamic segments); null for a static list'),
    system: z.boolean().describe('built in (the middle band): not editable'),
    memberCount: z.number().int().describe('members as of the last refresh or upload'),
    refreshedAt: z.date().nullable().describe('when the members were last computed or uploaded; null: never'),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Segment', description: 'A named group of accounts or members: dynamic (a filter, refreshed nightly and on demand) or static (a list uploaded as CSV).' });
const refreshOut = z
  .object({
    segmentId: z.uuid(),
    key: z.string(),
    count: z.number().int().describe('members now'),
    added: z.number().int().describe('members who joined with this refresh'),
    removed: z.number().int().describe('members who left with this refresh'),
    at: z.date(),
  })
  .meta({ id: 'SegmentRefresh', description: 'The outcome of recomputing a segment’s members or replacing its list.' });
const sampleOut = z.object({ id: z.uuid(), name: z.string(), externalId: z.string().nullable() });
const previewOut = z.object({
  count: z.number().int().describe('accounts or members the filter selects now'),
  total: z.number().int().describe('subjects of the program that are not closed'),
  sample: z.array(sampleOut).describe('up to 20 of the selected, for a glance'),
});
const reasonOut = z.object({
  key: z.string().describe('the reason’s stable key'),
  params: z.record(z.string(), z.number()).describe('the figures the reason names'),
  text: z.string().describe("in the reader's language"),
});

const accountScoreOut = z
  .object({
    accountId: z.uuid(),
    scoreDate: z.string().describe('YYYY-MM-DD of the scores'),
    recencyDays: z.number().int().nullable().describe('days since the latest purchase; null: no purchase in the window'),
    frequency: z.number().int().describe('purchases in the last 365 days'),
    monetary: z.number().int().describe('purchase amount in the last 365 days, minor units'),
    r: z.number().int().describe('recency quintile, 1–5 (0: no purchase)'),
    f: z.number().int().describe('frequency quintile, 1–5 (0: no purchase)'),
    m: z.number().int().describe('monetary quintile, 1–5 (0: no purchase)'),
    rankPercent: z.number().int().describe('rank by RFM within the program, 0 (best) – 100'),
    loyaltyType: z.enum([...loyaltyTypes, 'unscored']).describe('the loyalty type (docs/segments.md); `unscored` only while a scoring run is under way'),
    loyaltyTypeName: z.string().describe("the type's name in the reader's language"),
    reasons: z.array(reasonOut).describe('why the account has this type'),
    observations: z
      .object({
        purchases: z.number().int(),
        activeMonths: z.number().int().describe('calendar months with a purchase, 0–12'),
        offerPurchases: z.number().int().describe('purchases marked as bought on an offer'),
        categories: z.number().int().describe('distinct categories bought'),
        engagements: z.number().int().describe('events that are neither purchases nor returns'),
        surveyScore: z.number().nullable().describe('mean survey / NPS score, 0–10; null without any'),
        referrals: z.number().int(),
        frequencyQuintile: z.number().int(),
      })
      .describe('what the type was decided from, over the last 365 days'),
  })
  .meta({ id: 'AccountScore', description: 'An account’s RFM scores and loyalty type from the latest nightly run, with the reasons.' });

/** The meaning problems of a filter the server finds (src/segments/filter.ts). */
const filterErrors: ErrorCode[] = ['segment_field_unknown', 'segment_operator_invalid', 'segment_value_invalid', 'segment_filter_too_complex'];

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
        description:
          'What the segment builder offers for accounts or members. Custom fields are named `attributes.<key>` besides these. ' +
          'Windowed fields need `days`; purchase fields take an optional `category`. Nothing is stored.',
        querystring: z.object({ subject: subject.default('account').describe('Fields for account segments or member segments; default `account`') }).strict(),
        response: {
          200: z.object({
            operators: z.array(z.enum(operators)).describe('every operator a condition may use'),
            data: z.array(
              z.object({
                field: z.string().describe('the name a condition uses'),
                kind: z.enum(['text', 'number', 'list', 'recency', 'windowed']).describe('what the field holds, which decides its operators'),
                operators: z.array(z.enum(operators)),
                category: z.boolean().describe('takes a `category` (purchase fields)'),
                windowed: z.boolean().describe('needs `days`'),
                description: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ operators: [...operators], data: fieldCatalogue(req.query.subject) }),
  );

  app.post(
    '/v1/segments/preview',
    {
      config: { scope: 'read', errors: filterErrors },
      schema: {
        operationId: 'previewSegment',
        tags,
        summary: 'Preview which accounts or members a filter selects',
        description:
          'How many a filter selects now, and up to 20 of them; nothing is stored. The console builder calls this as the filter changes. ' +
          'A filter the server cannot read (unknown field, operator the field does not take, wrong value) answers 422.',
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
      schema: {
        operationId: 'listSegments',
        tags,
        summary: 'List the program’s segments',
        description: 'Every segment, built-in first, then by key; not paged (a program has tens, not thousands). Member counts are as of each segment’s last refresh.',
        response: { 200: z.object({ data: z.array(segmentOut) }) },
      },
    },
    async (req) => ({ data: (await listSegments(db, caller(req).programId)).map(present) }),
  );

  app.post(
    '/v1/segments',
    {
      config: { scope: 'accounts:write', errors: [...filterErrors, 'segment_key_taken', 'segment_definition_required', 'segment_static_has_no_filter'] },
      schema: {
        operationId: 'createSegment',
        tags,
        summary: 'Create a segment',
        description:
          'A dynamic segment takes a filter and its members are computed at once, then nightly and on demand; a static one takes no filter and gets its ' +
          'members by CSV upload. The key is unique in the program (409 `segment_key_taken`). Recorded in the audit log.',
        body: z
          .object({
            key: slug.describe('Unique in the program; what rules and rewards name (lower case, digits, `-`)'),
            name: z.string().trim().min(1).max(200),
            description: z.string().trim().max(1000).nullable().optional(),
            kind: z.enum(['dynamic', 'static']).default('dynamic'),
            subject: subject.default('account'),
            definition: filterSchema.nullable().optional().describe('The filter; required for a dynamic segment, absent for a static one'),
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
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getSegment',
        tags,
        summary: 'Get a segment',
        description: 'The segment with its filter and member count as of its last refresh. Another program’s segment answers 404.',
        params: idParams,
        response: { 200: segmentOut },
      },
    },
    async (req) => present(await getSegment(db, caller(req).programId, req.params.id)),
  );

  app.patch(
    '/v1/segments/:id',
    {
      config: { scope: 'accounts:write', errors: [...filterErrors, 'segment_system', 'segment_static_has_no_filter'] },
      schema: {
        operationId: 'updateSegment',
        tags,
        summary: 'Update a segment',
        description:
          'Rename it, describe it or change its filter; a new filter recomputes the members at once. The key and kind stay. ' +
          'Built-in segments answer 409 `segment_system`. Recorded in the audit log.',
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
      config: { scope: 'accounts:write', errors: ['segment_system'] },
      schema: {
        operationId: 'deleteSegment',
        tags,
        summary: 'Delete a segment',
        description:
          'Removes the segment and its member list. Rules and rewards naming its key then match nobody by it. Built-in segments answer 409 `segment_system`. Recorded in the audit log.',
        params: idParams,
        response: { 204: z.null().describe('Deleted') },
      },
    },
    async (req, reply) => {
      const programId = caller(req).programId;
      await audited(db, auditContext(req), async (trx) => {
        const before = await deleteSegment(trx, programId, req.params.id);
        return { result: null, audit: { action: 'segment.delete', entity: 'segment', entityId: before.id, before } };
      });
      return sendNoContent(reply);
    },
  );

  app.post(
    '/v1/segments/:id/refresh',
    {
      config: { scope: 'accounts:write', errors: ['segment_not_dynamic'] },
      schema: {
        operationId: 'refreshSegment',
        tags,
        summary: 'Recompute a dynamic segment’s members now',
        description:
          'What the nightly job does, for one segment at once. Answers how many members it has, and how many joined and left; the count is kept in its history. ' +
          'A static list answers 409 `segment_not_dynamic`.',
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
        summary: 'List a segment’s members',
        description:
          'The accounts or members (by the segment’s subject) as of its last refresh or upload. Keyset pages in id order; pass `nextCursor` back as `cursor` until it is null.',
        params: idParams,
        querystring: z
          .object({
            limit: z.coerce.number().int().min(1).max(500).default(50).describe('Members per page, 1–500; default 50'),
            cursor: z.string().min(1).max(200).optional().describe("Cursor from the previous page's `nextCursor`; leave out for the first page"),
          })
          .strict(),
        response: {
          200: z.object({
            data: z.array(sampleOut.extend({ addedAt: z.date().describe('when they joined the segment') })),
            nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
          }),
        },
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
        summary: 'A segment’s member count over time',
        description:
          'The member count at each refresh or upload, oldest first, with how many joined and left each time and what triggered it; for the growth chart.',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(90).describe('The latest this many refreshes, 1–1000; default 90') }).strict(),
        response: {
          200: z.object({
            data: z.array(
              z.object({
                at: z.date(),
                count: z.number().int(),
                added: z.number().int(),
                removed: z.number().int(),
                trigger: z.enum(['schedule', 'manual', 'upload', 'create']).describe('the nightly job, a refresh or edit, a CSV upload, or the creation'),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ data: await segmentHistory(db, caller(req).programId, req.params.id, req.query.limit) }),
  );

  app.post(
    '/v1/segments/:id/members',
    {
      config: { scope: 'accounts:write', errors: ['segment_not_static', 'segment_members_unknown', 'invalid_csv', 'malformed_multipart'] },
      schema: {
        operationId: 'uploadSegmentMembers',
        tags,
        summary: 'Replace a static segment’s members with a CSV list',
        description:
          'Multipart, the file (up to 10 MB) in a part named `file`, with one column `external_id` (or `id`) naming accounts or members of the program, by the segment’s subject. ' +
          'All or nothing: if a row names nobody, 422 `segment_members_unknown` and the list stays as it was. A dynamic segment answers 409 `segment_not_static`. Recorded in the audit log.',
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
      let file: SpooledCsv | undefined;
      try {
        file = await receiveCsvUpload(req, { fileSize: maxUploadBytes, files: 1, fields: 5 });
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new LojalError('payload_too_large', { limit: maxUploadBytes });
        throw multipartFailure(err);
      }
      if (!file) throw new LojalError('validation_failed', {}, [{ path: 'file', message: 'send the CSV file in a part named file', fieldCode: 'required' }]);
      const ids: string[] = [];
      const unknown: Array<{ line: number; ref: string }> = [];
      const upload = file;
      const summary = await (async () => {
        if (upload.containsNul) throw invalidCharacters('file');
        return importCsv(
          upload.open(),
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
      })().finally(() => upload.discard());
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
  const loyaltyType = z.enum(loyaltyTypes).describe('the loyalty type (docs/segments.md)');
  const typeCount = z.object({ type: loyaltyType, count: z.number().int(), name: z.string().describe("the type's name in the reader's language") });
  app.get(
    '/v1/scores',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getScoreOverview',
        tags,
        summary: 'Get the latest RFM scores and loyalty types',
        description:
          'From the latest nightly scores: accounts per loyalty type, the RFM grid (recency × frequency quintiles) and how many accounts are in the middle band. ' +
          'Scores cover the last 365 days up to the score date; docs/segments.md states the rules.',
        response: {
          200: z.object({
            scoreDate: z.string().nullable().describe('YYYY-MM-DD of the latest scores; null: never scored'),
            accounts: z.number().int().describe('accounts scored'),
            types: z.array(typeCount),
            grid: z
              .array(z.object({ r: z.number().int().describe('recency quintile, 0 (no purchase) – 5'), f: z.number().int().describe('frequency quintile, 0–5'), count: z.number().int() }))
              .describe('accounts per recency and frequency quintile'),
            middleBand: z.number().int().describe('accounts ranked between 15 % and 84 % by RFM'),
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
        summary: 'Compute the scores and refresh every dynamic segment now',
        description:
          'What the nightly job does, at once: scores every account that is not closed, then refreshes every dynamic segment. Runs even if tonight’s run is done; ' +
          'safe to repeat. Answers how many accounts were scored and segments refreshed.',
        response: {
          200: z.object({
            runDate: z.string().describe('YYYY-MM-DD the scores are dated'),
            accounts: z.number().int().describe('accounts scored'),
            segments: z.number().int().describe('dynamic segments refreshed'),
          }),
        },
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
        summary: 'How accounts moved between loyalty types',
        description: 'From the month before to the given month, how many accounts went from each loyalty type to each other; `from: new` counts accounts first scored that month.',
        querystring: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().describe('YYYY-MM; default: the latest scores’ month') }).strict(),
        response: {
          200: z.object({
            from: z.string().describe('YYYY-MM: the month before'),
            to: z.string().describe('YYYY-MM: the month asked for'),
            moves: z.array(
              z.object({
                from: z.string().describe('the loyalty type the month before, or `new`'),
                to: z.string().describe('the loyalty type this month'),
                count: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const month = req.query.month ?? (await scoreOverview(db, programId)).scoreDate?.slice(0, 7) ?? clock().toISOString().slice(0, 7);
      return typeMovement(db, programId, month);
    },
  );

  app.get(
    '/v1/scores/accounts',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listScoredAccounts',
        tags,
        summary: 'List accounts with their loyalty type and its reasons',
        description:
          'From the latest nightly scores, accounts best-ranked first (by RFM), each with its loyalty type and the reasons for it in the reader’s language; ' +
          'optionally of one type only. `total` counts all that match.',
        querystring: z
          .object({
            type: loyaltyType.optional().describe('Only accounts of this loyalty type'),
            limit: z.coerce.number().int().min(1).max(500).default(50).describe('At most this many (1–500, default 50)'),
            offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('Skip this many first (for the next page)'),
          })
          .strict(),
        response: {
          200: z.object({
            total: z.number().int().describe('accounts that match, over all pages'),
            data: z.array(
              z.object({
                accountId: z.uuid(),
                name: z.string(),
                externalId: z.string().nullable(),
                rankPercent: z.number().int().describe('rank by RFM within the program, 0 (best) – 100'),
                r: z.number().int(),
                f: z.number().int(),
                m: z.number().int(),
                loyaltyType: z.string().describe('the loyalty type'),
                loyaltyTypeName: z.string().describe("the type's name in the reader's language"),
                reasons: z.array(reasonOut),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const lng = apiLanguage(req);
      const t = translator(lng);
      const page = await listScoredAccounts(db, caller(req).programId, req.query);
      return {
        total: page.total,
        data: page.data.map((a) => ({ ...a, loyaltyTypeName: t(`console-segments:type.${a.loyaltyType}`), reasons: a.reasons.map((r) => reasonText(lng, r)) })),
      };
    },
  );

  app.get(
    '/v1/accounts/:id/score',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAccountScore',
        tags,
        summary: 'Get an account’s RFM scores and loyalty type',
        description:
          'The latest nightly scores of one account: days since the last purchase, purchases and amount in the last 365 days, their quintiles, its rank, ' +
          'and its loyalty type with the reasons in the reader’s language. 404 for another program’s account or one not scored yet.',
        params: z.object({ id: z.uuid() }),
        response: { 200: accountScoreOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const score = await scoreOf(db, program.id, req.params.id);
      if (!score) throw new LojalError('not_found', { entity: 'score', id: req.params.id });
      const lng = apiLanguage(req);
      return {
        ...score,
        loyaltyType: score.loyaltyType as LoyaltyType | 'unscored',
        loyaltyTypeName: translator(lng)(`console-segments:type.${score.loyaltyType}`),
        reasons: score.reasons.map((r) => reasonText(lng, r)),
        observations: { ...score.observations },
      };
    },
  );
}

export type { Filter };
