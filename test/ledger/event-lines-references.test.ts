/**
 * An event's lines refer to their event, checked once per insert statement (migration 0058) with what the foreign
 * key guaranteed kept: lines of no event fail with the key's SQLSTATE, an event with lines cannot be deleted, and
 * neither changes its key. An event without lines (a refused one, in the transaction that inserted it) still can.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { createRules, purchase, seedAccount, seedCatalog } from '../support/fixtures.js';

let t: TestApp;
let account: string;
let event: string;
beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  await createRules(t);
  account = await seedAccount(t, 'EL-1');
  const res = await t.call('POST', '/v1/events', purchase('EL-EV-1', 'EL-1', undefined, t.clock().toISOString()));
  expect(res.statusCode, res.body).toBeLessThan(300);
  event = (await sql<{ id: string }>`SELECT id FROM events WHERE program_id = ${t.programId} AND external_id = 'EL-EV-1'`.execute(t.database.db)).rows[0]!.id;
});
afterAll(async () => t.close());

const failure = async (statement: ReturnType<typeof sql>) => {
  const err = await statement.execute(t.database.db).then(() => undefined, (e: unknown) => e);
  expect(err, statement.compile(t.database.db).sql).toBeInstanceOf(Error);
  return err as Error & { code?: string };
};
const lines = async () =>
  Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM event_lines WHERE program_id = ${t.programId}`.execute(t.database.db)).rows[0]!.n);
const line = (eventId: string, lineNo: number) =>
  sql`(${t.programId}, ${eventId}, ${lineNo}, ${account}, now(), true, 'SKU-X', 1, 100)`;
const insertLines = (...values: ReturnType<typeof sql>[]) =>
  sql`INSERT INTO event_lines (program_id, event_id, line_no, account_id, occurred_at, is_purchase, sku, quantity, amount) VALUES ${sql.join(values)}`;

describe("an event's lines refer to it", () => {
  it('lines of an event that does not exist fail their whole statement as a foreign key would', async () => {
    const before = await lines();
    const nowhere = randomUUID();
    const err = await failure(insertLines(line(event, 900), line(nowhere, 1)));
    expect(err.code).toBe('23503');
    expect(err.message).toContain(nowhere);
    expect(await lines()).toBe(before);
    await insertLines(line(event, 901)).execute(t.database.db);
    expect(await lines()).toBe(before + 1);
  });

  it('an event with lines is not deleted; one without is', async () => {
    const err = await failure(sql`DELETE FROM events WHERE program_id = ${t.programId} AND id = ${event}`);
    expect(err.code).toBe('23503');
    expect(err.message).toContain(event);
    const bare = randomUUID();
    await sql`INSERT INTO events (program_id, id, external_id, type, occurred_at, account_id, amount, attributes, body_hash)
              VALUES (${t.programId}, ${bare}, 'EL-BARE', 'app.login', now(), ${account}, 0, '{}', 'x')`.execute(t.database.db);
    await sql`DELETE FROM events WHERE program_id = ${t.programId} AND id = ${bare}`.execute(t.database.db);
  });

  it('events and lines keep their keys, and events are not truncated', async () => {
    for (const statement of [
      sql`UPDATE events SET id = ${randomUUID()} WHERE program_id = ${t.programId} AND id = ${event}`,
      sql`UPDATE event_lines SET event_id = ${randomUUID()} WHERE program_id = ${t.programId} AND event_id = ${event}`,
      sql`TRUNCATE events`,
    ]) {
      expect((await failure(statement)).message).toMatch(/keep their keys/);
    }
    // What returns change on a line stays possible.
    await sql`UPDATE event_lines SET returned_quantity = 0 WHERE program_id = ${t.programId} AND event_id = ${event}`.execute(t.database.db);
  });

  it.skipIf(!onPostgres)('a delete of an event waits for lines being written to it, and then fails', async () => {
    const target = randomUUID();
    await sql`INSERT INTO events (program_id, id, external_id, type, occurred_at, account_id, amount, attributes, body_hash)
              VALUES (${t.programId}, ${target}, 'EL-RACE', 'purchase', now(), ${account}, 0, '{}', 'x')`.execute(t.database.db);
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let written!: () => void;
    const linesWritten = new Promise<void>((resolve) => (written = resolve));
    const writer = t.database.db.transaction().execute(async (trx) => {
      await insertLines(line(target, 1)).execute(trx);
      written();
      await finished;
    });
    await linesWritten;
    const deleting = sql`DELETE FROM events WHERE program_id = ${t.programId} AND id = ${target}`.execute(t.database.db).then(
      () => 'deleted' as const,
      (e: Error & { code?: string }) => e,
    );
    try {
      // The delete must be waiting on the lines' lock (not done, not failed) while the lines are uncommitted.
      let waiting = false;
      while (!waiting) {
        const outcome = await Promise.race([deleting, Promise.resolve('pending' as const)]);
        expect(outcome).toBe('pending');
        waiting = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM events%'`.execute(t.database.db)).rows[0]!.n > 0;
      }
    } finally {
      finish();
    }
    await writer;
    const outcome = await deleting;
    expect(outcome).not.toBe('deleted');
    expect((outcome as Error & { code?: string }).code).toBe('23503');
  });
});
