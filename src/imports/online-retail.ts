/**
 * Reads the UCI "Online Retail" invoice lines (a UK wholesaler, Dec 2010 – Dec 2011) and turns them into
 * Lojal's vocabulary: customers become accounts, stock codes become products, invoices become purchase
 * events and `C` invoices (cancellations) become returns, matched to the customer's earlier purchases.
 *
 * The data has no categories or margins. To let cross-sell and up-sell rules mean something, products
 * get a category from keywords in their description and a margin class from their price band; both are
 * stated here and in the README as derived, not given.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { upsertAccounts } from '../accounts/index.js';
import { upsertCategories, upsertProducts } from '../catalog/index.js';
import type { Db } from '../db/database.js';
import { ingestEvents } from '../events/ingest.js';
import { wallTimeToUtc } from '../ledger/expiry.js';
import type { Program } from '../programs/programs.js';

export interface RetailRow {
  invoiceNo: string;
  stockCode: string;
  description: string;
  quantity: number;
  invoiceDate: string;
  unitPrice: number;
  customerId: string;
  country: string;
}

export interface RetailInvoice {
  invoiceNo: string;
  cancellation: boolean;
  customerId: string;
  country: string;
  occurredAt: Date;
  lines: Array<{ sku: string; quantity: number; amount: number }>;
}

export interface RetailCounts {
  rows: number;
  rowsWithoutCustomer: number;
  nonProductRows: number;
  invalidRows: number;
  invoices: number;
  cancellations: number;
}

/** Country names as the data spells them → ISO 3166 alpha-2 (null: not a country). */
export const countryCodes: Record<string, string | null> = {
  Australia: 'AU', Austria: 'AT', Bahrain: 'BH', Belgium: 'BE', Brazil: 'BR', Canada: 'CA', 'Channel Islands': 'JE',
  Cyprus: 'CY', 'Czech Republic': 'CZ', Denmark: 'DK', EIRE: 'IE', 'European Community': null, Finland: 'FI',
  France: 'FR', Germany: 'DE', Greece: 'GR', 'Hong Kong': 'HK', Iceland: 'IS', Israel: 'IL', Italy: 'IT', Japan: 'JP',
  Lebanon: 'LB', Lithuania: 'LT', Malta: 'MT', Netherlands: 'NL', Norway: 'NO', Poland: 'PL', Portugal: 'PT',
  RSA: 'ZA', 'Saudi Arabia': 'SA', Singapore: 'SG', Spain: 'ES', Sweden: 'SE', Switzerland: 'CH', USA: 'US',
  'United Arab Emirates': 'AE', 'United Kingdom': 'GB', Unspecified: null,
};

/** Keyword → category, first match wins; the order puts specific words before general ones. */
export const categoryKeywords: Array<[string, RegExp]> = [
  ['christmas', /CHRISTMAS|XMAS|ADVENT|SANTA|REINDEER|SNOWFLAKE/],
  ['candles-lighting', /CANDLE|T-LIGHT|TLIGHT|LANTERN|LIGHT|LAMP/],
  ['bags', /\bBAG\b|BAGS|PURSE|SHOPPER|TOTE/],
  ['kitchen', /MUG|CUP|PLATE|BOWL|TEA|CAKE|BAKING|JAR|LUNCH|KITCHEN|SPOON|NAPKIN|BOTTLE|COASTER|CUTLERY|JUG/],
  ['cards-paper', /CARD|WRAP|PAPER|NOTEBOOK|STICKER|PENCIL|PEN\b|ENVELOPE|BOOK|CALENDAR/],
  ['textiles', /CUSHION|APRON|TOWEL|BLANKET|THROW|TEA COSY|SCARF/],
  ['jewellery', /NECKLACE|BRACELET|EARRING|RING\b|BROOCH|HAIR|JEWEL/],
  ['toys-games', /TOY|GAME|DOLL|PUZZLE|SKITTLES|DOMINOES|PLAYHOUSE|SPACEBOY|DINOSAUR/],
  ['garden', /GARDEN|PLANT|FLOWER|BIRD|WATERING|HERB/],
  ['storage', /\bBOX\b|BOXES|TIN\b|TINS|BASKET|HOLDER|DRAWER|STORAGE|CRATE/],
  ['decoration', /HEART|SIGN|FRAME|CLOCK|ORNAMENT|DECORATION|HANGING|BUNTING|GARLAND|MIRROR|VINTAGE/],
];

