import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idempotencyKey } from '../fields/index.js';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { apiLanguage } from '../http/problem.js';
import { actor, auditContext, caller } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import type { AppContext } from '../http/context.js';
import type { Program } from '../programs/programs.js';
import { allocateCompanyPoints } from './allocation.js';
import { spend } from './operations.js';
import { requireActive, walletOwner } from './owners.js';
import { submitAdjustment } from '../control/adjustments.js';
import { adjustmentRequestOut } from '../control/schemas.js';
import { balanceOut, historyOut, operationOut, summaryOut } from './schemas.js';
import { getBalance, getHistory, getProgramSummary } from './queries.js';

const retryKey = idempotencyKey
  .describe('Your unique key for this operation (e.g. a UUID): a retry with the same key and body answers the first result; another body is 409 `idempotency_conflict`');
const points = z.number().int().min(1).max(1_000_000_000);
const reasonCode = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a lowercase code such as goodwill, correction or migration')
  .describe('One of the program\'s reason codes (GET /v1/settings/control), e.g. goodwill, correction or migration');

const owners = [
  { path: 'accounts', kind: 'account' as const, entity: 'account', Kind: 'Account' },
  { path: 'members', kind: 'member' as const, entity: 'member', Kind: 'Member' },
];

/** The wallet of an account or member of the caller's program, or a 404 that says which. */
async function walletOf(db: Db, programId: string, id: string, kind: 'account' | 'member', entity: string): Promise<string> {
  return (await walletOwner(db, programId, id, kind, entity)).id;
}

