/**
 * What Lojal hands out itself when an order is issued: gift-card and coupon codes (from the imported pool
 * or freshly generated) and, for cashback, a credit note the ERP pays out. Runs in the order's transaction.
 */
import { randomInt } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '../clock/index.js';
import { inTransaction, type Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Reward } from './catalogue.js';
import { publishCreditNote } from '../webhooks/publish.js';

// Crockford's base32 without I, L, O, U: nothing a person reading a code aloud can confuse.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A 60-bit random code in three groups, e.g. `7KQ2-M9XD-4RTF`. */
export function generateCode(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += alphabet[randomInt(alphabet.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

export interface Issued {
  codes: string[];
  creditNoteId: string | null;
}

export async function issue(
  trx: Db,
  programId: string,
  currency: string,
  order: { id: string; quantity: number; accountId: string },
  reward: Reward,
  now: Date,
): Promise<Issued> {
  if (reward.type === 'code' && reward.codeSource === 'pool') {
    // The order's stock was reserved when it was placed, so its codes are there; SKIP LOCKED keeps two
    // issuing transactions from waiting on the same free code.
    // A CTE runs once; as an IN (…) subquery PostgreSQL may re-run it per row and hand out every free code.
    const taken = await sql<{ code: string }>`
      WITH picked AS (
        SELECT code FROM reward_codes
        WHERE program_id = ${programId} AND reward_id = ${reward.id} AND order_id IS NULL
        ORDER BY imported_at, code LIMIT ${order.quantity} FOR UPDATE SKIP LOCKED)
      UPDATE reward_codes c SET order_id = ${order.id}, issued_at = ${now}
      FROM picked WHERE c.program_id = ${programId} AND c.reward_id = ${reward.id} AND c.code = picked.code
      RETURNING c.code`.execute(trx);
    if (taken.rows.length !== order.quantity) {
      throw new Error(`reward ${reward.code}: the pool holds fewer codes than its stock says`);
    }
    return { codes: taken.rows.map((r) => r.code).sort(), creditNoteId: null };
  }
  if (reward.type === 'code') {
    const codes = Array.from({ length: order.quantity }, generateCode);
    await trx
      .insertInto('reward_codes')
      .values(codes.map((code) => ({ program_id: programId, reward_id: reward.id, code, order_id: order.id, issued_at: now })))
      .execute();
    return { codes, creditNoteId: null };
  }
  if (reward.type === 'cashback') {
    const id = uuidv7();
    await trx
      .insertInto('credit_notes')
      .values({
        program_id: programId,
        id,
        order_id: order.id,
        account_id: order.accountId,
        amount_minor: reward.cashValueMinor! * order.quantity,
        currency,
      })
      .execute();
    await publishCreditNote(trx, programId, id, now);
    return { codes: [], creditNoteId: id };
  }
  return { codes: [], creditNoteId: null };
}

/**
 * Adds codes to a reward's pool; codes it holds already are skipped and counted. The stock grows by the
 * codes added, in the same transaction, so the stock never promises a code the pool does not have.
 */
export async function importCodes(db: Db, programId: string, reward: Reward, codes: string[], now: Date): Promise<{ added: number; duplicates: number; stock: number }> {
  if (reward.type !== 'code' || reward.codeSource !== 'pool') {
    throw new LojalError('validation_failed', {}, [{ path: 'codes', message: 'only a code reward with codeSource pool takes imported codes' }]);
  }
  const unique = [...new Set(codes)];
  return inTransaction(db, async (trx) => {
    await trx.selectFrom('rewards').select('id').where('program_id', '=', programId).where('id', '=', reward.id).forUpdate().execute();
    const added = await sql<{ code: string }>`
      INSERT INTO reward_codes (program_id, reward_id, code)
      SELECT ${programId}, ${reward.id}, c FROM unnest(${unique}::text[]) AS c
      ON CONFLICT DO NOTHING RETURNING code`.execute(trx);
    const row = await trx
      .updateTable('rewards')
      .set((eb) => ({ stock: eb('stock', '+', added.rows.length), updated_at: now }))
      .where('program_id', '=', programId)
      .where('id', '=', reward.id)
      .returning('stock')
      .executeTakeFirstOrThrow();
    return { added: added.rows.length, duplicates: codes.length - added.rows.length, stock: row.stock ?? 0 };
  });
}

/**
 * Reads a supplier's file of codes (one per line, or a CSV whose first column is the code, with or without
 * a `code` header) and adds them to the pool in chunks, so a file of a million codes needs little memory.
 */
export async function importCodesFile(db: Db, programId: string, reward: Reward, input: Readable, clock: Clock, onProgress?: (rows: number) => void) {
  const totals = { rows: 0, added: 0, duplicates: 0, stock: reward.stock ?? 0 };
  let chunk: string[] = [];
  const flush = async () => {
    if (!chunk.length) return;
    const r = await importCodes(db, programId, reward, chunk, clock());
    totals.added += r.added;
    totals.duplicates += r.duplicates;
    totals.stock = r.stock;
    chunk = [];
    onProgress?.(totals.rows);
  };
  for await (const record of input.pipe(parse({ relax_column_count: true, skip_empty_lines: true, trim: true })) as AsyncIterable<string[]>) {
    const code = record[0] ?? '';
    if (totals.rows === 0 && chunk.length === 0 && /^codes?$/i.test(code)) continue;
    if (!code) continue;
    totals.rows++;
    chunk.push(code);
    if (chunk.length === 10_000) await flush();
  }
  await flush();
  return totals;
}
