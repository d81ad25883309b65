import fs from 'node:fs/promises';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openMemory, openPostgres, type Database } from '../../src/db/database.js';
import { adminUrl, postgresWanted, templateDatabaseName, templateFile } from './env.js';

export const onPostgres = postgresWanted();

/** A fresh, migrated, empty database for one test file; close() drops it. */
export async function freshDatabase(): Promise<Database> {
  if (onPostgres) {
    const name = `lojal_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabaseName()}`);
    await admin.end();
    const database = await openPostgres(adminUrl(name), 20);
    return {
      ...database,
      async close() {
        await database.close();
        const a = new pg.Client({ connectionString: adminUrl() });
        await a.connect();
        // pg.Pool.end() resolves once it has asked its clients to end, not when they have: FORCE would kill
        // backends still saying goodbye, and their clients report that as an unhandled error. Wait until they are
        // gone: the loop ends on that state, however slow a loaded machine makes it. The bound (a minute of polls)
        // is only for a connection something leaked, which FORCE then ends.
        for (let i = 0; i < 3000; i++) {
          const left = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (left.rows[0]!.n === 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const bytes = await fs.readFile(templateFile());
  return openMemory(new Blob([bytes]));
}
