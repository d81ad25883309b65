/** The shop's pure rules: who may order what and when, the limit periods, and the order life cycle. */
import { describe, expect, it } from 'vitest';
import type { OrderState, RewardType } from '../../src/db/schema.js';
import { ineligibilities, periodStart, type Buyer, type RewardConditions } from '../../src/rewards/eligibility.js';
import { canTake, type OrderAction } from '../../src/rewards/fulfilment.js';

const open: RewardConditions = { active: true, validFrom: null, validUntil: null, minTierRank: null, tierTags: [], segments: [], roles: [], countries: [] };
const buyer: Buyer = { tierRank: 2, tierTags: ['priority'], role: 'foreman', segment: 'builder', country: 'SE' };
const now = new Date('2026-11-23T12:00:00Z');
const reasons = (r: Partial<RewardConditions>, b: Partial<Buyer> = {}) => ineligibilities({ ...open, ...r }, { ...buyer, ...b }, now).map((p) => p.reason);

describe('eligibility', () => {
  it.each([
    ['no conditions', {}, {}, []],
    ['inactive', { active: false }, {}, ['inactive']],
    ['not on sale yet', { validFrom: new Date('2026-12-01T00:00:00Z') }, {}, ['not_yet_valid']],
    ['valid from exactly now', { validFrom: now }, {}, []],
    ['offer ended', { validUntil: new Date('2026-06-30T22:00:00Z') }, {}, ['expired']],
    ['ends exactly now (exclusive)', { validUntil: now }, {}, ['expired']],
    ['tier reached', { minTierRank: 2 }, {}, []],
    ['tier too low', { minTierRank: 3 }, {}, ['tier']],
    ['no tier at all', { minTierRank: 1 }, { tierRank: null }, ['tier']],
    ['a tag of the buyer\'s level', { tierTags: ['premium', 'priority'] }, {}, []],
    ['no tag of the buyer\'s level', { tierTags: ['premium'] }, {}, ['tier_tag']],
    ['no level, no tags', { tierTags: ['premium'] }, { tierRank: null, tierTags: [] }, ['tier_tag']],
    ['segment allowed', { segments: ['builder', 'installer'] }, {}, []],
    ['segment not allowed', { segments: ['reseller'] }, {}, ['segment']],
    ['no segment on the account', { segments: ['reseller'] }, { segment: null }, ['segment']],
    ['role not allowed', { roles: ['owner', 'manager'] }, {}, ['role']],
    ['country not allowed', { countries: ['NO'] }, {}, ['country']],
    ['several at once, in a stable order', { active: false, minTierRank: 4, countries: ['NO'] }, {}, ['inactive', 'tier', 'country']],
  ] as const)('%s', (_, r, b, expected) => {
    expect(reasons(r as Partial<RewardConditions>, b as Partial<Buyer>)).toEqual(expected);
  });
});

describe('limit periods start on the program calendar', () => {
  const d = (year: number, month: number, day: number) => ({ year, month, day });
  it.each([
    ['day', d(2026, 11, 23), '2026-11-23'],
    ['week', d(2026, 11, 23), '2026-11-23'], // a Monday
    ['week', d(2026, 11, 29), '2026-11-23'], // the Sunday after
    ['week', d(2027, 1, 2), '2026-12-28'], // across the year end
    ['month', d(2026, 2, 28), '2026-02-01'],
    ['quarter', d(2026, 11, 23), '2026-10-01'],
    ['quarter', d(2026, 3, 31), '2026-01-01'],
    ['quarter', d(2026, 4, 1), '2026-04-01'],
    ['year', d(2026, 11, 23), '2026-01-01'],
    ['lifetime', d(2026, 11, 23), null],
  ] as const)('%s holding %j starts %s', (period, today, expected) => {
    expect(periodStart(period, today)).toBe(expected);
  });
});

describe('order life cycle', () => {
  const states: OrderState[] = ['pending_approval', 'placed', 'approved', 'shipped', 'delivered', 'issued', 'cancelled', 'rejected'];
  const actions: OrderAction[] = ['approve', 'reject', 'ship', 'deliver', 'issue', 'cancel'];
  const allowed = (type: RewardType) =>
    states.flatMap((s) => actions.filter((a) => canTake(type, s, a)).map((a) => `${s}:${a}`));

  it('goods: approve, ship or hand over, deliver; cancel before fulfilment only', () => {
    expect(allowed('physical')).toEqual([
      'pending_approval:approve', 'pending_approval:reject', 'pending_approval:cancel',
      'placed:approve', 'placed:cancel',
      'approved:ship', 'approved:deliver', 'approved:cancel',
      'shipped:deliver',
    ]);
    expect(allowed('experience')).toEqual(allowed('physical'));
  });

  it('codes, donations, cashback and content are issued, never shipped', () => {
    for (const type of ['code', 'charity', 'cashback', 'content'] as const) {
      expect(allowed(type)).toEqual([
        'pending_approval:approve', 'pending_approval:reject', 'pending_approval:cancel',
        'placed:approve', 'placed:cancel',
        'approved:issue', 'approved:cancel',
      ]);
    }
  });

  it('nothing leaves a final state', () => {
    for (const s of ['delivered', 'issued', 'cancelled', 'rejected'] as const) {
      for (const type of ['physical', 'code'] as const) expect(actions.filter((a) => canTake(type, s, a))).toEqual([]);
    }
  });
});
