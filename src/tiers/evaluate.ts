/**
 * The pure core of tiers: which level an owner (account or member) holds, given the program's ladder and
 * settings, what the owner qualified with, its current status and the time. No database, no clock.
 *
 * - Upgrade at once when the qualifying total reaches a higher level's threshold (levels may be skipped).
 *   The new level holds through a fresh qualification period.
 * - Downgrade only once `now` has passed the period end plus the grace days, to the level the owner
 *   qualified for, but at most `downgradeMaxLevels` levels down; an owner who qualified again keeps the
 *   level for a new period.
 * - A frozen status (staff hold) keeps its level, unchanged, until `frozenUntil`.
 */
import { addMonthsUtc, startOfLocalYear } from '../ledger/expiry.js';
import { localDate } from '../rules/calendar.js';

export type TierBasis = 'points' | 'amount';
export type TierWindowKind = 'rolling' | 'calendar_year';
export type TierScope = 'account' | 'member' | 'both';

export interface TierSettings {
  basis: TierBasis;
  windowKind: TierWindowKind;
  /** Length of a rolling window (and of the period a level then holds for), in months. */
  windowMonths: number;
  scope: TierScope;
  downgradeMaxLevels: number;
  graceDays: number;
}

export interface TierLevelRung {
  code: string;
  rank: number;
  threshold: number;
}

export interface TierState {
  level: string | null;
  periodEnd: Date;
  frozenUntil: Date | null;
}

export type TierChange = 'upgrade' | 'downgrade' | 'keep' | 'frozen';
export type TierReason =
  | 'initial'
  | 'threshold_reached'
  | 'requalified'
  | 'period_end'
  | 'level_removed'
  | 'certification_missing'
  | 'frozen'
  | 'unchanged';

export interface TierDecision {
  level: string | null;
  change: TierChange;
  reason: TierReason;
  periodEnd: Date;
}

export interface TierTotals {
  /** Qualifying total in the window that ends now. */
  current: number;
  /** Qualifying total in the window that ended at the status's period end (when that end has passed). */
  lastPeriod?: number;
}

