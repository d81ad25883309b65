import { describe, expect, it } from 'vitest';
import { capKey, evaluate, periodKey } from '../../src/rules/engine.js';
import type { EngineResult, Period, RuleTrace, UsageDelta } from '../../src/rules/types.js';
import { behaviour, context, line, LINES, purchase, rule, TZ as STHLM, type ContextInput } from './fixtures.js';

type P = [ruleId: string, recipient: 'account' | 'member', points: number, basisLines: number[]];
type T = [ruleId: string, outcome: RuleTrace['outcome'], key: string];

interface Case extends ContextInput {
  name: string;
  postings: P[];
  trace?: T[];
  usageDeltas?: UsageDelta[];
}

function compact(result: EngineResult): { postings: P[]; trace: T[] } {
  return {
    postings: result.postings.map((p) => [p.ruleId, p.recipient, p.points, p.basisLines]),
    trace: result.trace.map((t) => [t.ruleId, t.outcome, t.explanation.key]),
  };
}

function run(cases: Case[]): void {
  it.each(cases)('$name', (c) => {
    const result = evaluate(context(c));
    const got = compact(result);
    expect(got.postings).toEqual(c.postings);
    if (c.trace) expect(got.trace).toEqual(c.trace);
    if (c.usageDeltas) expect(result.usage).toEqual(c.usageDeltas);
  });
}

const ten = { type: 'fixed', points: 10 } as const;
const paid: P = ['r', 'account', 10, [1, 2]];
const paidBehaviour: P = ['r', 'account', 10, []];
const notMatched = (why: string): T[] => [['r', 'not_matched', `explain.notMatched.${why}`]];

/** Sunday 22 November 2026 23:30 UTC is Monday 23 November 00:30 in Stockholm. */
const SUNDAY_NIGHT_UTC = new Date('2026-11-22T23:30:00Z');
/** Monday 30 November 23:30 UTC is Tuesday 1 December 00:30 in Stockholm. */
const MONTH_END_UTC = new Date('2026-11-30T23:30:00Z');
/** Sunday 29 November 23:30 UTC is Monday 30 November (ISO week 49) in Stockholm. */
const WEEK_END_UTC = new Date('2026-11-29T23:30:00Z');
/** 31 December 2026 23:30 UTC is 1 January 2027 in Stockholm. */
const YEAR_END_UTC = new Date('2026-12-31T23:30:00Z');

