/**
 * Four-eyes manual adjustments. Every adjustment carries a known reason code and counts against its
 * actor's daily limit; below the program's approval threshold it posts at once, at or above it becomes an
 * adjustment request that changes no balance until a second person approves it. Each step writes its
 * audit entry in its own transaction.
 *
 * Who decides: a staff user with the role owner or manager, never the one who asked. The author of a
 * request may withdraw it (reject it) whatever their role. Integration keys without a person cannot decide.
 */
import { v7 as uuidv7 } from 'uuid';
import { recordAudit, type AuditContext } from '../audit/index.js';
import type { Db } from '../db/database.js';
import type { AdjustmentRequestsTable, StaffRole } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { pageSize, toPage, type Page } from '../http/pagination.js';
import { adjustIn, adjustmentFingerprint, type OperationResult } from '../ledger/operations.js';
import { actorRef } from '../programs/actor.js';
import type { Program } from '../programs/programs.js';
import { isoDate, localDate } from '../rules/calendar.js';
import { getControlSettings } from './settings.js';

export const deciderRoles: ReadonlySet<StaffRole> = new Set(['owner', 'manager']);

export interface AdjustmentRequest {
  id: string;
  walletId: string;
  points: number;
  reasonCode: string;
  memo: string | null;
  state: 'pending' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  journalId: string | null;
}

export interface AdjustmentSubmission {
  walletId: string;
  /** Whose wallet it is (the wallet id is the account's or member's id), for the audit entry. */
  ownerKind: 'account' | 'member';
  points: number;
  reasonCode: string;
  memo?: string | undefined;
  idempotencyKey: string;
}

export type Submitted = { kind: 'posted'; result: OperationResult } | { kind: 'requested'; request: AdjustmentRequest; created: boolean };

type Row = AdjustmentRequestsTable;
const toRequest = (r: Row): AdjustmentRequest => ({
  id: r.id,
  walletId: r.wallet_id,
  points: Number(r.points),
  reasonCode: r.reason_code,
  memo: r.memo,
  state: r.state,
  requestedBy: r.requested_by,
  requestedAt: new Date(r.requested_at),
  decidedBy: r.decided_by,
  decidedAt: r.decided_at === null ? null : new Date(r.decided_at),
  decisionReason: r.decision_reason,
  journalId: r.journal_id,
});

const requestByKey = (db: Db, programId: string, key: string) =>
  db.selectFrom('adjustment_requests').selectAll().where('program_id', '=', programId).where('idempotency_key', '=', key).executeTakeFirst();

/**
 * Adds |points| to what the actor adjusted on the program-local day and refuses past the limit. One
 * conditional row per actor and day: concurrent adjustments by one actor queue on it, so they cannot both
 * slip under the limit. The caller's transaction rolls back on the error, so nothing is written.
 */
async function countAgainstLimit(trx: Db, program: Program, actor: string, points: number, limit: number | null, now: Date): Promise<void> {
  const day = isoDate(localDate(now, program.timeZone));
  const row = await trx
    .insertInto('adjustment_usage')
    .values({ program_id: program.id, actor, day, points: Math.abs(points) })
    .onConflict((oc) => oc.columns(['program_id', 'actor', 'day']).doUpdateSet((eb) => ({ points: eb('adjustment_usage.points', '+', eb.ref('excluded.points')) })))
    .returning('points')
    .executeTakeFirstOrThrow();
  const total = Number(row.points);
  if (limit !== null && total > limit) throw new LojalError('adjustment_limit_exceeded', { total, limit });
}

export async function submitAdjustment(db: Db, program: Program, input: AdjustmentSubmission, audit: AuditContext, now: Date): Promise<Submitted> {
  const settings = await getControlSettings(db, program.id);
  if (!settings.reasonCodes.some((r) => r.code === input.reasonCode)) {
    throw new LojalError('unknown_reason_code', { reasonCode: input.reasonCode, known: settings.reasonCodes.map((r) => r.code).join(', ') });
  }
  const actor = actorRef(audit.actor);
  const hash = adjustmentFingerprint(input);
  return db.transaction().execute(async (trx): Promise<Submitted> => {
    // A replay answers what the first request became, whichever way the threshold has moved since.
    const earlier = await requestByKey(trx, program.id, input.idempotencyKey);
    if (earlier) {
      if (earlier.request_hash !== hash) throw new LojalError('idempotency_conflict', { key: input.idempotencyKey });
      return { kind: 'requested', request: toRequest(earlier), created: false };
    }
    const posted = await trx
      .selectFrom('journals')
      .select('id')
      .where('program_id', '=', program.id)
      .where('idempotency_key', '=', `adjust:${input.idempotencyKey}`)
      .executeTakeFirst();
    const needsApproval = !posted && settings.approvalThreshold !== null && Math.abs(input.points) >= settings.approvalThreshold;

    if (!needsApproval) {
      const result = await adjustIn(trx, program, { walletId: input.walletId, points: input.points, reasonCode: input.reasonCode, memo: input.memo, idempotencyKey: input.idempotencyKey, actor }, now);
      if (result.created) {
        await countAgainstLimit(trx, program, actor, input.points, settings.dailyAdjustmentLimit, now);
        await recordAudit(trx, {
          ...audit,
          action: 'adjustment.post',
          entity: input.ownerKind,
          entityId: input.walletId,
          after: { journalId: result.journalId, points: input.points, reasonCode: input.reasonCode, memo: input.memo ?? null },
        }, now);
      }
      return { kind: 'posted', result };
    }

    const inserted = await trx
      .insertInto('adjustment_requests')
      .values({
        program_id: program.id,
        id: uuidv7(),
        idempotency_key: input.idempotencyKey,
        request_hash: hash,
        wallet_id: input.walletId,
        points: input.points,
        reason_code: input.reasonCode,
        memo: input.memo ?? null,
        state: 'pending',
        requested_by: actor,
        requested_at: now,
      })
      .onConflict((oc) => oc.columns(['program_id', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) {
      // The same request sent twice at once: the other one stored it.
      const other = (await requestByKey(trx, program.id, input.idempotencyKey))!;
      if (other.request_hash !== hash) throw new LojalError('idempotency_conflict', { key: input.idempotencyKey });
      return { kind: 'requested', request: toRequest(other), created: false };
    }
    await countAgainstLimit(trx, program, actor, input.points, settings.dailyAdjustmentLimit, now);
    const request = toRequest(inserted);
    await recordAudit(trx, { ...audit, action: 'adjustment_request.create', entity: 'adjustment_request', entityId: request.id, after: request }, now);
    return { kind: 'requested', request, created: true };
  });
}

async function lockRequest(trx: Db, programId: string, id: string): Promise<AdjustmentRequest> {
  const row = await trx.selectFrom('adjustment_requests').selectAll().where('program_id', '=', programId).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'adjustment request', id });
  return toRequest(row);
}

