/**
 * The Online Retail import on a small extract written here in the file's own format (the real file has 541,909
 * rows): invoices grouped by number even when a credit row splits them, manual credits matched to purchases by
 * value (and reported when they match nothing), margin bands from the most common price, and a second run that
 * finds its program again and books nothing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetailProgram } from '../../src/demo/retail-program.js';
import { findOrCreateImportProgram } from '../../src/imports/import-programs.js';
import { importLanes, importOnlineRetail, matchManualCredits, readRetailFile, readRetailRows, usualPrice, type RetailImportSummary } from '../../src/imports/online-retail.js';
import { getProgram, type Program } from '../../src/programs/programs.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lojal-retail-'));
const header = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

/** Rows whose outcome each test checks by name, then a few hundred generated ordinary ones. */
const namedRows = [
  // Two rows of one stock code on one invoice, keyed over two minutes: one line, the earlier time.
  '500001,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-01-10 10:00:00,2.55,12345,United Kingdom',
  '500001,71053,WHITE METAL LANTERN,2,2011-01-10 10:00:00,3.39,12345,United Kingdom',
  '500001,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,2011-01-10 10:01:00,2.55,12345,United Kingdom',
  // A credit row between two rows of invoice 500002 (as 542806 in the real file): still one event.
  '500002,22423,REGENCY CAKESTAND 3 TIER,1,2011-01-10 11:00:00,12.75,12346,France',
  'C500003,22423,REGENCY CAKESTAND 3 TIER,-1,2011-01-10 11:01:00,12.75,12346,France',
  '500002,21212,PACK OF 72 RETROSPOT CAKE CASES,1,2011-01-10 11:02:00,0.55,12346,France',
  // A £38,970 purchase and a manual credit of the same value three minutes later: a return of the purchase.
  '500004,22502,PICNIC BASKET WICKER 60 PIECES,60,2011-01-11 09:00:00,649.5,12345,United Kingdom',
  'C500005,M,Manual,-1,2011-01-11 09:03:00,38970,12345,United Kingdom',
  // A manual charge and postage on a purchase: not products. A credit of one line's value returns that line.
  '500006,21212,PACK OF 72 RETROSPOT CAKE CASES,10,2011-01-12 10:00:00,0.55,12347,United Kingdom',
  '500006,84029G,KNITTED UNION FLAG HOT WATER BOTTLE,12,2011-01-12 10:00:00,3.75,12347,United Kingdom',
  '500006,M,Manual,1,2011-01-12 10:00:00,2,12347,United Kingdom',
  '500006,POST,POSTAGE,1,2011-01-12 10:00:00,18,12347,United Kingdom',
  'C500007,M,Manual,-1,2011-01-12 12:00:00,45,12347,United Kingdom',
  // Credits that match nothing: no purchase or line of that value; and one dated before the only purchase it equals.
  'C500008,M,Manual,-1,2011-01-12 13:00:00,7.77,12347,United Kingdom',
  'C500009,M,Manual,-2,2011-01-12 13:00:00,50,12346,France',
  'C500010,M,Manual,-1,2011-01-09 08:00:00,13.30,12346,France',
  // No customer: skipped.
  '500011,22423,REGENCY CAKESTAND 3 TIER,1,2011-01-12 14:00:00,12.75,,United Kingdom',
  // Price bands: 90001 sells at £5.00 more often than at £4.00 (first seen); 90002 is a tie between 95p and £4.95.
  '500012,90001,BIG VASE,1,2011-01-13 10:00:00,4.00,12348,Germany',
  '500012,90002,SMALL VASE,1,2011-01-13 10:00:00,4.95,12348,Germany',
  '500013,90001,BIG VASE,1,2011-01-14 10:00:00,5.00,12348,Germany',
  '500014,90001,BIG VASE,1,2011-01-15 10:00:00,5.00,12348,Germany',
  '500014,90002,SMALL VASE,1,2011-01-15 10:00:00,0.95,12348,Germany',
  // A line already cancelled on a C invoice is not taken by a manual credit of its value (that would return it twice).
  '500015,22111,SCOTTIE DOG HOT WATER BOTTLE,2,2011-01-15 11:00:00,5.00,12349,United Kingdom',
  '500015,22112,CHOCOLATE HOT WATER BOTTLE,1,2011-01-15 11:00:00,3.00,12349,United Kingdom',
  'C500016,22111,SCOTTIE DOG HOT WATER BOTTLE,-2,2011-01-15 12:00:00,5.00,12349,United Kingdom',
  'C500017,M,Manual,-1,2011-01-15 12:05:00,10.00,12349,United Kingdom',
  // A description with a comma, quoted as the file quotes it, and one with letters beyond ASCII.
  '500018,85099B,"JUMBO BAG, RED RETROSPOT",2,2011-01-16 08:00:00,2.08,12350,United Kingdom',
  '500018,23084,RÉGENCE TEACUP ØRE,1,2011-01-16 08:00:00,4.15,12350,United Kingdom',
];

