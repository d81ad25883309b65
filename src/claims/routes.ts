import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { validationError } from '../events/ingest.js';
import { readClaimWithFiles } from '../evidence/multipart.js';
import { decodeCursor, encodeCursor, pageQuery } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { actor, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { getProgram, type Program } from '../programs/programs.js';
import { approveClaim, rejectClaim } from './decide.js';
import { rejectionReasons } from './reasons.js';
import { claimOut, presentClaim } from './present.js';
import { claimSettingsOut, claimSettingsSchema, getClaimSettings, putClaimSettings } from './settings.js';
import { claimStates, listClaims, requireClaim, type SaleClaim } from './store.js';
import { claimInputSchema, submitClaim } from './submit.js';

const idParams = z.object({ id: z.uuid().describe("The sales claim's id (UUID)") });
const decideBody = z.object({
  /** Set when an account manager decides (through a portal using this key); absent: the program team decides. */
  managerId: z.uuid().optional().describe('The manager who decides, when a portal decides for one through this key; absent: the program team decides'),
});
const deciderErrors = ['claim_state_conflict', 'claim_approver_not_allowed', 'self_approval', 'not_a_manager', 'claim_needs_program_review'] as const;
const passThrough = () => (data: unknown) => ({ value: data });


export async function claimRoutes(fastify: FastifyInstance, { database, config, evidence: store, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;

  const present = (req: FastifyRequest, program: Program, c: SaleClaim, withEvidence: boolean) =>
    presentClaim(db, program, c, apiLanguage(req), withEvidence);

  app.get(
    '/v1/claims/settings',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getClaimSettings',
        tags: ['claims'],
        summary: 'Who approves sales claims, the near-duplicate window and the velocity limits',
        description: 'The defaults (the program team approves, a 30-day window, no limits) until updateClaimSettings sets them.',
        response: { 200: claimSettingsOut },
      },
    },
    async (req) => getClaimSettings(db, caller(req).programId),
  );

  app.put(
    '/v1/claims/settings',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'updateClaimSettings',
        tags: ['claims'],
        summary: 'Set who approves sales claims and what flags them',
        description:
          'Who approves (program, manager or either), the near-duplicate window and the velocity limits. Replaces all the settings: a field left out takes its default (approver program, nearDuplicateDays 30, limits null). ' +
          'Applies to claims submitted and decided from now on; flags already raised stay. Needs the `admin` scope.',
        body: claimSettingsSchema,
        response: { 200: claimSettingsOut },
      },
    },
    async (req) => putClaimSettings(db, caller(req).programId, req.body),
  );

  app.post(
    '/v1/claims',
    {
      config: {
        scope: 'claims:write',
        errors: [
          'idempotency_conflict',
          'sale_date_in_future',
          'unknown_member',
          'unknown_sku',
          'evidence_required',
          'unknown_evidence',
          'duplicate_claim',
          'malformed_multipart',
          'evidence_too_large',
          'evidence_type_not_allowed',
        ],
      },
      validatorCompiler: passThrough,
      schema: {
        operationId: 'createClaim',
        tags: ['claims'],
        summary: 'Report a sale with its evidence (a sales claim)',
        description:
          'The claim earns points only when approved. JSON with `evidenceIds` of files uploaded before, or multipart/form-data with the claim as JSON in a part named `claim` ' +
          'and the files as file parts. Answers 201 with the points the rules would give (pending until approved) and any flags; ' +
          'a retry with the same `idempotencyKey` answers 200 with the same claim. The same invoice number and SKU again is 409 `duplicate_claim`; ' +
          'a look-alike or too many claims at once is accepted but flagged (state needs_review) for the program team.',
        consumes: ['application/json', 'multipart/form-data'],
        body: claimInputSchema,
        response: { 200: claimOut, 201: claimOut },
      },
    },
    async (req, reply) => {
      const { raw, files } = await readClaimWithFiles(req, { database, evidence: store, clock }, config.evidenceMaxBytes);
      const parsed = claimInputSchema.safeParse(raw);
      if (!parsed.success) throw validationError(parsed.error.issues, raw);
      const program = await programOf(req);
      const result = await submitClaim(db, store, program, parsed.data, files, actorRef(actor(req)), clock());
      reply.status(result.created ? 201 : 200);
      return present(req, program, result.claim, true);
    },
  );

  app.get(
    '/v1/claims',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listClaims',
        tags: ['claims'],
        summary: 'Sales claims, newest first, by state, account, member or flag',
        description: 'Cursor-paginated (`limit`, `cursor` from the previous page\'s `nextCursor`); the filters combine. The claims come without their evidence (getClaim has it).',
        querystring: pageQuery
          .extend({
            state: z.enum(claimStates).optional().describe('Only claims in this state'),
            accountId: z.uuid().optional().describe('Only this account\'s claims (UUID)'),
            memberId: z.uuid().optional().describe('Only this member\'s claims (UUID)'),
            flagged: z.enum(['true', 'false']).optional().describe('true: only flagged claims; false: only unflagged ones; absent: both'),
          })
          .strict(),
        response: { 200: z.object({ data: z.array(claimOut), nextCursor: z.string().nullable().describe('Cursor of the next page; null: this is the last') }) },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const q = req.query;
      const after = decodeCursor(q.cursor, z.tuple([z.uuid()]));
      const rows = await listClaims(db, program.id, { state: q.state, accountId: q.accountId, memberId: q.memberId, flagged: q.flagged === undefined ? undefined : q.flagged === 'true' }, q.limit, after?.[0]);
      const shown = rows.slice(0, q.limit);
      return {
        data: await Promise.all(shown.map((c) => present(req, program, c, false))),
        nextCursor: rows.length > q.limit ? encodeCursor([shown[shown.length - 1]!.id]) : null,
      };
    },
  );

  app.get(
    '/v1/claims/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getClaim',
        tags: ['claims'],
        summary: 'A sales claim with its evidence, flags, points and decision',
        description: "Flags and the points' reasons are in the reader's language (Accept-Language); a rejection in the claimant's own. Each evidence file names the URL of its content.",
        params: idParams,
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return present(req, program, await requireClaim(db, program.id, req.params.id), true);
    },
  );

  app.post(
    '/v1/claims/:id/approve',
    {
      config: { scope: 'claims:review', errors: [...deciderErrors, 'account_not_active', 'points_limit_exceeded'] },
      schema: {
        operationId: 'approveClaim',
        tags: ['claims'],
        summary: 'Approve a sales claim and post its points',
        description:
          'By the program team, or with `managerId` by a manager of the claimant’s company (as the program’s claim settings allow); nobody approves their own claim, ' +
          'and a flagged claim (needs_review) is the program team’s. The points go through the earning rules as a `sale_claim` event (a ledger journal) and the claimant is mailed. ' +
          'Idempotent: racing approvals post once, and approving an approved claim answers it unchanged; a rejected one is 409 claim_state_conflict.',
        params: idParams,
        body: decideBody.strict().nullish(),
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const { claim } = await approveClaim(db, program, req.params.id, { actor: actorRef(actor(req)), managerId: req.body?.managerId }, clock());
      return present(req, program, claim, true);
    },
  );

  app.post(
    '/v1/claims/:id/reject',
    {
      config: { scope: 'claims:review', errors: [...deciderErrors] },
      schema: {
        operationId: 'rejectClaim',
        tags: ['claims'],
        summary: 'Reject a sales claim with a reason',
        description:
          'Who may decide as for approveClaim. No points are posted; the claimant is mailed the reason in their language, and the note as written. Rejecting a rejected claim answers it unchanged; ' +
          'an approved one is 409 claim_state_conflict. The invoice line may then be claimed again.',
        params: idParams,
        body: decideBody
          .extend({
            reason: z.enum(rejectionReasons).describe('Why; the claimant reads it in their language'),
            note: z.string().trim().min(1).max(1000).optional().describe('A note for the claimant, as written; required with reason other'),
          })
          .strict()
          .refine((b) => b.reason !== 'other' || b.note, { path: ['note'], message: 'reason other needs a note for the claimant' }),
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const { claim } = await rejectClaim(db, program, req.params.id, { actor: actorRef(actor(req)), managerId: req.body.managerId }, { code: req.body.reason, note: req.body.note ?? null }, clock());
      return present(req, program, claim, true);
    },
  );
}
