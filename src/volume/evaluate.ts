/**
 * Volume discounts, pure: the period whose purchases count, and the level a total reaches, the next level
 * and what is missing to it. Thresholds are minor units of money (or pieces); discounts are basis points.
 */
import { addMonthsUtc, wallTimeToUtc } from '../ledger/expiry.js';
import { localDate } from '../rules/calendar.js';

export type VolumeBasis = 'amount' | 'quantity';
export type VolumePeriodKind = 'calendar_year' | 'quarter' | 'rolling';

export interface VolumeSettings {
  basis: VolumeBasis;
  periodKind: VolumePeriodKind;
  /** For 'rolling': the window's length in months. */
  periodMonths: number;
}

export interface VolumeLevel {
  threshold: number;
  basisPoints: number;
}

export interface VolumePeriod {
  start: Date;
  end: Date;
  /** When the level reached now stops counting as it is: the end of the calendar period; null for a rolling window (it moves). */
  resetsAt: Date | null;
}

/** The local calendar year or quarter containing `at`, or the N months ending at it. */
export function volumePeriod(settings: VolumeSettings, at: Date, timeZone: string): VolumePeriod {
  const d = localDate(at, timeZone);
  if (settings.periodKind === 'calendar_year') {
    const end = wallTimeToUtc(d.year + 1, 1, 1, 0, 0, 0, timeZone);
    return { start: wallTimeToUtc(d.year, 1, 1, 0, 0, 0, timeZone), end, resetsAt: end };
  }
  if (settings.periodKind === 'quarter') {
    const firstMonth = Math.floor((d.month - 1) / 3) * 3 + 1;
    const next = firstMonth + 3;
    const end = next > 12 ? wallTimeToUtc(d.year + 1, 1, 1, 0, 0, 0, timeZone) : wallTimeToUtc(d.year, next, 1, 0, 0, 0, timeZone);
    return { start: wallTimeToUtc(d.year, firstMonth, 1, 0, 0, 0, timeZone), end, resetsAt: end };
  }
  return { start: addMonthsUtc(at, -settings.periodMonths), end: at, resetsAt: null };
}

export interface VolumeStanding {
  current: VolumeLevel | null;
  next: VolumeLevel | null;
  /** What the total lacks to reach the next level; 0 at the top. */
  missing: number;
}

/** The highest level the total reaches and the one above it. */
export function volumeStanding(levels: readonly VolumeLevel[], total: number): VolumeStanding {
  const sorted = [...levels].sort((a, b) => a.threshold - b.threshold);
  let current: VolumeLevel | null = null;
  let next: VolumeLevel | null = null;
  for (const l of sorted) {
    if (total >= l.threshold) current = l;
    else {
      next = l;
      break;
    }
  }
  return { current, next, missing: next ? next.threshold - total : 0 };
}

/** Thresholds strictly ascending with discounts strictly ascending: a bigger buyer never gets less. */
export function ladderProblem(levels: readonly VolumeLevel[]): string | null {
  const sorted = [...levels].sort((a, b) => a.threshold - b.threshold);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const l = sorted[i]!;
    if (l.threshold === prev.threshold) return `threshold ${l.threshold} is used twice`;
    if (l.basisPoints <= prev.basisPoints) return `the level from ${l.threshold} must give more than ${prev.basisPoints} basis points`;
  }
  return null;
}
