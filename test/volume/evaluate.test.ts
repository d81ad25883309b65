import { describe, expect, it } from 'vitest';
import { ladderProblem, volumePeriod, volumeStanding, type VolumeSettings } from '../../src/volume/evaluate.js';

const levels = [
  { threshold: 10_000_000, basisPoints: 200 }, // 2 % from 100 000 SEK
  { threshold: 25_000_000, basisPoints: 400 }, // 4 % from 250 000 SEK
];

describe('the standing a total reaches', () => {
  it.each([
    [0, null, 200, 10_000_000],
    [9_999_999, null, 200, 1],
    [10_000_000, 200, 400, 15_000_000],
    [24_000_000, 200, 400, 1_000_000],
    [25_000_000, 400, null, 0],
    [90_000_000, 400, null, 0],
  ])('%i öre bought: %s now, next %s, %i missing', (total, current, next, missing) => {
    const s = volumeStanding(levels, total);
    expect(s.current?.basisPoints ?? null).toBe(current);
    expect(s.next?.basisPoints ?? null).toBe(next);
    expect(s.missing).toBe(missing);
  });

  it('does not depend on the order the levels are given in', () => {
    expect(volumeStanding([...levels].reverse(), 12_000_000)).toEqual(volumeStanding(levels, 12_000_000));
  });
});

describe('the ladder', () => {
  it.each([
    [levels, null],
    [[{ threshold: 100, basisPoints: 200 }, { threshold: 100, basisPoints: 300 }], 'threshold 100 is used twice'],
    [[{ threshold: 100, basisPoints: 300 }, { threshold: 200, basisPoints: 300 }], 'the level from 200 must give more than 300 basis points'],
    [[{ threshold: 500, basisPoints: 100 }, { threshold: 200, basisPoints: 300 }], 'the level from 500 must give more than 300 basis points'],
  ])('%j → %s', (ladder, problem) => {
    expect(ladderProblem(ladder)).toBe(problem);
  });
});

describe('the period that counts', () => {
  const at = new Date('2026-11-23T10:00:00Z');
  const s = (periodKind: VolumeSettings['periodKind'], periodMonths = 12): VolumeSettings => ({ basis: 'amount', periodKind, periodMonths });
  it.each([
    ['calendar_year', 12, 'Europe/Stockholm', '2025-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z'],
    ['quarter', 12, 'Europe/Stockholm', '2026-09-30T22:00:00.000Z', '2026-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z'],
    ['quarter', 12, 'UTC', '2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['rolling', 6, 'Europe/Stockholm', '2026-05-23T10:00:00.000Z', '2026-11-23T10:00:00.000Z', null],
  ] as const)('%s (%i months) in %s', (kind, months, tz, start, end, resetsAt) => {
    const p = volumePeriod(s(kind, months), at, tz);
    expect([p.start.toISOString(), p.end.toISOString(), p.resetsAt?.toISOString() ?? null]).toEqual([start, end, resetsAt]);
  });

  it('a quarter starts in the local time zone: 1 April 00:30 in Oslo is Q2 there, still Q1 in UTC', () => {
    const atNight = new Date('2026-03-31T22:30:00Z');
    expect(volumePeriod(s('quarter'), atNight, 'Europe/Oslo').start.toISOString()).toBe('2026-03-31T22:00:00.000Z');
    expect(volumePeriod(s('quarter'), atNight, 'UTC').start.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
