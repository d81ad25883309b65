/**
 * The earning engine: given one event and the rules in force, which points go to which wallet, and why.
 *
 * Pure: no I/O, no clock, no randomness. The same context always yields the same result in the same order.
 * Invalid input (unknown time zone, invalid `occurredAt`, non-integer line amounts) throws a RangeError;
 * rule definitions are trusted to have passed `ruleDefinitionSchema`.
 *
 * Semantics (the user-facing version is docs/rules.md):
 *
 * Order. Rules run by priority, higher first, ties by rule id (code-unit order), then version. Base rules
 *   (every effect but `multiplier`) run first; multipliers run afterwards, in the same order. The trace
 *   lists every rule exactly once in that evaluation order.
 *
 * Matching. A rule matches when ALL its conditions hold; every list is "any of", and an empty list counts
 *   as absent. `return` events never match anything. Attribute comparisons are strict (no type coercion);
 *   `neq` is true when the attribute is missing; `gte`/`lte` need numbers on both sides. Dates and weekdays
 *   use the program's time zone; date windows are inclusive. A `lines` filter needs at least one matching
 *   line (so it never matches a line-less behaviour event); the matching lines (all lines without a filter)
 *   are the basis of amount effects and of `minAmount`.
 *
 * Effects. fixed → points. perAmount → floor(amount × points / per) over the matching lines. upsell → the
 *   same over the matching lines whose marginClass is listed (default ['high']). crossSell → points per
 *   distinct category among the matching lines the account never bought (null categories never count).
 *   Amount and category effects pay nothing on a line-less event (`nothing_to_pay`), and negative totals
 *   earn nothing. basisLines are the lines a posting was computed from, in event order.
 *
 * Multipliers. After all base rules, each matching multiplier adds, for each base posting it targets (its
 *   `ruleIds`, or all), an extra posting of floor(current × (factor − 1)) to the same wallet with the same
 *   basisLines, where `current` is the base posting plus extras already added by earlier multipliers, so
 *   multipliers compound. A multiplier's own conditions are checked like any rule's; a `lines` filter on
 *   it only decides whether it applies. Its `recipient` and `stacking` are ignored.
 *
 * Exclusivity. When an exclusive base rule pays (> 0 after caps), base rules of strictly lower priority
 *   are skipped (`blocked_by_exclusive`); rules of equal priority are not. Multipliers are never blocked.
 *
 * Caps. Caps limit a rule's total for the event, before it is split between wallets. Each cap's counter is
 *   `capKey(ruleId, scope, accountId|memberId, periodKey)`; member caps are skipped when the event names no
 *   member. Usage = history.usage(key) plus what this call already paid on the key. The tightest cap wins
 *   (first listed on ties); nothing left → `capped`. When a cap cuts a multiplier short, its extras are paid
 *   in posting order until the cap is reached. Every distinct key touched by a paying rule gets one
 *   UsageDelta {points paid, times: 1}; the caller adds them to its counters (and to the history it feeds
 *   the next event of a batch).
 *
 * Recipients. account → account wallet. member → member wallet, or the account wallet with a `note.noMember`
 *   when the event names no member. split → account gets floor(total × accountPercent / 100), the member the
 *   rest (all to the account, with `note.noMember`, when no member). 0-point postings are never emitted.
 *
 * Tier bonus. Last, when the context gives the wallet owner's tier multiplier (hundredths > 100), each base
 *   posting gets an extra posting of floor(base points × (hundredths − 100) / 100) to the same wallet, under
 *   the same rule and basisLines (so a return takes it back in proportion), explained as `explain.tierBonus`.
 *   It is the program's, not the rule's: caps do not limit it and it uses no cap counters.
 *
 * Explanations. Keys live in the `rules` i18n namespace. Posting params carry `points` and `count` (the
 *   same number: `count` drives i18next plurals) and `rule` (the rule name). Params named in MONEY_PARAMS are
 *   integers in minor units the caller formats (with currency) before rendering. `notes` hold extra
 *   sentences: `note.split`, `note.noMember`, `note.limited.<period>` (a cap reduced the payout).
 */