export async function ledgerRoutes(fastify: FastifyInstance, { database, clock, settingsOf }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  // The program from the settings cache (src/cache): a read costs no round trip for it, a write checks its version.
  const programOf = async (req: FastifyRequest): Promise<Program> => (await settingsOf(req)).program(db);
  const actorOf = (req: FastifyRequest) => actorRef(actor(req));

  for (const { path, kind, entity, Kind } of owners) {
    const idParams = z.object({ id: z.uuid().describe(`The ${entity}'s id`) });
    app.get(
      `/v1/${path}/:id/balance`,
      {
        config: { scope: 'read' },
        schema: {
          operationId: `get${Kind}Balance`,
          tags: ['ledger'],
          summary: `The ${entity}'s points: available, pending, expiring in the next 90 days, lifetime figures`,
          description:
            `The ${entity}'s own wallet` +
            (kind === 'account' ? ' (company points), not its members\' wallets.' : '.') +
            ' Pending points become available when their return window has passed; `pendingReleases` says when.',
          params: idParams,
          querystring: z
            .object({
              expiringWithinDays: z.coerce.number().int().min(1).max(730).default(90).describe('How far ahead `expiring` looks, 1 to 730 days; default 90'),
            })
            .strict(),
          response: { 200: balanceOut },
        },
      },
      async (req) => {
        const program = await programOf(req);
        // The owner check is part of the one balance statement, not a read of its own.
        return getBalance(db, program.id, req.params.id, {
          now: clock(),
          timeZone: program.timeZone,
          expiringWithinDays: req.query.expiringWithinDays,
          owner: { kind, entity },
        });
      },
    );

    app.get(
      `/v1/${path}/:id/history`,
      {
        config: { scope: 'read' },
        schema: {
          operationId: `list${Kind}PointsHistory`,
          tags: ['ledger'],
          summary: `The ${entity}'s points history, newest first, each entry explained in words`,
          description:
            "Every journal that moved the wallet (earned, reversed, released, expired, adjusted, transferred, spent, redeemed, refunded), described in the reader's language. " +
            "Paginated: pass the answer's `nextCursor` as `cursor` for the next page.",
          params: idParams,
          querystring: z
            .object({
              limit: z.coerce.number().int().min(1).max(500).default(50).describe('Entries per page, 1 to 500; default 50'),
              cursor: z.uuid().optional().describe("Cursor from the previous page's `nextCursor`"),
            })
            .strict(),
          response: { 200: historyOut },
        },
      },
      async (req) => {
        const program = await programOf(req);
        const walletId = await walletOf(db, program.id, req.params.id, kind, entity);
        const page = await getHistory(db, program.id, walletId, {
          limit: req.query.limit,
          before: req.query.cursor,
          language: apiLanguage(req),
          currency: program.currency,
        });
        return { data: page.items, nextCursor: page.nextBefore };
      },
    );

    app.post(
      `/v1/${path}/:id/adjustments`,
      {
        config: {
          scope: 'ledger:write',
          errors: ['unknown_reason_code', 'adjustment_limit_exceeded', 'idempotency_conflict', 'insufficient_points', 'points_limit_exceeded', 'account_not_active', 'member_not_active'],
        },
        schema: {
          operationId: `adjust${Kind}Points`,
          tags: ['ledger'],
          summary: `Add or remove points by hand, with a reason code; at or above the approval threshold a second person must approve`,
          description:
            'Below the program\'s approval threshold the adjustment posts at once (201, or 200 for a replay). At or above it, ' +
            'an adjustment request is stored instead (202) and no balance changes until an owner or manager other than the requester ' +
            'approves it (POST /v1/adjustment-requests/{id}/approve). Every adjustment counts against its actor\'s daily limit.',
          params: idParams,
          body: z
            .object({
              points: z
                .number()
                .int()
                .min(-1_000_000_000)
                .max(1_000_000_000)
                .refine((n) => n !== 0, 'points must not be 0')
                .describe('Points to add (positive) or remove (negative); never 0. Removing more than is available is 422 `insufficient_points`'),
              reasonCode,
              memo: z.string().trim().max(500).optional().describe('A note for the history and the approver'),
              idempotencyKey: retryKey,
            })
            .strict(),
          response: { 200: operationOut, 201: operationOut, 202: adjustmentRequestOut },
        },
      },
      async (req, reply) => {
        const program = await programOf(req);
        const owner = await walletOwner(db, program.id, req.params.id, kind, entity);
        // Points given to someone who has left (or is suspended) could never be used; taking points away stays open.
        if (req.body.points > 0) requireActive(owner);
        const walletId = owner.id;
        const outcome = await submitAdjustment(db, program, { walletId, ownerKind: kind, ...req.body }, auditContext(req), clock());
        if (outcome.kind === 'requested') {
          reply.status(202);
          return outcome.request;
        }
        reply.status(outcome.result.created ? 201 : 200);
        return outcome.result;
      },
    );

    app.post(
      `/v1/${path}/:id/debits`,
      {
        config: { scope: 'ledger:write', errors: ['insufficient_points', 'idempotency_conflict', 'account_not_active', 'member_not_active'] },
        schema: {
          operationId: `spend${Kind}Points`,
          tags: ['ledger'],
          summary: 'Spend points (e.g. as payment at checkout); never overdraws, idempotent by idempotencyKey',
          description:
            'Takes the points that expire first. More than is available is 422 `insufficient_points` and changes nothing. ' +
            'Answers 201 when written, 200 for a replay of the same key and body.',
          params: idParams,
          body: z
            .object({
              points: points.describe('Points to spend, at least 1'),
              memo: z.string().trim().min(1).max(500).describe('What they were spent on, shown in the history'),
              reference: z.string().trim().max(200).optional().describe('Your reference, e.g. the order number at checkout'),
              idempotencyKey: retryKey,
            })
            .strict(),
          response: { 200: operationOut, 201: operationOut },
        },
      },
      async (req, reply) => {
        const program = await programOf(req);
        const owner = await walletOwner(db, program.id, req.params.id, kind, entity);
        requireActive(owner);
        const walletId = owner.id;
        const result = await spend(db, program, { walletId, ...req.body, actor: actorOf(req) }, clock());
        reply.status(result.created ? 201 : 200);
        return result;
      },
    );
  }

  app.post(
    '/v1/accounts/:id/transfers',
    {
      config: { scope: 'ledger:write', errors: ['unknown_member', 'member_not_in_account', 'not_a_manager', 'insufficient_points', 'idempotency_conflict', 'account_not_active', 'member_not_active'] },
      schema: {
        operationId: 'transferAccountPointsToMember',
        tags: ['ledger'],
        summary: 'Give company points to a member of the account; the points keep their expiry dates',
        description:
          'Moves points from the account\'s wallet to the member\'s; more than the account has is 422 `insufficient_points`. ' +
          'Answers 201 when written, 200 for a replay of the same key and body. Recorded in the audit log.',
        params: z.object({ id: z.uuid().describe("The account's id") }),
        body: z
          .object({
            memberId: z.uuid().describe('The member who receives the points (a member of this account)'),
            points: points.describe('Points to give, at least 1'),
            memo: z.string().trim().max(500).optional().describe('Why, shown in both histories'),
            idempotencyKey: retryKey,
            byMemberId: z.uuid().optional().describe('The member allocating (must be a manager of the account); absent: program staff'),
          })
          .strict(),
        response: { 200: operationOut, 201: operationOut },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const from = await walletOf(db, program.id, req.params.id, 'account', 'account');
      const { byMemberId } = req.body;
      const result = await allocateCompanyPoints(
        db,
        program,
        { accountId: from, ...req.body, actor: byMemberId ? `member:${byMemberId} via ${actorOf(req)}` : actorOf(req) },
        auditContext(req),
      );
      reply.status(result.created ? 201 : 200);
      return result;
    },
  );

  app.get(
    '/v1/ledger/summary',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getLedgerSummary',
        tags: ['ledger'],
        summary: 'Points issued, reversed, spent, expired and outstanding, and the liability in money',
        description: 'Totals over the program\'s whole life, from the ledger; the liability is the outstanding points at the program\'s point value.',
        response: { 200: summaryOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return { currency: program.currency, ...(await getProgramSummary(db, program.id, program.pointValueMicros)) };
    },
  );
}
