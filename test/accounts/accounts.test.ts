import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const post = (body: unknown, key?: string) => t.call('POST', '/v1/accounts', body, key);
const codeOf = (res: { json(): { code: string } }) => res.json().code;
const paths = (res: { json(): { errors?: Array<{ path: string }> } }) => (res.json().errors ?? []).map((e) => e.path);

describe('accounts: create, read, update', () => {
  it('creates an account with every field and answers it exactly', async () => {
    const res = await post({
      externalId: 'C-1001',
      name: 'Nordbygg AB',
      legalName: 'Nordbygg Aktiebolag',
      orgNumber: '556677-8899',
      vatNumber: 'SE556677889901',
      country: 'se',
      segment: 'installer',
      tags: ['gold', 'north', 'gold'],
      status: 'invited',
      keyAccountManager: 'anna@example.com',
      attributes: { region: 'Norrland', employees: 42 },
      joinedOn: '2026-03-01',
    });
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(a).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      externalId: 'C-1001',
      name: 'Nordbygg AB',
      legalName: 'Nordbygg Aktiebolag',
      orgNumber: '556677-8899',
      vatNumber: 'SE556677889901',
      country: 'SE',
      segment: 'installer',
      tags: ['gold', 'north'],
      parentId: null,
      status: 'invited',
      keyAccountManager: 'anna@example.com',
      tier: null,
      attributes: { region: 'Norrland', employees: 42 },
      joinedOn: '2026-03-01',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await t.call('GET', `/v1/accounts/${a.id}`)).json()).toEqual(a);
    expect((await t.call('GET', '/v1/accounts/by-external-id/C-1001')).json()).toEqual(a);
  });

  it('creates the company wallet with the account id in the same step', async () => {
    const { id } = (await post({ name: 'Wallet Test AB' })).json();
    const wallet = await t.database.db
      .selectFrom('wallets')
      .selectAll()
      .where('program_id', '=', t.programId)
      .where('id', '=', id)
      .executeTakeFirst();
    expect(wallet).toMatchObject({ id, kind: 'account', available: 0, pending: 0 });
  });

  it('defaults: active, no tags, empty attributes', async () => {
    const a = (await post({ name: 'Minimal AB' })).json();
    expect(a).toMatchObject({ externalId: null, status: 'active', tags: [], attributes: {}, country: null, tier: null });
  });

  it('patches given fields, clears nulls, keeps the rest', async () => {
    const a = (await post({ externalId: 'P-1', name: 'Patch AB', segment: 'dealer', country: 'NO', tags: ['x'] })).json();
    const res = await t.call('PATCH', `/v1/accounts/${a.id}`, { name: 'Patched AB', segment: null, status: 'suspended' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Patched AB', segment: null, status: 'suspended', country: 'NO', tags: ['x'], externalId: 'P-1' });
    expect(new Date(res.json().updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(a.updatedAt).getTime());
    expect(res.json().createdAt).toBe(a.createdAt);
  });

  it('refuses a duplicate external id on create and on patch with 409', async () => {
    await post({ externalId: 'DUP-1', name: 'First' });
    const again = await post({ externalId: 'DUP-1', name: 'Second' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'duplicate_external_id' });
    expect(again.json().detail).toContain('DUP-1');
    const other = (await post({ externalId: 'DUP-2', name: 'Other' })).json();
    const patch = await t.call('PATCH', `/v1/accounts/${other.id}`, { externalId: 'DUP-1' });
    expect(patch.statusCode).toBe(409);
    expect(codeOf(patch)).toBe('duplicate_external_id');
  });

  it('answers unknown ids with 404 not_found', async () => {
    const missing = '01900000-0000-7000-8000-000000000000';
    for (const [method, url, body] of [
      ['GET', `/v1/accounts/${missing}`],
      ['PATCH', `/v1/accounts/${missing}`, { name: 'x' }],
      ['GET', '/v1/accounts/by-external-id/NOPE'],
      ['GET', `/v1/accounts/${missing}/members`],
    ] as const) {
      const res = await t.call(method, url, body);
      expect(res.statusCode, url).toBe(404);
      expect(codeOf(res)).toBe('not_found');
    }
  });
});

describe('accounts: bad input', () => {
  const cases: Array<[string, unknown, string]> = [
    ['unknown field', { name: 'A', colour: 'red' }, 'colour'],
    ['tier is read-only', { name: 'A', tier: 'gold' }, 'tier'],
    ['name missing', { segment: 'x' }, 'name'],
    ['name empty', { name: '   ' }, 'name'],
    ['name too long', { name: 'x'.repeat(201) }, 'name'],
    ['name wrong type', { name: 42 }, 'name'],
    ['name with a line break', { name: 'A\nB' }, 'name'],
    ['country not ISO', { name: 'A', country: 'XX' }, 'country'],
    ['country spelled out', { name: 'A', country: 'Sweden' }, 'country'],
    ['status unknown', { name: 'A', status: 'deleted' }, 'status'],
    ['tags not an array', { name: 'A', tags: 'gold' }, 'tags'],
    ['tag with a separator', { name: 'A', tags: ['a|b'] }, 'tags.0'],
    ['too many tags', { name: 'A', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags'],
    ['attributes not an object', { name: 'A', attributes: [1] }, 'attributes'],
    ['too many attributes', { name: 'A', attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, 'attributes'],
    ['parentId not a uuid', { name: 'A', parentId: 'abc' }, 'parentId'],
    ['both parent references', { name: 'A', parentId: '01900000-0000-7000-8000-000000000000', parentExternalId: 'X' }, 'parentExternalId'],
    ['org number with symbols', { name: 'A', orgNumber: '55#66' }, 'orgNumber'],
    ['external id too long', { name: 'A', externalId: 'e'.repeat(101) }, 'externalId'],
    ['external id empty', { name: 'A', externalId: '' }, 'externalId'],
  ];
  it.each(cases)('%s → 400 validation_failed naming the field', async (_label, body, field) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(codeOf(res)).toBe('validation_failed');
    expect(paths(res)).toContain(`body.${field}`);
  });

  it('rejects a body that is not an object and a malformed id', async () => {
    expect(codeOf(await post([1, 2]))).toBe('validation_failed');
    const res = await t.call('GET', '/v1/accounts/not-a-uuid');
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toContain('params.id');
  });

  it('needs the accounts:write scope to write and read to read', async () => {
    const reader = await t.keyWith(['read']);
    const denied = await post({ name: 'Nope' }, reader);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'insufficient_scope' });
    expect((await t.call('GET', '/v1/accounts', undefined, reader)).statusCode).toBe(200);
    const writer = await t.keyWith(['accounts:write']);
    expect((await post({ name: 'Yes' }, writer)).statusCode).toBe(201);
    expect((await t.call('POST', '/v1/accounts', { name: 'x' }, null)).statusCode).toBe(401);
  });
});

describe('accounts: hierarchy', () => {
  it('links branches to a chain by id or external id and lists them by parent', async () => {
    const chain = (await post({ externalId: 'CHAIN', name: 'Chain HQ' })).json();
    const b1 = (await post({ name: 'Branch 1', parentId: chain.id })).json();
    const b2 = (await post({ name: 'Branch 2', parentExternalId: 'CHAIN' })).json();
    expect(b1.parentId).toBe(chain.id);
    expect(b2.parentId).toBe(chain.id);
    const list = (await t.call('GET', `/v1/accounts?parentId=${chain.id}`)).json();
    expect(list.data.map((a: { id: string }) => a.id)).toEqual([b1.id, b2.id]);
    const cleared = await t.call('PATCH', `/v1/accounts/${b2.id}`, { parentId: null });
    expect(cleared.json().parentId).toBeNull();
  });

  it('refuses an unknown parent with 422 unknown_parent_account', async () => {
    const res = await post({ name: 'Orphan', parentId: '01900000-0000-7000-8000-00000000abcd' });
    expect(res.statusCode).toBe(422);
    expect(codeOf(res)).toBe('unknown_parent_account');
    expect(codeOf(await post({ name: 'Orphan', parentExternalId: 'NO-SUCH' }))).toBe('unknown_parent_account');
  });

  it('refuses cycles, including an account as its own parent', async () => {
    const a = (await post({ name: 'Cycle A' })).json();
    const b = (await post({ name: 'Cycle B', parentId: a.id })).json();
    const c = (await post({ name: 'Cycle C', parentId: b.id })).json();
    const loop = await t.call('PATCH', `/v1/accounts/${a.id}`, { parentId: c.id });
    expect(loop.statusCode).toBe(422);
    expect(codeOf(loop)).toBe('parent_cycle');
    const self = await t.call('PATCH', `/v1/accounts/${a.id}`, { parentId: a.id });
    expect(codeOf(self)).toBe('parent_cycle');
    expect((await t.call('GET', `/v1/accounts/${a.id}`)).json().parentId).toBeNull();
    // Moving a branch elsewhere in the tree is fine.
    expect((await t.call('PATCH', `/v1/accounts/${c.id}`, { parentId: a.id })).json().parentId).toBe(a.id);
  });
});

describe('accounts: PUT by external id', () => {
  it('creates with 201, then updates with 200, keeping fields it is not sent', async () => {
    const created = await t.call('PUT', '/v1/accounts/by-external-id/ERP-77', { name: 'ERP Seven', segment: 'dealer', tags: ['a'] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ externalId: 'ERP-77', name: 'ERP Seven', segment: 'dealer', tags: ['a'] });
    await t.call('PATCH', `/v1/accounts/${created.json().id}`, { status: 'suspended' });
    const updated = await t.call('PUT', '/v1/accounts/by-external-id/ERP-77', { name: 'ERP Seven AB', country: 'DK' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      id: created.json().id,
      name: 'ERP Seven AB',
      country: 'DK',
      segment: 'dealer',
      tags: ['a'],
      status: 'suspended',
    });
    const wallets = await t.database.db
      .selectFrom('wallets')
      .select('id')
      .where('program_id', '=', t.programId)
      .where('id', '=', created.json().id)
      .execute();
    expect(wallets).toHaveLength(1);
  });

  it('needs a name, refuses the key in the body, and checks the parent', async () => {
    const noName = await t.call('PUT', '/v1/accounts/by-external-id/ERP-NEW', { segment: 'x' });
    expect(noName.statusCode).toBe(400);
    // The document requires name, as the server does to create: the schema refuses a body without it.
    expect(noName.json().errors).toMatchObject([{ path: 'body.name', code: 'required' }]);
    const keyInBody = await t.call('PUT', '/v1/accounts/by-external-id/ERP-NEW', { name: 'x', externalId: 'OTHER' });
    expect(paths(keyInBody)).toContain('body.externalId');
    const badParent = await t.call('PUT', '/v1/accounts/by-external-id/ERP-NEW', { name: 'x', parentExternalId: 'NONE' });
    expect(badParent.statusCode).toBe(422);
    expect(codeOf(badParent)).toBe('unknown_parent_account');
    expect((await t.call('GET', '/v1/accounts/by-external-id/ERP-NEW')).statusCode).toBe(404);
  });
});