import { EventCalendar } from './calendar.js';
import { matchConditions, type MatchInput } from './conditions.js';
import { computeBase, factorHundredths, multiplierExtra } from './effects.js';
import type {
  Cap,
  CapScope,
  EngineContext,
  EngineResult,
  Explanation,
  ProposedPosting,
  Recipient,
  RuleTrace,
  RuleVersion,
  UsageDelta,
} from './types.js';

export { periodKey } from './calendar.js';

/** Explanation params that are money in minor units; format them (with the program's currency) before rendering. */
export const MONEY_PARAMS = ['amount', 'per', 'minAmount'] as const;

export function capKey(ruleId: string, scope: CapScope, scopeId: string, periodKey: string): string {
  return `${ruleId}|${scope}|${scopeId}|${periodKey}`;
}

function byPriority(a: RuleVersion, b: RuleVersion): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.version - b.version;
}

interface CapOutcome {
  /** Points the caps let through (≤ the requested total). */
  allowed: number;
  /** The cap that bound, when it cut anything. */
  binding: Cap | undefined;
  keys: string[];
}

interface BasePosting {
  posting: ProposedPosting;
  /** Base points plus extras from multipliers so far: what the next multiplier multiplies. */
  current: number;
}

function withCount(params: Record<string, string | number>, points: number): Record<string, string | number> {
  // A plain copy loop: object spread of these small dictionaries showed up as the engine's hottest spot.
  const out: Record<string, string | number> = {};
  for (const key of Object.keys(params)) out[key] = params[key] as string | number;
  out.points = points;
  out.count = points;
  return out;
}

function explanation(key: string, params: Record<string, string | number>, notes: Explanation[]): Explanation {
  return notes.length > 0 ? { key, params, notes } : { key, params };
}

/** Per-call state shared by the steps below; module-level functions keep the hot path free of closures. */
interface Evaluation {
  ctx: EngineContext;
  calendar: EventCalendar;
  /** Usage paid earlier in this call, keyed like the caller's counters; Map order makes `usage` deterministic. */
  paidHere: Map<string, { points: number; times: number }>;
}

function checkCaps(ev: Evaluation, rule: RuleVersion, requested: number): CapOutcome {
  const { account, member, history } = ev.ctx;
  let allowed = requested;
  let binding: Cap | undefined;
  const keys: string[] = [];
  for (const cap of rule.definition.caps ?? []) {
    const scopeId = cap.scope === 'account' ? (account.chainId ?? account.id) : member?.id;
    if (scopeId === undefined) continue;
    const key = capKey(rule.id, cap.scope, scopeId, ev.calendar.periodKey(cap.period));
    if (!keys.includes(key)) keys.push(key);
    const before = history.usage(key);
    const here = ev.paidHere.get(key);
    const usedPoints = (before?.points ?? 0) + (here?.points ?? 0);
    const usedTimes = (before?.times ?? 0) + (here?.times ?? 0);
    let room = Number.POSITIVE_INFINITY;
    if (cap.maxTimes !== undefined && usedTimes >= cap.maxTimes) room = 0;
    if (cap.maxPoints !== undefined) room = Math.min(room, Math.max(0, cap.maxPoints - usedPoints));
    if (room < allowed) {
      allowed = room;
      binding = cap;
    }
  }
  return { allowed, binding, keys };
}

function recordUsage(ev: Evaluation, keys: readonly string[], points: number): void {
  for (const key of keys) {
    const entry = ev.paidHere.get(key);
    if (entry) {
      entry.points += points;
      entry.times += 1;
    } else {
      ev.paidHere.set(key, { points, times: 1 });
    }
  }
}

function cappedTrace(rule: RuleVersion, cap: Cap): RuleTrace {
  const params: Record<string, string | number> = { rule: rule.name, scope: cap.scope };
  if (cap.maxPoints !== undefined) params.maxPoints = cap.maxPoints;
  if (cap.maxTimes !== undefined) params.maxTimes = cap.maxTimes;
  return { ruleId: rule.id, ruleName: rule.name, outcome: 'capped', explanation: { key: `explain.capped.${cap.period}`, params } };
}

