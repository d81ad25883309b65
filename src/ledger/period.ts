/**
 * What owner wallets did in a period, for the team view: points earned (less reversals), spent (at checkout and
 * on reward orders, less cancelled ones), and moved by transfers, by the journals' time, and the balance now.
 * One grouped query for a page of wallets.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface WalletPeriodFigures {
  earned: number;
  spent: number;
  received: number;
  given: number;
  available: number;
  pending: number;
}

export async function walletPeriodFigures(db: Db, programId: string, walletIds: string[], from: Date, to: Date): Promise<Map<string, WalletPeriodFigures>> {
  if (walletIds.length === 0) return new Map();
  const rows = await sql<{ id: string; available: number; pending: number; earned: number; spent: number; received: number; given: number }>`
    SELECT w.id, w.available, w.pending,
      coalesce(sum(e.amount) FILTER (WHERE j.kind IN ('earn', 'reverse')), 0)::bigint AS earned,
      coalesce(-sum(e.amount) FILTER (WHERE j.kind IN ('spend', 'redeem', 'refund')), 0)::bigint AS spent,
      coalesce(sum(e.amount) FILTER (WHERE j.kind = 'transfer' AND e.amount > 0), 0)::bigint AS received,
      coalesce(-sum(e.amount) FILTER (WHERE j.kind = 'transfer' AND e.amount < 0), 0)::bigint AS given
    FROM wallets w
    LEFT JOIN entries e ON e.program_id = w.program_id AND e.wallet_id = w.id
    LEFT JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id AND j.occurred_at >= ${from} AND j.occurred_at < ${to}
    WHERE w.program_id = ${programId} AND w.id = ANY(${walletIds}::uuid[])
    GROUP BY w.id, w.available, w.pending`.execute(db);
  return new Map(
    rows.rows.map((r) => [
      r.id,
      { earned: Number(r.earned), spent: Number(r.spent), received: Number(r.received), given: Number(r.given), available: Number(r.available), pending: Number(r.pending) },
    ]),
  );
}
