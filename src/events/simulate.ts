import { chainRoots } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Program } from '../programs/programs.js';
import { evaluate, rulesUseSegments } from '../rules/engine.js';
import { segmentKeysOf } from '../segments/store.js';
import { rulesInForce } from '../rules/store.js';
import type { EngineResult, RuleVersion } from '../rules/types.js';
import { amountOutOfRange, resolve, validationError, type Parsed } from './ingest.js';
import { capKeysOf, evaluateWithinLimit, loadCategoriesBought, loadUsage, tierBonuses } from './process.js';
import { getTierConfig } from '../tiers/store.js';
import { eventHash, eventSchema } from './schema.js';

export interface SimulateOptions {
  /**
   * Changes the rule set the event is judged by (e.g. a rule being edited, not yet saved): gets the rules in
   * force at the event's time and returns the ones to use. Everything else stays as real ingestion does it.
   */
  rules?: (inForce: RuleVersion[]) => RuleVersion[];
}

/**
 * What an event would earn now, and why, without writing anything: the same references, rules in force,
 * cap counters and bought categories as real ingestion, but no transaction and no posting.
 */
export async function simulateEvent(
  db: Db,
  program: Program,
  raw: unknown,
  options: SimulateOptions = {},
): Promise<EngineResult & { accountId: string; memberId: string | null }> {
  const r = eventSchema.safeParse(raw);
  if (!r.success) throw validationError(r.error.issues, raw);
  if (r.data.type === 'return') {
    throw validationError([{ path: ['type'], message: 'simulation judges earning events; a return only takes back what its purchase earned' }]);
  }
  const outOfRange = amountOutOfRange(r.data);
  if (outOfRange) throw outOfRange;
  const parsed: Parsed = { index: 0, input: r.data, hash: eventHash(r.data), occurredAt: new Date(r.data.occurredAt) };
  let failure: LojalError | undefined;
  const [ev] = await resolve(db, program, [parsed], (_i, _id, err) => (failure = err));
  if (!ev) throw failure!;
  if (program.hierarchyRollup === 'chain') {
    ev.account = { ...ev.account, chainId: (await chainRoots(db, program.id, [ev.account.id])).get(ev.account.id) ?? ev.account.id };
  }
  const inForce = await rulesInForce(db, program.id, [ev.occurredAt]);
  const rulesAt = options.rules ? (at: Date) => options.rules!(inForce(at)) : inForce;
  const bought = await loadCategoriesBought(db, program.id, [ev.account.id]);
  const usage = await loadUsage(db, program.id, capKeysOf([ev], rulesAt, program.timeZone));
  const tierBonusOf = tierBonuses(await getTierConfig(db, program.id), program);
  const keys = rulesUseSegments(rulesAt(ev.occurredAt))
    ? await segmentKeysOf(db, program.id, [ev.account.id, ...(ev.member ? [ev.member.id] : [])])
    : new Map<string, string[]>();
  // As real ingestion judges it: an event that would pay past 2^53 − 1 points is refused, not priced.
  const result = evaluateWithinLimit(() => evaluate({
    event: { type: ev.input.type, occurredAt: ev.occurredAt, attributes: ev.input.attributes ?? {}, lines: ev.lines },
    account: { ...ev.account, segments: keys.get(ev.account.id) },
    member: ev.member && { ...ev.member, segments: keys.get(ev.member.id) },
    history: { categoriesBought: bought.get(ev.account.id) ?? new Set(), usage: (k) => usage.get(k) },
    rules: rulesAt(ev.occurredAt),
    timeZone: program.timeZone,
    ...(tierBonusOf && { tierBonus: tierBonusOf(ev) }),
  }));
  if (result instanceof LojalError) throw result;
  return { ...result, accountId: ev.account.id, memberId: ev.member?.id ?? null };
}
