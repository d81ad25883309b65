import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';

export const scopes = [
  'admin',
  'read',
  'events:write',
  'accounts:write',
  'catalog:write',
  'rules:write',
  'ledger:write',
  'claims:write',
  'claims:review',
] as const;
export type Scope = (typeof scopes)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** Who is calling: the program comes from the key and nowhere else. */
export interface AuthContext {
  programId: string;
  keyId: string;
  scopes: ReadonlySet<Scope>;
  language: Language;
}

/*
 * Key format: `lj_` + program id (32 hex) + key id (32 hex) + secret (48 hex).
 * The ids let us find the row by its primary key (and the tenant) without a global index.
 * The secret is 192 random bits, so a fast hash is enough: argon2 guards guessable passwords, not random keys.
 */
const keyPattern = /^lj_([0-9a-f]{32})([0-9a-f]{32})([0-9a-f]{48})$/;

const hex32ToUuid = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export async function createApiKey(
  db: Db,
  programId: string,
  input: { name: string; scopes: Scope[] },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const id = uuidv7();
  const secret = randomBytes(24).toString('hex');
  const key = `lj_${programId.replace(/-/g, '')}${id.replace(/-/g, '')}${secret}`;
  const row = await db
    .insertInto('api_keys')
    .values({ program_id: programId, id, name: input.name, secret_hash: hashSecret(secret), scopes: input.scopes })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, record: toRecord(row) };
}

function toRecord(row: { id: string; name: string; scopes: string[]; created_at: Date; revoked_at: Date | null }): ApiKeyRecord {
  return { id: row.id, name: row.name, scopes: row.scopes as Scope[], createdAt: row.created_at, revokedAt: row.revoked_at };
}

export async function listApiKeys(db: Db, programId: string): Promise<ApiKeyRecord[]> {
  const rows = await db.selectFrom('api_keys').selectAll().where('program_id', '=', programId).orderBy('id').execute();
  return rows.map(toRecord);
}

export async function revokeApiKey(db: Db, programId: string, keyId: string, cache?: KeyCache): Promise<ApiKeyRecord> {
  const row = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('program_id', '=', programId)
    .where('id', '=', keyId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'api key', id: keyId });
  cache?.clear();
  return toRecord(row);
}

/**
 * Verified keys are remembered for a few seconds so that a busy integration does not cost a query per request.
 * A revocation takes effect at once in this process and within `ttlMs` in the others.
 */
export class KeyCache {
  private entries = new Map<string, { auth: AuthContext; until: number }>();
  constructor(private readonly ttlMs = 10_000) {}
  get(token: string): AuthContext | undefined {
    const hit = this.entries.get(token);
    if (hit && hit.until > Date.now()) return hit.auth;
    if (hit) this.entries.delete(token);
    return undefined;
  }
  set(token: string, auth: AuthContext) {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(token, { auth, until: Date.now() + this.ttlMs });
  }
  clear() {
    this.entries.clear();
  }
}

export async function authenticate(db: Db, token: string, cache: KeyCache): Promise<AuthContext> {
  const cached = cache.get(token);
  if (cached) return cached;
  const m = keyPattern.exec(token);
  if (!m) throw new LojalError('invalid_api_key');
  const programId = hex32ToUuid(m[1]!);
  const keyId = hex32ToUuid(m[2]!);
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('programs', 'programs.id', 'api_keys.program_id')
    .select(['api_keys.secret_hash', 'api_keys.scopes', 'api_keys.revoked_at', 'programs.default_language'])
    .where('api_keys.program_id', '=', programId)
    .where('api_keys.id', '=', keyId)
    .executeTakeFirst();
  if (!row || row.revoked_at) throw new LojalError('invalid_api_key');
  const expected = Buffer.from(row.secret_hash, 'hex');
  const actual = Buffer.from(hashSecret(m[3]!), 'hex');
  if (!timingSafeEqual(expected, actual)) throw new LojalError('invalid_api_key');
  const auth: AuthContext = {
    programId,
    keyId,
    scopes: new Set(row.scopes as Scope[]),
    language: row.default_language as Language,
  };
  cache.set(token, auth);
  return auth;
}

export function requireScope(auth: AuthContext, scope: Scope): void {
  if (auth.scopes.has('admin') || auth.scopes.has(scope)) return;
  // Every write scope may also read what it writes.
  if (scope === 'read' && auth.scopes.size > 0) return;
  throw new LojalError('insufficient_scope', { scope });
}
