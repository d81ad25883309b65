import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsCache } from '../../src/cache/settings.js';
import type { Database } from '../../src/db/database.js';
import { ingestEvents, SettingsChangedError } from '../../src/events/ingest.js';
import { authenticate, createApiKey, revokeApiKey } from '../../src/programs/api-keys.js';
import { createProgram, type Program } from '../../src/programs/programs.js';
import { TEST_NOW } from '../support/app.js';
import { freshDatabase } from '../support/db.js';

/**
 * POST /v1/events takes a write's API key from the cache and leaves its check to the look-up, which reads the
 * settings version (src/cache). Here the notification that would empty the cache never comes (no listener), which
 * is the window a second server process has before it arrives: the look-up alone must refuse the revoked key.
 */
let database: Database;
let program: Program;

describe('a write key taken from the cache is confirmed by the look-up', () => {
  beforeAll(async () => {
    database = await freshDatabase();
    program = await createProgram(database.db, { name: 'Deferred', currency: 'SEK' });
    await sql`INSERT INTO accounts (program_id, id, external_id, name) VALUES (${program.id}, gen_random_uuid(), 'A-1', 'One')`.execute(database.db);
  });
  afterAll(() => database?.close());

  it('a key revoked after it was cached writes nothing', async () => {
    const { key, record } = await createApiKey(database.db, program.id, { name: 'integration', scopes: ['events:write'] });
    const cache = new SettingsCache();
    cache.startTrusting();
    const checked = await authenticate(database.db, key, cache, true, true);
    expect(checked.deferred).not.toBe(true);
    const cached = await authenticate(database.db, key, cache, true, true);
    expect(cached).toMatchObject({ deferred: true, settingsVersion: checked.settingsVersion });

    await revokeApiKey(database.db, program.id, record.id, new Date(TEST_NOW));
    // Still cached: nothing told this cache.
    expect((await authenticate(database.db, key, cache, true, true)).deferred).toBe(true);
    const event = { id: 'after-revoke', type: 'app.login', occurredAt: TEST_NOW, account: 'A-1' };
    const opts = { now: new Date(TEST_NOW), futureToleranceSeconds: 300, settingsVersion: cached.settingsVersion };
    await expect(ingestEvents(database.db, program, [event], opts)).rejects.toBeInstanceOf(SettingsChangedError);
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE program_id = ${program.id}`.execute(database.db);
    expect(stored.rows[0]!.n).toBe(0);
    // Checked against the database, as the route does next, the key is refused.
    await expect(authenticate(database.db, key, cache, true, false)).rejects.toMatchObject({ code: 'invalid_api_key' });
  });

  it('with the version unchanged the event is written', async () => {
    const { key } = await createApiKey(database.db, program.id, { name: 'other', scopes: ['events:write'] });
    const cache = new SettingsCache();
    cache.startTrusting();
    const checked = await authenticate(database.db, key, cache, true, true);
    const event = { id: 'kept', type: 'app.login', occurredAt: TEST_NOW, account: 'A-1' };
    const [item] = await ingestEvents(database.db, program, [event], { now: new Date(TEST_NOW), futureToleranceSeconds: 300, settingsVersion: checked.settingsVersion });
    expect(item!.status).toBe('processed');
  });
});
