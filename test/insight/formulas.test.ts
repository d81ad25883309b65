/**
 * Every KPI formula of docs/insight.md on small hand-made tables, with the answer worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  averageOrderValue, breakageRate, cohortTable, cohortTableFromCounts, countsFromInvoices, historicalClv, liabilityMinor, nextPeriodStart,
  participationRate, periodKpis, periodStart, periodStarts, purchaseFrequency, redemptionRate, repeatRate, tierMove,
} from '../../src/insight/formulas.js';
import { csvLocale, formatCell } from '../../src/insight/export.js';

describe('periods', () => {
  it.each([
    ['2026-11-25', 'day', '2026-11-25', '2026-11-26'],
    ['2026-11-25', 'week', '2026-11-23', '2026-11-30'], // a Wednesday: its week starts on Monday the 23rd
    ['2026-11-29', 'week', '2026-11-23', '2026-11-30'], // Sunday ends the ISO week
    ['2027-01-01', 'week', '2026-12-28', '2027-01-04'], // a week across the new year
    ['2026-11-25', 'month', '2026-11-01', '2026-12-01'],
    ['2026-12-31', 'month', '2026-12-01', '2027-01-01'],
    ['2026-11-25', 'quarter', '2026-10-01', '2027-01-01'],
    ['2026-03-31', 'quarter', '2026-01-01', '2026-04-01'],
    ['2026-11-25', 'year', '2026-01-01', '2027-01-01'],
  ] as const)('%s in its %s starts on %s, the next on %s', (day, period, start, next) => {
    expect(periodStart(day, period)).toBe(start);
    expect(nextPeriodStart(start, period)).toBe(next);
  });

  it('lists every period a range touches', () => {
    expect(periodStarts('2026-01-15', '2026-04-02', 'month')).toEqual(['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01']);
    expect(periodStarts('2026-02-27', '2026-03-01', 'day')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  });
});

describe('ratios', () => {
  it.each([
    // repeaters, buyers → repeat rate
    [0, 0, null],
    [0, 4, 0],
    [1, 4, 0.25],
    [3, 3, 1],
  ])('repeat rate of %i repeaters among %i buyers is %s', (repeaters, buyers, expected) => {
    expect(repeatRate(repeaters, buyers)).toBe(expected);
  });

  it.each([
    [0, 0, null],
    [7, 4, 1.75],
  ])('purchase frequency of %i invoices over %i buyers is %s', (purchases, buyers, expected) => {
    expect(purchaseFrequency(purchases, buyers)).toBe(expected);
  });

  it.each([
    [0, 0, null],
    [1000, 3, 333], // 333.33 → 333
    [1001, 2, 501], // 500.5 rounds half up
  ])('average order value of %i over %i invoices is %s', (revenue, purchases, expected) => {
    expect(averageOrderValue(revenue, purchases)).toBe(expected);
  });

  it.each([
    [10_000, 1_000, 3, 3000],
    [10_000, 0, 0, null],
    [500, 600, 1, -100], // more returned than bought in the window (returns of earlier purchases)
  ])('historical CLV of %i gross, %i returned over %i buyers is %s', (revenue, returned, buyers, expected) => {
    expect(historicalClv(revenue, returned, buyers)).toBe(expected);
  });

  it.each([
    [100, 1000, 0, 0.1],
    [100, 1000, 500, 0.2], // reversed points never counted as issued
    [0, 0, 0, null],
  ])('breakage of %i expired over %i issued (%i reversed) is %s', (expired, issued, reversed, expected) => {
    expect(breakageRate(expired, issued, reversed)).toBe(expected);
  });

  it('redemption rate, participation rate, liability', () => {
    expect(redemptionRate(250, 1000)).toBe(0.25);
    expect(participationRate(15, 100)).toBe(0.15);
    expect(participationRate(0, 0)).toBeNull();
    // 1,234 points at 0.02 öre each (20,000 micros of a minor unit): 24.68 öre → 25
    expect(liabilityMinor(1234, 20_000)).toBe(25);
    expect(liabilityMinor(1_000_000, 1_000_000)).toBe(1_000_000);
  });

  it.each([
    [null, 0, 'upgrade'],
    [0, 1, 'upgrade'],
    [2, 1, 'downgrade'],
    [0, null, 'downgrade'],
    [1, 1, 'none'],
  ] as const)('a move from rank %s to %s is a(n) %s', (from, to, expected) => {
    expect(tierMove(from, to)).toBe(expected);
  });
});

describe('period counts and KPIs from invoices', () => {
  // A: 3 invoices (2 in March), B: 1 in Feb and 1 in March, C: 1 in March, D: 1 in April.
  const purchases = [
    { account: 'A', day: '2026-02-10', value: 1000 },
    { account: 'A', day: '2026-03-01', value: 2000 },
    { account: 'A', day: '2026-03-31', value: 3000 },
    { account: 'B', day: '2026-02-20', value: 500 },
    { account: 'B', day: '2026-03-15', value: 1500 },
    { account: 'C', day: '2026-03-15', value: 400 },
    { account: 'D', day: '2026-04-01', value: 9999 },
  ];
  const returns = [
    { account: 'A', day: '2026-03-02', value: 700 },
    { account: 'B', day: '2026-04-02', value: 100 },
  ];

  it('March: buyers A, B, C; only A twice; cumulative repeaters A and B among A, B, C', () => {
    const c = countsFromInvoices(purchases, returns, 'month', '2026-03-01');
    expect(c).toEqual({
      buyers: 3, repeaters: 1, purchases: 4, revenue: 6900, returns: 1, returned: 700,
      cumulativeBuyers: 3, cumulativeRepeaters: 2, cumulativeRevenue: 8400, cumulativeReturned: 700, newBuyers: 1,
    });
    const k = periodKpis(c);
    expect(k.repeatRate).toBeCloseTo(1 / 3);
    expect(k.cumulativeRepeatRate).toBeCloseTo(2 / 3);
    expect(k.purchaseFrequency).toBeCloseTo(4 / 3);
    expect(k.averageOrderValue).toBe(1725);
    expect(k.historicalClv).toBe(Math.round((8400 - 700) / 3));
    expect(k.netRevenue).toBe(6200);
    expect(k.returnRate).toBeCloseTo(700 / 6900);
  });

  it('Q1 as one period: A has 3 invoices, B 2, C 1', () => {
    const c = countsFromInvoices(purchases, returns, 'quarter', '2026-01-01');
    expect([c.buyers, c.repeaters, c.purchases, c.newBuyers]).toEqual([3, 2, 6, 3]);
  });

  it('a week with nobody buying has no rates, but the running figures go on', () => {
    const k = periodKpis(countsFromInvoices(purchases, returns, 'week', '2026-03-23'));
    expect([k.buyers, k.repeatRate, k.purchaseFrequency, k.averageOrderValue]).toEqual([0, null, null, null]);
    expect(k.cumulativeBuyers).toBe(3);
  });
});

describe('cohort table', () => {
  const months = [
    { account: 'A', month: '2026-01' }, { account: 'A', month: '2026-02' }, { account: 'A', month: '2026-04' },
    { account: 'B', month: '2026-01' }, { account: 'B', month: '2026-03' },
    { account: 'C', month: '2026-02' }, { account: 'C', month: '2026-02' }, { account: 'C', month: '2026-03' },
    { account: 'D', month: '2026-04' },
  ];

  it('groups accounts by first month and counts who bought k months later', () => {
    expect(cohortTable(months)).toEqual([
      { cohort: '2026-01', size: 2, active: [2, 1, 1, 1], retention: [1, 0.5, 0.5, 0.5] },
      { cohort: '2026-02', size: 1, active: [1, 1, 0], retention: [1, 1, 0] },
      { cohort: '2026-04', size: 1, active: [1], retention: [1] },
    ]);
  });

  it('the SQL-shaped counts give the same table', () => {
    const cells = [
      { cohort: '2026-01', offset: 0, accounts: 2 }, { cohort: '2026-01', offset: 1, accounts: 1 }, { cohort: '2026-01', offset: 2, accounts: 1 },
      { cohort: '2026-01', offset: 3, accounts: 1 }, { cohort: '2026-02', offset: 0, accounts: 1 }, { cohort: '2026-02', offset: 1, accounts: 1 },
      { cohort: '2026-04', offset: 0, accounts: 1 },
    ];
    expect(cohortTableFromCounts(cells, '2026-04')).toEqual(cohortTable(months));
  });

  it('a later end month adds empty months to every row', () => {
    expect(cohortTable(months, '2026-05')[2]).toEqual({ cohort: '2026-04', size: 1, active: [1, 0], retention: [1, 0] });
  });
});

describe('CSV cells by locale', () => {
  it.each([
    ['en', { money: 123456 }, '1234.56'],
    ['sv', { money: 123456 }, '1234,56'],
    ['de', { money: -5 }, '-0,05'],
    ['en', { decimal: 0.25 }, '0.25'],
    ['pl', { decimal: 1 / 3 }, '0,333333'],
    ['nb', 42, '42'],
    ['en', null, ''],
    ['en', '=HYPERLINK("x")', `'=HYPERLINK("x")`],
    ['en', 'Åkesson & Söner', 'Åkesson & Söner'],
  ] as const)('%s writes %j as %s', (lang, cell, text) => {
    expect(formatCell(cell as never, csvLocale(lang))).toBe(text);
  });

  it('separates fields with commas in English and semicolons where the comma is the decimal sign', () => {
    expect(csvLocale('en').delimiter).toBe(',');
    expect(csvLocale('sv').delimiter).toBe(';');
  });
});
