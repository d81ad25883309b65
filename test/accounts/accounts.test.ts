import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('accounts', () => {
  let chain: string;
  it('creates an account with its company wallet', async () => {
    const res = await t.call('POST', '/v1/accounts', { externalId: 'K-100', name: 'Bygg & Montage AB', orgNumber: '556677-8899', country: 'SE', segment: 'installer', tags: ['gold-partner'] });
    expect(res.statusCode, res.body).toBe(201);
    chain = res.json().id;
    expect(res.json()).toMatchObject({ externalId: 'K-100', status: 'active', country: 'SE', tags: ['gold-partner'] });
    expect((await t.call('GET', `/v1/accounts/${chain}/balance`)).json().available).toBe(0);
  });

  it('refuses a second account with the same external id', async () => {
    const res = await t.call('POST', '/v1/accounts', { externalId: 'K-100', name: 'Copy' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('duplicate_external_id');
  });

  it('creates or replaces by external id, with branches under a chain', async () => {
    const created = await t.call('PUT', '/v1/accounts/by-external-id/K-101', { name: 'Branch Malmö', parentExternalId: 'K-100' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().parentId).toBe(chain);
    const updated = await t.call('PUT', '/v1/accounts/by-external-id/K-101', { name: 'Branch Malmö Syd', parentExternalId: 'K-100' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().name).toBe('Branch Malmö Syd');
    expect((await t.call('GET', '/v1/accounts/by-external-id/K-101')).json().id).toBe(created.json().id);
    expect((await t.call('GET', `/v1/accounts?parentId=${chain}`)).json().data).toHaveLength(1);
  });

  it('refuses a parent cycle and an unknown parent', async () => {
    const branch = (await t.call('GET', '/v1/accounts/by-external-id/K-101')).json().id;
    const cycle = await t.call('PATCH', `/v1/accounts/${chain}`, { parentId: branch });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json().code).toBe('parent_cycle');
    const unknown = await t.call('PATCH', `/v1/accounts/${chain}`, { parentId: '01900000-0000-7000-8000-00000000dead' });
    expect(unknown.json().code).toBe('unknown_parent_account');
  });

  it('upserts a batch, writing the valid items and answering each', async () => {
    const items = [
      { externalId: 'B-1', name: 'One', country: 'NO' },
      { externalId: 'B-2', name: '' },
      { externalId: 'B-3', name: 'Three', country: 'sweden' },
      { externalId: 'B-4', name: 'Four', parentExternalId: 'B-1' },
      { name: 'No id' },
    ];
    const res = await t.call('POST', '/v1/accounts/batch', { items });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results.map((r: { status: string }) => r.status)).toEqual(['created', 'error', 'error', 'created', 'error']);
    expect(res.json().results[2].error.errors[0].path).toBe('country');
    const again = await t.call('POST', '/v1/accounts/batch', { items: [{ externalId: 'B-1', name: 'One renamed' }] });
    expect(again.json().results[0].status).toBe('updated');
  });

  it('takes 1,000 items in one batch and refuses 1,001', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ externalId: `BULK-${i}`, name: `Bulk ${String(i).padStart(4, '0')}`, segment: 'reseller' }));
    const res = await t.call('POST', '/v1/accounts/batch', { items });
    expect(res.json().results.filter((r: { status: string }) => r.status === 'created')).toHaveLength(1000);
    const over = await t.call('POST', '/v1/accounts/batch', { items: [...items, { externalId: 'X', name: 'X' }] });
    expect(over.statusCode).toBe(413);
    expect(over.json().code).toBe('batch_too_large');
  });

  it('pages through a filtered list with no account missing or repeated', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ externalId: string }>; nextCursor: string | null } = (
        await t.call('GET', `/v1/accounts?segment=reseller&limit=137${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((a) => a.externalId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
    expect((await t.call('GET', '/v1/accounts?cursor=garbage')).json().code).toBe('validation_failed');
  });

  it('rejects bad input with the field named', async () => {
    for (const [body, field] of [
      [{ name: 'X', country: 'Sweden' }, 'country'],
      [{ name: 'X', status: 'sleeping' }, 'status'],
      [{ name: 'X', colour: 'red' }, 'colour'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ name: 'X', tags: 'a' }, 'tags'],
    ] as const) {
      const res = await t.call('POST', '/v1/accounts', body);
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(res.json().errors)).toContain(field);
    }
  });
});

describe('members', () => {
  it('creates a member at an account, by the account external id, with a wallet', async () => {
    const res = await t.call('POST', '/v1/members', { accountExternalId: 'K-100', externalId: 'P-1', name: 'Anna Lind', email: 'Anna.Lind@Example.se', role: 'foreman', language: 'sv' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ email: 'anna.lind@example.se', role: 'foreman' });
    expect((await t.call('GET', `/v1/members/${res.json().id}/balance`)).statusCode).toBe(200);
    const list = (await t.call('GET', `/v1/accounts/${res.json().accountId}/members`)).json();
    expect(list.data.map((m: { externalId: string }) => m.externalId)).toEqual(['P-1']);
  });

  it('refuses an unknown account and a bad e-mail', async () => {
    expect((await t.call('POST', '/v1/members', { accountExternalId: 'NOPE', name: 'X' })).json().code).toBe('unknown_account');
    const bad = await t.call('POST', '/v1/members', { accountExternalId: 'K-100', name: 'X', email: 'not-an-email' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('email');
  });

  it('upserts members in a batch', async () => {
    const res = await t.call('POST', '/v1/members/batch', {
      items: [
        { externalId: 'P-2', accountExternalId: 'K-100', name: 'Bo', role: 'buyer' },
        { externalId: 'P-3', accountExternalId: 'NOPE', name: 'Cy' },
        { externalId: 'P-1', accountExternalId: 'K-100', name: 'Anna Lind-Berg', role: 'manager' },
      ],
    });
    expect(res.json().results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status)).toEqual(['created', 'unknown_account', 'updated']);
    expect((await t.call('GET', '/v1/members/by-external-id/P-1')).json().role).toBe('manager');
  });
});

describe('catalog', () => {
  it('creates categories and products, and refuses an unknown category', async () => {
    expect((await t.call('PUT', '/v1/categories/tools', { name: 'Tools' })).statusCode).toBe(200);
    const p = await t.call('PUT', '/v1/products/DR-18V', { name: 'Drill 18 V', categoryCode: 'tools', brand: 'Acme', marginClass: 'high', unitPrice: 129900 });
    expect(p.statusCode, p.body).toBe(201);
    expect((await t.call('PUT', '/v1/products/DR-18V', { name: 'Drill 18 V Pro', categoryCode: 'tools', marginClass: 'high' })).statusCode).toBe(200);
    const bad = await t.call('PUT', '/v1/products/X-1', { name: 'X', categoryCode: 'nope' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('unknown_category');
    expect((await t.call('GET', '/v1/products?marginClass=high')).json().data.map((x: { sku: string }) => x.sku)).toEqual(['DR-18V']);
  });

  it('upserts products in a batch, answering each item', async () => {
    const res = await t.call('POST', '/v1/products/batch', {
      items: [{ sku: 'A', name: 'A', categoryCode: 'tools' }, { sku: 'B', name: 'B', categoryCode: 'nope' }, { name: 'no sku' }, { sku: 'C', name: 'C', unitPrice: -1 }],
    });
    expect(res.json().results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status)).toEqual(['created', 'unknown_category', 'validation_failed', 'validation_failed']);
  });
});
