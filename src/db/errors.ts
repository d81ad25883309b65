import { LojalError } from '../errors/index.js';

/** PostgreSQL's SQLSTATE for a unique constraint violation, the same on PGlite and on a server. */
export function isUniqueViolation(err: unknown, constraintPart?: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e?.code !== '23505') return false;
  if (!constraintPart) return true;
  const where = typeof e.constraint === 'string' ? e.constraint : String(e.message ?? '');
  return where.includes(constraintPart);
}

/** The constraint (migration 0015) that keeps every wallet figure a safe integer, so a balance can always be read. */
export const WALLET_POINTS_LIMIT = 'wallets_points_limit';

/**
 * A database refusal that the request caused (its values), as the 4xx that says so; `undefined` for anything
 * else, which stays an internal error whose text never reaches the client. SQLSTATEs are the same on PGlite
 * and on a server.
 */
export function clientErrorOfDatabase(err: unknown): LojalError | undefined {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  switch (e.code) {
    case '22P02': // invalid text representation (a uuid, a number, an enum)
    case '22P05': // untranslatable character
    case '22021': // character not in repertoire (bad UTF-8)
    case '22025': // invalid escape sequence
    case '22007': // invalid datetime format
    case '23502': // not null
    case '23503': // foreign key: a reference to something that is not there (any more)
    case '23514': // check constraint, other than the points limit below
      if (e.code === '23514' && constraintNamed(e, WALLET_POINTS_LIMIT)) {
        return new LojalError('points_limit_exceeded', { limit: Number.MAX_SAFE_INTEGER });
      }
      return new LojalError('invalid_input');
    case '22003': // numeric value out of range
    case '22008': // datetime field overflow
      return new LojalError('value_out_of_range');
    case '22001': // string too long for its column
    case '54000': // program limit, e.g. an index row too large
    case '54001': // statement too complex
      return new LojalError('value_too_large');
    case '23505': // unique violation: another request wrote the same key first
    case '40001': // serialization failure
    case '40P01': // deadlock detected
      return new LojalError('concurrent_conflict');
  }
  return undefined;
}

function constraintNamed(e: { constraint?: unknown; message?: unknown }, name: string): boolean {
  return (typeof e.constraint === 'string' ? e.constraint : String(e.message ?? '')).includes(name);
}
