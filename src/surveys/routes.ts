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
import { questionKinds } from '../questions/index.js';
import { answerCounts, closeSurvey, createSurvey, listSurveys, publishSurvey, requireSurvey, surveyCreateSchema, surveyPatchSchema, surveyStatuses, updateSurvey } from './store.js';

const tags = ['surveys'];
const surveyParams = z.object({ id: z.uuid().describe('The survey\'s id (a UUID)') });
const followupParams = z.object({ id: z.uuid().describe('The follow-up\'s id (a UUID)') });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const npsOut = z
  .object({
    n: z.number().int().describe('NPS answers counted'),
    promoters: z.number().int().describe('Answers of 9–10'),
    passives: z.number().int().describe('Answers of 7–8'),
    detractors: z.number().int().describe('Answers of 0–6'),
    nps: z.number().nullable().describe('Net Promoter Score, −100…100 with one decimal; null without answers'),
    low: z.number().nullable().describe('Lower end of the 95 % interval; null for fewer than two answers'),
    high: z.number().nullable().describe('Upper end of the 95 % interval; null for fewer than two answers'),
    margin: z.number().nullable().describe('Half-width of the 95 % interval in NPS points; null for fewer than two answers'),
  })
  .meta({ id: 'NpsFigure', description: 'Net Promoter Score of a set of 0–10 answers with its 95 % confidence interval (normal approximation, docs/surveys.md).' });
const csatOut = z
  .object({
    n: z.number().int().describe('CSAT answers counted'),
    satisfied: z.number().int().describe('Answers of 4 or 5'),
    share: z.number().nullable().describe('Share satisfied in percent, one decimal; null without answers'),
    mean: z.number().nullable().describe('Mean score, two decimals; null without answers'),
  })
  .meta({ id: 'CsatFigure', description: 'Customer satisfaction of a set of 1–5 answers: the share of 4–5 and the mean.' });
const groupOut = z
  .object({
    key: z.string().nullable().describe('The period (e.g. `2026-03`, `2026-W11`, `2026-Q1`, `2026`), tier, role or segment; null for answers without one'),
    answers: z.number().int(),
    nps: npsOut,
    csat: csatOut,
    suppressed: z.boolean().describe('Too few answers to show for an anonymous survey (under five): the figures are left empty'),
  })
  .meta({ id: 'FigureGroup', description: 'NPS and CSAT of one group of answers (a period, tier, role or segment).' });