export interface Window {
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

/** Ladder sorted by rank, lowest first. */
const byRank = (levels: readonly TierLevelRung[]) => [...levels].sort((a, b) => a.rank - b.rank);

/** The highest level whose threshold `total` reaches, or null. */
export function qualifiedLevel(levels: readonly TierLevelRung[], total: number): TierLevelRung | null {
  let best: TierLevelRung | null = null;
  for (const l of byRank(levels)) if (total >= l.threshold) best = l;
  return best;
}

/** The window whose total qualifies at `at`: the local calendar year containing it, or the N months ending at it. */
export function qualifyingWindow(settings: Pick<TierSettings, 'windowKind' | 'windowMonths'>, at: Date, timeZone: string): Window {
  if (settings.windowKind === 'calendar_year') {
    const year = localDate(at, timeZone).year;
    return { start: startOfLocalYear(year, timeZone), end: startOfLocalYear(year + 1, timeZone) };
  }
  return { start: addMonthsUtc(at, -settings.windowMonths), end: at };
}

/** The window that ended at a period end (for the downgrade check): the year before it, or the N months before it. */
export function windowEndingAt(settings: Pick<TierSettings, 'windowKind' | 'windowMonths'>, end: Date, timeZone: string): Window {
  if (settings.windowKind === 'calendar_year') {
    const year = localDate(new Date(end.getTime() - 1), timeZone).year;
    return { start: startOfLocalYear(year, timeZone), end: startOfLocalYear(year + 1, timeZone) };
  }
  return { start: addMonthsUtc(end, -settings.windowMonths), end };
}

/** Until when a level reached (or kept) at `at` holds: the end of the local calendar year, or N months on. */
export function periodEndFrom(settings: Pick<TierSettings, 'windowKind' | 'windowMonths'>, at: Date, timeZone: string): Date {
  if (settings.windowKind === 'calendar_year') return startOfLocalYear(localDate(at, timeZone).year + 1, timeZone);
  return addMonthsUtc(at, settings.windowMonths);
}

export interface DecideInput {
  levels: readonly TierLevelRung[];
  settings: TierSettings;
  totals: TierTotals;
  state: TierState | null;
  now: Date;
  timeZone: string;
  /**
   * Levels the owner may not hold now, whatever its total (a level that requires a certification the owner
   * lacks, src/training): they are left out of the ladder, and a held one is left as if it were removed.
   */
  blocked?: ReadonlySet<string>;
}

export function decide({ levels, settings, totals, state, now, timeZone, blocked }: DecideInput): TierDecision {
  const ladder = blocked?.size ? byRank(levels).filter((l) => !blocked.has(l.code)) : byRank(levels);
  const freshEnd = () => periodEndFrom(settings, now, timeZone);
  const qualifiedNow = qualifiedLevel(ladder, totals.current);

  if (state === null) {
    return { level: qualifiedNow?.code ?? null, change: qualifiedNow ? 'upgrade' : 'keep', reason: qualifiedNow ? 'threshold_reached' : 'initial', periodEnd: freshEnd() };
  }
  if (state.frozenUntil !== null && now < state.frozenUntil) {
    return { level: state.level, change: 'frozen', reason: 'frozen', periodEnd: state.periodEnd };
  }

  const currentIndex = state.level === null ? -1 : ladder.findIndex((l) => l.code === state.level);
  if (state.level !== null && currentIndex === -1) {
    // The level was taken off the ladder: the owner gets what it qualifies for now.
    const reason = blocked?.has(state.level) ? 'certification_missing' : 'level_removed';
    return { level: qualifiedNow?.code ?? null, change: 'downgrade', reason, periodEnd: freshEnd() };
  }
  const nowIndex = qualifiedNow ? ladder.indexOf(qualifiedNow) : -1;
  if (nowIndex > currentIndex) {
    return { level: qualifiedNow!.code, change: 'upgrade', reason: 'threshold_reached', periodEnd: freshEnd() };
  }

  const due = now.getTime() >= state.periodEnd.getTime() + settings.graceDays * DAY_MS;
  if (!due || currentIndex === -1) {
    return { level: state.level, change: 'keep', reason: 'unchanged', periodEnd: due ? freshEnd() : state.periodEnd };
  }
  // The period (and its grace) is over: the better of the ended period and the current window counts.
  const best = Math.max(totals.current, totals.lastPeriod ?? 0);
  const qualified = qualifiedLevel(ladder, best);
  const qualifiedIndex = qualified ? ladder.indexOf(qualified) : -1;
  if (qualifiedIndex >= currentIndex) {
    return { level: state.level, change: 'keep', reason: 'requalified', periodEnd: freshEnd() };
  }
  const targetIndex = Math.max(qualifiedIndex, currentIndex - settings.downgradeMaxLevels);
  return { level: targetIndex < 0 ? null : ladder[targetIndex]!.code, change: 'downgrade', reason: 'period_end', periodEnd: freshEnd() };
}

export interface TierProgress {
  nextLevel: string | null;
  /** What is still missing to reach the next level (points, or minor units of amount); 0 at the top. */
  missing: number;
  /** The end of the window the missing total must be reached in (rolling windows: null, they have no fixed end). */
  until: Date | null;
}

/** How far the owner is from the level above the one it holds. */
export function progress(
  levels: readonly TierLevelRung[],
  settings: Pick<TierSettings, 'windowKind' | 'windowMonths'>,
  level: string | null,
  total: number,
  now: Date,
  timeZone: string,
): TierProgress {
  const ladder = byRank(levels);
  const currentRank = level === null ? -Infinity : (ladder.find((l) => l.code === level)?.rank ?? -Infinity);
  const next = ladder.find((l) => l.rank > currentRank);
  const until = settings.windowKind === 'calendar_year' ? qualifyingWindow(settings, now, timeZone).end : null;
  if (!next) return { nextLevel: null, missing: 0, until };
  return { nextLevel: next.code, missing: Math.max(0, next.threshold - total), until };
}
