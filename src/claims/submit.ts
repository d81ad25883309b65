/**
 * Submitting a sales claim: who sold what to whom, with proof. The rules judge it at once as a
 * `sale_claim` event (nothing is posted: the points are shown as pending until a decision), the fraud
 * controls flag it or refuse it, and the claim, its flags and its evidence are written in one transaction.
 */
import { createHash } from 'node:crypto';
import { idempotencyKey } from '../fields/index.js';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { loadMembers } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { simulateEvent } from '../events/simulate.js';
import { storeEvidence, requireAccountEvidence, type UploadedFile } from '../evidence/files.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { Program } from '../programs/programs.js';
import { claimEvent } from './event.js';
import { claimFlags } from './flags.js';
import { exactInvoice, looseInvoice } from './invoice.js';
import { getClaimSettings } from './settings.js';
import { claimFacts, findClaimByKey, findExactDuplicate, insertClaim, requireClaim, type SaleClaim } from './store.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const claimInputSchema = z
  .object({
    /** The member (salesperson) by external id, or `memberId`; the claim belongs to their account. */
    member: text(200).optional().describe('The member (salesperson) by external id; give this or memberId. The claim belongs to their account'),
    memberId: z.uuid().optional().describe('The member by id; give this or member'),
    sku: text(200).describe('The product sold (its SKU in the catalogue)'),
    quantity: z.number().int().positive().max(1_000_000),
    /** The sale's amount in minor units (öre, cents). */
    amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).describe("The sale's amount in minor units (öre, cents)"),
    saleDate: z.iso.date({ message: 'saleDate is a date such as 2026-11-20' }).describe("The date of the sale, YYYY-MM-DD; not after today in the program's time zone"),
    invoiceNumber: text(100).describe('The invoice the sale is on; the same number and SKU may be claimed once'),
    endCustomer: text(300).describe('Who bought'),
    /** Evidence uploaded before (POST /v1/evidence); files may also come in the same multipart request. */
    evidenceIds: z.array(z.uuid()).max(20).default([]).describe("Evidence uploaded before (POST /v1/evidence) for the member's account; files may also come in the same multipart request"),
    idempotencyKey: idempotencyKey
      .optional()
      .describe('A unique key of at least 8 characters, e.g. a UUID; a retry with it answers the same claim'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.member === !c.memberId) ctx.addIssue({ code: 'custom', path: ['member'], message: 'give exactly one of member (external id) or memberId' });
  });

export type ClaimInput = z.output<typeof claimInputSchema>;

/** Today's date where the program lives: a sale dated tomorrow there has not happened yet. */
function todayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const fingerprint = (input: ClaimInput, files: UploadedFile[]) =>
  createHash('sha256')
    .update(JSON.stringify({ ...input, idempotencyKey: undefined, files: files.map((f) => f.sha256) }))
    .digest('hex');

export interface SubmitResult {
  claim: SaleClaim;
  /** False when this answered a retry with the same idempotency key. */
  created: boolean;
}

export async function submitClaim(
  db: Db,
  store: EvidenceStore,
  program: Program,
  input: ClaimInput,
  files: UploadedFile[],
  actor: string,
  now: Date,
): Promise<SubmitResult> {
  const hash = fingerprint(input, files);
  const replay = async () => {
    const old = input.idempotencyKey ? await findClaimByKey(db, program.id, input.idempotencyKey) : undefined;
    if (old && old.requestHash !== hash) throw new LojalError('idempotency_conflict', { key: input.idempotencyKey! });
    return old;
  };
  const earlier = await replay();
  if (earlier) return { claim: earlier, created: false };

  if (input.saleDate > todayIn(program.timeZone, now)) throw new LojalError('sale_date_in_future', { saleDate: input.saleDate });
  const members = await loadMembers(db, program.id, input.member ? [input.member] : [], input.memberId ? [input.memberId] : []);
  const member = input.member ? members.byExternal.get(input.member) : members.byId.get(input.memberId!);
  if (!member) throw new LojalError('unknown_member', { member: input.member ?? input.memberId! });
  const product = await sql<{ sku: string }>`SELECT sku FROM products WHERE program_id = ${program.id} AND sku = ${input.sku}`.execute(db);
  if (!product.rows[0]) throw new LojalError('unknown_sku', { sku: input.sku });
  if (files.length + input.evidenceIds.length === 0) throw new LojalError('evidence_required');
  await requireAccountEvidence(db, program.id, member.accountId, input.evidenceIds);

  const id = uuidv7();
  const invoice = { invoiceExact: exactInvoice(input.invoiceNumber), invoiceLoose: looseInvoice(input.invoiceNumber) };
  const sale = { accountId: member.accountId, memberId: member.id, sku: input.sku, quantity: input.quantity, amount: input.amount, saleDate: input.saleDate };
  // An exact duplicate is refused before the rules run; the unique index is what holds under concurrency.
  const dup = await findExactDuplicate(db, program.id, invoice.invoiceExact, input.sku);
  if (dup) throw new LojalError('duplicate_claim', { invoice: input.invoiceNumber, sku: input.sku, claim: dup.id });

  // What it would earn now; the rules may say otherwise at approval (caps filled meanwhile), and that is what posts.
  const judged = await simulateEvent(db, program, claimEvent(id, { ...sale, invoiceNumber: input.invoiceNumber, endCustomer: input.endCustomer }, now));
  const proposed = judged.postings.map((p) => ({ ruleId: p.ruleId, ruleVersion: p.ruleVersion, ruleName: p.ruleName, recipient: p.recipient, points: p.points, explanation: p.explanation }));
  const settings = await getClaimSettings(db, program.id);

  try {
    await db.transaction().execute(async (trx) => {
      // One submission per account at a time (the lock event ingestion takes), so velocity counts are exact.
      await sql`SELECT 1 FROM accounts WHERE program_id = ${program.id} AND id = ${member.accountId} FOR NO KEY UPDATE`.execute(trx);
      const flags = claimFlags(await claimFacts(trx, program.id, { ...sale, ...invoice }, settings.nearDuplicateDays, now), settings);
      const stored = await storeEvidence(trx, store, program.id, member.accountId, files, actor);
      await insertClaim(
        trx,
        program.id,
        {
          id,
          ...sale,
          ...invoice,
          invoiceNumber: input.invoiceNumber,
          endCustomer: input.endCustomer,
          state: flags.length ? 'needs_review' : 'submitted',
          flags,
          proposedPoints: proposed.reduce((s, p) => s + p.points, 0),
          proposed,
          submittedBy: actor,
          idempotencyKey: input.idempotencyKey ?? null,
          requestHash: hash,
          createdAt: now,
        },
        [...input.evidenceIds, ...stored.map((f) => f.id)],
      );
    });
  } catch (err) {
    if (isUniqueViolation(err, 'sale_claims_idempotency')) {
      const again = await replay();
      if (again) return { claim: again, created: false };
    }
    if (isUniqueViolation(err, 'sale_claims_exact_invoice')) {
      const other = await findExactDuplicate(db, program.id, invoice.invoiceExact, input.sku);
      throw new LojalError('duplicate_claim', { invoice: input.invoiceNumber, sku: input.sku, claim: other?.id ?? '-' });
    }
    throw err;
  }
  return { claim: await requireClaim(db, program.id, id), created: true };
}
