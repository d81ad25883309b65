/** Quizzes over HTTP: authoring and statistics for the program team; taking them in the portal. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { apiLanguage } from '../http/problem.js';
import { auditContext, caller, type AppContext } from '../http/context.js';
import { me, programOf as portalProgram } from '../portal/context.js';
import { getProgram, type Program } from '../programs/programs.js';
import { publicQuestion, translationGaps } from '../questions/index.js';
import { languageParam, publicQuestionOut } from '../surveys/present.js';
import { closeQuiz, createQuiz, listQuizzes, publishQuiz, quizCreateSchema, quizPatchSchema, quizStats, requireQuiz, standing, startAttempt, submitAttempt, updateQuiz, requireOpenQuiz, type Quiz } from './store.js';
import { answersSchema, localize } from '../questions/index.js';

const tags = ['quizzes'];
const idParams = z.object({ id: z.uuid() });
const loose = z.record(z.string(), z.unknown());
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const quizOut = z.object({
  id: z.string(),
  title: loose,
  intro: loose,
  questions: z.array(loose),
  status: z.string(),
  version: z.number().nullable(),
  draw: z.number().nullable(),
  passPercent: z.number(),
  shuffle: z.boolean(),
  maxAttempts: z.number().nullable(),
  cooldownMinutes: z.number(),
  audience: loose,
  opensAt: z.string().nullable(),
  closesAt: z.string().nullable(),
  points: z.number(),
  ruleId: z.string().nullable(),
  missingTexts: z.record(z.string(), z.number()),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
});

const presentQuiz = (q: Quiz) => ({
  ...q,
  questions: q.questions as unknown as Array<Record<string, unknown>>,
  opensAt: iso(q.opensAt),
  closesAt: iso(q.closesAt),
  missingTexts: translationGaps(q.questions, q.title),
  createdAt: q.createdAt.toISOString(),
  updatedAt: q.updatedAt.toISOString(),
  publishedAt: iso(q.publishedAt),
});

const attemptOut = z.object({ id: z.string(), quizId: z.string(), startedAt: z.string(), questions: z.array(publicQuestionOut) });
const resultOut = z.object({
  attemptId: z.string(),
  score: z.number(),
  total: z.number(),
  passed: z.boolean(),
  passPercent: z.number(),
  firstPass: z.boolean(),
  points: z.number(),
  results: z.array(z.object({ id: z.string(), correct: z.boolean(), correctOptions: z.array(z.string()) })),
});
export const memberQuizOut = z.object({
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
});

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
    { config: { scope: 'read' }, schema: { operationId: 'listQuizzes', tags, summary: 'The program\'s quizzes, newest first', description: 'With the bank of questions and their correct answers (program team only).', response: { 200: z.object({ items: z.array(quizOut) }) } } },
    async (req) => ({ items: (await listQuizzes(db, caller(req).programId)).map(presentQuiz) }),
  );

  app.post(
    '/v1/quizzes',
    {
      config: { scope: 'engagement:write' },
      schema: {
        operationId: 'createQuiz',
        tags,
        summary: 'Create a quiz as a draft',
        description: 'Every question is `single` or `multiple` choice with `correct` option ids. `draw` questions are drawn from the bank per attempt; `passPercent` is the pass mark; `maxAttempts` and `cooldownMinutes` limit retries.',
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
    { config: { scope: 'read' }, schema: { operationId: 'getQuiz', tags, summary: 'One quiz', description: 'The quiz as authored.', params: idParams, response: { 200: quizOut } } },
    async (req) => presentQuiz(await requireQuiz(db, caller(req).programId, req.params.id)),
  );

  app.patch(
    '/v1/quizzes/:id',
    {
      config: { scope: 'engagement:write' },
      schema: { operationId: 'updateQuiz', tags, summary: 'Edit a quiz', description: 'On a published quiz, new questions become the next version; attempts keep the version they were drawn from.', params: idParams, body: quizPatchSchema, response: { 200: quizOut } },
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

  for (const [verb, fn, summary] of [
    ['publish', publishQuiz, 'Publish a quiz (its bank becomes the next version; with points, a rule pays them on the first pass)'],
    ['close', closeQuiz, 'Close a quiz: no new attempts'],
  ] as const) {
    app.post(
      `/v1/quizzes/:id/${verb}`,
      {
        config: { scope: 'engagement:write' },
        schema: { operationId: `${verb}Quiz`, tags, summary, description: 'Recorded in the audit log.', params: idParams, response: { 200: quizOut } },
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
      schema: { operationId: 'previewQuiz', tags, summary: 'The quiz\'s questions as a member reading the language sees them', description: 'Without correct answers; fallback texts are marked.', params: idParams, querystring: z.object({ language: languageParam }).strict(), response: { 200: z.object({ title: z.string(), questions: z.array(publicQuestionOut) }) } },
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
      schema: { operationId: 'getQuizStats', tags, summary: 'Attempts, passes and per-question statistics', description: 'Per question: how often it was drawn, answered right, and each option picked.', params: idParams, response: { 200: loose } },
    },
    async (req) => {
      const program = await programOf(req);
      return quizStats(db, program, await requireQuiz(db, program.id, req.params.id), apiLanguage(req)) as never;
    },
  );

  // ---------------------------------------------------------------- portal

  app.get(
    '/portal/v1/quizzes/:id',
    {
      config: { member: true },
      schema: { operationId: 'getMyQuiz', tags: ['portal'], summary: 'A quiz as I see it: the pass mark, my attempts and when I may try again', description: 'Never the questions\' correct answers.', params: idParams, response: { 200: memberQuizOut } },
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
      config: { member: true },
      schema: {
        operationId: 'startQuizAttempt',
        tags: ['portal'],
        summary: 'Start an attempt (or resume my open one)',
        description: '201 with the drawn questions in their order, without the correct answers; 200 with the open attempt. Over the limit: 409 `quiz_attempts_exhausted`; in the cool-down: 429 `quiz_cooldown` with `retryAt`.',
        params: idParams,
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
      config: { member: true },
      schema: {
        operationId: 'submitQuizAttempt',
        tags: ['portal'],
        summary: 'Hand in my attempt: checked on the server',
        description: 'The answer says the score, whether it passed, the points (first pass only) and, now, the correct options.',
        params: idParams,
        body: z.object({ answers: answersSchema }).strict(),
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
