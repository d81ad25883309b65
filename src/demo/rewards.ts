/**
 * The demo program's rewards shop: six categories and forty rewards in five languages (reward-catalogue.ts),
 * a pool of gift-card codes, an approval threshold, and orders in every state placed the way real members
 * would: by people with the points for them, paid from their own or (owners and managers) the company wallet.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isLojalError } from '../errors/index.js';
import type { Program } from '../programs/programs.js';
import { createReward, importCodes, placeOrder, rewardCreateSchema, transition } from '../rewards/index.js';
import { actionTarget, canTake, type OrderAction } from '../rewards/fulfilment.js';
import { setApprovalThreshold, upsertRewardCategory } from '../rewards/settings.js';
import type { RewardType } from '../db/schema.js';
import type { TransitionInput } from '../rewards/orders.js';
import { demoRewardCategories, demoRewards } from './reward-catalogue.js';

const approvalThresholdPoints = 100_000;

/** The steps that take a placed order to each state the demo shows. */
const journeyTo: Record<string, OrderAction[]> = {
  placed: [],
  approved: ['approve'],
  shipped: ['approve', 'ship'],
  delivered: ['approve', 'ship', 'deliver'],
  issued: ['approve', 'issue'],
  cancelled: ['cancel'],
};
const rotation = ['placed', 'approved', 'shipped', 'delivered', 'delivered', 'cancelled'];

/**
 * Where to take the `placed`-th order: first every state not shown yet that this kind of reward can reach (which
 * rewards are on offer depends on the day the demo is seeded), then round the rotation.
 */
function targetState(type: RewardType, placed: number, shown: Set<string>): string {
  const reachable = (state: string) => journeyTo[state]!.every((action, i) => canTake(type, i === 0 ? 'placed' : actionTarget[journeyTo[state]![i - 1]!], action));
  const missing = Object.keys(journeyTo).find((state) => !shown.has(state) && reachable(state));
  if (missing) return missing;
  const next = rotation[placed % rotation.length]!;
  return reachable(next) ? next : next === 'shipped' || next === 'delivered' ? 'issued' : next;
}

/**
 * The catalogue's seasonal offers and event dates were written for a demo seeded in 2026; seeded later, they move
 * on by whole years, so the demo shows the same mix of current, coming and past offers whenever it is seeded.
 */
function datesFrom2026(now: Date): (iso: string | undefined) => string | null {
  const years = Math.max(0, now.getUTCFullYear() - 2026);
  return (iso) => {
    if (!iso) return null;
    const at = new Date(iso);
    at.setUTCFullYear(at.getUTCFullYear() + years);
    return at.toISOString();
  };
}

export async function seedRewards(db: Db, program: Program, now: Date): Promise<{ rewards: number; orders: number }> {
  const pid = program.id;
  for (const [position, c] of demoRewardCategories.entries()) {
    await upsertRewardCategory(db, pid, c.code, c.names, position);
  }
  await setApprovalThreshold(db, pid, approvalThresholdPoints);

  const dated = datesFrom2026(now);
  const rewards = [];
  for (const r of demoRewards) {
    const reward = await createReward(
      db,
      pid,
      rewardCreateSchema.parse({
        code: r.code,
        type: r.type,
        codeSource: r.codeSource,
        category: r.category,
        texts: r.texts,
        pricePoints: r.pricePoints,
        stock: r.codeSource === 'pool' ? null : r.stock,
        validFrom: dated(r.validFrom),
        validUntil: dated(r.validUntil),
        eligibility: { minTier: r.minTier ?? null, segments: r.segments ?? [], roles: r.roles ?? [], countries: r.countries ?? [] },
        limits: { perMember: r.limitPerMember ?? null, perAccount: r.limitPerAccount ?? null, period: r.limitPeriod ?? 'lifetime' },
        cashValueMinor: r.type === 'cashback' || r.type === 'charity' ? (r.cashValueMinor ?? null) : null,
        eventAt: dated(r.eventDate),
      }),
      now,
    );
    if (reward.codeSource === 'pool') {
      const prefix = r.code.slice(0, 4).toUpperCase();
      await importCodes(db, pid, reward, Array.from({ length: 40 }, (_, i) => `${prefix}-${String(7001 + i * 37).padStart(5, '0')}`), now);
    }
    rewards.push(reward);
  }

  // Buyers: the richest people first, each paying from their own wallet; owners and managers also order
  // for the company. Eligibility, limits and stock are the shop's own rules: an order it refuses is skipped.
  const people = await sql<{ id: string; account_id: string; role: string | null; available: number; company: number }>`
    SELECT m.id, m.account_id, m.role, w.available, cw.available AS company
    FROM members m JOIN wallets w ON w.program_id = m.program_id AND w.id = m.id
    JOIN wallets cw ON cw.program_id = m.program_id AND cw.id = m.account_id
    WHERE m.program_id = ${pid} ORDER BY w.available DESC, m.id LIMIT 120`.execute(db);
  let placed = 0;
  let attempt = 0;
  const shown = new Set<string>();
  for (const person of people.rows) {
    if (placed >= 36) break;
    const payFrom = (person.role === 'owner' || person.role === 'manager') && attempt % 3 === 0 ? 'account' : 'member';
    const budget = Number(payFrom === 'account' ? person.company : person.available);
    const affordable = rewards.filter((r) => r.pricePoints <= budget);
    if (!affordable.length) continue;
    const reward = affordable[(attempt * 7) % affordable.length]!;
    attempt++;
    try {
      const { order } = await placeOrder(db, program, { reward: reward.id, memberId: person.id, quantity: 1, payFrom, idempotencyKey: `demo-order-${attempt}` }, 'demo', { now });
      placed++;
      shown.add(order.state);
      if (order.state !== 'placed') continue;
      const target = targetState(reward.type, placed, shown);
      for (const action of journeyTo[target]!) {
        const input: TransitionInput =
          action === 'ship' ? { tracking: { carrier: 'PostNord', trackingNumber: `SE${100200300 + placed}` } }
          : action === 'issue' ? { tracking: { details: 'Access link sent by e-mail' } }
          : action === 'cancel' ? { reason: 'Ordered by mistake' }
          : {};
        await transition(db, program, order.id, action, input, 'demo', { now });
      }
      shown.add(target);
    } catch (err) {
      if (!isLojalError(err)) throw err;
    }
  }
  // The approval queue: the orders above the threshold wait, one is refused.
  const pending = await db.selectFrom('reward_orders').select('id').where('program_id', '=', pid).where('state', '=', 'pending_approval').orderBy('id').execute();
  if (pending.length > 1) await transition(db, program, pending[0]!.id, 'reject', { reason: 'Please order through your company account' }, 'demo', { now });
  return { rewards: rewards.length, orders: placed };
}
