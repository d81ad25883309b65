/** Quizzes over HTTP: authoring and statistics for the program team; taking them in the portal. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { apiLanguage } from '../http/problem.js';
import { auditContext, caller, type AppContext } from '../http/context.js';
import { me, programOf as portalProgram } from '../portal/context.js';
import { getProgram, type Program } from '../programs/programs.js';
import { localizedTextOut, publicQuestion, questionSchema, translationGaps } from '../questions/index.js';
import { audienceSchema } from '../surveys/audience.js';
import { languageParam, missingTextsOut, publicQuestionOut } from '../surveys/present.js';
import { closeQuiz, createQuiz, listQuizzes, publishQuiz, quizCreateSchema, quizPatchSchema, quizStats, requireQuiz, standing, startAttempt, submitAttempt, updateQuiz, requireOpenQuiz, type Quiz } from './store.js';
import { answersSchema, localize } from '../questions/index.js';

const tags = ['quizzes'];
const quizParams = z.object({ id: z.uuid().describe('The quiz\'s id (a UUID)') });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const quizOut = z
  .object({
    id: z.uuid(),
    title: localizedTextOut,
    intro: localizedTextOut,
    questions: z.array(questionSchema).describe('The bank of `single` and `multiple` choice questions, with their `correct` option ids'),
    status: z.enum(['draft', 'published', 'closed']).describe('`draft` (not shown to members), `published` (open to attempts in its window) or `closed`'),
    version: z.number().int().nullable().describe('The published version of the bank; null while a draft'),
    draw: z.number().int().nullable().describe('Questions drawn from the bank per attempt; null: all'),
    passPercent: z.number().int().describe('The pass mark, percent of the drawn questions answered right'),
    shuffle: z.boolean().describe('Questions and options are drawn in random order per attempt'),
    maxAttempts: z.number().int().nullable().describe('Attempts a member may make; null: no limit'),
    cooldownMinutes: z.number().int().describe('Minutes a member waits between attempts'),
    audience: audienceSchema,
    opensAt: z.iso.datetime().nullable(),
    closesAt: z.iso.datetime().nullable(),
    points: z.number().int().describe('Points paid on a member\'s first pass (0: none)'),
    ruleId: z.uuid().nullable().describe('The earning rule that pays the points, once published with points'),
    missingTexts: missingTextsOut,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    publishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Quiz', description: 'A quiz as the program team authors it: the bank of questions with their correct answers, the pass mark, limits on attempts and the points for passing.' });

const presentQuiz = (q: Quiz) => ({
  ...q,
  opensAt: iso(q.opensAt),
  closesAt: iso(q.closesAt),
  missingTexts: translationGaps(q.questions, q.title),
  createdAt: q.createdAt.toISOString(),
  updatedAt: q.updatedAt.toISOString(),
  publishedAt: iso(q.publishedAt),
});

const attemptOut = z
  .object({
    id: z.uuid().describe('The attempt\'s id, to hand it in'),
    quizId: z.uuid(),
    startedAt: z.iso.datetime(),
    questions: z.array(publicQuestionOut).describe('The drawn questions in their order, options in their drawn order, without the correct answers'),
  })
  .meta({ id: 'QuizAttempt', description: 'A member\'s attempt at a quiz as it was drawn for them.' });
const resultOut = z
  .object({
    attemptId: z.uuid(),
    score: z.number().int().describe('Questions answered right'),
    total: z.number().int().describe('Questions drawn'),
    passed: z.boolean(),
    passPercent: z.number().int(),
    firstPass: z.boolean().describe('This is the member\'s first pass: the one that pays'),
    points: z.number().int().describe('Points paid for it (first pass only)'),
    results: z.array(z.object({ id: z.string(), correct: z.boolean(), correctOptions: z.array(z.string()) })).describe('Each drawn question: right or not, and its correct option ids'),
  })
  .meta({ id: 'QuizAttemptResult', description: 'A handed-in attempt checked on the server: the score, whether it passed, the points and the correct answers.' });
const statsOut = z
  .object({
    attempts: z.number().int().describe('Attempts handed in'),
    members: z.number().int().describe('Members who handed in at least one'),
    passed: z.number().int().describe('Members who passed'),
    passRate: z.number().nullable().describe('Members who passed, percent of those who tried, one decimal; null before any attempt'),
    questions: z.array(
      z.object({
        id: z.string(),
        text: z.string().describe('In the reader\'s language (Accept-Language)'),
        shown: z.number().int().describe('Attempts it was drawn in'),
        correct: z.number().int().describe('Of those, answered right'),
        correctShare: z.number().nullable().describe('Percent answered right, one decimal; null when never drawn'),
        options: z.array(z.object({ id: z.string(), text: z.string(), picked: z.number().int(), correct: z.boolean() })),
      }),
    ),
  })
  .meta({ id: 'QuizStats', description: 'How a quiz went: attempts, passes, and per question how often it was drawn, answered right and each option picked.' });
export const memberQuizOut = z
  .object({
  id: z.string(),
  kind: z.literal('quiz'),
  title: z.string(),
  intro: z.string(),
  points: z.number(),
  questions: z.number(),
  passPercent: z.number(),
  closesAt: z.string().nullable(),
  attempts: z.number(),
  attemptsLeft: z.number().nullable(),
  passed: z.boolean(),
  retryAt: z.string().nullable(),
  openAttemptId: z.string().nullable(),
  })
  .meta({ id: 'MemberQuiz', description: 'A quiz as a member sees it: texts in their language, the pass mark, their attempts, whether they passed and when they may try again.' });

export async function memberQuiz(db: Parameters<typeof standing>[0], program: Program, q: Quiz, memberId: string, lang: Parameters<typeof localize>[1], now: Date) {
  const s = await standing(db, program.id, q, memberId, now);
  return {
    id: q.id,
    kind: 'quiz' as const,
    title: localize(q.title, lang, program.defaultLanguage).text,
    intro: localize(q.intro, lang, program.defaultLanguage).text,
    points: q.points,
    questions: Math.min(q.draw ?? q.questions.length, q.questions.length),
    passPercent: q.passPercent,
    closesAt: iso(q.closesAt),
    attempts: s.attempts,
    attemptsLeft: s.attemptsLeft,
    passed: s.passed,
    retryAt: iso(s.retryAt),
    openAttemptId: s.openAttemptId,
  };
}

export async function quizRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;

  app.get(
    '/v1/quizzes',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listQuizzes',
        tags,
        summary: 'List quizzes',
        description: 'The program\'s quizzes, newest first (at most 500, no paging), with the bank of questions and their correct answers: for the program team only, never for members.',
        response: { 200: z.object({ data: z.array(quizOut), nextCursor: z.null().describe('Always null: every quiz fits one page') }) },
      },
    },
    async (req) => ({ data: (await listQuizzes(db, caller(req).programId)).map(presentQuiz), nextCursor: null }),
  );

  app.post(
    '/v1/quizzes',
    {
      config: { scope: 'engagement:write', errors: ['quiz_needs_correct_answers'] },
      schema: {
        operationId: 'createQuiz',
        tags,
        summary: 'Create a quiz as a draft',
        description:
          'Every question is `single` or `multiple` choice with `correct` option ids (422 `quiz_needs_correct_answers` otherwise). `draw` questions are drawn ' +
          'from the bank per attempt; `passPercent` is the pass mark (default 80); `maxAttempts` and `cooldownMinutes` limit retries. Recorded in the audit log.',
        body: quizCreateSchema,
        response: { 201: quizOut },
      },
    },
    async (req, reply) => {
      const q = await audited(db, auditContext(req), async (trx) => {
        const created = await createQuiz(trx, caller(req).programId, req.body, clock());
        return { result: created, audit: { action: 'quiz.create', entity: 'quiz', entityId: created.id, after: created } };
      });
      reply.status(201);
      return presentQuiz(q);
    },
  );

  app.get(
    '/v1/quizzes/:id',
    {
      config: { scope: 'read' },
      schema: { operationId: 'getQuiz', tags, summary: 'Get a quiz', description: 'The quiz as authored, with its bank of questions and their correct answers.', params: quizParams, response: { 200: quizOut } },
    },
    async (req) => presentQuiz(await requireQuiz(db, caller(req).programId, req.params.id)),
  );

  app.patch(
    '/v1/quizzes/:id',
    {
      config: { scope: 'engagement:write', errors: ['quiz_closed', 'quiz_needs_correct_answers', 'question_kind_fixed', 'form_missing_default_language'] },
      schema: {
        operationId: 'updateQuiz',
        tags,
        summary: 'Edit a quiz',
        description:
          'Changes only the fields given. On a published quiz, new questions become the next version at once; attempts keep the version they were drawn ' +
          'from. A question id keeps the kind it was published with (409 `question_kind_fixed`). A closed quiz cannot be edited (409 `quiz_closed`). ' +
          'Recorded in the audit log.',
        params: quizParams,
        body: quizPatchSchema,
        response: { 200: quizOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return presentQuiz(
        await audited(db, auditContext(req), async (trx) => {
          const { before, after } = await updateQuiz(trx, program, req.params.id, req.body, clock());
          return { result: after, audit: { action: 'quiz.update', entity: 'quiz', entityId: after.id, before, after } };
        }),
      );
    },
  );

  for (const [verb, fn, summary, description, errors] of [
    [
      'publish',
      publishQuiz,
      'Publish a quiz',
      'Its bank becomes the next version and members in its audience can attempt it while it is open. Every text must exist in the program\'s default ' +
        'language (422 `form_missing_default_language`). With `points`, an earning rule paying them on the first pass (`quiz.passed` event) is created or ' +
        'kept in step. Recorded in the audit log.',
      ['quiz_closed', 'quiz_needs_correct_answers', 'form_missing_default_language'],
    ],
    ['close', closeQuiz, 'Close a quiz', 'No new attempts or hand-ins; its points rule is switched off and its statistics stay. Recorded in the audit log.', []],
  ] as const) {
    app.post(
      `/v1/quizzes/:id/${verb}`,
      {
        config: { scope: 'engagement:write', errors },
        schema: { operationId: `${verb}Quiz`, tags, summary, description, params: quizParams, response: { 200: quizOut } },
      },
      async (req) => {
        const program = await programOf(req);
        return presentQuiz(
          await audited(db, auditContext(req), async (trx) => {
            const { before, after } = await fn(trx, program, req.params.id, clock());
            return { result: after, audit: { action: `quiz.${verb}`, entity: 'quiz', entityId: after.id, before: { status: before.status, version: before.version }, after: { status: after.status, version: after.version } } };
          }),
        );
      },
    );
  }

  app.get(
    '/v1/quizzes/:id/preview',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'previewQuiz',
        tags,
        summary: 'Preview a quiz in one language',
        description: 'Every question of the bank as a member reading `language` sees it, without the correct answers; texts that fall back to the default language are marked `fallback: true`. Nothing is recorded.',
        params: quizParams,
        querystring: z.object({ language: languageParam.describe('The language to preview: en, sv, nb, pl or de') }).strict(),
        response: { 200: z.object({ title: z.string(), questions: z.array(publicQuestionOut) }) },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const q = await requireQuiz(db, program.id, req.params.id);
      return { title: localize(q.title, req.query.language, program.defaultLanguage).text, questions: q.questions.map((x) => publicQuestion(x, req.query.language, program.defaultLanguage)) };
    },
  );

  app.get(
    '/v1/quizzes/:id/stats',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getQuizStats',
        tags,
        summary: 'Get a quiz\'s statistics',
        description: 'Attempts handed in, members who tried and passed, and per question how often it was drawn, answered right, and each option picked: which questions are too hard.',
        params: quizParams,
        response: { 200: statsOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return quizStats(db, program, await requireQuiz(db, program.id, req.params.id), apiLanguage(req));
    },
  );

  // ---------------------------------------------------------------- portal

  app.get(
    '/portal/v1/quizzes/:id',
    {
      config: { member: true, errors: ['quiz_not_for_member', 'quiz_closed', 'quiz_not_open'] },
      schema: {
        operationId: 'portalGetQuiz',
        tags: ['portal'],
        summary: 'Get a quiz as the member sees it',
        description: 'The quiz in the member\'s language with the pass mark, their attempts, whether they passed and when they may try again; never the correct answers. A draft is 404.',
        params: quizParams,
        response: { 200: memberQuizOut },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await portalProgram(db, req);
      const { quiz } = await requireOpenQuiz(db, program, req.params.id, m.memberId, clock());
      return memberQuiz(db, program, quiz, m.memberId, m.language, clock());
    },
  );

  app.post(
    '/portal/v1/quizzes/:id/attempts',
    {
      config: { member: true, errors: ['quiz_not_for_member', 'quiz_closed', 'quiz_not_open', 'quiz_attempts_exhausted', 'quiz_cooldown'] },
      schema: {
        operationId: 'portalStartQuizAttempt',
        tags: ['portal'],
        summary: 'Start a quiz attempt, or resume the open one',
        description:
          '201 with the drawn questions in their order, without the correct answers; 200 with the member\'s open attempt, so a dropped connection resumes ' +
          'where it was. Over the limit: 409 `quiz_attempts_exhausted`; in the cool-down: 429 `quiz_cooldown` with `retryAt`.',
        params: quizParams,
        body: z.object({}).strict().optional(),
        response: { 200: attemptOut, 201: attemptOut },
      },
    },
    async (req, reply) => {
      const m = me(req);
      const program = await portalProgram(db, req);
      const { attempt, created } = await startAttempt(db, program, req.params.id, m.memberId, m.language, clock());
      reply.status(created ? 201 : 200);
      return { ...attempt, startedAt: attempt.startedAt.toISOString() };
    },
  );

  app.post(
    '/portal/v1/quiz-attempts/:id/submit',
    {
      config: {
        member: true,
        errors: ['quiz_attempt_submitted', 'quiz_not_for_member', 'quiz_closed', 'quiz_not_open', 'unknown_question', 'answer_required', 'answer_out_of_range', 'answer_wrong_type', 'unknown_option', 'answer_too_long', 'account_not_active'],
      },
      schema: {
        operationId: 'portalSubmitQuizAttempt',
        tags: ['portal'],
        summary: 'Hand in a quiz attempt',
        description:
          'Checked on the server. The answer says the score, whether it passed, the points and, now, the correct options. The first pass posts a ' +
          '`quiz.passed` event that pays the quiz\'s points through the earning rules; an attempt is handed in once (409 `quiz_attempt_submitted`).',
        params: z.object({ id: z.uuid().describe('The attempt\'s id, from starting it') }),
        body: z.object({ answers: answersSchema.describe('Answers by question id: an option id (`single`), option ids (`multiple`)') }).strict(),
        response: { 200: resultOut },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await portalProgram(db, req);
      return submitAttempt(db, program, req.params.id, m.memberId, req.body.answers, clock());
    },
  );
}
