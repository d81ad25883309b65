/**
 * Pricing a sample event for the rule editor's simulator: what would it earn, for whom, and why — with the
 * live rules, or with a rule as it is being edited (not saved), alone or in place of its saved self among
 * the live ones. Nothing is written: this is the events simulation (same references, rules in force, cap
 * counters, bought categories and tier bonuses as real ingestion, the same pure engine) with the rule set
 * swapped, so the editor's answer is the one a real event would get.
 */
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { simulateEvent } from '../events/simulate.js';
import type { Program } from '../programs/programs.js';
import { ruleDefinitionSchema } from './definition.js';
import { DEFAULT_PRIORITY } from './store.js';
import type { EngineResult, RuleVersion } from './types.js';

/** The rule set a simulation used. */
export type SimulatedRuleSet = 'live' | 'draft' | 'liveWithDraft';

export interface DraftRule {
  /** The saved rule this draft edits: it takes that rule's place (and its cap counters) among the live rules. */
  id?: string | undefined;
  name: string;
  priority?: number | undefined;
  /** Checked like a saved rule's; problems are a 422 `invalid_rule` naming `definition.…` fields. */
  definition: unknown;
}

export interface RuleSimulationInput {
  accountId: string;
  memberId?: string | undefined;
  type: string;
  occurredAt: string;
  lines?: Array<{ sku: string; quantity: number; amount: number }> | undefined;
  attributes?: Record<string, unknown> | undefined;
  draft?: DraftRule | undefined;
  /** With a draft: judge by the draft alone instead of the live rules with the draft. */
  draftOnly?: boolean | undefined;
}

/** The id a draft that is not yet a saved rule goes by in postings and the trace. */
export const UNSAVED_RULE_ID = 'draft';

function draftVersion(draft: DraftRule): RuleVersion {
  const parsed = ruleDefinitionSchema.safeParse(draft.definition);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: ['definition', ...i.path].join('.'), message: i.message }));
    throw new LojalError('invalid_rule', { detail: issues.map((i) => `${i.path}: ${i.message}`).join('; ') }, issues);
  }
  return {
    id: draft.id?.toLowerCase() ?? UNSAVED_RULE_ID,
    version: 0,
    name: draft.name,
    priority: draft.priority ?? DEFAULT_PRIORITY,
    definition: parsed.data,
  };
}

export async function simulateRules(
  db: Db,
  program: Program,
  input: RuleSimulationInput,
): Promise<EngineResult & { accountId: string; memberId: string | null; ruleSet: SimulatedRuleSet }> {
  const draft = input.draft ? draftVersion(input.draft) : undefined;
  const ruleSet: SimulatedRuleSet = !draft ? 'live' : input.draftOnly ? 'draft' : 'liveWithDraft';
  const event = {
    // The event is never stored, so its id only has to satisfy the schema.
    id: 'simulation',
    type: input.type,
    occurredAt: input.occurredAt,
    accountId: input.accountId,
    ...(input.memberId && { memberId: input.memberId }),
    ...(input.lines && { lines: input.lines }),
    ...(input.attributes && { attributes: input.attributes }),
  };
  const rules = !draft
    ? undefined
    : (inForce: RuleVersion[]) =>
        ruleSet === 'draft' ? [draft] : [...inForce.filter((r) => r.id !== draft.id), draft];
  const result = await simulateEvent(db, program, event, rules ? { rules } : {});
  return { ...result, ruleSet };
}
