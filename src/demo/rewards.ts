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
import type { OrderAction } from '../rewards/fulfilment.js';
import type { TransitionInput } from '../rewards/orders.js';
import { demoRewardCategories, demoRewards } from './reward-catalogue.js';

const approvalThresholdPoints = 100_000;

/** The steps each demo order is taken through after it is placed; the last state is what the demo shows. */
const journeys: OrderAction[][] = [
  [],
  ['approve'],
  ['approve', 'ship'],
  ['approve', 'ship', 'deliver'],
  ['approve', 'deliver'],
  ['cancel'],
];

export async function seedRewards(db: Db, program: Program, now: Date): Promise<{ rewards: number; orders: number }> {
  const pid = program.id;
  for (const [position, c] of demoRewardCategories.entries()) {
    await db.insertInto('reward_categories').values({ program_id: pid, code: c.code, names: JSON.stringify(c.names), position }).execute();
  }
  await db.insertInto('reward_settings').values({ program_id: pid, approval_threshold_points: approvalThresholdPoints }).execute();

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
        validFrom: r.validFrom ? new Date(r.validFrom).toISOString() : null,
        validUntil: r.validUntil ? new Date(r.validUntil).toISOString() : null,
        eligibility: { minTier: r.minTier ?? null, segments: r.segments ?? [], roles: r.roles ?? [], countries: r.countries ?? [] },
        limits: { perMember: r.limitPerMember ?? null, perAccount: r.limitPerAccount ?? null, period: r.limitPeriod ?? 'lifetime' },
        cashValueMinor: r.type === 'cashback' || r.type === 'charity' ? (r.cashValueMinor ?? null) : null,
        eventAt: r.eventDate ? new Date(r.eventDate).toISOString() : null,
      }),
    );
    if (reward.codeSource === 'pool') {
      const prefix = r.code.slice(0, 4).toUpperCase();
      await importCodes(db, pid, reward, Array.from({ length: 40 }, (_, i) => `${prefix}-${String(7001 + i * 37).padStart(5, '0')}`));
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
      if (order.state !== 'placed') continue;
      for (const step of journeys[placed % journeys.length]!) {
        // Content and services are handed over (issued), not shipped.
        const action: OrderAction | null = reward.type === 'content' && step === 'ship' ? 'issue' : reward.type === 'content' && step === 'deliver' ? null : step;
        if (!action) continue;
        const input: TransitionInput =
          action === 'ship' ? { tracking: { carrier: 'PostNord', trackingNumber: `SE${100200300 + placed}` } }
          : action === 'issue' ? { tracking: { details: 'Access link sent by e-mail' } }
          : action === 'cancel' ? { reason: 'Ordered by mistake' }
          : {};
        await transition(db, program, order.id, action, input, 'demo', { now });
      }
    } catch (err) {
      if (!isLojalError(err)) throw err;
    }
  }
  // The approval queue: the orders above the threshold wait, one is refused.
  const pending = await db.selectFrom('reward_orders').select('id').where('program_id', '=', pid).where('state', '=', 'pending_approval').orderBy('id').execute();
  if (pending.length > 1) await transition(db, program, pending[0]!.id, 'reject', { reason: 'Please order through your company account' }, 'demo', { now });
  return { rewards: rewards.length, orders: placed };
}
