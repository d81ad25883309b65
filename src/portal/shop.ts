/** The rewards shop for the member: browse by category, what they may order and afford, order, follow orders. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { OrderState } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { slug, idempotencyKey } from '../fields/index.js';
import { pageQuery } from '../http/pagination.js';
import type { AppContext } from '../http/context.js';
import { translator, type Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { getReward, rewardTypes, textIn, type Reward } from '../rewards/catalogue.js';
import { shippingAddressSchema } from '../rewards/order-routes.js';
import { getOrder, listOrders, placeOrder, transition, type RewardOrder } from '../rewards/orders.js';
import { rewardCategories, rewardFor, shopFor, type Availability } from '../rewards/shop.js';
import { me, memberActorRef, memberAudit, ownKey, programOf, requireVisible } from './context.js';
import { recommendationsFor } from '../insight/recommend.js';

const tags = ['portal'];
const states = ['pending_approval', 'placed', 'approved', 'shipped', 'delivered', 'issued', 'cancelled', 'rejected'] as const;
/** The states in which the member may still change their mind: nobody has approved or sent anything yet. */
const memberCancellable: OrderState[] = ['pending_approval', 'placed'];
const wallet = z.enum(['member', 'company']).default('member').describe("'company': the company's points (managers)");
/** `limit` and `cursor` as every list takes them, described for the reference. */
const portalPage = pageQuery.extend({
  limit: pageQuery.shape.limit.describe('items per page, 1–500 (default 50)'),
  cursor: pageQuery.shape.cursor.describe("the previous page's `nextCursor`"),
});
const payFromOf = (w: 'member' | 'company') => (w === 'company' ? ('account' as const) : ('member' as const));

const rewardOut = z.object({
  id: z.uuid(),
  code: z.string().describe("the program's code for the reward; usable in place of the id"),
  type: z.enum(rewardTypes),
  category: z.string().nullable().describe('the category code'),
  name: z.string().describe("in the member's language, else the program's"),
  description: z.string(),
  images: z.array(z.string()).describe('image URLs'),
  pricePoints: z.number().int().describe('points for one'),
  stock: z.number().int().nullable().describe('null: unlimited'),
  orderable: z.boolean().describe('the member may order it now (points aside)'),
  affordable: z.boolean().describe('the balance of the chosen wallet pays for one'),
  missingPoints: z.number().int().describe('0 when affordable'),
  whyNot: z.array(z.string()).describe("why it cannot be ordered now, in the member's language"),
}).meta({ id: 'PortalReward', description: "A reward of the shop as a member sees it: in their language, with whether they may order it now, can afford it from the chosen wallet, and why not." });

const orderOut = z.object({
  id: z.uuid(),
  state: z.enum(states),
  stateName: z.string().describe("the state in the member's language"),
  reward: z.object({ id: z.uuid(), code: z.string(), type: z.enum(rewardTypes), name: z.string() }),
  quantity: z.number().int(),
  points: z.number().int().describe('what the order took in all'),
  memberId: z.uuid().describe('who ordered it'),
  wallet: z.enum(['member', 'company']).describe("whose points paid: the member's or the company's"),
  delivery: z.record(z.string(), z.string()).nullable().describe('the delivery address given (name, company, street, postalCode, city, country, phone)'),
  tracking: z.record(z.string(), z.string()).nullable().describe('carrier and tracking number once shipped'),
  codes: z.array(z.string()).describe('voucher or gift card codes once issued'),
  note: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  history: z.array(z.object({ state: z.enum(states), stateName: z.string(), reason: z.string().nullable(), at: z.date() })),
  cancellable: z.boolean().describe('the signed-in member may still cancel it (their own, and nobody has started on it)'),
}).meta({ id: 'PortalRewardOrder', description: "An order of a reward as the member sees it: state and history in their language, what it took, delivery and codes; who moved it stays the program's business." });

/** Tier names by code in the reader's language, for "it needs the Gold level". */
async function tierNames(db: Db, program: Program, lng: Language): Promise<Map<string, string>> {
  const rows = await db.selectFrom('tier_levels').select(['code', 'names']).where('program_id', '=', program.id).execute();
  return new Map(rows.map((r) => {
    const names = r.names as Record<string, string>;
    return [r.code, names[lng] ?? names[program.defaultLanguage] ?? r.code];
  }));
}

