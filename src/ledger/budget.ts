/**
 * Budget wallets: points set aside for a purpose (a campaign) that pay out until they run out and never below
 * zero. A budget is funded once from the issuance wallet; each payout is an earning journal from the budget to
 * owner wallets. The budget's row is locked while a payout is cut to what is left, and a CHECK constraint on the
 * wallet backs that up: however many payouts run at once, the budget cannot be overdrawn.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { systemWalletId } from '../programs/programs.js';
import type { Explanation } from '../rules/types.js';
import type { CreditJournal } from './types.js';
import { writeCredits } from './writer.js';

/** Creates a budget wallet holding `points`, funded from issuance. Returns the wallet id. */
export async function openBudget(trx: Db, programId: string, input: { points: number; idempotencyKey: string; explanation: Explanation; actor: string }, now: Date): Promise<string> {
  const walletId = uuidv7();
  await sql`INSERT INTO wallets (program_id, id, kind) VALUES (${programId}, ${walletId}, 'budget')`.execute(trx);
  if (input.points > 0) {
    const journalId = uuidv7();
    await sql`
      INSERT INTO journals (program_id, id, idempotency_key, kind, explanation, actor, occurred_at)
      VALUES (${programId}, ${journalId}, ${input.idempotencyKey}, 'adjust', ${JSON.stringify(input.explanation)}::jsonb, ${input.actor}, ${now})`.execute(trx);
    await sql`
      INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount)
      VALUES (${programId}, ${journalId}, 0, ${systemWalletId(programId, 'issuance')}, 'available', ${-input.points}),
             (${programId}, ${journalId}, 1, ${walletId}, 'available', ${input.points})`.execute(trx);
    await sql`UPDATE wallets SET available = available + ${input.points} WHERE program_id = ${programId} AND id = ${walletId}`.execute(trx);
  }
  return walletId;
}

export interface BudgetBalance {
  walletId: string;
  funded: number;
  spent: number;
  available: number;
}

/** What budgets hold: funded (entries in), spent (entries out) and available now. */
export async function budgetBalances(db: Db, programId: string, walletIds: string[]): Promise<Map<string, BudgetBalance>> {
  const out = new Map<string, BudgetBalance>();
  if (walletIds.length === 0) return out;
  const { rows } = await sql<{ id: string; available: string; funded: string | null; spent: string | null }>`
    SELECT w.id, w.available,
           (SELECT sum(e.amount) FROM entries e WHERE e.program_id = w.program_id AND e.wallet_id = w.id AND e.amount > 0) AS funded,
           (SELECT -sum(e.amount) FROM entries e WHERE e.program_id = w.program_id AND e.wallet_id = w.id AND e.amount < 0) AS spent
    FROM wallets w WHERE w.program_id = ${programId} AND w.id = ANY(${walletIds}::uuid[]) AND w.kind = 'budget'`.execute(db);
  for (const r of rows) out.set(r.id, { walletId: r.id, available: Number(r.available), funded: Number(r.funded ?? 0), spent: Number(r.spent ?? 0) });
  return out;
}

export interface BudgetPayout {
  journal: CreditJournal;
  /** What the payout asked for (the sum of its credits before the budget cut it). */
  wanted: number;
}

/**
 * Pays credit journals from budget wallets in the caller's transaction, in the order given. Each budget is
 * locked (in id order) and read; a payout larger than what is left is cut to the rest (its last credit first),
 * and one that finds nothing left is not written. `explainCut` rewrites the explanation of a cut payout.
 * Returns, per journal id, the points actually paid (0: not paid).
 */
export async function payFromBudgets(
  trx: Db,
  programId: string,
  payouts: BudgetPayout[],
  now: Date,
  explainCut: (p: BudgetPayout, paid: number) => Explanation,
): Promise<Map<string, number>> {
  const paid = new Map<string, number>();
  if (payouts.length === 0) return paid;
  const budgetIds = [...new Set(payouts.map((p) => p.journal.fromWalletId))].sort();
  const { rows } = await sql<{ id: string; available: string }>`
    SELECT id, available FROM wallets WHERE program_id = ${programId} AND id = ANY(${budgetIds}::uuid[]) AND kind = 'budget'
    ORDER BY id FOR UPDATE`.execute(trx);
  const left = new Map(rows.map((r) => [r.id, Number(r.available)]));
  // Replays write nothing: find them first so they take nothing from the budget.
  const keys = payouts.map((p) => p.journal.idempotencyKey);
  const seen = await sql<{ idempotency_key: string }>`
    SELECT idempotency_key FROM journals WHERE program_id = ${programId} AND idempotency_key = ANY(${keys}::text[])`.execute(trx);
  const replayed = new Set(seen.rows.map((r) => r.idempotency_key));
  const journals: CreditJournal[] = [];
  const taken = new Map<string, number>();
  for (const p of payouts) {
    const budget = p.journal.fromWalletId;
    const rest = left.get(budget) ?? 0;
    if (replayed.has(p.journal.idempotencyKey) || rest <= 0) {
      paid.set(p.journal.id, 0);
      continue;
    }
    let give = Math.min(rest, p.wanted);
    const credits = [];
    for (const c of p.journal.credits) {
      const points = Math.min(c.points, give);
      give -= points;
      if (points > 0) credits.push(points === c.points ? c : { ...c, points, explanation: explainCut(p, points) });
    }
    const total = credits.reduce((s, c) => s + c.points, 0);
    left.set(budget, rest - total);
    taken.set(budget, (taken.get(budget) ?? 0) + total);
    paid.set(p.journal.id, total);
    journals.push({ ...p.journal, credits });
  }
  await writeCredits(trx, programId, journals, now);
  const ids = [...taken.keys()].sort();
  if (ids.length) {
    await sql`
      UPDATE wallets w SET available = w.available - t.points
      FROM unnest(${ids}::uuid[], ${ids.map((id) => taken.get(id)!)}::bigint[]) AS t(id, points)
      WHERE w.program_id = ${programId} AND w.id = t.id`.execute(trx);
  }
  return paid;
}
