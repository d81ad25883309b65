import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { slug } from '../fields/index.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { auditContext, caller } from '../http/context.js';
import { audited } from '../audit/index.js';
import type { AppContext } from '../http/context.js';
import { languages, type Language } from '../i18n/index.js';
import { getProgram, type Program } from '../programs/programs.js';
import {
  createReward,
  getReward,
  listRewards,
  rewardCreateSchema,
  rewardPatchSchema,
  rewardTypes,
  textIn,
  updateReward,
  type Reward,
} from './catalogue.js';
import { importCodes } from './issuing.js';
import { rewardCategories, shopFor } from './shop.js';
import { exportCreditNotes, listCreditNotes, pledgesByCause } from './payouts.js';

const idParam = z.object({ id: z.string().min(1).max(100).describe('the reward id or its code') });
const localizedNames = z.partialRecord(z.enum(languages), z.string().trim().min(1).max(100));

const rewardOut = z.object({
  id: z.uuid(),
  code: z.string(),
  type: z.enum(rewardTypes),
  category: z.string().nullable(),
  name: z.string().describe("in the reader's language (Accept-Language), else the program's"),
  description: z.string(),
  texts: z.record(z.string(), z.object({ name: z.string(), description: z.string() })),
  images: z.array(z.string()),
  pricePoints: z.number().int(),
  stock: z.number().int().nullable().describe('null: unlimited'),
  active: z.boolean(),
  validFrom: z.date().nullable(),
  validUntil: z.date().nullable(),
  eligibility: z.object({ minTier: z.string().nullable(), tierTags: z.array(z.string()), segments: z.array(z.string()), roles: z.array(z.string()), countries: z.array(z.string()) }),
  limits: z.object({ perMember: z.number().nullable(), perAccount: z.number().nullable(), period: z.string() }),
  codeSource: z.enum(['pool', 'generated']).nullable(),
  cashValueMinor: z.number().int().nullable(),
  eventAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  availability: z
    .object({
      orderable: z.boolean(),
      reasons: z.array(z.string()).describe('inactive, not_yet_valid, expired, tier, tier_tag, segment, role, country, out_of_stock, limit_reached'),
      affordable: z.boolean(),
      balance: z.number().int(),
    })
    .optional()
    .describe('for the member named in ?memberId'),
});

const out = (r: Reward, lng: Language, program: Program) => ({ ...r, ...textIn(r.texts, lng, program.defaultLanguage) });


