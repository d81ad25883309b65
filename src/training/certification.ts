/**
 * Certifications as a tier condition, pure: a level may require valid certificates of some courses
 * ("Gold requires Installer certified"). A certificate is valid from its issue until it expires, unless
 * revoked. The evaluation caps the level an owner qualified for by points at the highest level whose
 * requirements it meets (levels below a blocked one stay reachable). Table-tested in test/training/pure.test.ts.
 */
export interface HeldCertificate {
  courseId: string;
  issuedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export const isValidAt = (c: HeldCertificate, now: Date): boolean =>
  c.revokedAt === null && c.issuedAt <= now && (c.expiresAt === null || now < c.expiresAt);

/** Level code → the course ids it requires. */
export type Requirements = ReadonlyMap<string, readonly string[]>;

/** The courses a level still needs for this holder; empty when it meets them. */
export function missingCertifications(requirements: Requirements, level: string, held: readonly HeldCertificate[], now: Date): string[] {
  const valid = new Set(held.filter((c) => isValidAt(c, now)).map((c) => c.courseId));
  return (requirements.get(level) ?? []).filter((course) => !valid.has(course));
}

/** The levels the holder may not hold now for want of a certificate. */
export function blockedLevels(requirements: Requirements, held: readonly HeldCertificate[], now: Date): Set<string> {
  const out = new Set<string>();
  for (const level of requirements.keys()) if (missingCertifications(requirements, level, held, now).length > 0) out.add(level);
  return out;
}

/**
 * The level to hold given the one qualified for by the ladder: it, or the highest level below it that is
 * not blocked (null when all are). `ladder` is sorted by rank, lowest first.
 */
export function capByCertification(ladder: readonly { code: string }[], qualified: string | null, blocked: ReadonlySet<string>): string | null {
  if (qualified === null) return null;
  const i = ladder.findIndex((l) => l.code === qualified);
  for (let j = i; j >= 0; j--) if (!blocked.has(ladder[j]!.code)) return ladder[j]!.code;
  return null;
}
