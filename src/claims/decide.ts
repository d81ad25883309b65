/**
 * Deciding a sales claim. Approval posts its points through the normal event path (rules, caps, tiers,
 * pending days and expiry apply as to any event), in the transaction that records the decision, under
 * the claim's row lock: racing approvals wait for each other and the second finds the claim approved.
 * Rejection voids the pending points (they were never posted) with a reason the claimant reads. Either way
 * the claimant is mailed in the same transaction.
 */
import { isManagerOf } from '../accounts/managers.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { resolve, validationError, type Parsed } from '../events/ingest.js';
import { processInTransaction } from '../events/process.js';
import { eventHash, eventSchema } from '../events/schema.js';
import type { Program } from '../programs/programs.js';
import { claimEvent } from './event.js';
import { publishClaimDecided } from '../webhooks/publish.js';
import { queueClaimDecisionMail } from './mails.js';
import type { RejectionReason } from './reasons.js';
import { getClaimSettings, type ClaimSettings } from './settings.js';
import { decideClaim, requireClaim, type SaleClaim } from './store.js';

/** Who decides: the program team (the caller itself, `staff:<id>` or `api-key:<id>`), or a manager the caller acts for. */
export interface Decider {
  actor: string;
  managerId?: string | undefined;
}

// A manager deciding in the portal is their own actor (`member:<id>`); through an API key, both are named.
const actorOf = (d: Decider) => (d.managerId && d.actor !== `member:${d.managerId}` ? `member:${d.managerId} via ${d.actor}` : d.actor);

/** The approver setting, the four-eyes rule (never one's own claim) and the manager relation. */
async function checkDecider(trx: Db, programId: string, settings: ClaimSettings, claim: SaleClaim, d: Decider): Promise<void> {
  if (!d.managerId) {
    if (settings.approver === 'manager') throw new LojalError('claim_approver_not_allowed', { approver: settings.approver });
    return;
  }
  if (settings.approver === 'program') throw new LojalError('claim_approver_not_allowed', { approver: settings.approver });
  if (d.managerId === claim.memberId) throw new LojalError('self_approval');
  if (!(await isManagerOf(trx, programId, d.managerId, claim.accountId))) throw new LojalError('not_a_manager', { member: d.managerId, account: claim.accountId });
  // A flag is the manufacturer's fraud control: the dealer's own manager does not clear it.
  if (claim.state === 'needs_review') throw new LojalError('claim_needs_program_review');
}

export async function approveClaim(db: Db, program: Program, claimId: string, d: Decider, now: Date): Promise<{ claim: SaleClaim; created: boolean }> {
  const settings = await getClaimSettings(db, program.id);
  const created = await db.transaction().execute(async (trx) => {
    const claim = await requireClaim(trx, program.id, claimId, true);
    if (claim.state === 'approved') return false;
    if (claim.state === 'rejected') throw new LojalError('claim_state_conflict', { claim: claim.id, state: claim.state });
    await checkDecider(trx, program.id, settings, claim, d);

    const r = eventSchema.safeParse(claimEvent(claim.id, claim, claim.createdAt));
    if (!r.success) throw validationError(r.error.issues);
    const parsed: Parsed = { index: 0, input: r.data, hash: eventHash(r.data), occurredAt: new Date(r.data.occurredAt) };
    let refused: LojalError | undefined;
    const ready = await resolve(trx, program, [parsed], (_i, _id, err) => (refused = err));
    if (refused || ready.length === 0) throw refused ?? new LojalError('internal_error');
    const item = (await processInTransaction(trx, program, ready, now)).get(0)!;
    if (item.status === 'rejected') throw item.error;
    await decideClaim(trx, program.id, claim.id, { state: 'approved', eventId: item.record.id, points: item.record.points, actor: actorOf(d) }, now);
    await queueClaimDecisionMail(trx, program, claim, { state: 'approved', points: item.record.points }, now);
    const decided = { claimId: claim.id, accountId: claim.accountId, memberId: claim.memberId };
    await publishClaimDecided(trx, program.id, { ...decided, decision: 'approved', points: item.record.points, reason: null }, now);
    return true;
  });
  return { claim: await requireClaim(db, program.id, claimId), created };
}

export async function rejectClaim(
  db: Db,
  program: Program,
  claimId: string,
  d: Decider,
  reason: { code: RejectionReason; note: string | null },
  now: Date,
): Promise<{ claim: SaleClaim; created: boolean }> {
  const settings = await getClaimSettings(db, program.id);
  const created = await db.transaction().execute(async (trx) => {
    const claim = await requireClaim(trx, program.id, claimId, true);
    if (claim.state === 'rejected') return false;
    if (claim.state === 'approved') throw new LojalError('claim_state_conflict', { claim: claim.id, state: claim.state });
    await checkDecider(trx, program.id, settings, claim, d);
    await decideClaim(trx, program.id, claim.id, { state: 'rejected', code: reason.code, note: reason.note, actor: actorOf(d) }, now);
    await queueClaimDecisionMail(trx, program, claim, { state: 'rejected', code: reason.code, note: reason.note }, now);
    const why = reason.note ? `${reason.code}: ${reason.note}` : reason.code;
    await publishClaimDecided(trx, program.id, { claimId: claim.id, accountId: claim.accountId, memberId: claim.memberId, decision: 'rejected', points: 0, reason: why }, now);
    return true;
  });
  return { claim: await requireClaim(db, program.id, claimId), created };
}
