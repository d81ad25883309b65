import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './database.js';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

async function readMigrations(): Promise<Migration[]> {
  const files = (await fs.readdir(migrationsDir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(migrationsDir + file, 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    }),
  );
}

export class MigrationError extends Error {}

/**
 * Forward-only: applies, in order, every migration the database has not seen, each in its own
 * transaction. An applied migration whose file changed afterwards stops everything: history is not rewritten.
 * Several processes may start at once; the table lock makes the others wait and then find nothing to do.
 */
export async function migrate(database: Database): Promise<string[]> {
  const { db } = database;
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  const applied: string[] = [];
  for (const m of await readMigrations()) {
    const done = await db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE schema_migrations IN EXCLUSIVE MODE`.execute(trx);
      const row = await trx
        .selectFrom('schema_migrations')
        .select(['checksum'])
        .where('version', '=', m.version)
        .executeTakeFirst();
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new MigrationError(
            `Migration ${m.name} was changed after it was applied. Migrations are forward-only: add a new one instead.`,
          );
        }
        return false;
      }
      await database.runScript(trx, m.sql);
      await trx.insertInto('schema_migrations').values({ version: m.version, name: m.name, checksum: m.checksum }).execute();
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}
