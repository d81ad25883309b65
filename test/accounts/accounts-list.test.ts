import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
/** A program of its own, so other tests' accounts do not change what the lists return. */
let key: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await t.newProgram());
  const seed = [
    { externalId: 'K-1', name: 'Alfa Bygg', orgNumber: '556000-0001', country: 'SE', segment: 'installer', tags: ['gold', 'north'] },
    { externalId: 'K-2', name: 'Beta El', orgNumber: '556000-0002', country: 'NO', segment: 'installer', tags: ['silver'] },
    { externalId: 'K-3', name: 'Gamma VVS', orgNumber: '556000-0003', country: 'SE', segment: 'dealer', tags: ['gold'], status: 'suspended' },
    { externalId: 'X-4', name: 'Delta 100% Rör', orgNumber: '990000-0004', country: 'PL', segment: 'dealer', tags: [] },
  ];
  for (const a of seed) ids[a.externalId] = (await t.call('POST', '/v1/accounts', a, key)).json().id;
});
afterAll(async () => t.close());

const externalIdsOf = async (query: string) => {
  const res = await t.call('GET', `/v1/accounts?${query}`, undefined, key);
  expect(res.statusCode, query).toBe(200);
  return res.json().data.map((a: { externalId: string }) => a.externalId);
};

describe('accounts: list filters', () => {
  it('lists all by name', async () => {
    expect(await externalIdsOf('')).toEqual(['K-1', 'K-2', 'X-4', 'K-3']);
  });

  it.each([
    ['segment=installer', ['K-1', 'K-2']],
    ['tag=gold', ['K-1', 'K-3']],
    ['tag=gold&status=active', ['K-1']],
    ['status=suspended', ['K-3']],
    ['country=SE', ['K-1', 'K-3']],
    ['country=se', ['K-1', 'K-3']],
    ['q=GAMMA', ['K-3']],
    ['q=k-2', ['K-2']],
    ['q=556000-000', ['K-1', 'K-2', 'K-3']],
    ['q=100%25', ['X-4']],
    ['q=_', []],
    ['q=', ['K-1', 'K-2', 'X-4', 'K-3']],
    ['segment=dealer&country=PL', ['X-4']],
    ['tag=none', []],
  ])('%s', async (query, expected) => {
    expect(await externalIdsOf(query)).toEqual(expected);
  });

  it.each([
    ['limit=0', 'querystring.limit'],
    ['limit=501', 'querystring.limit'],
    ['limit=abc', 'querystring.limit'],
    ['status=gone', 'querystring.status'],
    ['country=XX', 'querystring.country'],
    ['parentId=nope', 'querystring.parentId'],
    ['sort=name', 'querystring.sort'],
    [`q=${'x'.repeat(201)}`, 'querystring.q'],
    ['cursor=%25%25%25', 'querystring.cursor'],
    ['cursor=bm90LWpzb24', 'querystring.cursor'],
    [`cursor=${Buffer.from('["a",1]').toString('base64url')}`, 'querystring.cursor'],
  ])('%s → 400 validation_failed', async (query, path) => {
    const res = await t.call('GET', `/v1/accounts?${query}`, undefined, key);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});

describe('accounts: pagination', () => {
  it('walks every page once: no duplicates, none missing, in name order', async () => {
    const { key: k } = await t.newProgram();
    // Equal names prove that the id breaks ties across page boundaries.
    const names = Array.from({ length: 23 }, (_, i) => (i % 4 === 0 ? 'Same Name' : `Company ${String(i).padStart(2, '0')}`));
    const items = names.map((name, i) => ({ externalId: `E${i}`, name }));
    expect((await t.call('POST', '/v1/accounts/batch', { items }, k)).json().created).toBe(23);

    const seen: Array<{ id: string; name: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/accounts?limit=5${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.call('GET', url, undefined, k)).json();
      expect(page.data.length).toBeLessThanOrEqual(5);
      seen.push(...page.data);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(23);
    expect(new Set(seen.map((a) => a.id)).size).toBe(23);
    const sorted = [...seen].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
    expect(seen.map((a) => a.id)).toEqual(sorted.map((a) => a.id));
    expect(seen.filter((a) => a.name === 'Same Name')).toHaveLength(6);
  });

  it('has no next cursor on a last page that is exactly full', async () => {
    const page = (await t.call('GET', '/v1/accounts?limit=4', undefined, key)).json();
    expect(page.data).toHaveLength(4);
    expect(page.nextCursor).toBeNull();
    const three = (await t.call('GET', '/v1/accounts?limit=3', undefined, key)).json();
    expect(three.nextCursor).toEqual(expect.any(String));
    const rest = (await t.call('GET', `/v1/accounts?limit=3&cursor=${three.nextCursor}`, undefined, key)).json();
    expect(rest.data.map((a: { externalId: string }) => a.externalId)).toEqual(['K-3']);
    expect(rest.nextCursor).toBeNull();
  });
});

describe('accounts: tenant isolation', () => {
  it("another program's key gets 404 for this program's account and never sees it in lists", async () => {
    const other = await t.newProgram();
    const id = ids['K-1']!;
    for (const [method, url, body] of [
      ['GET', `/v1/accounts/${id}`],
      ['PATCH', `/v1/accounts/${id}`, { name: 'Taken over' }],
      ['GET', '/v1/accounts/by-external-id/K-1'],
      ['GET', `/v1/accounts/${id}/members`],
    ] as const) {
      const res = await t.call(method, url, body, other.key);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().code).toBe('not_found');
      expect(res.body).not.toContain('Alfa Bygg');
    }
    expect((await t.call('GET', '/v1/accounts', undefined, other.key)).json()).toEqual({ data: [], nextCursor: null });
    expect((await t.call('GET', '/v1/accounts?q=Alfa', undefined, other.key)).json().data).toEqual([]);
    // Its own account with the same external id is a different account; ours is untouched.
    const theirs = await t.call('PUT', '/v1/accounts/by-external-id/K-1', { name: 'Their K-1' }, other.key);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(id);
    // Nor can it hang its accounts under ours.
    const parent = await t.call('POST', '/v1/accounts', { name: 'Sneaky', parentId: id }, other.key);
    expect(parent.json().code).toBe('unknown_parent_account');
    expect((await t.call('GET', `/v1/accounts/${id}`, undefined, key)).json().name).toBe('Alfa Bygg');
  });
});
