import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { jsonColumn } from '../../src/db/json-columns.js';
import { freshDatabase } from '../support/db.js';

describe('a column of JSON values sent as one parameter', () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(() => database.close());

  const roundTrip = async (values: unknown[], type: 'json' | 'jsonb') => {
    const rows = await sql<{ n: number; v: unknown; is_null: boolean }>`
      SELECT n::int AS n, v, v IS NULL AS is_null FROM unnest(${jsonColumn(values, type)}) WITH ORDINALITY AS t(v, n) ORDER BY n`.execute(database.db);
    return rows.rows;
  };

  const awkward = [
    { key: 'explain.perUnit', params: { rule: 'Say "hi" \\ back', points: 12 } },
    null,
    'a string with a record separator \x1e, a unit separator \x1f and a tab \t',
    ['nested', ['list'], { 'é': 'Ø' }],
    42,
    { empty: '', nothing: null, braces: '{,}' },
    '',
    true,
  ];

  for (const type of ['json', 'jsonb'] as const) {
    it(`arrives as the same values, in order, with SQL NULL where the value was null (${type})`, async () => {
      const rows = await roundTrip(awkward, type);
      expect(rows.map((r) => r.n)).toEqual(awkward.map((_, i) => i + 1));
      expect(rows.map((r) => r.is_null)).toEqual(awkward.map((v) => v === null));
      expect(rows.map((r) => r.v)).toEqual(awkward);
    });
  }

  for (const type of ['json', 'jsonb'] as const) {
    it(`arrives as the same values, in order, when none is null (${type})`, async () => {
      const values = [...awkward.filter((v) => v !== null), ...Array.from({ length: 300 }, (_, i) => ({ n: i, s: `"${i}"` }))];
      const rows = await roundTrip(values, type);
      expect(rows.map((r) => r.v)).toEqual(values);
      expect(rows.some((r) => r.is_null)).toBe(false);
    });
  }

  it('keeps an empty column empty and a column of one NULL one NULL', async () => {
    expect(await roundTrip([], 'jsonb')).toEqual([]);
    expect(await roundTrip([], 'json')).toEqual([]);
    expect(await roundTrip([null], 'jsonb')).toEqual([{ n: 1, v: null, is_null: true }]);
    expect(await roundTrip([null], 'json')).toEqual([{ n: 1, v: null, is_null: true }]);
    expect(await roundTrip([undefined, 'x'], 'json')).toEqual([{ n: 1, v: null, is_null: true }, { n: 2, v: 'x', is_null: false }]);
  });
});