function presentReward(r: Reward, a: Availability, program: Program, lng: Language, tiers: Map<string, string>): z.infer<typeof rewardOut> {
  const t = translator(lng);
  const missingPoints = Math.max(0, r.pricePoints - a.balance);
  const minTier = r.eligibility.minTier ? (tiers.get(r.eligibility.minTier) ?? r.eligibility.minTier) : '';
  const whyNot = a.reasons.map((reason) => String(t(`portal-api:whyNot.${reason}`, { minTier })));
  if (missingPoints > 0) whyNot.push(String(t('portal-api:whyNot.points', { count: missingPoints })));
  const text = textIn(r.texts, lng, program.defaultLanguage);
  return {
    id: r.id,
    code: r.code,
    type: r.type,
    category: r.category,
    name: text.name,
    description: text.description,
    images: r.images,
    pricePoints: r.pricePoints,
    stock: r.stock,
    orderable: a.orderable,
    affordable: a.affordable,
    missingPoints,
    whyNot,
  };
}

function presentOrder(o: RewardOrder, lng: Language, viewer: string): z.infer<typeof orderOut> {
  const t = translator(lng);
  const stateName = (s: OrderState) => String(t(`rewards:state.${s}`));
  return {
    id: o.id,
    state: o.state,
    stateName: stateName(o.state),
    reward: o.reward,
    quantity: o.quantity,
    points: o.points,
    memberId: o.memberId,
    wallet: o.paidFrom === 'account' ? 'company' : 'member',
    delivery: o.shippingAddress,
    tracking: o.tracking,
    codes: o.codes,
    note: o.note,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    // Who moved it (staff:…, system) is the program's business; the member sees what and when.
    history: o.history.map((h) => ({ state: h.to, stateName: stateName(h.to), reason: h.reason, at: h.at })),
    cancellable: o.memberId === viewer && memberCancellable.includes(o.state),
  };
}