export function categoryOf(description: string): string {
  const d = description.toUpperCase();
  for (const [code, re] of categoryKeywords) if (re.test(d)) return code;
  return 'other';
}

/** Price band as a stand-in for margin: dear items carry the margin in a gift wholesaler's range. */
export function marginClassOf(unitPricePence: number): 'high' | 'standard' | 'low' {
  if (unitPricePence >= 495) return 'high';
  if (unitPricePence < 100) return 'low';
  return 'standard';
}

/** Stock codes that are not goods: postage, manual lines, discounts, bank charges, carriage… */
export const isProductCode = (code: string) => /^\d/.test(code);

export const pence = (pounds: number) => Math.round(pounds * 100);

export async function* readRetailRows(file: string): AsyncGenerator<RetailRow> {
  const input = createReadStream(file);
  const source = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  const parser = source.pipe(parse({ columns: true, skip_empty_lines: true, relax_quotes: false }));
  for await (const r of parser as AsyncIterable<Record<string, string>>) {
    yield {
      invoiceNo: r.InvoiceNo ?? '',
      stockCode: (r.StockCode ?? '').trim().toUpperCase(),
      description: (r.Description ?? '').trim(),
      quantity: Number(r.Quantity),
      invoiceDate: r.InvoiceDate ?? '',
      unitPrice: Number(r.UnitPrice),
      customerId: (r.CustomerID ?? '').trim(),
      country: (r.Country ?? '').trim(),
    };
  }
}

/**
 * Groups consecutive rows of one invoice (the file is ordered by invoice) into events, skipping and
 * counting what cannot be an event: rows without a customer, non-product lines, broken rows.
 */
export async function* invoicesOf(rows: AsyncIterable<RetailRow>, counts: RetailCounts): AsyncGenerator<RetailInvoice> {
  let current: RetailInvoice | undefined;
  // An invoice number that comes back after other invoices is a separate fragment: it gets its own event id.
  const seen = new Map<string, number>();
  const merge = new Map<string, { sku: string; quantity: number; amount: number }>();
  const flush = () => {
    if (current && merge.size) {
      current.lines = [...merge.values()];
      counts.invoices++;
      if (current.cancellation) counts.cancellations++;
      return current;
    }
    return undefined;
  };
  for await (const row of rows) {
    counts.rows++;
    if (!row.customerId) {
      counts.rowsWithoutCustomer++;
      continue;
    }
    if (!isProductCode(row.stockCode)) {
      counts.nonProductRows++;
      continue;
    }
    const cancellation = row.invoiceNo.startsWith('C');
    const quantity = Math.abs(row.quantity);
    if (!Number.isInteger(row.quantity) || quantity === 0 || !(row.unitPrice >= 0) || !/^\d{4}-\d\d-\d\d \d\d:\d\d/.test(row.invoiceDate)) {
      counts.invalidRows++;
      continue;
    }
    if (!current || current.invoiceNo.split('#')[0] !== row.invoiceNo) {
      const done = flush();
      if (done) yield done;
      merge.clear();
      const times = (seen.get(row.invoiceNo) ?? 0) + 1;
      seen.set(row.invoiceNo, times);
      current = {
        invoiceNo: times === 1 ? row.invoiceNo : `${row.invoiceNo}#${times}`,
        cancellation,
        customerId: row.customerId,
        country: row.country,
        occurredAt: ukTime(row.invoiceDate),
        lines: [],
      };
    }
    // One invoice may list a stock code twice; Lojal takes one line per product.
    const line = merge.get(row.stockCode) ?? { sku: row.stockCode, quantity: 0, amount: 0 };
    line.quantity += quantity;
    line.amount += pence(row.unitPrice * quantity);
    merge.set(row.stockCode, line);
  }
  const last = flush();
  if (last) yield last;
}

/** `2011-03-27 10:00:00` on a UK clock → the instant. */
export function ukTime(local: string): Date {
  const [date, time = '00:00:00'] = local.split(' ');
  const [y, m, d] = date!.split('-').map(Number);
  const [hh, mm, ss = 0] = time.split(':').map(Number);
  return wallTimeToUtc(y!, m!, d!, hh!, mm!, ss, 'Europe/London');
}

