import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount, seedMember } from '../support/fixtures.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** `ext:` and the integration's own id work wherever an account's or member's Lojal id does. */
describe('accounts and members by external id on every {id} route', () => {
  let t: TestApp;
  let accountId: string;
  let memberId: string;
  beforeAll(async () => {
    t = await startTestApp();
    accountId = await seedAccount(t, 'C-1001');
    memberId = await seedMember(t, accountId, 'P/7');
    const adjusted = await t.call('POST', '/v1/accounts/ext:C-1001/adjustments', { points: 250, reasonCode: 'goodwill', idempotencyKey: 'ext-ref-1' });
    expect(adjusted.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('reads the balance and the history by external id, the same as by id', async () => {
    const byExt = await t.call('GET', '/v1/accounts/ext:C-1001/balance');
    expect(byExt.statusCode).toBe(200);
    expect(byExt.json()).toEqual((await t.call('GET', `/v1/accounts/${accountId}/balance`)).json());
    expect(byExt.json().available ?? byExt.json().balance).toBe(250);
    const history = await t.call('GET', '/v1/accounts/ext:C-1001/history');
    expect(history.statusCode).toBe(200);
    expect(history.json().data).toHaveLength(1);
  });

  it('changes an account and reads a member by external id (percent-encoded where it needs to be)', async () => {
    const patched = await t.call('PATCH', '/v1/accounts/ext:C-1001', { name: 'Nordbygg Väst' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id: accountId, externalId: 'C-1001', name: 'Nordbygg Väst' });
    const member = await t.call('GET', '/v1/members/ext:P%2F7');
    expect(member.statusCode).toBe(200);
    expect(member.json().id).toBe(memberId);
    expect((await t.call('GET', '/v1/members/ext:P%2F7/balance')).statusCode).toBe(200);
  });

  it('answers 404 for an external id the program does not have, and 400 for an id of neither form', async () => {
    const unknown = await t.call('GET', '/v1/accounts/ext:C-9999/balance');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('not_found');
    expect((await t.call('GET', '/v1/accounts/C-1001/balance')).statusCode).toBe(400);
  });

  it('never finds another program\'s account by its external id', async () => {
    const other = await t.newProgram({ name: 'Other' });
    const res = await t.call('GET', '/v1/accounts/ext:C-1001/balance', undefined, other.key);
    expect(res.statusCode).toBe(404);
  });

  it('says so in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const param = doc.paths['/v1/accounts/{id}/balance'].get.parameters.find((p: { name: string }) => p.name === 'id');
    expect(JSON.stringify(param)).toContain('ext:');
  });
});
