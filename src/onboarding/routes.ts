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
const checklistOut = z.object({ steps: z.array(z.object({ code: z.string(), names: z.record(z.string(), z.string()), points: z.number().int(), completion: completionSchema })) });
const memberOnboardingOut = z.object({
  memberId: z.uuid(),
  done: z.number().int(),
  total: z.number().int(),
  pointsEarned: z.number().int(),
  pointsToEarn: z.number().int(),
  steps: z.array(
    z.object({ code: z.string(), name: z.string(), points: z.number().int(), done: z.boolean(), completedAt: z.date().nullable() }),
  ),
});

export async function onboardingRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.put(
    '/v1/onboarding',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Replace the onboarding checklist: steps with names, points, and the event or profile that completes them (an empty list turns it off)',
        body: checklistSchema,
        response: { 200: checklistOut },
      },
    },
    async (req) => ({ steps: await replaceChecklist(db, caller(req).programId, req.body.steps) }),
  );

  app.get(
    '/v1/onboarding',
    { config: { scope: 'read' }, schema: { tags, summary: 'The onboarding checklist', response: { 200: checklistOut } } },
    async (req) => {
      const steps = await getChecklist(db, caller(req).programId);
      if (steps.length === 0) throw new LojalError('onboarding_not_configured');
      return { steps };
    },
  );

  app.get(
    '/v1/members/:id/onboarding',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "The member's onboarding: each step done (when) or missing, named in the reader's language",
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
