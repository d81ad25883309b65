import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { BatchItemResult } from '../batch/index.js';
import { maxBatchItems } from '../batch/index.js';
import { LojalError, type FieldIssue } from '../errors/index.js';

/** What an import did: every data row is created, updated, failed or skipped (all cells empty). */
export interface CsvSummary {
  rows: number;
  created: number;
  updated: number;
  /** Rows not written because of an error. */
  failed: number;
  skipped: number;
  /** The first 100 problems, by line of the file (the header is line 1). */
  errors: CsvError[];
  /** All problems, also those beyond the first 100; may exceed `failed` (e.g. a row written without its parent). */
  errorCount: number;
}

export interface CsvError {
  line: number;
  code: string;
  /** In English (the CLI prints it); `params` and `issues` let the console say it in its reader's language. */
  message: string;
  params?: Record<string, string | number> | undefined;
  issues?: FieldIssue[] | undefined;
}

export const maxReportedErrors = 100;

export function emptySummary(): CsvSummary {
  return { rows: 0, created: 0, updated: 0, failed: 0, skipped: 0, errors: [], errorCount: 0 };
}

export function addError(summary: CsvSummary, error: CsvError): void {
  summary.errorCount++;
  if (summary.errors.length < maxReportedErrors) summary.errors.push(error);
}

/** A data row: its line and its non-empty cells, keyed by API field name; `attributes.<key>` columns go to `attributes`. */
export interface CsvRow {
  line: number;
  fields: Record<string, string>;
  attributes: Record<string, string>;
}

export interface CsvImportSpec {
  /** Accepted column names in snake_case → API field. `camelCase` and `Title Case` headers are accepted too. */
  columns: Record<string, string>;
  /** API fields whose column must be present. */
  required: string[];
  /** Builds the batch item from a row. */
  toItem(row: CsvRow): Record<string, unknown>;
  /** Writes one batch (at most 1,000 items); answers one result per item, in order. */
  write(batch: Array<{ row: CsvRow; item: Record<string, unknown> }>): Promise<BatchItemResult[]>;
}

/** external_id, externalId, "External ID" → external_id */
export const snakeCase = (header: string) =>
  header
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();

const attributePrefix = /^(?:attributes?|attr)\.(.+)$/i;

type Column = { field: string } | { attribute: string };

function columnsOf(header: string[], spec: Pick<CsvImportSpec, 'columns' | 'required'>): Column[] {
  const unknown: string[] = [];
  const columns = header.map((raw): Column => {
    const attribute = attributePrefix.exec(raw.trim());
    if (attribute) return { attribute: attribute[1]! };
    const field = spec.columns[snakeCase(raw)];
    if (!field) unknown.push(raw);
    return { field: field ?? '' };
  });
  const accepted = `${Object.keys(spec.columns).join(', ')}, attributes.<key>`;
  if (unknown.length) throw new LojalError('invalid_csv', { line: 1, detail: `unknown columns ${unknown.join(', ')}; accepted: ${accepted}` });
  const fields = columns.flatMap((c) => ('field' in c ? [c.field] : [`attributes.${c.attribute}`]));
  const twice = fields.filter((f, i) => fields.indexOf(f) !== i);
  if (twice.length) throw new LojalError('invalid_csv', { line: 1, detail: `columns given twice: ${twice.join(', ')}` });
  const missing = spec.required.filter((f) => !fields.includes(f));
  if (missing.length) throw new LojalError('invalid_csv', { line: 1, detail: `missing required columns: ${missing.join(', ')}` });
  return columns;
}

/** The non-empty cells of a record by field, as far as the header reaches. */
function fieldsOf(columns: Column[], record: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  columns.forEach((c, i) => {
    const value = record[i];
    if (value && 'field' in c) fields[c.field] = value;
  });
  return fields;
}

/** What the reader makes of one record of the file after the header. */
export type CsvRecord =
  /** A data row, its cells named by the header. */
  | { row: CsvRow }
  /** A row whose cells are all empty. */
  | { empty: number }
  /** A row refused on its own (wrong number of cells, a NUL): the reading goes on. `fields`: its cells as far as it has them, named by position. */
  | { refused: CsvError; fields: Record<string, string> }
  /**
   * The file is broken (bad quoting): nothing after `lastLine` was read, and the reading stops here. The parser reads
   * ahead, so rows before the broken spot may not have reached the caller: `lastLine` is the last line it did hand over.
   */
  | { broken: { lastLine: number; brokenAt: number | undefined; message: string } };

/**
 * Reads a CSV file (comma-separated, header row, UTF-8 with or without BOM) record by record. A header problem
 * (unknown, repeated or missing required columns; an empty file) is thrown as `invalid_csv` before any row is
 * handed over; an error of the input stream (an unreadable file, a corrupt gzip) is thrown to the caller.
 */
