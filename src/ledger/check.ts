/**
 * The kept figures of owner wallets (cached balance buckets and lifetime totals) against the history they
 * summarize. The writer keeps them in the posting's transaction; this is how anyone checks that it did:
 * the ledger tests after every operation, `lojal ledger check` on a live database.
 *
 * From the entries of a wallet, by the kind of their journal:
 * - earned: earnings, positive and negative adjustments and reversals (earned is net of what was taken back);
 * - spent: spends and reward orders, less refunds of cancelled or rejected orders;
 * - expired: 'expire' journals (the expiry job's, and a leaver's points that lapse).
 * Transfers and releases move points without changing any lifetime figure.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface WalletFigures {
  available: number;
  pending: number;
  earned: number;
  spent: number;
  expired: number;
}

export interface WalletTotalsMismatch {
  walletId: string;
  kept: WalletFigures;
  fromEntries: WalletFigures;
}

type Row = { id: string } & Record<`${'k' | 'h'}_${keyof WalletFigures}`, number | string>;

/** Owner wallets of the program whose kept figures differ from their history; empty when all agree. Reads the whole history. */
export async function walletTotalsMismatches(db: Db, programId: string): Promise<WalletTotalsMismatch[]> {
  const rows = await sql<Row>`
    SELECT w.id, w.available AS k_available, w.pending AS k_pending, w.lifetime_earned AS k_earned,
           w.lifetime_spent AS k_spent, w.lifetime_expired AS k_expired,
           coalesce(h.available, 0) AS h_available, coalesce(h.pending, 0) AS h_pending, coalesce(h.earned, 0) AS h_earned,
           coalesce(h.spent, 0) AS h_spent, coalesce(h.expired, 0) AS h_expired
    FROM wallets w
    LEFT JOIN (
      SELECT e.wallet_id,
             sum(e.amount) FILTER (WHERE e.bucket = 'available')::bigint AS available,
             sum(e.amount) FILTER (WHERE e.bucket = 'pending')::bigint AS pending,
             sum(e.amount) FILTER (WHERE j.kind IN ('earn', 'adjust', 'reverse'))::bigint AS earned,
             (-sum(e.amount) FILTER (WHERE j.kind IN ('spend', 'redeem', 'refund')))::bigint AS spent,
             (-sum(e.amount) FILTER (WHERE j.kind = 'expire'))::bigint AS expired
      FROM entries e JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
      WHERE e.program_id = ${programId}
      GROUP BY e.wallet_id
    ) h ON h.wallet_id = w.id
    WHERE w.program_id = ${programId} AND w.kind IN ('account', 'member')
    ORDER BY w.id`.execute(db);
  const figures = (r: Row, p: 'k' | 'h'): WalletFigures => ({
    available: Number(r[`${p}_available`]),
    pending: Number(r[`${p}_pending`]),
    earned: Number(r[`${p}_earned`]),
    spent: Number(r[`${p}_spent`]),
    expired: Number(r[`${p}_expired`]),
  });
  return rows.rows
    .map((r) => ({ walletId: r.id, kept: figures(r, 'k'), fromEntries: figures(r, 'h') }))
    .filter((m) => (Object.keys(m.kept) as Array<keyof WalletFigures>).some((k) => m.kept[k] !== m.fromEntries[k]));
}
