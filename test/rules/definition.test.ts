import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRuleDefinition, ruleDefinitionSchema } from '../../src/rules/definition.js';

const doc = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
const docExamples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '') as unknown);

const base = { conditions: {}, effect: { type: 'fixed', points: 10 }, recipient: { type: 'account' } };
const withConditions = (conditions: object) => ({ ...base, conditions });

describe('ruleDefinitionSchema: valid definitions', () => {
  it('docs/rules.md has the seven examples', () => {
    expect(docExamples).toHaveLength(7);
  });

  it.each(docExamples.map((example, i) => [i + 1, example] as const))('docs example %i parses unchanged', (_i, example) => {
    const result = ruleDefinitionSchema.safeParse(example);
    expect(result.success ? [] : result.error.issues).toEqual([]);
    expect(result.data).toEqual(example);
  });

  it.each([
    ['every condition at once', withConditions({
      eventTypes: ['purchase', 'order.placed', 'x'],
      attributes: [
        { path: 'channel', op: 'eq', value: 'web' },
        { path: 'survey.score', op: 'gte', value: 9 },
        { path: 'survey.score', op: 'lte', value: 10 },
        { path: 'flag', op: 'neq', value: true },
        { path: 'code', op: 'in', value: ['a', 1] },
        { path: 'coupon', op: 'exists' },
      ],
      account: { segments: ['installers'], tagsAny: ['gold'], tiers: ['gold'], countries: ['SE', 'NO'] },
      member: { roles: ['buyer'], tagsAny: ['app'], tiers: ['silver'], required: true },
      lines: { skus: ['A-1'], categories: ['tools'], brands: ['acme'], marginClasses: ['high'] },
      dateFrom: '2026-12-01',
      dateTo: '2026-12-01',
      weekdays: [1, 7],
      minAmount: 1,
    })],
    ['factor with two decimals', { ...base, effect: { type: 'multiplier', factor: 1.15, ruleIds: ['a'] } }],
    ['factor bounds', { ...base, effect: { type: 'multiplier', factor: 100 } }],
    ['split 0 %', { ...base, recipient: { type: 'split', accountPercent: 0 } }],
    ['maximum points', { ...base, effect: { type: 'fixed', points: 1_000_000_000 } }],
    ['caps on different periods and scopes', { ...base, caps: [
      { scope: 'account', period: 'day', maxPoints: 10 },
      { scope: 'member', period: 'day', maxTimes: 1 },
      { scope: 'account', period: 'lifetime', maxPoints: 10, maxTimes: 2 },
    ] }],
    ['upsell whose classes overlap the lines filter', { ...base, conditions: { lines: { marginClasses: ['high', 'low'] } }, effect: { type: 'upsell', points: 1, per: 100 } }],
    ['exclusive base rule', { ...base, stacking: 'exclusive' }],
  ])('%s', (_name, input) => {
    const result = parseRuleDefinition(input);
    expect(result).toEqual({ ok: true, definition: input });
  });
});

