/**
 * Campaigns over HTTP: plan one (segments, window, effects, budget, control share), list them, and read one with
 * its report — planned vs spent, treated vs held out, uplift with its confidence interval. The portal shows a
 * member the campaigns that reach their company now (never to the held-out group, which must not know).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { actorRef } from '../programs/actor.js';
import { actor, auditContext, caller, type AppContext } from '../http/context.js';
import { me, programOf } from '../portal/context.js';
import { segmentKeysOf } from '../segments/store.js';
import { budgetBalances } from '../ledger/budget.js';
import { campaignReaches } from './apply.js';
import { campaignEffectSchema } from './effects.js';
import { offerSentences } from './offer.js';
import { campaignReport, campaignsInForce, createCampaign, effectiveEnd, extendCampaign, getCampaign, listCampaigns, stopCampaign, type Campaign } from './store.js';

const tags = ['campaigns'];
const effectsOut = z.array(campaignEffectSchema).describe('what the campaign adds to a purchase: multiplier, lineBonus or fixed');
const campaignOut = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    segmentKeys: z.array(z.string()).describe('the segments it reaches (an account or member in any of them); empty: everyone'),
    startsAt: z.date(),
    endsAt: z.date(),
    effects: effectsOut,
    budgetPoints: z.number().int().describe('the points set aside for it; payouts stop when they are spent'),
    controlPercent: z.number().int().describe('share of the reached accounts held out (0–50 %) to measure the uplift'),
    walletId: z.uuid().describe('the budget wallet in the ledger'),
    createdAt: z.date(),
    stoppedAt: z.date().nullable().describe('when it was stopped before its planned end; null: not stopped'),
  })
  .meta({ id: 'Campaign', description: 'A campaign: extra points for purchases by a segment in a window, paid from a budget wallet, with a held-out control group.' });
const stats = z.object({
  n: z.number().int().describe('accounts in the group'),
  mean: z.number().describe('purchase amount per account in the window, minor units'),
  variance: z.number(),
  purchases: z.number().int(),
});
const reportOut = z
  .object({
    status: z.enum(['planned', 'running', 'finished', 'stopped']).describe('stopped: ended early by a manager'),
    budget: z.object({
      planned: z.number().int(),
      spent: z.number().int(),
      available: z.number().int(),
      exhausted: z.boolean().describe('nothing is left: purchases no longer earn the campaign’s extra points'),
    }),
    payouts: z.object({ count: z.number().int().describe('purchases that earned the campaign’s extra points') }),
    groups: z.object({ treatment: stats, control: stats }).describe('the accounts reached and those held out'),
    uplift: z
      .object({
        difference: z.number().describe('treated − held out, minor units per account'),
        relative: z.number().nullable().describe('difference ÷ the held-out mean; null when that is 0'),
        low: z.number().describe('lower end of the 95 % interval'),
        high: z.number().describe('upper end of the 95 % interval'),
        significant: z.boolean().describe('the interval leaves out 0'),
      })
      .nullable()
      .describe('purchase amount per account (minor units), treated − held out, with a 95 % interval; null below 2 accounts per group'),
    window: z.object({ from: z.date(), to: z.date() }).describe('the part of the campaign’s window measured so far'),
  })
  .meta({ id: 'CampaignReport', description: 'How a campaign is doing: budget planned, spent and left, and the uplift against the held-out group.' });
const campaignWithReport = campaignOut.extend({ report: reportOut });

const present = (c: Campaign) => c;

export async function campaignRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/campaigns',
    {
      config: { scope: 'rules:write', errors: ['campaign_budget_negative', 'campaign_dates_reversed', 'campaign_segment_unknown'] },
      schema: {
        operationId: 'createCampaign',
        tags,
        summary: 'Plan a campaign',
        description:
          'Its segments, window, earning effects, budget and held-out control share. The budget is set aside from issuance at once in a ledger wallet ' +
          '(a journal); purchases in the window pay from it until it is empty. A negative budget answers 422 `campaign_budget_negative`, an end before ' +
          'the start `campaign_dates_reversed`, an unknown segment key `campaign_segment_unknown`. Recorded in the audit log.',
        body: z
          .object({
            name: z.string().trim().min(1).max(200),
            description: z.string().trim().max(1000).nullable().optional(),
            segmentKeys: z.array(z.string().trim().min(1).max(40)).max(20).default([]).describe('Keys of the segments it reaches; empty (default): every account'),
            startsAt: z.iso.datetime({ offset: true }).describe('ISO 8601 date-time with offset'),
            endsAt: z.iso.datetime({ offset: true }).describe('ISO 8601 date-time with offset, after `startsAt`'),
            effects: z.array(campaignEffectSchema).min(1).max(10),
            budgetPoints: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(1_000_000_000).describe('Points set aside for the campaign, 0 or more'),
            controlPercent: z.number().int().min(0).max(50).default(10).describe('Share of the reached accounts held out to measure the uplift, 0–50; default 10'),
          })
          .strict(),
        response: { 201: campaignOut },
      },
    },
    async (req, reply) => {
      const programId = caller(req).programId;
      const now = clock();
      const created = await audited(db, auditContext(req), async (trx) => {
        const c = await createCampaign(
          trx,
          programId,
          { ...req.body, startsAt: new Date(req.body.startsAt), endsAt: new Date(req.body.endsAt) },
          actorRef(actor(req)),
          now,
        );
        return { result: c, audit: { action: 'campaign.create', entity: 'campaign', entityId: c.id, after: c } };
      });
      return reply.status(201).send(present(created));
    },
  );

  app.get(
    '/v1/campaigns',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listCampaigns',
        tags,
        summary: 'List the program’s campaigns',
        description: 'Every campaign, latest start first, each with its report (budget planned vs spent, uplift so far); not paged.',
        response: { 200: z.object({ data: z.array(campaignWithReport) }) },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const now = clock();
      const list = await listCampaigns(db, programId);
      return { data: await Promise.all(list.map(async (c) => ({ ...present(c), report: await campaignReport(db, programId, c, now) }))) };
    },
  );

  app.get(
    '/v1/campaigns/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getCampaign',
        tags,
        summary: 'Get a campaign with its report',
        description: 'The campaign with its budget planned, spent and left, and the uplift against the held-out group. Another program’s campaign answers 404.',
        params: z.object({ id: z.uuid().describe('The campaign’s id') }),
        response: { 200: campaignWithReport },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const c = await getCampaign(db, programId, req.params.id);
      return { ...present(c), report: await campaignReport(db, programId, c, clock()) };
    },
  );

  app.post(
    '/v1/campaigns/:id/stop',
    {
      config: { scope: 'rules:write', errors: ['campaign_over'] },
      schema: {
        operationId: 'stopCampaign',
        tags,
        summary: 'Stop a campaign now',
        description:
          'Purchases from now on earn nothing from it; a planned campaign never starts. Its planned end is kept and `stoppedAt` set; what it ' +
          'paid stays paid and its unspent budget stays in its wallet (shown as available in the report). A campaign that has ended or was ' +
          'stopped already answers 409 `campaign_over`. Recorded in the audit log.',
        params: z.object({ id: z.uuid().describe('The campaign’s id') }),
        response: { 200: campaignWithReport },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const now = clock();
      const stopped = await audited(db, auditContext(req), async (trx) => {
        const { before, after } = await stopCampaign(trx, programId, req.params.id, now);
        return { result: after, audit: { action: 'campaign.stop', entity: 'campaign', entityId: after.id, before, after } };
      });
      return { ...present(stopped), report: await campaignReport(db, programId, stopped, now) };
    },
  );

  app.post(
    '/v1/campaigns/:id/extend',
    {
      config: { scope: 'rules:write', errors: ['campaign_end_not_later', 'campaign_over'] },
      schema: {
        operationId: 'extendCampaign',
        tags,
        summary: 'Extend a campaign',
        description:
          'Moves the end of a planned or running campaign later; it keeps paying from the same budget until then (or until the budget is spent). ' +
          'An end not after the current one answers 422 `campaign_end_not_later`; an ended or stopped campaign 409 `campaign_over` (plan a new ' +
          'one). Recorded in the audit log.',
        params: z.object({ id: z.uuid().describe('The campaign’s id') }),
        body: z.object({ endsAt: z.iso.datetime({ offset: true }).describe('The new end, ISO 8601 date-time with offset, after the current end') }).strict(),
        response: { 200: campaignWithReport },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const now = clock();
      const extended = await audited(db, auditContext(req), async (trx) => {
        const { before, after } = await extendCampaign(trx, programId, req.params.id, new Date(req.body.endsAt), now);
        return { result: after, audit: { action: 'campaign.extend', entity: 'campaign', entityId: after.id, before, after } };
      });
      return { ...present(extended), report: await campaignReport(db, programId, extended, now) };
    },
  );

  app.get(
    '/portal/v1/campaigns',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListCampaigns',
        tags: ['portal'],
        summary: 'The campaigns that reach my company now',
        description:
          'What earns extra points now, and until when, for the signed-in member. Campaigns whose budget is used up are left out, and so are campaigns ' +
          'the member’s company is held out of (the control group is never told).',
        response: {
          200: z.object({
            data: z.array(
              z.object({
                id: z.uuid(),
                name: z.string(),
                description: z.string().nullable(),
                startsAt: z.date(),
                endsAt: z.date().describe('the last moment a purchase earns the extra points'),
                effects: effectsOut,
                earn: z.array(z.string()).describe('what the member earns, one sentence per effect, in their language'),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const now = clock();
      const running = await campaignsInForce(db, m.programId, now, now);
      const keys = await segmentKeysOf(db, m.programId, [m.accountId, m.memberId]);
      const segmentKeys = [...(keys.get(m.accountId) ?? []), ...(keys.get(m.memberId) ?? [])];
      const reach = running.filter((c) => campaignReaches(c, { occurredAt: now, accountId: m.accountId, segmentKeys }));
      const budgets = await budgetBalances(db, m.programId, reach.map((c) => c.walletId));
      const open = reach.filter((c) => (budgets.get(c.walletId)?.available ?? 0) > 0);
      return {
        data: open.map((c) => ({
          id: c.id,
          name: c.name,
          description: c.description,
          startsAt: c.startsAt,
          endsAt: effectiveEnd(c),
          effects: c.effects,
          earn: offerSentences(c.effects, m.language, program.currency),
        })),
      };
    },
  );
}
