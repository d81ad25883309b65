import type { Config } from '../config/index.js';
import { openEmbedded, openPostgres, type Database } from './database.js';
import { migrate } from './migrate.js';

/** Opens the configured database (server if DATABASE_URL is set, else embedded) and brings its schema up to date. */
export async function openConfiguredDatabase(config: Config): Promise<{ database: Database; applied: string[] }> {
  const database = config.databaseUrl
    ? await openPostgres(config.databaseUrl, config.dbPoolSize)
    : await openEmbedded(config.dataDir);
  try {
    const applied = await migrate(database);
    return { database, applied };
  } catch (err) {
    await database.close();
    throw err;
  }
}
