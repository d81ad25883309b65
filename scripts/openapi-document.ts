/**
 * The API's OpenAPI document as a server with the given configuration serves it, built without listening: on an
 * in-memory embedded database, for the scripts that print, check or generate from it.
 */
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { openMemory } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';

export async function serverDocument(env: Record<string, string | undefined> = {}): Promise<unknown> {
  const database = await openMemory();
  await migrate(database);
  const app = await buildApp(database, loadConfig({ LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', ...env }), {});
  await app.ready();
  const doc = app.swagger();
  await app.close();
  await database.close();
  return doc;
}
