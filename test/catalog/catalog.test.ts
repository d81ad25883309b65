import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.call('PUT', '/v1/categories/tools', { name: 'Tools' });
  await t.call('PUT', '/v1/categories/power-tools', { name: 'Power tools', parentCode: 'tools' });
  await t.call('PUT', '/v1/categories/fasteners', { name: 'Fasteners' });
});
afterAll(async () => t.close());

const put = (sku: string, body: unknown, key?: string) => t.call('PUT', `/v1/products/${sku}`, body, key);
const paths = (res: { json(): { errors?: Array<{ path: string }> } }) => (res.json().errors ?? []).map((e) => e.path);

describe('categories', () => {
  it('creates with 201, updates with 200 and lists by code', async () => {
    const created = await t.call('PUT', '/v1/categories/paint', { name: 'Paint' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: 'paint', name: 'Paint', parentCode: null });
    const updated = await t.call('PUT', '/v1/categories/paint', { parentCode: 'tools' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ code: 'paint', name: 'Paint', parentCode: 'tools' });
    const list = (await t.call('GET', '/v1/categories')).json();
    expect(list.data.map((c: { code: string }) => c.code)).toEqual(['fasteners', 'paint', 'power-tools', 'tools']);
    expect(list.nextCursor).toBeNull();
    const children = (await t.call('GET', '/v1/categories?parentCode=tools')).json();
    expect(children.data.map((c: { code: string }) => c.code)).toEqual(['paint', 'power-tools']);
    const page = (await t.call('GET', '/v1/categories?limit=3')).json();
    const rest = (await t.call('GET', `/v1/categories?limit=3&cursor=${page.nextCursor}`)).json();
    expect([...page.data, ...rest.data].map((c: { code: string }) => c.code)).toEqual(list.data.map((c: { code: string }) => c.code));
  });

  it('refuses an unknown parent, a loop, a missing name and a bad code', async () => {
    const unknown = await t.call('PUT', '/v1/categories/x1', { name: 'X', parentCode: 'nowhere' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('unknown_category');
    const loop = await t.call('PUT', '/v1/categories/tools', { parentCode: 'power-tools' });
    expect(loop.statusCode).toBe(422);
    expect(loop.json().code).toBe('category_cycle');
    expect((await t.call('PUT', '/v1/categories/tools', { parentCode: 'tools' })).json().code).toBe('category_cycle');
    const noName = await t.call('PUT', '/v1/categories/x2', {});
    expect(noName.json().errors).toEqual([{ path: 'name', message: 'is required to create a category', code: 'required' }]);
    expect((await t.call('PUT', '/v1/categories/Power%20Tools', { name: 'x' })).json().code).toBe('validation_failed');
    expect(paths(await t.call('PUT', '/v1/categories/x3', { name: 'x', colour: 1 }))).toContain('body.colour');
  });
});

describe('products', () => {
  it('creates with 201, reads it back exactly, updates with 200 keeping the rest', async () => {
    const created = await put('DR-100', {
      name: 'Drill 100',
      categoryCode: 'power-tools',
      brand: 'Borr',
      marginClass: 'High',
      unitPrice: 129900,
      attributes: { voltage: 18 },
    });
    expect(created.statusCode).toBe(201);
    const p = created.json();
    expect(p).toEqual({
      sku: 'DR-100',
      name: 'Drill 100',
      categoryCode: 'power-tools',
      brand: 'Borr',
      marginClass: 'high',
      unitPrice: 129900,
      active: true,
      attributes: { voltage: 18 },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await t.call('GET', '/v1/products/DR-100')).json()).toEqual(p);
    const updated = await put('DR-100', { active: false, unitPrice: null });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'Drill 100', brand: 'Borr', active: false, unitPrice: null, categoryCode: 'power-tools' });
  });

  it('refuses an unknown category with 422 and unknown SKUs with 404', async () => {
    const res = await put('X-1', { name: 'X', categoryCode: 'nope' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('unknown_category');
    expect((await t.call('GET', '/v1/products/X-1')).json().code).toBe('not_found');
  });

  it.each([
    ['no name on create', {}, 'name'],
    ['price with decimals', { name: 'A', unitPrice: 12.5 }, 'unitPrice'],
    ['negative price', { name: 'A', unitPrice: -1 }, 'unitPrice'],
    ['price beyond 2^53', { name: 'A', unitPrice: 2 ** 53 }, 'unitPrice'],
    ['price as a string', { name: 'A', unitPrice: '100' }, 'unitPrice'],
    ['active as a string', { name: 'A', active: 'yes' }, 'active'],
    ['margin class with spaces', { name: 'A', marginClass: 'very high' }, 'marginClass'],
    ['brand too long', { name: 'A', brand: 'b'.repeat(101) }, 'brand'],
    ['unknown field', { name: 'A', colour: 'red' }, 'colour'],
    ['sku in the body', { name: 'A', sku: 'OTHER' }, 'sku'],
  ])('%s → 400 validation_failed', async (_label, body, field) => {
    const res = await put('BAD-1', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    expect(paths(res).join(' ')).toContain(field);
  });

  it('filters and pages the list', async () => {
    const items = [
      { sku: 'SC-1', name: 'Screw small', categoryCode: 'fasteners', brand: 'Fix', marginClass: 'low' },
      { sku: 'SC-2', name: 'Screw large', categoryCode: 'fasteners', brand: 'Fix', marginClass: 'standard' },
      { sku: 'HM-1', name: 'Hammer', categoryCode: 'tools', brand: 'Slag', marginClass: 'high' },
    ];
    expect((await t.call('POST', '/v1/products/batch', { items })).json()).toMatchObject({ created: 3, failed: 0 });
    const skus = async (q: string) => (await t.call('GET', `/v1/products?${q}`)).json().data.map((p: { sku: string }) => p.sku);
    expect(await skus('')).toEqual(['DR-100', 'HM-1', 'SC-1', 'SC-2']);
    expect(await skus('categoryCode=fasteners')).toEqual(['SC-1', 'SC-2']);
    expect(await skus('brand=Fix&marginClass=low')).toEqual(['SC-1']);
    expect(await skus('marginClass=HIGH')).toEqual(['DR-100', 'HM-1']);
    expect(await skus('q=screw')).toEqual(['SC-1', 'SC-2']);
    expect(await skus('q=hm-')).toEqual(['HM-1']);
    expect(await skus('active=false')).toEqual(['DR-100']);
    expect((await t.call('GET', '/v1/products?active=maybe')).statusCode).toBe(400);
    expect((await t.call('GET', '/v1/products?cursor=!!')).json().code).toBe('validation_failed');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ sku: string }>; nextCursor: string | null } = (
        await t.call('GET', `/v1/products?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((p) => p.sku));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['DR-100', 'HM-1', 'SC-1', 'SC-2']);
  });

  it('batch writes the valid products, answers the others, and refuses more than 1,000', async () => {
    const res = await t.call('POST', '/v1/products/batch', {
      items: [
        { sku: 'B-1', name: 'Batch one', categoryCode: 'tools', unitPrice: 500 },
        { sku: 'B-2', name: 'Bad category', categoryCode: 'ghosts' },
        { sku: 'b 3', name: 'Bad sku' },
        { sku: 'B-1', name: 'Twice' },
        { sku: 'HM-1', brand: 'Slagg' },
        { sku: 'B-4' },
      ],
    });
    expect(res.json()).toMatchObject({ created: 1, updated: 1, failed: 4 });
    expect(res.json().results.map((r: { status: string; id?: string; error?: { code: string } }) => r.error?.code ?? `${r.status}:${r.id}`)).toEqual([
      'created:B-1',
      'unknown_category',
      'validation_failed',
      'validation_failed',
      'updated:HM-1',
      'validation_failed',
    ]);
    expect((await t.call('GET', '/v1/products/HM-1')).json()).toMatchObject({ name: 'Hammer', brand: 'Slagg' });
    const thousand = Array.from({ length: 1000 }, (_, i) => ({ sku: `T-${i}`, name: `Thing ${i}`, categoryCode: 'tools' }));
    expect((await t.call('POST', '/v1/products/batch', { items: thousand })).json()).toMatchObject({ created: 1000, failed: 0 });
    const over = await t.call('POST', '/v1/products/batch', { items: [...thousand, { sku: 'T-X', name: 'x' }] });
    expect(over.statusCode).toBe(413);
    expect(over.json().code).toBe('batch_too_large');
  });

  it('needs catalog:write to write', async () => {
    const key = await t.keyWith(['accounts:write']);
    expect((await put('S-1', { name: 'x' }, key)).json().code).toBe('insufficient_scope');
    expect((await t.call('PUT', '/v1/categories/s', { name: 'x' }, key)).statusCode).toBe(403);
    expect((await t.call('GET', '/v1/products/DR-100', undefined, key)).statusCode).toBe(200);
    const writer = await t.keyWith(['catalog:write']);
    expect((await put('S-1', { name: 'x' }, writer)).statusCode).toBe(201);
  });
});

describe('catalog: tenant isolation', () => {
  it("another program gets 404 for this program's product and sees none of its catalog", async () => {
    const other = await t.newProgram();
    const res = await t.call('GET', '/v1/products/DR-100', undefined, other.key);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Drill');
    expect((await t.call('GET', '/v1/products', undefined, other.key)).json()).toEqual({ data: [], nextCursor: null });
    expect((await t.call('GET', '/v1/categories', undefined, other.key)).json()).toEqual({ data: [], nextCursor: null });
    // This program's categories do not exist for it.
    expect((await put('DR-100', { name: 'Theirs', categoryCode: 'tools' }, other.key)).json().code).toBe('unknown_category');
    expect((await put('DR-100', { name: 'Theirs' }, other.key)).statusCode).toBe(201);
    expect((await t.call('GET', '/v1/products/DR-100')).json().name).toBe('Drill 100');
  });
});
