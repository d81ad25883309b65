/** Approved co-op claims as payouts the ERP takes: listed (JSON or CSV) and marked exported in batches. */
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Language } from '../i18n/index.js';
import { csvStream, type Cell } from '../insight/export.js';

export interface CoopPayout {
  id: string;
  claimId: string;
  accountId: string;
  accountExternalId: string | null;
  accountName: string;
  amount: number;
  adDate: string;
  medium: string;
  approvedAt: Date;
  exportBatchId: string | null;
  exportedAt: Date | null;
}

interface Row {
  id: string;
  claim_id: string;
  account_id: string;
  external_id: string | null;
  name: string;
  amount: number;
  ad_date: string;
  medium: string;
  created_at: Date;
  export_batch_id: string | null;
  exported_at: Date | null;
}

export type PayoutState = 'unexported' | 'exported' | 'all';

/** Oldest first (the order the ERP books them), in pages keyed by the payout id. */
export async function listPayouts(db: Db, programId: string, state: PayoutState, limit: number, after?: string, batchId?: string): Promise<CoopPayout[]> {
  const rows = await sql<Row>`
    SELECT p.id, p.claim_id, p.account_id, a.external_id, a.name, p.amount, to_char(c.ad_date, 'YYYY-MM-DD') AS ad_date, c.medium,
      p.created_at, p.export_batch_id, p.exported_at
    FROM coop_payouts p
    JOIN accounts a ON a.program_id = p.program_id AND a.id = p.account_id
    JOIN coop_claims c ON c.program_id = p.program_id AND c.id = p.claim_id
    WHERE p.program_id = ${programId}
      ${state === 'unexported' ? sql`AND p.export_batch_id IS NULL` : state === 'exported' ? sql`AND p.export_batch_id IS NOT NULL` : sql``}
      ${batchId ? sql`AND p.export_batch_id = ${batchId}` : sql``}
      ${after ? sql`AND p.id > ${after}` : sql``}
    ORDER BY p.id LIMIT ${limit + 1}`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    claimId: r.claim_id,
    accountId: r.account_id,
    accountExternalId: r.external_id,
    accountName: r.name,
    amount: Number(r.amount),
    adDate: r.ad_date,
    medium: r.medium,
    approvedAt: r.created_at,
    exportBatchId: r.export_batch_id,
    exportedAt: r.exported_at,
  }));
}

export interface ExportBatch {
  id: string;
  payouts: number;
  total: number;
  createdAt: Date;
  /** False when this answered a retry with the same key. */
  created: boolean;
}

/**
 * Marks payouts exported as one batch: the given ones, or every unexported one. Retrying with the same key
 * answers the first batch and marks nothing more, so an ERP that lost the answer can safely ask again.
 */
export async function exportPayouts(db: Db, programId: string, key: string, actor: string, now: Date, payoutIds?: string[]): Promise<ExportBatch> {
  const existing = async (): Promise<ExportBatch | undefined> => {
    const r = (await sql<{ id: string; payouts: number; total: number; created_at: Date }>`
      SELECT id, payouts, total, created_at FROM coop_export_batches WHERE program_id = ${programId} AND idempotency_key = ${key}`.execute(db)).rows[0];
    return r && { id: r.id, payouts: r.payouts, total: Number(r.total), createdAt: r.created_at, created: false };
  };
  const old = await existing();
  if (old) return old;
  const id = uuidv7();
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO coop_export_batches (program_id, id, idempotency_key, payouts, total, actor, created_at) VALUES (${programId}, ${id}, ${key}, 0, 0, ${actor}, ${now})`.execute(trx);
      // Only unexported payouts are taken; a payout already in another batch stays there.
      const marked = await sql<{ amount: number }>`
        UPDATE coop_payouts SET export_batch_id = ${id}, exported_at = ${now}
        WHERE program_id = ${programId} AND export_batch_id IS NULL ${payoutIds ? sql`AND id = ANY(${payoutIds}::uuid[])` : sql``}
        RETURNING amount`.execute(trx);
      const total = marked.rows.reduce((s, r) => s + Number(r.amount), 0);
      const row = await sql<{ created_at: Date }>`
        UPDATE coop_export_batches SET payouts = ${marked.rows.length}, total = ${total} WHERE program_id = ${programId} AND id = ${id} RETURNING created_at`.execute(trx);
      return { id, payouts: marked.rows.length, total, createdAt: row.rows[0]!.created_at, created: true };
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const again = await existing();
      if (again) return again;
    }
    throw err;
  }
}

const PAGE = 5000;

/**
 * Every matching payout (after `after`, if given) as CSV for the ERP, streamed in keyset pages of 5,000 through the
 * project's CSV writer (src/insight/export.ts): no row limit, UTF-8 with a byte-order mark, the reader's separator
 * (amounts are whole minor units, so only the separator between fields depends on the language).
 */
export function payoutsCsv(db: Db, programId: string, currency: string, o: { state: PayoutState; after?: string | undefined; batchId?: string | undefined; language: Language }): Readable {
  const header = ['payout_id', 'claim_id', 'account_id', 'account_external_id', 'account_name', 'amount_minor', 'currency', 'ad_date', 'medium', 'approved_at', 'export_batch_id', 'exported_at'];
  const rows = async function* (): AsyncGenerator<Cell[]> {
    let after = o.after;
    for (;;) {
      const page = await listPayouts(db, programId, o.state, PAGE, after, o.batchId);
      for (const p of page.slice(0, PAGE)) {
        yield [p.id, p.claimId, p.accountId, p.accountExternalId, p.accountName, p.amount, currency, p.adDate, p.medium, p.approvedAt, p.exportBatchId, p.exportedAt];
      }
      if (page.length <= PAGE) return;
      after = page[PAGE - 1]!.id;
    }
  };
  return csvStream(header, rows(), o.language);
}
