import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { sql } from 'kysely';
import type { SettingsCache } from '../cache/settings.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import type { StaffRole } from '../db/schema.js';
import { toProgram, type Program, type ProgramRow } from './programs.js';

export const scopes = [
  'admin',
  'read',
  'events:write',
  'accounts:write',
  'catalog:write',
  'rules:write',
  'ledger:write',
  // The rewards catalogue and the fulfilment of orders (the program team).
  'rewards:write',
  // Placing and cancelling reward orders for members (a member portal, an e-shop).
  'orders:write',
  // Reporting sales claims (partner staff, a portal) and deciding on them (the program team).
  'claims:write',
  'claims:review',
  // Authoring and publishing surveys and quizzes, working the detractor follow-up queue (the program team).
  'engagement:write',
  // Courses, certificates and members-only content (the program team's authoring).
  'training:write',
  // Answering and handling service requests, quick replies and help articles (the service desk).
  'service:write',
  // Only for a partner's key: post the partner's events and honour redemptions, nothing else.
  'partner',
] as const;
export type Scope = (typeof scopes)[number];

/**
 * What each staff role may do at most: a key issued to a person works with its own scopes intersected
 * with the role's, so a role change (or a deactivation) takes effect on every key the person holds.
 */
export const roleScopes: Record<StaffRole, ReadonlySet<Scope>> = {
  owner: new Set(scopes.filter((s) => s !== 'partner')),
  manager: new Set(scopes.filter((s) => s !== 'partner' && s !== 'admin')),
  support: new Set<Scope>(['read', 'accounts:write', 'events:write', 'ledger:write', 'orders:write', 'claims:write', 'service:write']),
  viewer: new Set<Scope>(['read']),
};

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  revokedAt: Date | null;
  staffUserId: string | null;
  partnerId: string | null;
}

/** Who is calling: the program comes from the key and nowhere else. */
export interface AuthContext {
  programId: string;
  keyId: string;
  keyName: string;
  scopes: ReadonlySet<Scope>;
  language: Language;
  /** The person the key was issued to, if any. */
  staff?: { id: string; name: string; role: StaffRole };
  /** The coalition partner the key belongs to, if any. */
  partner?: { id: string; code: string; name: string };
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
  input: { name: string; scopes: Scope[]; staffUserId?: string | null | undefined; partnerId?: string | null | undefined },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const id = uuidv7();
  const secret = randomBytes(24).toString('hex');
  const key = `lj_${programId.replace(/-/g, '')}${id.replace(/-/g, '')}${secret}`;
  const row = await db
    .insertInto('api_keys')
    .values({
      program_id: programId,
      id,
      name: input.name,
      secret_hash: hashSecret(secret),
      scopes: input.scopes,
      staff_user_id: input.staffUserId ?? null,
      partner_id: input.partnerId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, record: toRecord(row) };
}

interface ApiKeyRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  revoked_at: Date | null;
  staff_user_id: string | null;
  partner_id: string | null;
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as Scope[],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    staffUserId: row.staff_user_id,
    partnerId: row.partner_id,
  };
}

export async function getApiKey(db: Db, programId: string, keyId: string): Promise<ApiKeyRecord> {
  const row = await db.selectFrom('api_keys').selectAll().where('program_id', '=', programId).where('id', '=', keyId).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'api key', id: keyId });
  return toRecord(row);
}

export async function listApiKeys(db: Db, programId: string): Promise<ApiKeyRecord[]> {
  const rows = await db.selectFrom('api_keys').selectAll().where('program_id', '=', programId).orderBy('id').execute();
  return rows.map(toRecord);
}

