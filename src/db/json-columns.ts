import { sql, type RawBuilder } from 'kysely';

/** Between two values' JSON texts. JSON.stringify never writes a control character (it escapes them as \u00XX). */
const SEPARATOR = '\x1e';
/** A SQL NULL in the column: a text no JSON value has. */
const NULL_TEXT = '\x1f';

/**
 * A column of JSON values (`json[]` or `jsonb[]`, for `unnest`) as one text parameter. As an array parameter, the
 * driver wrote every element through two regular expressions escaping its double quotes and the server took the
 * escapes out again: for a batch's explanations (thousands of short JSON texts full of quotes) about 2 µs a value,
 * the largest part of turning a batch's parameters into text (docs/benchmarks.md). Now:
 * - `jsonb` without NULLs: one JSON array, which the server parses once and splits. Its jsonb input has a cost per
 *   call that thousands of short values paid thousands of times (6,000 explanations: 21 ms as an array, 9 ms so);
 * - otherwise the values' JSON texts joined by the ASCII record separator, split again by the server, a lone unit
 *   separator standing for NULL (a JSON array would not tell SQL NULL from JSON null).
 */
export function jsonColumn(values: readonly unknown[], type: 'json' | 'jsonb'): RawBuilder<unknown> {
  if (type === 'jsonb' && values.every((v) => v !== null && v !== undefined)) {
    return sql`ARRAY(SELECT e FROM jsonb_array_elements(${JSON.stringify(values)}::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n)`;
  }
  const text = values.map((v) => (v === null || v === undefined ? NULL_TEXT : JSON.stringify(v))).join(SEPARATOR);
  return sql`string_to_array(${text}::text, chr(30), chr(31))::${sql.raw(type)}[]`;
}
