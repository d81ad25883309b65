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
import { wallTimeToUtc } from '../ledger/expiry.js';

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
const categoryKeywords: Array<[string, RegExp]> = [
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
    if (!current || current.invoiceNo !== row.invoiceNo) {
      const done = flush();
      if (done) yield done;
      merge.clear();
      current = {
        invoiceNo: row.invoiceNo,
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
