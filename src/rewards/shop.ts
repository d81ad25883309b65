/**
 * The shop as one buyer sees it: each reward with whether they may order it now (and why not) and whether
 * their balance (or their company's) pays for it. The API lists it for `?memberId`, the portal for the
 * signed-in member; both read it here so they always agree.
 */
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { PageParams } from '../http/pagination.js';
import type { Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { conditionsOf, listRewards, type Reward, type RewardFilters } from './catalogue.js';
import { ineligibilities } from './eligibility.js';
import { buyerFacts, limitsReached, tierRanks } from './orders.js';

export interface Availability {
  orderable: boolean;
  /** inactive, not_yet_valid, expired, tier, tier_tag, segment, role, country, out_of_stock, limit_reached */
  reasons: string[];
  affordable: boolean;
  balance: number;
}

export interface ShopQuery extends Omit<RewardFilters, 'orderableBy'>, PageParams {
  /** Only what the buyer may order now. */
  orderable?: boolean | undefined;
  /** Only what the buyer can pay for. */
  affordable?: boolean | undefined;
  /** Whose balance `affordable` looks at: the member's or their company's. */
  payFrom: 'member' | 'account';
}

export async function availableBalance(db: Db, programId: string, walletId: string): Promise<number> {
  const w = await db.selectFrom('wallets').select('available').where('program_id', '=', programId).where('id', '=', walletId).executeTakeFirst();
  return Number(w?.available ?? 0);
}

export async function shopFor(
  db: Db,
  program: Program,
  memberId: string,
  query: ShopQuery,
  now: Date,
): Promise<{ data: Array<{ reward: Reward; availability: Availability }>; nextCursor: string | null }> {
  const { orderable, affordable, payFrom, ...filters } = query;
  const buyer = await buyerFacts(db, program.id, memberId);
  if (!buyer) throw new LojalError('unknown_member', { member: memberId });
  const balance = await availableBalance(db, program.id, payFrom === 'account' ? buyer.accountId : memberId);
  const maxPoints = affordable ? Math.min(balance, filters.maxPoints ?? Number.MAX_SAFE_INTEGER) : filters.maxPoints;
  const page = await listRewards(db, program.id, { ...filters, maxPoints, orderableBy: orderable ? { ...buyer, now } : undefined });
  return { data: await judge(db, program, memberId, buyer, balance, page.data, now), nextCursor: page.nextCursor };
}

/** One reward as the buyer sees it (the portal's reward page). */
export async function rewardFor(db: Db, program: Program, memberId: string, reward: Reward, payFrom: 'member' | 'account', now: Date): Promise<Availability> {
  const buyer = await buyerFacts(db, program.id, memberId);
  if (!buyer) throw new LojalError('unknown_member', { member: memberId });
  const balance = await availableBalance(db, program.id, payFrom === 'account' ? buyer.accountId : memberId);
  return (await judge(db, program, memberId, buyer, balance, [reward], now))[0]!.availability;
}

async function judge(
  db: Db,
  program: Program,
  memberId: string,
  buyer: NonNullable<Awaited<ReturnType<typeof buyerFacts>>>,
  balance: number,
  rewards: Reward[],
  now: Date,
): Promise<Array<{ reward: Reward; availability: Availability }>> {
  const ranks = await tierRanks(db, program.id);
  const reached = await limitsReached(db, program, memberId, buyer.accountId, rewards, now);
  return rewards.map((r) => {
    const reasons: string[] = ineligibilities(conditionsOf(r, ranks), buyer, now).map((p) => p.reason);
    if (r.stock === 0) reasons.push('out_of_stock');
    if (reached.has(r.id)) reasons.push('limit_reached');
    return { reward: r, availability: { orderable: reasons.length === 0, reasons, affordable: r.pricePoints <= balance, balance } };
  });
}

export interface RewardCategory {
  code: string;
  name: string;
  names: Record<string, string>;
  position: number;
}

/** The shop's categories in display order, each named in the reader's language. */
export async function rewardCategories(db: Db, program: Program, lng: Language): Promise<RewardCategory[]> {
  const rows = await db.selectFrom('reward_categories').selectAll().where('program_id', '=', program.id).orderBy('position').orderBy('code').execute();
  return rows.map((r) => {
    const names = r.names as Record<string, string>;
    return { code: r.code, names, position: r.position, name: names[lng] ?? names[program.defaultLanguage] ?? names.en ?? r.code };
  });
}
