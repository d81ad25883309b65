import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAccountsCsv, importMembersCsv } from '../../src/accounts/index.js';
import { LojalError } from '../../src/errors/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const csv = (text: string) => Readable.from([text]);
const get = async (externalId: string, key = t.key) => {
  const res = await t.call('GET', `/v1/accounts/by-external-id/${encodeURIComponent(externalId)}`, undefined, key);
  return res.statusCode === 200 ? res.json() : undefined;
};

describe('CSV import of accounts', () => {
  it('imports a mixed file: branches before chains, quoting, tags, bad rows by line', async () => {
    const file = [
      '\ufeffexternal_id,name,orgNumber,country,segment,tags,parent_external_id,Key Account Manager,attributes.region',
      'BR-1,Branch North,556000-1001,se,installer,gold|north,HQ-1,anna,Norr',
      'HQ-1,"Chain HQ, Inc.",556000-1000,SE,installer,gold; key,,anna,',
      'BR-2,Branch South,,XX,installer,,HQ-1,,',
      ',,,,,,,,',
      'BR-3,"Branch ""Three"""',
      'BR-4,Branch Four,,NO,,,NOPE,,"Norr',
      'and Söder"',
      'BR-5,,,,,,,,',
    ].join('\n');
    const summary = await importAccountsCsv(t.database.db, t.programId, csv(file), t.clock);
    expect(summary).toMatchObject({
      rows: 7,
      created: 3,
      updated: 0,
      failed: 3,
      skipped: 1,
      errorCount: 4,
      errors: [
        { line: 4, code: 'validation_failed', message: expect.stringMatching(/^country: must be an ISO 3166-1/) },
        { line: 6, code: 'validation_failed', message: 'the row has 2 cells, the header 9' },
        { line: 7, code: 'unknown_parent_account', message: expect.stringContaining('NOPE') },
        { line: 9, code: 'validation_failed', message: 'name: is required to create an account' },
      ],
    });
    const hq = await get('HQ-1');
    expect(hq).toMatchObject({ name: 'Chain HQ, Inc.', tags: ['gold', 'key'], country: 'SE', keyAccountManager: 'anna', parentId: null, attributes: {} });
    expect(await get('BR-1')).toMatchObject({ parentId: hq.id, tags: ['gold', 'north'], orgNumber: '556000-1001', attributes: { region: 'Norr' } });
    // Written, but without the parent it named.
    expect(await get('BR-4')).toMatchObject({ name: 'Branch Four', country: 'NO', parentId: null, attributes: { region: 'Norr\nand Söder' } });
    expect(await get('BR-2')).toBeUndefined();
  });

  it('updates on re-import and leaves empty cells alone', async () => {
    const summary = await importAccountsCsv(t.database.db, t.programId, csv('externalId,segment,name\nHQ-1,dealer,\nBR-1,,Branch N\n'), t.clock);
    expect(summary).toMatchObject({ rows: 2, created: 0, updated: 2, failed: 0, errors: [] });
    expect(await get('HQ-1')).toMatchObject({ name: 'Chain HQ, Inc.', segment: 'dealer', tags: ['gold', 'key'] });
    expect(await get('BR-1')).toMatchObject({ name: 'Branch N', segment: 'installer' });
  });

  it.each([
    ['unknown column', 'external_id,name,colour\nA,B,red\n', /unknown columns colour/],
    ['no external_id column', 'name,segment\nA,B\n', /missing required columns: externalId/],
    ['a column twice', 'external_id,name,Name\nA,B,C\n', /columns given twice: name/],
    ['empty file', '', /empty/],
  ])('refuses a file with %s before writing anything', async (_label, file, detail) => {
    const err = await importAccountsCsv(t.database.db, t.programId, csv(file), t.clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LojalError);
    expect((err as LojalError).code).toBe('invalid_csv');
    expect(String((err as LojalError).params.detail)).toMatch(detail);
    expect(await get('A')).toBeUndefined();
  });

  it('imports thousands of rows in batches, with parents across batches, reporting progress', async () => {
    const { programId, key } = await t.newProgram();
    const lines = ['external_id,name,parent_external_id'];
    for (let i = 0; i < 2500; i++) lines.push(`S${i},Store ${i},${i === 2499 ? '' : 'S2499'}`);
    lines.push('LOOP-A,Loop A,LOOP-B', 'LOOP-B,Loop B,LOOP-A');
    const progress: number[] = [];
    const summary = await importAccountsCsv(t.database.db, programId, csv(lines.join('\n')), t.clock, (n) => progress.push(n));
    expect(summary).toMatchObject({ rows: 2502, created: 2502, updated: 0, failed: 0, skipped: 0 });
    expect(summary.errors).toMatchObject([
      { line: 2502, code: 'parent_cycle', message: expect.any(String) },
      { line: 2503, code: 'parent_cycle', message: expect.any(String) },
    ]);
    expect(progress).toEqual([1000, 2000, 2502]);
    const top = await get('S2499', key);
    const branches = (await t.call('GET', `/v1/accounts?parentId=${top.id}&limit=500`, undefined, key)).json();
    expect(branches.data).toHaveLength(500);
    expect(branches.nextCursor).not.toBeNull();
    const wallets = await t.database.db
      .selectFrom('wallets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('program_id', '=', programId)
      .where('kind', '=', 'account')
      .executeTakeFirstOrThrow();
    expect(Number(wallets.n)).toBe(2502);
  });

  it('keeps the first 100 errors and counts them all', async () => {
    const { programId } = await t.newProgram();
    const lines = ['external_id,name,country', ...Array.from({ length: 150 }, (_, i) => `E${i},Bad ${i},Narnia`), 'OK,Good,SE'];
    const summary = await importAccountsCsv(t.database.db, programId, csv(lines.join('\n')), t.clock);
    expect(summary).toMatchObject({ rows: 151, created: 1, failed: 150, errorCount: 150 });
    expect(summary.errors).toHaveLength(100);
    expect(summary.errors[0]!.line).toBe(2);
    expect(summary.errors[99]!.line).toBe(101);
  });

  it('stops at a broken quote, keeping the rows before it', async () => {
    const { programId, key } = await t.newProgram();
    async function* slowFile() {
      yield 'external_id,name\nQ1,Fine\nQ2,Fine too\n';
      await new Promise((resolve) => setTimeout(resolve, 50));
      yield 'Q3,"Never closed\nQ4,Lost\n';
    }
    const summary = await importAccountsCsv(t.database.db, programId, Readable.from(slowFile()), t.clock);
    // The parser may hold the last good row back; the summary says exactly where importing stopped.
    expect(summary.rows).toBeGreaterThanOrEqual(1);
    expect(summary).toMatchObject({ created: summary.rows, failed: 0 });
    const firstLost = summary.rows + 2;
    expect(summary.errors).toEqual([
      {
        line: firstLost,
        code: 'invalid_csv',
        message: expect.stringMatching(new RegExp(`^rows from line ${firstLost} on were not imported; .*Quote Not Closed`)),
      },
    ]);
    expect((await get('Q1', key))?.name).toBe('Fine');
    expect(await get('Q4', key)).toBeUndefined();
  });

  it("cannot reach another program's accounts", async () => {
    const { programId, key } = await t.newProgram();
    const summary = await importAccountsCsv(t.database.db, programId, csv('external_id,name,parent_external_id\nX1,Mine,HQ-1\n'), t.clock);
    expect(summary.errors.map((e) => e.code)).toEqual(['unknown_parent_account']);
    expect((await get('X1', key))?.parentId).toBeNull();
    expect(await get('X1')).toBeUndefined();
  });
});

describe('CSV import of members', () => {
  it('imports people by their account external id', async () => {
    const file = [
      'external_id,account_external_id,name,email,role,language,tags,phone',
      'PM-1,HQ-1,Pia Persson,PIA@Chain.se,Owner,sv,app|vip,+46 70 000 00 01',
      'PM-2,NOPE,Nils Nilsson,nils@chain.se,buyer,sv,,',
      'PM-3,HQ-1,Olle Bad,not-an-email,buyer,xx,,',
      'PM-4,BR-1,Stina Ström,,sales_rep,nb,,',
    ].join('\r\n');
    const summary = await importMembersCsv(t.database.db, t.programId, csv(file), t.clock);
    expect(summary).toMatchObject({ rows: 4, created: 2, updated: 0, failed: 2, skipped: 0 });
    expect(summary.errors).toMatchObject([
      { line: 3, code: 'unknown_account', message: expect.stringContaining('NOPE') },
      { line: 4, code: 'validation_failed', message: expect.stringMatching(/email: .*; language: /) },
    ]);
    const hq = await get('HQ-1');
    const pia = (await t.call('GET', '/v1/members/by-external-id/PM-1')).json();
    expect(pia).toMatchObject({ accountId: hq.id, email: 'pia@chain.se', role: 'owner', tags: ['app', 'vip'], phone: '+46 70 000 00 01' });
    const members = (await t.call('GET', `/v1/accounts/${hq.id}/members`)).json();
    expect(members.data.map((m: { externalId: string }) => m.externalId)).toEqual(['PM-1']);
  });
});
