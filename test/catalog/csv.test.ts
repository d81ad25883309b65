import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importProductsCsv } from '../../src/catalog/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('CSV import of products', () => {
  it('imports products, creating missing categories named by their code', async () => {
    await t.call('PUT', '/v1/categories/tools', { name: 'Tools' });
    const file = [
      'sku,name,category,brand,margin_class,unit_price,active,attributes.colour',
      'P-1,Hammer,tools,Slag,high,24900,yes,red',
      'P-2,Screws,fasteners,Fix,LOW,1990,,',
      'P-3,Bad price,fasteners,Fix,low,19.90,,',
      'P-4,Bad category,Power Tools,,,,,',
      'P 5,Bad sku,paint,,,,,',
      'P-6,Bad flag,,,,,maybe,',
    ].join('\n');
    const summary = await importProductsCsv(t.database.db, t.programId, Readable.from([file]), t.clock);
    expect(summary).toMatchObject({ rows: 6, created: 2, updated: 0, failed: 4 });
    expect(summary.errors.map((e) => [e.line, e.code, e.message.split(':')[0]])).toEqual([
      [4, 'validation_failed', 'unitPrice'],
      [5, 'validation_failed', 'categoryCode'],
      [6, 'validation_failed', 'sku'],
      [7, 'validation_failed', 'active'],
    ]);
    expect((await t.call('GET', '/v1/products/P-1')).json()).toMatchObject({
      categoryCode: 'tools',
      marginClass: 'high',
      unitPrice: 24900,
      active: true,
      attributes: { colour: 'red' },
    });
    expect((await t.call('GET', '/v1/products/P-2')).json()).toMatchObject({ categoryCode: 'fasteners', marginClass: 'low', active: true });
    const categories = (await t.call('GET', '/v1/categories')).json().data;
    // "paint" belonged only to a rejected row, so it was not created.
    expect(categories.map((c: { code: string; name: string }) => [c.code, c.name])).toEqual([
      ['fasteners', 'fasteners'],
      ['tools', 'Tools'],
    ]);
  });

  it('updates on re-import, keeping empty cells', async () => {
    const summary = await importProductsCsv(t.database.db, t.programId, Readable.from(['sku,unitPrice,active\nP-1,25900,false\n']), t.clock);
    expect(summary).toMatchObject({ rows: 1, created: 0, updated: 1, failed: 0 });
    expect((await t.call('GET', '/v1/products/P-1')).json()).toMatchObject({ name: 'Hammer', unitPrice: 25900, active: false, brand: 'Slag' });
  });

  it('is confined to its program', async () => {
    const other = await t.newProgram();
    const summary = await importProductsCsv(t.database.db, other.programId, Readable.from(['sku,name,category\nP-1,Theirs,tools\n']), t.clock);
    expect(summary).toMatchObject({ created: 1 });
    expect((await t.call('GET', '/v1/products/P-1')).json().name).toBe('Hammer');
    expect((await t.call('GET', '/v1/categories', undefined, other.key)).json().data.map((c: { code: string }) => c.code)).toEqual(['tools']);
    expect((await t.call('GET', '/v1/products/P-1', undefined, other.key)).json().name).toBe('Theirs');
  });
});
