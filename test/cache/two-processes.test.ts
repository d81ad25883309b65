import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/database.js';
import { createApiKey } from '../../src/programs/api-keys.js';
import { createProgram } from '../../src/programs/programs.js';
import { TEST_NOW } from '../support/app.js';
import { childClockAt } from '../support/child-clock.js';
import { onPostgres } from '../support/db.js';
import { adminUrl, templateDatabaseName } from '../support/env.js';

/**
 * Two real server processes on one PostgreSQL database: what one process changes, the other obeys for the very
 * next write (issue 11: a revoked key must not work anywhere once the revoking request has answered). PGlite
 * has one process by design, so this runs on PostgreSQL only.
 *
 * Neither the date nor the machine's speed decides anything here: both servers run on a clock that starts at
 * TEST_NOW (the test apps' time) and runs on, and the events are dated by it; each step waits for the answer to the one
 * before (a server is used once it prints that it runs), and the order is what the servers promise: a write
 * checks its key and the settings version against the database in the same query, so it needs no notification
 * to have arrived first.
 */
const name = `lojal_test_${randomBytes(6).toString('hex')}`;
const clock = childClockAt(TEST_NOW);
const servers: ChildProcess[] = [];
let a = '';
let b = '';
let admin = '';
let programId = '';

function serve(url: string): Promise<string> {
  const env = { ...process.env, ...clock.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LOJAL_JOBS: 'off' };
  const child = spawn(process.execPath, ['bin/lojal.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /Lojal is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${errors}`)));
  });
}

async function call(base: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// At the servers' time now: after a rule edit they have answered, so judged by the edited rule.
const purchase = (id: string) => ({ id, type: 'purchase', occurredAt: clock.now().toISOString(), account: 'ACC-1', lines: [{ sku: 'SKU-1', quantity: 1, amount: 10_000 }] });

describe.skipIf(!onPostgres)('settings caches across two server processes (PostgreSQL)', () => {
  beforeAll(async () => {
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabaseName()}`);
    await c.end();
    const database = await openPostgres(adminUrl(name), 2);
    const program = await createProgram(database.db, { name: 'Two processes', currency: 'SEK', timeZone: 'Europe/Stockholm' });
    programId = program.id;
    admin = (await createApiKey(database.db, program.id, { name: 'admin', scopes: ['admin'] })).key;
    await database.close();
    [a, b] = await Promise.all([serve(adminUrl(name)), serve(adminUrl(name))]);
    expect((await call(a, admin, 'POST', '/v1/accounts', { externalId: 'ACC-1', name: 'Account one' })).status).toBe(201);
    expect((await call(a, admin, 'PUT', '/v1/products/SKU-1', { name: 'Drill' })).status).toBeLessThan(300);
  });

  afterAll(async () => {
    await Promise.all(
      servers.map((s) => (s.exitCode !== null ? undefined : new Promise<void>((resolve) => (s.once('exit', () => resolve()), s.kill('SIGTERM'))))),
    );
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });

  it('a key revoked on one process is refused for the next write on the other', async () => {
    const created = await call(a, admin, 'POST', '/v1/api-keys', { name: 'integration', scopes: ['events:write'] });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    // B has verified and cached the key for reads and writes.
    expect((await call(b, key, 'POST', '/v1/events', purchase('rev-1'))).status).toBe(201);
    expect((await call(b, key, 'GET', '/v1/events/rev-1')).status).toBe(200);
    expect((await call(a, admin, 'DELETE', `/v1/api-keys/${created.body.id as string}`)).status).toBe(200);
    const refused = await call(b, key, 'POST', '/v1/events', purchase('rev-2'));
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('invalid_api_key');
  });

  it('a person deactivated on one process loses their key for the next write on the other', async () => {
    const person = await call(a, admin, 'POST', '/v1/staff-users', { email: `p${randomBytes(3).toString('hex')}@example.com`, name: 'Pat', role: 'support' });
    expect(person.status, JSON.stringify(person.body)).toBe(201);
    const personId = (person.body.id ?? (person.body.user as { id: string }).id) as string;
    const key = (await call(a, admin, 'POST', '/v1/api-keys', { name: 'pat', scopes: ['events:write'], staffUserId: personId })).body.key as string;
    expect((await call(b, key, 'POST', '/v1/events', purchase('staff-1'))).status).toBe(201);
    expect((await call(a, admin, 'PATCH', `/v1/staff-users/${personId}`, { active: false })).status).toBe(200);
    expect((await call(b, key, 'POST', '/v1/events', purchase('staff-2'))).status).toBe(401);
  });

  it('a rule edited on one process is used by the very next event on the other', async () => {
    const key = (await call(a, admin, 'POST', '/v1/api-keys', { name: 'events', scopes: ['events:write'] })).body.key as string;
    const rule = await call(a, admin, 'POST', '/v1/rules', {
      name: 'Ten per purchase',
      effectiveFrom: '2020-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'fixed', points: 10 }, recipient: { type: 'account' } },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    // B loads the rules (and caches them) for this event.
    const before = await call(b, key, 'POST', '/v1/events', purchase('rule-1'));
    expect(before.body.points).toBe(10);
    const edited = await call(a, admin, 'PATCH', `/v1/rules/${rule.body.id as string}`, {
      expectedVersion: 1,
      definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'fixed', points: 25 }, recipient: { type: 'account' } },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const after = await call(b, key, 'POST', '/v1/events', purchase('rule-2'));
    expect(after.status).toBe(201);
    expect(after.body.points).toBe(25);
    expect(programId).not.toBe('');
  });
});
