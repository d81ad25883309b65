/**
 * CSV import of events: streamed, fed through the same ingestion as the API in batches of 1,000, with a
 * summary that names the first problems by line number. (Accounts, members and products have their
 * importers in their own modules.)
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/database.js';
import { ingestEvents, refreshIngestStatistics, type IngestItem } from '../events/ingest.js';
import type { CsvError } from '../csv/index.js';
import type { Program } from '../programs/programs.js';

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  replayed: number;
  failed: number;
  errors: CsvError[];
  seconds: number;
}

const CHUNK = 1000;
const MAX_ERRORS = 100;

const camel = (h: string) => h.trim().replace(/[_\s-]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toLowerCase());

function rows(file: string | Readable) {
  const input = typeof file === 'string' ? createReadStream(file) : file;
  const source = typeof file === 'string' && file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  return source.pipe(parse({ columns: (header: string[]) => header.map(camel), skip_empty_lines: true, trim: true, bom: true })) as AsyncIterable<Record<string, string>>;
}

const numberFields = new Set(['quantity', 'amount']);

/** A CSV row as event fields: empty cells left out, numbers parsed. */
function toItem(row: Record<string, string>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === '') continue;
    if (numberFields.has(k) && /^-?\d+$/.test(v)) item[k] = Number(v);
    else item[k] = v;
  }
  return item;
}

/**
 * Events, one row per line: id, type, occurred_at, account, member, sku, quantity, amount, original_id.
 * Consecutive rows with the same id are one event; behaviour events have no sku. `file` is a path or, for an
 * upload, the file's content as a stream.
 */
export async function importEventsCsv(
  db: Db,
  program: Program,
  file: string | Readable,
  /** Read per batch: a long import judges each batch's future tolerance at the time it is ingested. */
  clock: Clock,
  onProgress: (rows: number) => void = () => {},
  /** Transactions a batch may be written in at once (IngestOptions.lanes). */
  lanes = 1,
): Promise<ImportSummary> {
  const t0 = performance.now();
  const summary: ImportSummary = { rows: 0, created: 0, updated: 0, replayed: 0, failed: 0, errors: [], seconds: 0 };
  let batch: Array<{ event: Record<string, unknown>; line: number }> = [];
  let current: { event: Record<string, unknown>; line: number } | undefined;
  let batches = 0;
  const send = async () => {
    if (!batch.length) return;
    const items = await ingestEvents(db, program, batch.map((b) => b.event), { now: clock(), futureToleranceSeconds: 300, lanes });
    tallyEvents(summary, items, batch.map((b) => b.line));
    batch = [];
    onProgress(summary.rows);
    // As the Online Retail import does: the tables double between batches 1, 2, 4, 8, …, faster than autovacuum looks
    // (and the embedded database has none), and the connections' plans must stay index look-ups as they grow.
    if ((++batches & (batches - 1)) === 0) await refreshIngestStatistics(db);
  };
  for await (const row of rows(file)) {
    summary.rows++;
    const r = toItem(row);
    if (!current || current.event.id !== r.id) {
      if (current) {
        batch.push(current);
        if (batch.length === CHUNK) await send();
      }
      current = {
        line: summary.rows + 1,
        event: {
          id: r.id,
          type: r.type,
          occurredAt: r.occurredAt,
          account: r.account,
          ...(r.member !== undefined && { member: r.member }),
          ...(r.originalId !== undefined && { originalId: r.originalId }),
        },
      };
    }
    if (r.sku !== undefined) {
      const lines = (current.event.lines as unknown[] | undefined) ?? [];
      lines.push({ sku: r.sku, quantity: r.quantity, ...(r.amount !== undefined && { amount: r.amount }) });
      current.event.lines = lines;
    }
  }
  if (current) batch.push(current);
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
      if (summary.errors.length < MAX_ERRORS) {
        const detail = item.error.issues?.map((x) => `${x.path}: ${x.message}`).join('; ') ?? JSON.stringify(item.error.params);
        summary.errors.push({ line: lines[i]!, code: item.error.code, message: detail, params: item.error.params, issues: item.error.issues });
      }
    }
  });
}