export async function portalShopRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/portal/v1/reward-categories',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListRewardCategories',
        tags,
        summary: 'The shop\'s categories',
        description: 'In display order, named in the member\'s language. For the shop\'s category menu; pass a `code` as `category` to GET /portal/v1/rewards. Not paginated: a program has a handful.',
        response: { 200: z.object({ items: z.array(z.object({ code: z.string(), name: z.string() })) }) },
      },
    },
    async (req) => {
      const program = await programOf(db, req);
      return { items: (await rewardCategories(db, program, me(req).language)).map((c) => ({ code: c.code, name: c.name })) };
    },
  );

  app.get(
    '/portal/v1/recommendations',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListRecommendations',
        tags,
        summary: 'Products others like my company also buy',
        description:
          'Products (not rewards) often bought on the same invoices as what the member\'s company buys and that it has not bought yet: item-to-item ' +
          'co-occurrence from the insight summaries (docs/insight.md#recommendations-others-who-buy-what-you-buy-also-buy), strongest first, each ' +
          'with the company\'s product it pairs with. Empty until the company has bought something that others bought with other things.',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(20).default(6).describe('how many products, 1–20; default 6') }).strict(),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                sku: z.string(),
                name: z.string(),
                category: z.string().nullable().describe('the product category code'),
                because: z.object({ sku: z.string(), name: z.string() }).describe('the company\'s product it is most often bought with'),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const m = me(req);
      const found = await recommendationsFor(db, m.programId, m.accountId, req.query.limit);
      return { items: found.map((r) => ({ sku: r.sku, name: r.name, category: r.categoryCode, because: { sku: r.because.sku, name: r.because.name } })) };
    },
  );

  app.get(
    '/portal/v1/rewards',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListRewards',
        tags,
        summary: 'The rewards shop',
        description:
          'Cheapest first. Active rewards only, in the member\'s language. `orderable`, `affordable` and `whyNot` are judged for the member (tier, role, limits, ' +
          'stock) against the chosen wallet. Paginated: pass `nextCursor` as `cursor` for the next page.',
        querystring: portalPage
          .extend({
            category: slug.optional().describe('a category code from GET /portal/v1/reward-categories'),
            q: z.string().trim().max(200).optional().describe('search in the code, names and descriptions'),
            affordable: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('only what my balance pays for'),
            orderable: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('only what I may order now'),
            wallet,
          })
          .strict(),
        response: { 200: z.object({ items: z.array(rewardOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const { wallet: w, ...q } = req.query;
      // Withdrawn rewards are the program's catalogue history, not the member's shop.
      const page = await shopFor(db, program, m.memberId, { ...q, active: true, payFrom: payFromOf(w) }, clock());
      const tiers = await tierNames(db, program, m.language);
      return { items: page.data.map(({ reward, availability }) => presentReward(reward, availability, program, m.language, tiers)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/portal/v1/rewards/:id',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetReward',
        tags,
        summary: 'One reward of the shop, by id or code',
        description: 'As in the shop list, with whether the member may order it and can afford it from the chosen wallet. A withdrawn reward is 404.',
        params: z.object({ id: z.string().min(1).max(100).describe('the reward id (UUID) or its code') }),
        querystring: z.object({ wallet }).strict(),
        response: { 200: rewardOut },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const reward = await getReward(db, program.id, req.params.id);
      if (!reward.active) throw new LojalError('not_found', { entity: 'reward', id: req.params.id });
      const availability = await rewardFor(db, program, m.memberId, reward, payFromOf(req.query.wallet), clock());
      return presentReward(reward, availability, program, m.language, await tierNames(db, program, m.language));
    },
  );

  app.post(
    '/portal/v1/orders',
    {
      schema: {
        operationId: 'portalCreateOrder',
        tags,
        summary: 'Order a reward',
        description:
          'Paid from the member\'s own points or, for a manager, the company\'s (`wallet`). Takes the points at once (journal `redeem`). An order at or above the program\'s approval threshold waits for the program team ' +
          '(`pending_approval`); a reward issued automatically (codes) is issued at once. 201 with the order; a retry with the same ' +
          '`idempotencyKey` answers 200 with the same order and takes the points once. The member gets a confirmation mail (unless they turned ' +
          'order mails off) and the order webhook fires.',
        body: z
          .object({
            rewardId: z.string().min(1).max(100).describe('the reward id or code'),
            quantity: z.number().int().min(1).max(100).default(1).describe('how many, 1–100 (default 1)'),
            wallet,
            idempotencyKey: idempotencyKey.describe('unique per order, e.g. a UUID; only the member\'s own keys are compared'),
            delivery: shippingAddressSchema.optional().describe('where to send a physical reward'),
            note: z.string().trim().max(1000).optional().describe('a note for the program team'),
          })
          .strict(),
        response: { 200: orderOut, 201: orderOut },
      },
      config: {
        member: true,
        errors: [
          'unknown_reward',
          'reward_not_available',
          'reward_expired',
          'not_eligible',
          'company_wallet_not_allowed',
          'redemption_limit_reached',
          'out_of_stock',
          'insufficient_points',
          'member_not_active',
          'account_not_active',
          'idempotency_conflict',
        ],
      },
    },
    async (req, reply) => {
      const m = me(req);
      const program = await programOf(db, req);
      const b = req.body;
      const result = await placeOrder(
        db,
        program,
        { reward: b.rewardId, memberId: m.memberId, quantity: b.quantity, payFrom: payFromOf(b.wallet), shippingAddress: b.delivery, note: b.note, idempotencyKey: ownKey(req, b.idempotencyKey) },
        memberActorRef(req),
        { lng: m.language, now: clock() },
      );
      reply.status(result.created ? 201 : 200);
      return presentOrder(result.order, m.language, m.memberId);
    },
  );

  app.get(
    '/portal/v1/orders',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListOrders',
        tags,
        summary: 'My orders, newest first',
        description: 'The member\'s own orders, whichever wallet paid. Paginated: pass `nextCursor` as `cursor` for the next page.',
        querystring: portalPage.extend({ state: z.enum(states).optional().describe('only orders in this state') }).strict(),
        response: { 200: z.object({ items: z.array(orderOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const page = await listOrders(db, program, { ...req.query, memberId: m.memberId }, m.language);
      return { items: page.data.map((o) => presentOrder(o, m.language, m.memberId)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/portal/v1/orders/:id',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetOrder',
        tags,
        summary: 'One of my orders',
        description: 'A manager also sees their staff\'s orders. With the order\'s history. Anyone else\'s order is 404, as if it did not exist.',
        params: z.object({ id: z.uuid().describe('the order id') }),
        response: { 200: orderOut },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const order = await getOrder(db, program, req.params.id, m.language);
      await requireVisible(db, req, order, 'reward order', req.params.id);
      return presentOrder(order, m.language, m.memberId);
    },
  );

  app.post(
    '/portal/v1/orders/:id/cancel',
    {
      schema: {
        operationId: 'portalCancelOrder',
        tags,
        summary: 'Cancel one of my own orders while nobody has started on it',
        description:
          'Only while it is `placed` or `pending_approval` (409 `order_not_cancellable` after); the points go back to the wallet that paid ' +
          '(journal `refund`) and the stock is released. A manager sees their staff\'s orders but cannot cancel them (404).',
        params: z.object({ id: z.uuid().describe('the order id') }),
        body: z.object({ reason: z.string().trim().min(1).max(500).optional().describe('why, for the program team') }).strict().default({}),
        response: { 200: orderOut },
      },
      config: { member: true, errors: ['order_not_cancellable', 'invalid_order_transition'] },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const order = await getOrder(db, program, req.params.id, m.language);
      // Only one's own: a manager sees the staff's orders but does not cancel them.
      if (order.memberId !== m.memberId) throw new LojalError('not_found', { entity: 'reward order', id: req.params.id });
      const cancelled = await transition(db, program, order.id, 'cancel', { reason: req.body.reason }, memberActorRef(req), {
        lng: m.language,
        now: clock(),
        audit: memberAudit(req),
        cancellableFrom: memberCancellable,
      });
      return presentOrder(cancelled, m.language, m.memberId);
    },
  );
}
