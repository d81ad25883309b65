import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { openMemory, openPostgres } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { adminUrl, postgresWanted, templateDatabaseName, templateFile } from './env.js';

/**
 * Runs once per test run: builds a migrated database that every test file clones, so no file pays
 * for initdb and migrations itself. PGlite: a dumped data directory. PostgreSQL: a template database.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Each test project (vitest.config.ts) runs its global setup in this one main process: build the template
  // once for all of them and remove it after the last one is done.
  const shared = globalThis as typeof globalThis & { lojalTemplate?: { built: Promise<() => Promise<void>>; users: number } };
  shared.lojalTemplate ??= { built: buildTemplate(), users: 0 };
  const template = shared.lojalTemplate;
  template.users += 1;
  const teardown = await template.built;
  return async () => {
    template.users -= 1;
    if (template.users === 0) {
      delete shared.lojalTemplate;
      await teardown();
    }
  };
}

async function buildTemplate(): Promise<() => Promise<void>> {
  if (postgresWanted()) {
    const name = templateDatabaseName();
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const database = await openPostgres(adminUrl(name), 2);
    await migrate(database);
    await database.close();
    return async () => {
      const a = new pg.Client({ connectionString: adminUrl() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  }
  const database = await openMemory();
  await migrate(database);
  const blob = await database.dump();
  await fs.mkdir(path.dirname(templateFile()), { recursive: true });
  await fs.writeFile(templateFile(), Buffer.from(await blob.arrayBuffer()));
  await database.close();
  return async () => {
    await fs.rm(templateFile(), { force: true });
  };
}
