import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let acme: { id: string };
let bolt: { id: string };
beforeAll(async () => {
  t = await startTestApp();
  acme = (await t.call('POST', '/v1/accounts', { externalId: 'ACME', name: 'Acme Bygg' })).json();
  bolt = (await t.call('POST', '/v1/accounts', { externalId: 'BOLT', name: 'Bolt El' })).json();
});
afterAll(async () => t.close());

const post = (body: unknown, key?: string) => t.call('POST', '/v1/members', body, key);
const paths = (res: { json(): { errors?: Array<{ path: string }> } }) => (res.json().errors ?? []).map((e) => e.path);

describe('members: create, read, update', () => {
  it('creates a member with every field and its own wallet', async () => {
    const res = await post({
      accountId: acme.id,
      externalId: 'P-1',
      email: '  Erik.Svensson@Example.COM ',
      name: 'Erik Svensson',
      phone: '+46 70 123 45 67',
      role: 'Foreman',
      language: 'sv',
      tags: ['app-user'],
      status: 'invited',
      attributes: { birthday: '1980-05-01' },
    });
    expect(res.statusCode).toBe(201);
    const m = res.json();
    expect(m).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accountId: acme.id,
      externalId: 'P-1',
      email: 'erik.svensson@example.com',
      name: 'Erik Svensson',
      phone: '+46 70 123 45 67',
      role: 'foreman',
      language: 'sv',
      tags: ['app-user'],
      status: 'invited',
      tier: null,
      attributes: { birthday: '1980-05-01' },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await t.call('GET', `/v1/members/${m.id}`)).json()).toEqual(m);
    expect((await t.call('GET', '/v1/members/by-external-id/P-1')).json()).toEqual(m);
    const wallet = await t.database.db
      .selectFrom('wallets')
      .selectAll()
      .where('program_id', '=', t.programId)
      .where('id', '=', m.id)
      .executeTakeFirst();
    expect(wallet).toMatchObject({ id: m.id, kind: 'member' });
  });

  it('takes the account by external id, and refuses an unknown account with 422', async () => {
    const m = (await post({ accountExternalId: 'BOLT', name: 'Bo Bolt' })).json();
    expect(m.accountId).toBe(bolt.id);
    const unknown = await post({ accountExternalId: 'NOPE', name: 'X' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'unknown_account' });
    expect(unknown.json().detail).toContain('NOPE');
    const unknownId = await post({ accountId: '01900000-0000-7000-8000-000000000000', name: 'X' });
    expect(unknownId.json().code).toBe('unknown_account');
  });

  it('patches fields, clears with null, and moves the member to another account', async () => {
    const m = (await post({ accountId: acme.id, name: 'Mover', phone: '0701234567', role: 'buyer' })).json();
    const res = await t.call('PATCH', `/v1/members/${m.id}`, { accountExternalId: 'BOLT', phone: null, email: 'MOVER@x.se' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accountId: bolt.id, phone: null, email: 'mover@x.se', role: 'buyer', name: 'Mover' });
    expect((await t.call('PATCH', `/v1/members/${m.id}`, { accountExternalId: 'GONE' })).json().code).toBe('unknown_account');
  });

  it('refuses a duplicate external id with 409, and unknown ids with 404', async () => {
    await post({ accountId: acme.id, externalId: 'DUPM', name: 'One' });
    const dup = await post({ accountId: acme.id, externalId: 'DUPM', name: 'Two' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('duplicate_external_id');
    const missing = '01900000-0000-7000-8000-000000000000';
    expect((await t.call('GET', `/v1/members/${missing}`)).json().code).toBe('not_found');
    expect((await t.call('PATCH', `/v1/members/${missing}`, { name: 'x' })).statusCode).toBe(404);
    expect((await t.call('GET', '/v1/members/by-external-id/NONE')).statusCode).toBe(404);
  });

  it.each([
    ['no account', { name: 'A' }, 'accountId'],
    ['both account references', { name: 'A', accountId: '01900000-0000-7000-8000-000000000000', accountExternalId: 'ACME' }, 'accountExternalId'],
    ['bad e-mail', { accountExternalId: 'ACME', name: 'A', email: 'not-an-email' }, 'email'],
    ['e-mail too long', { accountExternalId: 'ACME', name: 'A', email: `${'a'.repeat(250)}@x.se` }, 'email'],
    ['unknown language', { accountExternalId: 'ACME', name: 'A', language: 'fr' }, 'language'],
    ['role with a space', { accountExternalId: 'ACME', name: 'A', role: 'sales rep' }, 'role'],
    ['role too long', { accountExternalId: 'ACME', name: 'A', role: 'r'.repeat(41) }, 'role'],
    ['phone with letters', { accountExternalId: 'ACME', name: 'A', phone: 'call me' }, 'phone'],
    ['tier is read-only', { accountExternalId: 'ACME', name: 'A', tier: 'gold' }, 'tier'],
    ['unknown field', { accountExternalId: 'ACME', name: 'A', nickname: 'x' }, 'nickname'],
    ['name wrong type', { accountExternalId: 'ACME', name: ['A'] }, 'name'],
    ['status unknown', { accountExternalId: 'ACME', name: 'A', status: 'gone' }, 'status'],
  ])('%s → 400 validation_failed', async (_label, body, field) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    expect(paths(res)).toContain(`body.${field}`);
  });
});

