import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getMember } from '../accounts/index.js';
import { LojalError } from '../errors/index.js';
import { apiLanguage } from '../http/problem.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { getProgram } from '../programs/programs.js';
import { checklistSchema, completionSchema } from './steps.js';
import { memberOnboarding } from './member.js';
import { getChecklist, replaceChecklist } from './store.js';

const tags = ['onboarding'];
const stepOut = z
  .object({
    code: z.string(),
    names: z.record(z.string(), z.string()).describe('The step in each language, by language code'),
    points: z.number().int().describe('Points a member earns once for the step'),
    completion: completionSchema,
  })
  .meta({ id: 'OnboardingStep', description: 'A step of the onboarding checklist and what completes it.' });
const checklistOut = z
  .object({ steps: z.array(stepOut).describe('In the order members see them') })
  .meta({ id: 'OnboardingChecklist', description: "The program's onboarding checklist." });
const memberOnboardingOut = z
  .object({
    memberId: z.uuid(),
    done: z.number().int().describe('Steps done'),
    total: z.number().int().describe('Steps in the checklist'),
    pointsEarned: z.number().int().describe('Points earned for the steps done'),
    pointsToEarn: z.number().int().describe('Points the steps still open would pay'),
    steps: z.array(
      z.object({
        code: z.string(),
        name: z.string().describe("The step's name in the reader's language (Accept-Language)"),
        points: z.number().int(),
        done: z.boolean(),
        completedAt: z.date().nullable(),
      }),
    ),
  })
  .meta({ id: 'MemberOnboarding', description: "A member's progress through the onboarding checklist." });

export async function onboardingRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.put(
    '/v1/onboarding',
    {
      config: { scope: 'admin', errors: ['invalid_onboarding'] },
      schema: {
        operationId: 'replaceOnboardingChecklist',
        tags,
        summary: 'Replace the onboarding checklist',
        description:
          'Stores the steps with their names, points, and the event or profile that completes them; an empty list turns ' +
          'onboarding off. Steps members have done stay done (and paid) under their code. A step pays its points once ' +
          'per member, when the event arrives or the profile is complete.',
        body: checklistSchema,
        response: { 200: checklistOut },
      },
    },
    async (req) => ({ steps: await replaceChecklist(db, caller(req).programId, req.body.steps) }),
  );

  app.get(
    '/v1/onboarding',
    {
      config: { scope: 'read', errors: ['onboarding_not_configured'] },
      schema: {
        operationId: 'getOnboardingChecklist',
        tags,
        summary: 'Get the onboarding checklist',
        description: 'The steps of the checklist; 404 onboarding_not_configured while the program has none.',
        response: { 200: checklistOut },
      },
    },
    async (req) => {
      const steps = await getChecklist(db, caller(req).programId);
      if (steps.length === 0) throw new LojalError('onboarding_not_configured');
      return { steps };
    },
  );

  app.get(
    '/v1/members/:id/onboarding',
    {
      config: { scope: 'read', errors: ['onboarding_not_configured'] },
      schema: {
        operationId: 'getMemberOnboarding',
        tags,
        summary: "Get a member's onboarding",
        description: "Each step of the checklist, done (and when) or still open, named in the reader's language (Accept-Language).",
        params: z.object({ id: z.uuid() }),
        response: { 200: memberOnboardingOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      await getMember(db, program.id, req.params.id);
      return memberOnboarding(db, program.id, req.params.id, apiLanguage(req));
    },
  );
}
