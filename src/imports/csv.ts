/**
 * CSV imports of accounts, members, products and events: streamed, fed through the same batch functions
 * as the API in chunks of 1,000, with a summary that names the first problems by line number.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { upsertAccounts } from '../accounts/accounts.js';
import type { BatchResult } from '../accounts/batch.js';
import { upsertMembers } from '../accounts/members.js';
import { upsertCategories, upsertProducts } from '../catalog/catalog.js';
import type { Db } from '../db/database.js';
import { ingestEvents, type IngestItem } from '../events/ingest.js';
import type { Program } from '../programs/programs.js';

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  replayed: number;
  failed: number;
  errors: Array<{ line: number; code: string; message: string }>;
  seconds: number;
}

const CHUNK = 1000;
const MAX_ERRORS = 100;

const camel = (h: string) => h.trim().replace(/[_\s-]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toLowerCase());

function rows(file: string) {
  const input = createReadStream(file);
  const source = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  return source.pipe(parse({ columns: (header: string[]) => header.map(camel), skip_empty_lines: true, trim: true, bom: true })) as AsyncIterable<Record<string, string>>;
}

const numberFields = new Set(['unitPrice', 'quantity', 'amount']);
const listFields = new Set(['tags']);

/** A CSV row as an API item: empty cells left out, lists split on | or ;, numbers parsed. */
function toItem(row: Record<string, string>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === '') continue;
    if (listFields.has(k)) item[k] = v.split(/[|;]/).map((s) => s.trim()).filter(Boolean);
    else if (numberFields.has(k) && /^-?\d+$/.test(v)) item[k] = Number(v);
    else if (k === 'active') item[k] = !/^(false|0|no)$/i.test(v);
    else item[k] = v;
  }
  if (item.category !== undefined) {
    item.categoryCode = item.category;
    delete item.category;
  }
  return item;
}

function tally(summary: ImportSummary, results: BatchResult[], firstLine: number) {
  results.forEach((r, i) => {
    if (r.status === 'error') {
      summary.failed++;
      if (summary.errors.length < MAX_ERRORS) summary.errors.push({ line: firstLine + i, code: r.error.code, message: r.error.message });
    } else summary[r.status]++;
  });
}

export async function importEntitiesCsv(
  db: Db,
  programId: string,
  kind: 'accounts' | 'members' | 'products',
  file: string,
  onProgress: (rows: number) => void = () => {},
): Promise<ImportSummary> {
  const t0 = performance.now();
  const summary: ImportSummary = { rows: 0, created: 0, updated: 0, replayed: 0, failed: 0, errors: [], seconds: 0 };
  let chunk: Record<string, unknown>[] = [];
  // Parents may come after their branches in the file: accounts are written first, parents linked after.
  const parents: Array<{ externalId: string; parentExternalId: string; line: number }> = [];
  const flush = async () => {
    const firstLine = summary.rows - chunk.length + 2;
    if (kind === 'products') {
      const codes = [...new Set(chunk.map((c) => c.categoryCode).filter((c): c is string => typeof c === 'string'))];
      await upsertCategories(db, programId, codes.map((code) => ({ code, name: code })).filter((c) => /^[a-z0-9][a-z0-9_.-]{0,63}$/.test(c.code)));
    }
    const results = kind === 'accounts' ? await upsertAccounts(db, programId, chunk) : kind === 'members' ? await upsertMembers(db, programId, chunk) : await upsertProducts(db, programId, chunk);
    tally(summary, results, firstLine);
    chunk = [];
    onProgress(summary.rows);
  };
  for await (const row of rows(file)) {
    summary.rows++;
    const item = toItem(row);
    if (kind === 'accounts' && typeof item.parentExternalId === 'string') {
      parents.push({ externalId: String(item.externalId), parentExternalId: item.parentExternalId, line: summary.rows + 1 });
      delete item.parentExternalId;
    }
    chunk.push(item);
    if (chunk.length === CHUNK) await flush();
  }
  if (chunk.length) await flush();
  for (let i = 0; i < parents.length; i += CHUNK) {
    const part = parents.slice(i, i + CHUNK);
    try {
      await linkParents(db, programId, part);
    } catch (err) {
      summary.errors.push({ line: part[0]!.line, code: (err as { code?: string }).code ?? 'error', message: (err as Error).message });
    }
  }
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

async function linkParents(db: Db, programId: string, links: Array<{ externalId: string; parentExternalId: string }>) {
  const current = await db.selectFrom('accounts').selectAll().where('program_id', '=', programId).where('external_id', 'in', links.map((l) => l.externalId)).execute();
  const byExt = new Map(current.map((a) => [a.external_id!, a]));
  const items = links
    .filter((l) => byExt.has(l.externalId))
    .map((l) => {
      const a = byExt.get(l.externalId)!;
      return {
        externalId: l.externalId,
        parentExternalId: l.parentExternalId,
        name: a.name,
        legalName: a.legal_name,
        orgNumber: a.org_number,
        vatNumber: a.vat_number,
        country: a.country,
        segment: a.segment,
        tags: a.tags,
        status: a.status,
        keyAccountManager: a.key_account_manager,
        attributes: a.attributes,
      };
    });
  await upsertAccounts(db, programId, items);
}

/**
 * Events, one row per line: id, type, occurred_at, account, member, sku, quantity, amount, original_id.
 * Consecutive rows with the same id are one event; behaviour events have no sku.
 */
export async function importEventsCsv(db: Db, program: Program, file: string, onProgress: (rows: number) => void = () => {}): Promise<ImportSummary> {
  const t0 = performance.now();
  const summary: ImportSummary = { rows: 0, created: 0, updated: 0, replayed: 0, failed: 0, errors: [], seconds: 0 };
  let batch: Array<{ event: Record<string, unknown>; line: number }> = [];
  let current: { event: Record<string, unknown>; line: number } | undefined;
  const send = async () => {
    if (!batch.length) return;
    const items = await ingestEvents(db, program, batch.map((b) => b.event), { now: new Date(), futureToleranceSeconds: 300 });
    tallyEvents(summary, items, batch.map((b) => b.line));
    batch = [];
    onProgress(summary.rows);
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
        summary.errors.push({ line: lines[i]!, code: item.error.code, message: detail });
      }
    }
  });
}
