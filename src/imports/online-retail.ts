/**
 * Reads the UCI "Online Retail" invoice lines (a UK wholesaler, Dec 2010 – Dec 2011) and turns them into
 * Lojal's vocabulary: customers become accounts, stock codes become products, invoices become purchase
 * events and `C` invoices (cancellations) become returns, matched to the customer's earlier purchases. Manual
 * credits (`M` rows on a `C` invoice) are matched to a purchase by value (see matchManualCredits).
 *
 * The data has no categories or margins. To let cross-sell and up-sell rules mean something, products
 * get a category from keywords in their description and a margin class from the band of their most common
 * price; both are stated here and in the docs as derived, not given.
 */
import { sql } from 'kysely';
import { upsertAccounts } from '../accounts/index.js';
import type { BatchItemResult } from '../batch/index.js';
import { toItemError } from '../batch/index.js';
import { upsertCategories, upsertProducts } from '../catalog/index.js';
import { systemClock, type Clock } from '../clock/index.js';
import type { Db } from '../db/database.js';
import { ingestEvents, refreshIngestStatistics, type IngestItem } from '../events/ingest.js';
import type { Program } from '../programs/programs.js';
import {
  addLine, completeInvoices, emptyCounts, keptRows, pence, readRetailRows,
  type RetailCounts, type RetailInvoice, type RetailLine, type RetailRow,
} from './online-retail-file.js';

export {
  checkRetailFile, completeInvoices, emptyCounts, isProductCode, MANUAL_CODE, pence, readRetailRows, RETAIL_COLUMNS, ukTime,
  type RetailCounts, type RetailInvoice, type RetailLine, type RetailRow,
} from './online-retail-file.js';

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

/** A product as the file shows it: its first description and how often each unit price occurs. */
export interface RetailProduct {
  name: string;
  prices: Map<number, number>;
}

export interface RetailFile {
  /** In the order of each invoice number's first row. */
  invoices: RetailInvoice[];
  /** Customer id → the country of their first row. */
  customers: Map<string, string>;
  products: Map<string, RetailProduct>;
  counts: RetailCounts;
}

/**
 * Reads the whole file and groups its rows by invoice number (not by runs of consecutive rows: in the file a
 * credit row may stand between two rows of one invoice, as in 542806). The invoices are held in memory: the
 * reference the tests check the streaming import against (importOnlineRetail holds none of this).
 */
export async function readRetailFile(rows: AsyncIterable<RetailRow>, onRow: (n: number) => void = () => {}): Promise<RetailFile> {
  const counts = emptyCounts();
  const byNumber = new Map<string, RetailInvoice & { merge: Map<string, RetailLine> }>();
  const customers = new Map<string, string>();
  const products = new Map<string, RetailProduct>();
  for await (const { row, occurredAt, manualCredit, quantity, amount } of keptRows(rows, counts, onRow)) {
    const cancellation = row.invoiceNo.startsWith('C');
    let invoice = byNumber.get(row.invoiceNo);
    if (!invoice) {
      invoice = { invoiceNo: row.invoiceNo, cancellation, customerId: row.customerId, country: row.country, occurredAt, lines: [], manualCredit: 0, merge: new Map() };
      byNumber.set(row.invoiceNo, invoice);
    } else if (occurredAt < invoice.occurredAt) invoice.occurredAt = occurredAt;
    if (manualCredit) {
      invoice.manualCredit += amount;
      continue;
    }
    // A customer with only manual credits bought nothing here: no account for them.
    if (!customers.has(row.customerId)) customers.set(row.customerId, row.country);
    const product = products.get(row.stockCode) ?? { name: '', prices: new Map<number, number>() };
    if (!product.name && row.description) product.name = row.description;
    const price = pence(row.unitPrice);
    product.prices.set(price, (product.prices.get(price) ?? 0) + 1);
    products.set(row.stockCode, product);
    // An invoice may list a stock code on several rows; Lojal takes one line per product and the counts say so.
    if (addLine(invoice, row.stockCode, quantity, amount)) counts.mergedRows++;
  }
  const invoices: RetailInvoice[] = [];
  for (const { merge: _merge, ...invoice } of byNumber.values()) {
    invoices.push(invoice);
    if (invoice.lines.length) {
      counts.invoices++;
      counts.eventLines += invoice.lines.length;
      if (invoice.cancellation) counts.cancellations++;
    }
  }
  return { invoices, customers, products, counts };
}

/**
 * The product's usual price: the unit price on most of its rows; on a tie the lower price, so the answer does
 * not depend on the order of the file.
 */
