/**
 * The UCI "Online Retail" file as rows and invoices: reading the CSV (gzipped or not) a row at a time, the rows
 * that count, and the invoices they make, in the order the import sends them. Nothing here touches the database.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
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

/** Stock codes that are not goods: postage, manual lines, discounts, bank charges, carriage… */
export const isProductCode = (code: string) => /^\d/.test(code);

/** The stock code of a manual line: on a `C` invoice it is a credit the shop keyed in by hand. */
export const MANUAL_CODE = 'M';

export const pence = (pounds: number) => Math.round(pounds * 100);

/** The columns of the file's header row (the data set's own; docs/real-data.md), in any order, each once, no others. */
export const RETAIL_COLUMNS = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'] as const;

/** Where each column stands in the file's rows, from its header row; a header that is not the data set's is refused. */
const columnsOf = (file: string, header: readonly string[]) => {
  const names = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  const same = names.length === RETAIL_COLUMNS.length && RETAIL_COLUMNS.every((name) => names.filter((x) => x === name).length === 1);
  if (!same) {
    throw new Error(
      `${file} is not the Online Retail file: its header is "${names.join(',').slice(0, 200)}"; expected the columns ${RETAIL_COLUMNS.join(',')}`,
    );
  }
  return RETAIL_COLUMNS.map((name) => names.indexOf(name));
};

const rowReader = (at: number[]) => {
  const [invoiceNo, stockCode, description, quantity, invoiceDate, unitPrice, customerId, country] = at as [number, number, number, number, number, number, number, number];
  return (r: readonly string[]): RetailRow => ({
    invoiceNo: r[invoiceNo] ?? '',
    stockCode: (r[stockCode] ?? '').trim().toUpperCase(),
    description: (r[description] ?? '').trim(),
    quantity: Number(r[quantity]),
    invoiceDate: r[invoiceDate] ?? '',
    unitPrice: Number(r[unitPrice]),
    customerId: (r[customerId] ?? '').trim(),
    country: (r[country] ?? '').trim(),
  });
};

/** Chunks of parsed rows the reader may hold before it pauses the file until the import has taken some. */
const AHEAD = 4;

/**
 * The file's rows, read as the import takes them. Papa Parse hands over a chunk of rows at a time (several times
 * faster than parsing row by row through a stream, which was two fifths of the import's own CPU time); the file
 * is paused while AHEAD chunks wait, so it is never held whole. A quoting error stops the reading with the row.
 */
