/**
 * What the shop owes outside Lojal: donations pledged to each cause, and cashback credit notes the ERP
 * pays to the accounts. Credit notes leave in export batches named by the caller's key, so an ERP that
 * crashes mid-import asks again with the same key and gets the same batch, never a note twice or none.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { inTransaction, type Db } from '../db/database.js';
import { decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import type { Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { textIn, type RewardTexts } from './catalogue.js';

export interface Pledge {
  rewardId: string;
  code: string;
  cause: string;
  orders: number;
  units: number;
  points: number;
  /** The donation in minor units: the reward's amount per unit, else the points at the program's point value. */
  amountMinor: number;
  currency: string;
}

/** Donations issued in [from, to), summed per cause (each charity reward is one cause). */
export async function pledgesByCause(db: Db, program: Program, from: Date, to: Date, lng: Language): Promise<Pledge[]> {
  const rows = await sql<{ id: string; code: string; texts: RewardTexts; cash_value_minor: number | null; orders: number; units: number; points: number }>`
    SELECT r.id, r.code, r.texts, r.cash_value_minor, count(*)::bigint AS orders, sum(o.quantity)::bigint AS units, sum(o.points)::bigint AS points
    FROM reward_orders o JOIN rewards r ON r.program_id = o.program_id AND r.id = o.reward_id
    WHERE o.program_id = ${program.id} AND r.type = 'charity' AND o.state = 'issued' AND o.created_at >= ${from} AND o.created_at < ${to}
    GROUP BY r.id, r.code, r.texts, r.cash_value_minor
    ORDER BY r.code`.execute(db);
  return rows.rows.map((r) => ({
    rewardId: r.id,
    code: r.code,
    cause: textIn(r.texts, lng, program.defaultLanguage).name,
    orders: Number(r.orders),
    units: Number(r.units),
    points: Number(r.points),
    amountMinor: r.cash_value_minor !== null ? Number(r.cash_value_minor) * Number(r.units) : Math.floor((Number(r.points) * program.pointValueMicros) / 1_000_000),
    currency: program.currency,
  }));
}

export interface CreditNote {
  id: string;
  orderId: string;
  accountId: string;
  accountExternalId: string | null;
  amountMinor: number;
  currency: string;
  createdAt: Date;
  exportedAt: Date | null;
  exportBatch: string | null;
}

function selectNotes(db: Db, programId: string) {
  return db
    .selectFrom('credit_notes as n')
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'n.program_id').onRef('a.id', '=', 'n.account_id'))
    .selectAll('n')
    .select('a.external_id')
    .where('n.program_id', '=', programId);
}

type NoteRow = Awaited<ReturnType<ReturnType<typeof selectNotes>['execute']>>[number];

const toNote = (r: NoteRow): CreditNote => ({
  id: r.id,
  orderId: r.order_id,
  accountId: r.account_id,
  accountExternalId: r.external_id,
  amountMinor: Number(r.amount_minor),
  currency: r.currency,
  createdAt: new Date(r.created_at),
  exportedAt: r.exported_at ? new Date(r.exported_at) : null,
  exportBatch: r.export_batch,
});

export async function listCreditNotes(db: Db, programId: string, f: { exported?: boolean | undefined } & PageParams): Promise<Page<CreditNote>> {
  const limit = pageSize(f);
  const after = decodeCursor(f.cursor, z.tuple([z.uuid()]));
  let q = selectNotes(db, programId);
  if (f.exported !== undefined) q = q.where('n.exported_at', f.exported ? 'is not' : 'is', null);
  if (after) q = q.where('n.id', '>', after[0]);
  const rows = await q.orderBy('n.id').limit(limit + 1).execute();
  return toPage(rows, limit, (r) => [r.id], toNote);
}

/** Marks up to `max` unexported notes as the batch `key` and answers the batch; the same key answers it again. */
export async function exportCreditNotes(db: Db, programId: string, key: string, max: number, now: Date): Promise<CreditNote[]> {
  return inTransaction(db, async (trx) => {
    const earlier = await selectNotes(trx, programId).where('n.export_batch', '=', key).orderBy('n.id').execute();
    if (earlier.length) return earlier.map(toNote);
    // A CTE, not IN (…): PostgreSQL may re-run such a subquery per updated row and take more than `max`.
    const taken = await sql<{ id: string }>`
      WITH picked AS (
        SELECT id FROM credit_notes WHERE program_id = ${programId} AND exported_at IS NULL ORDER BY id LIMIT ${max} FOR UPDATE SKIP LOCKED)
      UPDATE credit_notes n SET exported_at = ${now}, export_batch = ${key}
      FROM picked WHERE n.program_id = ${programId} AND n.id = picked.id
      RETURNING n.id`.execute(trx);
    if (!taken.rows.length) return [];
    const rows = await selectNotes(trx, programId).where('n.id', 'in', taken.rows.map((r) => r.id)).orderBy('n.id').execute();
    return rows.map(toNote);
  });
}
