/**
 * Applies tier decisions: for one owner inside a transaction, or for every owner of a program (the
 * scheduled job). Idempotent: a decision is applied to the status it was made from, under that status
 * row's lock, so running again at the same `now` finds nothing to change and writes no history.
 */
import { sql } from 'kysely';
import { setAccountTier, setMemberTier, setTierBelow } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import type { TierOwnerKind } from '../db/schema.js';
import { decide, qualifyingWindow, windowEndingAt, type TierDecision } from './evaluate.js';
import { publishTierChange } from '../webhooks/publish.js';
import { blockedLevelsFor, loadRequirements } from '../training/requirements.js';
import type { Requirements } from '../training/certification.js';
import { appendTierHistory, getTierConfig, getTierStatus, qualifyingTotals, saveTierStatus, tierStatusesOf, type TierConfig, type TierStatusRow } from './store.js';

export const ownerKindsOf = (scope: TierConfig['settings']['scope']): TierOwnerKind[] =>
  scope === 'both' ? ['account', 'member'] : [scope];

export interface EvaluateOptions {
  /** Only ever raise the level (event time): downgrades wait for the job. */
  upgradeOnly?: boolean;
  /** The certifications levels require (src/training), read once for many owners; read per owner when not given. */
  requirements?: Requirements;
}

/** Evaluates one owner and applies the decision; call inside a transaction. */
export async function evaluateOwner(
  trx: Db,
  programId: string,
  config: TierConfig,
  timeZone: string,
  kind: TierOwnerKind,
  ownerId: string,
  now: Date,
  options: EvaluateOptions = {},
): Promise<TierDecision | null> {
  const { settings, levels } = config;
  // Concurrent evaluations of one owner take turns on the owner's own row (there may be no status row
  // to lock yet); event processing locks the same account rows, so a purchase and the job do too.
  await sql`SELECT 1 FROM ${sql.table(kind === 'account' ? 'accounts' : 'members')}
    WHERE program_id = ${programId} AND id = ${ownerId} FOR NO KEY UPDATE`.execute(trx);
  const state = await getTierStatus(trx, programId, kind, ownerId);
  const chain = config.chain && kind === 'account';
  const current = (await qualifyingTotals(trx, programId, settings.basis, kind, qualifyingWindow(settings, now, timeZone), [ownerId], chain)).get(ownerId) ?? 0;
  let lastPeriod: number | undefined;
  if (state && now >= state.periodEnd) {
    lastPeriod = (await qualifyingTotals(trx, programId, settings.basis, kind, windowEndingAt(settings, state.periodEnd, timeZone), [ownerId], chain)).get(ownerId) ?? 0;
  }
  // Levels that require a certification the owner does not hold (valid) now are out of its reach.
  const blocked = await blockedLevelsFor(trx, programId, kind, ownerId, now, options.requirements);
  const decision = decide({ levels, settings, totals: { current, ...(lastPeriod !== undefined && { lastPeriod }) }, state, now, timeZone, blocked });
  if (options.upgradeOnly && decision.change !== 'upgrade') return decision;

  const levelChanged = decision.level !== (state?.level ?? null);
  if (!state && !levelChanged) return decision; // below the ladder and never had a level: nothing to keep
  if (state && !levelChanged && decision.periodEnd.getTime() === state.periodEnd.getTime()) return decision;

  await saveTierStatus(trx, programId, kind, ownerId, {
    level: decision.level,
    since: levelChanged || !state ? now : state.since,
    periodEnd: decision.periodEnd,
    frozenUntil: state?.frozenUntil ?? null,
    frozenReason: state?.frozenReason ?? null,
  });
  if (levelChanged) {
    await appendTierHistory(trx, programId, kind, ownerId, {
      from: state?.level ?? null,
      to: decision.level,
      reason: decision.reason,
      detail: { basis: settings.basis, total: current, ...(lastPeriod !== undefined && { lastPeriodTotal: lastPeriod }) },
      at: now,
    });
    await (kind === 'account' ? setAccountTier : setMemberTier)(trx, programId, ownerId, decision.level, now);
    if (chain) await setTierBelow(trx, programId, ownerId, decision.level, now);
    await publishTierChange(trx, programId, { ownerKind: kind, ownerId, from: state?.level ?? null, to: decision.level, reason: decision.reason }, now);
  }
  return decision;
}