const resultsQuery = z
  .object({
    by: z.enum(['period', 'tier', 'role', 'segment', 'source']).default('period').describe('How to group the figures; default `period` (the trend); `source` splits the program figures into surveys, the service desk and other reporters'),
    period: z.enum(['week', 'month', 'quarter', 'year']).default('month').describe('The length of a period when `by` is `period`; default `month`'),
    from: day.optional().describe('First day counted, YYYY-MM-DD (inclusive)'),
    to: day.optional().describe('Last day counted, YYYY-MM-DD (inclusive)'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to may not be before from' });
const questionSummaryOut = z.object({
  id: z.string().describe('The question id'),
  kind: z.enum(questionKinds),
  text: z.string().describe('The question in the reader\'s language (Accept-Language), else the default language'),
  answered: z.number().int(),
  counts: z
    .array(z.object({ key: z.string(), label: z.string(), count: z.number().int() }))
    .describe('Choice questions: how often each option was picked; score questions: how often each value was given'),
  mean: z.number().nullable().describe('Score questions: the mean answer'),
  texts: z.array(z.string()).describe('Free-text questions: the latest (at most 50) answers, without names'),
});
const followupOut = z
  .object({
    id: z.uuid(),
    surveyId: z.uuid(),
    accountId: z.uuid(),
    accountName: z.string().nullable(),
    memberId: z.uuid(),
    memberName: z.string().nullable(),
    score: z.number().int().describe('The NPS answer, 0–6'),
    comment: z.string().nullable().describe('The member\'s free-text answer, if the survey asked for one'),
    assignee: z.string().nullable().describe('The account\'s key-account manager, who should call back'),
    status: z.enum(['open', 'closed']),
    note: z.string().nullable().describe('What was done, given when it was closed'),
    createdAt: z.iso.datetime(),
    closedAt: z.iso.datetime().nullable(),
    closedBy: z.string().nullable().describe('Who closed it (a staff user or API key reference)'),
  })
  .meta({ id: 'SurveyFollowup', description: 'A detractor\'s answer (NPS 0–6) on a survey that is not anonymous, for the account\'s key-account manager to follow up.' });

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
        summary: 'List surveys',
        description:
          'The program\'s surveys, newest first (at most 500, no paging): drafts, published and closed, each with its answer count and, per language, ' +
          'how many texts fall back to the default language. Needs the `read` scope.',
        querystring: z.object({ status: z.enum(surveyStatuses).optional().describe('Only surveys in this state: `draft`, `published` or `closed`; default all') }).strict(),
        response: { 200: z.object({ data: z.array(surveyOut), nextCursor: z.null().describe('Always null: every survey fits one page') }) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      const counts = await answerCounts(db, programId);
      return { data: (await listSurveys(db, programId, req.query.status)).map((s) => presentSurvey(s, counts.get(s.id) ?? 0)), nextCursor: null };
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
          '`nps` (0–10), `csat` (1–5), `single`, `multiple`, `rating` (min–max) and `text`. Nothing is shown to members until it is published. ' +
          'Recorded in the audit log; needs `engagement:write`.',
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
      schema: {
        operationId: 'getSurvey',
        tags,
        summary: 'Get a survey',
        description: 'The survey as authored, with its current questions, audience, window, points and answer count.',
        params: surveyParams,
        response: { 200: surveyOut },
      },
    },
    async (req) => present(caller(req).programId, await requireSurvey(db, caller(req).programId, req.params.id)),
  );

  app.patch(
    '/v1/surveys/:id',
    {
      config: { scope: 'engagement:write', errors: ['survey_closed', 'survey_anonymity_fixed', 'question_kind_fixed', 'form_missing_default_language'] },
      schema: {
        operationId: 'updateSurvey',
        tags,
        summary: 'Edit a survey',
        description:
          'Changes only the fields given. On a published survey, new questions are published at once as the next form version; answers given so far keep ' +
          'the version they answered, and a changed `points` updates the paying rule. Anonymity cannot change after publishing (409 `survey_anonymity_fixed`); ' +
          'a closed survey cannot be edited (409 `survey_closed`). A question id keeps the kind it was published with: giving it another kind is 409 ' +
          '`question_kind_fixed` (results count a question by its id over every version), so a new kind needs a new id. Recorded in the audit log.',
        params: surveyParams,
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
      config: { scope: 'engagement:write', errors: ['survey_closed', 'form_missing_default_language'] },
      schema: {
        operationId: 'publishSurvey',
        tags,
        summary: 'Publish a survey',
        description:
          'Its questions become the next form version and members in its audience can answer while it is open. Every text must exist in the program\'s ' +
          'default language (422 `form_missing_default_language`). With `points`, an earning rule paying them on the survey\'s `survey.completed` event ' +
          '(once per member) is created or kept in step. Publishing again publishes a new version; recorded in the audit log.',
        params: surveyParams,
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
      schema: {
        operationId: 'closeSurvey',
        tags,
        summary: 'Close a survey now',
        description: 'No more answers are taken and its points rule is switched off; the answers and figures stay. Closing a closed survey changes nothing. Recorded in the audit log.',
        params: surveyParams,
        response: { 200: surveyOut },
      },
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
        summary: 'Preview a survey in one language',
        description: 'The survey as a member reading `language` would see it, with its current questions; texts that fall back to the default language are marked `fallback: true`. Nothing is recorded.',
        params: surveyParams,
        querystring: z.object({ language: languageParam.describe('The language to preview: en, sv, nb, pl or de') }).strict(),
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
        summary: 'Get a survey\'s results',
        description:
          'NPS (with its 95 % interval) and CSAT (share of 4–5) over the answers between `from` and `to`, grouped by `by` (`period` with `period` = week, ' +
          'month, quarter or year: the trend), and each question\'s answer counts. For an anonymous survey, groups of fewer than five answers by tier, role ' +
          'or segment are `suppressed`. The interval method is in docs/surveys.md.',
        params: surveyParams,
        querystring: resultsQuery,
        response: {
          200: z
            .object({
              answers: z.number().int().describe('Answers in the range'),
              nps: npsOut,
              csat: csatOut,
              groups: z.array(groupOut),
              questions: z.array(questionSummaryOut).describe('Every question of every version, latest wording first'),
            })
            .meta({ id: 'SurveyResults', description: 'A survey\'s figures over a range: NPS, CSAT, the groups and each question\'s answers.' }),
        },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const s = await requireSurvey(db, program.id, req.params.id);
      return surveyResults(db, program.id, s, req.query, apiLanguage(req), program.defaultLanguage);
    },
  );

  app.get(
    '/v1/surveys/:id/answers.csv',
    {
      config: { scope: 'read', produces: ['text/csv'] },
      schema: {
        operationId: 'exportSurveyAnswers',
        tags,
        summary: 'Export a survey\'s answers as CSV',
        description:
          'One row per answer (`answer_id`, `form_version`, `answered_on`, then `answered_at`, `member_id`, `account_id`, `tier`, `role`, `segment`) and one ' +
          'column per question id; several options are joined with `;`. An anonymous survey\'s file has no member, account, time-of-day, tier, role ' +
          'or segment columns: its breakdowns are the results\', where groups of fewer than five answers are suppressed. ' +
          'Streamed with no row limit: UTF-8 with a byte-order mark, fields separated by commas, or by semicolons for an Accept-Language of sv, nb, pl or de.',
        params: surveyParams,
        querystring: z.object({ from: day.optional().describe('First day, YYYY-MM-DD (inclusive); default: the first answer'), to: day.optional().describe('Last day, YYYY-MM-DD (inclusive); default: today') }).strict(),
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const s = await requireSurvey(db, programId, req.params.id);
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="survey-${s.id}.csv"`);
      return reply.send(await answersCsv(db, programId, s, req.query, apiLanguage(req)));
    },
  );

  app.get(
    '/v1/listening/figures',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getListeningFigures',
        tags,
        summary: 'Get the program\'s NPS and CSAT over all sources',
        description:
          'Counts every survey\'s NPS and CSAT answers and the CSAT scores recorded elsewhere (the service desk, POST /v1/csat-scores) between `from` and ' +
          '`to` (default: the last 12 months), grouped by `by`. Anonymous answers count in the totals.',
        querystring: resultsQuery,
        response: {
          200: z.object({ from: day.describe('First day counted'), to: day.describe('Last day counted'), nps: npsOut, csat: csatOut, groups: z.array(groupOut) }),
        },
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
      config: { scope: 'events:write', errors: ['answer_out_of_range', 'unknown_account'] },
      schema: {
        operationId: 'recordCsatScore',
        tags,
        summary: 'Record a CSAT score measured elsewhere',
        description:
          'A 1–5 satisfaction score from another system (a call centre, a delivery survey), counted in GET /v1/listening/figures. Idempotent by ' +
          '(`source`, `sourceRef`): 201 when recorded, 200 with `created: false` for a replay. A score outside 1–5 is 422 `answer_out_of_range`.',
        body: z
          .object({
            source: z.string().trim().min(1).max(60).describe('The system that measured it, e.g. `call-centre`'),
            sourceRef: z.string().trim().min(1).max(200).describe('Its own id for the measurement: the idempotency key with `source`'),
            score: z.number().describe('The score, an integer 1–5'),
            accountId: z.uuid().optional().describe('The account it is about: its tier and segment are kept with the score for the breakdowns'),
            occurredAt: z.iso.datetime({ offset: true }).optional().describe('When it was measured; default now'),
          })
          .strict(),
        response: { 200: z.object({ created: z.literal(false) }), 201: z.object({ created: z.literal(true) }) },
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
        summary: 'List detractor follow-ups',
        description:
          'Newest first (at most 500): every NPS answer of 0–6 on a survey with `followUp` that is not anonymous, naming the account, the member, the ' +
          'score, the comment and the account\'s key-account manager.',
        querystring: z.object({ status: z.enum(['open', 'closed']).optional().describe('Only `open` or only `closed` follow-ups; default both') }).strict(),
        response: { 200: z.object({ data: z.array(followupOut), nextCursor: z.null().describe('Always null: every follow-up fits one page') }) },
      },
    },
    async (req) => ({ data: (await listFollowups(db, caller(req).programId, req.query.status)).map(presentFollowup), nextCursor: null }),
  );

  app.post(
    '/v1/survey-followups/:id/close',
    {
      config: { scope: 'engagement:write', errors: ['followup_closed'] },
      schema: {
        operationId: 'closeSurveyFollowup',
        tags,
        summary: 'Close a follow-up',
        description: 'Marks the follow-up done, with an optional note on what was done; recorded in the audit log. A closed follow-up answers 409 `followup_closed`.',
        params: followupParams,
        body: z.object({ note: z.string().trim().max(2000).optional().describe('What was done, e.g. the call and its outcome') }).strict(),
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
