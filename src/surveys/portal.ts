/** The portal's "Do and learn": open surveys and quizzes for the signed-in member, and answering a survey. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { me, programOf } from '../portal/context.js';
import { answersSchema, formVersion } from '../questions/index.js';
import { listQuizzes } from '../quizzes/store.js';
import { memberQuiz, memberQuizOut } from '../quizzes/routes.js';
import { inAudience, openState } from './audience.js';
import { memberSurvey, memberSurveyOut } from './present.js';
import { whoIs } from './respondent.js';
import { deleteDraft, findDraft, saveDraft } from './drafts.js';
import { hasAnswered, listSurveys, requireTakeable, submitAnswer } from './store.js';
import { sendNoContent } from '../http/no-content.js';
import { localize } from '../questions/index.js';

const tags = ['portal'];
const idParams = z.object({ id: z.uuid().describe('the survey id') });

const surveyCard = z.object({
  id: z.string(),
  kind: z.literal('survey'),
  title: z.string().describe("in the member's language, else the program's"),
  points: z.number().describe('what answering pays'),
  questions: z.number().describe('how many questions'),
  anonymous: z.boolean().describe('the stored answer carries no link to the member'),
  closesAt: z.string().nullable().describe('ISO 8601 instant; null: open until closed by hand'),
  answered: z.boolean().describe('already answered by the member (or their company, for a survey answered once per company)'),
});

export async function portalSurveyRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/portal/v1/learn',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListLearning',
        tags,
        summary: 'What I can do and learn now',
        description: 'Open surveys and quizzes for me, with the points each gives. Only those whose audience includes me and that are open now; answered surveys and passed quizzes are marked, not hidden. Changes nothing.',
        response: { 200: z.object({ surveys: z.array(surveyCard), quizzes: z.array(memberQuizOut) }) },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const now = clock();
      const who = await whoIs(db, program.id, m.memberId);
      const surveys = [];
      for (const s of await listSurveys(db, program.id, 'published')) {
        if (openState(s, now) !== 'open' || !inAudience(s.audience, who.respondent)) continue;
        surveys.push({
          id: s.id,
          kind: 'survey' as const,
          title: localize(s.title, m.language, program.defaultLanguage).text,
          points: s.points,
          questions: s.questions.length,
          anonymous: s.anonymous,
          closesAt: s.closesAt?.toISOString() ?? null,
          answered: await hasAnswered(db, program.id, s, { memberId: m.memberId, accountId: who.account.id }),
        });
      }
      const quizzes = [];
      for (const q of await listQuizzes(db, program.id)) {
        if (q.status !== 'published' || openState(q, now) !== 'open' || !inAudience(q.audience, who.respondent)) continue;
        quizzes.push(await memberQuiz(db, program, q, m.memberId, m.language, now));
      }
      return { surveys, quizzes };
    },
  );

  app.get(
    '/portal/v1/surveys/:id',
    {
      schema: {
        operationId: 'portalGetSurvey',
        tags,
        summary: 'A survey to answer, in my language',
        description: 'The published version\'s questions; `version` goes back with the answers. 403 `survey_not_for_member`, 409 `survey_closed` / `survey_not_open`.',
        params: idParams,
        response: { 200: memberSurveyOut },
      },
      config: { member: true, errors: ['survey_not_for_member', 'survey_closed', 'survey_not_open'] },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const { survey, who } = await requireTakeable(db, program, req.params.id, m.memberId, clock());
      const questions = await formVersion(db, program.id, survey.id, survey.version!);
      const answered = await hasAnswered(db, program.id, survey, { memberId: m.memberId, accountId: who.account.id });
      return memberSurvey(survey, questions, m.language, program.defaultLanguage, answered);
    },
  );

  app.post(
    '/portal/v1/surveys/:id/answers',
    {
      schema: {
        operationId: 'portalAnswerSurvey',
        tags,
        summary: 'Send my answers',
        description:
          '`answers` maps question ids to a score, an option id, option ids or text. One answer per member (or per company): a second answer, even ' +
          'sent at the same moment, is 409 `survey_already_answered` and pays nothing. Bad answers: 422 `answer_out_of_range`, `unknown_option`, ' +
          '`answer_required`, `unknown_question`. On an anonymous survey the stored answer carries no link to me.',
        params: idParams,
        body: z
          .object({
            answers: answersSchema.describe('question id → a score, an option id, option ids or text'),
            version: z.number().int().optional().describe('the `version` of the survey as read (GET /portal/v1/surveys/{id})'),
          })
          .strict(),
        response: { 201: z.object({ points: z.number().describe('what the answer paid (0 when the survey pays nothing)') }) },
      },
      config: {
        member: true,
        errors: [
          'survey_not_for_member',
          'survey_closed',
          'survey_not_open',
          'survey_already_answered',
          'unknown_question',
          'answer_required',
          'answer_out_of_range',
          'answer_wrong_type',
          'unknown_option',
          'answer_too_long',
        ],
      },
    },
    async (req, reply) => {
      const m = me(req);
      const program = await programOf(db, req);
      const r = await submitAnswer(db, program, req.params.id, m.memberId, req.body.answers, clock());
      reply.status(201);
      return r;
    },
  );

  const draftOut = z
    .object({
      version: z.number().int().describe('the form version the draft answers'),
      answers: answersSchema.describe('question id → the answer given so far'),
      step: z.number().int().describe('the question the member was on, from 0'),
      updatedAt: z.date().describe('when it was last saved'),
    })
    .meta({ id: 'SurveyDraft', description: 'A survey answered part way, kept on the server until it is sent.' });
  const draftErrors = ['survey_not_for_member', 'survey_closed', 'survey_not_open'] as const;

  app.get(
    '/portal/v1/surveys/:id/draft',
    {
      schema: {
        operationId: 'portalGetSurveyDraft',
        tags,
        summary: 'My answers so far',
        description:
          'The answers I have given to the survey\'s current version without sending them, and the question I was on, so any device resumes there. ' +
          '`draft` is null when there is none (or it answered an older version). Changes nothing.',
        params: idParams,
        response: { 200: z.object({ draft: draftOut.nullable() }) },
      },
      config: { member: true, errors: [...draftErrors] },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      return { draft: await findDraft(db, program, req.params.id, m.memberId, clock()) };
    },
  );

  app.put(
    '/portal/v1/surveys/:id/draft',
    {
      schema: {
        operationId: 'portalSaveSurveyDraft',
        tags,
        summary: 'Save my answers so far',
        description:
          'Replaces my draft of the survey: each answer given is checked like a sent one (required questions may still be empty). Saving the same ' +
          'draft again changes nothing else, so a phone may retry freely. The draft is deleted when the answers are sent; on an anonymous survey ' +
          'before the answer is stored, so it never links the answer to me. 409 `survey_already_answered` after sending, `survey_draft_outdated` ' +
          'when the survey has a newer version than `version`.',
        params: idParams,
        body: z
          .object({
            version: z.number().int().min(1).describe('the `version` of the survey as read (GET /portal/v1/surveys/{id})'),
            answers: answersSchema.describe('question id → a score, an option id, option ids or text'),
            step: z.number().int().min(0).max(100).default(0).describe('the question the member is on, from 0'),
          })
          .strict(),
        response: { 200: draftOut },
      },
      config: {
        member: true,
        errors: [...draftErrors, 'survey_already_answered', 'survey_draft_outdated', 'unknown_question', 'answer_out_of_range', 'answer_wrong_type', 'unknown_option', 'answer_too_long'],
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      return saveDraft(db, program, req.params.id, m.memberId, req.body, clock());
    },
  );

  app.delete(
    '/portal/v1/surveys/:id/draft',
    {
      schema: {
        operationId: 'portalDeleteSurveyDraft',
        tags,
        summary: 'Start the survey over',
        description: 'Deletes my unsent answers to the survey. Deleting when there is no draft changes nothing. Answers already sent are not touched.',
        params: idParams,
        response: { 204: z.null().describe('deleted (or there was nothing to delete)') },
      },
      config: { member: true, errors: [...draftErrors] },
    },
    async (req, reply) => {
      const m = me(req);
      const program = await programOf(db, req);
      const { survey } = await requireTakeable(db, program, req.params.id, m.memberId, clock());
      await deleteDraft(db, program.id, survey.id, m.memberId);
      return sendNoContent(reply);
    },
  );
}
