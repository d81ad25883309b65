import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
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

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection the server closes (restart, failover, an administrator) must not take the process
  // down: the pool drops it and opens a new one for the next query.
  pool.on('error', (err) => console.error(`PostgreSQL connection lost: ${err.message}`));
  // Fail fast with the server's own message instead of on the first request.
  const client = await pool.connect();
  client.release();
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
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
