/**
 * What every module's routes need from the application: the context they are registered with, the request
 * fields the server's hooks fill in, and who is calling. Modules import this file, never the server that
 * registers them (src/app.ts composes the application at the top).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/database.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { AuthContext, Scope } from '../programs/api-keys.js';
import type { SettingsCache, ProgramSettingsView } from '../cache/settings.js';
import type { Metrics } from './metrics.js';
import type { MemberContext } from '../sessions/http.js';
import type { Session } from '../sessions/store.js';
import { actorOfAuth, type Actor } from '../programs/actor.js';
import type { AuditContext } from '../audit/index.js';
import type { ErrorCode } from '../errors/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | undefined;
    /** The browser session the request came with, on routes that take one (see `session` and `member`). */
    session: Session | undefined;
    /** The member a portal route acts for (routes with `member: true`). */
    member: MemberContext | undefined;
    /** The program's settings version, as a write's key check read it (see src/cache). */
    settingsVersion: number | undefined;
    /**
     * The write's key came from the cache (a route with `deferKeyCheck`): the handler must confirm that the program's
     * settings version is still `settingsVersion`, or call `confirmKey` and start again.
     */
    keyCheckDeferred: boolean;
    /** The application's clock (AppContext.clock), so helpers that only see the request act at its time. */
    clock: Clock;
  }
  interface FastifyContextConfig {
    /** The scope a route needs (any one of a list); routes without one are public (health, metrics, docs). */
    scope?: Scope | readonly Scope[];
    /** The route also serves coalition partners' keys (see requireScope). */
    partners?: boolean;
    /**
     * Portal routes: `true` needs a member session that has settled which member it acts for (`req.member`);
     * `'any'` takes a member session before that choice (`req.session` only).
     */
    member?: true | 'any';
    /** Console routes about the session itself (sign-out, password change): a staff session, no API key. */
    staffSession?: true;
    /**
     * The error codes this route answers with beyond those every route of its kind can give (validation, sign-in,
     * malformed input: src/http/openapi.ts adds those). The OpenAPI document lists them, and the tests' contract
     * check fails on a code a route answered without declaring it.
     */
    errors?: readonly ErrorCode[];
    /**
     * A write whose handler reads the program's settings version in its first statement anyway: its API key may come
     * from the cache (`req.keyCheckDeferred`), saving the key check's round trip. The handler refuses to act unless the
     * version read is `req.settingsVersion` (any change to a key, a person or a partner bumps it), and otherwise calls
     * `confirmKey` and starts again.
     */
    deferKeyCheck?: true;
    /** Media types of a successful answer that is not JSON: a CSV export, a PDF, an evidence file. */
    produces?: readonly string[];
  }
}

export interface AppContext {
  database: Database;
  config: Config;
  metrics: Metrics;
  /** Program settings, keys, rules and the tier ladder in memory, kept current across processes (src/cache). */
  settings: SettingsCache;
  /** The request's program settings: cached, and for a write at least as new as the version its key check read. */
  settingsOf(req: FastifyRequest): Promise<ProgramSettingsView>;
  /**
   * Checks the request's API key against the database (as for any write) after a deferred check found the settings
   * changed: refreshes `req.auth` and `req.settingsVersion`, and throws as the check would (a revoked key, a scope taken away).
   */
  confirmKey(req: FastifyRequest): Promise<void>;
  /** Started with `serve --demo`: without a mail server, member sign-in codes are logged for whoever tries it. */
  demo: boolean;
  /** Where claim evidence bytes are kept (disk or S3, by configuration). */
  evidence: EvidenceStore;
  /** The time the application acts at; tests pass a clock of their own. */
  clock: Clock;
}

export type App = FastifyInstance & { withTypeProvider(): FastifyInstance };

/** The authenticated caller; only routes with a `scope` reach their handler with one. */
export function caller(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new Error('route has no scope but asks for the caller');
  return req.auth;
}

/** Who is acting, for journals and the audit log (a staff user, or an integration's API key). */
export function actor(req: FastifyRequest): Actor {
  return actorOfAuth(caller(req));
}

/** The actor and where the request came from: what an audit entry records besides the change. */
export function auditContext(req: FastifyRequest): AuditContext {
  return { programId: caller(req).programId, actor: actor(req), ip: req.ip, at: req.clock() };
}

export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;

