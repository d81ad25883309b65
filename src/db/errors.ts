/** PostgreSQL's SQLSTATE for a unique constraint violation, the same on PGlite and on a server. */
export function isUniqueViolation(err: unknown, constraintPart?: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e?.code !== '23505') return false;
  if (!constraintPart) return true;
  const where = typeof e.constraint === 'string' ? e.constraint : String(e.message ?? '');
  return where.includes(constraintPart);
}
