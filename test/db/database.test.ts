import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config/index.js';
import { DataDirLockedError, genericPlan, openEmbedded, unawaited } from '../../src/db/database.js';
import { migrate, MigrationError } from '../../src/db/migrate.js';
import { freshDatabase, onPostgres } from '../support/db.js';

describe('configuration', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, jobs: true });
    expect(c.dataDir).toBe(path.resolve('.lojal/data'));
  });

  it('refuses bad values, naming each', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/DATABASE_URL/);
    }
  });

  it('refuses an empty or hexadecimal number, and half of a credential pair', () => {
    for (const env of [{ PORT: '' }, { PORT: '0x1068' }, { LOJAL_FUTURE_TOLERANCE_SECONDS: '' }, { LOJAL_DB_POOL_SIZE: '1.5' }, { LOJAL_SMS_46ELKS_USERNAME: 'u' }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
    expect(loadConfig({ PORT: '0', LOJAL_FUTURE_TOLERANCE_SECONDS: '3600' })).toMatchObject({ port: 0, futureToleranceSeconds: 3600 });
  });
});

describe.skipIf(onPostgres)('embedded database', () => {
  it('keeps a second process off its data directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lojal-lock-'));
    const first = await openEmbedded(dir);
    await expect(openEmbedded(dir)).rejects.toThrow(DataDirLockedError);
    await first.close();
    const again = await openEmbedded(dir);
    await again.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('migrations', () => {
  it('are applied once, and a changed applied migration stops everything', async () => {
    const database = await freshDatabase();
    try {
      expect(await migrate(database)).toEqual([]);
      await sql`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`.execute(database.db);
      await expect(migrate(database)).rejects.toThrow(MigrationError);
    } finally {
      await database.close();
    }
  });
});

describe.runIf(onPostgres)('prepared statements on PostgreSQL', () => {
  it('a statement whose table a migration changed under a running process fails once, then runs unprepared', async () => {
    const database = await freshDatabase();
    try {
      await sql`CREATE TABLE prepared_probe (id integer PRIMARY KEY, a text)`.execute(database.db);
      await sql`INSERT INTO prepared_probe VALUES (1, 'x')`.execute(database.db);
      await database.db.connection().execute(async (conn) => {
        const read = () => sql<Record<string, unknown>>`SELECT * FROM prepared_probe WHERE id = ${1}`.execute(conn);
        // Seen once, then prepared on its second use and reused on its third.
        for (let i = 0; i < 3; i++) expect((await read()).rows).toEqual([{ id: 1, a: 'x' }]);
        await sql`ALTER TABLE prepared_probe ADD COLUMN b text`.execute(conn);
        await expect(read()).rejects.toMatchObject({ code: '0A000' });
        expect((await read()).rows).toEqual([{ id: 1, a: 'x', b: null }]);
      });
    } finally {
      await database.close();
    }
  });
});

describe.runIf(onPostgres)('a statement marked for its generic plan (PostgreSQL)', () => {
  it('runs with the generic plan, every other statement as the server is configured, through commits and rollbacks', async () => {
    const database = await freshDatabase();
    try {
      await database.db.connection().execute(async (conn) => {
        const configured = (await sql<{ mode: string }>`SELECT current_setting('plan_cache_mode') AS mode`.execute(conn)).rows[0]!.mode;
        // With a parameter each: only a statement with parameters has a plan to choose.
        const marked = async () => (await genericPlan(sql<{ mode: string }>`SELECT current_setting('plan_cache_mode') AS mode, ${1}::int AS one`).execute(conn)).rows[0]!.mode;
        const plain = async () => (await sql<{ mode: string }>`SELECT current_setting('plan_cache_mode') AS mode, ${1}::int AS one`.execute(conn)).rows[0]!.mode;
        // No parameters: the client leaves the mode as it is, so this shows what the session holds.
        const session = async () => (await sql<{ mode: string }>`SELECT current_setting('plan_cache_mode') AS mode`.execute(conn)).rows[0]!.mode;

        expect(await marked()).toBe('force_generic_plan');
        expect(await plain()).toBe(configured);
        expect(await marked()).toBe('force_generic_plan');
        expect(await session()).toBe('force_generic_plan');

        // Set in a transaction that rolls back: undone, and the client knows it.
        await sql`begin`.execute(conn);
        expect(await plain()).toBe(configured);
        await sql`rollback`.execute(conn);
        expect(await session()).toBe('force_generic_plan');
        expect(await marked()).toBe('force_generic_plan');
        expect(await plain()).toBe(configured);

        // Set in a transaction that commits: kept.
        await sql`begin`.execute(conn);
        expect(await marked()).toBe('force_generic_plan');
        await sql`commit`.execute(conn);
        expect(await session()).toBe('force_generic_plan');
        expect(await plain()).toBe(configured);

        // A commit that fails (an unawaited statement of it failed) undid the setting: the client sets it again.
        await sql`CREATE TEMP TABLE plan_probe (id integer PRIMARY KEY)`.execute(conn);
        await sql`begin`.execute(conn);
        expect(await marked()).toBe('force_generic_plan');
        // Without parameters, so that it leaves the mode as the transaction set it.
        await unawaited(sql`INSERT INTO plan_probe VALUES (1), (1)`).execute(conn);
        await expect(sql`commit`.execute(conn)).rejects.toMatchObject({ code: '23505' });
        expect(await session()).toBe(configured);
        expect(await marked()).toBe('force_generic_plan');
        expect(await plain()).toBe(configured);

        // The marked statement, once prepared, was never planned for its values.
        for (let i = 0; i < 8; i++) await marked();
        const { rows } = await sql<{ generic_plans: number; custom_plans: number }>`
          SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '/* lojal:generic-plan */%'`.execute(conn);
        expect(rows).toHaveLength(1);
        expect(Number(rows[0]!.generic_plans)).toBeGreaterThan(5);
        expect(Number(rows[0]!.custom_plans)).toBe(0);
      });
    } finally {
      await database.close();
    }
  });
});

describe('a statement whose answer the transaction does not wait for (unawaited)', () => {
  it('is committed with the transaction, and a failure of it fails the commit and leaves nothing written', async () => {
    const database = await freshDatabase();
    const { db } = database;
    try {
      await sql`CREATE TABLE unawaited_probe (id integer PRIMARY KEY)`.execute(db);
      await db.transaction().execute(async (trx) => {
        await sql`INSERT INTO unawaited_probe VALUES (${1})`.execute(trx);
        await unawaited(sql`INSERT INTO unawaited_probe VALUES (${2})`).execute(trx);
      });
      const ids = async () => (await sql<{ id: number }>`SELECT id FROM unawaited_probe ORDER BY id`.execute(db)).rows.map((r) => r.id);
      expect(await ids()).toEqual([1, 2]);

      // The key exists: the unawaited insert fails, and so does the transaction, with that statement's error.
      await expect(
        db.transaction().execute(async (trx) => {
          await sql`INSERT INTO unawaited_probe VALUES (${3})`.execute(trx);
          await unawaited(sql`INSERT INTO unawaited_probe VALUES (${2})`).execute(trx);
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await ids()).toEqual([1, 2]);

      // A statement after it answers for it too, and the failure rolls back as usual.
      await expect(
        db.transaction().execute(async (trx) => {
          await unawaited(sql`INSERT INTO unawaited_probe VALUES (${1})`).execute(trx);
          await sql`INSERT INTO unawaited_probe VALUES (${4})`.execute(trx);
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await ids()).toEqual([1, 2]);

      // The connection goes on serving transactions (the same text, prepared by now, with other values).
      for (const id of [5, 6, 7]) {
        await db.transaction().execute(async (trx) => {
          await unawaited(sql`INSERT INTO unawaited_probe VALUES (${id})`).execute(trx);
        });
      }
      expect(await ids()).toEqual([1, 2, 5, 6, 7]);
    } finally {
      await database.close();
    }
  });
});