export interface Decider {
  audit: AuditContext;
  /** The staff role of the person deciding; null for a key that belongs to nobody. */
  role: StaffRole | null;
}

/**
 * Posts the requested adjustment through the ledger, once: the request row is locked, so of two approvals
 * at once the second finds it approved and answers the same journal; the journal's own idempotency key
 * (`adjust-request:<id>`) is the backstop.
 */
export async function approveRequest(db: Db, program: Program, id: string, decider: Decider, now: Date): Promise<AdjustmentRequest> {
  const me = actorRef(decider.audit.actor);
  return db.transaction().execute(async (trx) => {
    const before = await lockRequest(trx, program.id, id);
    if (before.requestedBy === me) throw new LojalError('self_approval');
    if (!decider.role || !deciderRoles.has(decider.role)) throw new LojalError('approval_not_allowed');
    if (before.state === 'approved') return before;
    if (before.state === 'rejected') throw new LojalError('adjustment_request_closed', { state: before.state, action: 'approved' });
    const posted = await adjustIn(
      trx,
      program,
      {
        walletId: before.walletId,
        points: before.points,
        reasonCode: before.reasonCode,
        memo: before.memo ?? undefined,
        idempotencyKey: id,
        journalKey: `adjust-request:${id}`,
        actor: before.requestedBy,
      },
      now,
    );
    const row = await trx
      .updateTable('adjustment_requests')
      .set({ state: 'approved', decided_by: me, decided_at: now, journal_id: posted.journalId })
      .where('program_id', '=', program.id)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = toRequest(row);
    await recordAudit(trx, { ...decider.audit, action: 'adjustment_request.approve', entity: 'adjustment_request', entityId: id, before, after }, now);
    return after;
  });
}

/** Rejects (or, by its author, withdraws) a pending request; its points no longer count against the daily limit. */
export async function rejectRequest(db: Db, program: Program, id: string, reason: string, decider: Decider, now: Date): Promise<AdjustmentRequest> {
  const me = actorRef(decider.audit.actor);
  return db.transaction().execute(async (trx) => {
    const before = await lockRequest(trx, program.id, id);
    const own = before.requestedBy === me;
    if (!own && (!decider.role || !deciderRoles.has(decider.role))) throw new LojalError('approval_not_allowed');
    if (before.state === 'rejected') return before;
    if (before.state === 'approved') throw new LojalError('adjustment_request_closed', { state: before.state, action: 'rejected' });
    const row = await trx
      .updateTable('adjustment_requests')
      .set({ state: 'rejected', decided_by: me, decided_at: now, decision_reason: reason })
      .where('program_id', '=', program.id)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('adjustment_usage')
      .set((eb) => ({ points: eb.fn('greatest', [eb('points', '-', Math.abs(before.points)), eb.lit(0)]) }))
      .where('program_id', '=', program.id)
      .where('actor', '=', before.requestedBy)
      .where('day', '=', isoDate(localDate(before.requestedAt, program.timeZone)))
      .execute();
    const after = toRequest(row);
    await recordAudit(trx, { ...decider.audit, action: own ? 'adjustment_request.withdraw' : 'adjustment_request.reject', entity: 'adjustment_request', entityId: id, before, after }, now);
    return after;
  });
}

export async function getRequest(db: Db, programId: string, id: string): Promise<AdjustmentRequest> {
  const row = await db.selectFrom('adjustment_requests').selectAll().where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'adjustment request', id });
  return toRequest(row);
}

/** Newest first; `after` is the [requestedAt ISO, id] of the previous page's last request. */
export async function listRequests(
  db: Db,
  programId: string,
  q: { state?: AdjustmentRequest['state'] | undefined; limit?: number | undefined; after?: [string, string] | undefined },
): Promise<Page<AdjustmentRequest>> {
  const limit = pageSize(q);
  let query = db.selectFrom('adjustment_requests').selectAll().where('program_id', '=', programId);
  if (q.state) query = query.where('state', '=', q.state);
  if (q.after) {
    const [at, id] = q.after;
    const when = new Date(at);
    query = query.where((eb) => eb.or([eb('requested_at', '<', when), eb.and([eb('requested_at', '=', when), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  return toPage(rows, limit, (r) => [new Date(r.requested_at).toISOString(), r.id], toRequest);
}