export async function rewardRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const lngOf = (req: FastifyRequest, program: Program) => apiLanguage(req);

  app.get(
    '/v1/rewards/settings',
    { config: { scope: 'read' }, schema: { tags: ['rewards'], summary: 'Shop settings: the order size that needs staff approval', response: { 200: z.object({ approvalThresholdPoints: z.number().int().nullable() }) } } },
    async (req) => {
      const row = await db.selectFrom('reward_settings').select('approval_threshold_points').where('program_id', '=', caller(req).programId).executeTakeFirst();
      return { approvalThresholdPoints: row?.approval_threshold_points ?? null };
    },
  );

  app.put(
    '/v1/rewards/settings',
    {
      config: { scope: 'rewards:write' },
      schema: {
        tags: ['rewards'],
        summary: 'Orders costing at least approvalThresholdPoints wait for staff approval (null: none do)',
        body: z.object({ approvalThresholdPoints: z.number().int().min(1).max(1_000_000_000_000).nullable() }).strict(),
        response: { 200: z.object({ approvalThresholdPoints: z.number().int().nullable() }) },
      },
    },
    async (req) => {
      const threshold = req.body.approvalThresholdPoints;
      return audited(db, auditContext(req), async (trx) => {
        const before = await trx.selectFrom('reward_settings').select('approval_threshold_points').where('program_id', '=', caller(req).programId).executeTakeFirst();
        await trx
          .insertInto('reward_settings')
          .values({ program_id: caller(req).programId, approval_threshold_points: threshold })
          .onConflict((oc) => oc.column('program_id').doUpdateSet({ approval_threshold_points: threshold, updated_at: sql`now()` }))
          .execute();
        return {
          result: { approvalThresholdPoints: threshold },
          audit: { action: 'reward_settings.update', entity: 'reward_settings', before: { approvalThresholdPoints: before?.approval_threshold_points ?? null }, after: { approvalThresholdPoints: threshold } },
        };
      });
    },
  );

  const categoryOut = z.object({ code: z.string(), name: z.string(), names: z.record(z.string(), z.string()), position: z.number().int() });
  app.get(
    '/v1/reward-categories',
    { config: { scope: 'read' }, schema: { tags: ['rewards'], summary: 'The shop\'s categories in display order', response: { 200: z.object({ data: z.array(categoryOut) }) } } },
    async (req) => {
      const program = await programOf(req);
      const lng = lngOf(req, program);
      return { data: await rewardCategories(db, program, lng) };
    },
  );

  app.put(
    '/v1/reward-categories/:code',
    {
      config: { scope: 'rewards:write' },
      schema: {
        tags: ['rewards'],
        summary: 'Create or rename a shop category',
        params: z.object({ code: slug }),
        body: z.object({ names: localizedNames.refine((n) => Object.keys(n).length > 0, 'give the name in at least one language'), position: z.number().int().min(0).max(10_000).default(0) }).strict(),
        response: { 200: categoryOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const { names, position } = req.body;
      await audited(db, auditContext(req), async (trx) => {
        const before = await trx.selectFrom('reward_categories').select(['names', 'position']).where('program_id', '=', program.id).where('code', '=', req.params.code).executeTakeFirst();
        await trx
          .insertInto('reward_categories')
          .values({ program_id: program.id, code: req.params.code, names: JSON.stringify(names), position })
          .onConflict((oc) => oc.columns(['program_id', 'code']).doUpdateSet({ names: JSON.stringify(names), position }))
          .execute();
        return { result: null, audit: { action: before ? 'reward_category.update' : 'reward_category.create', entity: 'reward_category', entityId: req.params.code, before: before ?? null, after: { names, position } } };
      });
      const lng = lngOf(req, program);
      return { code: req.params.code, names, position, name: names[lng] ?? names[program.defaultLanguage] ?? Object.values(names)[0]! };
    },
  );

  app.post(
    '/v1/rewards',
    {
      config: { scope: 'rewards:write' },
      schema: { tags: ['rewards'], summary: 'Add a reward to the catalogue', body: rewardCreateSchema, response: { 201: rewardOut } },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const reward = await audited(db, auditContext(req), async (trx) => {
        const created = await createReward(trx, program.id, req.body);
        return { result: created, audit: { action: 'reward.create', entity: 'reward', entityId: created.id, after: created } };
      });
      reply.status(201);
      return out(reward, lngOf(req, program), program);
    },
  );

  app.patch(
    '/v1/rewards/:id',
    {
      config: { scope: 'rewards:write' },
      schema: { tags: ['rewards'], summary: 'Change a reward (its code and type stay)', params: idParam, body: rewardPatchSchema, response: { 200: rewardOut } },
    },
    async (req) => {
      const program = await programOf(req);
      const current = await getReward(db, program.id, req.params.id);
      const updated = await audited(db, auditContext(req), async (trx) => {
        const after = await updateReward(trx, program.id, current.id, req.body);
        return { result: after, audit: { action: 'reward.update', entity: 'reward', entityId: current.id, before: current, after } };
      });
      return out(updated, lngOf(req, program), program);
    },
  );

  app.get(
    '/v1/rewards/:id',
    { config: { scope: 'read' }, schema: { tags: ['rewards'], summary: 'One reward, by id or code', params: idParam, response: { 200: rewardOut } } },
    async (req) => {
      const program = await programOf(req);
      return out(await getReward(db, program.id, req.params.id), lngOf(req, program), program);
    },
  );

  app.get(
    '/v1/rewards',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['rewards'],
        summary: 'The catalogue, cheapest first; with memberId, what that member may order and afford',
        querystring: pageQuery
          .extend({
            category: slug.optional(),
            type: z.enum(rewardTypes).optional(),
            active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
            q: z.string().trim().max(200).optional(),
            maxPoints: z.coerce.number().int().min(0).optional(),
            memberId: z.uuid().optional(),
            orderable: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('with memberId: only what the member may order now'),
            affordable: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('with memberId: only what the member can pay for'),
            payFrom: z.enum(['member', 'account']).default('member').describe("whose balance 'affordable' looks at"),
          })
          .strict(),
        response: { 200: pageOf(rewardOut) },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const lng = lngOf(req, program);
      const { memberId, orderable, affordable, payFrom, ...filters } = req.query;
      if ((orderable || affordable) && !memberId) {
        throw new LojalError('validation_failed', {}, [{ path: 'querystring.memberId', message: 'orderable and affordable need the member they are for' }]);
      }
      if (!memberId) {
        const page = await listRewards(db, program.id, filters);
        return { data: page.data.map((r) => out(r, lng, program)), nextCursor: page.nextCursor };
      }
      const page = await shopFor(db, program, memberId, { ...filters, orderable, affordable, payFrom });
      return { data: page.data.map(({ reward, availability }) => ({ ...out(reward, lng, program), availability })), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/rewards/:id/codes',
    {
      config: { scope: 'rewards:write' },
      schema: {
        tags: ['rewards'],
        summary: 'Import gift-card or coupon codes into a reward\'s pool; the stock grows by the codes added',
        params: idParam,
        body: z.object({ codes: z.array(z.string().trim().min(1).max(200).regex(/^\S+$/, 'a code has no spaces')).min(1).max(10_000) }).strict(),
        response: { 200: z.object({ added: z.number().int(), duplicates: z.number().int(), stock: z.number().int() }) },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const reward = await getReward(db, program.id, req.params.id);
      // The codes themselves are worth money: the log says how many came, not which.
      return audited(db, auditContext(req), async (trx) => {
        const result = await importCodes(trx, program.id, reward, req.body.codes);
        return { result, audit: { action: 'reward.import_codes', entity: 'reward', entityId: reward.id, after: { added: result.added, duplicates: result.duplicates, stock: result.stock } } };
      });
    },
  );

  app.get(
    '/v1/rewards/pledges',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['rewards'],
        summary: 'Donations members pledged with their points, summed per cause, for a period [from, to)',
        querystring: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).strict(),
        response: {
          200: z.object({
            data: z.array(z.object({ rewardId: z.uuid(), code: z.string(), cause: z.string(), orders: z.number(), units: z.number(), points: z.number(), amountMinor: z.number(), currency: z.string() })),
          }),
        },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return { data: await pledgesByCause(db, program, new Date(req.query.from), new Date(req.query.to), lngOf(req, program)) };
    },
  );

  const noteOut = z.object({
    id: z.uuid(),
    orderId: z.uuid(),
    accountId: z.uuid(),
    accountExternalId: z.string().nullable(),
    amountMinor: z.number().int(),
    currency: z.string(),
    createdAt: z.date(),
    exportedAt: z.date().nullable(),
    exportBatch: z.string().nullable(),
  });
  app.get(
    '/v1/credit-notes',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['rewards'],
        summary: 'Cashback credit notes the accounts are owed (for the ERP)',
        querystring: pageQuery.extend({ exported: z.enum(['true', 'false']).transform((v) => v === 'true').optional() }).strict(),
        response: { 200: pageOf(noteOut) },
      },
    },
    async (req) => listCreditNotes(db, caller(req).programId, req.query),
  );

  app.post(
    '/v1/credit-notes/export',
    {
      config: { scope: 'rewards:write' },
      schema: {
        tags: ['rewards'],
        summary: 'Take the next batch of unexported credit notes; the same key answers the same batch again',
        body: z.object({ idempotencyKey: z.string().trim().min(8).max(200), max: z.number().int().min(1).max(1000).default(500) }).strict(),
        response: { 200: z.object({ batch: z.string(), data: z.array(noteOut) }) },
      },
    },
    async (req) => {
      const { idempotencyKey: key, max } = req.body;
      const data = await audited(db, auditContext(req), async (trx) => {
        const known = await trx.selectFrom('credit_notes').select('id').where('program_id', '=', caller(req).programId).where('export_batch', '=', key).executeTakeFirst();
        const notes = await exportCreditNotes(trx, caller(req).programId, key, max);
        const total = notes.reduce((sum, n) => sum + n.amountMinor, 0);
        return { result: notes, audit: known || !notes.length ? null : { action: 'credit_notes.export', entity: 'credit_note_batch', entityId: key, after: { notes: notes.length, amountMinor: total } } };
      });
      return { batch: key, data };
    },
  );
}
