/**
 * The co-op fund: money (program currency, minor units) per account, kept as a ledger of its own. The
 * balance changes only here, in the transaction that writes its entry, under the fund row's lock, and
 * never below zero (checked here, and by the table's CHECK as a backstop).
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';

export type CoopEntryKind = 'accrual' | 'reimbursement' | 'adjustment';

export interface CoopFund {
  accountId: string;
  balance: number;
  accrued: number;
  reimbursed: number;
}

export interface CoopEntryInput {
  accountId: string;
  kind: CoopEntryKind;
  /** Signed minor units. */
  amount: number;
  idempotencyKey: string;
  eventId?: string | null;
  claimId?: string | null;
  memo?: string | null;
  actor?: string | null;
}

/** Makes sure the accounts have fund rows, then locks them in id order (so two writers never wait on each other in a circle). */
export async function lockFunds(trx: Db, programId: string, accountIds: string[]): Promise<Map<string, CoopFund>> {
  const ids = [...new Set(accountIds)].sort();
  if (ids.length === 0) return new Map();
  await sql`INSERT INTO coop_funds (program_id, account_id) SELECT ${programId}, a FROM unnest(${ids}::uuid[]) AS a ORDER BY a ON CONFLICT DO NOTHING`.execute(trx);
  const rows = await sql<{ account_id: string; balance: number; accrued: number; reimbursed: number }>`
    SELECT account_id, balance, accrued, reimbursed FROM coop_funds
    WHERE program_id = ${programId} AND account_id = ANY(${ids}::uuid[]) ORDER BY account_id FOR UPDATE`.execute(trx);
  return new Map(rows.rows.map((r) => [r.account_id, { accountId: r.account_id, balance: Number(r.balance), accrued: Number(r.accrued), reimbursed: Number(r.reimbursed) }]));
}

/**
 * Writes entries and moves the balances by them, in the caller's transaction, after lockFunds. An entry
 * whose idempotency key is already written is skipped (and its amount not applied again); the answer
 * lists the keys actually written.
 */
export async function postCoopEntries(trx: Db, programId: string, entries: CoopEntryInput[]): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const col = <T>(f: (e: CoopEntryInput) => T) => entries.map(f);
  const written = await sql<{ idempotency_key: string; account_id: string; amount: number; kind: CoopEntryKind }>`
    INSERT INTO coop_entries (program_id, id, account_id, kind, amount, idempotency_key, event_id, claim_id, memo, actor)
    SELECT ${programId}, * FROM unnest(${col(() => uuidv7())}::uuid[], ${col((e) => e.accountId)}::uuid[], ${col((e) => e.kind)}::text[],
      ${col((e) => e.amount)}::bigint[], ${col((e) => e.idempotencyKey)}::text[], ${col((e) => e.eventId ?? null)}::uuid[],
      ${col((e) => e.claimId ?? null)}::uuid[], ${col((e) => e.memo ?? null)}::text[], ${col((e) => e.actor ?? null)}::text[])
    ON CONFLICT (program_id, idempotency_key) DO NOTHING
    RETURNING idempotency_key, account_id, amount, kind`.execute(trx);
  const delta = new Map<string, { balance: number; accrued: number; reimbursed: number }>();
  for (const r of written.rows) {
    const d = delta.get(r.account_id) ?? { balance: 0, accrued: 0, reimbursed: 0 };
    const amount = Number(r.amount);
    d.balance += amount;
    if (r.kind === 'accrual') d.accrued += amount;
    if (r.kind === 'reimbursement') d.reimbursed -= amount;
    delta.set(r.account_id, d);
  }
  const ids = [...delta.keys()].sort();
  if (ids.length) {
    const updated = await sql<{ account_id: string }>`
      UPDATE coop_funds f SET balance = f.balance + d.balance, accrued = f.accrued + d.accrued, reimbursed = f.reimbursed + d.reimbursed
      FROM unnest(${ids}::uuid[], ${ids.map((i) => delta.get(i)!.balance)}::bigint[], ${ids.map((i) => delta.get(i)!.accrued)}::bigint[],
        ${ids.map((i) => delta.get(i)!.reimbursed)}::bigint[]) AS d(account_id, balance, accrued, reimbursed)
      WHERE f.program_id = ${programId} AND f.account_id = d.account_id AND f.balance + d.balance >= 0
      RETURNING f.account_id`.execute(trx);
    // A debit larger than the balance: callers cap first, so reaching this is a bug; refuse rather than overdraw.
    if (updated.rows.length !== ids.length) throw new LojalError('coop_fund_empty');
  }
  return new Set(written.rows.map((r) => r.idempotency_key));
}

export async function getFund(db: Db, programId: string, accountId: string): Promise<CoopFund> {
  const r = (await sql<{ balance: number; accrued: number; reimbursed: number }>`
    SELECT balance, accrued, reimbursed FROM coop_funds WHERE program_id = ${programId} AND account_id = ${accountId}`.execute(db)).rows[0];
  return { accountId, balance: Number(r?.balance ?? 0), accrued: Number(r?.accrued ?? 0), reimbursed: Number(r?.reimbursed ?? 0) };
}

export interface CoopEntry {
  id: string;
  kind: CoopEntryKind;
  amount: number;
  eventId: string | null;
  claimId: string | null;
  memo: string | null;
  actor: string | null;
  createdAt: Date;
}

/** Newest first, in pages keyed by the entry id. */
export async function listEntries(db: Db, programId: string, accountId: string, limit: number, after: string | undefined): Promise<CoopEntry[]> {
  const rows = await sql<{ id: string; kind: CoopEntryKind; amount: number; event_id: string | null; claim_id: string | null; memo: string | null; actor: string | null; created_at: Date }>`
    SELECT id, kind, amount, event_id, claim_id, memo, actor, created_at FROM coop_entries
    WHERE program_id = ${programId} AND account_id = ${accountId} ${after ? sql`AND id < ${after}` : sql``}
    ORDER BY id DESC LIMIT ${limit + 1}`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, kind: r.kind, amount: Number(r.amount), eventId: r.event_id, claimId: r.claim_id, memo: r.memo, actor: r.actor, createdAt: r.created_at }));
}
