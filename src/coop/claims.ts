/**
 * Co-op claims: a dealer asks the manufacturer to share an ad's cost. The share follows the rule in
 * share.ts; approval pays it out of the account's fund, capped by the balance then, in one transaction
 * under the claim's and the fund's locks, so racing approvals never overdraw. An approved claim becomes
 * a payout for the ERP.
 */
import { createHash } from 'node:crypto';
import { idempotencyKey } from '../fields/index.js';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { loadAccounts, loadMembers } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { requireAccountEvidence, storeEvidence, type UploadedFile } from '../evidence/files.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { Program } from '../programs/programs.js';
import { lockFunds, postCoopEntries } from './fund.js';
import { publishCoopClaimDecided } from '../webhooks/publish.js';
import { coopShare, reimbursement } from './share.js';

export const adMedia = ['print', 'outdoor', 'online', 'social', 'radio', 'tv', 'event', 'direct_mail', 'other'] as const;
export type AdMedium = (typeof adMedia)[number];
export const coopRejectionReasons = ['proof_unreadable', 'ad_not_eligible', 'cost_not_documented', 'duplicate_ad', 'other'] as const;
export type CoopRejectionReason = (typeof coopRejectionReasons)[number];

export const coopClaimInputSchema = z
  .object({
    account: z.string().trim().min(1).max(200).optional().describe('The dealer (account) by external id; give this or accountId'),
    accountId: z.uuid().optional().describe('The dealer (account) by id; give this or account'),
    /** Who at the dealer sends it (optional). */
    member: z.string().trim().min(1).max(200).optional().describe("Who at the dealer sends it, by external id (optional; a member of the account)"),
    memberId: z.uuid().optional().describe('Who at the dealer sends it, by id (optional)'),
    /** What the ad cost, in minor units. */
    cost: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('What the ad cost, in minor units'),
    adDate: z.iso.date({ message: 'adDate is a date such as 2026-11-20' }).describe('When the ad ran, YYYY-MM-DD'),
    medium: z.enum(adMedia),
    description: z.string().trim().min(1).max(1000).optional(),
    /** How many other manufacturers' brands the ad shows (0: only ours). */
    otherBrands: z.number().int().min(0).max(50).describe("How many other manufacturers' brands the ad shows (0: only ours)"),
    /** A proof uploaded before (POST /v1/evidence); or the file itself in a multipart request. */
    proofEvidenceId: z.uuid().optional().describe("A proof uploaded before (POST /v1/evidence) for the account; or the file itself in a multipart request"),
    idempotencyKey: idempotencyKey
      .optional()
      .describe('A unique key of at least 8 characters, e.g. a UUID; a retry with it answers the same claim'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.account === !c.accountId) ctx.addIssue({ code: 'custom', path: ['account'], message: 'give exactly one of account (external id) or accountId' });
    if (c.member && c.memberId) ctx.addIssue({ code: 'custom', path: ['member'], message: 'give member or memberId, not both' });
  });
export type CoopClaimInput = z.output<typeof coopClaimInputSchema>;

export type CoopClaimState = 'submitted' | 'approved' | 'rejected';

export interface CoopClaim {
  id: string;
  state: CoopClaimState;
  accountId: string;
  memberId: string | null;
  cost: number;
  adDate: string;
  medium: AdMedium;
  description: string | null;
  otherBrands: number;
  proofEvidenceId: string;
  share: number;
  approvedAmount: number | null;
  rejectionCode: CoopRejectionReason | null;
  rejectionNote: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  submittedBy: string;
  requestHash: string;
  createdAt: Date;
}

interface Row {
  id: string;
  state: CoopClaimState;
  account_id: string;
  member_id: string | null;
  cost: number;
  ad_date: string;
  medium: AdMedium;
  description: string | null;
  other_brands: number;
  proof_evidence_id: string;
  share: number;
  approved_amount: number | null;
  rejection_code: CoopRejectionReason | null;
  rejection_note: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  submitted_by: string;
  request_hash: string;
  created_at: Date;
}

const columns = sql.raw(`id, state, account_id, member_id, cost, to_char(ad_date, 'YYYY-MM-DD') AS ad_date, medium, description, other_brands,
  proof_evidence_id, share, approved_amount, rejection_code, rejection_note, decided_by, decided_at, submitted_by, request_hash, created_at`);

