/**
 * The rewards catalogue: what a program offers for points, in which languages, to whom, how many.
 * Validation of the shapes lives here too, so the API and the demo seed accept exactly the same items.
 */
import { sql, type Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { RewardsTable, RewardType } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { country, slug, tag, text } from '../fields/index.js';
import { containsPattern, decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import { languages, type Language } from '../i18n/index.js';
import type { RewardConditions } from './eligibility.js';

export const rewardTypes = ['physical', 'experience', 'code', 'charity', 'cashback', 'content'] as const satisfies readonly RewardType[];

const rewardText = z.object({ name: text(120), description: z.string().trim().max(2000).default('') }).strict();
const texts = z
  .partialRecord(z.enum(languages), rewardText)
  .refine((t) => Object.keys(t).length > 0, 'give the name in at least one language (en, sv, nb, pl, de)');
const image = z
  .string()
  .trim()
  .max(1000)
  .regex(/^(https:\/\/|http:\/\/|\/)\S+$/, 'an http(s) URL or a path on this server');
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const eligibility = z
  .object({
    minTier: slug.nullable().default(null).describe('Lowest tier level code (GET /v1/tiers) that may order; null (default): any'),
    tierTags: z.array(tag).max(20).default([]).describe('Open to buyers whose tier level has one of these reward tags (default: any)'),
    segments: z.array(slug).max(50).default([]).describe('Open to buyers in one of these segments (default: any)'),
    roles: z.array(slug).max(50).default([]).describe('Open to members with one of these roles (default: any)'),
    countries: z.array(country).max(250).default([]).describe("Open to accounts in these ISO 3166-1 countries, e.g. SE (default: any)"),
  })
  .strict()
  .describe('Who may order it; replaced whole on update');
const limits = z
  .object({
    perMember: z.number().int().min(1).max(1_000_000).nullable().default(null).describe('Units one member may order per period; null (default): no limit'),
    perAccount: z.number().int().min(1).max(1_000_000).nullable().default(null).describe('Units one account (all its members) may order per period; null (default): no limit'),
    period: z.enum(['day', 'week', 'month', 'quarter', 'year', 'lifetime']).default('lifetime').describe('The period the limits count in, in the program\'s time zone (default lifetime)'),
  })
  .strict()
  .describe('Redemption limits; cancelled and rejected orders do not count; replaced whole on update');

const fields = {
  category: slug.nullable().describe('Code of a reward category (upsertRewardCategory); null: none'),
  texts: texts.describe('Name (at most 120 characters) and description per language code (en, sv, nb, pl, de); at least one'),
  images: z.array(image).max(10).describe('Up to 10 image URLs (http, https) or paths on this server'),
  pricePoints: z.number().int().min(1).max(1_000_000_000).describe('Price of one unit in points'),
  stock: z.number().int().min(0).max(100_000_000).nullable().describe('Units on hand; null: unlimited. Not for a code pool, whose stock is its imported codes'),
  active: z.boolean().describe('Shown and orderable'),
  validFrom: instant.nullable().describe('Orderable from this instant (ISO 8601 with offset); null: already'),
  validUntil: instant.nullable().describe('Orderable until this instant (ISO 8601 with offset); null: no end'),
  eligibility,
  limits,
  cashValueMinor: z
    .number()
    .int()
    .min(1)
    .max(1_000_000_000_000)
    .nullable()
    .describe("Cashback (required): the credit note per unit; charity: the donation per unit; in minor units of the program's currency"),
  eventAt: instant.nullable().describe('When the event of an experience takes place (ISO 8601 with offset)'),
};

export const rewardCreateSchema = z
  .object({
    code: slug.describe('The program\'s own code, unique in the program and fixed: a lower-case letter, then letters, digits, _ or - (at most 40)'),
    type: z.enum(rewardTypes).describe('physical, experience, code (gift card, coupon), charity (a donation), cashback (a credit note), content; fixed'),
    codeSource: z.enum(['pool', 'generated']).optional().describe('Code rewards only, and required for them: pool (import codes with importRewardCodes) or generated (by Lojal)'),
    category: fields.category.default(null),
    texts: fields.texts,
    images: fields.images.default([]),
    pricePoints: fields.pricePoints,
    stock: fields.stock.default(null),
    active: fields.active.default(true),
    validFrom: fields.validFrom.default(null),
    validUntil: fields.validUntil.default(null),
    eligibility: fields.eligibility.default({ minTier: null, tierTags: [], segments: [], roles: [], countries: [] }),
    limits: fields.limits.default({ perMember: null, perAccount: null, period: 'lifetime' }),
    cashValueMinor: fields.cashValueMinor.default(null),
    eventAt: fields.eventAt.default(null),
  })
  .strict();
export type RewardCreate = z.input<typeof rewardCreateSchema>;

export const rewardPatchSchema = z
  .object({
    category: fields.category.optional(),
    texts: fields.texts.optional(),
    images: fields.images.optional(),
    pricePoints: fields.pricePoints.optional(),
    stock: fields.stock.optional(),
    active: fields.active.optional(),
    validFrom: fields.validFrom.optional(),
    validUntil: fields.validUntil.optional(),
    eligibility: fields.eligibility.optional(),
    limits: fields.limits.optional(),
    cashValueMinor: fields.cashValueMinor.optional(),
    eventAt: fields.eventAt.optional(),
  })
  .strict();

export type RewardRow = Selectable<RewardsTable>;
export type RewardTexts = Partial<Record<Language, { name: string; description: string }>>;

export interface Reward {
  id: string;
  code: string;
  type: RewardType;
  category: string | null;
  texts: RewardTexts;
  images: string[];
  pricePoints: number;
  /** null: unlimited. For a code pool: the codes not yet handed out or reserved. */
  stock: number | null;
  active: boolean;
  validFrom: Date | null;
  validUntil: Date | null;
  eligibility: { minTier: string | null; tierTags: string[]; segments: string[]; roles: string[]; countries: string[] };
  limits: { perMember: number | null; perAccount: number | null; period: RewardsTable['limit_period']['__select__'] };
  codeSource: 'pool' | 'generated' | null;
  cashValueMinor: number | null;
  eventAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const dateOrNull = (v: Date | string | null) => (v === null ? null : new Date(v));

export function toReward(r: RewardRow): Reward {
  return {
    id: r.id,
    code: r.code,
    type: r.type,
    category: r.category_code,
    texts: r.texts as RewardTexts,
    images: r.images,
    pricePoints: Number(r.price_points),
    stock: r.stock,
    active: r.active,
    validFrom: dateOrNull(r.valid_from),
    validUntil: dateOrNull(r.valid_until),
    eligibility: { minTier: r.min_tier, tierTags: r.tier_tags, segments: r.segments, roles: r.roles, countries: r.countries },
    limits: { perMember: r.limit_per_member, perAccount: r.limit_per_account, period: r.limit_period },
    codeSource: r.code_source,
    cashValueMinor: r.cash_value_minor === null ? null : Number(r.cash_value_minor),
    eventAt: dateOrNull(r.event_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** The reward's name and description in the reader's language, else the program's, else any given. */
export function textIn(texts: RewardTexts, lng: Language, fallback: Language): { name: string; description: string } {
  return texts[lng] ?? texts[fallback] ?? texts.en ?? Object.values(texts)[0] ?? { name: '', description: '' };
}

/**
 * The name in all five languages as explanation params (`reward@sv`, …), so a ledger entry written today
 * is read later in whichever language its reader reads (see renderExplanation).
 */
export function rewardNameParams(texts: RewardTexts, fallback: Language): Record<string, string> {
  return Object.fromEntries(languages.map((l) => [`reward@${l}`, textIn(texts, l, fallback).name]));
}

const fieldError = (path: string, message: string) => new LojalError('validation_failed', {}, [{ path, message }]);

/** Rules that span fields: a code reward says where codes come from, cashback says what it is worth… */
function checkShape(type: RewardType, r: { codeSource: string | null; stock: number | null; cashValueMinor: number | null; validFrom: Date | null; validUntil: Date | null }, creating: boolean) {
  if (type === 'code' && !r.codeSource) throw fieldError('codeSource', 'a code reward takes its codes from a pool or generates them: pool or generated');
  if (type !== 'code' && r.codeSource) throw fieldError('codeSource', 'only code rewards (gift cards, coupons) have a code source');
  if (type === 'cashback' && r.cashValueMinor === null) throw fieldError('cashValueMinor', 'cashback needs the credit note amount per unit, in minor units');
  if (r.codeSource === 'pool' && r.stock !== null && !(creating && r.stock === 0)) {
    throw fieldError('stock', 'the stock of a code pool is its codes: import codes instead (POST /v1/rewards/{id}/codes)');
  }
  if (r.validFrom && r.validUntil && r.validUntil <= r.validFrom) throw fieldError('validUntil', 'must be later than validFrom');
}

/** Categories and tiers the item names must exist in the program. */
async function checkReferences(db: Db, programId: string, category: string | null | undefined, minTier: string | null | undefined) {
  if (category) {
    const found = await db.selectFrom('reward_categories').select('code').where('program_id', '=', programId).where('code', '=', category).executeTakeFirst();
    if (!found) throw new LojalError('unknown_reward_category', { category });
  }
  if (minTier) {
    const found = await db.selectFrom('tier_levels').select('code').where('program_id', '=', programId).where('code', '=', minTier).executeTakeFirst();
    if (!found) throw fieldError('eligibility.minTier', `is not a level of this program's tiers (GET /v1/tiers)`);
  }
}

export async function createReward(db: Db, programId: string, input: z.output<typeof rewardCreateSchema>, now: Date): Promise<Reward> {
  const codeSource = input.codeSource ?? null;
  // A pool starts empty; its stock grows as codes are imported.
  const stock = codeSource === 'pool' ? 0 : input.stock;
  // Checked as given: a pool's stock sent with it is refused, not quietly replaced by the empty pool's 0.
  checkShape(input.type, { codeSource, stock: input.stock ?? null, cashValueMinor: input.cashValueMinor, validFrom: input.validFrom, validUntil: input.validUntil }, true);
  await checkReferences(db, programId, input.category, input.eligibility.minTier);
  const row = await db
    .insertInto('rewards')
    .values({
      created_at: now,
      updated_at: now,
      program_id: programId,
      id: uuidv7(),
      code: input.code,
      type: input.type,
      category_code: input.category,
      texts: JSON.stringify(input.texts),
      images: input.images,
      price_points: input.pricePoints,
      stock,
      active: input.active,
      valid_from: input.validFrom,
      valid_until: input.validUntil,
      min_tier: input.eligibility.minTier,
      tier_tags: input.eligibility.tierTags,
      segments: input.eligibility.segments,
      roles: input.eligibility.roles,
      countries: input.eligibility.countries,
      limit_per_member: input.limits.perMember,
      limit_per_account: input.limits.perAccount,
      limit_period: input.limits.period,
      code_source: codeSource,
      cash_value_minor: input.cashValueMinor,
      event_at: input.eventAt,
    })
    .onConflict((oc) => oc.columns(['program_id', 'code']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new LojalError('duplicate_reward_code', { code: input.code });
  return toReward(row);
}

/**
 * A reward the shop keeps out of its catalogue (inactive) for another module's own orders, e.g. the service
 * desk's special-order quotes: made on first use, found by its code afterwards.
 */
export async function ensureHiddenReward(db: Db, programId: string, code: string, texts: RewardTexts): Promise<string> {
  await db
    .insertInto('rewards')
    .values({ program_id: programId, id: uuidv7(), code, type: 'physical', texts: JSON.stringify(texts), price_points: 1, active: false })
    .onConflict((oc) => oc.columns(['program_id', 'code']).doNothing())
    .execute();
  const row = await db.selectFrom('rewards').select('id').where('program_id', '=', programId).where('code', '=', code).executeTakeFirstOrThrow();
  return row.id;
}

export async function updateReward(db: Db, programId: string, id: string, patch: z.output<typeof rewardPatchSchema>, now: Date): Promise<Reward> {
  const current = await getReward(db, programId, id);
  const next = {
    codeSource: current.codeSource,
    stock: patch.stock !== undefined ? patch.stock : current.stock,
    cashValueMinor: patch.cashValueMinor !== undefined ? patch.cashValueMinor : current.cashValueMinor,
    validFrom: patch.validFrom !== undefined ? patch.validFrom : current.validFrom,
    validUntil: patch.validUntil !== undefined ? patch.validUntil : current.validUntil,
  };
  if (patch.stock !== undefined && current.codeSource === 'pool') {
    throw fieldError('stock', 'the stock of a code pool is its codes: import codes instead (POST /v1/rewards/{id}/codes)');
  }
  checkShape(current.type, { ...next, stock: current.codeSource === 'pool' ? null : next.stock }, false);
  await checkReferences(db, programId, patch.category, patch.eligibility?.minTier);
  const row = await db
    .updateTable('rewards')
    .set({
      ...(patch.category !== undefined && { category_code: patch.category }),
      ...(patch.texts !== undefined && { texts: JSON.stringify(patch.texts) }),
      ...(patch.images !== undefined && { images: patch.images }),
      ...(patch.pricePoints !== undefined && { price_points: patch.pricePoints }),
      ...(patch.stock !== undefined && { stock: patch.stock }),
      ...(patch.active !== undefined && { active: patch.active }),
      ...(patch.validFrom !== undefined && { valid_from: patch.validFrom }),
      ...(patch.validUntil !== undefined && { valid_until: patch.validUntil }),
      ...(patch.eligibility !== undefined && {
        min_tier: patch.eligibility.minTier,
        tier_tags: patch.eligibility.tierTags,
        segments: patch.eligibility.segments,
        roles: patch.eligibility.roles,
        countries: patch.eligibility.countries,
      }),
      ...(patch.limits !== undefined && {
        limit_per_member: patch.limits.perMember,
        limit_per_account: patch.limits.perAccount,
        limit_period: patch.limits.period,
      }),
      ...(patch.cashValueMinor !== undefined && { cash_value_minor: patch.cashValueMinor }),
      ...(patch.eventAt !== undefined && { event_at: patch.eventAt }),
      updated_at: now,
    })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toReward(row);
}

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** A reward by id or by code; undefined when the program has none. */
export async function findReward(db: Db, programId: string, idOrCode: string): Promise<Reward | undefined> {
  const row = await db
    .selectFrom('rewards')
    .selectAll()
    .where('program_id', '=', programId)
    .where(isUuid(idOrCode) ? 'id' : 'code', '=', idOrCode)
    .executeTakeFirst();
  return row && toReward(row);
}

export async function getReward(db: Db, programId: string, idOrCode: string): Promise<Reward> {
  const reward = await findReward(db, programId, idOrCode);
  if (!reward) throw new LojalError('not_found', { entity: 'reward', id: idOrCode });
  return reward;
}

/** The reward's conditions with its minimum tier as a rank, for the pure eligibility check. */
export function conditionsOf(reward: Reward, tierRanks: Map<string, number>): RewardConditions {
  return {
    active: reward.active,
    validFrom: reward.validFrom,
    validUntil: reward.validUntil,
    minTierRank: reward.eligibility.minTier ? (tierRanks.get(reward.eligibility.minTier) ?? Number.MAX_SAFE_INTEGER) : null,
    tierTags: reward.eligibility.tierTags,
    segments: reward.eligibility.segments,
    roles: reward.eligibility.roles,
    countries: reward.eligibility.countries,
  };
}

export interface RewardFilters {
  category?: string | undefined;
  type?: RewardType | undefined;
  active?: boolean | undefined;
  /** Case-insensitive "contains" on the code and the names in every language. */
  q?: string | undefined;
  maxPoints?: number | undefined;
  /** Only what this buyer may order now (tier, segment, role, country, validity, stock). */
  orderableBy?: { tierRank: number | null; tierTags: string[]; segment: string | null; segments?: readonly string[] | undefined; role: string | null; country: string | null; now: Date } | undefined;
}

/** The catalogue, cheapest first, filtered in SQL so that pages stay full. */
export async function listRewards(db: Db, programId: string, f: RewardFilters & PageParams): Promise<Page<Reward>> {
  const limit = pageSize(f);
  const after = decodeCursor(f.cursor, z.tuple([z.number(), z.uuid()]));
  let q = db.selectFrom('rewards').selectAll('rewards').where('rewards.program_id', '=', programId);
  if (f.category) q = q.where('category_code', '=', f.category);
  if (f.type) q = q.where('type', '=', f.type);
  if (f.active !== undefined) q = q.where('active', '=', f.active);
  if (f.maxPoints !== undefined) q = q.where('price_points', '<=', f.maxPoints);
  if (f.q) {
    const pattern = containsPattern(f.q);
    q = q.where((eb) => eb.or([eb('code', 'ilike', pattern), eb(sql`texts::text`, 'ilike', pattern)]));
  }
  const b = f.orderableBy;
  if (b) {
    q = q
      .where('active', '=', true)
      .where((eb) => eb.or([eb('valid_from', 'is', null), eb('valid_from', '<=', b.now)]))
      .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', b.now)]))
      .where((eb) => eb.or([eb('stock', 'is', null), eb('stock', '>', 0)]))
      .where(sql<boolean>`(cardinality(tier_tags) = 0 OR tier_tags && ${b.tierTags}::text[])`)
      .where(sql<boolean>`(cardinality(segments) = 0 OR ${b.segment} = ANY(segments) OR segments && ${[...(b.segments ?? [])]}::text[])`)
      .where(sql<boolean>`(cardinality(roles) = 0 OR ${b.role} = ANY(roles))`)
      .where(sql<boolean>`(cardinality(countries) = 0 OR ${b.country} = ANY(countries))`)
      .where(
        sql<boolean>`(min_tier IS NULL OR (SELECT rank FROM tier_levels t WHERE t.program_id = rewards.program_id AND t.code = rewards.min_tier) <= ${b.tierRank ?? 0})`,
      );
  }
  if (after) q = q.where(sql<boolean>`(price_points, id) > (${after[0]}, ${after[1]}::uuid)`);
  const rows = await q.orderBy('price_points').orderBy('id').limit(limit + 1).execute();
  return toPage(rows, limit, (r) => [Number(r.price_points), r.id], toReward);
}
