/**
 * Rules as stored: one row per version in `rules`, never updated or deleted. A version is in force from its
 * `effective_from` until the next version's, so an event is judged by the rules in force when it occurred,
 * however late it arrives.
 *
 * - createRule writes version 1; updateRule and archiveRule write version n+1, a full copy with the changes.
 *   Archiving is a version with `active = false`; updating with `active: true` brings a rule back.
 * - Versions of one rule never go back in time: a new version's effectiveFrom must be at or after the
 *   previous one's. Two versions may share an instant; the higher version wins (a way to replace a version
 *   scheduled for the future before it takes effect).
 * - Writes are optimistic: the caller names the version it edited (`expectedVersion`); if that is no longer
 *   the latest, or another writer inserts the same new version first (the primary key (program_id, id,
 *   version) lets only one insert win), the write fails with `rule_version_conflict`.
 * - Definitions are validated here (422 `invalid_rule`, with one issue per problem), so every caller, not only
 *   the HTTP API, gets the same checks. A multiplier's `ruleIds` must name rules of the same program.
 *
 * `rulesInForce` is one query per call; the HTTP server keeps `ruleTimeline` in memory (src/cache), reloaded at
 * the next write after any change (migration 0017 bumps the program's settings version by trigger).
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError, type FieldIssue } from '../errors/index.js';
import { issuesOf } from '../errors/validation.js';
import { decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import { ruleDefinitionSchema } from './definition.js';
import type { RuleDefinition, RuleVersion } from './types.js';

export const DEFAULT_PRIORITY = 100;

/** The plain fields of a rule, shared with the HTTP schemas (where a violation is a 400) and checked again here. */
export const ruleFieldSchemas = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).nullable(),
  /** Higher runs first; fits the integer column with room to spare. */
  priority: z.int().min(-1_000_000).max(1_000_000),
};

/** One version of a rule, as the API shows it. */
export interface Rule {
  id: string;
  version: number;
  name: string;
  description: string | null;
  priority: number;
  active: boolean;
  effectiveFrom: Date;
  definition: RuleDefinition;
  createdAt: Date;
}

export interface RuleVersionSummary {
  version: number;
  name: string;
  priority: number;
  active: boolean;
  effectiveFrom: Date;
  createdAt: Date;
}

export interface RuleWithVersions extends Rule {
  /** Every version, oldest first. */
  versions: RuleVersionSummary[];
}

export interface CreateRuleInput {
  name: string;
  description?: string | null | undefined;
  priority?: number | undefined;
  /** When version 1 takes effect; default now. */
  effectiveFrom?: Date | string | undefined;
  /** Validated against the rule definition schema (docs/rules.md). */
  definition: unknown;
}

export interface UpdateRuleInput {
  /** The latest version as the caller last saw it. */
  expectedVersion: number;
  name?: string | undefined;
  /** null removes the description. */
  description?: string | null | undefined;
  priority?: number | undefined;
  active?: boolean | undefined;
  /** When the new version takes effect; default now; not before the previous version's. */
  effectiveFrom?: Date | string | undefined;
  definition?: unknown;
}

export interface ArchiveRuleInput {
  expectedVersion: number;
  effectiveFrom?: Date | string | undefined;
}

export interface ListRulesFilter {
  /** Only rules whose latest version is (in)active. */
  active?: boolean | undefined;
  /** Case-insensitive substring of the name or description. */
  q?: string | undefined;
  /** Only rules that can pay on this event type: those listing it in `conditions.eventTypes`, and those listing none. */
  eventType?: string | undefined;
}

type RuleRow = {
  id: string;
  version: number;
  name: string;
  description: string | null;
  priority: number;
  active: boolean;
  effective_from: Date | string;
  definition: unknown;
  created_at: Date;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toRule(row: RuleRow): Rule {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    description: row.description,
    priority: row.priority,
    active: row.active,
    effectiveFrom: new Date(row.effective_from),
    definition: row.definition as RuleDefinition,
    createdAt: row.created_at,
  };
}

function toSummary(rule: Rule): RuleVersionSummary {
  const { version, name, priority, active, effectiveFrom, createdAt } = rule;
  return { version, name, priority, active, effectiveFrom, createdAt };
}

