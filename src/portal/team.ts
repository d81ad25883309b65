/**
 * For managers: their team's points, giving company points to their staff, and their staff's sales claims
 * to approve or reject. A manager acts on their own account and the accounts below it; others get 403
 * `not_a_manager`, and a claim outside their accounts is answered as not found.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idempotencyKey } from '../fields/index.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountAndBelow } from '../accounts/hierarchy.js';
import { getMember } from '../accounts/members.js';
import { approveClaim, rejectClaim } from '../claims/decide.js';
import { claimOut, presentClaim } from '../claims/present.js';
import { rejectionReasons } from '../claims/reasons.js';
import { listClaims, requireClaim, type ClaimState } from '../claims/store.js';
import { decodeCursor, encodeCursor, pageQuery } from '../http/pagination.js';
import type { AppContext } from '../http/context.js';
import { allocateCompanyPoints } from '../ledger/allocation.js';
import { operationOut } from '../ledger/schemas.js';
import { teamOf } from '../people/team.js';
import { memberActorRef, memberAudit, ownKey, programOf, requireManager, requireVisible } from './context.js';
import { portalEvidenceUrl } from './claims.js';

const tags = ['portal'];
const idParams = z.object({ id: z.uuid().describe('the claim id') });
const portalPage = pageQuery.extend({
  limit: pageQuery.shape.limit.describe('items per page, 1–500 (default 50)'),
  cursor: pageQuery.shape.cursor.describe("the previous page's `nextCursor`"),
});
const instant = z.iso.datetime({ offset: true });

const teamOut = z.object({
  items: z.array(
    z.object({
      memberId: z.uuid(),
      accountId: z.uuid().describe('their company: the manager\'s own or one below it'),
      name: z.string(),
      role: z.string().nullable(),
      status: z.string().describe('invited, pending, active, suspended or closed'),
      earned: z.number().int().describe('points earned in the period'),
      spent: z.number().int().describe('points spent in the period'),
      received: z.number().int().describe('company points given to them in the period'),
      given: z.number().int().describe('company points they gave others in the period (managers)'),
      available: z.number().int().describe('their balance now'),
      pending: z.number().int().describe('earned, not yet spendable, now'),
    }),
  ),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
  from: z.date().describe('the period the figures cover, from'),
  to: z.date().describe('until (exclusive)'),
});

const claimQueues: Record<'pending' | 'approved' | 'rejected', ClaimState[]> = {
  // needs_review is listed too: the manager sees it waits for the program team (approving it is refused).
  pending: ['submitted', 'needs_review'],
  approved: ['approved'],
  rejected: ['rejected'],
};

export async function portalTeamRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  /** The claim exists and is in an account the manager manages; else 404 (not a hint that it exists). */
  const managedClaim = async (req: FastifyRequest, id: string) => {
    const m = await requireManager(db, req);
    const program = await programOf(db, req);
    const claim = await requireClaim(db, program.id, id);
    await requireVisible(db, req, claim, 'sales claim', id);
    return { m, program };
  };

  app.get(
    '/portal/v1/team',
    {
      schema: {
        operationId: 'portalListTeam',
        tags,
        summary: 'My team and its points',
        description: 'What each member of my company and its branches earned, spent and was given in a period, and their balance now. Managers only (403 `not_a_manager`): every member of their company and the companies below it. Paginated: pass `nextCursor` as `cursor` for the next page.',
        querystring: portalPage
          .extend({
            from: instant.optional().describe('start of the period (default: 1 January of this year, UTC)'),
            to: instant.optional().describe('end of the period, exclusive (default: now)'),
          })
          .strict(),
        response: { 200: teamOut },
      },
      config: { member: true, errors: ['not_a_manager'] },
    },
    async (req) => {
      const m = await requireManager(db, req);
      const now = clock();
      const from = req.query.from ? new Date(req.query.from) : new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
      // The range is half-open: by default it ends just after now, so what happened this very instant counts.
      const to = req.query.to ? new Date(req.query.to) : new Date(now.getTime() + 1);
      const page = await teamOf(db, m.programId, m.accountId, { from, to, limit: req.query.limit, cursor: req.query.cursor });
      return { items: page.data, nextCursor: page.nextCursor, from, to };
    },
  );

  app.post(
    '/portal/v1/team/allocate',
    {
      schema: {
        operationId: 'portalAllocateTeamPoints',
        tags,
        summary: 'Give company points to my staff',
        description:
          'Managers only (403 `not_a_manager`). The points move from the staff member\'s company wallet to theirs in one `transfer` journal and ' +
          'keep their expiry dates; the company must have them (422 `insufficient_points`). 201 with the journal; a retry with the same ' +
          '`idempotencyKey` answers 200 and gives them once. Recorded in the audit log.',
        body: z
          .object({
            memberId: z.uuid().describe('the member of the team who receives the points'),
            points: z.number().int().min(1).max(1_000_000_000).describe('how many, at least 1'),
            note: z.string().trim().max(500).optional().describe('why; kept with the journal as its memo'),
            idempotencyKey: idempotencyKey.describe('unique per allocation, e.g. a UUID; only the manager\'s own keys are compared'),
          })
          .strict(),
        response: { 200: operationOut, 201: operationOut },
      },
      config: { member: true, errors: ['not_a_manager', 'not_found', 'unknown_member', 'member_not_in_account', 'member_not_active', 'account_not_active', 'insufficient_points', 'idempotency_conflict'] },
    },
    async (req, reply) => {
      const m = await requireManager(db, req);
      const program = await programOf(db, req);
      const staff = await getMember(db, program.id, req.body.memberId);
      // The points come from the staff member's own company; the allocation module checks the manager manages it.
      const result = await allocateCompanyPoints(
        db,
        program,
        { accountId: staff.accountId, memberId: staff.id, points: req.body.points, memo: req.body.note, idempotencyKey: ownKey(req, req.body.idempotencyKey), byMemberId: m.memberId, actor: memberActorRef(req) },
        memberAudit(req),
      );
      reply.status(result.created ? 201 : 200);
      return result;
    },
  );

  app.get(
    '/portal/v1/team/claims',
    {
      schema: {
        operationId: 'portalListTeamClaims',
        tags,
        summary: 'My staff\'s sales claims',
        description:
          'Newest first. Managers only (403 `not_a_manager`): the claims of their company and the companies below it. `pending` includes flagged claims ' +
          '(`needs_review`) that wait for the program team. Paginated: pass `nextCursor` as `cursor` for the next page.',
        querystring: portalPage
          .extend({ state: z.enum(['pending', 'approved', 'rejected']).default('pending').describe('which queue: pending (submitted or flagged, the default), approved or rejected') })
          .strict(),
        response: { 200: z.object({ items: z.array(claimOut), nextCursor: z.string().nullable() }) },
      },
      config: { member: true, errors: ['not_a_manager'] },
    },
    async (req) => {
      const m = await requireManager(db, req);
      const program = await programOf(db, req);
      const accountIds = await accountAndBelow(db, program.id, m.accountId);
      const after = decodeCursor(req.query.cursor, z.tuple([z.uuid()]));
      const rows = await listClaims(db, program.id, { accountIds, states: claimQueues[req.query.state] }, req.query.limit, after?.[0]);
      const shown = rows.slice(0, req.query.limit);
      return {
        items: await Promise.all(shown.map((c) => presentClaim(db, program, c, m.language, false))),
        nextCursor: rows.length > req.query.limit ? encodeCursor([shown[shown.length - 1]!.id]) : null,
      };
    },
  );

  app.post(
    '/portal/v1/team/claims/:id/approve',
    {
      config: {
        member: true,
        errors: ['not_a_manager', 'self_approval', 'claim_approver_not_allowed', 'claim_needs_program_review', 'claim_state_conflict', 'account_not_active'],
      },
      schema: {
        operationId: 'portalApproveTeamClaim',
        tags,
        summary: 'Approve a staff member\'s claim',
        description:
          'Where the program lets managers approve (403 `claim_approver_not_allowed`), never one\'s own claim (403 `self_approval`), and not a ' +
          'flagged claim, which the program team decides (403 `claim_needs_program_review`). The earning rules post the points as an `earn` ' +
          'journal and the claimant gets a mail. Approving an approved claim again answers it unchanged.',
        params: idParams,
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const { m, program } = await managedClaim(req, req.params.id);
      const { claim } = await approveClaim(db, program, req.params.id, { actor: memberActorRef(req), managerId: m.memberId }, clock());
      return presentClaim(db, program, claim, m.language, true, portalEvidenceUrl);
    },
  );

  app.post(
    '/portal/v1/team/claims/:id/reject',
    {
      schema: {
        operationId: 'portalRejectTeamClaim',
        tags,
        summary: 'Reject a staff member\'s claim',
        description:
          'With a reason the claimant reads in their language. The same rules as approving: where managers may decide, never one\'s own, not a flagged claim; an approved claim is 409 ' +
          '`claim_state_conflict`. Nothing is posted; the claimant gets a mail with the reason.',
        params: idParams,
        body: z
          .object({
            reasonCode: z.enum(rejectionReasons).describe('why, as a code the claimant reads in their language'),
            note: z.string().trim().min(1).max(1000).optional().describe('for the claimant; required with reasonCode other'),
          })
          .strict()
          .refine((b) => b.reasonCode !== 'other' || b.note, { path: ['note'], message: 'reason other needs a note for the claimant' }),
        response: { 200: claimOut },
      },
      config: { member: true, errors: ['not_a_manager', 'self_approval', 'claim_approver_not_allowed', 'claim_needs_program_review', 'claim_state_conflict'] },
    },
    async (req) => {
      const { m, program } = await managedClaim(req, req.params.id);
      const { claim } = await rejectClaim(db, program, req.params.id, { actor: memberActorRef(req), managerId: m.memberId }, { code: req.body.reasonCode, note: req.body.note ?? null }, clock());
      return presentClaim(db, program, claim, m.language, true, portalEvidenceUrl);
    },
  );
}
