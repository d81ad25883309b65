import os from 'node:os';
import path from 'node:path';

/** LOJAL_TEST_DB=postgres runs the suite on a PostgreSQL server (TEST_DATABASE_URL or the local one). */
export const postgresWanted = () => process.env.LOJAL_TEST_DB === 'postgres';

/**
 * Checks that prove nothing about the SQL dialect (pages in a browser, the schema fuzz, the docs' shell examples)
 * run in one pass only: the PostgreSQL pass when it is sure to run (LOJAL_REQUIRE_POSTGRES=1, as in CI), where a
 * request costs a fraction of what it costs on PGlite, else the embedded pass, so a machine without a server
 * still runs them.
 */
export const singlePassDatabase = (): 'postgres' | 'embedded' => (process.env.LOJAL_REQUIRE_POSTGRES === '1' ? 'postgres' : 'embedded');
export const inSinglePass = () => (postgresWanted() ? 'postgres' : 'embedded') === singlePassDatabase();

export function adminUrl(database = 'postgres'): string {
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/${database}`;
  return base.toString();
}

// The run's id is fixed by the parent process, so forks of one run agree on it and parallel runs do not collide.
const runId = process.env.LOJAL_TEST_RUN_ID ?? (process.env.LOJAL_TEST_RUN_ID = `${process.pid}`);

export const templateDatabaseName = () => `lojal_test_tpl_${runId}`;
export const templateFile = () => path.join(os.tmpdir(), `lojal-test-template-${runId}.tar`);