function invalid(issues: FieldIssue[]): LojalError {
  return new LojalError('invalid_rule', { detail: issues.map((i) => `${i.path}: ${i.message}`).join('; ') }, issues);
}

function notFound(id: string): LojalError {
  return new LojalError('not_found', { entity: 'rule', id });
}

/** Checks the plain fields that are present; returns the normalized values. */
function checkFields<T extends { name?: string | undefined; description?: string | null | undefined; priority?: number | undefined }>(
  input: T,
): T {
  const issues: FieldIssue[] = [];
  const out = { ...input };
  for (const key of ['name', 'description', 'priority'] as const) {
    if (input[key] === undefined) continue;
    const result = ruleFieldSchemas[key].safeParse(input[key]);
    if (result.success) (out as Record<string, unknown>)[key] = result.data;
    else issues.push(...issuesOf(result.error, key, input[key]));
  }
  if (issues.length > 0) throw invalid(issues);
  return out;
}

function toInstant(value: Date | string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const at = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(at.getTime())) {
    throw invalid([{ path: 'effectiveFrom', message: 'effectiveFrom must be an ISO date-time such as 2026-12-01T00:00:00Z' }]);
  }
  return at;
}

/**
 * Validates a definition: its shape (ruleDefinitionSchema, whose readable messages become the issues,
 * paths prefixed with `definition`), and that a multiplier's `ruleIds` name rules of this program.
 */
async function checkDefinition(db: Db, programId: string, input: unknown, selfId: string): Promise<RuleDefinition> {
  const parsed = ruleDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    // The same readable lines as describeRuleDefinitionIssues, with paths relative to the request.
    throw invalid(issuesOf(parsed.error, 'definition', input));
  }
  let definition: RuleDefinition = parsed.data;
  if (definition.effect.type === 'multiplier' && definition.effect.ruleIds) {
    // Rule ids are lowercase UUIDs and the engine compares them as strings.
    const ids = definition.effect.ruleIds.map((id) => id.toLowerCase());
    definition = { ...definition, effect: { ...definition.effect, ruleIds: ids } };
    const wellFormed = ids.filter((id) => UUID.test(id) && id !== selfId);
    const known = new Set(
      wellFormed.length === 0
        ? []
        : (
            await db
              .selectFrom('rules')
              .select('id')
              .distinct()
              .where('program_id', '=', programId)
              .where('id', 'in', wellFormed)
              .execute()
          ).map((r) => r.id),
    );
    const issues: FieldIssue[] = [];
    ids.forEach((id, i) => {
      const path = `definition.effect.ruleIds.${i}`;
      if (id === selfId) issues.push({ path, message: 'a multiplier cannot multiply itself; list the base rules it multiplies' });
      else if (!known.has(id)) issues.push({ path, message: `no rule ${id} in this program` });
    });
    if (issues.length > 0) throw invalid(issues);
  }
  return definition;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