export function usualPrice(prices: Map<number, number>): number {
  let best = 0;
  let bestCount = -1;
  for (const [price, n] of prices) {
    if (n > bestCount || (n === bestCount && price < best)) {
      best = price;
      bestCount = n;
    }
  }
  return best;
}

/** What a manual credit was matched to. */
export type ManualMatch =
  | { credit: RetailInvoice; kind: 'purchase'; original: RetailInvoice }
  | { credit: RetailInvoice; kind: 'line'; original: RetailInvoice; line: RetailLine }
  | { credit: RetailInvoice; kind: 'unmatched' };

/**
 * Manual credits (the `M` rows of one `C` invoice, summed) carry no stock code, so they are matched by value:
 * a credit of V pence for customer X is taken as the return of
 *  1. X's latest purchase (in file order) dated no later than the credit whose product lines sum to exactly V
 *     and that no earlier credit took — the whole purchase comes back; else
 *  2. X's latest such purchase with one product line (stock codes merged) worth exactly V that no earlier credit
 *     took and whose stock code X has not cancelled on a `C` invoice up to the credit (that cancellation may
 *     already have taken the line back) — that line comes back, all of its quantity;
 *  3. else it is unmatched: a goodwill credit, a price correction, or a refund of a purchase from before the
 *     data starts. Its value is reported, no points are taken back.
 * Purchases count only if their invoice's first row comes before the credit's, which is also the order the
 * events are sent in. Credits are matched in file order, each purchase (or line) at most once.
 */
export function matchManualCredits(invoices: readonly RetailInvoice[]): ManualMatch[] {
  const purchasesOf = new Map<string, RetailInvoice[]>();
  const takenInvoices = new Set<RetailInvoice>();
  const takenLines = new Set<RetailLine>();
  const cancelledSkus = new Map<string, Set<string>>();
  const matches: ManualMatch[] = [];
  for (const invoice of invoices) {
    if (!invoice.cancellation) {
      if (!invoice.lines.length) continue;
      const list = purchasesOf.get(invoice.customerId) ?? [];
      list.push(invoice);
      purchasesOf.set(invoice.customerId, list);
      continue;
    }
    // Its own product lines are sent before its manual credit, so they count as cancelled already.
    const cancelled = cancelledSkus.get(invoice.customerId) ?? new Set<string>();
    for (const l of invoice.lines) cancelled.add(l.sku);
    cancelledSkus.set(invoice.customerId, cancelled);
    const value = invoice.manualCredit;
    if (value <= 0) continue;
    const earlier = (purchasesOf.get(invoice.customerId) ?? []).filter((p) => p.occurredAt <= invoice.occurredAt && !takenInvoices.has(p));
    const whole = [...earlier].reverse().find((p) => p.lines.reduce((s, l) => s + l.amount, 0) === value && !p.lines.some((l) => takenLines.has(l)));
    if (whole) {
      takenInvoices.add(whole);
      matches.push({ credit: invoice, kind: 'purchase', original: whole });
      continue;
    }
    let found: ManualMatch | undefined;
    for (let i = earlier.length - 1; i >= 0 && !found; i--) {
      const line = earlier[i]!.lines.find((l) => l.amount === value && !takenLines.has(l) && !cancelled.has(l.sku));
      if (line) found = { credit: invoice, kind: 'line', original: earlier[i]!, line };
    }
    if (found?.kind === 'line') takenLines.add(found.line);
    matches.push(found ?? { credit: invoice, kind: 'unmatched' });
  }
  return matches;
}

/** The event id of a manual credit: its own, next to the invoice's event for any product lines on it. */
export const manualCreditEventId = (invoiceNo: string) => `${invoiceNo}-M`;

export interface ValueCount {
  count: number;
  /** Pence. */
  value: number;
}

export interface RetailImportSummary extends RetailCounts {
  accounts: number;
  accountsCreated: number;
  /** Accounts and products the batch upsert refused (their events are then refused too): listed in `refused`. */
  accountsFailed: number;
  products: number;
  productsCreated: number;
  productsFailed: number;
  /** The first 100 accounts and products refused, by the customer id or stock code. */
  refused: Array<{ kind: 'account' | 'product'; id: string; code: string; message: string }>;
  /** Events sent: one per invoice with product lines, one per matched manual credit. */
  events: number;
  /** The figures below count what THIS run booked; a second run of the same file replays everything. */
  purchases: number;
  returns: number;
  manualReturns: number;
  replayed: number;
  rejected: number;
  unmatchedReturnLines: number;
  pointsEarned: number;
  pointsReversed: number;
  /** Manual credits in the file (with a customer), by how they were matched; the same on every run. */
  manualCredits: ValueCount & { matchedPurchases: ValueCount; matchedLines: ValueCount; unmatched: ValueCount };
  errors: Array<{ invoice: string; code: string; message: string }>;
  seconds: number;
  readSeconds: number;
  eventSeconds: number;
}