function generatedRows(): string[] {
  const skus: Array<[string, string, number]> = [
    ['22720', 'SET OF 3 CAKE TINS PANTRY DESIGN', 4.95], ['20725', 'LUNCH BAG RED RETROSPOT', 1.65], ['22197', 'SMALL POPCORN HOLDER', 0.85],
    ['84879', 'ASSORTED COLOUR BIRD ORNAMENT', 1.69], ['23203', 'JUMBO BAG DOILEY PATTERNS', 2.08], ['22086', "PAPER CHAIN KIT 50'S CHRISTMAS", 2.95],
  ];
  const rows: string[] = [];
  for (let i = 0; i < 120; i++) {
    const customer = 13000 + (i % 17);
    const day = 16 + Math.floor(i / 10);
    const when = `2011-01-${String(day).padStart(2, '0')} ${String(9 + (i % 8)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`;
    for (let l = 0; l <= i % 3; l++) {
      const [sku, name, price] = skus[(i + l * 2) % skus.length]!;
      rows.push(`${510000 + i},${sku},${name},${1 + ((i * 7 + l) % 12)},${when},${price},${customer},United Kingdom`);
    }
    // Every ninth invoice is partly cancelled the same day.
    if (i % 9 === 4) {
      const [sku, name, price] = skus[i % skus.length]!;
      rows.push(`C${520000 + i},${sku},${name},-1,${when.replace(/:(\d\d):00$/, ':$1:30')},${price},${customer},United Kingdom`);
    }
  }
  return rows;
}

const rows = [...namedRows, ...generatedRows()];
const file = path.join(dir, 'extract.csv');
fs.writeFileSync(file, `${header}\n${rows.join('\n')}\n`);

let t: TestApp;
let program: Program;
let first: RetailImportSummary;
let second: RetailImportSummary;

const ledgerState = async (programId: string) =>
  (await sql<{ events: string; entries: string; points: string; available: string; pending: string }>`
    SELECT (SELECT count(*) FROM events WHERE program_id = ${programId}) AS events,
           (SELECT count(*) FROM entries WHERE program_id = ${programId}) AS entries,
           (SELECT coalesce(sum(amount), 0) FROM entries e JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id WHERE e.program_id = ${programId} AND w.kind = 'account') AS points,
           (SELECT coalesce(sum(available), 0) FROM wallets WHERE program_id = ${programId}) AS available,
           (SELECT coalesce(sum(pending), 0) FROM wallets WHERE program_id = ${programId}) AS pending`.execute(t.database.db)).rows[0];