describe('conditions', () => {
  const attrs = { channel: 'web', order: { kind: 'reorder', items: 5 }, code: '5', flag: null };
  const attr = (cond: object) => ({
    event: purchase({ attributes: attrs }),
    rules: [rule('r', { effect: ten, conditions: { attributes: [cond as never] } })],
  });

  run([
    { name: 'eventTypes: a listed type matches', rules: [rule('r', { effect: ten, conditions: { eventTypes: ['purchase', 'app.login'] } })], postings: [paid] },
    { name: 'eventTypes: an unlisted type does not', rules: [rule('r', { effect: ten, conditions: { eventTypes: ['app.login'] } })], postings: [], trace: notMatched('eventType') },
    { name: 'eventTypes absent: any type matches', event: behaviour('app.login'), rules: [rule('r', { effect: ten })], postings: [paidBehaviour] },
    { name: 'eventTypes absent: a return never matches', event: behaviour('return'), rules: [rule('r', { effect: ten })], postings: [], trace: notMatched('eventType') },
    { name: 'eventTypes listing return: still never matches', event: behaviour('return'), rules: [rule('r', { effect: ten, conditions: { eventTypes: ['return'] } })], postings: [], trace: notMatched('eventType') },

    { name: 'attribute eq: string', ...attr({ path: 'channel', op: 'eq', value: 'web' }), postings: [paid] },
    { name: 'attribute eq: dotted path', ...attr({ path: 'order.kind', op: 'eq', value: 'reorder' }), postings: [paid] },
    { name: 'attribute eq: no type coercion ("5" ≠ 5)', ...attr({ path: 'code', op: 'eq', value: 5 }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute eq: missing attribute', ...attr({ path: 'campaign', op: 'eq', value: 'x' }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute neq: different value', ...attr({ path: 'channel', op: 'neq', value: 'app' }), postings: [paid] },
    { name: 'attribute neq: missing attribute counts as different', ...attr({ path: 'campaign', op: 'neq', value: 'x' }), postings: [paid] },
    { name: 'attribute neq: equal value', ...attr({ path: 'channel', op: 'neq', value: 'web' }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute in: listed', ...attr({ path: 'channel', op: 'in', value: ['app', 'web'] }), postings: [paid] },
    { name: 'attribute in: number listed', ...attr({ path: 'order.items', op: 'in', value: [4, 5] }), postings: [paid] },
    { name: 'attribute in: not listed', ...attr({ path: 'order.items', op: 'in', value: [1, 2] }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute gte: equal bound', ...attr({ path: 'order.items', op: 'gte', value: 5 }), postings: [paid] },
    { name: 'attribute gte: below', ...attr({ path: 'order.items', op: 'gte', value: 6 }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute gte: numeric string is not a number', ...attr({ path: 'code', op: 'gte', value: 1 }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute lte: equal bound', ...attr({ path: 'order.items', op: 'lte', value: 5 }), postings: [paid] },
    { name: 'attribute lte: above', ...attr({ path: 'order.items', op: 'lte', value: 4 }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute exists: present', ...attr({ path: 'order.kind', op: 'exists' }), postings: [paid] },
    { name: 'attribute exists: null is absent', ...attr({ path: 'flag', op: 'exists' }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute exists: prototype names are not attributes', ...attr({ path: 'constructor', op: 'exists' }), postings: [], trace: notMatched('attribute') },
    { name: 'attribute exists: path through a string', ...attr({ path: 'channel.length', op: 'exists' }), postings: [], trace: notMatched('attribute') },

    { name: 'account segment: listed', rules: [rule('r', { effect: ten, conditions: { account: { segments: ['retail', 'installers'] } } })], postings: [paid] },
    { name: 'account segment: not listed', rules: [rule('r', { effect: ten, conditions: { account: { segments: ['retail'] } } })], postings: [], trace: notMatched('accountSegment') },
    { name: 'account segment: account without segment', account: { id: 'acc-1', segment: null, tags: [], tier: null, country: null }, rules: [rule('r', { effect: ten, conditions: { account: { segments: ['retail'] } } })], postings: [], trace: notMatched('accountSegment') },
    { name: 'account tagsAny: one shared tag is enough', rules: [rule('r', { effect: ten, conditions: { account: { tagsAny: ['south', 'north'] } } })], postings: [paid] },
    { name: 'account tagsAny: no shared tag', rules: [rule('r', { effect: ten, conditions: { account: { tagsAny: ['south'] } } })], postings: [], trace: notMatched('accountTags') },
    { name: 'account tier: listed', rules: [rule('r', { effect: ten, conditions: { account: { tiers: ['gold'] } } })], postings: [paid] },
    { name: 'account tier: not listed', rules: [rule('r', { effect: ten, conditions: { account: { tiers: ['silver'] } } })], postings: [], trace: notMatched('accountTier') },
    { name: 'account country: listed', rules: [rule('r', { effect: ten, conditions: { account: { countries: ['NO', 'SE'] } } })], postings: [paid] },
    { name: 'account country: not listed', rules: [rule('r', { effect: ten, conditions: { account: { countries: ['NO'] } } })], postings: [], trace: notMatched('accountCountry') },

    { name: 'member role: listed', rules: [rule('r', { effect: ten, conditions: { member: { roles: ['buyer'] } } })], postings: [paid] },
    { name: 'member role: not listed', rules: [rule('r', { effect: ten, conditions: { member: { roles: ['owner'] } } })], postings: [], trace: notMatched('memberRole') },
    { name: 'member role: event without member', member: null, rules: [rule('r', { effect: ten, conditions: { member: { roles: ['buyer'] } } })], postings: [], trace: notMatched('memberRequired') },
    { name: 'member tagsAny: shared', rules: [rule('r', { effect: ten, conditions: { member: { tagsAny: ['app', 'x'] } } })], postings: [paid] },
    { name: 'member tagsAny: none shared', rules: [rule('r', { effect: ten, conditions: { member: { tagsAny: ['x'] } } })], postings: [], trace: notMatched('memberTags') },
    { name: 'member tier: listed', rules: [rule('r', { effect: ten, conditions: { member: { tiers: ['silver'] } } })], postings: [paid] },
    { name: 'member tier: not listed', rules: [rule('r', { effect: ten, conditions: { member: { tiers: ['gold'] } } })], postings: [], trace: notMatched('memberTier') },
    { name: 'member required: present', rules: [rule('r', { effect: ten, conditions: { member: { required: true } } })], postings: [paid] },
    { name: 'member required: absent', member: null, rules: [rule('r', { effect: ten, conditions: { member: { required: true } } })], postings: [], trace: notMatched('memberRequired') },
    { name: 'member not required: absent is fine', member: null, rules: [rule('r', { effect: ten, conditions: { member: { required: false } } })], postings: [paid] },

    { name: 'dateFrom: local date (1 Dec) counts, not the UTC date (30 Nov)', event: purchase({ occurredAt: MONTH_END_UTC }), rules: [rule('r', { effect: ten, conditions: { dateFrom: '2026-12-01' } })], postings: [paid] },
    { name: 'dateTo: local date is already past it', event: purchase({ occurredAt: MONTH_END_UTC }), rules: [rule('r', { effect: ten, conditions: { dateTo: '2026-11-30' } })], postings: [], trace: notMatched('dateWindow') },
    { name: 'date window: one-day window is inclusive', event: purchase({ occurredAt: MONTH_END_UTC }), rules: [rule('r', { effect: ten, conditions: { dateFrom: '2026-12-01', dateTo: '2026-12-01' } })], postings: [paid] },
    { name: 'date window: in UTC the same instant is still 30 Nov', timeZone: 'UTC', event: purchase({ occurredAt: MONTH_END_UTC }), rules: [rule('r', { effect: ten, conditions: { dateFrom: '2026-12-01' } })], postings: [], trace: notMatched('dateWindow') },
    { name: 'weekdays: local Monday although Sunday in UTC', event: purchase({ occurredAt: SUNDAY_NIGHT_UTC }), rules: [rule('r', { effect: ten, conditions: { weekdays: [1] } })], postings: [paid] },
    { name: 'weekdays: Sunday excluded locally', event: purchase({ occurredAt: SUNDAY_NIGHT_UTC }), rules: [rule('r', { effect: ten, conditions: { weekdays: [6, 7] } })], postings: [], trace: notMatched('weekday') },

    { name: 'lines: sku filter picks its line as basis', rules: [rule('r', { effect: ten, conditions: { lines: { skus: ['HLM-2'] } } })], postings: [['r', 'account', 10, [2]]] },
    { name: 'lines: category filter', rules: [rule('r', { effect: ten, conditions: { lines: { categories: ['tools'] } } })], postings: [['r', 'account', 10, [1]]] },
    { name: 'lines: brand filter without match', rules: [rule('r', { effect: ten, conditions: { lines: { brands: ['nope'] } } })], postings: [], trace: notMatched('lines') },
    { name: 'lines: margin class filter', rules: [rule('r', { effect: ten, conditions: { lines: { marginClasses: ['low'] } } })], postings: [['r', 'account', 10, [2]]] },
    { name: 'lines: all lists must hold for a line', rules: [rule('r', { effect: ten, conditions: { lines: { categories: ['tools', 'safety'], brands: ['bolt'] } } })], postings: [['r', 'account', 10, [2]]] },
    { name: 'lines: null category never matches', event: purchase({ lines: [line(7, 1000)] }), rules: [rule('r', { effect: ten, conditions: { lines: { categories: ['tools'] } } })], postings: [], trace: notMatched('lines') },
    { name: 'lines: a behaviour event never matches a filter', event: behaviour('app.login'), rules: [rule('r', { effect: ten, conditions: { lines: { categories: ['tools'] } } })], postings: [], trace: notMatched('lines') },

    { name: 'minAmount: met exactly by the matching lines', rules: [rule('r', { effect: ten, conditions: { lines: { categories: ['tools'] }, minAmount: 100_000 } })], postings: [['r', 'account', 10, [1]]] },
    { name: 'minAmount: only matching lines count', rules: [rule('r', { effect: ten, conditions: { lines: { categories: ['tools'] }, minAmount: 100_001 } })], postings: [], trace: notMatched('minAmount') },
    { name: 'minAmount: without filter all lines count', rules: [rule('r', { effect: ten, conditions: { minAmount: 150_000 } })], postings: [paid] },
    { name: 'minAmount: behaviour event has nothing', event: behaviour('app.login'), rules: [rule('r', { effect: ten, conditions: { minAmount: 1 } })], postings: [], trace: notMatched('minAmount') },
  ]);
});

describe('effects', () => {
  const MAX = Number.MAX_SAFE_INTEGER; // 2^53 − 1
  run([
    { name: 'fixed: basis is every line', rules: [rule('r', { effect: { type: 'fixed', points: 7 } })], postings: [['r', 'account', 7, [1, 2]]] },
    { name: 'fixed: behaviour event has no basis lines', event: behaviour('app.login'), rules: [rule('r', { effect: ten })], postings: [paidBehaviour] },
    { name: 'perAmount: 1 per 10 SEK on 1 500 SEK', rules: [rule('r', { effect: { type: 'perAmount', points: 1, per: 1000 } })], postings: [['r', 'account', 150, [1, 2]]], trace: [['r', 'paid', 'explain.perAmount']] },
    { name: 'perAmount: rounds down (3 per 7 SEK → 642.86)', rules: [rule('r', { effect: { type: 'perAmount', points: 3, per: 700 } })], postings: [['r', 'account', 642, [1, 2]]] },
    { name: 'perAmount: only the matching lines', rules: [rule('r', { effect: { type: 'perAmount', points: 1, per: 1000 }, conditions: { lines: { brands: ['acme'] } } })], postings: [['r', 'account', 100, [1]]] },
    { name: 'perAmount: less than per pays nothing', rules: [rule('r', { effect: { type: 'perAmount', points: 1, per: 150_001 } })], postings: [], trace: [['r', 'nothing_to_pay', 'explain.nothingToPay.tooSmall']] },
    { name: 'perAmount: a negative total pays nothing', event: purchase({ lines: [line(1, -5000)] }), rules: [rule('r', { effect: { type: 'perAmount', points: 1, per: 100 } })], postings: [], trace: [['r', 'nothing_to_pay', 'explain.nothingToPay.tooSmall']] },
    { name: 'perAmount: behaviour event has nothing to pay on', event: behaviour('app.login'), rules: [rule('r', { effect: { type: 'perAmount', points: 1, per: 100 } })], postings: [], trace: [['r', 'nothing_to_pay', 'explain.nothingToPay.noLines']] },
    {
      name: 'perAmount: exact BigInt arithmetic on three lines of 2^53 − 1',
      event: purchase({ lines: [line(1, MAX), line(2, MAX), line(3, MAX)] }),
      rules: [rule('r', { effect: { type: 'perAmount', points: 1, per: 3 } })],
      // Floats would round the 3 × (2^53 − 1) sum and pay 9007199254740990.
      postings: [['r', 'account', 9_007_199_254_740_991, [1, 2, 3]]],
    },
    { name: 'upsell: high margin lines by default', rules: [rule('r', { effect: { type: 'upsell', points: 5, per: 10_000 } })], postings: [['r', 'account', 50, [1]]], trace: [['r', 'paid', 'explain.upsell']] },
    { name: 'upsell: custom margin classes', rules: [rule('r', { effect: { type: 'upsell', points: 5, per: 10_000, marginClasses: ['low'] } })], postings: [['r', 'account', 25, [2]]] },
    { name: 'upsell: intersected with the lines filter', rules: [rule('r', { effect: { type: 'upsell', points: 5, per: 10_000, marginClasses: ['high', 'low'] }, conditions: { lines: { brands: ['bolt'] } } })], postings: [['r', 'account', 25, [2]]] },
    { name: 'upsell: no high-margin line', event: purchase({ lines: [LINES[1]!] }), rules: [rule('r', { effect: { type: 'upsell', points: 5, per: 10_000 } })], postings: [], trace: [['r', 'nothing_to_pay', 'explain.nothingToPay.noMarginLines']] },
    {
      name: 'crossSell: only categories never bought, each once, null categories ignored',
      event: purchase({
        lines: [
          ...LINES,
          line(3, 20_000, { category: 'lighting' }),
          line(4, 1_000, { category: 'tools' }),
          line(5, 3_000, { category: null }),
          line(6, 4_000, { category: 'safety' }),
        ],
      }),
      categoriesBought: ['tools'],
      rules: [rule('r', { effect: { type: 'crossSell', points: 200 } })],
      postings: [['r', 'account', 400, [2, 3, 6]]],
      trace: [['r', 'paid', 'explain.crossSell']],
    },
    { name: 'crossSell: everything bought before', categoriesBought: ['tools', 'safety'], rules: [rule('r', { effect: { type: 'crossSell', points: 200 } })], postings: [], trace: [['r', 'nothing_to_pay', 'explain.nothingToPay.noNewCategories']] },
    { name: 'crossSell: limited to the lines filter', categoriesBought: [], rules: [rule('r', { effect: { type: 'crossSell', points: 200 }, conditions: { lines: { marginClasses: ['low'] } } })], postings: [['r', 'account', 200, [2]]] },
    { name: 'crossSell: behaviour event', event: behaviour('app.login'), rules: [rule('r', { effect: { type: 'crossSell', points: 200 } })], postings: [], trace: [['r', 'nothing_to_pay', 'explain.nothingToPay.noLines']] },
  ]);

  it('refuses to pay more than Number.MAX_SAFE_INTEGER points', () => {
    const ctx = context({
      event: purchase({ lines: [line(1, MAX)] }),
      rules: [rule('r', { effect: { type: 'perAmount', points: 1_000_000_000, per: 1 } })],
    });
    expect(() => evaluate(ctx)).toThrow(expect.objectContaining({ code: 'points_limit_exceeded' }));
  });

  it('reports amounts beyond 2^53 as exact decimal strings', () => {
    const result = evaluate(
      context({
        event: purchase({ lines: [line(1, MAX), line(2, MAX), line(3, MAX)] }),
        rules: [rule('r', { effect: { type: 'perAmount', points: 1, per: 3 } })],
      }),
    );
    expect(result.postings[0]?.explanation.params.amount).toBe('27021597764222973');
  });
});

describe('recipients', () => {
  const r101 = (recipient: object) => [rule('r', { effect: { type: 'fixed', points: 101 }, recipient: recipient as never })];
  run([
    { name: 'account', rules: r101({ type: 'account' }), postings: [['r', 'account', 101, [1, 2]]] },
    { name: 'member', rules: r101({ type: 'member' }), postings: [['r', 'member', 101, [1, 2]]] },
    { name: 'member without member falls back to the account', member: null, rules: r101({ type: 'member' }), postings: [['r', 'account', 101, [1, 2]]] },
    { name: 'split 70/30 of 101: company rounds down, member gets the rest', rules: r101({ type: 'split', accountPercent: 70 }), postings: [['r', 'account', 70, [1, 2]], ['r', 'member', 31, [1, 2]]] },
    { name: 'split without member: all to the company', member: null, rules: r101({ type: 'split', accountPercent: 70 }), postings: [['r', 'account', 101, [1, 2]]] },
    { name: 'split 100: no empty member posting', rules: r101({ type: 'split', accountPercent: 100 }), postings: [['r', 'account', 101, [1, 2]]] },
    { name: 'split 0: no empty company posting', rules: r101({ type: 'split', accountPercent: 0 }), postings: [['r', 'member', 101, [1, 2]]] },
    { name: 'split of 1 point at 70 %: company share rounds to 0', rules: [rule('r', { effect: { type: 'fixed', points: 1 }, recipient: { type: 'split', accountPercent: 70 } })], postings: [['r', 'member', 1, [1, 2]]] },
  ]);
});

describe('caps', () => {
  const fb = (caps: object[], points = 25, recipient: object = { type: 'account' }) => [
    rule('fb', { effect: { type: 'fixed', points }, caps: caps as never, recipient: recipient as never }),
  ];
  const month = { scope: 'account', period: 'month', maxPoints: 100 };
  const KEY_NOV = 'fb|account|acc-1|month:2026-11';
  run([
    { name: 'under the cap: pays and reports usage', rules: fb([month]), postings: [['fb', 'account', 25, [1, 2]]], usageDeltas: [{ key: KEY_NOV, points: 25, times: 1 }] },
    { name: 'partly used: pays what is left', usage: { [KEY_NOV]: { points: 90, times: 4 } }, rules: fb([month]), postings: [['fb', 'account', 10, [1, 2]]], trace: [['fb', 'paid', 'explain.fixed']], usageDeltas: [{ key: KEY_NOV, points: 10, times: 1 }] },
    { name: 'used up: capped, no usage', usage: { [KEY_NOV]: { points: 100, times: 4 } }, rules: fb([month]), postings: [], trace: [['fb', 'capped', 'explain.capped.month']], usageDeltas: [] },
    {
      name: 'maxTimes reached (member, day)',
      usage: { 'fb|member|mem-1|day:2026-11-23': { points: 10, times: 1 } },
      rules: fb([{ scope: 'member', period: 'day', maxTimes: 1 }], 10, { type: 'member' }),
      postings: [],
      trace: [['fb', 'capped', 'explain.capped.day']],
    },
    {
      name: 'maxTimes not reached yet',
      usage: { 'fb|member|mem-1|day:2026-11-23': { points: 10, times: 1 } },
      rules: fb([{ scope: 'member', period: 'day', maxTimes: 2 }], 10, { type: 'member' }),
      postings: [['fb', 'member', 10, [1, 2]]],
      usageDeltas: [{ key: 'fb|member|mem-1|day:2026-11-23', points: 10, times: 1 }],
    },
    { name: 'member cap skipped when the event has no member', member: null, rules: fb([{ scope: 'member', period: 'day', maxTimes: 1 }]), postings: [['fb', 'account', 25, [1, 2]]], usageDeltas: [] },
    {
      name: 'day: the local day of a Sunday-night-UTC event is Monday',
      event: purchase({ occurredAt: SUNDAY_NIGHT_UTC }),
      usage: { 'fb|account|acc-1|day:2026-11-23': { points: 25, times: 1 } },
      rules: fb([{ scope: 'account', period: 'day', maxPoints: 25 }]),
      postings: [],
      trace: [['fb', 'capped', 'explain.capped.day']],
    },
    {
      name: 'week: Monday 30 Nov local starts ISO week 49, so week 48 usage does not count',
      event: purchase({ occurredAt: WEEK_END_UTC }),
      usage: { 'fb|account|acc-1|week:2026-W48': { points: 25, times: 1 } },
      rules: fb([{ scope: 'account', period: 'week', maxPoints: 25 }]),
      postings: [['fb', 'account', 25, [1, 2]]],
      usageDeltas: [{ key: 'fb|account|acc-1|week:2026-W49', points: 25, times: 1 }],
    },
    {
      name: 'week: the same instant in UTC is still week 48',
      timeZone: 'UTC',
      event: purchase({ occurredAt: WEEK_END_UTC }),
      usage: { 'fb|account|acc-1|week:2026-W48': { points: 25, times: 1 } },
      rules: fb([{ scope: 'account', period: 'week', maxPoints: 25 }]),
      postings: [],
      trace: [['fb', 'capped', 'explain.capped.week']],
    },
    {
      name: 'month: 30 Nov 23:30 UTC counts toward December in Stockholm',
      event: purchase({ occurredAt: MONTH_END_UTC }),
      usage: { [KEY_NOV]: { points: 100, times: 4 } },
      rules: fb([month]),
      postings: [['fb', 'account', 25, [1, 2]]],
      usageDeltas: [{ key: 'fb|account|acc-1|month:2026-12', points: 25, times: 1 }],
    },
    {
      name: 'year: New Year in Stockholm before it is in UTC',
      event: purchase({ occurredAt: YEAR_END_UTC }),
      usage: { 'fb|account|acc-1|year:2026': { points: 25, times: 1 } },
      rules: fb([{ scope: 'account', period: 'year', maxPoints: 25 }]),
      postings: [['fb', 'account', 25, [1, 2]]],
      usageDeltas: [{ key: 'fb|account|acc-1|year:2027', points: 25, times: 1 }],
    },
    {
      name: 'lifetime',
      usage: { 'fb|account|acc-1|lifetime': { points: 990, times: 50 } },
      rules: fb([{ scope: 'account', period: 'lifetime', maxPoints: 1000 }]),
      postings: [['fb', 'account', 10, [1, 2]]],
      usageDeltas: [{ key: 'fb|account|acc-1|lifetime', points: 10, times: 1 }],
    },
    {
      name: 'tightest cap wins and every cap counts what was paid',
      usage: { [KEY_NOV]: { points: 80, times: 3 } },
      rules: fb([{ scope: 'account', period: 'day', maxPoints: 50 }, month]),
      postings: [['fb', 'account', 20, [1, 2]]],
      usageDeltas: [
        { key: 'fb|account|acc-1|day:2026-11-23', points: 20, times: 1 },
        { key: KEY_NOV, points: 20, times: 1 },
      ],
    },
    {
      name: 'tightest cap wins: an exhausted maxTimes beats room left in maxPoints',
      usage: { 'fb|member|mem-1|day:2026-11-23': { points: 30, times: 3 } },
      rules: fb([{ scope: 'account', period: 'month', maxPoints: 1000 }, { scope: 'member', period: 'day', maxTimes: 3 }]),
      postings: [],
      trace: [['fb', 'capped', 'explain.capped.day']],
      usageDeltas: [],
    },
    {
      name: 'cap applies before the split',
      rules: fb([{ scope: 'account', period: 'month', maxPoints: 50 }], 101, { type: 'split', accountPercent: 70 }),
      postings: [['fb', 'account', 35, [1, 2]], ['fb', 'member', 15, [1, 2]]],
      usageDeltas: [{ key: KEY_NOV, points: 50, times: 1 }],
    },
    {
      name: 'usage paid earlier in the same call counts',
      rules: [
        rule('fb', { effect: ten, caps: [{ scope: 'account', period: 'day', maxTimes: 1 }] }, { version: 1 }),
        rule('fb', { effect: ten, caps: [{ scope: 'account', period: 'day', maxTimes: 1 }] }, { version: 2 }),
      ],
      postings: [['fb', 'account', 10, [1, 2]]],
      trace: [['fb', 'paid', 'explain.fixed'], ['fb', 'capped', 'explain.capped.day']],
      usageDeltas: [{ key: 'fb|account|acc-1|day:2026-11-23', points: 10, times: 1 }],
    },
  ]);
});

describe('exclusive rules', () => {
  const x2 = rule('mul', { effect: { type: 'multiplier', factor: 2 } }, { priority: 0 });
  const low = rule('low', { effect: { type: 'fixed', points: 7 } }, { priority: 1 });
  const same = rule('same', { effect: { type: 'fixed', points: 5 } }, { priority: 10 });
  const exclusive = (over: object = {}) =>
    rule('ex', { effect: { type: 'fixed', points: 50 }, stacking: 'exclusive', ...over }, { priority: 10 });
  run([
    {
      name: 'blocks lower priority only; equal priority and multipliers still apply',
      rules: [low, x2, same, exclusive()],
      postings: [
        ['ex', 'account', 50, [1, 2]],
        ['same', 'account', 5, [1, 2]],
        ['mul', 'account', 50, [1, 2]],
        ['mul', 'account', 5, [1, 2]],
      ],
      trace: [
        ['ex', 'paid', 'explain.fixed'],
        ['same', 'paid', 'explain.fixed'],
        ['low', 'blocked_by_exclusive', 'explain.blockedByExclusive'],
        ['mul', 'paid', 'explain.multiplier'],
      ],
    },
    {
      name: 'an exclusive rule that does not match blocks nothing',
      rules: [low, exclusive({ conditions: { eventTypes: ['app.login'] } })],
      postings: [['low', 'account', 7, [1, 2]]],
    },
    {
      name: 'an exclusive rule that is capped blocks nothing',
      usage: { 'ex|account|acc-1|lifetime': { points: 50, times: 1 } },
      rules: [low, exclusive({ caps: [{ scope: 'account', period: 'lifetime', maxTimes: 1 }] })],
      postings: [['low', 'account', 7, [1, 2]]],
      trace: [['ex', 'capped', 'explain.capped.lifetime'], ['low', 'paid', 'explain.fixed']],
    },
  ]);
});

describe('multipliers', () => {
  const base = rule('base', { effect: { type: 'perAmount', points: 1, per: 1000 } }, { priority: 10 });
  const login = rule('login', { effect: ten }, { priority: 5 });
  const hundred = rule('base', { effect: { type: 'fixed', points: 100 } }, { priority: 10 });
  const mul = (id: string, factor: number, over: object = {}, priority = 0) =>
    rule(id, { effect: { type: 'multiplier', factor }, ...over }, { priority });
  run([
    {
      name: 'all base postings, run after base rules whatever their priority',
      rules: [mul('x2', 2, {}, 100), login, base],
      postings: [
        ['base', 'account', 150, [1, 2]],
        ['login', 'account', 10, [1, 2]],
        ['x2', 'account', 150, [1, 2]],
        ['x2', 'account', 10, [1, 2]],
      ],
      trace: [['base', 'paid', 'explain.perAmount'], ['login', 'paid', 'explain.fixed'], ['x2', 'paid', 'explain.multiplier']],
    },
    {
      name: 'targeted by ruleIds',
      rules: [base, login, rule('x2', { effect: { type: 'multiplier', factor: 2, ruleIds: ['login'] } })],
      postings: [['base', 'account', 150, [1, 2]], ['login', 'account', 10, [1, 2]], ['x2', 'account', 10, [1, 2]]],
    },
    {
      name: 'compounding: ×2 then ×1.5 on 100 (1.5 multiplies base + first extra)',
      rules: [hundred, mul('m15', 1.5, {}, 4), mul('m2', 2, {}, 5)],
      postings: [['base', 'account', 100, [1, 2]], ['m2', 'account', 100, [1, 2]], ['m15', 'account', 100, [1, 2]]],
    },
    {
      name: 'compounding: ×1.5 then ×2 on 100',
      rules: [hundred, mul('m15', 1.5, {}, 5), mul('m2', 2, {}, 4)],
      postings: [['base', 'account', 100, [1, 2]], ['m15', 'account', 50, [1, 2]], ['m2', 'account', 150, [1, 2]]],
    },
    {
      name: 'factor in hundredths: ×1.15 on 100 is 15 (floats would say 14)',
      rules: [hundred, mul('m', 1.15)],
      postings: [['base', 'account', 100, [1, 2]], ['m', 'account', 15, [1, 2]]],
    },
    {
      name: 'extra rounds down: ×1.25 on 150 is 37',
      rules: [base, mul('m', 1.25)],
      postings: [['base', 'account', 150, [1, 2]], ['m', 'account', 37, [1, 2]]],
    },
    {
      name: 'follows the recipients and basis of a split posting',
      rules: [rule('s', { effect: { type: 'fixed', points: 101 }, recipient: { type: 'split', accountPercent: 70 }, conditions: { lines: { brands: ['acme'] } } }), mul('x2', 2)],
      postings: [['s', 'account', 70, [1]], ['s', 'member', 31, [1]], ['x2', 'account', 70, [1]], ['x2', 'member', 31, [1]]],
    },
    {
      name: 'capped multiplier pays extras in posting order up to the cap',
      rules: [base, login, mul('x2', 2, { caps: [{ scope: 'account', period: 'month', maxPoints: 120 }] })],
      postings: [['base', 'account', 150, [1, 2]], ['login', 'account', 10, [1, 2]], ['x2', 'account', 120, [1, 2]]],
      usageDeltas: [{ key: 'x2|account|acc-1|month:2026-11', points: 120, times: 1 }],
    },
    {
      name: 'fully capped multiplier',
      usage: { 'x2|account|acc-1|day:2026-11-23': { points: 10, times: 1 } },
      rules: [base, mul('x2', 2, { caps: [{ scope: 'account', period: 'day', maxTimes: 1 }] })],
      postings: [['base', 'account', 150, [1, 2]]],
      trace: [['base', 'paid', 'explain.perAmount'], ['x2', 'capped', 'explain.capped.day']],
      usageDeltas: [],
    },
    {
      name: 'multiplier conditions: weekend campaign on a Monday',
      rules: [base, mul('x2', 2, { conditions: { weekdays: [6, 7] } })],
      postings: [['base', 'account', 150, [1, 2]]],
      trace: [['base', 'paid', 'explain.perAmount'], ['x2', 'not_matched', 'explain.notMatched.weekday']],
    },
    {
      name: 'nothing to multiply',
      rules: [rule('base', { effect: ten, conditions: { eventTypes: ['app.login'] } }), mul('x2', 2)],
      postings: [],
      trace: [['base', 'not_matched', 'explain.notMatched.eventType'], ['x2', 'nothing_to_pay', 'explain.nothingToPay.noBase']],
    },
    {
      name: 'targeting a rule that did not pay',
      rules: [base, rule('x2', { effect: { type: 'multiplier', factor: 2, ruleIds: ['login'] } })],
      postings: [['base', 'account', 150, [1, 2]]],
      trace: [['base', 'paid', 'explain.perAmount'], ['x2', 'nothing_to_pay', 'explain.nothingToPay.noBase']],
    },
  ]);
});

describe('explanations', () => {
  it('perAmount carries its numbers as integers', () => {
    const result = evaluate(context({ rules: [rule('r', { effect: { type: 'perAmount', points: 1, per: 1000 } }, { name: 'Points per SEK' })] }));
    expect(result.postings[0]?.explanation).toEqual({
      key: 'explain.perAmount',
      params: { rule: 'Points per SEK', rate: 1, per: 1000, amount: 150_000, points: 150, count: 150 },
    });
    expect(result.trace[0]?.explanation).toEqual(result.postings[0]?.explanation);
  });

  it('member fallback says the company got the points', () => {
    const result = evaluate(context({ member: null, rules: [rule('r', { effect: ten, recipient: { type: 'member' } }, { name: 'Login' })] }));
    const note = [{ key: 'note.noMember', params: {} }];
    expect(result.postings[0]?.explanation).toEqual({ key: 'explain.fixed', params: { rule: 'Login', points: 10, count: 10 }, notes: note });
    expect(result.trace[0]?.explanation.notes).toEqual(note);
  });

  it('split postings state their share, the trace the total', () => {
    const result = evaluate(context({ rules: [rule('r', { effect: { type: 'fixed', points: 101 }, recipient: { type: 'split', accountPercent: 70 } })] }));
    expect(result.postings.map((p) => [p.explanation.params.points, p.explanation.notes])).toEqual([
      [70, [{ key: 'note.split', params: { share: 70, total: 101 } }]],
      [31, [{ key: 'note.split', params: { share: 30, total: 101 } }]],
    ]);
    expect(result.trace[0]?.explanation).toEqual({ key: 'explain.fixed', params: { rule: 'r', points: 101, count: 101 } });
  });

  it('a partly capped posting notes the limit and the full amount', () => {
    const result = evaluate(
      context({
        usage: { 'r|account|acc-1|month:2026-11': { points: 90, times: 1 } },
        rules: [rule('r', { effect: { type: 'fixed', points: 25 }, caps: [{ scope: 'account', period: 'month', maxPoints: 100 }] })],
      }),
    );
    expect(result.postings[0]?.explanation.notes).toEqual([{ key: 'note.limited.month', params: { full: 25 } }]);
  });

  it('capped, blocked and not-matched entries name the reason', () => {
    const result = evaluate(
      context({
        usage: { 'c|account|acc-1|month:2026-11': { points: 100, times: 1 } },
        rules: [
          rule('c', { effect: ten, caps: [{ scope: 'account', period: 'month', maxPoints: 100, maxTimes: 5 }] }, { priority: 20, name: 'Capped' }),
          rule('ex', { effect: ten, stacking: 'exclusive' }, { priority: 10, name: 'Exclusive' }),
          rule('low', { effect: ten }, { priority: 1, name: 'Low' }),
          rule('nm', { effect: ten, conditions: { attributes: [{ path: 'channel', op: 'exists' }] } }, { priority: 30, name: 'Needs channel' }),
        ],
      }),
    );
    expect(result.trace.map((t) => t.explanation)).toEqual([
      { key: 'explain.notMatched.attribute', params: { rule: 'Needs channel', path: 'channel' } },
      { key: 'explain.capped.month', params: { rule: 'Capped', scope: 'account', maxPoints: 100, maxTimes: 5 } },
      { key: 'explain.fixed', params: { rule: 'Exclusive', points: 10, count: 10 } },
      { key: 'explain.blockedByExclusive', params: { rule: 'Low', by: 'Exclusive' } },
    ]);
  });

  it('crossSell lists the new categories in line order', () => {
    const result = evaluate(
      context({
        event: purchase({ lines: [line(1, 100, { category: 'safety' }), line(2, 100, { category: 'lighting' })] }),
        rules: [rule('r', { effect: { type: 'crossSell', points: 200 } })],
      }),
    );
    expect(result.postings[0]?.explanation.params).toEqual({ rule: 'r', rate: 200, categories: 'safety, lighting', newCategories: 2, points: 400, count: 400 });
  });

  it('multiplier postings name the factor and what they multiplied', () => {
    const result = evaluate(
      context({
        rules: [
          rule('base', { effect: { type: 'fixed', points: 100 } }, { priority: 1, name: 'Base' }),
          rule('m', { effect: { type: 'multiplier', factor: 1.5 } }, { name: 'Weekend' }),
        ],
      }),
    );
    expect(result.postings[1]?.explanation).toEqual({
      key: 'explain.multiplier',
      params: { rule: 'Weekend', factor: 1.5, base: 100, baseRules: 'Base', points: 50, count: 50 },
    });
    expect(result.postings[1]).toMatchObject({ ruleId: 'm', ruleVersion: 1, ruleName: 'Weekend' });
  });
});

describe('determinism and purity', () => {
  const rules = [
    rule('b', { effect: ten }, { priority: 5 }),
    rule('a', { effect: ten }, { priority: 5 }),
    rule('c', { effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'split', accountPercent: 50 } }, { priority: 9 }),
    rule('m', { effect: { type: 'multiplier', factor: 2 } }, { priority: 1 }),
  ];

  it('orders by priority, then id, whatever the input order', () => {
    const forward = evaluate(context({ rules }));
    const backward = evaluate(context({ rules: [...rules].reverse() }));
    expect(backward).toEqual(forward);
    expect(forward.trace.map((t) => t.ruleId)).toEqual(['c', 'a', 'b', 'm']);
  });

  it('gives the same result twice and leaves the input alone', () => {
    const ctx = context({ rules: Object.freeze([...rules]) as never });
    const first = evaluate(ctx);
    expect(evaluate(ctx)).toEqual(first);
    expect(ctx.rules.map((r) => r.id)).toEqual(['b', 'a', 'c', 'm']);
  });

  it('rejects an unknown time zone when it needs the calendar', () => {
    const ctx = context({ timeZone: 'Mars/Olympus', rules: [rule('r', { effect: ten, conditions: { weekdays: [1] } })] });
    expect(() => evaluate(ctx)).toThrow(RangeError);
  });

  it('rejects fractional amounts', () => {
    const ctx = context({ event: purchase({ lines: [line(1, 10.5)] }), rules: [rule('r', { effect: ten })] });
    expect(() => evaluate(ctx)).toThrow(/safe integer/);
  });
});

describe('periodKey', () => {
  const cases: Array<[string, Period, string, string, string]> = [
    ['day in Stockholm', 'day', '2026-11-22T23:30:00Z', STHLM, 'day:2026-11-23'],
    ['day in UTC', 'day', '2026-11-22T23:30:00Z', 'UTC', 'day:2026-11-22'],
    ['day west of UTC', 'day', '2026-11-23T03:00:00Z', 'America/New_York', 'day:2026-11-22'],
    ['day after spring DST change', 'day', '2026-03-29T22:30:00Z', STHLM, 'day:2026-03-30'],
    ['day after autumn DST change', 'day', '2026-10-24T22:30:00Z', STHLM, 'day:2026-10-25'],
    ['week: Monday 23 Nov 2026', 'week', '2026-11-23T10:00:00Z', STHLM, 'week:2026-W48'],
    ['week: Sunday 22 Nov 2026 in UTC', 'week', '2026-11-22T23:30:00Z', 'UTC', 'week:2026-W47'],
    ['week: same instant is Monday W48 in Stockholm', 'week', '2026-11-22T23:30:00Z', STHLM, 'week:2026-W48'],
    ['week: 1 Jan 2026 (Thursday) is W01', 'week', '2026-01-01T12:00:00Z', 'UTC', 'week:2026-W01'],
    ['week: 1 Jan 2027 (Friday) belongs to 2026-W53', 'week', '2027-01-01T12:00:00Z', 'UTC', 'week:2026-W53'],
    ['week: 30 Dec 2024 (Monday) belongs to 2025-W01', 'week', '2024-12-30T12:00:00Z', 'UTC', 'week:2025-W01'],
    ['week: 3 Jan 2021 (Sunday) belongs to 2020-W53', 'week', '2021-01-03T12:00:00Z', 'UTC', 'week:2020-W53'],
    ['week: 4 Jan 2027 starts 2027-W01', 'week', '2027-01-04T12:00:00Z', 'UTC', 'week:2027-W01'],
    ['month in Stockholm', 'month', '2026-11-30T23:30:00Z', STHLM, 'month:2026-12'],
    ['month in UTC', 'month', '2026-11-30T23:30:00Z', 'UTC', 'month:2026-11'],
    ['year in Stockholm', 'year', '2026-12-31T23:30:00Z', STHLM, 'year:2027'],
    ['lifetime', 'lifetime', '2026-12-31T23:30:00Z', STHLM, 'lifetime'],
  ];
  it.each(cases)('%s', (_name, period, at, tz, expected) => {
    expect(periodKey(period, new Date(at), tz)).toBe(expected);
  });

  it('capKey joins its parts', () => {
    expect(capKey('r1', 'member', 'mem-1', 'week:2026-W48')).toBe('r1|member|mem-1|week:2026-W48');
  });
});
