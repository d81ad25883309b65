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
import { me } from '../portal/context.js';
import { segmentKeysOf } from '../segments/store.js';
import { budgetBalances } from '../ledger/budget.js';
import { campaignReaches } from './apply.js';
import { campaignEffectSchema } from './effects.js';
import { campaignReport, campaignsInForce, createCampaign, getCampaign, listCampaigns, type Campaign } from './store.js';

const tags = ['campaigns'];
const effectsOut = z.array(z.any()).describe('multiplier {factor}, lineBonus {category|brand, points, per}, fixed {points}');
const campaignOut = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  segmentKeys: z.array(z.string()),
  startsAt: z.date(),
  endsAt: z.date(),
  effects: effectsOut,
  budgetPoints: z.number().int(),
  controlPercent: z.number().int(),
  walletId: z.uuid().describe('the budget wallet in the ledger'),
  createdAt: z.date(),
});
const stats = z.object({ n: z.number().int(), mean: z.number(), variance: z.number(), purchases: z.number().int() });
const reportOut = z.object({
  status: z.enum(['planned', 'running', 'finished']),
  budget: z.object({ planned: z.number().int(), spent: z.number().int(), available: z.number().int(), exhausted: z.boolean() }),
  payouts: z.object({ count: z.number().int() }),
  groups: z.object({ treatment: stats, control: stats }),
  uplift: z
    .object({ difference: z.number(), relative: z.number().nullable(), low: z.number(), high: z.number(), significant: z.boolean() })
    .nullable()
    .describe('purchase amount per account (minor units), treated − held out, with a 95 % interval; null below 2 accounts per group'),
  window: z.object({ from: z.date(), to: z.date() }),
});

const present = (c: Campaign) => c;

export async function campaignRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/campaigns',
    {
      config: { scope: 'rules:write' },
      schema: {
        operationId: 'createCampaign',
        tags,
        summary: 'Plan a campaign: its segments, window, earning effects, budget (a ledger wallet) and held-out control share',
        description:
          'A negative budget answers 422 `campaign_budget_negative`, an end before the start `campaign_dates_reversed`, an unknown ' +
          'segment key `campaign_segment_unknown`. The budget is set aside from issuance at once; purchases in the window pay from it until it is empty.',
        body: z
          .object({
            name: z.string().trim().min(1).max(200),
            description: z.string().trim().max(1000).nullable().optional(),
            segmentKeys: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
            startsAt: z.iso.datetime({ offset: true }),
            endsAt: z.iso.datetime({ offset: true }),
            effects: z.array(campaignEffectSchema).min(1).max(10),
            budgetPoints: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(1_000_000_000),
            controlPercent: z.number().int().min(0).max(50).default(10),
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
        summary: 'The program’s campaigns, latest start first, each with planned vs spent',
        description: 'The uplift of one campaign is in GET /v1/campaigns/{id}.',
        response: { 200: z.object({ data: z.array(campaignOut.extend({ report: reportOut })) }) },
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
        summary: 'A campaign with its report: budget planned, spent and left, and the uplift against the held-out group',
        description: 'Another program’s campaign answers 404.',
        params: z.object({ id: z.uuid() }),
        response: { 200: campaignOut.extend({ report: reportOut }) },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const c = await getCampaign(db, programId, req.params.id);
      return { ...present(c), report: await campaignReport(db, programId, c, clock()) };
    },
  );

  app.get(
    '/portal/v1/campaigns',
    {
      config: { member: true },
      schema: {
        operationId: 'listMyCampaignOffers',
        tags: ['portal'],
        summary: 'The campaigns that reach my company now: what earns extra, and until when',
        description: 'Campaigns whose budget is used up are left out.',
        response: {
          200: z.object({
            data: z.array(z.object({ id: z.uuid(), name: z.string(), description: z.string().nullable(), endsAt: z.date(), effects: effectsOut })),
          }),
        },
      },
    },
    async (req) => {
      const m = me(req);
      const now = clock();
      const running = await campaignsInForce(db, m.programId, now, now);
      const keys = await segmentKeysOf(db, m.programId, [m.accountId, m.memberId]);
      const segmentKeys = [...(keys.get(m.accountId) ?? []), ...(keys.get(m.memberId) ?? [])];
      const reach = running.filter((c) => campaignReaches(c, { occurredAt: now, accountId: m.accountId, segmentKeys }));
      const budgets = await budgetBalances(db, m.programId, reach.map((c) => c.walletId));
      const open = reach.filter((c) => (budgets.get(c.walletId)?.available ?? 0) > 0);
      return { data: open.map((c) => ({ id: c.id, name: c.name, description: c.description, endsAt: c.endsAt, effects: c.effects })) };
    },
  );
}
