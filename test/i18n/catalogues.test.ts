import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/index.js';
import { describeEarning, eventTypeWords } from '../../src/ledger/explain.js';
import { TRAINING_COMPLETED } from '../../src/training/index.js';

/**
 * Keeps the translated catalogues in step with English: same namespace files, same logical keys,
 * the same {{placeholders}}, nothing left untranslated, and complete plural forms.
 */

const localesDir = fileURLToPath(new URL('../../src/i18n/locales/', import.meta.url));
const TRANSLATIONS = ['sv', 'nb', 'pl', 'de'] as const;
type Translation = (typeof TRANSLATIONS)[number];

/** i18next cardinal plural suffixes; `expire_one` and `expire_other` are one logical key `expire`. */
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/**
 * Strings that may legitimately be identical to the English (a code, a brand, a bare format).
 * `ns:key` for every language, or `lng/ns:key` for one. Keep this short and justify each entry.
 */
const SAME_AS_ENGLISH_ALLOWED = new Set<string>([]);

/** Namespaces English ships, read from disk so a new file is covered without touching this test. */
const namespaces = readdirSync(`${localesDir}en`)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

function load(lng: string, ns: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${localesDir}${lng}/${ns}.json`, 'utf8')) as Record<string, unknown>;
}

/** Nested catalogue → { 'explain.expire_one': '…' }. */
function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [kk, vv] of flatten(v as Record<string, unknown>, key)) out.set(kk, vv);
    } else {
      out.set(key, typeof v === 'string' ? v : JSON.stringify(v));
    }
  }
  return out;
}

interface LogicalKey {
  /** The key as written without a plural suffix (a bare key counts as its own form). */
  forms: Map<string, string>; // suffix ('' for bare) → string
}

/** Groups flattened keys by logical key: `explain.expire` → { one: '…', other: '…' }. */
function logicalKeys(flat: Map<string, string>): Map<string, LogicalKey> {
  const out = new Map<string, LogicalKey>();
  for (const [key, value] of flat) {
    const m = PLURAL_SUFFIX.exec(key);
    const base = m ? key.slice(0, m.index) : key;
    const suffix = m ? m[1]! : '';
    const entry = out.get(base) ?? { forms: new Map<string, string>() };
    entry.forms.set(suffix, value);
    out.set(base, entry);
  }
  return out;
}

function isPlural(k: LogicalKey): boolean {
  return [...k.forms.keys()].some((s) => s !== '');
}

/** Names used in `{{name}}`, `{{name, format}}` and `{{- name}}`; single-brace URL templates like `{id}` are not placeholders. */
function placeholders(s: string): Set<string> {
  const names = new Set<string>();
  for (const m of s.matchAll(/\{\{-?\s*([^,}\s]+)[^}]*\}\}/g)) names.add(m[1]!);
  return names;
}

const english = new Map(namespaces.map((ns) => [ns, logicalKeys(flatten(load('en', ns)))]));

describe('translation catalogues', () => {
  it('English has at least one namespace', () => {
    expect(namespaces.length).toBeGreaterThan(0);
  });

  describe.each(TRANSLATIONS)('%s', (lng: Translation) => {
    describe.each(namespaces)('%s.json', (ns) => {
      const file = `${localesDir}${lng}/${ns}.json`;
      const en = english.get(ns)!;
      const tr = () => logicalKeys(flatten(load(lng, ns)));

      it('exists', () => {
        expect(existsSync(file), `${lng}/${ns}.json is missing`).toBe(true);
      });

      it('has the same logical keys as English', () => {
        if (!existsSync(file)) return; // reported by 'exists'
        const keys = tr();
        const missing = [...en.keys()].filter((k) => !keys.has(k));
        const extra = [...keys.keys()].filter((k) => !en.has(k));
        expect({ missing, extra }).toEqual({ missing: [], extra: [] });
      });

      it('keeps every English {{placeholder}}', () => {
        if (!existsSync(file)) return;
        const keys = tr();
        const problems: string[] = [];
        for (const [key, enKey] of en) {
          const trKey = keys.get(key);
          if (!trKey) continue; // reported by the key test
          const wanted = new Set([...enKey.forms.values()].flatMap((s) => [...placeholders(s)]));
          for (const [suffix, value] of trKey.forms) {
            const have = placeholders(value);
            for (const name of wanted) {
              // A plural `count` may be spelled out or left implicit (e.g. a `_one` form, or a language that does not inflect).
              if (name === 'count' && isPlural(enKey)) continue;
              if (!have.has(name)) problems.push(`${key}${suffix && `_${suffix}`}: lacks {{${name}}}`);
            }
          }
        }
        expect(problems).toEqual([]);
      });

      it('translates every string longer than 12 characters', () => {
        if (!existsSync(file)) return;
        const keys = tr();
        const untranslated: string[] = [];
        for (const [key, enKey] of en) {
          const trKey = keys.get(key);
          if (!trKey) continue;
          if (SAME_AS_ENGLISH_ALLOWED.has(`${ns}:${key}`) || SAME_AS_ENGLISH_ALLOWED.has(`${lng}/${ns}:${key}`)) continue;
          const englishStrings = new Set([...enKey.forms.values()].filter((s) => s.length > 12));
          for (const [suffix, value] of trKey.forms) {
            if (englishStrings.has(value)) untranslated.push(`${key}${suffix && `_${suffix}`}: ${JSON.stringify(value)}`);
          }
        }
        expect(untranslated).toEqual([]);
      });

      it(`has complete plural forms for ${lng}`, () => {
        if (!existsSync(file)) return;
        // i18next picks `key_<category>` from Intl.PluralRules; a missing category falls back to the bare key, else to English.
        const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories as string[];
        const problems: string[] = [];
        for (const [key, trKey] of tr()) {
          if (!isPlural(trKey) || trKey.forms.has('')) continue;
          const missing = categories.filter((c) => !trKey.forms.has(c));
          const unused = [...trKey.forms.keys()].filter((s) => s !== 'zero' && !categories.includes(s));
          if (missing.length) problems.push(`${key}: missing ${missing.map((c) => `_${c}`).join(', ')}`);
          if (unused.length) problems.push(`${key}: ${unused.map((c) => `_${c}`).join(', ')} never used in ${lng}`);
        }
        expect(problems).toEqual([]);
      });
    });
  });
});

describe('Polish plurals through the app translator', () => {
  const t = translator('pl');
  /** `phrase` as whole words: "5 punkt" must not match inside "5 punktów". */
  const asWords = (phrase: string) => new RegExp(`(?<![\\p{L}\\p{N}])${phrase}(?![\\p{L}\\p{N}])`, 'u');

  it.each([
    [1, '1 punkt'],
    [3, '3 punkty'],
    [5, '5 punktów'],
    [22, '22 punkty'],
  ])('count %i → "%s"', (count, phrase) => {
    const out = String(t('ledger:explain.expire', { count }));
    expect(out).toMatch(asWords(phrase));
  });
});

describe("a language's translator", () => {
  it('answers in its language, or in the one the options name', () => {
    const sv = translator('sv');
    expect(String(sv('rules:explain.fixed', { count: 2, rule: 'R' }))).toBe(String(translator('sv')('rules:explain.fixed', { count: 2, rule: 'R', lng: 'sv' })));
    expect(String(sv('rules:explain.fixed', { count: 2, rule: 'R' }))).not.toBe(String(translator('en')('rules:explain.fixed', { count: 2, rule: 'R' })));
    expect(String(sv('rules:explain.fixed', { count: 2, rule: 'R', lng: 'en' }))).toBe(String(translator('en')('rules:explain.fixed', { count: 2, rule: 'R' })));
  });

  it('takes a default for a missing key, as the second argument or an option', () => {
    const de = translator('de');
    expect(String(de('ledger:eventType.no_such_type', { defaultValue: 'my.type' }))).toBe('my.type');
    expect(String((de as unknown as (k: string, d: string, o?: object) => string)('ledger:eventType.no_such_type', 'my.type'))).toBe('my.type');
    expect(String((de as unknown as (k: string, d: string, o?: object) => string)('ledger:eventType.no_such_{{x}}', 'type {{x}}', { x: 'y' }))).toBe('type y');
  });
});

describe('formats in the catalogues', () => {
  it('are all the plain number format, the one the translator provides', () => {
    const others: string[] = [];
    for (const lng of ['en', ...TRANSLATIONS]) {
      for (const ns of namespaces) {
        if (!existsSync(`${localesDir}${lng}/${ns}.json`)) continue;
        for (const [key, value] of flatten(load(lng, ns))) {
          for (const m of value.matchAll(/\{\{[^}]*?,([^}]*)\}\}/g)) if (m[1]!.trim() !== 'number') others.push(`${lng}/${ns}:${key}: ${m[0]}`);
        }
      }
    }
    expect(others).toEqual([]);
  });

  it('formats numbers in the reader’s locale', () => {
    expect(String(translator('sv')('rules:explain.fixed', { count: 12345, rule: 'R' }))).toContain('12\u00a0345');
    expect(String(translator('en')('rules:explain.fixed', { count: 12345, rule: 'R' }))).toContain('12,345');
    expect(String(translator('de')('rules:explain.fixed', { count: 12345, rule: 'R' }))).toContain('12.345');
  });
});

describe('history lines of the events Lojal itself records', () => {
  // Completions from training, quizzes and surveys are events like a purchase; a history line named their type by
  // its code ("training.completed training:…") where the catalogue had no words for it.
  const ownEventTypes = [TRAINING_COMPLETED, 'quiz.passed', 'survey.completed'];
  for (const lng of ['en', ...TRANSLATIONS] as const) {
    it.each(ownEventTypes)(`say %s in words in ${lng}`, (type) => {
      const words = eventTypeWords(type, lng);
      expect(words).not.toBe(type);
      expect(describeEarning(type, 'E-1', ['Course done'], lng)).not.toContain(type);
      // Nor their ids, which are Lojal's own keys (training:<course>:<member>), not references a reader knows.
      expect(describeEarning(type, 'training:01a2-c:01a2-m', ['Course done'], lng)).not.toContain('training:');
      expect(describeEarning(type, 'training:01a2-c:01a2-m', [], lng)).toBe(words);
    });
  }
});
