import { sql, type RawBuilder } from 'kysely';

/** Between two values' JSON texts. JSON.stringify never writes a control character (it escapes them as \u00XX). */
const SEPARATOR = '\x1e';
/** A SQL NULL in the column: a text no JSON value has. */
const NULL_TEXT = '\x1f';

/**
 * A column of JSON values (`json[]` or `jsonb[]`, for `unnest`) as one text parameter: the values' JSON texts joined
 * by the ASCII record separator and split again by PostgreSQL. As an array parameter, the driver wrote every
 * element through two regular expressions escaping its double quotes and the server took the escapes out again;
 * for a batch's explanations (thousands of short JSON texts full of quotes) that was about 2 µs per value, the
 * largest part of turning a batch's parameters into text (docs/benchmarks.md).
 */
export function jsonColumn(values: readonly unknown[], type: 'json' | 'jsonb'): RawBuilder<unknown> {
  const text = values.map((v) => (v === null || v === undefined ? NULL_TEXT : JSON.stringify(v))).join(SEPARATOR);
  return sql`string_to_array(${text}::text, chr(30), chr(31))::${sql.raw(type)}[]`;
}
