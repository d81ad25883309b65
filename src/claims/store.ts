/** The tables the claims module owns: sales claims and the evidence each refers to. */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { getEvidence, type EvidenceFile } from '../evidence/files.js';
import type { Explanation } from '../rules/types.js';
import type { ClaimFacts, ClaimFlag } from './flags.js';
import type { RejectionReason } from './reasons.js';

export const claimStates = ['submitted', 'needs_review', 'approved', 'rejected'] as const;
export type ClaimState = (typeof claimStates)[number];

/** One rule's share of what the claim would earn, as the rules said at submission. */
export interface ProposedPosting {
  ruleId: string;
  ruleVersion: number;
  ruleName: string;
  recipient: 'account' | 'member';
  points: number;
  explanation: Explanation;
}

export interface SaleClaim {
  id: string;
  state: ClaimState;
  accountId: string;
  memberId: string;
  sku: string;
  quantity: number;
  amount: number;
  saleDate: string;
  invoiceNumber: string;
  endCustomer: string;
  flags: ClaimFlag[];
  proposedPoints: number;
  proposed: ProposedPosting[];
  eventId: string | null;
  points: number | null;
  rejectionCode: RejectionReason | null;
  rejectionNote: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  submittedBy: string;
  idempotencyKey: string | null;
  requestHash: string;
  createdAt: Date;
}

interface Row {
  id: string;
  state: ClaimState;
  account_id: string;
  member_id: string;
  sku: string;
  quantity: number;
  amount: number;
  sale_date: string;
  invoice_number: string;
  end_customer: string;
  flags: ClaimFlag[];
  proposed_points: number;
  proposed: ProposedPosting[];
  event_id: string | null;
  points: number | null;
  rejection_code: RejectionReason | null;
  rejection_note: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  submitted_by: string;
  idempotency_key: string | null;
  request_hash: string;
  created_at: Date;
}

// sale_date as text: a date has no time zone, and a Date object would invent one.
const columns = sql.raw(`id, state, account_id, member_id, sku, quantity, amount, to_char(sale_date, 'YYYY-MM-DD') AS sale_date,
  invoice_number, end_customer, flags, proposed_points, proposed, event_id, points, rejection_code, rejection_note,
  decided_by, decided_at, submitted_by, idempotency_key, request_hash, created_at`);

const toClaim = (r: Row): SaleClaim => ({
  id: r.id,
  state: r.state,
  accountId: r.account_id,
  memberId: r.member_id,
  sku: r.sku,
  quantity: r.quantity,
  amount: Number(r.amount),
  saleDate: r.sale_date,
  invoiceNumber: r.invoice_number,
  endCustomer: r.end_customer,
  flags: r.flags,
  proposedPoints: Number(r.proposed_points),
  proposed: r.proposed,
  eventId: r.event_id,
  points: r.points === null ? null : Number(r.points),
  rejectionCode: r.rejection_code,
  rejectionNote: r.rejection_note,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  submittedBy: r.submitted_by,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  createdAt: r.created_at,
});

export async function findClaim(db: Db, programId: string, id: string, forUpdate = false): Promise<SaleClaim | undefined> {
  const lock = forUpdate ? sql` FOR UPDATE` : sql``;
  const rows = await sql<Row>`SELECT ${columns} FROM sale_claims WHERE program_id = ${programId} AND id = ${id}${lock}`.execute(db);
  return rows.rows[0] && toClaim(rows.rows[0]);
}

export async function requireClaim(db: Db, programId: string, id: string, forUpdate = false): Promise<SaleClaim> {
  const c = await findClaim(db, programId, id, forUpdate);
  if (!c) throw new LojalError('not_found', { entity: 'claim', id });
  return c;
}

export async function findClaimByKey(db: Db, programId: string, key: string): Promise<SaleClaim | undefined> {
  const rows = await sql<Row>`SELECT ${columns} FROM sale_claims WHERE program_id = ${programId} AND idempotency_key = ${key}`.execute(db);
  return rows.rows[0] && toClaim(rows.rows[0]);
}

/** The live (not rejected) claim that already holds this invoice line. */
export async function findExactDuplicate(db: Db, programId: string, invoiceExact: string, sku: string): Promise<SaleClaim | undefined> {
  const rows = await sql<Row>`
    SELECT ${columns} FROM sale_claims
    WHERE program_id = ${programId} AND invoice_exact = ${invoiceExact} AND sku = ${sku} AND state <> 'rejected'`.execute(db);
  return rows.rows[0] && toClaim(rows.rows[0]);
}

export interface NewClaim {
  id: string;
  state: ClaimState;
  accountId: string;
  memberId: string;
  sku: string;
  quantity: number;
  amount: number;
  saleDate: string;
  invoiceNumber: string;
  invoiceExact: string;
  invoiceLoose: string;
  endCustomer: string;
  flags: ClaimFlag[];
  proposedPoints: number;
  proposed: ProposedPosting[];
  submittedBy: string;
  idempotencyKey: string | null;
  requestHash: string;
  createdAt: Date;
}

export async function insertClaim(trx: Db, programId: string, c: NewClaim, evidenceIds: string[]): Promise<void> {
  await sql`
    INSERT INTO sale_claims (program_id, id, account_id, member_id, sku, quantity, amount, sale_date, invoice_number, invoice_exact,
      invoice_loose, end_customer, state, flags, proposed_points, proposed, submitted_by, idempotency_key, request_hash, created_at)
    VALUES (${programId}, ${c.id}, ${c.accountId}, ${c.memberId}, ${c.sku}, ${c.quantity}, ${c.amount}, ${c.saleDate}, ${c.invoiceNumber},
      ${c.invoiceExact}, ${c.invoiceLoose}, ${c.endCustomer}, ${c.state}, ${JSON.stringify(c.flags)}::jsonb, ${c.proposedPoints},
      ${JSON.stringify(c.proposed)}::jsonb, ${c.submittedBy}, ${c.idempotencyKey}, ${c.requestHash}, ${c.createdAt})`.execute(trx);
  const ids = [...new Set(evidenceIds)];
  await sql`
    INSERT INTO sale_claim_evidence (program_id, claim_id, evidence_id)
    SELECT ${programId}, ${c.id}, e FROM unnest(${ids}::uuid[]) AS e`.execute(trx);
}