describe('ruleDefinitionSchema: rejected definitions', () => {
  const cases: Array<[name: string, input: unknown, error: string]> = [
    ['not an object', 'fixed', 'a rule definition must be an object with conditions, effect and recipient'],
    ['missing conditions', { effect: base.effect, recipient: base.recipient }, 'conditions: conditions must be an object (use {} for "always")'],
    ['unknown top-level field', { ...base, priority: 3 }, 'unknown field "priority"'],
    ['typo in a condition', withConditions({ eventType: ['purchase'] }), 'conditions: unknown field "eventType"'],
    ['empty list', withConditions({ eventTypes: [] }), 'conditions.eventTypes: eventTypes must not be empty; leave it out to mean "any"'],
    ['event type with capitals', withConditions({ eventTypes: ['Purchase'] }), 'conditions.eventTypes.0: event types start with a lowercase letter and use only a-z, 0-9, "_", "." and "-" (at most 64 characters)'],
    ['event type too long', withConditions({ eventTypes: ['a'.repeat(65)] }), 'conditions.eventTypes.0: event types start with a lowercase letter and use only a-z, 0-9, "_", "." and "-" (at most 64 characters)'],
    ['return events', withConditions({ eventTypes: ['purchase', 'return'] }), 'conditions.eventTypes.1: rules cannot earn points on "return" events; returns reverse earlier points'],
    ['unknown operator', withConditions({ attributes: [{ path: 'a', op: 'like', value: 'x' }] }), 'conditions.attributes.0.op: op must be one of eq, neq, in, gte, lte, exists'],
    ['gte with a string', withConditions({ attributes: [{ path: 'a', op: 'gte', value: '5' }] }), 'conditions.attributes.0.value: value for "gte" must be a number'],
    ['eq without value', withConditions({ attributes: [{ path: 'a', op: 'eq' }] }), 'conditions.attributes.0.value: value must be a string, a number or true/false'],
    ['in with an empty list', withConditions({ attributes: [{ path: 'a', op: 'in', value: [] }] }), 'conditions.attributes.0.value: value for "in" must not be empty; leave it out to mean "any"'],
    ['exists with a value', withConditions({ attributes: [{ path: 'a', op: 'exists', value: true }] }), 'conditions.attributes.0: op "exists" takes no value'],
    ['bad attribute path', withConditions({ attributes: [{ path: 'a..b', op: 'exists' }] }), 'conditions.attributes.0.path: path must be attribute names joined by dots, like "channel" or "survey.kind"'],
    ['lower-case country', withConditions({ account: { countries: ['se'] } }), 'conditions.account.countries.0: countries are two-letter ISO 3166-1 codes in capitals, like SE'],
    ['member.required not boolean', withConditions({ member: { required: 'yes' } }), 'conditions.member.required: member.required must be true or false'],
    ['impossible date', withConditions({ dateFrom: '2026-02-30' }), 'conditions.dateFrom: dateFrom must be a real calendar date written YYYY-MM-DD, like 2026-11-23'],
    ['date with time', withConditions({ dateTo: '2026-12-01T00:00:00Z' }), 'conditions.dateTo: dateTo must be a real calendar date written YYYY-MM-DD, like 2026-11-23'],
    ['dateFrom after dateTo', withConditions({ dateFrom: '2026-12-02', dateTo: '2026-12-01' }), 'conditions.dateTo: dateFrom must not be after dateTo'],
    ['weekday 0', withConditions({ weekdays: [0] }), 'conditions.weekdays.0: a weekday must be a whole number from 1 to 7'],
    ['weekday 8', withConditions({ weekdays: [8] }), 'conditions.weekdays.0: a weekday must be a whole number from 1 to 7'],
    ['fractional minAmount', withConditions({ minAmount: 10.5 }), 'conditions.minAmount: minAmount (minor units) must be a whole number at least 1'],
    ['unknown effect', { ...base, effect: { type: 'bonus', points: 1 } }, 'effect.type: effect.type must be one of fixed, perAmount, upsell, crossSell, multiplier'],
    ['zero points', { ...base, effect: { type: 'fixed', points: 0 } }, 'effect.points: points must be a whole number from 1 to 1000000000'],
    ['fractional points', { ...base, effect: { type: 'fixed', points: 1.5 } }, 'effect.points: points must be a whole number from 1 to 1000000000'],
    ['too many points', { ...base, effect: { type: 'fixed', points: 1_000_000_001 } }, 'effect.points: points must be a whole number from 1 to 1000000000'],
    ['points as a string', { ...base, effect: { type: 'fixed', points: '10' } }, 'effect.points: points must be a whole number from 1 to 1000000000'],
    ['per of zero', { ...base, effect: { type: 'perAmount', points: 1, per: 0 } }, 'effect.per: per (minor units) must be a whole number at least 1'],
    ['field of another effect', { ...base, effect: { type: 'fixed', points: 1, per: 100 } }, 'effect: unknown field "per"'],
    ['factor 1', { ...base, effect: { type: 'multiplier', factor: 1 } }, 'effect.factor: factor must be at least 1.01'],
    ['factor above 100', { ...base, effect: { type: 'multiplier', factor: 101 } }, 'effect.factor: factor must be at most 100'],
    ['factor with three decimals', { ...base, effect: { type: 'multiplier', factor: 1.555 } }, 'effect.factor: factor can have at most two decimals, like 1.5 or 1.25'],
    ['multiplier filtering lines', { ...base, conditions: { lines: { brands: ['acme'] } }, effect: { type: 'multiplier', factor: 2 } }, 'conditions.lines: a multiplier multiplies whole postings, so it cannot filter lines; put the lines filter on the base rule and list that rule in effect.ruleIds'],
    ['exclusive multiplier', { ...base, effect: { type: 'multiplier', factor: 2 }, stacking: 'exclusive' }, 'stacking: multipliers cannot be exclusive; they apply to whatever base rules paid'],
    ['upsell that can never pay', { ...base, conditions: { lines: { marginClasses: ['low'] } }, effect: { type: 'upsell', points: 1, per: 100 } }, 'effect.marginClasses: this upsell pays on margin classes high, but conditions.lines only admits low; it could never pay'],
    ['unknown recipient', { ...base, recipient: { type: 'company' } }, 'recipient.type: recipient.type must be one of account, member, split'],
    ['split above 100 %', { ...base, recipient: { type: 'split', accountPercent: 101 } }, 'recipient.accountPercent: accountPercent must be a whole number from 0 to 100'],
    ['split without percent', { ...base, recipient: { type: 'split' } }, 'recipient.accountPercent: accountPercent must be a whole number from 0 to 100'],
    ['cap without limits', { ...base, caps: [{ scope: 'account', period: 'day' }] }, 'caps.0: a cap needs maxPoints, maxTimes or both'],
    ['cap with unknown period', { ...base, caps: [{ scope: 'account', period: 'quarter', maxPoints: 5 }] }, 'caps.0.period: cap period must be one of day, week, month, year, lifetime'],
    ['cap with zero maxTimes', { ...base, caps: [{ scope: 'member', period: 'day', maxTimes: 0 }] }, 'caps.0.maxTimes: maxTimes must be a whole number at least 1'],
    ['two caps on one counter', { ...base, caps: [{ scope: 'account', period: 'day', maxTimes: 1 }, { scope: 'account', period: 'day', maxPoints: 5 }] }, 'caps.1: two caps for scope account and period day; combine them into one cap'],
    ['unknown stacking', { ...base, stacking: 'combine' }, 'stacking: stacking must be stack or exclusive'],
  ];

  it.each(cases)('%s', (_name, input, error) => {
    const result = parseRuleDefinition(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContain(error);
  });

  it('reports every problem at once', () => {
    const result = parseRuleDefinition({ conditions: { weekdays: [9] }, effect: { type: 'fixed', points: 0 }, recipient: { type: 'split', accountPercent: 200 } });
    expect(result).toEqual({
      ok: false,
      errors: [
        'conditions.weekdays.0: a weekday must be a whole number from 1 to 7',
        'effect.points: points must be a whole number from 1 to 1000000000',
        'recipient.accountPercent: accountPercent must be a whole number from 0 to 100',
      ],
    });
  });
});
