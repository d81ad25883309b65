import { describe, expect, it } from 'vitest';
import { decide, periodEndFrom, progress, qualifyingWindow, windowEndingAt, type TierSettings, type TierState } from '../../src/tiers/evaluate.js';

const TZ = 'Europe/Stockholm';
const ladder = [
  { code: 'silver', rank: 2, threshold: 5000 },
  { code: 'bronze', rank: 1, threshold: 1000 },
  { code: 'platinum', rank: 4, threshold: 20000 },
  { code: 'gold', rank: 3, threshold: 10000 },
];
const yearly: TierSettings = { basis: 'points', windowKind: 'calendar_year', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 0 };
const rolling: TierSettings = { ...yearly, windowKind: 'rolling', windowMonths: 6 };
const d = (s: string) => new Date(s);
// Local midnight of 1 January in Stockholm (CET, UTC+1).
const NEW_YEAR_2027 = d('2026-12-31T23:00:00Z');
const NEW_YEAR_2028 = d('2027-12-31T23:00:00Z');
const state = (level: string | null, periodEnd = NEW_YEAR_2027, frozenUntil: Date | null = null): TierState => ({ level, periodEnd, frozenUntil });

describe('windows and periods in the program time zone', () => {
  it.each([
    ['calendar year, mid-year', yearly, '2026-06-15T12:00:00Z', '2025-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z'],
    ['calendar year, New Year in Stockholm but still 31 Dec in UTC', yearly, '2026-12-31T23:30:00Z', '2026-12-31T23:00:00.000Z', '2027-12-31T23:00:00.000Z'],
    ['rolling 6 months', rolling, '2026-08-31T10:00:00Z', '2026-02-28T10:00:00.000Z', '2026-08-31T10:00:00.000Z'],
  ])('%s', (_name, settings, at, start, end) => {
    const w = qualifyingWindow(settings, d(at), TZ);
    expect([w.start.toISOString(), w.end.toISOString()]).toEqual([start, end]);
  });

  it('the window that ended at a period end is the year before it (calendar) or the months before it (rolling)', () => {
    const y = windowEndingAt(yearly, NEW_YEAR_2027, TZ);
    expect([y.start.toISOString(), y.end.toISOString()]).toEqual(['2025-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z']);
    const r = windowEndingAt(rolling, d('2026-07-01T00:00:00Z'), TZ);
    expect([r.start.toISOString(), r.end.toISOString()]).toEqual(['2026-01-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z']);
  });

  it('a level holds to the end of the local year, or N months on', () => {
    expect(periodEndFrom(yearly, d('2026-03-01T00:00:00Z'), TZ).toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(periodEndFrom(rolling, d('2026-03-31T08:00:00Z'), TZ).toISOString()).toBe('2026-09-30T08:00:00.000Z');
  });
});

describe('decide', () => {
  const mid2026 = d('2026-06-15T12:00:00Z');
  const jan2027 = d('2027-01-10T12:00:00Z');
  it.each<[string, TierSettings, number, number | undefined, TierState | null, Date, string | null, string, string, string]>([
    // name, settings, current total, last period total, state, now → level, change, reason, period end
    ['first look, below the ladder', yearly, 999, undefined, null, mid2026, null, 'keep', 'initial', '2026-12-31T23:00:00.000Z'],
    ['first look, at a threshold exactly', yearly, 1000, undefined, null, mid2026, 'bronze', 'upgrade', 'threshold_reached', '2026-12-31T23:00:00.000Z'],
    ['upgrade skips levels', yearly, 10000, undefined, state('bronze'), mid2026, 'gold', 'upgrade', 'threshold_reached', '2026-12-31T23:00:00.000Z'],
    ['one short of the next level', yearly, 4999, undefined, state('bronze'), mid2026, 'bronze', 'keep', 'unchanged', '2026-12-31T23:00:00.000Z'],
    ['no downgrade before the period end', yearly, 0, undefined, state('gold'), mid2026, 'gold', 'keep', 'unchanged', '2026-12-31T23:00:00.000Z'],
    ['period over, qualified in the ended year: kept for a new year', yearly, 0, 10000, state('gold'), jan2027, 'gold', 'keep', 'requalified', '2027-12-31T23:00:00.000Z'],
    ['period over, not qualified: down one level only', yearly, 0, 0, state('platinum'), jan2027, 'gold', 'downgrade', 'period_end', '2027-12-31T23:00:00.000Z'],
    ['period over, qualified lower: down to that level if within the limit', yearly, 0, 6000, state('gold'), jan2027, 'silver', 'downgrade', 'period_end', '2027-12-31T23:00:00.000Z'],
    ['down at most two levels', { ...yearly, downgradeMaxLevels: 2 }, 0, 1500, state('platinum'), jan2027, 'silver', 'downgrade', 'period_end', '2027-12-31T23:00:00.000Z'],
    ['down to no level', { ...yearly, downgradeMaxLevels: 3 }, 0, 500, state('silver'), jan2027, null, 'downgrade', 'period_end', '2027-12-31T23:00:00.000Z'],
    ['within the grace days: kept', { ...yearly, graceDays: 30 }, 0, 0, state('gold'), jan2027, 'gold', 'keep', 'unchanged', '2026-12-31T23:00:00.000Z'],
    ['after the grace days: down', { ...yearly, graceDays: 9 }, 0, 0, state('gold'), jan2027, 'silver', 'downgrade', 'period_end', '2027-12-31T23:00:00.000Z'],
    ['frozen: kept even when an upgrade is due', yearly, 50000, 0, state('bronze', NEW_YEAR_2027, d('2027-02-01T00:00:00Z')), jan2027, 'bronze', 'frozen', 'frozen', '2026-12-31T23:00:00.000Z'],
    ['freeze ended: evaluated as usual', yearly, 0, 0, state('gold', NEW_YEAR_2027, d('2027-01-10T12:00:00Z')), jan2027, 'silver', 'downgrade', 'period_end', '2027-12-31T23:00:00.000Z'],
    ['level taken off the ladder', yearly, 6000, undefined, state('diamond'), mid2026, 'silver', 'downgrade', 'level_removed', '2026-12-31T23:00:00.000Z'],
    ['no level and period over: a new period, still none', yearly, 0, 0, state(null), jan2027, null, 'keep', 'unchanged', '2027-12-31T23:00:00.000Z'],
    ['rolling: upgrade holds for N months', rolling, 20000, undefined, state('gold', NEW_YEAR_2028), mid2026, 'platinum', 'upgrade', 'threshold_reached', '2026-12-15T12:00:00.000Z'],
  ])('%s', (_name, settings, current, lastPeriod, st, now, level, change, reason, periodEnd) => {
    const r = decide({ levels: ladder, settings, totals: { current, ...(lastPeriod !== undefined && { lastPeriod }) }, state: st, now, timeZone: TZ });
    expect({ level: r.level, change: r.change, reason: r.reason, periodEnd: r.periodEnd.toISOString() }).toEqual({ level, change, reason, periodEnd });
  });

  it('is idempotent: deciding again on its own result changes nothing', () => {
    const first = decide({ levels: ladder, settings: yearly, totals: { current: 0, lastPeriod: 0 }, state: state('platinum'), now: jan2027, timeZone: TZ });
    const again = decide({ levels: ladder, settings: yearly, totals: { current: 0, lastPeriod: 0 }, state: { level: first.level, periodEnd: first.periodEnd, frozenUntil: null }, now: jan2027, timeZone: TZ });
    expect([first.level, again.level, again.change]).toEqual(['gold', 'gold', 'keep']);
  });
});

describe('progress', () => {
  const now = d('2026-06-15T12:00:00Z');
  it.each<[string, string | null, number, string | null, number]>([
    ['no level yet', null, 400, 'bronze', 600],
    ['bronze, toward silver', 'bronze', 4200, 'silver', 800],
    ['already past the next threshold (not yet evaluated)', 'silver', 12000, 'gold', 0],
    ['at the top', 'platinum', 25000, null, 0],
  ])('%s', (_name, level, total, nextLevel, missing) => {
    expect(progress(ladder, yearly, level, total, now, TZ)).toEqual({ nextLevel, missing, until: d('2026-12-31T23:00:00Z') });
  });
  it('rolling windows have no fixed end', () => {
    expect(progress(ladder, rolling, 'gold', 11000, now, TZ)).toEqual({ nextLevel: 'platinum', missing: 9000, until: null });
  });
});
