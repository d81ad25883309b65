import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TierOwnerKind } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { audited, recordAudit } from '../audit/index.js';
import { actor, auditContext, caller } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import type { AppContext } from '../http/context.js';
import { addMonthsUtc } from '../ledger/expiry.js';
import { getProgram, type Program } from '../programs/programs.js';
import { tierOfOwner } from './current.js';
import { evaluateOwner, ownerKindsOf } from './job.js';
import {
  appendTierHistory,
  getTierConfig,
  getTierStatus,
  listTierHistory,
  replaceTierConfig,
  requireOwner,
  tierOwnerOf,
  requireTierConfig,
  saveTierStatus,
  tierConfigSchema,
  tierDistribution,
  type TierConfig,
} from './store.js';

const idParams = z.object({ id: z.uuid() });
const owners = [
  { path: 'accounts', kind: 'account' as const },
  { path: 'members', kind: 'member' as const },
];

const levelOut = z.object({
  code: z.string(),
  rank: z.number(),
  name: z.string(),
  threshold: z.number(),
  multiplierHundredths: z.number(),
  discountBasisPoints: z.number(),
  rewardTags: z.array(z.string()),
  benefits: z.array(z.string()),
});
const tierOut = z.object({
  level: levelOut.nullable(),
  since: z.date().nullable(),
  periodEnd: z.date().nullable(),
  frozen: z.object({ until: z.date(), reason: z.string() }).nullable(),
  qualifying: z.object({ basis: z.enum(['points', 'amount']), total: z.number(), windowStart: z.date(), windowEnd: z.date() }),
  progress: z.object({ nextLevel: z.object({ code: z.string(), name: z.string() }).nullable(), missing: z.number(), until: z.date().nullable() }),
});
const historyOut = z.object({
  data: z.array(z.object({ id: z.uuid(), from: z.string().nullable(), to: z.string().nullable(), reason: z.string(), detail: z.record(z.string(), z.unknown()), at: z.date() })),
  nextCursor: z.string().nullable(),
});