export async function* readCsv(input: Readable, spec: Pick<CsvImportSpec, 'columns' | 'required'>): AsyncGenerator<CsvRecord> {
  const parser = parse({ bom: true, trim: true, relax_column_count: true, skip_empty_lines: true, info: true });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let columns: Column[] | undefined;
  let lastLine = 1;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // csv-parse gives the line a record ends on; a quoted cell may span lines.
      const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
      lastLine = info.lines;
      // PostgreSQL cannot store a NUL (the only such character UTF-8 decoding can yield): name the line, write nothing of it.
      if (record.some((cell) => cell.includes('\0'))) {
        if (!columns) throw new LojalError('invalid_csv', { line, detail: 'the header contains a NUL character' });
        yield { refused: { line, code: 'invalid_characters', message: 'the row contains a NUL character, which cannot be stored' }, fields: fieldsOf(columns, record) };
        continue;
      }
      if (!columns) {
        columns = columnsOf(record, spec);
        continue;
      }
      if (record.every((cell) => cell === '')) {
        yield { empty: line };
        continue;
      }
      if (record.length !== columns.length) {
        yield { refused: { line, code: 'validation_failed', message: `the row has ${record.length} cells, the header ${columns.length}` }, fields: fieldsOf(columns, record) };
        continue;
      }
      const row: CsvRow = { line, fields: {}, attributes: {} };
      columns.forEach((c, i) => {
        const value = record[i]!;
        if (value === '') return;
        if ('field' in c) row.fields[c.field] = value;
        else row.attributes[c.attribute] = value;
      });
      yield { row };
    }
  } catch (err) {
    if (err instanceof LojalError) throw err;
    const e = err as { code?: string; lines?: number; message?: string };
    if (!e.code?.startsWith('CSV_')) throw err;
    yield { broken: { lastLine, brokenAt: e.lines, message: e.message ?? String(err) } };
    return;
  } finally {
    input.unpipe(parser);
    parser.destroy();
  }
  if (!columns) throw new LojalError('invalid_csv', { line: 1, detail: 'the file is empty; it needs a header row' });
}

/** The summary's note on a broken file: from which line on rows were not imported, and where the file breaks. */
export const brokenFileError = (from: number, broken: { brokenAt: number | undefined; message: string }): CsvError => ({
  line: from,
  code: 'invalid_csv',
  message: `rows from line ${from} on were not imported; the file is broken at line ${broken.brokenAt ?? '?'}: ${broken.message}`,
});

/**
 * Streams a CSV file (readCsv) through the batch upsert in chunks of 1,000 rows. A header problem is thrown as
 * `invalid_csv` before anything is written; a row problem is reported with its line; a broken file (bad quoting)
 * stops the import, and the summary says from which line on rows were not imported (re-importing the fixed file is safe).
 */
export async function importCsv(
  input: Readable,
  spec: CsvImportSpec,
  summary: CsvSummary,
  onProgress?: (rowsDone: number) => void,
): Promise<CsvSummary> {
  let batch: Array<{ row: CsvRow; item: Record<string, unknown> }> = [];
  const flush = async () => {
    if (!batch.length) return;
    const results = await spec.write(batch);
    results.forEach((r, i) => {
      if (r.status === 'error') {
        summary.failed++;
        addError(summary, { line: batch[i]!.row.line, code: r.error!.code, message: r.error!.message, params: r.error!.params, issues: r.error!.issues });
      } else summary[r.status]++;
    });
    batch = [];
    onProgress?.(summary.rows);
  };

  for await (const r of readCsv(input, spec)) {
    if ('broken' in r) {
      await flush();
      addError(summary, brokenFileError(r.broken.lastLine + 1, r.broken));
      return summary;
    }
    summary.rows++;
    if ('empty' in r) summary.skipped++;
    else if ('refused' in r) {
      summary.failed++;
      addError(summary, r.refused);
    } else {
      batch.push({ row: r.row, item: spec.toItem(r.row) });
      if (batch.length >= maxBatchItems) await flush();
    }
  }
  await flush();
  return summary;
}

/** `a|b; c` → ['a', 'b', 'c'] */
export const splitTags = (cell: string) =>
  cell
    .split(/[|;]/)
    .map((t) => t.trim())
    .filter(Boolean);

/** Numbers in cells stay text when they are not whole numbers, so validation names the field. */
export const integerCell = (cell: string): number | string => (/^-?\d+$/.test(cell) ? Number(cell) : cell);

export function booleanCell(cell: string): boolean | string {
  const v = cell.toLowerCase();
  if (['true', 'yes', '1', 'y'].includes(v)) return true;
  if (['false', 'no', '0', 'n'].includes(v)) return false;
  return cell;
}

/** The item's fields from the row: every named field as text, then the converted ones, then the attributes. */
export function itemFrom(row: CsvRow, convert: Record<string, (cell: string) => unknown> = {}): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(row.fields)) item[field] = convert[field] ? convert[field](value) : value;
  if (Object.keys(row.attributes).length) item.attributes = row.attributes;
  return item;
}
