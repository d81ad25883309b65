import type {
  EngineAccount,
  EngineContext,
  EngineEvent,
  EngineLine,
  EngineMember,
  RuleDefinition,
  RuleVersion,
} from '../../src/rules/types.js';

export const TZ = 'Europe/Stockholm';

export const ACCOUNT: EngineAccount = {
  id: 'acc-1',
  segment: 'installers',
  tags: ['gold-partner', 'north'],
  tier: 'gold',
  country: 'SE',
};

export const MEMBER: EngineMember = { id: 'mem-1', role: 'buyer', tags: ['app'], tier: 'silver' };

export function line(lineNo: number, amount: number, over: Partial<EngineLine> = {}): EngineLine {
  return { lineNo, sku: `SKU-${lineNo}`, category: null, brand: null, marginClass: null, quantity: 1, amount, ...over };
}

/** 1 000 SEK of high-margin Acme tools and 500 SEK of low-margin Bolt safety gear. */
export const LINES: EngineLine[] = [
  line(1, 100_000, { sku: 'DRL-1', category: 'tools', brand: 'acme', marginClass: 'high' }),
  line(2, 50_000, { sku: 'HLM-2', category: 'safety', brand: 'bolt', marginClass: 'low' }),
];

/** Monday 23 November 2026, 11:00 in Stockholm. */
export const MONDAY = new Date('2026-11-23T10:00:00Z');

export function purchase(over: Partial<EngineEvent> = {}): EngineEvent {
  return { type: 'purchase', occurredAt: MONDAY, attributes: {}, lines: LINES, ...over };
}

export function behaviour(type: string, over: Partial<EngineEvent> = {}): EngineEvent {
  return { type, occurredAt: MONDAY, attributes: {}, lines: [], ...over };
}

export function rule(
  id: string,
  definition: Partial<RuleDefinition> & Pick<RuleDefinition, 'effect'>,
  over: Partial<Omit<RuleVersion, 'definition'>> = {},
): RuleVersion {
  return {
    id,
    version: 1,
    name: id,
    priority: 0,
    ...over,
    definition: { conditions: {}, recipient: { type: 'account' }, ...definition },
  };
}

export interface ContextInput {
  rules: RuleVersion[];
  event?: EngineEvent;
  account?: EngineAccount;
  member?: EngineMember | null;
  usage?: Record<string, { points: number; times: number }>;
  categoriesBought?: string[];
  timeZone?: string;
}

export function context(input: ContextInput): EngineContext {
  const usage = input.usage ?? {};
  return {
    event: input.event ?? purchase(),
    account: input.account ?? ACCOUNT,
    member: input.member === undefined ? MEMBER : input.member,
    history: {
      categoriesBought: new Set(input.categoriesBought ?? []),
      usage: (key) => usage[key],
    },
    rules: input.rules,
    timeZone: input.timeZone ?? TZ,
  };
}