export async function createRule(db: Db, programId: string, input: CreateRuleInput, now: Date): Promise<Rule> {
  const fields = checkFields(input);
  const id = uuidv7();
  const effectiveFrom = toInstant(input.effectiveFrom, now);
  const definition = await checkDefinition(db, programId, input.definition, id);
  const row = await db
    .insertInto('rules')
    .values({
      program_id: programId,
      id,
      version: 1,
      name: fields.name,
      description: fields.description ?? null,
      priority: fields.priority ?? DEFAULT_PRIORITY,
      active: true,
      effective_from: effectiveFrom,
      definition: JSON.stringify(definition),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRule(row);
}

async function latestVersion(db: Db, programId: string, id: string): Promise<Rule | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db
    .selectFrom('rules')
    .selectAll()
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toRule(row);
}

/** Writes version latest+1 from the latest version and the changes, if the caller saw the latest. */
async function writeNextVersion(
  db: Db,
  programId: string,
  id: string,
  expectedVersion: number,
  change: (previous: Rule) => Promise<Omit<Rule, 'id' | 'version' | 'createdAt'>>,
): Promise<Rule> {
  const previous = await latestVersion(db, programId, id);
  if (!previous) throw notFound(id);
  if (previous.version !== expectedVersion) throw new LojalError('rule_version_conflict', { current: previous.version });
  const next = await change(previous);
  if (next.effectiveFrom.getTime() < previous.effectiveFrom.getTime()) {
    throw invalid([
      {
        path: 'effectiveFrom',
        message:
          `version ${previous.version} takes effect at ${previous.effectiveFrom.toISOString()}; ` +
          `a new version cannot take effect before it (got ${next.effectiveFrom.toISOString()})`,
      },
    ]);
  }
  try {
    const row = await db
      .insertInto('rules')
      .values({
        program_id: programId,
        id: previous.id,
        version: previous.version + 1,
        name: next.name,
        description: next.description,
        priority: next.priority,
        active: next.active,
        effective_from: next.effectiveFrom,
        definition: JSON.stringify(next.definition),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRule(row);
  } catch (err) {
    // Someone else wrote this version between our read and our insert.
    if (!isUniqueViolation(err)) throw err;
    const current = await latestVersion(db, programId, id);
    throw new LojalError('rule_version_conflict', { current: current?.version ?? previous.version + 1 });
  }
}

export async function updateRule(db: Db, programId: string, id: string, input: UpdateRuleInput, now: Date): Promise<Rule> {
  const fields = checkFields(input);
  const effectiveFrom = toInstant(input.effectiveFrom, now);
  return writeNextVersion(db, programId, id, input.expectedVersion, async (previous) => ({
    name: fields.name ?? previous.name,
    description: fields.description !== undefined ? fields.description : previous.description,
    priority: fields.priority ?? previous.priority,
    active: input.active ?? previous.active,
    effectiveFrom,
    definition:
      input.definition !== undefined ? await checkDefinition(db, programId, input.definition, previous.id) : previous.definition,
  }));
}

/** A new version that stops the rule from paying from `effectiveFrom` (default now); the history stays. */
export async function archiveRule(db: Db, programId: string, id: string, input: ArchiveRuleInput, now: Date): Promise<Rule> {
  const effectiveFrom = toInstant(input.effectiveFrom, now);
  return writeNextVersion(db, programId, id, input.expectedVersion, async (previous) => ({
    name: previous.name,
    description: previous.description,
    priority: previous.priority,
    active: false,
    effectiveFrom,
    definition: previous.definition,
  }));
}

/** Every version of a rule, oldest first; empty when the program has no such rule. */
export async function getRuleVersions(db: Db, programId: string, id: string): Promise<Rule[]> {
  if (!UUID.test(id)) return [];
  const rows = await db
    .selectFrom('rules')
    .selectAll()
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .orderBy('version')
    .execute();
  return rows.map(toRule);
}

/** The latest version with a summary of all versions; throws not_found. */
export async function getRule(db: Db, programId: string, id: string): Promise<RuleWithVersions> {
  const versions = await getRuleVersions(db, programId, id);
  const latest = versions.at(-1);
  if (!latest) throw notFound(id);
  return { ...latest, versions: versions.map(toSummary) };
}

/** One version; throws not_found. */
export async function getRuleVersion(db: Db, programId: string, id: string, version: number): Promise<Rule> {
  if (!UUID.test(id) || !Number.isSafeInteger(version)) throw notFound(id);
  const row = await db
    .selectFrom('rules')
    .selectAll()
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'rule version', id: `${id} v${version}` });
  return toRule(row);
}

/** The latest version of each rule (which may take effect in the future), by priority (highest first), then name. */
/** Rules by priority (highest first), then name and id, a page at a time. */
export async function listRules(db: Db, programId: string, filter: ListRulesFilter & PageParams = {}): Promise<Page<Rule>> {
  const limit = pageSize(filter);
  const after = decodeCursor(filter.cursor, z.tuple([z.number(), z.string(), z.uuid()]));
  let query = db
    .selectFrom((qb) =>
      qb
        .selectFrom('rules')
        .selectAll()
        .distinctOn('id')
        .where('program_id', '=', programId)
        .orderBy('id')
        .orderBy('version', 'desc')
        .as('latest'),
    )
    .selectAll();
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  const q = filter.q?.trim().toLowerCase();
  if (q) {
    query = query.where(({ or }) =>
      or([sql<boolean>`strpos(lower(name), ${q}) > 0`, sql<boolean>`strpos(lower(coalesce(description, '')), ${q}) > 0`]),
    );
  }
  if (filter.eventType !== undefined) {
    const types = sql<unknown>`definition -> 'conditions' -> 'eventTypes'`;
    query = query.where(({ or }) =>
      or([sql<boolean>`${types} IS NULL`, sql<boolean>`${types} @> ${JSON.stringify([filter.eventType])}::jsonb`]),
    );
  }
  if (after) {
    const [priority, name, id] = after;
    query = query.where(sql<boolean>`(priority < ${priority} OR (priority = ${priority} AND (name, id) > (${name}, ${id}::uuid)))`);
  }
  const rows = await query.orderBy('priority', 'desc').orderBy('name').orderBy('id').limit(limit + 1).execute();
  return toPage(rows, limit, (r) => [r.priority, r.name, r.id], toRule);
}

/**
 * The hot-path loader for event ingestion. One query loads every version of the program's rules that takes
 * effect at or before the latest of `at`; the returned function answers, without queries, which versions were
 * in force at an instant: per rule the latest version with effectiveFrom ≤ instant, inactive (archived) ones
 * dropped, sorted by priority (highest first), then id.
 *
 * The function only knows versions up to max(at): asking about a later instant throws a RangeError, as does
 * an invalid date. The RuleVersion objects are shared between calls; treat them as read-only.
 */
export async function rulesInForce(db: Db, programId: string, at: readonly Date[]): Promise<(at: Date) => RuleVersion[]> {
  let horizon = Number.NEGATIVE_INFINITY;
  for (const instant of at) {
    const t = instant.getTime();
    if (Number.isNaN(t)) throw new RangeError('rulesInForce: invalid date');
    if (t > horizon) horizon = t;
  }
  const check = (instant: Date): number => {
    const t = instant.getTime();
    if (Number.isNaN(t)) throw new RangeError('rulesInForce: invalid date');
    if (t > horizon) {
      throw new RangeError(`rulesInForce: ${instant.toISOString()} is after the instants the rules were loaded for`);
    }
    return t;
  };
  if (at.length === 0) {
    return (instant) => {
      check(instant);
      return [];
    };
  }

  const inForce = await loadTimeline(db, programId, new Date(horizon));
  return (instant) => inForce(new Date(check(instant)));
}

/**
 * Every version of the program's rules (for a cache: the answer covers any instant, the future included, so it
 * stays true as time passes). Same answers as rulesInForce.
 */
export function ruleTimeline(db: Db, programId: string): Promise<(at: Date) => RuleVersion[]> {
  return loadTimeline(db, programId, null);
}

async function loadTimeline(db: Db, programId: string, until: Date | null): Promise<(at: Date) => RuleVersion[]> {
  let query = db
    .selectFrom('rules')
    .select(['id', 'version', 'name', 'priority', 'active', 'effective_from', 'definition'])
    .where('program_id', '=', programId);
  if (until) query = query.where('effective_from', '<=', until);
  const rows = await query.orderBy('id').orderBy('effective_from').orderBy('version').execute();
  /** Per rule, its versions in the order they take effect, with their start instants alongside. */
  const timelines: { starts: number[]; versions: (RuleVersion | null)[] }[] = [];
  let current: (typeof timelines)[number] | undefined;
  let currentId: string | undefined;
  for (const row of rows) {
    if (row.id !== currentId) {
      current = { starts: [], versions: [] };
      timelines.push(current);
      currentId = row.id;
    }
    current!.starts.push(new Date(row.effective_from).getTime());
    current!.versions.push(
      row.active
        ? { id: row.id, version: row.version, name: row.name, priority: row.priority, definition: row.definition as RuleDefinition }
        : null,
    );
  }

  return (instant) => {
    const t = instant.getTime();
    if (Number.isNaN(t)) throw new RangeError('rulesInForce: invalid date');
    const out: RuleVersion[] = [];
    for (const { starts, versions } of timelines) {
      // The last version starting at or before t (binary search; starts are non-decreasing).
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! <= t) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0) continue; // the rule did not exist yet
      const version = versions[lo - 1]!;
      if (version !== null) out.push(version);
    }
    return out.sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
}
