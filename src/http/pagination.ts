import { z } from 'zod';
import { LojalError } from '../errors/index.js';

/**
 * Cursor pagination for every list in the API: `?limit=1..500&cursor=…`, answered with
 * `{ data, nextCursor }`. The cursor is the sort key of the last row, JSON in base64url: opaque to
 * clients, stable under inserts (keyset, not offset), and checked when it comes back.
 */
export const maxPageSize = 500;
export const defaultPageSize = 50;

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(defaultPageSize),
  cursor: z.string().min(1).max(2000).optional(),
});

export interface PageParams {
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

const invalidCursor = () =>
  new LojalError('validation_failed', {}, [
    { path: 'querystring.cursor', message: 'is not a cursor from this list; use the nextCursor of the previous page' },
  ]);

/** The sort key in the cursor, checked against `schema`; a malformed cursor is a 400, never a 500. */
export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

/** The page size a data function uses: the caller's, within bounds. */
export function pageSize(params: PageParams): number {
  const limit = params.limit ?? defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw new LojalError('validation_failed', {}, [{ path: 'querystring.limit', message: `must be 1 to ${maxPageSize}` }]);
  }
  return limit;
}

/** Rows were fetched with `limit + 1`: the extra row only says that there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => unknown[], map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { data: shown.map(map), nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** Escapes `%`, `_` and `\` so that a search text matches literally inside ILIKE '%…%'. */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;
