/**
 * Does a rule's condition set hold for an event? Pure; the first failing condition is reported
 * so the trace can tell a user exactly why a rule stayed silent.
 */
import { isoDate, isoWeekday, type EventCalendar } from './calendar.js';
import type {
  AttributeCondition,
  EngineAccount,
  EngineEvent,
  EngineLine,
  EngineMember,
  Explanation,
  LineFilter,
  RuleConditions,
} from './types.js';

/** What the conditions need besides the rule; the calendar is lazy because most rules never look at it. */
export interface MatchInput {
  event: EngineEvent;
  account: EngineAccount;
  member: EngineMember | null;
  calendar: EventCalendar;
}

export type MatchResult =
  | {
      matched: true;
      /** Lines passing the `lines` filter (all lines without a filter): the basis of amount effects. */
      lines: EngineLine[];
      /** Sum of those lines' amounts; BigInt because many lines near 2^53 must not lose precision. */
      amount: bigint;
    }
  | { matched: false; explanation: Explanation };

/** Empty lists are treated like absent ones, matching the contract for `eventTypes`. */
function constrains(list: readonly unknown[] | undefined): list is readonly unknown[] {
  return list !== undefined && list.length > 0;
}

function anyOf(list: readonly string[], value: string | null): boolean {
  return value !== null && list.includes(value);
}

function anyShared(list: readonly string[], values: readonly string[]): boolean {
  for (const v of values) if (list.includes(v)) return true;
  return false;
}

const pathCache = new Map<string, string[]>();

function splitPath(path: string): string[] {
  let parts = pathCache.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    // Paths come from a bounded set of rule definitions; the guard only stops a pathological caller growing it forever.
    if (pathCache.size > 10_000) pathCache.clear();
    pathCache.set(path, parts);
  }
  return parts;
}

/** Own properties only, so `constructor` or `__proto__` in a path never reaches Object.prototype. */
export function readPath(attributes: Record<string, unknown>, path: string): unknown {
  let value: unknown = attributes;
  for (const key of splitPath(path)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Comparisons are strict: `5` does not equal `"5"`. Event attributes arrive as JSON, so the rule author
 * states the type they expect; coercion would make `"10" gte 9` silently depend on JavaScript rules.
 */
export function attributeHolds(cond: AttributeCondition, attributes: Record<string, unknown>): boolean {
  const actual = readPath(attributes, cond.path);
  switch (cond.op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'eq':
      return actual !== undefined && actual === cond.value;
    case 'neq':
      // A missing attribute is "not equal": `channel neq web` is true for events that name no channel.
      return actual !== cond.value;
    case 'in':
      return Array.isArray(cond.value) && (typeof actual === 'string' || typeof actual === 'number')
        ? (cond.value as Array<string | number>).includes(actual)
        : false;
    case 'gte':
      return typeof actual === 'number' && typeof cond.value === 'number' && actual >= cond.value;
    case 'lte':
      return typeof actual === 'number' && typeof cond.value === 'number' && actual <= cond.value;
  }
}

export function lineMatches(filter: LineFilter, line: EngineLine): boolean {
  if (constrains(filter.skus) && !filter.skus.includes(line.sku)) return false;
  if (constrains(filter.categories) && !anyOf(filter.categories, line.category)) return false;
  if (constrains(filter.brands) && !anyOf(filter.brands, line.brand)) return false;
  if (constrains(filter.marginClasses) && !anyOf(filter.marginClasses, line.marginClass)) return false;
  return true;
}

export function sumAmounts(lines: readonly EngineLine[]): bigint {
  let total = 0n;
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amount)) {
      throw new RangeError(`line ${line.lineNo}: amount must be a safe integer in minor units, got ${line.amount}`);
    }
    total += BigInt(line.amount);
  }
  return total;
}

/** Money in explanation params: a number while exact, a decimal string beyond 2^53. */
export function amountParam(amount: bigint): number | string {
  return amount <= BigInt(Number.MAX_SAFE_INTEGER) && amount >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(amount)
    : amount.toString();
}

function miss(key: string, params: Record<string, string | number>): MatchResult {
  return { matched: false, explanation: { key: `explain.notMatched.${key}`, params } };
}

export function matchConditions(c: RuleConditions, ruleName: string, input: MatchInput): MatchResult {
  const { event, account, member } = input;
  const rule = ruleName;

  // Returns reverse earlier postings elsewhere; no rule may ever earn on one, whatever it lists.
  if (event.type === 'return' || (constrains(c.eventTypes) && !c.eventTypes.includes(event.type))) {
    return miss('eventType', { rule, eventType: event.type });
  }

  if (c.attributes) {
    for (const cond of c.attributes) {
      if (!attributeHolds(cond, event.attributes)) return miss('attribute', { rule, path: cond.path });
    }
  }

  const a = c.account;
  if (a) {
    if (constrains(a.segments) && !anyOf(a.segments, account.segment) && !anyShared(a.segments, account.segments ?? [])) {
      return miss('accountSegment', { rule });
    }
    if (constrains(a.tagsAny) && !anyShared(a.tagsAny, account.tags)) return miss('accountTags', { rule });
    if (constrains(a.tiers) && !anyOf(a.tiers, account.tier)) return miss('accountTier', { rule });
    if (constrains(a.countries) && !anyOf(a.countries, account.country)) return miss('accountCountry', { rule });
  }

  const m = c.member;
  if (m) {
    const needsMember = m.required === true || constrains(m.roles) || constrains(m.tagsAny) || constrains(m.tiers) || constrains(m.segments);
    if (member === null) {
      if (needsMember) return miss('memberRequired', { rule });
    } else {
      if (constrains(m.roles) && !anyOf(m.roles, member.role)) return miss('memberRole', { rule });
      if (constrains(m.segments) && !anyShared(m.segments, member.segments ?? [])) return miss('memberSegment', { rule });
      if (constrains(m.tagsAny) && !anyShared(m.tagsAny, member.tags)) return miss('memberTags', { rule });
      if (constrains(m.tiers) && !anyOf(m.tiers, member.tier)) return miss('memberTier', { rule });
    }
  }

  if (c.dateFrom !== undefined || c.dateTo !== undefined) {
    const date = isoDate(input.calendar.date());
    if ((c.dateFrom !== undefined && date < c.dateFrom) || (c.dateTo !== undefined && date > c.dateTo)) {
      return miss('dateWindow', { rule, date });
    }
  }

  if (constrains(c.weekdays)) {
    const weekday = isoWeekday(input.calendar.date());
    if (!c.weekdays.includes(weekday)) return miss('weekday', { rule, weekday });
  }

  let lines = event.lines;
  if (c.lines) {
    const filter = c.lines;
    // A filter is a promise that the event has something to filter: behaviour events never match one.
    lines = event.lines.filter((line) => lineMatches(filter, line));
    if (lines.length === 0) return miss('lines', { rule });
  }

  const amount = sumAmounts(lines);
  if (c.minAmount !== undefined && amount < BigInt(c.minAmount)) {
    return miss('minAmount', { rule, amount: amountParam(amount), minAmount: c.minAmount });
  }

  return { matched: true, lines, amount };
}
