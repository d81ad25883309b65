/** The rules module: the pure earning engine, rule definitions, and rules as stored and served. */
export { capKey, evaluate, MONEY_PARAMS, periodKey } from './engine.js';
export { describeRuleDefinitionIssues, parseRuleDefinition, ruleDefinitionSchema, type RuleDefinitionInput } from './definition.js';
export type * from './types.js';
export {
  archiveRule,
  createRule,
  DEFAULT_PRIORITY,
  getRule,
  getRuleVersion,
  getRuleVersions,
  listRules,
  ruleFieldSchemas,
  rulesInForce,
  updateRule,
  type ArchiveRuleInput,
  type CreateRuleInput,
  type ListRulesFilter,
  type Rule,
  type RuleVersionSummary,
  type RuleWithVersions,
  type UpdateRuleInput,
} from './store.js';
export { ruleRoutes } from './routes.js';
