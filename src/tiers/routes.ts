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

const owners = [
  { path: 'accounts', kind: 'account' as const, Kind: 'Account' },
  { path: 'members', kind: 'member' as const, Kind: 'Member' },
];

const levelOut = z
  .object({
    code: z.string(),
    rank: z.number(),
    name: z.string().describe("in the reader's language"),
    threshold: z.number().describe('the qualifying total (points, or amount in minor units) the level needs'),
    multiplierHundredths: z.number().describe('the earning multiplier in hundredths: 150 pays 1.5 times'),
    discountBasisPoints: z.number().describe('the discount the level gives, in basis points (100 = 1 %)'),
    rewardTags: z.array(z.string()).describe('rewards with one of these tags are open to the level'),
    benefits: z.array(z.string()).describe("the level's benefits, in the reader's language"),
  })
  .meta({ id: 'TierLevelView', description: 'A level of the tier ladder as an owner holds it, named in the reader\'s language.' });
const tierOut = z
  .object({
    level: levelOut.nullable().describe('null: below the first level'),
    since: z.date().nullable(),
    periodEnd: z.date().nullable().describe('when the level is next judged again'),
    frozen: z.object({ until: z.date(), reason: z.string() }).nullable().describe('a hold on the level (no upgrade, no downgrade), if any'),
    qualifying: z.object({ basis: z.enum(['points', 'amount']), total: z.number(), windowStart: z.date(), windowEnd: z.date() }),
    progress: z.object({ nextLevel: z.object({ code: z.string(), name: z.string() }).nullable(), missing: z.number(), until: z.date().nullable() }),
  })
  .meta({ id: 'TierStatus', description: 'Where an account or member stands on the tier ladder now, and what is missing for the next level.' });
const historyEntry = z
  .object({
    id: z.uuid(),
    from: z.string().nullable().describe('the level code before; null: none'),
    to: z.string().nullable().describe('the level code after; null: none'),
    reason: z
      .string()
      .describe('threshold_reached, requalified, period_end, frozen, freeze, unfreeze (or unchanged)'),
    detail: z.record(z.string(), z.unknown()).describe('what the change was judged on, by reason: totals and thresholds, or the hold\'s until, reason and actor'),
    at: z.date(),
  })
  .meta({ id: 'TierHistoryEntry', description: 'One change of an account\'s or member\'s tier level, or of its hold.' });
const historyOut = z.object({ data: z.array(historyEntry), nextCursor: z.string().nullable() });

/** The ladder as stored, in every language: what PUT takes (with defaults filled in) and GET answers. */
const tierConfigOut = z
  .object({
    settings: z.object({
      basis: z.enum(['points', 'amount']).describe('points earned, or purchased amount (minor units), in the window'),
      windowKind: z.enum(['rolling', 'calendar_year']),
      windowMonths: z.number().int(),
      scope: z.enum(['account', 'member', 'both']).describe('whose tiers are evaluated'),
      downgradeMaxLevels: z.number().int().describe('at most this many levels down at one period end'),
      graceDays: z.number().int(),
    }),
    levels: z.array(
      z.object({
        code: z.string(),
        rank: z.number().int(),
        names: z.record(z.string(), z.string()).describe('the level\'s name by language code (en, sv, nb, pl, de)'),
        threshold: z.number().int(),
        multiplierHundredths: z.number().int(),
        discountBasisPoints: z.number().int(),
        rewardTags: z.array(z.string()),
        benefits: z.record(z.string(), z.array(z.string())).describe('the level\'s benefits by language code; {} for none'),
      }),
    ).describe('lowest rank first'),
    chain: z.boolean().describe('the program rolls chains up: a branch holds its top parent\'s level, on the whole chain\'s total'),
  })
  .meta({ id: 'TierLadder', description: 'The program\'s tier ladder and how levels are earned and kept.' });


