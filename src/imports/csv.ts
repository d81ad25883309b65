/**
 * CSV import of events: streamed, fed through the same ingestion as the API in batches of 1,000, with a
 * summary that names the first problems by line number. (Accounts, members and products have their
 * importers in their own modules.)
 */
import type { Readable } from 'node:stream';
import { toItemError } from '../batch/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/database.js';
import { ingestEvents, refreshIngestStatistics, type IngestItem } from '../events/ingest.js';
import { brokenFileError, readCsv, type CsvError, type CsvRow } from '../csv/index.js';
import type { Program } from '../programs/programs.js';

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  replayed: number;
  /** Events refused by the ingestion, and events not sent because a row of theirs was refused. */
  failed: number;
  /** Rows refused on their own (wrong number of cells, a NUL), and the note on a broken file. */
  refusedRows: number;
  /** The first 100 problems, by line of the file (the header is line 1). */
  errors: CsvError[];
  /** All problems, also those beyond the first 100. */
  errorCount: number;
  seconds: number;
}

const CHUNK = 1000;
const MAX_ERRORS = 100;

/** The columns of an events file (snake_case; camelCase and Title Case headers are accepted too) → event field. */
const eventColumns: Record<string, string> = {
  id: 'id',
  type: 'type',
  occurred_at: 'occurredAt',
  account: 'account',
  member: 'member',
  sku: 'sku',
  quantity: 'quantity',
  amount: 'amount',
  original_id: 'originalId',
};
const eventSpec = { columns: eventColumns, required: ['id', 'type', 'occurredAt'] };

const numberFields = new Set(['quantity', 'amount']);

/** A CSV row as event fields: empty cells left out, numbers parsed. */
function toItem(row: CsvRow): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row.fields)) {
    if (numberFields.has(k) && /^-?\d+$/.test(v)) item[k] = Number(v);
    else item[k] = v;
  }
  return item;
}

function report(summary: ImportSummary, error: CsvError) {
  summary.errorCount++;
  if (summary.errors.length < MAX_ERRORS) summary.errors.push(error);
}

/**
 * Events, one row per line: id, type, occurred_at, account, member, sku, quantity, amount, original_id (and
 * `attributes.<key>` columns, taken from an event's first row). Consecutive rows with the same id are one event;
 * behaviour events have no sku. `input` is the file's content as a stream (plain CSV: the caller unzips). The header
 * is checked before anything is sent (`invalid_csv`). A row refused on its own (a wrong number of cells) is reported
 * by its line, and the event it belongs to is not sent, so that no event is booked without some of its lines; a
 * broken file (bad quoting) ends the import, the event being read then is not sent, and the summary says from which
 * line on nothing was imported. Sending the fixed file again books what was left out and replays the rest.
 */
export async function importEventsCsv(
  db: Db,
  program: Program,
  input: Readable,
  /** Read per batch: a long import judges each batch's future tolerance at the time it is ingested. */
  clock: Clock,
  onProgress: (rows: number) => void = () => {},
  /** Transactions a batch may be written in at once (IngestOptions.lanes). */
  lanes = 1,
  /** How far in the future an event may lie (LOJAL_FUTURE_TOLERANCE_SECONDS). */
  futureToleranceSeconds = 300,
): Promise<ImportSummary> {
  const t0 = performance.now();
  const summary: ImportSummary = { rows: 0, created: 0, updated: 0, replayed: 0, failed: 0, refusedRows: 0, errors: [], errorCount: 0, seconds: 0 };
  type Pending = { event: Record<string, unknown>; line: number; refused: boolean };
  let batch: Pending[] = [];
  let current: Pending | undefined;
  let batches = 0;
  const send = async () => {
    if (!batch.length) return;
    const items = await ingestEvents(db, program, batch.map((b) => b.event), { now: clock(), futureToleranceSeconds, lanes });
    tallyEvents(summary, items, batch.map((b) => b.line));
    batch = [];
    onProgress(summary.rows);
    // As the Online Retail import does: the tables double between batches 1, 2, 4, 8, …, faster than autovacuum looks
    // (and the embedded database has none), and the connections' plans must stay index look-ups as they grow.
    if ((++batches & (batches - 1)) === 0) await refreshIngestStatistics(db);
  };
  /** The event read so far is complete: into the batch, or counted as failed when a row of it was refused. */
  const close = async () => {
    if (!current) return;
    const done = current;
    current = undefined;
    if (done.refused) {
      summary.failed++;
      return;
    }
    batch.push(done);
    if (batch.length === CHUNK) await send();
  };
  for await (const record of readCsv(input, eventSpec)) {
    if ('broken' in record) {
      // The event being read may go on past the break: it is not sent, and the lines from its first on are lost.
      const from = current ? current.line : record.broken.lastLine + 1;
      current = undefined;
      summary.refusedRows++;
      report(summary, brokenFileError(from, record.broken));
      break;
    }
    summary.rows++;
    if ('empty' in record) continue;
    if ('refused' in record) {
      summary.refusedRows++;
      report(summary, record.refused);
      // The event it belongs to (by its id, read where the header says) is not sent: not with the rows before it, nor with those after.
      const id = record.fields.id;
      if (current && current.event.id === id) current.refused = true;
      else {
        await close();
        current = { line: record.refused.line, event: { id }, refused: true };
      }
      continue;
    }
    const r = toItem(record.row);
    if (!current || current.event.id !== r.id) {
      await close();
      const attributes = record.row.attributes;
      current = {
        line: record.row.line,
        refused: false,
        event: {
          id: r.id,
          type: r.type,
          occurredAt: r.occurredAt,
          account: r.account,
          ...(r.member !== undefined && { member: r.member }),
          ...(r.originalId !== undefined && { originalId: r.originalId }),
          ...(Object.keys(attributes).length > 0 && { attributes }),
        },
      };
    }
    if (r.sku !== undefined) {
      const lines = (current.event.lines as unknown[] | undefined) ?? [];
      lines.push({ sku: r.sku, quantity: r.quantity, ...(r.amount !== undefined && { amount: r.amount }) });
      current.event.lines = lines;
    }
  }
  await close();
  await send();
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

export function tallyEvents(summary: ImportSummary, items: IngestItem[], lines: number[]) {
  items.forEach((item, i) => {
    if (item.status !== 'rejected') {
      if (item.status === 'processed') summary.created++;
      else summary.replayed++;
    } else {
      summary.failed++;
      // The English message of the errors catalogue (validation errors name their fields); params and issues let the console translate it.
      const error = toItemError(item.error);
      report(summary, { line: lines[i]!, code: error.code, message: error.message, params: error.params, issues: error.issues });
    }
  });
}
