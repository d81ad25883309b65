/** Surveys over HTTP: authoring, publishing, results, CSV and follow-ups for the program team. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { apiLanguage } from '../http/problem.js';
import { auditContext, caller, type AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { actor } from '../http/context.js';
import { getProgram, type Program } from '../programs/programs.js';
import { programScores, recordCsat } from './csat.js';
import { closeFollowup, listFollowups } from './followups.js';
import { languageParam, memberSurvey, memberSurveyOut, presentSurvey, surveyOut } from './present.js';
import { answersCsv, surveyResults } from './results.js';
import { figuresBy, nps, csat } from './scoring.js';
import { answerCounts, closeSurvey, createSurvey, listSurveys, publishSurvey, requireSurvey, surveyCreateSchema, surveyPatchSchema, surveyStatuses, updateSurvey } from './store.js';

const tags = ['surveys'];
const idParams = z.object({ id: z.uuid() });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const loose = z.record(z.string(), z.unknown());
const npsOut = z.object({ n: z.number(), promoters: z.number(), passives: z.number(), detractors: z.number(), nps: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable(), margin: z.number().nullable() });
const csatOut = z.object({ n: z.number(), satisfied: z.number(), share: z.number().nullable(), mean: z.number().nullable() });
const groupOut = z.object({ key: z.string().nullable(), answers: z.number(), nps: npsOut, csat: csatOut, suppressed: z.boolean() });
const resultsQuery = z
  .object({
    by: z.enum(['period', 'tier', 'role', 'segment']).default('period'),
    period: z.enum(['week', 'month', 'quarter', 'year']).default('month'),
    from: day.optional(),
    to: day.optional(),
  })
  .strict();
const followupOut = z.object({
  id: z.string(),
  surveyId: z.string(),
  accountId: z.string(),
  accountName: z.string().nullable(),
  memberId: z.string(),
  memberName: z.string().nullable(),
  score: z.number(),
  comment: z.string().nullable(),
  assignee: z.string().nullable(),
  status: z.string(),
  note: z.string().nullable(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
});

export async function surveyRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const present = async (programId: string, s: Parameters<typeof presentSurvey>[0]) => presentSurvey(s, (await answerCounts(db, programId)).get(s.id) ?? 0);

  app.get(
    '/v1/surveys',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSurveys',
        tags,
        summary: 'The program\'s surveys, newest first',
        description: 'Drafts, published and closed surveys with their answer counts and, per language, how many texts fall back to the default language.',
        querystring: z.object({ status: z.enum(surveyStatuses).optional() }).strict(),
        response: { 200: z.object({ items: z.array(surveyOut) }) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      const counts = await answerCounts(db, programId);
      return { items: (await listSurveys(db, programId, req.query.status)).map((s) => presentSurvey(s, counts.get(s.id) ?? 0)) };
    },
  );

  app.post(
    '/v1/surveys',
    {
      config: { scope: 'engagement:write' },
      schema: {
        operationId: 'createSurvey',
        tags,
        summary: 'Create a survey as a draft',
        description:
          'Texts are objects by language (`{"en": "...", "sv": "..."}`); a language left out falls back to the program\'s default. Question kinds: ' +
          '`nps` (0–10), `csat` (1–5), `single`, `multiple`, `rating` (min–max) and `text`. Nothing is shown to members until it is published.',
        body: surveyCreateSchema,
        response: { 201: surveyOut },
      },
    },
    async (req, reply) => {
      const s = await audited(db, auditContext(req), async (trx) => {
        const created = await createSurvey(trx, caller(req).programId, req.body, clock());
        return { result: created, audit: { action: 'survey.create', entity: 'survey', entityId: created.id, after: created } };
      });
      reply.status(201);
      return presentSurvey(s, 0);
    },
  );

  app.get(
    '/v1/surveys/:id',
    {
      config: { scope: 'read' },
      schema: { operationId: 'getSurvey', tags, summary: 'One survey', description: 'The survey as authored, with its current draft questions.', params: idParams, response: { 200: surveyOut } },
    },
    async (req) => present(caller(req).programId, await requireSurvey(db, caller(req).programId, req.params.id)),
  );

  app.patch(
    '/v1/surveys/:id',
    {
      config: { scope: 'engagement:write' },
      schema: {
        operationId: 'updateSurvey',
        tags,
        summary: 'Edit a survey',
        description:
          'On a published survey, new questions are published at once as the next form version; answers given so far keep the version they answered. ' +
          'Anonymity cannot change after publishing (409 `survey_anonymity_fixed`).',
        params: idParams,
        body: surveyPatchSchema,
        response: { 200: surveyOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const s = await audited(db, auditContext(req), async (trx) => {
        const { before, after } = await updateSurvey(trx, program, req.params.id, req.body, clock());
        return { result: after, audit: { action: 'survey.update', entity: 'survey', entityId: after.id, before, after } };
      });
      return present(program.id, s);
    },
  );

  app.post(
    '/v1/surveys/:id/publish',
    {
      config: { scope: 'engagement:write' },
      schema: {
        operationId: 'publishSurvey',
        tags,
        summary: 'Publish a survey (its questions become the next form version)',
        description:
          'Every text must exist in the program\'s default language (422 `form_missing_default_language`). With `points`, a rule paying them on the ' +
          'survey\'s `survey.completed` event (once per member) is created or kept in step.',
        params: idParams,
        response: { 200: surveyOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const s = await audited(db, auditContext(req), async (trx) => {
        const { before, after } = await publishSurvey(trx, program, req.params.id, clock());
        return { result: after, audit: { action: 'survey.publish', entity: 'survey', entityId: after.id, before: { status: before.status, version: before.version }, after: { status: after.status, version: after.version } } };
      });
      return present(program.id, s);
    },
  );

  app.post(
    '/v1/surveys/:id/close',
    {
      config: { scope: 'engagement:write' },
      schema: { operationId: 'closeSurvey', tags, summary: 'Close a survey now', description: 'No more answers are taken; its points rule is switched off.', params: idParams, response: { 200: surveyOut } },
    },
    async (req) => {
      const program = await programOf(req);
      const s = await audited(db, auditContext(req), async (trx) => {
        const { before, after } = await closeSurvey(trx, program, req.params.id, clock());
        return { result: after, audit: { action: 'survey.close', entity: 'survey', entityId: after.id, before: { status: before.status }, after: { status: after.status } } };
      });
      return present(program.id, s);
    },
  );

  app.get(
    '/v1/surveys/:id/preview',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'previewSurvey',
        tags,
        summary: 'The survey as a member reading the given language would see it',
        description: 'The draft questions in that language; texts that fall back to the default language are marked `fallback: true`.',
        params: idParams,
        querystring: z.object({ language: languageParam }).strict(),
        response: { 200: memberSurveyOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const s = await requireSurvey(db, program.id, req.params.id);
      return memberSurvey(s, s.questions, req.query.language, program.defaultLanguage, false);
    },
  );

  app.get(
    '/v1/surveys/:id/results',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getSurveyResults',
        tags,
        summary: 'NPS (with its 95 % interval), CSAT share of 4–5, per period, tier, role or segment, and each question\'s answers',
        description:
          '`by` groups the figures (`period` with `period` = week, month, quarter or year: the trend). For an anonymous survey, groups of fewer than ' +
          'five answers by tier, role or segment are `suppressed`. The interval method is in docs/surveys.md.',
        params: idParams,
        querystring: resultsQuery,
        response: {
          200: z.object({ answers: z.number(), nps: npsOut, csat: csatOut, groups: z.array(groupOut), questions: z.array(loose) }),
        },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const s = await requireSurvey(db, program.id, req.params.id);
      return surveyResults(db, program.id, s, req.query, apiLanguage(req), program.defaultLanguage) as never;
    },
  );

  app.get(
    '/v1/surveys/:id/answers.csv',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'exportSurveyAnswers',
        tags,
        summary: 'The survey\'s answers as CSV',
        description: 'One row per answer, one column per question id. An anonymous survey\'s file has no member, account or time columns.',
        params: idParams,
        querystring: z.object({ from: day.optional(), to: day.optional() }).strict(),
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const s = await requireSurvey(db, programId, req.params.id);
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="survey-${s.id}.csv"`);
      return answersCsv(db, programId, s, req.query);
    },
  );

  app.get(
    '/v1/listening/figures',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getListeningFigures',
        tags,
        summary: 'The program\'s NPS and CSAT over all surveys and reported CSAT scores (service desk), grouped',
        description: 'Counts every survey\'s NPS and CSAT answers and the CSAT scores other modules record (recordCsat), between `from` and `to` (default: the last 12 months).',
        querystring: resultsQuery,
        response: { 200: z.object({ from: z.string(), to: z.string(), nps: npsOut, csat: csatOut, groups: z.array(groupOut) }) },
      },
    },
    async (req) => {
      const now = clock();
      const to = req.query.to ?? now.toISOString().slice(0, 10);
      const from = req.query.from ?? new Date(now.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
      const rows = await programScores(db, caller(req).programId, from, to);
      return {
        from,
        to,
        nps: nps(rows.flatMap((r) => (r.nps === null ? [] : [r.nps]))),
        csat: csat(rows.flatMap((r) => (r.csat === null ? [] : [r.csat]))),
        groups: figuresBy(rows, req.query.by, { period: req.query.period }),
      };
    },
  );

  app.post(
    '/v1/csat-scores',
    {
      config: { scope: 'events:write' },
      schema: {
        operationId: 'recordCsatScore',
        tags,
        summary: 'Record a CSAT score (1–5) measured elsewhere, e.g. when a service request is closed',
        description: 'Idempotent by (`source`, `sourceRef`): 201 when recorded, 200 for a replay. Counted in GET /v1/listening/figures.',
        body: z.object({ source: z.string().trim().min(1).max(60), sourceRef: z.string().trim().min(1).max(200), score: z.number(), accountId: z.uuid().optional(), occurredAt: z.iso.datetime({ offset: true }).optional() }).strict(),
        response: { 200: z.object({ created: z.boolean() }), 201: z.object({ created: z.boolean() }) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const r = await recordCsat(db, caller(req).programId, { source: b.source, sourceRef: b.sourceRef, score: b.score, accountId: b.accountId ?? null, occurredAt: b.occurredAt ? new Date(b.occurredAt) : clock() });
      reply.status(r.created ? 201 : 200);
      return r;
    },
  );

  app.get(
    '/v1/survey-followups',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSurveyFollowups',
        tags,
        summary: 'Detractor follow-ups (NPS 0–6 on surveys that are not anonymous), newest first',
        description: 'Each names the account, the member, the score, the comment and the account\'s key-account manager.',
        querystring: z.object({ status: z.enum(['open', 'closed']).optional() }).strict(),
        response: { 200: z.object({ items: z.array(followupOut) }) },
      },
    },
    async (req) => ({ items: (await listFollowups(db, caller(req).programId, req.query.status)).map(presentFollowup) }),
  );

  app.post(
    '/v1/survey-followups/:id/close',
    {
      config: { scope: 'engagement:write' },
      schema: {
        operationId: 'closeSurveyFollowup',
        tags,
        summary: 'Close a follow-up with what was done',
        description: 'Recorded in the audit log. A closed follow-up answers 409 `followup_closed`.',
        params: idParams,
        body: z.object({ note: z.string().trim().max(2000).optional() }).strict(),
        response: { 200: followupOut },
      },
    },
    async (req) => {
      const f = await audited(db, auditContext(req), async (trx) => {
        const { before, after } = await closeFollowup(trx, caller(req).programId, req.params.id, actorRef(actor(req)), req.body.note ?? null, clock());
        return { result: after, audit: { action: 'survey_followup.close', entity: 'survey_followup', entityId: after.id, before: { status: before.status }, after: { status: after.status, note: after.note } } };
      });
      return presentFollowup(f);
    },
  );
}

function presentFollowup(f: Awaited<ReturnType<typeof listFollowups>>[number]) {
  return { ...f, createdAt: f.createdAt.toISOString(), closedAt: f.closedAt?.toISOString() ?? null };
}
