import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.js';
import type { Schema } from './schema.js';

export type Db = Kysely<Schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Runs a multi-statement SQL script inside the given transaction (migrations). PGlite's query() takes
   * one statement, so there the script goes through exec() on the same single session, which is the
   * session the transaction runs in.
   */
  runScript(trx: Db, script: string): Promise<void>;
  /**
   * Receives the notifications sent on `channel` (NOTIFY), on a connection of its own on a server. Resolves once
   * listening; `onLost` is called once if that connection fails later (listen again). The answer stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLost: (err: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// Points and money are bigint columns that stay below 2^53 (inputs are validated), so plain numbers are exact.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Which statements go as named prepared statements: a text is named the second time it is seen (a statement sent
 * once, such as a multi-row insert whose text grows with its rows, is never prepared), and at most `limit` texts are
 * ever named in a process, so no connection holds more than `limit` prepared statements. Statements without
 * parameters are never named: they go by the simple protocol, which also runs scripts of several statements.
 */
export class StatementNames {
  private named = new Map<string, string>();
  private seen = new Set<string>();
  /** Texts whose prepared plan the server refused to reuse: sent unnamed from then on. */
  private unnamed = new Set<string>();

  constructor(private readonly limit = 500) {}

  nameOf(text: string, parameters: number): string | undefined {
    if (parameters === 0 || this.unnamed.has(text)) return undefined;
    const name = this.named.get(text);
    if (name !== undefined) return name;
    if (this.named.size >= this.limit) return undefined;
    if (!this.seen.has(text)) {
      // Bounded too: once full, texts seen once start over (a statement that repeats is seen again soon).
      if (this.seen.size >= 10_000) this.seen.clear();
      this.seen.add(text);
      return undefined;
    }
    this.seen.delete(text);
    const fresh = `lojal_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    this.named.set(text, fresh);
    return fresh;
  }

  /**
   * A prepared statement the server can no longer run as prepared ("cached plan must not change result type",
   * after a migration changed a table it reads while this process kept running): later calls go unnamed, so the
   * process recovers without a restart instead of failing that statement on every connection until then.
   */
  stopNaming(text: string): void {
    this.named.delete(text);
    this.unnamed.add(text);
  }

  get size(): number {
    return this.named.size;
  }
}

type QueryResult = { command: string; rowCount: number | null; rows: unknown[] };

/** The comment `unawaited` puts in front of a statement, which the pool client below recognises. */
const UNAWAITED = '/* lojal:unawaited */ ';

/**
 * A statement of a transaction whose answer its sender does not need and does not wait for: on a server, the
 * transaction's next statement (usually its commit) is written right behind it and both are answered in one round
 * trip. Whatever the statement's answer is, the next statement's is that one's failure if it failed (a commit
 * then fails with it, and PostgreSQL has rolled the transaction back). On PGlite, and outside a transaction, it is an
 * ordinary statement. Only for a caller that catches no database error after it in the transaction.
 */
export function unawaited<T>(statement: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`${sql.raw(UNAWAITED)}${statement}`;
}

/** The comment `genericPlan` puts in front of a statement, which the pool client below recognises. */
const GENERIC_PLAN = '/* lojal:generic-plan */ ';

/**
 * A hot statement whose plan does not depend on its parameters' values (index look-ups by key): on a server it runs
 * with PostgreSQL's generic plan for its prepared statement instead of being planned again on every call.
 * PostgreSQL keeps planning a statement afresh when the generic plan's estimate is worse than the plans made for
 * the values, which a range condition on a parameter (`expires_at <= $2`) makes it for good, even when the plan is
 * the same: for the balance read, planning cost more than running it. Only for statements whose every plan is
 * the same index look-ups (checked by EXPLAIN in a test); anything else keeps the server's choice. No effect on PGlite.
 */
export function genericPlan<T>(statement: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`${sql.raw(GENERIC_PLAN)}${statement}`;
}

/**
 * How a connection's statements with parameters are planned: as the server is configured, or generic plans; or
 * not known (after a failure), in which case the next statement with parameters sets the mode it needs.
 */
type PlanMode = 'configured' | 'generic' | 'unknown';

/**
 * A pool client as Kysely's PostgresDialect sees it, with these savings on a server:
 * - statements whose text repeats go as named prepared statements (StatementNames): PostgreSQL parses and plans
 *   them once per connection instead of on every call (after five runs it may keep a generic plan; the plans of
 *   the hot statements are checked in test/events/explain.test.ts);
 * - `begin` does not wait for its answer: the client runs in pg's pipeline mode, so the transaction's first
 *   statement is written right behind it and both are answered in one round trip. The begin's answer is awaited
 *   with that statement's, and a failed begin fails it;
 * - nor does a statement marked `unawaited` in a transaction: its answer is awaited with the next statement's
 *   (Kysely sends a transaction's statements one after the other, so this is the only place they can overlap);
 * - what is sent without waiting stays in the socket's buffer (corked) until the statement after it is sent, so
 *   both leave in one write: a write to a socket costs this process and the server's backend a system call and a
 *   wake-up each, a large share of a short request's CPU. Should no statement follow within the same turn of the
 *   event loop, the buffer is sent then;
 * - a statement marked `genericPlan` runs with `plan_cache_mode = force_generic_plan` and every other statement
 *   with parameters as the server is configured: the client sets the session's mode when the next statement needs
 *   the other one, in the same write as that statement. A setting made in a transaction lasts if it commits and is
 *   undone if it rolls back, and the client follows it.
 */
class PreparingClient {
  private pendingBegin: Promise<unknown> | undefined;
  /** The answer of an `unawaited` statement, not yet awaited by a later one. */
  private pendingAnswer: Promise<unknown> | undefined;
  private inTransaction = false;
  /** The connection's socket while this client has corked it. */
  private corked: { uncork(): void } | undefined;
  /** The plan mode of the connection's session as of its last committed setting. */
  private sessionPlans: PlanMode = 'configured';
  /** Within a transaction that set the mode: the mode it set (the session's once it commits). */
  private transactionPlans: PlanMode | undefined;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly names: StatementNames,
  ) {}

  /** Holds what is written next in the socket's buffer, until `uncork` or the end of this turn of the event loop. */
  private cork(): void {
    if (this.corked) return;
    const socket = (this.client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
    if (!socket?.cork || !socket.uncork) return;
    socket.cork();
    this.corked = socket as { uncork(): void };
    process.nextTick(() => this.uncork());
  }

  private uncork(): void {
    const socket = this.corked;
    this.corked = undefined;
    socket?.uncork();
  }

  query(text: string, parameters: ReadonlyArray<unknown>): Promise<QueryResult> {
    try {
      return this.send(text, parameters);
    } finally {
      // Sent with what was held back, unless this statement is held back too.
      if (!this.pendingBegin && !this.pendingAnswer) this.uncork();
    }
  }

  private send(text: string, parameters: ReadonlyArray<unknown>): Promise<QueryResult> {
    if (/^\s*begin\s*$/i.test(text) && parameters.length === 0 && !this.pendingBegin && !this.pendingAnswer) {
      this.cork();
      const begin = this.client.query('begin');
      // Awaited with the next statement; an unhandled rejection until then is not one.
      begin.catch(() => {});
      this.pendingBegin = begin;
      this.inTransaction = true;
      this.transactionPlans = undefined;
      return Promise.resolve({ command: 'BEGIN', rowCount: null, rows: [] });
    }
    const holdBack = this.inTransaction && text.startsWith(UNAWAITED);
    if (holdBack) this.cork();
    const ending = /^\s*(commit|rollback)\s*$/i.exec(text)?.[1]?.toLowerCase();
    // The mode a transaction set becomes the session's if (and once) it commits.
    const settled = ending ? this.transactionPlans : undefined;
    if (ending) {
      this.inTransaction = false;
      this.transactionPlans = undefined;
    } else if (this.inTransaction && /^\s*rollback\s+to\b/i.test(text)) this.transactionPlans = 'unknown';
    if (parameters.length > 0) this.planWith(text.startsWith(GENERIC_PLAN) ? 'generic' : 'configured');
    const name = this.names.nameOf(text, parameters.length);
    const sent = this.client.query(name ? { name, text, values: [...parameters] } : { text, values: [...parameters] }) as Promise<QueryResult>;
    if (ending === 'commit' && settled !== undefined) this.followCommit(sent, settled);
    if (name) {
      sent.catch((err: { code?: string }) => {
        if (err.code === '0A000') this.names.stopNaming(text);
      });
    }
    let answer = sent;
    const begin = this.pendingBegin;
    if (begin) {
      this.pendingBegin = undefined;
      sent.catch(() => {});
      answer = begin.then(() => sent);
    }
    const earlier = this.pendingAnswer;
    if (earlier) {
      this.pendingAnswer = undefined;
      const own = answer;
      own.catch(() => {});
      // A rollback ends what the earlier statement's failure began; anything else fails with that failure.
      answer = ending === 'rollback' ? earlier.then(() => own, () => own) : earlier.then(() => own);
    }
    if (holdBack) {
      answer.catch(() => {});
      this.pendingAnswer = answer;
      return Promise.resolve({ command: 'UNAWAITED', rowCount: null, rows: [] });
    }
    return answer;
  }

  /**
   * Sets the plan mode the next statement needs, if the connection is not in it: written without waiting, right
   * ahead of that statement. Its failure is not this statement's concern (in a transaction, the statement then fails
   * as the transaction has); the mode is then unknown and set again next time.
   */
  private planWith(mode: 'configured' | 'generic'): void {
    const current = this.inTransaction ? (this.transactionPlans ?? this.sessionPlans) : this.sessionPlans;
    if (current === mode) return;
    this.cork();
    // DEFAULT: what the session would have without a SET (the server's, database's or role's setting).
    const set = this.client.query(`SET plan_cache_mode = ${mode === 'generic' ? 'force_generic_plan' : 'DEFAULT'}`);
    const inTransaction = this.inTransaction;
    if (inTransaction) this.transactionPlans = mode;
    else this.sessionPlans = mode;
    set.catch(() => {
      if (!inTransaction) this.sessionPlans = 'unknown';
      else if (this.inTransaction) this.transactionPlans = 'unknown';
    });
  }

  /** A commit that answers ROLLBACK (the transaction had failed) or fails has undone the transaction's setting. */
  private followCommit(commit: Promise<QueryResult>, mode: PlanMode): void {
    this.sessionPlans = 'unknown';
    commit.then(
      (r) => {
        this.sessionPlans = r.command === 'COMMIT' ? mode : 'unknown';
      },
      () => {},
    );
  }

  release(): void {
    this.uncork();
    this.pendingBegin = undefined;
    this.pendingAnswer = undefined;
    this.inTransaction = false;
    // Released in a transaction's middle (a broken connection is not reused): what it set is not known.
    if (this.transactionPlans !== undefined) this.sessionPlans = 'unknown';
    this.transactionPlans = undefined;
    this.client.release();
  }
}

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  // pipeline: queries are written as they are issued, not each after the previous one's answer (see PreparingClient).
  const pool = new pg.Pool({ connectionString: url, max: poolSize, pipeline: true } as pg.PoolConfig);
  // An idle connection the server closes (restart, failover, an administrator) must not take the process
  // down: the pool drops it and opens a new one for the next query.
  pool.on('error', (err) => console.error(`PostgreSQL connection lost: ${err.message}`));
  // Fail fast with the server's own message instead of on the first request.
  const client = await pool.connect();
  client.release();
  const names = new StatementNames();
  const wrapped = new WeakMap<pg.PoolClient, PreparingClient>();
  const preparingPool = {
    async connect() {
      const c = await pool.connect();
      let w = wrapped.get(c);
      if (!w) wrapped.set(c, (w = new PreparingClient(c, names)));
      return w;
    },
    end: () => pool.end(),
  };
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: preparingPool as never }) });
  return {
    db,
    kind: 'postgres',
    // With no parameters pg uses the simple query protocol, which accepts several statements.
    runScript: async (trx, script) => void (await sql.raw(script).execute(trx)),
    async listen(channel, onNotify, onLost) {
      const client = new pg.Client({ connectionString: url });
      let stopped = false;
      const lost = (err: Error) => {
        if (stopped) return;
        stopped = true;
        client.removeAllListeners('notification');
        client.end().catch(() => {});
        onLost(err);
      };
      client.on('error', lost);
      client.on('end', () => lost(new Error('the listening connection ended')));
      client.on('notification', (n) => {
        if (n.channel === channel) onNotify(n.payload ?? '');
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (err) {
        stopped = true;
        await client.end().catch(() => {});
        throw err;
      }
      return async () => {
        stopped = true;
        await client.end().catch(() => {});
      };
    },
    close: () => db.destroy(),
  };
}

export { DataDirLockedError } from './data-dir-lock.js';

/**
 * The embedded database. PGlite is one PostgreSQL session in this process, so two processes on the
 * same directory would corrupt it: a lock file keeps the second one out.
 */
export async function openEmbedded(dataDir: string): Promise<Database> {
  await fs.mkdir(dataDir, { recursive: true });
  // A lock left by a crashed process is taken over at once; a live holder is named (src/db/data-dir-lock.ts).
  const lock = await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({ dataDir: path.join(dataDir, 'pg') });
  } catch (err) {
    await lock.release();
    throw err;
  }
  return wrapPglite(pglite, () => lock.release());
}

/** An in-memory embedded database, optionally started from a dumped data directory (tests, benchmarks). */
export async function openMemory(from?: Blob): Promise<Database & { dump(): Promise<Blob> }> {
  const pglite = await PGlite.create(from ? { loadDataDir: from } : {});
  return { ...wrapPglite(pglite, async () => {}), dump: () => pglite.dumpDataDir('none') };
}

function wrapPglite(pglite: PGlite, release: () => Promise<void>): Database {
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    runScript: async (_trx, script) => void (await pglite.exec(script)),
    // One session in this process: its own notifications arrive as its transactions commit.
    listen: async (channel, onNotify) => {
      const unsubscribe = await pglite.listen(channel, onNotify);
      return unsubscribe;
    },
    async close() {
      await db.destroy();
      await release();
    },
  };
}

/**
 * Runs `work` in the caller's transaction when `db` is one, else in a transaction of its own: a data function
 * that needs a transaction can then also be one step of a larger one (an action and its audit entry).
 */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
