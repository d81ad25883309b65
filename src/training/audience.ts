/**
 * Who may read a members-only item and from when, pure. Every non-empty condition must hold: a tier among
 * `tiers`, a role among `roles`, the account's segment among `segments`, a tag (the member's or the
 * account's) among `tags`. The item opens at `availableAt` (its publication when not set); a tier in
 * `earlyAccess` opens it that many days sooner (seed 003: Platinum 7 days before Silver). The member's
 * tier is the better of their own and their company's, by rank. Table-tested in test/training/pure.test.ts.
 */
const DAY_MS = 86_400_000;

export interface Audience {
  tiers: readonly string[];
  roles: readonly string[];
  segments: readonly string[];
  tags: readonly string[];
  /** Tier code → days of early access. */
  earlyAccess: Readonly<Record<string, number>>;
  availableAt: Date | null;
  publishedAt: Date | null;
  status: 'draft' | 'published' | 'archived';
}

export interface Reader {
  /** The tiers the member holds (their own and their company's). */
  tiers: readonly string[];
  role: string | null;
  segment: string | null;
  tags: readonly string[];
}

export type Gate =
  | { open: true; opensAt: Date; early: boolean }
  | { open: false; reason: 'not_published' | 'tier' | 'role' | 'segment' | 'tags' }
  | { open: false; reason: 'not_yet'; opensAt: Date };

/** When the item opens for a reader: the general date less the best early-access days of their tiers. */
export function opensAt(a: Audience, reader: Reader): Date | null {
  const general = a.availableAt ?? a.publishedAt;
  if (!general) return null;
  const days = Math.max(0, ...reader.tiers.map((t) => a.earlyAccess[t] ?? 0));
  return new Date(general.getTime() - days * DAY_MS);
}

export function gate(a: Audience, reader: Reader, now: Date): Gate {
  if (a.status !== 'published' || !a.publishedAt) return { open: false, reason: 'not_published' };
  if (a.tiers.length > 0 && !reader.tiers.some((t) => a.tiers.includes(t))) return { open: false, reason: 'tier' };
  if (a.roles.length > 0 && (reader.role === null || !a.roles.includes(reader.role))) return { open: false, reason: 'role' };
  if (a.segments.length > 0 && (reader.segment === null || !a.segments.includes(reader.segment))) return { open: false, reason: 'segment' };
  if (a.tags.length > 0 && !reader.tags.some((t) => a.tags.includes(t))) return { open: false, reason: 'tags' };
  const at = opensAt(a, reader)!;
  if (now < at) return { open: false, reason: 'not_yet', opensAt: at };
  const general = a.availableAt ?? a.publishedAt;
  return { open: true, opensAt: at, early: now < general };
}
