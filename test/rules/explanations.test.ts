import { readFileSync } from 'node:fs';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/rules/engine.js';
import type { Explanation } from '../../src/rules/types.js';
import { context, purchase, rule } from './fixtures.js';

const LANGUAGES = ['en', 'sv', 'nb', 'pl', 'de'] as const;
type Catalogue = Record<string, unknown>;

const catalogues = Object.fromEntries(
  LANGUAGES.map((lng) => [
    lng,
    JSON.parse(readFileSync(new URL(`../../src/i18n/locales/${lng}/rules.json`, import.meta.url), 'utf8')) as Catalogue,
  ]),
) as Record<(typeof LANGUAGES)[number], Catalogue>;

const PERIODS = ['day', 'week', 'month', 'year', 'lifetime'];
const POINTS = ['rule', 'points', 'count'];

/** Every key the engine emits, with the params it may carry. */
const KEYS: Record<string, string[]> = {
  'explain.fixed': POINTS,
  'explain.perAmount': [...POINTS, 'rate', 'per', 'amount'],
  'explain.upsell': [...POINTS, 'rate', 'per', 'amount'],
  'explain.crossSell': [...POINTS, 'rate', 'categories', 'newCategories'],
  'explain.multiplier': [...POINTS, 'factor', 'base', 'baseRules'],
  'explain.tierBonus': [...POINTS, 'factor', 'base', 'tier'],
  'explain.notMatched.eventType': ['rule', 'eventType'],
  'explain.notMatched.attribute': ['rule', 'path'],
  'explain.notMatched.dateWindow': ['rule', 'date'],
  'explain.notMatched.weekday': ['rule', 'weekday'],
  'explain.notMatched.minAmount': ['rule', 'amount', 'minAmount'],
  'explain.nothingToPay.tooSmall': ['rule', 'rate', 'per', 'amount'],
  'explain.blockedByExclusive': ['rule', 'by'],
  'note.split': ['share', 'total'],
  'note.noMember': [],
  ...Object.fromEntries(
    ['accountSegment', 'accountTags', 'accountTier', 'accountCountry', 'memberRequired', 'memberRole', 'memberSegment', 'memberTags', 'memberTier', 'lines'].map(
      (k) => [`explain.notMatched.${k}`, ['rule']],
    ),
  ),
  ...Object.fromEntries(['noLines', 'noMarginLines', 'noNewCategories', 'noBase', 'zero'].map((k) => [`explain.nothingToPay.${k}`, ['rule']])),
  ...Object.fromEntries(PERIODS.map((p) => [`explain.capped.${p}`, ['rule', 'scope', 'maxPoints', 'maxTimes']])),
  ...Object.fromEntries(PERIODS.map((p) => [`note.limited.${p}`, ['full']])),
};

/** Flattened `key → message`, with plural suffixes (_one, _few, …) folded onto their key. */
function flatten(tree: Catalogue, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') {
      const key = path.replace(/_(zero|one|two|few|many|other)$/, '');
      out.set(key, [...(out.get(key) ?? []), v]);
    } else {
      for (const [kk, vv] of flatten(v as Catalogue, path)) out.set(kk, [...(out.get(kk) ?? []), ...vv]);
    }
  }
  return out;
}

const i18n = i18next.createInstance();
await i18n.init({
  lng: 'en',
  fallbackLng: false,
  ns: ['rules'],
  defaultNS: 'rules',
  resources: Object.fromEntries(LANGUAGES.map((lng) => [lng, { rules: catalogues[lng] }])),
  interpolation: { escapeValue: false },
  showSupportNotice: false,
});

function render(e: Explanation, lng: string): string {
  const main = i18n.t(e.key, { ...e.params, lng });
  return [main, ...(e.notes ?? []).map((n) => render(n, lng))].join(' ');
}

describe('rules message catalogues', () => {
  it.each(LANGUAGES)('%s has exactly the keys the engine emits', (lng) => {
    expect([...flatten(catalogues[lng]).keys()].sort()).toEqual(Object.keys(KEYS).sort());
  });

  it.each(LANGUAGES)('%s messages only use params the engine provides', (lng) => {
    for (const [key, messages] of flatten(catalogues[lng])) {
      for (const message of messages) {
        const used = [...message.matchAll(/\{\{\s*([a-zA-Z]+)/g)].map((m) => m[1]);
        expect({ key, unknown: used.filter((p) => !(KEYS[key] ?? []).includes(p as string)) }).toEqual({ key, unknown: [] });
      }
    }
  });

  it.each(['sv', 'nb', 'pl', 'de'] as const)('%s is translated, not copied from English', (lng) => {
    const en = flatten(catalogues.en);
    const same = [...flatten(catalogues[lng])].filter(([k, v]) => v.some((m) => en.get(k)?.includes(m)));
    expect(same.map(([k]) => k)).toEqual([]);
  });

  it('plural forms resolve for every count in every language', () => {
    for (const lng of LANGUAGES) {
      for (const count of [1, 2, 5, 22, 1000]) {
        const text = i18n.t('explain.fixed', { rule: 'R', points: count, count, lng });
        expect(text).not.toBe('explain.fixed');
        expect(text).toContain('R');
      }
    }
  });

  it('renders engine output in every language', () => {
    const result = evaluate(
      context({
        member: null,
        usage: { 'cap|account|acc-1|month:2026-11': { points: 90, times: 1 } },
        rules: [
          rule('sek', { effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } }, { name: 'Points per SEK', priority: 5 }),
          rule('cap', { effect: { type: 'fixed', points: 25 }, caps: [{ scope: 'account', period: 'month', maxPoints: 100 }] }, { name: 'Feedback' }),
          rule('x', { effect: { type: 'multiplier', factor: 1.5 } }, { name: 'Weekend' }),
        ],
      }),
    );
    const rendered = Object.fromEntries(
      LANGUAGES.map((lng) => [lng, [...result.postings.map((p) => p.explanation), ...result.trace.map((t) => t.explanation)].map((e) => render(e, lng))]),
    );
    expect(rendered.en?.[0]).toBe('150 points: Points per SEK — 1 per 1000 on 150000 No member was named, so the points went to the company account.');
    expect(rendered.de?.[2]).toBe('75 Bonuspunkte: Weekend – ×1,5 auf Points per SEK');
    expect(rendered.sv?.[1]).toBe('10 poäng: Feedback Begränsat av månadsgränsen (annars 25).');
    for (const lines of Object.values(rendered)) {
      for (const text of lines ?? []) {
        expect(text).not.toMatch(/\{\{|explain\.|note\./);
      }
    }
  });

  it('sample of a purchase explanation per language', () => {
    const [posting] = evaluate(context({ event: purchase(), rules: [rule('r', { effect: { type: 'fixed', points: 1 } }, { name: 'Welcome' })] })).postings;
    expect(LANGUAGES.map((lng) => render(posting!.explanation, lng))).toEqual([
      '1 point: Welcome',
      '1 poäng: Welcome',
      '1 poeng: Welcome',
      '1 pkt: Welcome',
      '1 Punkt: Welcome',
    ]);
  });
});
