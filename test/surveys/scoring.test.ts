/** The survey figures as pure functions, table by table: NPS and its 95 % interval, CSAT, periods, groups. */
import { describe, expect, it } from 'vitest';
import { csat, figuresBy, nps, periodOf } from '../../src/surveys/scoring.js';
import { checkQuiz, validateAnswers, questionsSchema } from '../../src/questions/index.js';

const repeat = (score: number, n: number) => Array.from({ length: n }, () => score);

describe('NPS with its 95 % confidence interval', () => {
  // nps = 100(p − d); margin = 1.96 · 100 · √((p + d − (p − d)²) / n)
  it.each([
    { name: 'no answers', scores: [], nps: null, low: null, high: null },
    { name: 'one answer: a score, no interval', scores: [10], nps: 100, low: null, high: null },
    { name: 'all promoters: no spread', scores: repeat(9, 20), nps: 100, low: 100, high: 100 },
    { name: 'all detractors', scores: repeat(3, 10), nps: -100, low: -100, high: -100 },
    // p = .5, d = .3: var = (.8 − .04)/100 = .0076, margin = 1.96·100·.08718 = 17.09
    { name: '50 promoters, 20 passives, 30 detractors', scores: [...repeat(10, 50), ...repeat(7, 20), ...repeat(0, 30)], nps: 20, low: 2.9, high: 37.1 },
    // p = .5, d = .5 of 4: var = (1 − 0)/4 = .25, margin = 98 → cut at ±100? 0 ± 98
    { name: 'two and two', scores: [9, 10, 6, 0], nps: 0, low: -98, high: 98 },
    // p = .6, d = .1, n = 1000: var = (.7 − .25)/1000 = .00045, margin = 4.16
    { name: 'a large sample is narrow', scores: [...repeat(9, 600), ...repeat(8, 300), ...repeat(6, 100)], nps: 50, low: 45.8, high: 54.2 },
  ])('$name', ({ scores, nps: want, low, high }) => {
    const f = nps(scores);
    expect(f.nps).toBe(want);
    expect(f.low).toBe(low);
    expect(f.high).toBe(high);
    expect(f.promoters + f.passives + f.detractors).toBe(scores.length);
  });

  it('the boundaries: 6 is a detractor, 7–8 passive, 9 a promoter', () => {
    expect(nps([6, 7, 8, 9])).toMatchObject({ detractors: 1, passives: 2, promoters: 1, nps: 0 });
  });

  it.each([[-1], [11], [7.5]])('refuses %s', (bad) => {
    expect(() => nps([bad])).toThrow(RangeError);
  });
});

describe('CSAT: the share of 4 and 5', () => {
  it.each([
    { scores: [], share: null, mean: null },
    { scores: [5, 4, 3, 2], share: 50, mean: 3.5 },
    { scores: [1, 2, 3], share: 0, mean: 2 },
    { scores: [4, 4, 5], share: 100, mean: 4.33 },
    { scores: [5, 3, 3], share: 33.3, mean: 3.67 },
  ])('$scores → $share %', ({ scores, share, mean }) => {
    expect(csat(scores)).toMatchObject({ n: scores.length, share, mean });
  });
});

describe('periods', () => {
  it.each([
    ['2026-01-01', 'week', '2026-W01'],
    ['2027-01-01', 'week', '2026-W53'],
    ['2026-12-28', 'week', '2026-W53'],
    ['2026-05-15', 'month', '2026-05'],
    ['2026-05-15', 'quarter', '2026-Q2'],
    ['2026-11-30', 'quarter', '2026-Q4'],
    ['2026-11-30', 'year', '2026'],
  ] as const)('%s by %s is %s', (day, period, want) => {
    expect(periodOf(day, period)).toBe(want);
  });
});

describe('groups', () => {
  const row = (day: string, score: number, tier: string | null) => ({ day, nps: score, csat: null, tier, role: null, segment: null });
  const rows = [row('2026-01-03', 10, 'Gold'), row('2026-01-20', 0, 'Gold'), row('2026-02-01', 9, 'Silver'), row('2026-02-02', 9, null)];

  it('by month in time order', () => {
    expect(figuresBy(rows, 'period', { period: 'month' }).map((g) => [g.key, g.nps.nps])).toEqual([
      ['2026-01', 0],
      ['2026-02', 100],
    ]);
  });

  it('small groups are suppressed when asked (anonymous surveys), without scores', () => {
    const g = figuresBy(rows, 'tier', { minGroup: 2 });
    expect(g.map((x) => [x.key, x.answers, x.suppressed, x.nps.nps])).toEqual([
      ['Gold', 2, false, 0],
      ['Silver', 1, true, null],
      [null, 1, true, null],
    ]);
  });
});

describe('answers and quiz checking', () => {
  const form = questionsSchema.parse([
    { id: 'nps', kind: 'nps', text: { en: 'Recommend?' } },
    { id: 'c', kind: 'single', text: { en: 'Colour' }, options: [{ id: 'r', text: { en: 'Red' } }, { id: 'g', text: { en: 'Green' } }], correct: ['g'] },
    { id: 'm', kind: 'multiple', text: { en: 'Tools' }, options: [{ id: 'a', text: { en: 'A' } }, { id: 'b', text: { en: 'B' } }, { id: 'c', text: { en: 'C' } }], correct: ['a', 'c'] },
    { id: 'why', kind: 'text', required: false, text: { en: 'Why?' } },
  ]);

  it.each([
    [{ nps: 11, c: 'r', m: ['a'] }, 'answer_out_of_range'],
    [{ nps: 5.5, c: 'r', m: ['a'] }, 'answer_out_of_range'],
    [{ nps: 5, c: 'x', m: ['a'] }, 'unknown_option'],
    [{ nps: 5, c: 'r', m: ['a', 'z'] }, 'unknown_option'],
    [{ nps: 5, m: ['a'] }, 'answer_required'],
    [{ nps: 5, c: 'r', m: ['a'], extra: 1 }, 'unknown_question'],
    [{ nps: '5', c: 'r', m: ['a'] }, 'answer_out_of_range'],
    [{ nps: 5, c: ['r'], m: ['a'] }, 'answer_wrong_type'],
  ])('%j → %s', (answers, code) => {
    expect(() => validateAnswers(form, answers)).toThrow(expect.objectContaining({ code }));
  });

  it('normalizes: optional left out, choices sorted, text trimmed', () => {
    expect(validateAnswers(form, { nps: 0, c: 'g', m: ['c', 'a'], why: '  late  ' })).toEqual({ nps: 0, c: 'g', m: ['a', 'c'], why: 'late' });
    // An option named twice is refused, not quietly made one (a quiz would otherwise score it).
    expect(() => validateAnswers(form, { nps: 0, c: 'g', m: ['c', 'a', 'c'] })).toThrow('validation_failed');
  });

  it.each([
    [{ c: 'g', m: ['a', 'c'] }, 2, true],
    [{ c: 'g', m: ['a'] }, 1, false],
    [{ c: 'r', m: ['c', 'a'] }, 1, false],
  ])('quiz %j scores %i, passed %s at 100 %', (answers, score, passed) => {
    const quiz = form.filter((q) => q.kind === 'single' || q.kind === 'multiple');
    expect(checkQuiz(quiz, answers, 100)).toMatchObject({ score, total: 2, passed });
    expect(checkQuiz(quiz, answers, 50).passed).toBe(score >= 1);
  });
});
