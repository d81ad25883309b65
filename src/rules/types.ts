/**
 * The contract between the pure earning engine and the code that feeds it.
 * Everything here is plain data: the engine never touches a database or a clock.
 * Points and money are integers (money in minor units, e.g. öre / cents).
 */

/** Who receives the points a rule makes. */
export type Recipient =
  | { type: 'account' }
  | { type: 'member' }
  /** `accountPercent` goes to the company wallet, the rest to the member who acted. */
  | { type: 'split'; accountPercent: number };

export type Period = 'day' | 'week' | 'month' | 'year' | 'lifetime';
export type CapScope = 'account' | 'member';

export interface Cap {
  scope: CapScope;
  period: Period;
  /** At most this many points from this rule per scope and period. */
  maxPoints?: number;
  /** At most this many times this rule pays per scope and period. */
  maxTimes?: number;
}

/** Conditions on one purchase line; all given lists must match (each list is "any of"). */
export interface LineFilter {
  skus?: string[];
  categories?: string[];
  brands?: string[];
  marginClasses?: string[];
}

export interface AttributeCondition {
  /** Dotted path into the event's attributes, e.g. `channel` or `survey.kind`. */
  path: string;
  op: 'eq' | 'neq' | 'in' | 'gte' | 'lte' | 'exists';
  value?: string | number | boolean | Array<string | number>;
}

export interface RuleConditions {
  /** Event types this rule reacts to, e.g. `purchase`, `app.login`. Empty/absent = any except `return`. */
  eventTypes?: string[];
  attributes?: AttributeCondition[];
  account?: {
    /** The account's segment label, or the key of a segment (dynamic or static) the account is a member of. */
    segments?: string[];
    /** Account has at least one of these tags. */
    tagsAny?: string[];
    tiers?: string[];
    countries?: string[];
  };
  member?: {
    roles?: string[];
    /** Keys of member segments the member is in. */
    segments?: string[];
    tagsAny?: string[];
    tiers?: string[];
    /** true: the event must name a member. */
    required?: boolean;
  };
  /** Only lines matching this filter count for amount-based effects; a purchase with no matching line does not match. */
  lines?: LineFilter;
  /** Inclusive calendar window in the program's time zone, ISO dates `YYYY-MM-DD`. */
  dateFrom?: string;
  dateTo?: string;
  /** ISO weekdays 1 (Monday) … 7 (Sunday), in the program's time zone. */
  weekdays?: number[];
  /** Minimum total amount (minor units) of the matching lines. */
  minAmount?: number;
}

export type Effect =
  /** A fixed number of points each time the rule matches. */
  | { type: 'fixed'; points: number }
  /** `points` for every full `per` minor units of the matching lines' amount (1 point per 10 SEK = points 1, per 1000). */
  | { type: 'perAmount'; points: number; per: number }
  /** Extra points per amount on high-margin lines; `marginClasses` defaults to ['high']. */
  | { type: 'upsell'; points: number; per: number; marginClasses?: string[] }
  /** `points` for each category in the event the account has never bought before. */
  | { type: 'crossSell'; points: number }
  /**
   * Multiplies the points of the base rules that paid for this event (all, or those listed in `ruleIds`).
   * Posted as its own posting of base × (factor − 1); several multipliers compound.
   */
  | { type: 'multiplier'; factor: number; ruleIds?: string[] };

export interface RuleDefinition {
  conditions: RuleConditions;
  effect: Effect;
  recipient: Recipient;
  caps?: Cap[];
  /**
   * `stack` (default): pays alongside others. `exclusive`: when it pays, base rules of lower priority do not.
   * Multipliers are never blocked by exclusivity; they apply to whatever base rules paid.
   */
  stacking?: 'stack' | 'exclusive';
}

/** One version of a rule as stored; the engine gets only the versions in force when the event occurred. */
export interface RuleVersion {
  id: string;
  version: number;
  name: string;
  /** Higher runs first. Ties are broken by rule id for determinism. */
  priority: number;
  definition: RuleDefinition;
}

export interface EngineLine {
  lineNo: number;
  sku: string;
  category: string | null;
  brand: string | null;
  marginClass: string | null;
  quantity: number;
  /** Line total in minor units. */
  amount: number;
}

export interface EngineEvent {
  type: string;
  occurredAt: Date;
  attributes: Record<string, unknown>;
  lines: EngineLine[];
}

export interface EngineAccount {
  id: string;
  /** The top parent whose counters the account's caps count against, when the program rolls chains up. */
  chainId?: string | undefined;
  segment: string | null;
  /**
   * Keys of the segments (src/segments) the account belongs to, resolved by the caller before evaluation so the
   * engine stays pure. Absent: none.
   */
  segments?: readonly string[] | undefined;
  tags: string[];
  tier: string | null;
  country: string | null;
}

export interface EngineMember {
  id: string;
  role: string | null;
  /** Keys of the member segments the member belongs to (resolved by the caller). */
  segments?: readonly string[] | undefined;
  tags: string[];
  tier: string | null;
}

/** What the engine needs to know about the past; the caller loads it and threads updates across a batch. */
export interface EngineHistory {
  /** Categories the account had bought before this event. */
  categoriesBought: ReadonlySet<string>;
  /**
   * Usage so far for a cap key (see `capKey`): points paid and times paid.
   * Missing key = nothing used yet.
   */
  usage: (key: string) => { points: number; times: number } | undefined;
}

export interface EngineContext {
  event: EngineEvent;
  account: EngineAccount;
  member: EngineMember | null;
  history: EngineHistory;
  rules: RuleVersion[];
  /** IANA time zone of the program, for calendar windows, weekdays and cap periods. */
  timeZone: string;
  /**
   * Tier earn multipliers of the wallets' owners (absent or 100 hundredths: none). Each base posting to a
   * wallet whose owner has one gets a `tier bonus` posting of floor(points × (hundredths − 100) / 100).
   */
  tierBonus?: { account?: TierBonus; member?: TierBonus };
}

export interface TierBonus {
  /** The level's name, for the explanation. */
  tier: string;
  /** 150 = ×1.5. */
  hundredths: number;
}

/** A human-readable reason, rendered through i18n by the caller: `key` is an i18n key, `params` its values. */
export interface Explanation {
  key: string;
  params: Record<string, string | number>;
  /**
   * Extra sentences to render after the main one, in order (e.g. "no member was named, so the company
   * account received the points"). Absent when there is nothing to add.
   */
  notes?: Explanation[];
}

export interface ProposedPosting {
  ruleId: string;
  ruleVersion: number;
  ruleName: string;
  /** Which wallet: the account's or the member's. */
  recipient: 'account' | 'member';
  /** Always > 0. */
  points: number;
  /** The event lines this posting was computed from (all lines for event-level rules); used for proportional reversal. */
  basisLines: number[];
  explanation: Explanation;
}

/** Usage to add to the counters once the postings are written. */
export interface UsageDelta {
  key: string;
  points: number;
  times: number;
}

export interface RuleTrace {
  ruleId: string;
  ruleName: string;
  outcome: 'paid' | 'not_matched' | 'capped' | 'blocked_by_exclusive' | 'nothing_to_pay';
  /** Why, in the same i18n form as postings. */
  explanation: Explanation;
}

export interface EngineResult {
  postings: ProposedPosting[];
  usage: UsageDelta[];
  trace: RuleTrace[];
}
