/**
 * The pure part of the audit log: the canonical form of an entry and its hash. The hash covers every
 * field of the entry and the previous entry's hash, so changing, inserting or removing an entry breaks
 * the chain from there on. A keyed entry (src/audit/keys.ts) is an HMAC-SHA256 under a key the database
 * never holds, over the timestamp as stored to the microsecond; an unkeyed one (the only kind before keys,
 * and still without LOJAL_AUDIT_KEY) is a plain SHA-256 over the timestamp to the millisecond.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AuditKey } from './keys.js';

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
  /** The timestamp as the database stores it, to the microsecond (keyed entries hash this). */
  atStored?: string;
}

/** A JavaScript time as timestamptz stores it and `storedTimestampSql` reads it back: UTC, six decimals. */
export function storedTimestamp(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
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

export function entryHash(entry: ChainedEntry, prevHash: string, key?: AuditKey | null): string {
  if (key) {
    const body = canonicalJson({ ...fieldsOf(entry), at: entry.atStored ?? storedTimestamp(entry.at), keyId: key.id });
    return createHmac('sha256', key.secret).update(body).update('\n').update(prevHash).digest('hex');
  }
  return createHash('sha256').update(canonicalJson(fieldsOf(entry))).update('\n').update(prevHash).digest('hex');
}

function fieldsOf(entry: ChainedEntry) {
  return {
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
  };
}
