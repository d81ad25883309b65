/** The member's points: balance with pending and expiring points, tier progress, and the history in words. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isManagerOf } from '../accounts/managers.js';
import { campaignPayoutText } from '../campaigns/offer.js';
import { surpriseInHistory } from '../surprises/history.js';
import { translator } from '../i18n/index.js';
import type { Explanation } from '../rules/types.js';
import type { AppContext } from '../http/context.js';
import { getBalance } from '../ledger/queries.js';
import { getHistory } from '../ledger/queries.js';
import { tierOfOwner } from '../tiers/current.js';
import { ownerKindsOf } from '../tiers/job.js';
import { getTierConfig } from '../tiers/store.js';
import { me, programOf, settingsOf } from './context.js';

const tags = ['portal'];
const onDate = z.array(z.object({ points: z.number().int(), on: z.string().describe('YYYY-MM-DD in the program time zone') }));

const balanceOut = z.object({
  available: z.number().int().describe('spendable now'),
  pending: z.number().int().describe('earned, not yet spendable'),
  pendingReleases: onDate.describe('when pending points become spendable'),
  expiring: onDate.describe('points that expire within 90 days, per day'),
  lifetimeEarned: z.number().int(),
  lifetimeSpent: z.number().int(),
  company: z.object({ available: z.number().int(), pending: z.number().int() }).optional().describe("managers only: the company's points"),
});

const tierOut = z.object({
  current: z.object({ code: z.string(), name: z.string(), benefits: z.array(z.string()) }).nullable().describe('null: no level reached yet, or no tiers'),
  next: z.object({ code: z.string(), name: z.string(), missing: z.number().describe('points (or minor units of money) still to earn in the window') }).nullable(),
  progress: z.number().min(0).max(1).describe('0..1 of the way from the current level to the next'),
  basis: z.enum(['points', 'amount']).nullable(),
  qualifying: z.number().describe('what counts in the current window'),
  periodEnd: z.date().nullable(),
  owner: z.enum(['member', 'account']).nullable().describe("whose level it is: the member's own or the company's"),
});

const historyOut = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      at: z.date(),
      points: z.number().int(),
      pending: z.number().int().describe('of which not yet spendable'),
      kind: z.string().describe('the journal kind: earn, reverse, release, expire, adjust, transfer, spend, redeem or refund'),
      text: z.string().describe("what happened, in the member's language"),
      details: z.array(z.object({ points: z.number().int(), text: z.string() })),
      campaign: z.string().nullable().describe('the campaign that paid these extra points; null for anything else'),
      surprise: z
        .object({
          kind: z.enum(['birthday', 'anniversary', 'orders', 'lifetime_points', 'tier', 'seasonal']),
          label: z.string().describe("'Surprise' in the member's language"),
          why: z.string().describe("a friendly line on why the surprise came, in the member's language"),
        })
        .nullable()
        .describe('set when the entry is a surprise the program gave (a birthday, an anniversary, a milestone, a season); null otherwise'),
    }),
  ),
  nextCursor: z.uuid().nullable().describe('pass as `cursor` for the next page; null on the last'),
});

export async function portalPointRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/portal/v1/balance',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetBalance',
        tags,
        summary: 'My points balance',
        description: 'Available, pending, expiring soon and lifetime points. The member\'s own wallet, with pending points by the day they become spendable and points expiring within 90 days by day (program time zone). A manager also gets `company`, the company wallet they may order from and give points out of.',
        response: { 200: balanceOut },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const opts = { now: clock(), timeZone: program.timeZone, expiringWithinDays: 90 };
      const b = await getBalance(db, program.id, m.memberId, opts);
      const company = (await isManagerOf(db, program.id, m.memberId, m.accountId)) ? await getBalance(db, program.id, m.accountId, opts) : undefined;
      return {
        available: b.available,
        pending: b.pending,
        pendingReleases: b.pendingReleases.map((r) => ({ points: r.points, on: r.date })),
        expiring: b.expiring.map((r) => ({ points: r.points, on: r.date })),
        lifetimeEarned: b.lifetimeEarned,
        lifetimeSpent: b.lifetimeSpent,
        ...(company && { company: { available: company.available, pending: company.pending } }),
      };
    },
  );

  app.get(
    '/portal/v1/tier',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetTier',
        tags,
        summary: 'My level and how far it is to the next',
        description: 'The member\'s own level where the program ranks members, else their company\'s (`owner` says which). All null and 0 when the program has no tiers.',
        response: { 200: tierOut },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const config = await (settingsOf(req)?.tiers(db) ?? getTierConfig(db, program.id));
      const kinds = config ? ownerKindsOf(config.settings.scope) : [];
      // A member's own level where the program ranks members, else their company's.
      const kind = kinds.includes('member') ? ('member' as const) : kinds.includes('account') ? ('account' as const) : null;
      if (!config || !kind) return { current: null, next: null, progress: 0, basis: null, qualifying: 0, periodEnd: null, owner: null };
      const t = await tierOfOwner(db, program, config, kind, kind === 'member' ? m.memberId : m.accountId, m.language, clock());
      const nextLevel = config.levels.find((l) => l.code === t.progress.nextLevel?.code);
      const from = t.level?.threshold ?? 0;
      const progress = !nextLevel ? (t.level ? 1 : 0) : Math.min(1, Math.max(0, (t.qualifying.total - from) / Math.max(1, nextLevel.threshold - from)));
      return {
        current: t.level ? { code: t.level.code, name: t.level.name, benefits: t.level.benefits } : null,
        next: t.progress.nextLevel ? { ...t.progress.nextLevel, missing: t.progress.missing } : null,
        progress,
        basis: t.qualifying.basis,
        qualifying: t.qualifying.total,
        periodEnd: t.periodEnd,
        owner: kind,
      };
    },
  );

  app.get(
    '/portal/v1/history',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListHistory',
        tags,
        summary: 'My points history',
        description: 'Newest first. Every journal of the member\'s wallet (earned, redeemed, given, expired, adjusted) with a sentence in their language and the rules behind it. Paginated: pass `nextCursor` as `cursor` for the next page.',
        querystring: z
          .object({
            limit: z.coerce.number().int().min(1).max(100).default(20).describe('entries per page, 1–100 (default 20)'),
            cursor: z.uuid().optional().describe("the previous page's `nextCursor`"),
          })
          .strict(),
        response: { 200: historyOut },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const page = await getHistory(db, program.id, m.memberId, { limit: req.query.limit, before: req.query.cursor, language: m.language, currency: program.currency });
      const label = String(translator(m.language)('surprises:history.badge'));
      const surpriseOf = (e: Explanation) => {
        const s = surpriseInHistory(e, m.language);
        return s ? { ...s, label } : null;
      };
      return {
        items: page.items.map((h) => {
          const payout = campaignPayoutText(h.explanation, h.eventExternalId, m.language);
          return {
            id: h.journalId,
            at: h.occurredAt,
            points: h.points,
            pending: h.pendingPoints,
            kind: h.kind,
            text: payout?.text ?? h.description,
            details: h.details.map((d) => ({ points: d.points, text: payout?.text ?? d.description })),
            campaign: payout?.campaign ?? null,
            surprise: surpriseOf(h.explanation),
          };
        }),
        nextCursor: page.nextBefore,
      };
    },
  );
}