const toClaim = (r: Row): CoopClaim => ({
  id: r.id,
  state: r.state,
  accountId: r.account_id,
  memberId: r.member_id,
  cost: Number(r.cost),
  adDate: r.ad_date,
  medium: r.medium,
  description: r.description,
  otherBrands: r.other_brands,
  proofEvidenceId: r.proof_evidence_id,
  share: Number(r.share),
  approvedAmount: r.approved_amount === null ? null : Number(r.approved_amount),
  rejectionCode: r.rejection_code,
  rejectionNote: r.rejection_note,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  submittedBy: r.submitted_by,
  requestHash: r.request_hash,
  createdAt: r.created_at,
});

export async function requireCoopClaim(db: Db, programId: string, id: string, forUpdate = false): Promise<CoopClaim> {
  const rows = await sql<Row>`SELECT ${columns} FROM coop_claims WHERE program_id = ${programId} AND id = ${id} ${forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  if (!rows.rows[0]) throw new LojalError('not_found', { entity: 'co-op claim', id });
  return toClaim(rows.rows[0]);
}

async function findByKey(db: Db, programId: string, key: string): Promise<CoopClaim | undefined> {
  const rows = await sql<Row>`SELECT ${columns} FROM coop_claims WHERE program_id = ${programId} AND idempotency_key = ${key}`.execute(db);
  return rows.rows[0] && toClaim(rows.rows[0]);
}

export async function listCoopClaims(db: Db, programId: string, f: { state?: CoopClaimState | undefined; accountId?: string | undefined }, limit: number, after?: string): Promise<CoopClaim[]> {
  const rows = await sql<Row>`
    SELECT ${columns} FROM coop_claims WHERE program_id = ${programId}
      ${f.state ? sql`AND state = ${f.state}` : sql``} ${f.accountId ? sql`AND account_id = ${f.accountId}` : sql``} ${after ? sql`AND id < ${after}` : sql``}
    ORDER BY id DESC LIMIT ${limit + 1}`.execute(db);
  return rows.rows.map(toClaim);
}

const fingerprint = (input: CoopClaimInput, files: UploadedFile[]) =>
  createHash('sha256')
    .update(JSON.stringify({ ...input, idempotencyKey: undefined, files: files.map((f) => f.sha256) }))
    .digest('hex');

export async function submitCoopClaim(
  db: Db,
  store: EvidenceStore,
  program: Program,
  input: CoopClaimInput,
  files: UploadedFile[],
  actor: string,
): Promise<{ claim: CoopClaim; created: boolean }> {
  const hash = fingerprint(input, files);
  const replay = async () => {
    const old = input.idempotencyKey ? await findByKey(db, program.id, input.idempotencyKey) : undefined;
    if (old && old.requestHash !== hash) throw new LojalError('idempotency_conflict', { key: input.idempotencyKey! });
    return old;
  };
  const earlier = await replay();
  if (earlier) return { claim: earlier, created: false };

  const accounts = await loadAccounts(db, program.id, input.account ? [input.account] : [], input.accountId ? [input.accountId] : []);
  const account = input.account ? accounts.byExternal.get(input.account) : accounts.byId.get(input.accountId!);
  if (!account) throw new LojalError('unknown_account', { account: input.account ?? input.accountId! });
  let memberId: string | null = null;
  if (input.member || input.memberId) {
    const members = await loadMembers(db, program.id, input.member ? [input.member] : [], input.memberId ? [input.memberId] : []);
    const m = input.member ? members.byExternal.get(input.member) : members.byId.get(input.memberId!);
    if (!m) throw new LojalError('unknown_member', { member: input.member ?? input.memberId! });
    if (m.accountId !== account.id) throw new LojalError('member_not_in_account', { member: input.member ?? input.memberId!, account: input.account ?? input.accountId! });
    memberId = m.id;
  }
  if (files.length + (input.proofEvidenceId ? 1 : 0) !== 1) {
    throw new LojalError('evidence_required');
  }
  if (input.proofEvidenceId) await requireAccountEvidence(db, program.id, account.id, [input.proofEvidenceId]);

  const id = uuidv7();
  try {
    await db.transaction().execute(async (trx) => {
      const proof = input.proofEvidenceId ?? (await storeEvidence(trx, store, program.id, account.id, files, actor))[0]!.id;
      await sql`
        INSERT INTO coop_claims (program_id, id, account_id, member_id, cost, ad_date, medium, description, other_brands, proof_evidence_id,
          share, state, submitted_by, idempotency_key, request_hash)
        VALUES (${program.id}, ${id}, ${account.id}, ${memberId}, ${input.cost}, ${input.adDate}, ${input.medium}, ${input.description ?? null},
          ${input.otherBrands}, ${proof}, ${coopShare(input.cost, input.otherBrands)}, 'submitted', ${actor}, ${input.idempotencyKey ?? null}, ${hash})`.execute(trx);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'coop_claims_idempotency')) {
      const again = await replay();
      if (again) return { claim: again, created: false };
    }
    throw err;
  }
  return { claim: await requireCoopClaim(db, program.id, id), created: true };
}

export async function approveCoopClaim(db: Db, program: Program, id: string, actor: string, now: Date): Promise<{ claim: CoopClaim; created: boolean }> {
  const created = await db.transaction().execute(async (trx) => {
    const claim = await requireCoopClaim(trx, program.id, id, true);
    if (claim.state === 'approved') return false;
    if (claim.state === 'rejected') throw new LojalError('claim_state_conflict', { claim: claim.id, state: claim.state });
    const fund = (await lockFunds(trx, program.id, [claim.accountId])).get(claim.accountId)!;
    const amount = reimbursement(claim.share, fund.balance);
    if (amount <= 0) throw new LojalError('coop_fund_empty');
    await postCoopEntries(trx, program.id, [
      { accountId: claim.accountId, kind: 'reimbursement', amount: -amount, idempotencyKey: `claim:${claim.id}`, claimId: claim.id, actor, memo: claim.medium },
    ]);
    await sql`INSERT INTO coop_payouts (program_id, id, claim_id, account_id, amount, created_at) VALUES (${program.id}, ${uuidv7()}, ${claim.id}, ${claim.accountId}, ${amount}, ${now})`.execute(trx);
    await sql`UPDATE coop_claims SET state = 'approved', approved_amount = ${amount}, decided_by = ${actor}, decided_at = ${now}
      WHERE program_id = ${program.id} AND id = ${claim.id}`.execute(trx);
    await publishDecision(trx, program, claim, { decision: 'approved', amount, reason: null, note: null }, now);
    return true;
  });
  return { claim: await requireCoopClaim(db, program.id, id), created };
}

/** The ERP or CRM hears of the decision in the same transaction that makes it (the webhook outbox). */
async function publishDecision(
  trx: Db,
  program: Program,
  claim: CoopClaim,
  decision: { decision: 'approved' | 'rejected'; amount: number; reason: CoopRejectionReason | null; note: string | null },
  now: Date,
): Promise<void> {
  const account = await trx.selectFrom('accounts').select('external_id').where('program_id', '=', program.id).where('id', '=', claim.accountId).executeTakeFirst();
  await publishCoopClaimDecided(
    trx,
    program.id,
    { claimId: claim.id, accountId: claim.accountId, accountExternalId: account?.external_id ?? null, memberId: claim.memberId, cost: claim.cost, currency: program.currency, ...decision },
    now,
  );
}

export async function rejectCoopClaim(
  db: Db,
  program: Program,
  id: string,
  actor: string,
  reason: { code: CoopRejectionReason; note: string | null },
  now: Date,
): Promise<CoopClaim> {
  await db.transaction().execute(async (trx) => {
    const claim = await requireCoopClaim(trx, program.id, id, true);
    if (claim.state === 'rejected') return;
    if (claim.state === 'approved') throw new LojalError('claim_state_conflict', { claim: claim.id, state: claim.state });
    await sql`UPDATE coop_claims SET state = 'rejected', rejection_code = ${reason.code}, rejection_note = ${reason.note}, decided_by = ${actor}, decided_at = ${now}
      WHERE program_id = ${program.id} AND id = ${claim.id}`.execute(trx);
    await publishDecision(trx, program, claim, { decision: 'rejected', amount: 0, reason: reason.code, note: reason.note }, now);
  });
  return requireCoopClaim(db, program.id, id);
}
