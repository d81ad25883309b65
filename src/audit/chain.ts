/**
 * The pure part of the audit log: the canonical form of an entry and its hash. The hash covers every
 * field of the entry and the previous entry's hash, so changing, inserting or removing an entry breaks
 * the chain from there on.
 */
import { createHash } from 'node:crypto';

export const genesisHash = '0'.repeat(64);

export interface ChainedEntry {
  programId: string;
  seq: number;
  id: string;
  at: Date;
  actor: string;
  actorLabel: string;
  actorIp: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

/** JSON with object keys sorted at every depth: jsonb does not keep key order, so the hash must not depend on it. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A value as it will read back from a jsonb column (dates become ISO strings, undefined disappears). */
export function asStored(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

export function entryHash(entry: ChainedEntry, prevHash: string): string {
  const body = canonicalJson({
    programId: entry.programId,
    seq: entry.seq,
    id: entry.id,
    at: entry.at.toISOString(),
    actor: entry.actor,
    actorLabel: entry.actorLabel,
    actorIp: entry.actorIp,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId,
    before: asStored(entry.before),
    after: asStored(entry.after),
  });
  return createHash('sha256').update(body).update('\n').update(prevHash).digest('hex');
}