export async function tierRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;

  /** The owner exists in the caller's program and the program evaluates tiers for its kind. */
  const ownerContext = async (req: FastifyRequest, kind: TierOwnerKind, id: string): Promise<{ program: Program; config: TierConfig }> => {
    const program = await programOf(req);
    await requireOwner(db, program.id, kind, id);
    const config = await requireTierConfig(db, program.id);
    if (!ownerKindsOf(config.settings.scope).includes(kind)) throw new LojalError('tier_scope_disabled', { scope: config.settings.scope, owner: kind });
    return { program, config };
  };

  const currentTier = (req: FastifyRequest, program: Program, config: TierConfig, kind: TierOwnerKind, asked: string) =>
    tierOfOwner(db, program, config, kind, asked, apiLanguage(req));

  app.put(
    '/v1/tiers',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tiers'],
        summary: 'Replace the tier ladder and its settings (basis, window, scope, downgrade limit, grace days)',
        body: tierConfigSchema,
      },
    },
    async (req) =>
      audited(db, auditContext(req), async (trx) => {
        const before = await getTierConfig(trx, caller(req).programId);
        const after = await replaceTierConfig(trx, caller(req).programId, req.body);
        return { result: after, audit: { action: 'tiers.replace', entity: 'program', entityId: caller(req).programId, before, after } };
      }),
  );

  app.get(
    '/v1/tiers',
    { config: { scope: 'read' }, schema: { tags: ['tiers'], summary: 'The tier ladder and its settings' } },
    async (req) => requireTierConfig(db, caller(req).programId),
  );

  app.get(
    '/v1/tiers/distribution',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['tiers'],
        summary: 'How many accounts and members hold each level now (level null: none)',
        description: 'Every level of the ladder is listed, with 0 where nobody holds it, lowest rank first; then those without a level.',
        response: {
          200: z.object({
            accounts: z.array(z.object({ level: z.string().nullable(), count: z.int() })),
            members: z.array(z.object({ level: z.string().nullable(), count: z.int() })),
          }),
        },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const config = await requireTierConfig(db, programId);
      return tierDistribution(db, programId, config);
    },
  );

  for (const { path, kind } of owners) {
    app.get(
      `/v1/${path}/:id/tier`,
      {
        config: { scope: 'read' },
        schema: {
          tags: ['tiers'],
          summary: `The ${kind}'s level (named in the reader's language), benefits, freeze and progress to the next level`,
          params: idParams,
          response: { 200: tierOut },
        },
      },
      async (req) => {
        const { program, config } = await ownerContext(req, kind, req.params.id);
        return currentTier(req, program, config, kind, req.params.id);
      },
    );

    app.get(
      `/v1/${path}/:id/tier/history`,
      {
        config: { scope: 'read' },
        schema: {
          tags: ['tiers'],
          summary: `The ${kind}'s level changes, newest first, with their reasons`,
          params: idParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().min(1).max(500).optional() }).strict(),
          response: { 200: historyOut },
        },
      },
      async (req) => {
        const program = await programOf(req);
        await requireOwner(db, program.id, kind, req.params.id);
        const config = await getTierConfig(db, program.id);
        const owner = config ? await tierOwnerOf(db, program.id, config, kind, req.params.id) : req.params.id;
        const after = decodeCursor(req.query.cursor, z.tuple([z.iso.datetime(), z.uuid()]));
        const page = await listTierHistory(db, program.id, kind, owner, req.query.limit, after);
        return { data: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
      },
    );

    app.post(
      `/v1/${path}/:id/tier/freeze`,
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['tiers'],
          summary: `Hold the ${kind}'s level for some months (no downgrade, no change) with a reason`,
          params: idParams,
          body: z.object({ months: z.number().int().min(1).max(36), reason: z.string().trim().min(1).max(500) }).strict(),
          response: { 200: tierOut },
        },
      },
      async (req) => {
        const { program, config } = await ownerContext(req, kind, req.params.id);
        // Chains rolled up: a branch's level is its chain's, so the hold is on the chain.
        const owner = await tierOwnerOf(db, program.id, config, kind, req.params.id);
        const now = new Date();
        await db.transaction().execute(async (trx) => {
          // The level held is the one the owner has right now, so evaluate first (an upgrade due is applied).
          await evaluateOwner(trx, program.id, config, program.timeZone, kind, owner, now);
          const status = await getTierStatus(trx, program.id, kind, owner, true);
          const until = addMonthsUtc(now, req.body.months);
          await saveTierStatus(trx, program.id, kind, owner, {
            level: status?.level ?? null,
            since: status?.since ?? now,
            periodEnd: status?.periodEnd ?? now,
            frozenUntil: until,
            frozenReason: req.body.reason,
          });
          await appendTierHistory(trx, program.id, kind, owner, {
            from: status?.level ?? null,
            to: status?.level ?? null,
            reason: 'freeze',
            detail: { until: until.toISOString(), reason: req.body.reason, actor: actorRef(actor(req)) },
            at: now,
          });
          await recordAudit(trx, {
            ...auditContext(req),
            action: 'tier.freeze',
            entity: kind,
            entityId: req.params.id,
            before: status,
            after: { level: status?.level ?? null, frozenUntil: until, reason: req.body.reason },
          });
        });
        return currentTier(req, program, config, kind, req.params.id);
      },
    );

    app.delete(
      `/v1/${path}/:id/tier/freeze`,
      {
        config: { scope: 'admin' },
        schema: { tags: ['tiers'], summary: `End a hold on the ${kind}'s level`, params: idParams, response: { 200: tierOut } },
      },
      async (req) => {
        const { program, config } = await ownerContext(req, kind, req.params.id);
        const owner = await tierOwnerOf(db, program.id, config, kind, req.params.id);
        const now = new Date();
        await db.transaction().execute(async (trx) => {
          const status = await getTierStatus(trx, program.id, kind, owner, true);
          if (!status?.frozenUntil || status.frozenUntil <= now) return; // not frozen: nothing to end
          await saveTierStatus(trx, program.id, kind, owner, { ...status, frozenUntil: null, frozenReason: null });
          await appendTierHistory(trx, program.id, kind, owner, {
            from: status.level,
            to: status.level,
            reason: 'unfreeze',
            detail: { actor: actorRef(actor(req)) },
            at: now,
          });
          await recordAudit(trx, { ...auditContext(req), action: 'tier.unfreeze', entity: kind, entityId: req.params.id, before: status, after: { ...status, frozenUntil: null, frozenReason: null } });
        });
        return currentTier(req, program, config, kind, req.params.id);
      },
    );
  }
}
