import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { apiLanguage } from '../http/problem.js';
import { actor, auditContext, caller } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import type { AppContext } from '../http/context.js';
import { getProgram, type Program } from '../programs/programs.js';
import { allocateCompanyPoints } from './allocation.js';
import { spend } from './operations.js';
import { submitAdjustment } from '../control/adjustments.js';
import { adjustmentRequestOut } from '../control/schemas.js';
import { balanceOut, historyOut, operationOut, summaryOut } from './schemas.js';
import { getBalance, getHistory, getProgramSummary } from './queries.js';

const idParams = z.object({ id: z.uuid() });
const idempotencyKey = z.string().trim().min(8, 'use a unique key of at least 8 characters, e.g. a UUID').max(200);
const points = z.number().int().min(1).max(1_000_000_000);
const reasonCode = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a lowercase code such as goodwill, correction or migration');

const owners = [
  { path: 'accounts', kind: 'account' as const, entity: 'account' },
  { path: 'members', kind: 'member' as const, entity: 'member' },
];

/** The wallet of an account or member of the caller's program, or a 404 that says which. */
async function walletOf(db: Db, programId: string, id: string, kind: 'account' | 'member', entity: string): Promise<string> {
  const w = await db.selectFrom('wallets').select('kind').where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!w || w.kind !== kind) throw new LojalError('not_found', { entity, id });
  return id;
}

export async function ledgerRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const actorOf = (req: FastifyRequest) => actorRef(actor(req));

  for (const { path, kind, entity } of owners) {
    app.get(
      `/v1/${path}/:id/balance`,
      {
        config: { scope: 'read' },
        schema: {
          tags: ['ledger'],
          summary: `The ${entity}'s points: available, pending, expiring in the next 90 days, lifetime figures`,
          params: idParams,
          querystring: z.object({ expiringWithinDays: z.coerce.number().int().min(1).max(730).default(90) }).strict(),
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
          tags: ['ledger'],
          summary: `The ${entity}'s points history, newest first, each entry explained in words`,
          params: idParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.uuid().optional() }).strict(),
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
        config: { scope: 'ledger:write' },
        schema: {
          tags: ['ledger'],
          summary: `Add or remove points by hand, with a reason code; at or above the approval threshold a second person must approve`,
          description:
            'Below the program\'s approval threshold the adjustment posts at once (201, or 200 for a replay). At or above it, ' +
            'an adjustment request is stored instead (202) and no balance changes until an owner or manager other than the requester ' +
            'approves it (POST /v1/adjustment-requests/{id}/approve). Every adjustment counts against its actor\'s daily limit.',
          params: idParams,
          body: z
            .object({
              points: z.number().int().min(-1_000_000_000).max(1_000_000_000).refine((n) => n !== 0, 'points must not be 0'),
              reasonCode,
              memo: z.string().trim().max(500).optional(),
              idempotencyKey,
            })
            .strict(),
          response: { 200: operationOut, 201: operationOut, 202: adjustmentRequestOut },
        },
      },
      async (req, reply) => {
        const program = await programOf(req);
        const walletId = await walletOf(db, program.id, req.params.id, kind, entity);
        const outcome = await submitAdjustment(db, program, { walletId, ownerKind: kind, ...req.body }, auditContext(req));
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
        config: { scope: 'ledger:write' },
        schema: {
          tags: ['ledger'],
          summary: 'Spend points (e.g. as payment at checkout); never overdraws, idempotent by idempotencyKey',
          params: idParams,
          body: z
            .object({ points, memo: z.string().trim().min(1).max(500), reference: z.string().trim().max(200).optional(), idempotencyKey })
            .strict(),
          response: { 200: operationOut, 201: operationOut },
        },
      },
      async (req, reply) => {
        const program = await programOf(req);
        const walletId = await walletOf(db, program.id, req.params.id, kind, entity);
        const result = await spend(db, program, { walletId, ...req.body, actor: actorOf(req) });
        reply.status(result.created ? 201 : 200);
        return result;
      },
    );
  }

  app.post(
    '/v1/accounts/:id/transfers',
    {
      config: { scope: 'ledger:write' },
      schema: {
        tags: ['ledger'],
        summary: 'Give company points to a member of the account; the points keep their expiry dates',
        params: idParams,
        body: z
          .object({
            memberId: z.uuid(),
            points,
            memo: z.string().trim().max(500).optional(),
            idempotencyKey,
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
        tags: ['ledger'],
        summary: 'Points issued, reversed, spent, expired and outstanding, and the liability in money',
        response: { 200: summaryOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return { currency: program.currency, ...(await getProgramSummary(db, program.id, program.pointValueMicros)) };
    },
  );
}
