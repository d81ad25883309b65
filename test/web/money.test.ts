import { describe, expect, it } from 'vitest';
import { localeOfLanguage, moneyInput, readMoney } from '../../web/shared/money.js';

type Language = keyof typeof localeOfLanguage;

/**
 * What a person types in a money field, read in the UI language's own marks: a thousands separator is never
 * taken for a decimal point, and text with two plausible readings is refused instead of guessed.
 */

type Case = [input: string, minor: number | 'malformed' | 'ambiguous' | 'decimals'];

const shared: Case[] = [
  ['1500', 150000],
  ['0', 0],
  ['12x', 'malformed'],
  ['', 'malformed'],
  ['1..5', 'malformed'],
  ['€15', 'malformed'],
];

const cases: Record<Language, Case[]> = {
  en: [
    ['1,500', 150000],
    ['1,500.5', 150050],
    ['1,234,567.89', 123456789],
    ['1.5', 150],
    ['1.999', 'decimals'],
    ['1,5', 150], // a grouping comma needs three digits after it: only a decimal comma is left
    ['1,50', 150],
    ['1,5,0', 'malformed'],
    ['1,2345', 'decimals'],
    ['12,34,567', 'malformed'],
    ['1.500,50', 'malformed'],
    ['1 500', 'malformed'],
    ['-2.5', -250],
  ],
  de: [
    ['1.500', 150000],
    ['1.999', 199900],
    ['1.500,50', 150050],
    ['1.234.567,89', 123456789],
    ['1,5', 150],
    ['1,999', 'decimals'],
    ['1.5', 150],
    ['12.50', 1250],
    ['1,500.50', 'malformed'],
    ['1.50.000', 'malformed'],
    ['1 500', 'malformed'],
  ],
  sv: [
    ['1 500', 150000],
    ['1\u00a0500,50', 150050],
    ['1\u202f234\u202f567,89', 123456789],
    ['1,5', 150],
    ['12.50', 1250],
    ['1.500', 'ambiguous'],
    ['1 500.5', 150050],
    ['1.500.000', 'malformed'],
    ['15 00', 'malformed'],
    ['\u22125,5', -550],
  ],
  nb: [
    ['1 500', 150000],
    ['1\u00a0500,50', 150050],
    ['2,25', 225],
    ['1.500', 'ambiguous'],
    ['1,500', 'decimals'],
  ],
  pl: [
    ['1 500', 150000],
    ['1500,50', 150050],
    ['12\u00a0345,6', 1234560],
    ['1.500', 'ambiguous'],
    ['1,999', 'decimals'],
  ],
};

describe('readMoney', () => {
  for (const [lng, own] of Object.entries(cases) as [Language, Case[]][]) {
    it.each([...shared, ...own])(`${lng}: %j`, (input, expected) => {
      const r = readMoney(input, 'EUR', localeOfLanguage[lng]);
      if (typeof expected === 'number') expect(r).toEqual({ ok: true, minor: expected });
      else expect(r).toMatchObject({ ok: false, kind: expected });
    });
  }

  it('gives both readings of an ambiguous amount', () => {
    expect(readMoney('1.500', 'SEK', 'sv-SE')).toEqual({ ok: false, kind: 'ambiguous', thousands: 1500, decimal: 1.5 });
  });

  it('counts decimals by the currency', () => {
    expect(readMoney('1.500', 'JPY', 'de-DE')).toEqual({ ok: true, minor: 1500 });
    expect(readMoney('1,5', 'JPY', 'de-DE')).toMatchObject({ ok: false, kind: 'decimals' });
    expect(readMoney('1,234', 'KWD', 'de-DE')).toEqual({ ok: true, minor: 1234 });
  });

  it('reads back what an input is filled with, in every language', () => {
    for (const locale of Object.values(localeOfLanguage)) {
      for (const minor of [0, 5, 1250, 150000, 123456789]) {
        expect(readMoney(moneyInput(minor, 'EUR', locale), 'EUR', locale)).toEqual({ ok: true, minor });
      }
    }
  });
});
