/**
 * A program's rarely changing settings, kept in memory by each server process: the program row, verified API
 * keys, the rules (every version, so the rules in force at any instant are answered without a query) and the
 * tier ladder.
 *
 * Two ways of knowing an entry is current, because a notification arrives asynchronously:
 * - Every change to these tables bumps the program's row in `settings_versions` in the same transaction and
 *   sends `pg_notify('lojal_settings', program id)`, delivered on commit (triggers, migration 0017).
 * - Writes (POST, PUT, PATCH, DELETE) check their API key against the database and read the version in the
 *   same query; an entry loaded at an older version is reloaded. So a rule edited, a key revoked or a person
 *   deactivated through one process is seen by the very next write on every process.
 * - A write whose handler reads the settings version in its own first statement (POST /v1/events: the look-up) may
 *   take its key from the cache, if the key was verified at a version: the handler refuses the request unless the
 *   version is still that one, so a key revoked, or a person or partner deactivated, is refused by it as by a check.
 * - Reads use what is cached and drop a program's entries when its notification arrives. While the listening
 *   connection is down, nothing is trusted: every read goes to the database, and the cache is emptied when
 *   listening starts again (notifications sent in between are lost).
 */
import type { Db } from '../db/database.js';
import type { AuthContext } from '../programs/api-keys.js';
import { getProgram, type Program } from '../programs/programs.js';
import { ruleTimeline } from '../rules/store.js';
import type { RuleVersion } from '../rules/types.js';
import { getTierConfig, type TierConfig } from '../tiers/store.js';

export const SETTINGS_CHANNEL = 'lojal_settings';

/** The settings as one request sees them; each part is loaded once per entry, on first use. */
export class ProgramSettingsView {
  private programP: Promise<Program> | undefined;
  private rulesP: Promise<(at: Date) => RuleVersion[]> | undefined;
  private tiersP: Promise<TierConfig | null> | undefined;

  constructor(
    readonly programId: string,
    /** The settings version the entry was loaded at or after; null when read without one (a read request). */
    readonly version: number | null,
  ) {}

  seedProgram(program: Program) {
    this.programP ??= Promise.resolve(program);
  }

  program(db: Db): Promise<Program> {
    return (this.programP ??= this.retry(getProgram(db, this.programId).then((p) => p!), () => (this.programP = undefined)));
  }

  /** The rules in force at an instant (any instant: every version is loaded). */
  rules(db: Db): Promise<(at: Date) => RuleVersion[]> {
    return (this.rulesP ??= this.retry(ruleTimeline(db, this.programId), () => (this.rulesP = undefined)));
  }

  tiers(db: Db): Promise<TierConfig | null> {
    return (this.tiersP ??= this.retry(getTierConfig(db, this.programId), () => (this.tiersP = undefined)));
  }

  /** A failed load is not remembered: the next caller tries again. */
  private retry<T>(p: Promise<T>, forget: () => void): Promise<T> {
    p.catch(forget);
    return p;
  }
}

export class SettingsCache {
  private views = new Map<string, ProgramSettingsView>();
  private keys = new Map<string, { auth: AuthContext; version: number | undefined }>();
  /** Bumped by every invalidation of a program (and `epoch` by every clear): a load that began before it is not stored. */
  private generations = new Map<string, number>();
  private epoch = 0;
  /** Whether notifications are being received (always on PGlite, where one process owns the database). */
  private listening = false;

  /** Notifications flow (again): anything cached before may have missed one. */
  startTrusting(): void {
    this.clear();
    this.listening = true;
  }

  /** The listening connection is gone: forget everything and stop trusting the cache until it is back. */
  stopTrusting(): void {
    this.listening = false;
    this.clear();
  }

  get trusted(): boolean {
    return this.listening;
  }

  invalidate(programId: string): void {
    this.generations.set(programId, (this.generations.get(programId) ?? 0) + 1);
    this.views.delete(programId);
    for (const [token, hit] of this.keys) if (hit.auth.programId === programId) this.keys.delete(token);
  }

  clear(): void {
    this.epoch++;
    this.generations.clear();
    this.views.clear();
    this.keys.clear();
  }

  /**
   * The view for a request. `version` is the settings version a write read with its key check: a cached entry
   * loaded before it is replaced. Reads pass none and take the cached entry, which notifications keep current.
   */
  view(programId: string, version: number | undefined): ProgramSettingsView {
    const cached = this.views.get(programId);
    if (version === undefined) {
      if (!this.listening) return new ProgramSettingsView(programId, null);
      if (cached) return cached;
    } else if (cached && cached.version !== null && cached.version >= version) {
      return cached;
    }
    const fresh = new ProgramSettingsView(programId, version ?? null);
    this.views.set(programId, fresh);
    return fresh;
  }

  /** A key verified for a read; undefined when not cached or while notifications are not flowing. */
  key(token: string): AuthContext | undefined {
    return this.listening ? this.keys.get(token)?.auth : undefined;
  }

  /** A stamp to take before reading a key from the database, for `rememberKey`. */
  stamp(programId: string): string {
    return `${this.epoch}:${this.generations.get(programId) ?? 0}`;
  }

  /**
   * A key verified against the database at a settings version, for a write whose handler confirms that version
   * in its own first statement (see `deferKeyCheck` in src/http/context.ts); undefined when not cached, when
   * notifications are not flowing, or when it was not read with a version.
   */
  keyForWrite(token: string): { auth: AuthContext; version: number } | undefined {
    const hit = this.listening ? this.keys.get(token) : undefined;
    return hit && hit.version !== undefined ? { auth: hit.auth, version: hit.version } : undefined;
  }

  /**
   * Remembers a verified key, unless the program's settings changed since `stamp` was taken. `version`: the
   * settings version read in the same query as the key (any change to the key, its person or its partner bumps it).
   */
  rememberKey(token: string, auth: AuthContext, stamp: string, version?: number): void {
    if (!this.listening || this.stamp(auth.programId) !== stamp) return;
    if (this.keys.size > 10_000) this.keys.clear();
    this.keys.set(token, { auth, version });
  }
}

/** A request that changes something, for which a cached key or setting is never trusted without the version check. */
export const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';

/** The program's current settings version (0 before its first change). */
export async function settingsVersion(db: Db, programId: string): Promise<number> {
  const row = await db.selectFrom('settings_versions').select('version').where('program_id', '=', programId).executeTakeFirst();
  return row ? Number(row.version) : 0;
}