function limitedNote(caps: CapOutcome, full: number): Explanation[] {
  return caps.binding !== undefined ? [{ key: `note.limited.${caps.binding.period}`, params: { full } }] : [];
}

export function evaluate(ctx: EngineContext): EngineResult {
  const { event, account, member, history } = ctx;
  const calendar = new EventCalendar(event.occurredAt, ctx.timeZone);
  const ev: Evaluation = { ctx, calendar, paidHere: new Map() };
  const matchInput: MatchInput = { event, account, member, calendar };

  const sorted = [...ctx.rules].sort(byPriority);
  const postings: ProposedPosting[] = [];
  const trace: RuleTrace[] = [];
  const basePostings: BasePosting[] = [];
  let blocker: RuleVersion | undefined;

  for (const rule of sorted) {
    const { definition } = rule;
    const effect = definition.effect;
    if (effect.type === 'multiplier') continue;

    if (blocker !== undefined && rule.priority < blocker.priority) {
      trace.push({
        ruleId: rule.id,
        ruleName: rule.name,
        outcome: 'blocked_by_exclusive',
        explanation: { key: 'explain.blockedByExclusive', params: { rule: rule.name, by: blocker.name } },
      });
      continue;
    }

    const match = matchConditions(definition.conditions, rule.name, matchInput);
    if (!match.matched) {
      trace.push({ ruleId: rule.id, ruleName: rule.name, outcome: 'not_matched', explanation: match.explanation });
      continue;
    }

    const outcome = computeBase(effect, match, event.lines.length, history, rule.name);
    if (!outcome.pays) {
      trace.push({ ruleId: rule.id, ruleName: rule.name, outcome: 'nothing_to_pay', explanation: outcome.explanation });
      continue;
    }

    const caps = checkCaps(ev, rule, outcome.points);
    if (caps.allowed === 0) {
      // `binding` is always set here: allowed only drops below a positive total through a cap.
      trace.push(cappedTrace(rule, caps.binding as Cap));
      continue;
    }
    const total = caps.allowed;
    recordUsage(ev, caps.keys, total);

    const limited = limitedNote(caps, outcome.points);
    const shares = distribute(definition.recipient, total, member !== null);
    for (const share of shares) {
      const notes = [...share.notes, ...limited];
      const posting: ProposedPosting = {
        ruleId: rule.id,
        ruleVersion: rule.version,
        ruleName: rule.name,
        recipient: share.recipient,
        points: share.points,
        basisLines: outcome.basisLines,
        explanation: explanation(outcome.key, withCount(outcome.params, share.points), notes),
      };
      postings.push(posting);
      basePostings.push({ posting, current: share.points });
    }

    const fellBack = shares.some((s) => s.notes.some((n) => n.key === 'note.noMember'));
    const traceNotes = [...(fellBack ? [{ key: 'note.noMember', params: {} }] : []), ...limited];
    trace.push({
      ruleId: rule.id,
      ruleName: rule.name,
      outcome: 'paid',
      explanation: explanation(outcome.key, withCount(outcome.params, total), traceNotes),
    });

    if (definition.stacking === 'exclusive' && blocker === undefined) blocker = rule;
  }

  for (const rule of sorted) {
    const effect = rule.definition.effect;
    if (effect.type !== 'multiplier') continue;

    const match = matchConditions(rule.definition.conditions, rule.name, matchInput);
    if (!match.matched) {
      trace.push({ ruleId: rule.id, ruleName: rule.name, outcome: 'not_matched', explanation: match.explanation });
      continue;
    }

    const targets =
      effect.ruleIds && effect.ruleIds.length > 0
        ? basePostings.filter((b) => (effect.ruleIds as string[]).includes(b.posting.ruleId))
        : basePostings;
    const hundredths = factorHundredths(effect.factor);
    const extras = targets.map((t) => Number(multiplierExtra(t.current, hundredths)));
    const requested = extras.reduce((sum, x) => sum + x, 0);
    if (!Number.isSafeInteger(requested)) {
      throw new RangeError(`rule "${rule.name}" would pay more than ${Number.MAX_SAFE_INTEGER} points`);
    }
    if (requested === 0) {
      trace.push({
        ruleId: rule.id,
        ruleName: rule.name,
        outcome: 'nothing_to_pay',
        explanation: { key: 'explain.nothingToPay.noBase', params: { rule: rule.name } },
      });
      continue;
    }

    const caps = checkCaps(ev, rule, requested);
    if (caps.allowed === 0) {
      trace.push(cappedTrace(rule, caps.binding as Cap));
      continue;
    }
    recordUsage(ev, caps.keys, caps.allowed);
    const limited = limitedNote(caps, requested);

    let left = caps.allowed;
    const baseNames: string[] = [];
    for (const [i, target] of targets.entries()) {
      const points = Math.min(extras[i] ?? 0, left);
      if (points === 0) continue;
      left -= points;
      const base = target.posting;
      if (!baseNames.includes(base.ruleName)) baseNames.push(base.ruleName);
      const params = { rule: rule.name, factor: effect.factor, base: target.current, baseRules: base.ruleName };
      postings.push({
        ruleId: rule.id,
        ruleVersion: rule.version,
        ruleName: rule.name,
        recipient: base.recipient,
        points,
        basisLines: base.basisLines,
        explanation: explanation('explain.multiplier', withCount(params, points), limited),
      });
      target.current += points;
    }

    trace.push({
      ruleId: rule.id,
      ruleName: rule.name,
      outcome: 'paid',
      explanation: explanation(
        'explain.multiplier',
        withCount({ rule: rule.name, factor: effect.factor, baseRules: baseNames.join(', ') }, caps.allowed),
        limited,
      ),
    });
  }

  if (ctx.tierBonus) {
    for (const { posting: base } of basePostings) {
      const bonus = ctx.tierBonus[base.recipient];
      if (!bonus || bonus.hundredths <= 100) continue;
      const points = Math.floor((base.points * (bonus.hundredths - 100)) / 100);
      if (points <= 0) continue;
      postings.push({
        ruleId: base.ruleId,
        ruleVersion: base.ruleVersion,
        ruleName: base.ruleName,
        recipient: base.recipient,
        points,
        basisLines: base.basisLines,
        explanation: { key: 'explain.tierBonus', params: withCount({ rule: base.ruleName, tier: bonus.tier, factor: bonus.hundredths / 100, base: base.points }, points) },
      });
    }
  }

  const usage: UsageDelta[] = [];
  for (const [key, used] of ev.paidHere) usage.push({ key, points: used.points, times: used.times });
  return { postings, usage, trace };
}

