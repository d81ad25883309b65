import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { analyzeGrownTables, keepsOwnStatistics } from '../../src/db/statistics.js';
import type { FastifyBaseLogger } from 'fastify';
import { manualClock } from '../../src/clock/index.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import { freshDatabase, onPostgres } from '../support/db.js';
import { TEST_NOW } from '../support/app.js';

describe('planner statistics where nothing else keeps them', () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
    await sql`CREATE TABLE growing (id integer PRIMARY KEY, note text NOT NULL)`.execute(database.db);
  });
  afterAll(() => database.close());

  const rows = async (from: number, to: number) =>
    sql`INSERT INTO growing SELECT g, repeat('x', 100) FROM generate_series(${from}::int, ${to}::int) g`.execute(database.db);
  const counted = async () =>
    Number((await sql<{ n: number }>`SELECT reltuples::int AS n FROM pg_class WHERE relname = 'growing'`.execute(database.db)).rows[0]!.n);

  it('are kept by Lojal on the embedded database, and on a server only when its autovacuum is off', async () => {
    const autovacuum = (await sql<{ a: string }>`SELECT current_setting('autovacuum') AS a`.execute(database.db)).rows[0]!.a;
    expect(await keepsOwnStatistics(database)).toBe(onPostgres ? autovacuum !== 'on' : true);
  });

  it('analyzes a table once it has grown by a fifth, and leaves it alone until then', async () => {
    await rows(1, 10);
    // A few rows on a page or two: not worth an analyze.
    expect(await analyzeGrownTables(database.db)).not.toContain('growing');
    await rows(11, 5_000);
    expect(await analyzeGrownTables(database.db)).toContain('growing');
    expect(await counted()).toBe(5_000);
    // Analyzed just now: nothing has changed since.
    expect(await analyzeGrownTables(database.db)).toEqual([]);
    await rows(5_001, 5_500);
    expect(await analyzeGrownTables(database.db)).toEqual([]);
    expect(await counted()).toBe(5_000);
    await rows(5_501, 6_500);
    expect(await analyzeGrownTables(database.db)).toEqual(['growing']);
    expect(await counted()).toBe(6_500);
  });

  it("run with the server's jobs, each tick, where Lojal keeps them", async () => {
    await rows(6_501, 9_000);
    const said: Array<{ level: string; what: unknown; message: unknown }> = [];
    const note = (level: string) => (what: unknown, message: unknown) => void said.push({ level, what, message });
    const log = { info: note('info'), warn: note('warn'), error: note('error'), debug: () => {} } as unknown as FastifyBaseLogger;
    const stop = startScheduler(database.db, log, manualClock(TEST_NOW), 60_000, undefined, { allowPrivate: false }, undefined, undefined, undefined, true);
    try {
      await expect.poll(counted).toBe(9_000);
    } finally {
      await stop();
    }
    expect(said.filter((s) => s.level === 'error')).toEqual([]);
    expect(said).toContainEqual({ level: 'info', what: { tables: ['growing'] }, message: 'planner statistics refreshed' });
  });
});
