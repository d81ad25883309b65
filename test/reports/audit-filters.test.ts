/** The audit log's filters the console offers: by action (or a family of actions), and the facets to choose from. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { staffWithKey } from '../control/support.js';

let t: TestApp;
let anna: { id: string; key: string };
beforeAll(async () => {
  t = await startTestApp();
  anna = await staffWithKey(t, 'anna@lojal.test', 'owner', ['admin']);
  const acc = (await t.call('POST', '/v1/accounts', { externalId: 'AF-1', name: 'Lind VVS AB' }, anna.key)).json();
  await t.call('PATCH', `/v1/accounts/${acc.id}`, { name: 'Lind VVS i Umeå AB' }, anna.key);
  const key = (await t.call('POST', '/v1/api-keys', { name: 'ERP', scopes: ['events:write'] }, anna.key)).json();
  await t.call('DELETE', `/v1/api-keys/${key.id}`, undefined, anna.key);
});
afterAll(async () => t?.close());

const actions = async (q: string) => {
  const res = await t.call('GET', `/v1/audit?${q}`, undefined, anna.key);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().data as Array<{ action: string }>).map((e) => e.action);
};

describe('audit filters', () => {
  it('filters by one action or by every action of an entity, together with the actor', async () => {
    expect(await actions('action=account.update')).toEqual(['account.update']);
    expect(await actions('action=api_key')).toEqual(['api_key.revoke', 'api_key.create', 'api_key.create']);
    expect(await actions(`action=api_key&actor=staff:${anna.id}`)).toEqual(['api_key.revoke', 'api_key.create']);
    // "api" is not a family of its own: no partial words.
    expect(await actions('action=api')).toEqual([]);
    // `_` is a letter here, not a LIKE wildcard.
    expect(await actions('action=api_ke')).toEqual([]);
    expect((await t.call('GET', '/v1/audit?action=Not%20An%20Action', undefined, anna.key)).statusCode).toBe(400);
  });

  it('lists the actors with their names, the actions and the entities in the log', async () => {
    const res = await t.call('GET', '/v1/audit/facets', undefined, anna.key);
    expect(res.statusCode, res.body).toBe(200);
    const facets = res.json();
    expect(facets.actions).toEqual(['account.create', 'account.update', 'api_key.create', 'api_key.revoke', 'staff_user.create']);
    expect(facets.entities).toEqual(['account', 'api_key', 'staff_user']);
    expect(facets.actors).toContainEqual({ actor: `staff:${anna.id}`, actorLabel: 'anna' });
    expect(facets.actors).toHaveLength(2);
    const other = await t.newProgram();
    expect((await t.call('GET', '/v1/audit/facets', undefined, other.key)).json()).toEqual({ actors: [], actions: [], entities: [] });
  });
});