const BATCH = 1000;

export interface RetailImportOptions {
  onProgress?: (phase: 'read' | 'events', done: number) => void;
  /** The app's clock: events dated after it (plus futureToleranceSeconds) are refused. */
  clock?: Clock;
  /** How far in the future an event may lie (LOJAL_FUTURE_TOLERANCE_SECONDS; 300 by default). */
  futureToleranceSeconds?: number;
  /**
   * How many batches may be written at once, each for its own share of the customers (1 by default). On a database
   * server, 2 lets this process prepare one customer share's batch while the server writes the other's. Only for
   * programs where the order between customers cannot matter (see importLanes).
   */
  lanes?: number;
  /** Events per batch (1,000): smaller in tests, to have many batches of a small file. */
  batchSize?: number;
}

/**
 * The lanes an import may use on `database`: one on the embedded database (it runs in this process, nothing to
 * overlap), two on a server when the order between customers changes nothing. Each customer's invoices stay in
 * the file's order in one lane; what two customers share is a chain's caps (chain roll-up) and campaign budgets
 * (the first events to arrive get the last of a budget), so a program with either keeps the file's order.
 */
export async function importLanes(db: Db, program: Program, kind: 'pglite' | 'postgres'): Promise<number> {
  if (kind === 'pglite' || program.hierarchyRollup === 'chain') return 1;
  const campaigns = await sql`SELECT 1 FROM campaigns WHERE program_id = ${program.id} LIMIT 1`.execute(db);
  return campaigns.rows.length ? 1 : 2;
}

/** What the first pass over the file learns, all of it small: what must exist, or be known, before any event is sent. */
interface RetailIndex {
  counts: RetailCounts;
  customers: Map<string, string>;
  products: Map<string, RetailProduct>;
  /** Invoice number → the number of its last kept row (kept: with a customer, a product or manual credit, valid). */
  lastRow: Map<string, number>;
  /** Customer → the values of their manual credits: only purchases that could match one are kept for matching. */
  creditValues: Map<string, Set<number>>;
}

/** Pass one: counts, customers, products, where each invoice ends, and the manual credits' values. */
async function indexRetailFile(file: string, onRow: (n: number) => void): Promise<RetailIndex> {
  const counts = emptyCounts();
  const customers = new Map<string, string>();
  const products = new Map<string, RetailProduct>();
  const lastRow = new Map<string, number>();
  const credits = new Map<string, { customerId: string; value: number }>();
  let n = 0;
  for await (const { row, manualCredit, amount } of keptRows(readRetailRows(file), counts, onRow)) {
    lastRow.set(row.invoiceNo, ++n);
    if (manualCredit) {
      const credit = credits.get(row.invoiceNo) ?? { customerId: row.customerId, value: 0 };
      credit.value += amount;
      credits.set(row.invoiceNo, credit);
      continue;
    }
    if (!customers.has(row.customerId)) customers.set(row.customerId, row.country);
    const product = products.get(row.stockCode) ?? { name: '', prices: new Map<number, number>() };
    if (!product.name && row.description) product.name = row.description;
    const price = pence(row.unitPrice);
    product.prices.set(price, (product.prices.get(price) ?? 0) + 1);
    products.set(row.stockCode, product);
  }
  const creditValues = new Map<string, Set<number>>();
  for (const { customerId, value } of credits.values()) {
    if (value <= 0) continue;
    const values = creditValues.get(customerId) ?? new Set<number>();
    values.add(value);
    creditValues.set(customerId, values);
  }
  return { counts, customers, products, lastRow, creditValues };
}

/**
 * matchManualCredits, one invoice at a time in the order of their first rows: the same answers, holding only the
 * purchases of customers with a manual credit that could match one of its values (a whole purchase or a line of
 * that value), and what those customers cancelled.
 */