export async function tierRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
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
    tierOfOwner(db, program, config, kind, asked, apiLanguage(req), clock());

  app.put(
    '/v1/tiers',
    {
      config: { scope: 'admin', errors: ['invalid_tier_ladder'] },
      schema: {
        operationId: 'replaceTierLadder',
        tags: ['tiers'],
        summary: 'Replace the tier ladder and its settings (basis, window, scope, downgrade limit, grace days)',
        description:
          'Ranks and thresholds must both ascend and codes be unique (422 `invalid_tier_ladder` naming the field). Accounts ' +
          'and members keep their level until the next evaluation applies the new ladder. Recorded in the audit log.',
        body: tierConfigSchema,
        response: { 200: tierConfigOut },
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
    {
      config: { scope: 'read', errors: ['tiers_not_configured'] },
      schema: {
        operationId: 'getTierLadder',
        tags: ['tiers'],
        summary: 'The tier ladder and its settings',
        description: 'Every level with its names and benefits in all languages. A program without tiers answers 404 `tiers_not_configured`.',
        response: { 200: tierConfigOut },
      },
    },
    async (req) => requireTierConfig(db, caller(req).programId),
  );

  app.get(
    '/v1/tiers/distribution',
    {
      config: { scope: 'read', errors: ['tiers_not_configured'] },
      schema: {
        operationId: 'getTierDistribution',
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

  for (const { path, kind, Kind } of owners) {
    const idParams = z.object({ id: z.uuid().describe(`The ${kind}'s id`) });
    app.get(
      `/v1/${path}/:id/tier`,
      {
        config: { scope: 'read', errors: ['tiers_not_configured', 'tier_scope_disabled'] },
        schema: {
          operationId: `get${Kind}Tier`,
          tags: ['tiers'],
          summary: `The ${kind}'s level (named in the reader's language), benefits, freeze and progress to the next level`,
          description:
            'The level as last evaluated (when events arrive, and by the tier job), with the qualifying total of the current window as of now. ' +
            `409 \`tier_scope_disabled\` when the program does not evaluate ${kind} tiers` +
            (kind === 'account' ? '; with chains rolled up, a branch shows its chain\'s level.' : '.'),
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
          operationId: `list${Kind}TierHistory`,
          tags: ['tiers'],
          summary: `The ${kind}'s level changes, newest first, with their reasons`,
          description: 'Upgrades, downgrades, requalifications and holds. Paginated: pass the answer\'s `nextCursor` as `cursor` for the next page.',
          params: idParams,
          querystring: z
            .object({
              limit: z.coerce.number().int().min(1).max(500).default(50).describe('Entries per page, 1 to 500; default 50'),
              cursor: z.string().min(1).max(500).optional().describe("Cursor from the previous page's `nextCursor`"),
            })
            .strict(),
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
        config: { scope: 'admin', errors: ['tiers_not_configured', 'tier_scope_disabled'] },
        schema: {
          operationId: `freeze${Kind}Tier`,
          tags: ['tiers'],
          summary: `Hold the ${kind}'s level for some months (no downgrade, no change) with a reason`,
          description:
            'Evaluates first, so an upgrade due is applied, then holds that level until the months have passed. A hold given again ' +
            'replaces the earlier one. Written to the tier history and the audit log.',
          params: idParams,
          body: z
            .object({
              months: z.number().int().min(1).max(36).describe('How long to hold the level, 1 to 36 months from now'),
              reason: z.string().trim().min(1).max(500).describe('Why, for the history (e.g. parental leave, a store rebuild)'),
            })
            .strict(),
          response: { 200: tierOut },
        },
      },
      async (req) => {
        const { program, config } = await ownerContext(req, kind, req.params.id);
        // Chains rolled up: a branch's level is its chain's, so the hold is on the chain.
        const owner = await tierOwnerOf(db, program.id, config, kind, req.params.id);
        const now = clock();
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
        config: { scope: 'admin', errors: ['tiers_not_configured', 'tier_scope_disabled'] },
        schema: {
          operationId: `unfreeze${Kind}Tier`,
          tags: ['tiers'],
          summary: `End a hold on the ${kind}'s level`,
          description: 'A higher level the qualifying total has earned meanwhile is given at once; a lower one waits for the next evaluation (the nightly job). Without a hold in force this changes nothing. Written to the tier history and the audit log.',
          params: idParams,
          response: { 200: tierOut },
        },
      },
      async (req) => {
        const { program, config } = await ownerContext(req, kind, req.params.id);
        const owner = await tierOwnerOf(db, program.id, config, kind, req.params.id);
        const now = clock();
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
          // A level earned while the hold kept the old one is given at once, as a purchase would give it; a lower
          // one waits for the nightly evaluation, which also applies the grace rules.
          await evaluateOwner(trx, program.id, config, program.timeZone, kind, owner, now, { upgradeOnly: true });
        });
        return currentTier(req, program, config, kind, req.params.id);
      },
    );
  }
}
