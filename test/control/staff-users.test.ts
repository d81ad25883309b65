import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount } from '../support/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('staff users', () => {
  it('are created, listed, changed and deactivated by an admin key', async () => {
    const created = await t.call('POST', '/v1/staff-users', { email: 'Anna.Berg@lojal.test', name: 'Anna Berg', role: 'manager' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ email: 'Anna.Berg@lojal.test', role: 'manager', active: true });
    const id = created.json().id;

    const dup = await t.call('POST', '/v1/staff-users', { email: 'anna.berg@lojal.test', name: 'Other Anna', role: 'viewer' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('staff_email_taken');

    const bad = await t.call('POST', '/v1/staff-users', { email: 'not-an-address', name: 'X', role: 'boss' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.email', 'body.role']);

    await t.call('POST', '/v1/staff-users', { email: 'erik@lojal.test', name: 'Erik Lund', role: 'support' });
    const page1 = await t.call('GET', '/v1/staff-users?limit=1');
    expect(page1.json().data.map((u: { name: string }) => u.name)).toEqual(['Anna Berg']);
    const page2 = await t.call('GET', `/v1/staff-users?limit=1&cursor=${page1.json().nextCursor}`);
    expect(page2.json().data.map((u: { name: string }) => u.name)).toEqual(['Erik Lund']);
    expect(page2.json().nextCursor).toBeNull();

    const patched = await t.call('PATCH', `/v1/staff-users/${id}`, { role: 'owner', name: 'Anna Berg-Lind' });
    expect(patched.json()).toMatchObject({ role: 'owner', name: 'Anna Berg-Lind' });
    expect((await t.call('GET', `/v1/staff-users/${id}`)).json().role).toBe('owner');
  });

  it('need the admin scope', async () => {
    const readKey = await t.keyWith(['read']);
    const res = await t.call('GET', '/v1/staff-users', undefined, readKey);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('insufficient_scope');
  });
});

describe('API keys issued to staff users', () => {
  const newUser = async (email: string, role: string) => (await t.call('POST', '/v1/staff-users', { email, name: email.split('@')[0], role })).json().id as string;

  it('stay within the role, and a deactivated user’s keys stop working', async () => {
    const viewer = await newUser('vera@lojal.test', 'viewer');
    const tooMuch = await t.call('POST', '/v1/api-keys', { name: 'Vera', scopes: ['read', 'ledger:write'], staffUserId: viewer });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().code).toBe('scope_exceeds_role');

    const unknown = await t.call('POST', '/v1/api-keys', { name: 'Ghost', scopes: ['read'], staffUserId: '00000000-0000-7000-8000-000000000001' });
    expect(unknown.json().code).toBe('unknown_staff_user');

    const issued = await t.call('POST', '/v1/api-keys', { name: 'Vera laptop', scopes: ['read'], staffUserId: viewer });
    expect(issued.statusCode).toBe(201);
    expect(issued.json().staffUserId).toBe(viewer);
    const key = issued.json().key as string;
    expect((await t.call('GET', '/v1/program', undefined, key)).statusCode).toBe(200);

    expect((await t.call('PATCH', `/v1/staff-users/${viewer}`, { active: false })).statusCode).toBe(200);
    const after = await t.call('GET', '/v1/program', undefined, key);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('invalid_api_key');
  });

  it('lose what a lowered role no longer allows, at once', async () => {
    const m = await newUser('maja@lojal.test', 'manager');
    const key = (await t.call('POST', '/v1/api-keys', { name: 'Maja', scopes: ['read', 'accounts:write'], staffUserId: m })).json().key;
    const acc = await seedAccount(t, 'STAFF-ACC-1');
    expect((await t.call('PATCH', `/v1/accounts/${acc}`, { name: 'Renamed' }, key)).statusCode).toBe(200);
    await t.call('PATCH', `/v1/staff-users/${m}`, { role: 'viewer' });
    const denied = await t.call('PATCH', `/v1/accounts/${acc}`, { name: 'Again' }, key);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('insufficient_scope');
  });

  it('record the person as the actor of their ledger writes', async () => {
    const s = await newUser('sven@lojal.test', 'support');
    const key = (await t.call('POST', '/v1/api-keys', { name: 'Sven', scopes: ['ledger:write'], staffUserId: s })).json().key;
    const acc = await seedAccount(t, 'STAFF-ACC-2');
    const res = await t.call('POST', `/v1/accounts/${acc}/adjustments`, { points: 10, reasonCode: 'goodwill', idempotencyKey: 'staff-actor-1' }, key);
    expect(res.statusCode, res.body).toBe(201);
    const j = await t.database.db.selectFrom('journals').select('actor').where('id', '=', res.json().journalId).executeTakeFirstOrThrow();
    expect(j.actor).toBe(`staff:${s}`);
  });

  it('the partner scope is only for partner keys', async () => {
    const res = await t.call('POST', '/v1/api-keys', { name: 'sneaky', scopes: ['partner'] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body.scopes');
  });
});