function manualCreditMatcher(creditValues: Map<string, Set<number>>): (invoice: RetailInvoice) => ManualMatch | undefined {
  const purchasesOf = new Map<string, RetailInvoice[]>();
  const takenInvoices = new Set<RetailInvoice>();
  const takenLines = new Set<RetailLine>();
  const cancelledSkus = new Map<string, Set<string>>();
  return (invoice) => {
    const values = creditValues.get(invoice.customerId);
    if (!values) return undefined;
    if (!invoice.cancellation) {
      if (!invoice.lines.length) return undefined;
      const candidate = values.has(invoice.lines.reduce((s, l) => s + l.amount, 0)) || invoice.lines.some((l) => values.has(l.amount));
      if (!candidate) return undefined;
      const list = purchasesOf.get(invoice.customerId) ?? [];
      list.push(invoice);
      purchasesOf.set(invoice.customerId, list);
      return undefined;
    }
    const cancelled = cancelledSkus.get(invoice.customerId) ?? new Set<string>();
    for (const l of invoice.lines) cancelled.add(l.sku);
    cancelledSkus.set(invoice.customerId, cancelled);
    const value = invoice.manualCredit;
    if (value <= 0) return undefined;
    const earlier = (purchasesOf.get(invoice.customerId) ?? []).filter((p) => p.occurredAt <= invoice.occurredAt && !takenInvoices.has(p));
    const whole = [...earlier].reverse().find((p) => p.lines.reduce((s, l) => s + l.amount, 0) === value && !p.lines.some((l) => takenLines.has(l)));
    if (whole) {
      takenInvoices.add(whole);
      return { credit: invoice, kind: 'purchase', original: whole };
    }
    for (let i = earlier.length - 1; i >= 0; i--) {
      const line = earlier[i]!.lines.find((l) => l.amount === value && !takenLines.has(l) && !cancelled.has(l.sku));
      if (line) {
        takenLines.add(line);
        return { credit: invoice, kind: 'line', original: earlier[i]!, line };
      }
    }
    return { credit: invoice, kind: 'unmatched' };
  };
}

/**
 * Imports the file into a program in two streaming passes, never holding the file: the first counts the rows and
 * gathers the accounts, the products, where each invoice ends and the manual credits' values; the accounts and
 * products are written; the second groups the rows by invoice number (an invoice is sent once its last row is read,
 * in the order of the invoices' first rows, as when the file was read whole), matches the manual credits as it goes
 * (matchManualCredits' rules) and sends the events in batches of 1,000. Every event id comes from the file and every
 * event's content is the same on each run, so running it again replays every event and books nothing.
 */