describe('members: lists', () => {
  let key: string;
  let accountId: string;
  beforeAll(async () => {
    ({ key } = await t.newProgram());
    accountId = (await t.call('POST', '/v1/accounts', { externalId: 'L', name: 'List AB' }, key)).json().id;
    const other = (await t.call('POST', '/v1/accounts', { externalId: 'L2', name: 'Other AB' }, key)).json().id;
    const people = [
      { externalId: 'm1', name: 'Anna Andersson', email: 'anna@list.se', role: 'owner', tags: ['vip'], accountId },
      { externalId: 'm2', name: 'Bertil Berg', email: 'bertil@list.se', role: 'buyer', accountId },
      { externalId: 'm3', name: 'Cecilia Ek', email: 'cecilia@other.se', role: 'buyer', status: 'suspended', accountId: other },
    ];
    for (const p of people) expect((await t.call('POST', '/v1/members', p, key)).statusCode).toBe(201);
  });
  const ext = async (url: string) => {
    const res = await t.call('GET', url, undefined, key);
    expect(res.statusCode, url).toBe(200);
    return res.json().data.map((m: { externalId: string }) => m.externalId);
  };

  it.each([
    ['', ['m1', 'm2', 'm3']],
    ['role=buyer', ['m2', 'm3']],
    ['role=BUYER&status=active', ['m2']],
    ['status=suspended', ['m3']],
    ['email=ANNA@list.se', ['m1']],
    ['email=anna', []],
    ['q=other.se', ['m3']],
    ['q=berg', ['m2']],
    ['tag=vip', ['m1']],
  ])('GET /v1/members?%s', async (query, expected) => {
    expect(await ext(`/v1/members?${query}`)).toEqual(expected);
  });

  it("lists an account's members, filtered and paged", async () => {
    expect(await ext(`/v1/members?accountId=${accountId}`)).toEqual(['m1', 'm2']);
    expect(await ext(`/v1/accounts/${accountId}/members?role=owner`)).toEqual(['m1']);
    const first = (await t.call('GET', `/v1/accounts/${accountId}/members?limit=1`, undefined, key)).json();
    expect(first.data.map((m: { externalId: string }) => m.externalId)).toEqual(['m1']);
    const second = (await t.call('GET', `/v1/accounts/${accountId}/members?limit=1&cursor=${first.nextCursor}`, undefined, key)).json();
    expect(second).toMatchObject({ data: [{ externalId: 'm2' }], nextCursor: null });
    expect((await t.call('GET', `/v1/accounts/${accountId}/members?accountId=${accountId}`, undefined, key)).statusCode).toBe(400);
  });

  it('walks all pages of many members', async () => {
    const items = Array.from({ length: 37 }, (_, i) => ({ externalId: `w${i}`, name: `Walker ${i % 7}`, accountExternalId: 'L' }));
    expect((await t.call('POST', '/v1/members/batch', { items }, key)).json().created).toBe(37);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/members?q=walker&limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.call('GET', url, undefined, key)).json();
      seen.push(...page.data.map((m: { externalId: string }) => m.externalId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(37);
    expect(new Set(seen)).toEqual(new Set(items.map((i) => i.externalId)));
  });
});

describe('members: upsert by external id and batch', () => {
  it('PUT creates with 201 and updates with 200, keeping what it is not sent', async () => {
    const created = await t.call('PUT', '/v1/members/by-external-id/PUT-1', { accountExternalId: 'ACME', name: 'Put One', role: 'engineer' });
    expect(created.statusCode).toBe(201);
    const updated = await t.call('PUT', '/v1/members/by-external-id/PUT-1', { accountExternalId: 'ACME', name: 'Put One', email: 'put@one.se' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ id: created.json().id, accountId: acme.id, role: 'engineer', email: 'put@one.se' });
    // A few fields of an existing member: PATCH by `ext:`.
    const patched = await t.call('PATCH', '/v1/members/ext:PUT-1', { phone: '+46 70 123 45 67' });
    expect(patched.json()).toMatchObject({ id: created.json().id, role: 'engineer', email: 'put@one.se', phone: '+46 70 123 45 67' });
    // Name and account are required, as the server needs them to create: the schema refuses a body without them.
    const noAccount = await t.call('PUT', '/v1/members/by-external-id/PUT-2', { name: 'No account' });
    expect(noAccount.statusCode).toBe(400);
    expect(noAccount.json().errors).toEqual([{ path: 'body.accountId', message: 'give the account: accountId or accountExternalId', code: 'required' }]);
    const empty = await t.call('PUT', '/v1/members/by-external-id/PUT-2', {});
    expect(empty.json().errors.map((e: { path: string }) => e.path)).toContain('body.name');
  });

  it('batch writes valid members and reports the others', async () => {
    const res = await t.call('POST', '/v1/members/batch', {
      items: [
        { externalId: 'BM-1', name: 'Batch Member', accountExternalId: 'ACME', email: 'BM1@Example.com' },
        { externalId: 'BM-2', name: 'Unknown account', accountExternalId: 'NOPE' },
        { externalId: 'BM-3', name: 'Bad email', accountExternalId: 'ACME', email: 'x@' },
        { externalId: 'BM-4', accountExternalId: 'ACME' },
        { externalId: 'PUT-1', role: 'sales_rep' },
        { externalId: 'BM-5', name: 'By id', accountId: bolt.id, language: 'nb' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ created: 2, updated: 1, failed: 3 });
    expect(body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status)).toEqual([
      'created',
      'unknown_account',
      'validation_failed',
      'validation_failed',
      'updated',
      'created',
    ]);
    expect((await t.call('GET', '/v1/members/by-external-id/BM-1')).json()).toMatchObject({ email: 'bm1@example.com', accountId: acme.id });
    expect((await t.call('GET', '/v1/members/by-external-id/PUT-1')).json()).toMatchObject({ role: 'sales_rep', name: 'Put One' });
    expect((await t.call('GET', '/v1/members/by-external-id/BM-2')).statusCode).toBe(404);
  });

  it('1,000 members with wallets in one call; 1,001 is 413', async () => {
    const { programId, key } = await t.newProgram();
    await t.call('PUT', '/v1/accounts/by-external-id/BIG', { name: 'Big AB' }, key);
    const items = Array.from({ length: 1000 }, (_, i) => ({ externalId: `mm${i}`, name: `Member ${i}`, accountExternalId: 'BIG' }));
    expect((await t.call('POST', '/v1/members/batch', { items }, key)).json()).toMatchObject({ created: 1000, failed: 0 });
    const n = await t.database.db
      .selectFrom('wallets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('program_id', '=', programId)
      .where('kind', '=', 'member')
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1000);
    const over = await t.call('POST', '/v1/members/batch', { items: [...items, { externalId: 'x', name: 'x', accountExternalId: 'BIG' }] }, key);
    expect(over.statusCode).toBe(413);
    expect(over.json().code).toBe('batch_too_large');
  });
});

describe('members: tenant isolation', () => {
  it("another program cannot read, change, list or attach to this program's members and accounts", async () => {
    const other = await t.newProgram();
    const m = (await t.call('GET', '/v1/members/by-external-id/P-1')).json();
    for (const [method, url, body] of [
      ['GET', `/v1/members/${m.id}`],
      ['PATCH', `/v1/members/${m.id}`, { name: 'Stolen' }],
      ['GET', '/v1/members/by-external-id/P-1'],
    ] as const) {
      const res = await t.call(method, url, body, other.key);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('Erik');
    }
    expect((await t.call('GET', '/v1/members', undefined, other.key)).json()).toEqual({ data: [], nextCursor: null });
    expect((await t.call('GET', '/v1/members?email=erik.svensson@example.com', undefined, other.key)).json().data).toEqual([]);
    expect((await post({ accountId: acme.id, name: 'Intruder' }, other.key)).json().code).toBe('unknown_account');
    const batch = await t.call('POST', '/v1/members/batch', { items: [{ externalId: 'I', name: 'I', accountId: acme.id }] }, other.key);
    expect(batch.json().results[0].error.code).toBe('unknown_account');
    expect((await t.call('GET', `/v1/members/${m.id}`)).json().name).toBe('Erik Svensson');
  });
});