export interface RetailImportSummary extends RetailCounts {
  accounts: number;
  products: number;
  purchases: number;
  returns: number;
  replayed: number;
  rejected: number;
  unmatchedReturnLines: number;
  pointsEarned: number;
  pointsReversed: number;
  errors: Array<{ invoice: string; code: string; message: string }>;
  seconds: number;
  eventSeconds: number;
}

/**
 * Imports the file into a program: one pass to create the accounts and products it names, a second to send
 * its invoices as events in batches of 1,000. Running it again replays every event and changes nothing.
 */
export async function importOnlineRetail(
  db: Db,
  program: Program,
  file: string,
  onProgress: (phase: 'catalog' | 'events', done: number) => void = () => {},
): Promise<RetailImportSummary> {
  const t0 = performance.now();

  const customers = new Map<string, string>();
  const products = new Map<string, { name: string; price: number }>();
  let rowsSeen = 0;
  for await (const row of readRetailRows(file)) {
    if (++rowsSeen % 50_000 === 0) onProgress('catalog', rowsSeen);
    if (!row.customerId || !isProductCode(row.stockCode)) continue;
    if (!customers.has(row.customerId)) customers.set(row.customerId, row.country);
    const p = products.get(row.stockCode);
    // The most common price tells the product's band better than any one invoice's discount.
    if (!p) products.set(row.stockCode, { name: row.description || row.stockCode, price: pence(row.unitPrice) });
    else if (!p.name && row.description) p.name = row.description;
  }
  await upsertCategories(db, program.id, [...new Set([...categoryKeywords.map(([c]) => c), 'other'])].map((code) => ({ code, name: code.replace(/-/g, ' ') })));
  const customerList = [...customers];
  for (let i = 0; i < customerList.length; i += 1000) {
    await upsertAccounts(db, program.id, customerList.slice(i, i + 1000).map(([id, country]) => ({
      externalId: id,
      name: `Customer ${id}`,
      country: countryCodes[country] ?? null,
      segment: country === 'United Kingdom' ? 'domestic' : 'export',
    })));
  }
  const productList = [...products];
  for (let i = 0; i < productList.length; i += 1000) {
    await upsertProducts(db, program.id, productList.slice(i, i + 1000).map(([sku, p]) => ({
      sku,
      name: p.name.slice(0, 300) || sku,
      categoryCode: categoryOf(p.name),
      marginClass: marginClassOf(p.price),
      unitPrice: p.price,
    })));
  }

  const counts: RetailCounts = { rows: 0, rowsWithoutCustomer: 0, nonProductRows: 0, invalidRows: 0, invoices: 0, cancellations: 0 };
  const summary: RetailImportSummary = {
    ...counts, accounts: customers.size, products: products.size, purchases: 0, returns: 0, replayed: 0, rejected: 0,
    unmatchedReturnLines: 0, pointsEarned: 0, pointsReversed: 0, errors: [], seconds: 0, eventSeconds: 0,
  };
  const tEvents = performance.now();
  let batch: RetailInvoice[] = [];
  const send = async () => {
    const events = batch.map((inv) => ({
      id: inv.invoiceNo,
      type: inv.cancellation ? 'return' : 'purchase',
      occurredAt: inv.occurredAt.toISOString(),
      account: inv.customerId,
      lines: inv.lines,
    }));
    const items = await ingestEvents(db, program, events, { now: new Date(), futureToleranceSeconds: 300 });
    items.forEach((item, i) => {
      if (item.status === 'rejected') {
        summary.rejected++;
        if (summary.errors.length < 100) summary.errors.push({ invoice: batch[i]!.invoiceNo, code: item.error.code, message: item.error.message });
        return;
      }
      if (item.status === 'replayed') summary.replayed++;
      else if (batch[i]!.cancellation) summary.returns++;
      else summary.purchases++;
      summary.pointsEarned += item.record.postings.reduce((s, p) => s + p.points, 0);
      summary.pointsReversed += item.record.reversals.reduce((s, r) => s + r.points, 0);
      summary.unmatchedReturnLines += item.record.unmatched.length;
    });
    onProgress('events', counts.rows);
    batch = [];
  };
  for await (const inv of invoicesOf(readRetailRows(file), counts)) {
    batch.push(inv);
    if (batch.length === 1000) await send();
  }
  if (batch.length) await send();
  Object.assign(summary, counts);
  summary.eventSeconds = (performance.now() - tEvents) / 1000;
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}