export async function* readRetailRows(file: string): AsyncGenerator<RetailRow> {
  const input = createReadStream(file);
  // Decoded as a stream, so a character split between two chunks of the file stays whole.
  const source = (file.endsWith('.gz') ? input.pipe(createGunzip()) : input).setEncoding('utf8');
  const waiting: RetailRow[][] = [];
  let rowsParsed = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (err: Error) => {
    failure ??= err;
    signal();
  };
  input.on('error', fail);
  source.on('error', fail);
  let toRow: ((r: readonly string[]) => RetailRow) | undefined;
  // Rows as arrays, named through the header row here: Papa Parse's own header mode makes an object of every row
  // and asks per field whether to convert it, which was a fifth of the reading.
  Papa.parse<string[]>(source, {
    skipEmptyLines: true,
    chunk: (results) => {
      const quoting = results.errors.find((e) => e.type === 'Quotes');
      if (quoting) {
        fail(new Error(`${file}, row ${rowsParsed + (quoting.row ?? 0) + 1}: ${quoting.message}`));
        source.destroy();
        return;
      }
      let data = results.data;
      rowsParsed += data.length;
      if (!toRow) {
        try {
          toRow = rowReader(columnsOf(file, data[0] ?? []));
        } catch (err) {
          fail(err as Error);
          source.destroy();
          return;
        }
        data = data.slice(1);
      }
      waiting.push(data.map(toRow));
      if (waiting.length >= AHEAD) source.pause();
      signal();
    },
    complete: () => {
      if (!toRow) fail(new Error(`${file} is empty: it needs the header row ${RETAIL_COLUMNS.join(',')}`));
      ended = true;
      signal();
    },
    error: fail,
  });
  try {
    for (;;) {
      const rows = waiting.shift();
      if (rows) {
        if (waiting.length < AHEAD / 2 && !ended) source.resume();
        yield* rows;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    source.destroy();
    input.destroy();
  }
}

/**
 * Opens the file and reads its header row, before anything is written: a file that cannot be read, is not gzip
 * though named `.gz`, or whose header is not the data set's is refused with a message saying so.
 */
export async function checkRetailFile(file: string): Promise<void> {
  const rows = readRetailRows(file);
  try {
    await rows.next();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new Error(`${file}: no such file`);
    if (e.code?.startsWith('Z_')) throw new Error(`${file} cannot be unzipped (${e.message}): is it a gzip file?`);
    if (e.code) throw new Error(`${file} cannot be read: ${e.message}`);
    throw err;
  } finally {
    await rows.return(undefined);
  }
}

export interface RetailLine {
  sku: string;
  quantity: number;
  amount: number;
}

/** Adds a row to its invoice's line of the same stock code, or starts that line; true when it was merged. */
export function addLine(invoice: { lines: RetailLine[]; merge: Map<string, RetailLine> }, sku: string, quantity: number, amount: number): boolean {
  const line = invoice.merge.get(sku);
  if (line) {
    line.quantity += quantity;
    line.amount += amount;
    return true;
  }
  const fresh = { sku, quantity, amount };
  invoice.merge.set(sku, fresh);
  invoice.lines.push(fresh);
  return false;
}

/** One invoice number's rows, wherever they stand in the file. */
export interface RetailInvoice {
  invoiceNo: string;
  cancellation: boolean;
  customerId: string;
  country: string;
  /** The earliest time on its rows (an invoice keyed over two minutes carries both). */
  occurredAt: Date;
  /** Product lines, one per stock code: rows of the same code are merged (quantities and amounts added). */
  lines: RetailLine[];
  /** Sum of the manual (`M`) rows on a cancellation, in pence: a credit keyed in by hand, 0 if none. */
  manualCredit: number;
}

export interface RetailCounts {
  /** Data rows of the file, as the file has them. */
  rows: number;
  rowsWithoutCustomer: number;
  /** Postage, discounts, bank charges, and manual lines on ordinary invoices (charges that earn nothing). */
  nonProductRows: number;
  /** Manual (`M`) rows on cancellations: credits matched to purchases below. */
  manualCreditRows: number;
  invalidRows: number;
  /** Rows that became (part of) an event line. */
  productRows: number;
  /** Product rows added into another row of the same invoice and stock code: productRows - eventLines. */
  mergedRows: number;
  eventLines: number;
  /** Invoices with at least one product line: one event each. */
  invoices: number;
  cancellations: number;
}

export const emptyCounts = (): RetailCounts => ({
  rows: 0, rowsWithoutCustomer: 0, nonProductRows: 0, manualCreditRows: 0, invalidRows: 0, productRows: 0, mergedRows: 0, eventLines: 0, invoices: 0, cancellations: 0,
});

export const validRow = (row: RetailRow) =>
  Number.isInteger(row.quantity) && row.quantity !== 0 && row.unitPrice >= 0 && /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(row.invoiceDate);

/** `2011-03-27 10:00:00` on a UK clock → the instant. */
export function ukTime(local: string): Date {
  const [date, time = '00:00:00'] = local.split(' ');
  const [y, m, d] = date!.split('-').map(Number);
  const [hh, mm, ss = 0] = time.split(':').map(Number);
  return wallTimeToUtc(y!, m!, d!, hh!, mm!, ss, 'Europe/London');
}

/**
 * ukTime, remembered per text: the rows of one invoice share their time, so the file's 541,909 rows hold about
 * 23,000 distinct times, and the time-zone conversion was two fifths of the reading time when done per row.
 * One map per file read, so its size is bounded by that file.
 */
function ukTimes(): (local: string) => Date {
  const seen = new Map<string, Date>();
  return (local) => {
    let at = seen.get(local);
    if (!at) seen.set(local, (at = ukTime(local)));
    return at;
  };
}

export type KeptRow = { row: RetailRow; occurredAt: Date; manualCredit: boolean; quantity: number; amount: number };

/**
 * The rows that count; `counts` takes the skipped ones and the row totals. Shared by the reference reader and
 * both passes of the import, so that all three keep and number the same rows.
 */
export async function* keptRows(rows: AsyncIterable<RetailRow>, counts: RetailCounts, onRow: (n: number) => void): AsyncGenerator<KeptRow> {
  const timeOf = ukTimes();
  for await (const row of rows) {
    if (++counts.rows % 50_000 === 0) onRow(counts.rows);
    if (!row.customerId) {
      counts.rowsWithoutCustomer++;
      continue;
    }
    const manualCredit = row.invoiceNo.startsWith('C') && row.stockCode === MANUAL_CODE;
    if (!manualCredit && !isProductCode(row.stockCode)) {
      counts.nonProductRows++;
      continue;
    }
    if (!validRow(row)) {
      counts.invalidRows++;
      continue;
    }
    const quantity = Math.abs(row.quantity);
    if (manualCredit) counts.manualCreditRows++;
    else counts.productRows++;
    yield { row, occurredAt: timeOf(row.invoiceDate), manualCredit, quantity, amount: pence(row.unitPrice * quantity) };
  }
}

/**
 * Pass two of the import: the file's invoices, each as soon as its last row is read (`lastRow`, from pass one),
 * in the order of their first rows, with rows of the same stock code merged. Holds only the invoices still open.
 * Throws when an invoice is left open at the end: the file changed since pass one.
 */
export async function* completeInvoices(file: string, lastRow: ReadonlyMap<string, number>, counts: RetailCounts): AsyncGenerator<RetailInvoice> {
  const open = new Map<string, RetailInvoice & { merge: Map<string, RetailLine>; complete: boolean }>();
  let queue: Array<RetailInvoice & { merge: Map<string, RetailLine>; complete: boolean }> = [];
  let head = 0;
  let n = 0;
  for await (const { row, occurredAt, manualCredit, quantity, amount } of keptRows(readRetailRows(file), counts, () => {})) {
    n++;
    let invoice = open.get(row.invoiceNo);
    if (!invoice) {
      invoice = { invoiceNo: row.invoiceNo, cancellation: row.invoiceNo.startsWith('C'), customerId: row.customerId, country: row.country, occurredAt, lines: [], manualCredit: 0, merge: new Map(), complete: false };
      open.set(row.invoiceNo, invoice);
      queue.push(invoice);
    } else if (occurredAt < invoice.occurredAt) invoice.occurredAt = occurredAt;
    if (manualCredit) invoice.manualCredit += amount;
    else if (addLine(invoice, row.stockCode, quantity, amount)) counts.mergedRows++;
    if (lastRow.get(row.invoiceNo) === n) {
      invoice.complete = true;
      open.delete(row.invoiceNo);
    }
    while (head < queue.length && queue[head]!.complete) {
      const { merge: _merge, complete: _complete, ...done } = queue[head++]!;
      yield done;
    }
    if (head > 1000 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }
  // Every invoice ends on a row the first pass saw; one left open means the file changed between the passes.
  if (open.size || head < queue.length) throw new Error(`${file} changed while it was imported: run the import again`);
}