beforeAll(async () => {
  t = await startTestApp();
  const made = await findOrCreateImportProgram(t.database.db, 'test-retail', () => createRetailProgram(t.database.db, t.clock()));
  expect(made.created).toBeDefined();
  program = made.program;
  first = await importOnlineRetail(t.database.db, program, file, { clock: t.clock });
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Online Retail import', () => {
  it('counts rows as the file has them and says how many were merged into one line', () => {
    expect(first.rows).toBe(rows.length);
    expect(first.rowsWithoutCustomer).toBe(1);
    expect(first.nonProductRows).toBe(2);
    expect(first.manualCreditRows).toBe(6);
    expect(first.invalidRows).toBe(0);
    expect(first.productRows).toBe(rows.length - 1 - 2 - 6);
    expect(first.mergedRows).toBe(1);
    expect(first.eventLines).toBe(first.productRows - 1);
    expect(first.rejected).toBe(0);
    expect(first.errors).toEqual([]);
  });

  it('groups rows by invoice number, even when a credit row stands between them', async () => {
    const lines = await sql<{ external_id: string; occurred_at: Date; sku: string; quantity: number; amount: string }>`
      SELECT e.external_id, e.occurred_at, l.sku, l.quantity, l.amount FROM events e JOIN event_lines l ON l.program_id = e.program_id AND l.event_id = e.id
      WHERE e.program_id = ${program.id} AND e.external_id IN ('500001', '500002') ORDER BY e.external_id, l.line_no`.execute(t.database.db);
    expect(lines.rows.map((r) => [r.external_id, new Date(r.occurred_at).toISOString(), r.sku, Number(r.quantity), Number(r.amount)])).toEqual([
      ['500001', '2011-01-10T10:00:00.000Z', '85123A', 10, 2550],
      ['500001', '2011-01-10T10:00:00.000Z', '71053', 2, 678],
      ['500002', '2011-01-10T11:00:00.000Z', '22423', 1, 1275],
      ['500002', '2011-01-10T11:00:00.000Z', '21212', 1, 55],
    ]);
    const split = await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE program_id = ${program.id} AND external_id LIKE '500002%'`.execute(t.database.db);
    expect(Number(split.rows[0]!.n)).toBe(1);
  });

  it('takes a manual credit of a purchase’s value as its return, one of a line’s value as that line’s, and reports the rest', async () => {
    expect(first.manualCredits).toEqual({
      count: 6,
      value: 3_897_000 + 4500 + 777 + 10_000 + 1330 + 1000,
      matchedPurchases: { count: 1, value: 3_897_000 },
      matchedLines: { count: 1, value: 4500 },
      unmatched: { count: 4, value: 777 + 10_000 + 1330 + 1000 },
    });
    expect(first.manualReturns).toBe(2);
    const returned = await sql<{ external_id: string; sku: string; quantity: number; returned_quantity: number }>`
      SELECT e.external_id, l.sku, l.quantity, l.returned_quantity FROM events e JOIN event_lines l ON l.program_id = e.program_id AND l.event_id = e.id
      WHERE e.program_id = ${program.id} AND e.external_id IN ('500004', '500006') ORDER BY e.external_id, l.line_no`.execute(t.database.db);
    expect(returned.rows.map((r) => [r.external_id, r.sku, Number(r.quantity), Number(r.returned_quantity)])).toEqual([
      ['500004', '22502', 60, 60],
      ['500006', '21212', 10, 0],
      ['500006', '84029G', 12, 12],
    ]);
    // Everything the £38,970 purchase earned is taken back.
    const net = await sql<{ points: string }>`
      SELECT coalesce(sum(en.amount), 0) AS points FROM entries en
      JOIN journals j ON j.program_id = en.program_id AND j.id = en.journal_id
      JOIN events e ON e.program_id = j.program_id AND e.id = j.event_id
      JOIN wallets w ON w.program_id = en.program_id AND w.id = en.wallet_id
      WHERE en.program_id = ${program.id} AND w.kind = 'account' AND e.external_id IN ('500004', 'C500005-M')`.execute(t.database.db);
    expect(Number(net.rows[0]!.points)).toBe(0);
    const earned = await sql<{ points: string }>`
      SELECT coalesce(sum(en.amount), 0) AS points FROM entries en
      JOIN journals j ON j.program_id = en.program_id AND j.id = en.journal_id
      JOIN events e ON e.program_id = j.program_id AND e.id = j.event_id
      JOIN wallets w ON w.program_id = en.program_id AND w.id = en.wallet_id
      WHERE en.program_id = ${program.id} AND w.kind = 'account' AND e.external_id = '500004'`.execute(t.database.db);
    expect(Number(earned.rows[0]!.points)).toBeGreaterThan(38_970);
  });

  it('reads quoted fields and letters beyond ASCII as the file has them', async () => {
    const products = await t.database.db.selectFrom('products').select(['sku', 'name']).where('program_id', '=', program.id).where('sku', 'in', ['85099B', '23084']).orderBy('sku').execute();
    expect(products.map((p) => [p.sku, p.name])).toEqual([['23084', 'RÉGENCE TEACUP ØRE'], ['85099B', 'JUMBO BAG, RED RETROSPOT']]);
  });

  it('stops at a field whose quote is never closed, naming the file and the row', async () => {
    const broken = path.join(dir, 'broken.csv');
    fs.writeFileSync(broken, `${header}\n${namedRows[0]}\n500099,22423,"REGENCY CAKESTAND,1,2011-01-10 10:00:00,12.75,12345,United Kingdom\n`);
    const before = await ledgerState(program.id);
    await expect(importOnlineRetail(t.database.db, program, broken, { clock: t.clock })).rejects.toThrow(/broken\.csv, row \d+: .*[Qq]uote/);
    expect(await ledgerState(program.id)).toEqual(before);
  });

  it('bands a product’s margin by its most common price, the lower one on a tie', async () => {
    const products = await t.database.db.selectFrom('products').select(['sku', 'margin_class', 'unit_price']).where('program_id', '=', program.id).where('sku', 'in', ['90001', '90002']).orderBy('sku').execute();
    expect(products.map((p) => [p.sku, p.margin_class, Number(p.unit_price)])).toEqual([
      ['90001', 'high', 500],
      ['90002', 'low', 95],
    ]);
    expect(usualPrice(new Map([[495, 2], [95, 2], [300, 1]]))).toBe(95);
    expect(usualPrice(new Map([[95, 1], [495, 2]]))).toBe(495);
  });

  it('finds its program again on a second run and books nothing, saying what this run earned', async () => {
    const before = await ledgerState(program.id);
    const programsBefore = await t.database.db.selectFrom('programs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const again = await findOrCreateImportProgram(t.database.db, 'test-retail', () => createRetailProgram(t.database.db, t.clock()));
    expect(again.created).toBeUndefined();
    expect(again.program.id).toBe(program.id);
    second = await importOnlineRetail(t.database.db, again.program, file, { clock: t.clock });
    expect(second).toMatchObject({
      purchases: 0, returns: 0, manualReturns: 0, rejected: 0, pointsEarned: 0, pointsReversed: 0, unmatchedReturnLines: 0,
      replayed: first.events, events: first.events, accountsCreated: 0, productsCreated: 0, manualCredits: first.manualCredits,
    });
    expect(first.pointsEarned).toBeGreaterThan(0);
    expect(first.purchases + first.returns + first.manualReturns).toBe(first.events);
    expect(await ledgerState(program.id)).toEqual(before);
    const programsAfter = await t.database.db.selectFrom('programs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(programsAfter.n)).toBe(Number(programsBefore.n));
  });

  it('matches each purchase to one manual credit at most, and only purchases the credit follows', async () => {
    const data = await readRetailFile(readRetailRows(file));
    const matches = matchManualCredits(data.invoices);
    expect(matches.map((m) => [m.credit.invoiceNo, m.kind, m.kind === 'unmatched' ? null : m.original.invoiceNo])).toEqual([
      ['C500005', 'purchase', '500004'],
      ['C500007', 'line', '500006'],
      ['C500008', 'unmatched', null],
      ['C500009', 'unmatched', null],
      ['C500010', 'unmatched', null],
      ['C500017', 'unmatched', null],
    ]);
    // The same credit twice: the second finds the purchase taken.
    const twice = await readRetailFile((async function* () {
      for await (const r of readRetailRows(file)) {
        yield r;
        if (r.invoiceNo === 'C500005') yield { ...r, invoiceNo: 'C500005B', invoiceDate: '2011-01-11 09:04:00' };
      }
    })());
    expect(matchManualCredits(twice.invoices).filter((m) => m.credit.invoiceNo.startsWith('C500005')).map((m) => m.kind)).toEqual(['purchase', 'unmatched']);
  });
});

/** Each account's balance and each purchase line's returned quantity, by the file's ids. */
const bookedByCustomer = async (programId: string) => ({
  accounts: (await sql<{ external_id: string; available: string; lifetime_earned: string }>`
    SELECT a.external_id, w.available, w.lifetime_earned FROM accounts a JOIN wallets w ON w.program_id = a.program_id AND w.id = a.id
    WHERE a.program_id = ${programId} ORDER BY a.external_id`.execute(t.database.db)).rows.map((r) => [r.external_id, Number(r.available), Number(r.lifetime_earned)]),
  lines: (await sql<{ external_id: string; sku: string; returned_quantity: number }>`
    SELECT e.external_id, l.sku, l.returned_quantity FROM events e JOIN event_lines l ON l.program_id = e.program_id AND l.event_id = e.id
    WHERE e.program_id = ${programId} ORDER BY e.external_id, l.line_no`.execute(t.database.db)).rows.map((r) => [r.external_id, r.sku, Number(r.returned_quantity)]),
});

describe('an import in two lanes (on a server: one batch written while the next is prepared)', () => {
  it('books what one lane books: each customer’s invoices in the file’s order, the same returns matched', async () => {
    const made = await findOrCreateImportProgram(t.database.db, 'test-retail-lanes', () => createRetailProgram(t.database.db, t.clock()));
    // Batches of seven events: many batches per lane, the two lanes' batches written at the same time.
    const lanes = await importOnlineRetail(t.database.db, made.program, file, { clock: t.clock, lanes: 2, batchSize: 7 });
    const figures = (s: RetailImportSummary) => ({
      events: s.events, purchases: s.purchases, returns: s.returns, manualReturns: s.manualReturns, rejected: s.rejected,
      pointsEarned: s.pointsEarned, pointsReversed: s.pointsReversed, unmatchedReturnLines: s.unmatchedReturnLines, mergedRows: s.mergedRows,
    });
    expect(figures(lanes)).toEqual(figures(first));
    expect(lanes.pointsReversed).toBeGreaterThan(0);
    const one = await bookedByCustomer(program.id);
    expect(one.accounts.length).toBeGreaterThan(10);
    expect(await bookedByCustomer(made.program.id)).toEqual(one);
  });

  it('is used only on a server, and only where the order between customers changes nothing', async () => {
    const own = (await getProgram(t.database.db, t.programId))!;
    expect(await importLanes(t.database.db, own, 'pglite')).toBe(1);
    expect(await importLanes(t.database.db, own, 'postgres')).toBe(2);
    // A chain shares its caps between accounts; a campaign's budget goes to the events that come first.
    expect(await importLanes(t.database.db, { ...own, hierarchyRollup: 'chain' }, 'postgres')).toBe(1);
    const campaign = await t.call('POST', '/v1/campaigns', {
      name: 'Double December', segmentKeys: [], startsAt: '2026-12-01T00:00:00+01:00', endsAt: '2027-01-01T00:00:00+01:00',
      effects: [{ type: 'multiplier', factor: 2 }], budgetPoints: 500, controlPercent: 0,
    });
    expect(campaign.statusCode, campaign.body).toBe(201);
    expect(await importLanes(t.database.db, own, 'postgres')).toBe(1);
  });
});

/** The command as a user runs it, twice, on an embedded data directory of its own. */
describe.skipIf(onPostgres)('lojal import online-retail', () => {
  it('creates its program on the first run and replays into it on the second', () => {
    const env: Record<string, string | undefined> = { ...process.env, LOJAL_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    const run = () => spawnSync(process.execPath, ['bin/lojal.js', 'import', 'online-retail', file], { env, encoding: 'utf8' });
    const one = run();
    expect(one.status, one.stderr + one.stdout).toBe(0);
    const id = /Program ([0-9a-f-]{36}) created/.exec(one.stdout)?.[1];
    expect(id, one.stdout).toBeDefined();
    expect(one.stdout).toContain('unmatched 4 (£131.07)');
    const two = run();
    expect(two.status, two.stderr + two.stdout).toBe(0);
    expect(two.stdout).toContain(`Program ${id} ("Online Retail (UCI)") made by an earlier run`);
    expect(two.stdout).toContain('This run booked nothing new');
    expect(two.stdout).toContain('Points earned this run 0, taken back 0.');
    expect(two.stdout).not.toContain('created. Admin API key');
    // Two processes each open an embedded database from scratch: slow on a loaded machine, so a generous limit.
  }, 600_000);
});
