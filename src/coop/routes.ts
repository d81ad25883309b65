import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { validationError } from '../events/ingest.js';
import { readClaimWithFiles } from '../evidence/multipart.js';
import { decodeCursor, encodeCursor, pageQuery } from '../http/pagination.js';
import { actor, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { getProgram, type Program } from '../programs/programs.js';
import {
  adMedia,
  approveCoopClaim,
  coopClaimInputSchema,
  coopRejectionReasons,
  listCoopClaims,
  rejectCoopClaim,
  requireCoopClaim,
  submitCoopClaim,
  type CoopClaim,
} from './claims.js';
import { getFund, listEntries, lockFunds, postCoopEntries } from './fund.js';
import { exportPayouts, listPayouts, payoutsCsv } from './payouts.js';
import { coopPolicySchema, requireCoopPolicy, putCoopPolicy } from './policy.js';
import { COOP_SHARE_PERCENT } from './share.js';

const idParams = z.object({ id: z.uuid() });
const passThrough = () => (data: unknown) => ({ value: data });
const idempotencyKey = z.string().trim().min(8, 'use a unique key of at least 8 characters, e.g. a UUID').max(200);

const claimOut = z.object({
  id: z.uuid(),
  state: z.enum(['submitted', 'approved', 'rejected']),
  accountId: z.uuid(),
  memberId: z.uuid().nullable(),
  cost: z.number(),
  adDate: z.string(),
  medium: z.string(),
  description: z.string().nullable(),
  otherBrands: z.number(),
  proofEvidenceId: z.uuid(),
  proofUrl: z.string(),
  /** The rule's share before the fund's cap: 50 % / (1 + otherBrands) of the cost. */
  share: z.number(),
  sharePercent: z.number(),
  approvedAmount: z.number().nullable(),
  currency: z.string(),
  rejection: z.object({ code: z.enum(coopRejectionReasons), message: z.string(), language: z.string(), note: z.string().nullable() }).nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.date().nullable(),
  submittedBy: z.string(),
  createdAt: z.date(),
});
const fundOut = z.object({ accountId: z.uuid(), currency: z.string(), balance: z.number(), accrued: z.number(), reimbursed: z.number() });
const payoutOut = z.object({
  id: z.uuid(),
  claimId: z.uuid(),
  accountId: z.uuid(),
  accountExternalId: z.string().nullable(),
  accountName: z.string(),
  amount: z.number(),
  currency: z.string(),
  adDate: z.string(),
  medium: z.string(),
  approvedAt: z.date(),
  exportBatchId: z.uuid().nullable(),
  exportedAt: z.date().nullable(),
});

async function requireAccount(db: Db, programId: string, id: string): Promise<void> {
  const r = await sql`SELECT 1 FROM accounts WHERE program_id = ${programId} AND id = ${id}`.execute(db);
  if (r.rows.length === 0) throw new LojalError('not_found', { entity: 'account', id });
}

export async function coopRoutes(fastify: FastifyInstance, { database, config, evidence: store }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const actorOf = (req: FastifyRequest) => actorRef(actor(req));

  const present = async (program: Program, c: CoopClaim) => {
    let rejection = null;
    if (c.rejectionCode) {
      // The dealer's contact reads it in their language; without one, in the program's.
      const m = c.memberId ? (await sql<{ language: string | null }>`SELECT language FROM members WHERE program_id = ${program.id} AND id = ${c.memberId}`.execute(db)).rows[0] : undefined;
      const lng: Language = isLanguage(m?.language) ? m.language : program.defaultLanguage;
      rejection = { code: c.rejectionCode, message: String(translator(lng)(`claims:coopRejection.${c.rejectionCode}`)), language: lng, note: c.rejectionNote };
    }
    const { requestHash: _hash, rejectionCode: _code, rejectionNote: _note, ...rest } = c;
    return { ...rest, proofUrl: `/v1/evidence/${c.proofEvidenceId}/content`, sharePercent: COOP_SHARE_PERCENT, currency: program.currency, rejection };
  };

  app.put(
    '/v1/coop/policy',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['coop'],
        summary: 'Set how accounts accrue their co-op marketing fund: basis points of purchases, or a fixed amount per quarter',
        body: coopPolicySchema,
      },
    },
    async (req) => putCoopPolicy(db, caller(req).programId, req.body),
  );

  app.get('/v1/coop/policy', { config: { scope: 'read' }, schema: { tags: ['coop'], summary: 'The co-op fund policy' } }, async (req) =>
    requireCoopPolicy(db, caller(req).programId),
  );

  app.get(
    '/v1/accounts/:id/coop-fund',
    { config: { scope: 'read' }, schema: { tags: ['coop'], summary: 'The account’s co-op fund: balance, accrued and reimbursed (minor units)', params: idParams, response: { 200: fundOut } } },
    async (req) => {
      const program = await programOf(req);
      await requireAccount(db, program.id, req.params.id);
      return { ...(await getFund(db, program.id, req.params.id)), currency: program.currency };
    },
  );

  app.get(
    '/v1/accounts/:id/coop-fund/entries',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['coop'],
        summary: 'The account’s co-op fund ledger, newest first',
        params: idParams,
        querystring: pageQuery.strict(),
        response: {
          200: z.object({
            data: z.array(z.object({ id: z.uuid(), kind: z.string(), amount: z.number(), eventId: z.uuid().nullable(), claimId: z.uuid().nullable(), memo: z.string().nullable(), actor: z.string().nullable(), createdAt: z.date() })),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      await requireAccount(db, programId, req.params.id);
      const after = decodeCursor(req.query.cursor, z.tuple([z.uuid()]));
      const rows = await listEntries(db, programId, req.params.id, req.query.limit, after?.[0]);
      const shown = rows.slice(0, req.query.limit);
      return { data: shown, nextCursor: rows.length > req.query.limit ? encodeCursor([shown[shown.length - 1]!.id]) : null };
    },
  );

  app.post(
    '/v1/accounts/:id/coop-fund/adjustments',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['coop'],
        summary: 'Add to or take from the account’s co-op fund by hand, with a memo (idempotent by idempotencyKey; never below zero)',
        params: idParams,
        body: z.object({ amount: z.number().int().refine((n) => n !== 0, 'amount may not be 0').refine(Number.isSafeInteger, 'amount out of range'), memo: z.string().trim().min(1).max(500), idempotencyKey }).strict(),
        response: { 200: fundOut, 201: fundOut },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      await requireAccount(db, program.id, req.params.id);
      const { amount, memo, idempotencyKey: key } = req.body;
      const created = await db.transaction().execute(async (trx) => {
        const fund = (await lockFunds(trx, program.id, [req.params.id])).get(req.params.id)!;
        const prior = await sql<{ amount: number; memo: string | null; account_id: string }>`
          SELECT amount, memo, account_id FROM coop_entries WHERE program_id = ${program.id} AND idempotency_key = ${'adjust:' + key}`.execute(trx);
        const old = prior.rows[0];
        if (old) {
          if (Number(old.amount) !== amount || old.memo !== memo || old.account_id !== req.params.id) throw new LojalError('idempotency_conflict', { key });
          return false;
        }
        if (fund.balance + amount < 0) throw new LojalError('coop_fund_insufficient', { balance: fund.balance, amount: -amount });
        await postCoopEntries(trx, program.id, [{ accountId: req.params.id, kind: 'adjustment', amount, idempotencyKey: `adjust:${key}`, memo, actor: actorOf(req) }]);
        return true;
      });
      reply.status(created ? 201 : 200);
      return { ...(await getFund(db, program.id, req.params.id)), currency: program.currency };
    },
  );

  app.post(
    '/v1/coop/claims',
    {
      config: { scope: 'claims:write' },
      validatorCompiler: passThrough,
      schema: {
        tags: ['coop'],
        summary: 'Claim a share of an ad’s cost from the co-op fund: cost, date, medium, proof and the number of other brands shown',
        description:
          `JSON with \`proofEvidenceId\` (uploaded before), or multipart/form-data with the claim as JSON in a part named \`claim\` and the proof as one file part. ` +
          `Media: ${adMedia.join(', ')}. The share is ${COOP_SHARE_PERCENT} % / (1 + otherBrands) of the cost, rounded down; approval caps it by the fund balance.`,
        consumes: ['application/json', 'multipart/form-data'],
        body: coopClaimInputSchema,
        response: { 200: claimOut, 201: claimOut },
      },
    },
    async (req, reply) => {
      const { raw, files } = await readClaimWithFiles(req, config.evidenceMaxBytes);
      const parsed = coopClaimInputSchema.safeParse(raw);
      if (!parsed.success) throw validationError(parsed.error.issues, raw);
      const program = await programOf(req);
      const result = await submitCoopClaim(db, store, program, parsed.data, files, actorOf(req));
      reply.status(result.created ? 201 : 200);
      return present(program, result.claim);
    },
  );

  app.get(
    '/v1/coop/claims',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['coop'],
        summary: 'Co-op claims, newest first, by state and account',
        querystring: pageQuery.extend({ state: z.enum(['submitted', 'approved', 'rejected']).optional(), accountId: z.uuid().optional() }).strict(),
        response: { 200: z.object({ data: z.array(claimOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const after = decodeCursor(req.query.cursor, z.tuple([z.uuid()]));
      const rows = await listCoopClaims(db, program.id, { state: req.query.state, accountId: req.query.accountId }, req.query.limit, after?.[0]);
      const shown = rows.slice(0, req.query.limit);
      return { data: await Promise.all(shown.map((c) => present(program, c))), nextCursor: rows.length > req.query.limit ? encodeCursor([shown[shown.length - 1]!.id]) : null };
    },
  );

  app.get(
    '/v1/coop/claims/:id',
    { config: { scope: 'read' }, schema: { tags: ['coop'], summary: 'A co-op claim', params: idParams, response: { 200: claimOut } } },
    async (req) => {
      const program = await programOf(req);
      return present(program, await requireCoopClaim(db, program.id, req.params.id));
    },
  );

  app.post(
    '/v1/coop/claims/:id/approve',
    {
      config: { scope: 'claims:review' },
      schema: {
        tags: ['coop'],
        summary: 'Approve a co-op claim: its share, capped by the fund balance, is taken from the fund and becomes a payout (idempotent)',
        params: idParams,
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return present(program, (await approveCoopClaim(db, program.id, req.params.id, actorOf(req))).claim);
    },
  );

  app.post(
    '/v1/coop/claims/:id/reject',
    {
      config: { scope: 'claims:review' },
      schema: {
        tags: ['coop'],
        summary: 'Reject a co-op claim with a reason (and a note)',
        params: idParams,
        body: z
          .object({ reason: z.enum(coopRejectionReasons), note: z.string().trim().min(1).max(1000).optional() })
          .strict()
          .refine((b) => b.reason !== 'other' || b.note, { path: ['note'], message: 'reason other needs a note for the dealer' }),
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return present(program, await rejectCoopClaim(db, program.id, req.params.id, actorOf(req), { code: req.body.reason, note: req.body.note ?? null }));
    },
  );

  app.get(
    '/v1/coop/payouts',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['coop'],
        summary: 'Payouts of approved co-op claims for the ERP, oldest first; `format=csv` (or Accept: text/csv) for a CSV file',
        querystring: pageQuery
          .extend({ state: z.enum(['unexported', 'exported', 'all']).default('unexported'), batchId: z.uuid().optional(), format: z.enum(['json', 'csv']).optional() })
          .strict(),
        response: { 200: z.object({ data: z.array(payoutOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const q = req.query;
      const csv = q.format === 'csv' || (q.format === undefined && /\btext\/csv\b/.test(String(req.headers.accept ?? '')));
      const after = decodeCursor(q.cursor, z.tuple([z.uuid()]));
      // CSV is one file for the ERP: all matching payouts (up to 100,000), not a page.
      const limit = csv ? 100_000 : q.limit;
      const rows = await listPayouts(db, program.id, q.state, limit, after?.[0], q.batchId);
      const shown = rows.slice(0, limit);
      if (csv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="coop-payouts-${q.state}.csv"`)
          .serializer((s: unknown) => s as string)
          .send(payoutsCsv(shown, program.currency) as never);
      }
      return { data: shown.map((p) => ({ ...p, currency: program.currency })), nextCursor: rows.length > limit ? encodeCursor([shown[shown.length - 1]!.id]) : null };
    },
  );

  app.post(
    '/v1/coop/payouts/export',
    {
      config: { scope: 'claims:review' },
      schema: {
        tags: ['coop'],
        summary: 'Mark payouts exported to the ERP as one batch: the listed ones, or all unexported (idempotent by idempotencyKey)',
        body: z.object({ idempotencyKey, payoutIds: z.array(z.uuid()).min(1).max(10_000).optional() }).strict(),
        response: { 200: z.object({ id: z.uuid(), payouts: z.number(), total: z.number(), currency: z.string(), createdAt: z.date(), created: z.boolean() }) },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const batch = await exportPayouts(db, program.id, req.body.idempotencyKey, actorOf(req), req.body.payoutIds);
      reply.status(200);
      return { ...batch, currency: program.currency };
    },
  );
}