export async function importOnlineRetail(db: Db, program: Program, file: string, opts: RetailImportOptions = {}): Promise<RetailImportSummary> {
  const onProgress = opts.onProgress ?? (() => {});
  const clock = opts.clock ?? systemClock;
  const t0 = performance.now();
  const index = await indexRetailFile(file, (n) => onProgress('read', n));
  const readSeconds = (performance.now() - t0) / 1000;

  await upsertCategories(db, program.id, [...new Set([...categoryKeywords.map(([c]) => c), 'other'])].map((code) => ({ code, name: code.replace(/-/g, ' ') })), clock());
  let accountsCreated = 0;
  let accountsFailed = 0;
  let productsFailed = 0;
  const refused: RetailImportSummary['refused'] = [];
  const noteRefused = (kind: 'account' | 'product', ids: string[], results: BatchItemResult[]) => {
    results.forEach((r, i) => {
      if (r.status !== 'error') return;
      if (kind === 'account') accountsFailed++;
      else productsFailed++;
      if (refused.length < 100) refused.push({ kind, id: ids[i]!, code: r.error!.code, message: r.error!.message });
    });
  };
  const customerList = [...index.customers];
  for (let i = 0; i < customerList.length; i += BATCH) {
    const chunk = customerList.slice(i, i + BATCH);
    const results = await upsertAccounts(db, program.id, chunk.map(([id, country]) => ({
      externalId: id,
      name: `Customer ${id}`,
      country: countryCodes[country] ?? null,
      segment: country === 'United Kingdom' ? 'domestic' : 'export',
    })), clock());
    accountsCreated += results.filter((r) => r.status === 'created').length;
    noteRefused('account', chunk.map(([id]) => id), results);
  }
  let productsCreated = 0;
  const productList = [...index.products];
  for (let i = 0; i < productList.length; i += BATCH) {
    const chunk = productList.slice(i, i + BATCH);
    const results = await upsertProducts(db, program.id, chunk.map(([sku, p]) => {
      const price = usualPrice(p.prices);
      return { sku, name: p.name.slice(0, 300) || sku, categoryCode: categoryOf(p.name), marginClass: marginClassOf(price), unitPrice: price };
    }), clock());
    productsCreated += results.filter((r) => r.status === 'created').length;
    noteRefused('product', chunk.map(([sku]) => sku), results);
  }
  // Counted again by the second pass as it groups the rows; the first pass's counts stand.
  const counts = index.counts;
  const recount = emptyCounts();

  const zero = (): ValueCount => ({ count: 0, value: 0 });
  const summary: RetailImportSummary = {
    ...counts,
    accounts: index.customers.size, accountsCreated, accountsFailed, products: index.products.size, productsCreated, productsFailed, refused,
    events: 0, purchases: 0, returns: 0, manualReturns: 0, replayed: 0, rejected: 0, unmatchedReturnLines: 0, pointsEarned: 0, pointsReversed: 0,
    manualCredits: { ...zero(), matchedPurchases: zero(), matchedLines: zero(), unmatched: zero() },
    errors: [], seconds: 0, readSeconds, eventSeconds: 0,
  };

  const tEvents = performance.now();
  type Sent = { event: Record<string, unknown>; kind: 'purchase' | 'return' | 'manual' };
  let sentRows = 0;
  let batches = 0;
  const tally = (sent: Sent[], items: IngestItem[]) => {
    items.forEach((item, i) => {
      const one = sent[i]!;
      if (item.status === 'rejected') {
        summary.rejected++;
        if (summary.errors.length < 100) summary.errors.push({ invoice: String(one.event.id), code: item.error.code, message: toItemError(item.error).message });
        return;
      }
      if (item.status === 'replayed') {
        summary.replayed++;
        return;
      }
      if (one.kind === 'purchase') summary.purchases++;
      else if (one.kind === 'return') summary.returns++;
      else summary.manualReturns++;
      summary.pointsEarned += item.record.postings.reduce((s, p) => s + p.points, 0);
      summary.pointsReversed += item.record.reversals.reduce((s, r) => s + r.points, 0);
      summary.unmatchedReturnLines += item.record.unmatched.length;
    });
    summary.events += sent.length;
  };
  // Each lane holds a share of the customers: the batch being filled and the one being written. While a batch is
  // written, the file is read on and the next batch prepared, so this process and the database work at once.
  const laneCount = Math.max(1, Math.floor(opts.lanes ?? 1));
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? BATCH));
  const lanes = Array.from({ length: laneCount }, () => ({ batch: [] as Sent[], writing: Promise.resolve() }));
  const laneOf = (customerId: string) => {
    if (laneCount === 1) return lanes[0]!;
    let h = 0;
    for (let i = 0; i < customerId.length; i++) h = (h * 31 + customerId.charCodeAt(i)) >>> 0;
    return lanes[h % laneCount]!;
  };
  const write = async (sent: Sent[], rows: number) => {
    tally(sent, await ingestEvents(db, program, sent.map((b) => b.event), { now: clock(), futureToleranceSeconds: opts.futureToleranceSeconds ?? 300 }));
    onProgress('events', rows);
    // The tables double in size between these batches: fresh statistics keep the plans index lookups.
    if ((++batches & (batches - 1)) === 0) await refreshIngestStatistics(db);
  };
  const send = async (lane: (typeof lanes)[number]) => {
    const sent = lane.batch;
    lane.batch = [];
    // A lane writes its batches one after the other, in the file's order.
    await lane.writing;
    lane.writing = write(sent, sentRows);
    // Awaited by the lane's next batch or at the end; a failure is not left unhandled in between.
    lane.writing.catch(() => {});
  };

  const match = manualCreditMatcher(index.creditValues);
  /** An invoice whose last row has been read: counted, matched, and its events put in the batch. */
  const emit = async (inv: RetailInvoice) => {
    // A manual credit's original and a cancellation's purchases are the same customer's: in the same lane.
    const lane = laneOf(inv.customerId);
    if (inv.lines.length) {
      summary.invoices++;
      summary.eventLines += inv.lines.length;
      if (inv.cancellation) summary.cancellations++;
      lane.batch.push({
        kind: inv.cancellation ? 'return' : 'purchase',
        event: { id: inv.invoiceNo, type: inv.cancellation ? 'return' : 'purchase', occurredAt: inv.occurredAt.toISOString(), account: inv.customerId, lines: inv.lines },
      });
    }
    const m = match(inv);
    if (m) {
      const tally = m.kind === 'purchase' ? summary.manualCredits.matchedPurchases : m.kind === 'line' ? summary.manualCredits.matchedLines : summary.manualCredits.unmatched;
      for (const v of [summary.manualCredits, tally]) {
        v.count++;
        v.value += inv.manualCredit;
      }
    }
    if (m && m.kind !== 'unmatched') {
      lane.batch.push({
        kind: 'manual',
        event: {
          id: manualCreditEventId(inv.invoiceNo),
          type: 'return',
          occurredAt: inv.occurredAt.toISOString(),
          account: inv.customerId,
          originalId: m.original.invoiceNo,
          ...(m.kind === 'line' && { lines: [{ sku: m.line.sku, quantity: m.line.quantity }] }),
        },
      });
    }
    sentRows += inv.lines.length;
    if (lane.batch.length >= batchSize) await send(lane);
  };

  // Pass two: the file read on while the batches before are written.
  for await (const invoice of completeInvoices(file, index.lastRow, recount)) await emit(invoice);
  summary.mergedRows = recount.mergedRows;
  for (const lane of lanes) if (lane.batch.length) await send(lane);
  await Promise.all(lanes.map((lane) => lane.writing));
  summary.eventSeconds = (performance.now() - tEvents) / 1000;
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

