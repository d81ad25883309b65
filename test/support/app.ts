import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { manualClock, type ManualClock } from '../../src/clock/index.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Database } from '../../src/db/database.js';
import { buildApp } from '../../src/app.js';
import { createApiKey, type Scope } from '../../src/programs/api-keys.js';
import { createProgram } from '../../src/programs/programs.js';
import { attachContract, contractEnabled } from './contract.js';
import { freshDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  /**
   * The application's clock: it stands at `TEST_NOW` (2026-11-25, inside the fixtures' dates) until a test sets or
   * advances it, so no test depends on the day it runs.
   */
  clock: ManualClock;
  programId: string;
  /** An admin key of the test program. */
  key: string;
  /** Sends a JSON request with the admin key (or the given one). */
  call(method: string, url: string, body?: unknown, key?: string | null): Promise<LightMyRequestResponse & { body: string }>;
  newProgram(settings?: Parameters<typeof createProgram>[1] extends infer S ? Partial<S> : never): Promise<{ programId: string; key: string }>;
  keyWith(scopes: Scope[], programId?: string): Promise<string>;
  close(): Promise<void>;
}

/** Where the test application's clock starts: after the fixtures' purchases (2026-11-20), inside the same month. */
export const TEST_NOW = '2026-11-25T12:00:00Z';

/** `env` adds to the test configuration; files (claim evidence) go to a temporary directory that close() removes. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lojal-test-data-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', LOJAL_DATA_DIR: dataDir, ...env });
  const clock = manualClock(TEST_NOW);
  const app = await buildApp(database, config, { clock });
  const contract = contractEnabled() ? attachContract(app) : undefined;
  const newProgram: TestApp['newProgram'] = async (settings = {}) => {
    const program = await createProgram(database.db, {
      name: 'Test program',
      currency: 'SEK',
      timeZone: 'Europe/Stockholm',
      defaultLanguage: 'en',
      ...settings,
    });
    const { key } = await createApiKey(database.db, program.id, { name: 'test admin', scopes: ['admin'] });
    return { programId: program.id, key };
  };
  const { programId, key } = await newProgram();
  return {
    app,
    database,
    config,
    clock,
    programId,
    key,
    newProgram,
    async keyWith(scopes, pid = programId) {
      return (await createApiKey(database.db, pid, { name: 'scoped', scopes })).key;
    },
    call(method, url, body, k = key) {
      return app.inject({
        method: method as 'GET',
        url,
        headers: { ...(k ? { authorization: `Bearer ${k}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      }) as never;
    },
    async close() {
      const violations = contract?.violations() ?? [];
      // LOJAL_CONTRACT_SEEN=dir keeps which operations and statuses this file met (scripts/contract-coverage.ts sums them).
      if (contract && process.env.LOJAL_CONTRACT_SEEN) {
        await fs.mkdir(process.env.LOJAL_CONTRACT_SEEN, { recursive: true });
        await fs.writeFile(path.join(process.env.LOJAL_CONTRACT_SEEN, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`), [...contract.seen()].join('\n'));
      }
      await app.close();
      await database.close();
      await fs.rm(dataDir, { recursive: true, force: true });
      if (violations.length) {
        throw new Error(`The answers differ from the OpenAPI document (test/support/contract.ts):\n${violations.map((v) => `  - ${v}`).join('\n')}`);
      }
    },
  };
}
