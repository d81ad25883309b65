/**
 * The keys the audit chain is signed with. They live in the environment, never in the database: whoever can
 * write the database can recompute a plain hash chain, but not an HMAC without the key. Rotation: the new key
 * becomes LOJAL_AUDIT_KEY and the old one moves to LOJAL_AUDIT_PREVIOUS_KEYS, so entries chained under it
 * still verify; each entry names its key by a fingerprint (`key_id`), never by the key.
 */
import { createHash } from 'node:crypto';
import { loadConfig, type Config } from '../config/index.js';

export interface AuditKey {
  /** A fingerprint of the key, stored with each entry it signs. */
  id: string;
  secret: string;
}

export interface AuditKeyring {
  /** The key new entries are signed with; null: entries are chained with plain SHA-256 (not tamper-proof). */
  current: AuditKey | null;
  byId: ReadonlyMap<string, AuditKey>;
}

export function auditKeyId(secret: string): string {
  return createHash('sha256').update('lojal audit key\n').update(secret).digest('hex').slice(0, 16);
}

export function auditKeyringOf(config: Pick<Config, 'auditKey' | 'auditPreviousKeys'>): AuditKeyring {
  const keys = [config.auditKey, ...config.auditPreviousKeys].filter((k): k is string => !!k).map((secret) => ({ id: auditKeyId(secret), secret }));
  return { current: config.auditKey ? keys[0]! : null, byId: new Map(keys.map((k) => [k.id, k])) };
}

let active: AuditKeyring | undefined;

/** The process's keyring: set by the server from its configuration, else read from the environment once. */
export function activeAuditKeyring(): AuditKeyring {
  active ??= auditKeyringOf(loadConfig());
  return active;
}

export function useAuditKeyring(keyring: AuditKeyring): void {
  active = keyring;
}
