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
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const bytes = await fs.readFile(templateFile());
  return openMemory(new Blob([bytes]));
}