/** The import id the CLI records its program under, so that the next run finds it. */
export const RETAIL_IMPORT_ID = 'uci-online-retail';

const n = (x: number) => x.toLocaleString('en-GB');
const pounds = (p: number) => `£${(p / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const valueCount = (v: ValueCount) => `${n(v.count)} (${pounds(v.value)})`;

/** The CLI's report of a run (operator output, in English like the rest of the CLI). */
export function retailSummaryLines(s: RetailImportSummary): string[] {
  const m = s.manualCredits;
  const booked = s.purchases + s.returns + s.manualReturns;
  return [
    `Rows read: ${n(s.rows)}; skipped: ${n(s.rowsWithoutCustomer)} without a customer, ${n(s.nonProductRows)} non-product lines, ${n(s.invalidRows)} invalid; ` +
      `${n(s.manualCreditRows)} manual credit rows.`,
    `Product rows: ${n(s.productRows)} → ${n(s.eventLines)} event lines (${n(s.mergedRows)} rows merged into a row of the same stock code on the same invoice).`,
    `Accounts: ${n(s.accounts)} (${n(s.accountsCreated)} new${s.accountsFailed ? `, ${n(s.accountsFailed)} refused` : ''}); ` +
      `products: ${n(s.products)} (${n(s.productsCreated)} new${s.productsFailed ? `, ${n(s.productsFailed)} refused` : ''}).`,
    `Manual credits: ${valueCount(m)}; returns of a whole purchase ${valueCount(m.matchedPurchases)}, of one line ${valueCount(m.matchedLines)}; ` +
      `unmatched ${valueCount(m.unmatched)}.`,
    `Events: ${n(s.events)} sent (${n(s.invoices)} invoices: ${n(s.invoices - s.cancellations)} purchases, ${n(s.cancellations)} cancellations; ` +
      `${n(m.matchedPurchases.count + m.matchedLines.count)} manual credits).`,
    booked
      ? `This run booked ${n(booked)} events (${n(s.purchases)} purchases, ${n(s.returns)} returns, ${n(s.manualReturns)} manual credits); ` +
        `${n(s.replayed)} replayed, ${n(s.rejected)} rejected; ${n(s.unmatchedReturnLines)} returned lines matched no earlier purchase.`
      : `This run booked nothing new: ${n(s.replayed)} events replayed, ${n(s.rejected)} rejected.`,
    `Points earned this run ${n(s.pointsEarned)}, taken back ${n(s.pointsReversed)}.`,
    `Time: ${s.seconds.toFixed(1)} s in all (reading ${s.readSeconds.toFixed(1)} s); events ${s.eventSeconds.toFixed(1)} s = ` +
      `${n(Math.round(s.events / Math.max(s.eventSeconds, 0.001)))} events/s (${n(Math.round(s.productRows / Math.max(s.eventSeconds, 0.001)))} product rows/s).`,
    ...s.refused.slice(0, 10).map((e) => `  ${e.kind} ${e.id}: ${e.code} ${e.message}`),
    ...(s.refused.length > 10 ? [`  … and ${n(s.accountsFailed + s.productsFailed - 10)} more accounts and products refused`] : []),
    ...s.errors.slice(0, 10).map((e) => `  invoice ${e.invoice}: ${e.code} ${e.message}`),
    ...(s.rejected > 10 ? [`  … and ${n(s.rejected - 10)} more events rejected`] : []),
  ];
}