/** Other processes forget the key when the change commits (a trigger notifies them, src/cache); writes never trust a cache. */
export async function revokeApiKey(db: Db, programId: string, keyId: string, now: Date): Promise<ApiKeyRecord> {
  const row = await db
    .updateTable('api_keys')
    // Revoking again keeps the first time: that is when the key stopped working.
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, ${now}::timestamptz)` })
    .where('program_id', '=', programId)
    .where('id', '=', keyId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'api key', id: keyId });
  return toRecord(row);
}

export interface Authenticated {
  auth: AuthContext;
  /** Checked against the database (always for a write): the program's settings version, and the program. */
  settingsVersion?: number;
  program?: Program;
  /**
   * The key came from the cache for a write that asked to confirm it itself (`deferWrite`): `settingsVersion` is the
   * version it was verified at, and the handler must refuse the request unless the database still has that version.
   */
  deferred?: boolean;
}

/**
 * `write`: the request changes something, so the key is checked against the database whatever the cache holds
 * (a key revoked or a person deactivated through another process stops working for writes at once), and the
 * same query reads the program and its settings version. Reads may be answered from the cache, which the
 * change notifications keep current (src/cache). `deferWrite`: the write's handler confirms the settings version in
 * its own first statement, so a key the cache verified at a version is taken from it (`deferred` in the answer).
 */
export async function authenticate(db: Db, token: string, cache: SettingsCache, write: boolean, deferWrite = false): Promise<Authenticated> {
  if (!write) {
    const cached = cache.key(token);
    if (cached) return { auth: cached };
  } else if (deferWrite) {
    const cached = cache.keyForWrite(token);
    if (cached) return { auth: cached.auth, settingsVersion: cached.version, deferred: true };
  }
  const m = keyPattern.exec(token);
  if (!m) throw new LojalError('invalid_api_key');
  const programId = hex32ToUuid(m[1]!);
  const keyId = hex32ToUuid(m[2]!);
  const stamp = cache.stamp(programId);
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('programs', 'programs.id', 'api_keys.program_id')
    .leftJoin('staff_users as s', (j) => j.onRef('s.program_id', '=', 'api_keys.program_id').onRef('s.id', '=', 'api_keys.staff_user_id'))
    .leftJoin('partners as p', (j) => j.onRef('p.program_id', '=', 'api_keys.program_id').onRef('p.id', '=', 'api_keys.partner_id'))
    .select([
      'api_keys.name',
      'api_keys.secret_hash',
      'api_keys.scopes',
      'api_keys.revoked_at',
      's.id as staff_id',
      's.name as staff_name',
      's.role as staff_role',
      's.active as staff_active',
      'p.id as partner_id',
      'p.code as partner_code',
      'p.name as partner_name',
      'p.active as partner_active',
      sql<ProgramRow>`to_json(programs)`.as('program'),
      sql<number>`coalesce((SELECT v.version FROM settings_versions v WHERE v.program_id = api_keys.program_id), 0)`.as('settings_version'),
    ])
    .where('api_keys.program_id', '=', programId)
    .where('api_keys.id', '=', keyId)
    .executeTakeFirst();
  if (!row || row.revoked_at) throw new LojalError('invalid_api_key');
  // A key of a person who left, or of a partner no longer in the program, stops working like a revoked one.
  if ((row.staff_id && !row.staff_active) || (row.partner_id && !row.partner_active)) throw new LojalError('invalid_api_key');
  const expected = Buffer.from(row.secret_hash, 'hex');
  const actual = Buffer.from(hashSecret(m[3]!), 'hex');
  if (!timingSafeEqual(expected, actual)) throw new LojalError('invalid_api_key');
  const keyScopes = row.scopes as Scope[];
  const staffRole = row.staff_role as StaffRole | null;
  const program = toProgram(row.program);
  const auth: AuthContext = {
    programId,
    keyId,
    keyName: row.name,
    scopes: new Set(staffRole ? keyScopes.filter((s) => roleScopes[staffRole].has(s)) : keyScopes),
    language: program.defaultLanguage,
    ...(row.staff_id && staffRole && { staff: { id: row.staff_id, name: row.staff_name!, role: staffRole } }),
    ...(row.partner_id && { partner: { id: row.partner_id, code: row.partner_code!, name: row.partner_name! } }),
  };
  cache.rememberKey(token, auth, stamp, Number(row.settings_version));
  return { auth, settingsVersion: Number(row.settings_version), program };
}

/**
 * Passes when the key holds `admin` or one of the scopes (a route may accept several). `partners`: the route
 * also serves partner keys (POST /v1/events). A partner key reaches only such routes and the routes of scope
 * `partner`; those in turn serve partner keys only.
 */
export function requireScope(auth: AuthContext, scope: Scope | readonly Scope[], opts: { partners?: boolean } = {}): void {
  const wanted = typeof scope === 'string' ? [scope] : scope;
  if (auth.partner) {
    if (wanted.includes('partner') || opts.partners) return;
    throw new LojalError('insufficient_scope', { scope: wanted.join(' or ') });
  }
  if (wanted.includes('partner')) throw new LojalError('insufficient_scope', { scope: 'partner' });
  if (auth.scopes.has('admin') || wanted.some((s) => auth.scopes.has(s))) return;
  // Every write scope may also read what it writes.
  if (wanted.includes('read') && auth.scopes.size > 0) return;
  throw new LojalError('insufficient_scope', { scope: wanted.join(' or ') });
}