export interface TierJobReport {
  evaluated: number;
  upgrades: number;
  downgrades: number;
}

/**
 * Re-evaluates every owner with qualifying activity in the current window or a tier status, each in its
 * own transaction. Safe to re-run: the same `now` twice changes nothing the second time.
 */
export async function evaluateTiers(db: Db, programId: string, now: Date): Promise<TierJobReport> {
  const report: TierJobReport = { evaluated: 0, upgrades: 0, downgrades: 0 };
  const config = await getTierConfig(db, programId);
  if (!config) return report;
  const program = await db.selectFrom('programs').select('time_zone').where('id', '=', programId).executeTakeFirstOrThrow();
  const roots = new Set(
    config.chain
      ? (await db.selectFrom('accounts').select('id').where('program_id', '=', programId).where('parent_id', 'is', null).execute()).map((r) => r.id)
      : [],
  );
  const requirements = await loadRequirements(db, programId);
  for (const kind of ownerKindsOf(config.settings.scope)) {
    const chain = config.chain && kind === 'account';
    const active = await qualifyingTotals(db, programId, config.settings.basis, kind, qualifyingWindow(config.settings, now, program.time_zone), undefined, chain);
    const withStatus = await db.selectFrom('tier_status').select('owner_id').where('program_id', '=', programId).where('owner_kind', '=', kind).execute();
    let owners = [...new Set([...active.keys(), ...withStatus.map((r) => r.owner_id)])].sort();
    // Rolled up, only top parents hold a tier; a branch's status from before stays as it was, unused.
    if (chain) owners = owners.filter((id) => active.has(id) || roots.has(id));
    // Most owners keep their level and period on a given night. Where the decision can be made from the
    // totals above and the statuses read a page at a time, an owner whose decision changes nothing costs no
    // transaction; every other owner is evaluated as before, under its lock, on what is there then.
    const screen = !chain && requirements.size === 0;
    for (let from = 0; from < owners.length; from += SCREEN_PAGE) {
      const page = owners.slice(from, from + SCREEN_PAGE);
      const statuses = screen ? await tierStatusesOf(db, programId, kind, page) : undefined;
      for (const ownerId of page) {
        report.evaluated++;
        if (statuses && !changesAnything(config, program.time_zone, statuses.get(ownerId) ?? null, active.get(ownerId) ?? 0, now)) continue;
        const d = await db.transaction().execute(async (trx) => {
          const decision = await evaluateOwner(trx, programId, config, program.time_zone, kind, ownerId, now, { requirements });
          // Branches added to the chain since its last change take its level too.
          if (chain) await setTierBelow(trx, programId, ownerId, decision?.level ?? null, now);
          return decision;
        });
        if (d?.change === 'upgrade') report.upgrades++;
        if (d?.change === 'downgrade') report.downgrades++;
      }
    }
  }
  return report;
}

const SCREEN_PAGE = 5_000;

/**
 * Whether evaluating an owner would write anything, decided from its status and its total in the window (no
 * certification requirements, no chain): an ended period always needs the full evaluation (the last period's
 * total), otherwise exactly the cases in which `evaluateOwner` writes — a new level, or a new period end.
 */
export function changesAnything(config: TierConfig, timeZone: string, state: TierStatusRow | null, current: number, now: Date): boolean {
  if (state && now >= state.periodEnd) return true;
  const decision = decide({ levels: config.levels, settings: config.settings, totals: { current }, state, now, timeZone, blocked: new Set() });
  const levelChanged = decision.level !== (state?.level ?? null);
  if (!state) return levelChanged;
  return levelChanged || decision.periodEnd.getTime() !== state.periodEnd.getTime();
}

/** The tier job for every program. */
export async function runTierJobs(db: Db, now: Date): Promise<TierJobReport> {
  const total: TierJobReport = { evaluated: 0, upgrades: 0, downgrades: 0 };
  const programs = await db.selectFrom('tier_settings').select('program_id').execute();
  for (const { program_id } of programs) {
    const r = await evaluateTiers(db, program_id, now);
    total.evaluated += r.evaluated;
    total.upgrades += r.upgrades;
    total.downgrades += r.downgrades;
  }
  return total;
}