interface Share {
  recipient: 'account' | 'member';
  points: number;
  notes: Explanation[];
}

/** Splits a rule's (already capped) total between the wallets; zero shares are dropped. */
function distribute(recipient: Recipient, total: number, hasMember: boolean): Share[] {
  const noMember: Explanation[] = [{ key: 'note.noMember', params: {} }];
  switch (recipient.type) {
    case 'account':
      return [{ recipient: 'account', points: total, notes: [] }];
    case 'member':
      return hasMember
        ? [{ recipient: 'member', points: total, notes: [] }]
        : [{ recipient: 'account', points: total, notes: noMember }];
    case 'split': {
      if (!hasMember) return [{ recipient: 'account', points: total, notes: noMember }];
      const percent = recipient.accountPercent;
      // BigInt: total × 100 can exceed 2^53 for very large totals.
      const toAccount = Number((BigInt(total) * BigInt(percent)) / 100n);
      const toMember = total - toAccount;
      const shares: Share[] = [];
      if (toAccount > 0) {
        shares.push({ recipient: 'account', points: toAccount, notes: [{ key: 'note.split', params: { share: percent, total } }] });
      }
      if (toMember > 0) {
        shares.push({ recipient: 'member', points: toMember, notes: [{ key: 'note.split', params: { share: 100 - percent, total } }] });
      }
      return shares;
    }
  }
}

/** Does any of these rules name segments (so the caller must resolve the account's and member's memberships)? */
export function rulesUseSegments(rules: readonly RuleVersion[]): boolean {
  return rules.some((r) => (r.definition.conditions.account?.segments?.length ?? 0) > 0 || (r.definition.conditions.member?.segments?.length ?? 0) > 0);
}