/** What the flags are decided from: look-alike claims and recent counts, excluding rejected claims from the look-alikes. */
export async function claimFacts(
  db: Db,
  programId: string,
  c: { accountId: string; memberId: string; sku: string; amount: number; saleDate: string; invoiceExact: string; invoiceLoose: string },
  nearDays: number,
  now: Date,
): Promise<ClaimFacts> {
  const near = await sql<{ id: string; invoice_number: string }>`
    SELECT id, invoice_number FROM sale_claims
    WHERE program_id = ${programId} AND invoice_loose = ${c.invoiceLoose} AND sku = ${c.sku}
      AND invoice_exact <> ${c.invoiceExact} AND state <> 'rejected'
    ORDER BY id LIMIT 20`.execute(db);
  const same = await sql<{ id: string; sale_date: string }>`
    SELECT id, to_char(sale_date, 'YYYY-MM-DD') AS sale_date FROM sale_claims
    WHERE program_id = ${programId} AND account_id = ${c.accountId} AND amount = ${c.amount} AND state <> 'rejected'
      AND sale_date BETWEEN ${c.saleDate}::date - ${nearDays}::int AND ${c.saleDate}::date + ${nearDays}::int
    ORDER BY id LIMIT 20`.execute(db);
  const day = new Date(now.getTime() - 86_400_000);
  const week = new Date(now.getTime() - 7 * 86_400_000);
  const counts = await sql<{ member_day: number; member_week: number; account_day: number; account_week: number }>`
    SELECT count(*) FILTER (WHERE member_id = ${c.memberId} AND created_at > ${day})::int AS member_day,
           count(*) FILTER (WHERE member_id = ${c.memberId})::int AS member_week,
           count(*) FILTER (WHERE created_at > ${day})::int AS account_day,
           count(*)::int AS account_week
    FROM sale_claims WHERE program_id = ${programId} AND account_id = ${c.accountId} AND created_at > ${week}`.execute(db);
  const n = counts.rows[0]!;
  return {
    nearInvoice: near.rows.map((r) => ({ claimId: r.id, invoiceNumber: r.invoice_number })),
    sameAmount: same.rows.map((r) => ({ claimId: r.id, saleDate: r.sale_date })),
    memberDay: n.member_day,
    memberWeek: n.member_week,
    accountDay: n.account_day,
    accountWeek: n.account_week,
  };
}

export async function claimEvidence(db: Db, programId: string, claimId: string): Promise<EvidenceFile[]> {
  const ids = await sql<{ evidence_id: string }>`
    SELECT evidence_id FROM sale_claim_evidence WHERE program_id = ${programId} AND claim_id = ${claimId} ORDER BY evidence_id`.execute(db);
  return Promise.all(ids.rows.map((r) => getEvidence(db, programId, r.evidence_id)));
}

export async function decideClaim(
  trx: Db,
  programId: string,
  id: string,
  d: { state: 'approved'; eventId: string; points: number; actor: string } | { state: 'rejected'; code: RejectionReason; note: string | null; actor: string },
  /** The app's time, not the database's: decided_at is shown and compared with the other times the app stamps. */
  now: Date,
): Promise<void> {
  if (d.state === 'approved') {
    await sql`UPDATE sale_claims SET state = 'approved', event_id = ${d.eventId}, points = ${d.points}, decided_by = ${d.actor}, decided_at = ${now}
      WHERE program_id = ${programId} AND id = ${id}`.execute(trx);
  } else {
    await sql`UPDATE sale_claims SET state = 'rejected', rejection_code = ${d.code}, rejection_note = ${d.note}, decided_by = ${d.actor}, decided_at = ${now}
      WHERE program_id = ${programId} AND id = ${id}`.execute(trx);
  }
}

export interface ClaimFilters {
  state?: ClaimState | undefined;
  /** Any of these states (a manager's queue: submitted and needs_review). */
  states?: ClaimState[] | undefined;
  accountId?: string | undefined;
  /** Any of these accounts (a manager's account and its branches). */
  accountIds?: string[] | undefined;
  memberId?: string | undefined;
  flagged?: boolean | undefined;
}

/** Newest first; the cursor is the last id shown (ids are time-ordered UUIDv7). */
export async function listClaims(db: Db, programId: string, f: ClaimFilters, limit: number, after: string | undefined): Promise<SaleClaim[]> {
  const rows = await sql<Row>`
    SELECT ${columns} FROM sale_claims
    WHERE program_id = ${programId}
      ${f.state ? sql`AND state = ${f.state}` : sql``}
      ${f.states ? sql`AND state = ANY(${f.states}::text[])` : sql``}
      ${f.accountId ? sql`AND account_id = ${f.accountId}` : sql``}
      ${f.accountIds ? sql`AND account_id = ANY(${f.accountIds}::uuid[])` : sql``}
      ${f.memberId ? sql`AND member_id = ${f.memberId}` : sql``}
      ${f.flagged === undefined ? sql`` : f.flagged ? sql`AND flags <> '[]'::jsonb` : sql`AND flags = '[]'::jsonb`}
      ${after ? sql`AND id < ${after}` : sql``}
    ORDER BY id DESC LIMIT ${limit + 1}`.execute(db);
  return rows.rows.map(toClaim);
}
