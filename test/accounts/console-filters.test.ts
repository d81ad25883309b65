import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountTier } from '../../src/accounts/accounts.js';
import { setMemberTier } from '../../src/accounts/members.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** The filters the console's account and member lists use: search by a member's e-mail, tier and parent. */
let t: TestApp;
let programId: string;
let key: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  ({ programId, key } = await t.newProgram());
  for (const a of [
    { externalId: 'CH', name: 'Nordbygg Chain' },
    { externalId: 'B1', name: 'Nordbygg Umeå', parentExternalId: 'CH' },
    { externalId: 'B2', name: 'Nordbygg Luleå', parentExternalId: 'CH', status: 'suspended' },
    { externalId: 'S1', name: 'Solo Rör' },
  ]) {
    const res = await t.call('POST', '/v1/accounts', a, key);
    expect(res.statusCode, res.body).toBe(201);
    ids[a.externalId] = res.json().id;
  }
  await setAccountTier(t.database.db, programId, ids.B1!, 'gold', t.clock());
  await setAccountTier(t.database.db, programId, ids.S1!, 'silver', t.clock());
  for (const m of [
    { externalId: 'P1', accountId: ids.S1, name: 'Karin Ek', email: 'Karin.Ek@Solo-Ror.se' },
    { externalId: 'P2', accountId: ids.B1, name: 'Per Berg', email: 'per@nordbygg.se' },
  ]) {
    const res = await t.call('POST', '/v1/members', m, key);
    ids[m.externalId] = res.json().id;
  }
  await setMemberTier(t.database.db, programId, ids.P2!, 'gold', t.clock());
});
afterAll(async () => t.close());

const accounts = async (query: string) => {
  const res = await t.call('GET', `/v1/accounts?${query}`, undefined, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((a: { externalId: string }) => a.externalId);
};
const members = async (query: string) => {
  const res = await t.call('GET', `/v1/members?${query}`, undefined, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.map((a: { externalId: string }) => a.externalId);
};

describe('console list filters', () => {
  it.each([
    ['q=nordBYGG', ['CH', 'B2', 'B1']],
    ['q=solo-ror', ['S1']],
    ['q=KARIN.EK', ['S1']],
    ['q=per@nordbygg', ['B1']],
    ['tier=gold', ['B1']],
    ['tier=GOLD', ['B1']],
    ['tier=bronze', []],
    [`parentId=${'{CH}'}`, ['B2', 'B1']],
    [`parentId=${'{CH}'}&status=active`, ['B1']],
    [`parentId=${'{CH}'}&tier=gold&q=umeå`, ['B1']],
  ])('accounts %s', async (query, expected) => {
    expect(await accounts(query.replace('{CH}', ids.CH!))).toEqual(expected);
  });

  it.each([
    ['tier=gold', ['P2']],
    ['q=ek@solo', ['P1']],
    ['tier=gold&q=karin', []],
  ])('members %s', async (query, expected) => {
    expect(await members(query)).toEqual(expected);
  });

  it('refuses a tier that is not a code', async () => {
    const res = await t.call('GET', '/v1/accounts?tier=no%20spaces!', undefined, key);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('querystring.tier');
  });

  it("does not find another program's account by its member's e-mail", async () => {
    const other = await t.newProgram();
    expect((await t.call('GET', '/v1/accounts?q=karin', undefined, other.key)).json().data).toEqual([]);
  });
});
