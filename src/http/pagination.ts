import { z } from 'zod';
import { LojalError } from '../errors/index.js';

/** Cursor pagination for every list: `limit` and an opaque `cursor`; answers carry `nextCursor`. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
};

export function encodeCursor(values: Array<string | number | null>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): Array<string | number | null> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity) return v;
  } catch {
    // fall through
  }
  throw new LojalError('validation_failed', {}, [{ path: 'querystring.cursor', message: 'not a cursor this API gave out' }]);
}
