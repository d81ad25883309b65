import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { upsertAccounts } from '../../src/accounts/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const batch = (items: unknown[], key?: string) => t.call('POST', '/v1/accounts/batch', { items }, key);
const byExternalId = async (externalId: string) => (await t.call('GET', `/v1/accounts/by-external-id/${externalId}`)).json();

describe('accounts: batch upsert', () => {
  it('writes the valid items and answers each invalid one with its code', async () => {
    await t.call('POST', '/v1/accounts', { externalId: 'B-OLD', name: 'Old name', segment: 'dealer', status: 'suspended' });
    const res = await batch([
      { externalId: 'B-1', name: 'Batch One', country: 'FI', tags: ['t1'] },
      { externalId: 'B-2', name: 'Bad country', country: 'ZZ' },
      { externalId: 'B-OLD', name: 'New name' },
      { name: 'No external id' },
      { externalId: 'B-3', name: 'Unknown parent', parentExternalId: 'NOWHERE' },
      'not an object',
      { externalId: 'B-1', name: 'Twice in one batch' },
      { externalId: 'B-4' },
      { externalId: 'B-5', name: 'Extra field', colour: 'red' },
      { externalId: 'B-6', name: 'Branch of B-1', parentExternalId: 'B-1' },
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ created: 2, updated: 1, failed: 7 });
    const summary = body.results.map((r: { index: number; status: string; error?: { code: string } }) => [
      r.index,
      r.status,
      r.error?.code,
    ]);
    expect(summary).toEqual([
      [0, 'created', undefined],
      [1, 'error', 'validation_failed'],
      [2, 'updated', undefined],
      [3, 'error', 'validation_failed'],
      [4, 'error', 'unknown_parent_account'],
      [5, 'error', 'validation_failed'],
      [6, 'error', 'duplicate_external_id'],
      [7, 'error', 'validation_failed'],
      [8, 'error', 'validation_failed'],
      [9, 'created', undefined],
    ]);
    expect(body.results[1].error.errors).toEqual([{ path: 'country', message: expect.stringContaining('ISO 3166'), code: 'invalid_value' }]);
    expect(body.results[1].error.message).toMatch(/^country: /);
    expect(body.results[3].error.errors.map((e: { path: string }) => e.path)).toEqual(['externalId']);
    expect(body.results[4].error.message).toContain('NOWHERE');
    expect(body.results[7].error.errors).toEqual([{ path: 'name', message: 'is required to create an account', code: 'required' }]);
    expect(body.results[8].error.errors.map((e: { path: string }) => e.path)).toEqual(['colour']);

    const one = await byExternalId('B-1');
    expect(one).toMatchObject({ id: body.results[0].id, name: 'Batch One', country: 'FI', tags: ['t1'] });
    expect((await byExternalId('B-6')).parentId).toBe(one.id);
    // An update keeps what the item does not mention.
    expect(await byExternalId('B-OLD')).toMatchObject({ id: body.results[2].id, name: 'New name', segment: 'dealer', status: 'suspended' });
    for (const missing of ['B-2', 'B-3', 'B-4', 'B-5']) {
      expect((await t.call('GET', `/v1/accounts/by-external-id/${missing}`)).statusCode).toBe(404);
    }
  });

  it('accepts a parent that comes later in the same batch, and drops a child whose parent failed', async () => {
    const res = (
      await batch([
        { externalId: 'CH-BRANCH', name: 'Branch first', parentExternalId: 'CH-HQ' },
        { externalId: 'CH-HQ', name: 'HQ second' },
        { externalId: 'CH-BAD', name: 'Bad parent', country: 'QQ' },
        { externalId: 'CH-CHILD', name: 'Child of bad', parentExternalId: 'CH-BAD' },
      ])
    ).json();
    expect(res.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created', 'error', 'error']);
    expect(res.results[3].error.code).toBe('unknown_parent_account');
    expect((await byExternalId('CH-BRANCH')).parentId).toBe(res.results[1].id);
  });

  it('refuses cycles made within a batch and against stored accounts', async () => {
    const inBatch = (
      await batch([
        { externalId: 'CY-A', name: 'A', parentExternalId: 'CY-B' },
        { externalId: 'CY-B', name: 'B', parentExternalId: 'CY-A' },
        { externalId: 'CY-C', name: 'C', parentExternalId: 'CY-C' },
        { externalId: 'CY-D', name: 'D' },
      ])
    ).json();
    expect(inBatch.results.map((r: { error?: { code: string } }) => r.error?.code)).toEqual([
      'parent_cycle',
      'parent_cycle',
      'parent_cycle',
      undefined,
    ]);
    await batch([{ externalId: 'CY-E', name: 'E', parentExternalId: 'CY-D' }]);
    const stored = (await batch([{ externalId: 'CY-D', parentExternalId: 'CY-E' }])).json();
    expect(stored.results[0].error).toEqual({
      code: 'parent_cycle',
      message: 'Account CY-D cannot have parent CY-E: the parent is the account itself or one of its branches.',
    });
    expect((await byExternalId('CY-D')).parentId).toBeNull();
  });

  it('writes 1,000 accounts and their wallets in one call', async () => {
    const { programId, key } = await t.newProgram();
    const items = Array.from({ length: 1000 }, (_, i) => ({ externalId: `M${i}`, name: `Mass ${i}`, segment: i % 2 ? 'odd' : 'even' }));
    const res = await batch(items, key);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 1000, updated: 0, failed: 0 });
    const wallets = await t.database.db
      .selectFrom('wallets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('program_id', '=', programId)
      .where('kind', '=', 'account')
      .executeTakeFirstOrThrow();
    expect(Number(wallets.n)).toBe(1000);
    const again = await batch(items.map((i) => ({ ...i, segment: 'all' })), key);
    expect(again.json()).toMatchObject({ created: 0, updated: 1000, failed: 0 });
    expect((await t.call('GET', '/v1/accounts?segment=all&limit=500', undefined, key)).json().data).toHaveLength(500);
  });

  // What "in one call" promises is batching, not a speed (speed is bench/'s): the statements sent for a batch do
  // not grow with its size, for new accounts and for updates alike. Counted on the queries Kysely sends.
  it('sends as many statements for 1,000 accounts as for 10', async () => {
    const { programId } = await t.newProgram();
    const statementsFor = async (items: unknown[]) => {
      let sent = 0;
      const counting: KyselyPlugin = {
        transformQuery: (args) => {
          sent++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const results = await upsertAccounts(t.database.db.withPlugin(counting), programId, items, t.clock());
      expect(results.filter((r) => r.status === 'error')).toEqual([]);
      return sent;
    };
    const accounts = (prefix: string, n: number, segment: string) =>
      Array.from({ length: n }, (_, i) => ({ externalId: `${prefix}${i}`, name: `${prefix} ${i}`, segment }));
    const createTen = await statementsFor(accounts('S', 10, 'first'));
    const createThousand = await statementsFor(accounts('L', 1000, 'first'));
    expect(createTen).toBeGreaterThan(0);
    expect(createThousand).toBe(createTen);
    const updateTen = await statementsFor(accounts('S', 10, 'second'));
    const updateThousand = await statementsFor(accounts('L', 1000, 'second'));
    expect(updateThousand).toBe(updateTen);
    // A handful of statements (look up, write accounts, write wallets, ...), not one per item.
    expect(createThousand).toBeLessThan(20);
  });

  it('refuses more than 1,000 items with 413 batch_too_large and writes none', async () => {
    const items = Array.from({ length: 1001 }, (_, i) => ({ externalId: `OVER${i}`, name: `Over ${i}` }));
    const res = await batch(items);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'batch_too_large' });
    expect(res.json().detail).toContain('1001');
    expect((await t.call('GET', '/v1/accounts/by-external-id/OVER0')).statusCode).toBe(404);
  });

  it('runs overlapping batches side by side without deadlocks or lost wallets', async () => {
    const { programId, key } = await t.newProgram();
    const items = Array.from({ length: 300 }, (_, i) => ({ externalId: `CC${i}`, name: `Concurrent ${i}` }));
    const orders = [items, [...items].reverse(), [...items.slice(150), ...items.slice(0, 150)]];
    const answers = await Promise.all(orders.map((list) => batch(list, key)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    const results = answers.map((a) => a.json());
    expect(results.reduce((n, r) => n + r.created, 0)).toBe(300);
    expect(results.reduce((n, r) => n + r.updated, 0)).toBe(600);
    const wallets = await t.database.db
      .selectFrom('wallets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    // 300 account wallets and the program's 4 system wallets.
    expect(Number(wallets.n)).toBe(304);
  });

  it('validates the envelope', async () => {
    expect((await t.call('POST', '/v1/accounts/batch', [{ externalId: 'x', name: 'x' }])).json().code).toBe('validation_failed');
    expect((await t.call('POST', '/v1/accounts/batch', { items: [], extra: 1 })).json().code).toBe('validation_failed');
    expect((await batch([])).json()).toEqual({ results: [], created: 0, updated: 0, failed: 0 });
  });

  it("cannot touch another program's accounts by external id", async () => {
    const other = await t.newProgram();
    const res = (await batch([{ externalId: 'B-1', name: 'Hijack', parentExternalId: 'B-OLD' }], other.key)).json();
    expect(res.results[0].error.code).toBe('unknown_parent_account');
    const created = (await batch([{ externalId: 'B-1', name: 'Theirs' }], other.key)).json();
    expect(created.results[0].status).toBe('created');
    expect((await byExternalId('B-1')).name).toBe('Batch One');
  });
});
