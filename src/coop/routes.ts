import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idempotencyKey } from '../fields/index.js';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { validationError } from '../events/ingest.js';
import { readClaimWithFiles } from '../evidence/multipart.js';
import { decodeCursor, encodeCursor, pageQuery } from '../http/pagination.js';
import { actor, caller } from '../http/context.js';
import { apiLanguage } from '../http/problem.js';
import type { AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { isLanguage, languages, translator, type Language } from '../i18n/index.js';
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
import { coopPolicyOut, coopPolicySchema, requireCoopPolicy, putCoopPolicy } from './policy.js';
import { COOP_SHARE_PERCENT } from './share.js';

const idParams = z.object({ id: z.uuid().describe("The co-op claim's id (UUID)") });
const accountParams = z.object({ id: z.uuid().describe("The account's id (UUID)") });
const passThrough = () => (data: unknown) => ({ value: data });
const retryKey = idempotencyKey
  .describe('A unique key of at least 8 characters, e.g. a UUID; a retry with it changes nothing and answers the same');
const claimStateEnum = z.enum(['submitted', 'approved', 'rejected']);

const claimOut = z
  .object({
    id: z.uuid(),
    state: claimStateEnum.describe('submitted (waits for a decision), approved (paid from the fund), rejected'),
    accountId: z.uuid().describe('The dealer (account) whose fund pays'),
    memberId: z.uuid().nullable().describe("Who at the dealer sent it; null: not named"),
    cost: z.number().int().describe("What the ad cost, in minor units"),
    adDate: z.string().describe('When the ad ran, YYYY-MM-DD'),
    medium: z.enum(adMedia),
    description: z.string().nullable(),
    otherBrands: z.number().int().describe("How many other manufacturers' brands the ad shows (0: only ours)"),
    proofEvidenceId: z.uuid().describe('The proof file (evidence)'),
    proofUrl: z.string().describe("Where the proof's content is read"),
    share: z.number().int().describe("The rule's share before the fund's cap: sharePercent % / (1 + otherBrands) of the cost, rounded down"),
    sharePercent: z.number().describe('The share of the cost the program pays for an ad with only its brand'),
    approvedAmount: z.number().int().nullable().describe('What approval paid: the share, capped by the fund balance then; null before'),
    currency: z.string().describe("ISO 4217, the program's currency"),
    rejection: z
      .object({ code: z.enum(coopRejectionReasons), message: z.string().describe("The reason in the dealer's contact's language"), language: z.string(), note: z.string().nullable().describe("The decider's note, as written") })
      .nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.date().nullable(),
    submittedBy: z.string(),
    createdAt: z.date(),
  })
  .meta({ id: 'CoopClaim', description: "A dealer's claim for a share of an ad's cost from its co-op marketing fund." });
const fundOut = z
  .object({
    accountId: z.uuid(),
    currency: z.string().describe("ISO 4217, the program's currency"),
    balance: z.number().int().describe('What the fund holds now, in minor units; never below zero'),
    accrued: z.number().int().describe('All accruals so far, in minor units'),
    reimbursed: z.number().int().describe('All paid to approved co-op claims so far, in minor units'),
  })
  .meta({ id: 'CoopFund', description: "An account's co-op marketing fund, in minor units of the program's currency." });
const entryOut = z
  .object({
    id: z.uuid(),
    kind: z.enum(['accrual', 'reimbursement', 'adjustment']).describe('accrual (from purchases or the quarter), reimbursement (an approved claim), adjustment (by hand)'),
    amount: z.number().int().describe('Minor units; negative takes from the fund'),
    eventId: z.uuid().nullable().describe('The purchase event an accrual came from'),
    claimId: z.uuid().nullable().describe('The co-op claim a reimbursement paid'),
    memo: z.string().nullable(),
    actor: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'CoopFundEntry', description: "One movement of an account's co-op fund." });
const payoutOut = z
  .object({
    id: z.uuid(),
    claimId: z.uuid(),
    accountId: z.uuid(),
    accountExternalId: z.string().nullable().describe("The account's id in the ERP"),
    accountName: z.string(),
    amount: z.number().int().describe('What the dealer is paid, in minor units'),
    currency: z.string().describe("ISO 4217, the program's currency"),
    adDate: z.string().describe('When the ad ran, YYYY-MM-DD'),
    medium: z.string(),
    approvedAt: z.date(),
    exportBatchId: z.uuid().nullable().describe('The export batch that took it; null: not exported yet'),
    exportedAt: z.date().nullable(),
  })
  .meta({ id: 'CoopPayout', description: 'What an approved co-op claim pays the dealer, for the ERP.' });
const batchOut = z
  .object({
    id: z.uuid(),
    payouts: z.number().int().describe('Payouts in the batch'),
    total: z.number().int().describe('Their sum, in minor units'),
    currency: z.string(),
    createdAt: z.date(),
    created: z.boolean().describe('false: a retry with the same key answered the first batch'),
  })
  .meta({ id: 'CoopPayoutBatch', description: 'Payouts marked exported to the ERP together.' });

async function requireAccount(db: Db, programId: string, id: string): Promise<void> {
  const r = await sql`SELECT 1 FROM accounts WHERE program_id = ${programId} AND id = ${id}`.execute(db);
  if (r.rows.length === 0) throw new LojalError('not_found', { entity: 'account', id });
}

export async function coopRoutes(fastify: FastifyInstance, { database, config, evidence: store, clock }: AppContext) {
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
        operationId: 'updateCoopPolicy',
        tags: ['coop'],
        summary: 'Set how accounts accrue their co-op fund',
        description:
          'Basis points of each purchase (`percent_of_purchases`), or a fixed amount per quarter (`fixed_per_quarter`). Replaces the policy. Without `accrueFrom` it applies from now: a new policy does not pay for past purchases unless asked. ' +
          'The accrual job credits the funds; nothing is credited by this call itself. Needs the `admin` scope.',
        body: coopPolicySchema,
        response: { 200: coopPolicyOut },
      },
    },
    async (req) => putCoopPolicy(db, caller(req).programId, req.body, clock()),
  );

  app.get(
    '/v1/coop/policy',
    {
      config: { scope: 'read', errors: ['coop_policy_missing'] },
      schema: {
        operationId: 'getCoopPolicy',
        tags: ['coop'],
        summary: 'The co-op fund policy',
        description: 'How accounts accrue their co-op fund; 404 coop_policy_missing until updateCoopPolicy sets one.',
        response: { 200: coopPolicyOut },
      },
    },
    async (req) => requireCoopPolicy(db, caller(req).programId),
  );

  app.get(
    '/v1/accounts/:id/coop-fund',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAccountCoopFund',
        tags: ['coop'],
        summary: 'The account’s co-op fund: balance, accrued and reimbursed (minor units)',
        description: 'Zeros for an account that has accrued nothing yet. The account is named by its UUID only (no `ext:`).',
        params: accountParams,
        response: { 200: fundOut },
      },
    },
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
        operationId: 'listAccountCoopFundEntries',
        tags: ['coop'],
        summary: 'The account’s co-op fund ledger, newest first',
        description: 'Accruals, reimbursements and adjustments, cursor-paginated (`limit`, `cursor` from the previous page\'s `nextCursor`). The account is named by its UUID only (no `ext:`).',
        params: accountParams,
        querystring: pageQuery.strict(),
        response: { 200: z.object({ data: z.array(entryOut), nextCursor: z.string().nullable().describe('Cursor of the next page; null: this is the last') }) },
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
      config: { scope: 'admin', errors: ['idempotency_conflict', 'coop_fund_insufficient'] },
      schema: {
        operationId: 'adjustAccountCoopFund',
        tags: ['coop'],
        summary: 'Adjust an account’s co-op fund by hand',
        description:
          'Adds to or takes from the fund, with a memo: writes an adjustment entry and answers the fund after it: 201 when written, 200 when the same key came before with the same request ' +
          '(another request with that key is 409 idempotency_conflict). Taking more than the balance is 422 coop_fund_insufficient. ' +
          'The account is named by its UUID only (no `ext:`). Needs the `admin` scope.',
        params: accountParams,
        body: z
          .object({
            amount: z.number().int().refine((n) => n !== 0, 'amount may not be 0').refine(Number.isSafeInteger, 'amount out of range').describe('Minor units: positive adds, negative takes; not 0'),
            memo: z.string().trim().min(1).max(500).describe('Why, kept with the entry'),
            idempotencyKey: retryKey,
          })
          .strict(),
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
      config: {
        scope: 'claims:write',
        errors: [
          'idempotency_conflict',
          'unknown_account',
          'unknown_member',
          'member_not_in_account',
          'evidence_required',
          'unknown_evidence',
          'malformed_multipart',
          'evidence_too_large',
          'evidence_type_not_allowed',
        ],
      },
      validatorCompiler: passThrough,
      schema: {
        operationId: 'createCoopClaim',
        tags: ['coop'],
        summary: 'Claim a share of an ad’s cost from the co-op fund',
        description:
          `JSON with \`proofEvidenceId\` (uploaded before), or multipart/form-data with the claim as JSON in a part named \`claim\` and the proof as one file part. ` +
          `Media: ${adMedia.join(', ')}. The share is ${COOP_SHARE_PERCENT} % / (1 + otherBrands) of the cost, rounded down; approval caps it by the fund balance. ` +
          'Answers 201 with the new claim, or 200 with the first one when the same `idempotencyKey` comes again. Nothing is paid until approval.',
        consumes: ['application/json', 'multipart/form-data'],
        body: coopClaimInputSchema,
        response: { 200: claimOut, 201: claimOut },
      },
    },
    async (req, reply) => {
      const { raw, files } = await readClaimWithFiles(req, { database, evidence: store, clock }, config.evidenceMaxBytes);
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
        operationId: 'listCoopClaims',
        tags: ['coop'],
        summary: 'Co-op claims, newest first, by state and account',
        description: 'Cursor-paginated (`limit`, `cursor` from the previous page\'s `nextCursor`); the filters combine.',
        querystring: pageQuery
          .extend({ state: claimStateEnum.optional().describe('Only claims in this state'), accountId: z.uuid().optional().describe("Only this account's claims (UUID)") })
          .strict(),
        response: { 200: z.object({ data: z.array(claimOut), nextCursor: z.string().nullable().describe('Cursor of the next page; null: this is the last') }) },
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
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getCoopClaim',
        tags: ['coop'],
        summary: 'A co-op claim',
        description: 'With its share, what approval paid, and a rejection in the language of the dealer\'s contact.',
        params: idParams,
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return present(program, await requireCoopClaim(db, program.id, req.params.id));
    },
  );

  app.post(
    '/v1/coop/claims/:id/approve',
    {
      config: { scope: 'claims:review', errors: ['claim_state_conflict', 'coop_fund_empty'] },
      schema: {
        operationId: 'approveCoopClaim',
        tags: ['coop'],
        summary: 'Approve a co-op claim and pay its share from the fund',
        description:
          'The share, capped by the fund balance, is taken from the fund and becomes a payout for the ERP, in one transaction under the claim\'s and the fund\'s locks, so racing approvals never overdraw. An empty fund is 422 coop_fund_empty; ' +
          'approving an approved claim answers it unchanged, a rejected one is 409 claim_state_conflict. No request body.',
        params: idParams,
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return present(program, (await approveCoopClaim(db, program, req.params.id, actorOf(req), clock())).claim);
    },
  );

  app.post(
    '/v1/coop/claims/:id/reject',
    {
      config: { scope: 'claims:review', errors: ['claim_state_conflict'] },
      schema: {
        operationId: 'rejectCoopClaim',
        tags: ['coop'],
        summary: 'Reject a co-op claim with a reason (and a note)',
        description: 'Nothing is paid. Rejecting a rejected claim answers it unchanged; an approved one is 409 claim_state_conflict.',
        params: idParams,
        body: z
          .object({
            reason: z.enum(coopRejectionReasons).describe("Why; the dealer's contact reads it in their language"),
            note: z.string().trim().min(1).max(1000).optional().describe('A note for the dealer, as written; required with reason other'),
          })
          .strict()
          .refine((b) => b.reason !== 'other' || b.note, { path: ['note'], message: 'reason other needs a note for the dealer' }),
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const program = await programOf(req);
      return present(program, await rejectCoopClaim(db, program, req.params.id, actorOf(req), { code: req.body.reason, note: req.body.note ?? null }, clock()));
    },
  );

  app.get(
    '/v1/coop/payouts',
    {
      config: { scope: 'read', produces: ['text/csv'] },
      schema: {
        operationId: 'listCoopPayouts',
        tags: ['coop'],
        summary: 'Payouts of approved co-op claims, as JSON or CSV',
        description:
          'Oldest first; `format=csv` (or `Accept: text/csv`) answers a CSV file. JSON is cursor-paginated (`limit`, `cursor` from the previous page\'s `nextCursor`). CSV is one file of every matching payout (no row limit, streamed), ' +
          'UTF-8 with a byte-order mark, amounts in minor units; fields separated by commas, or by semicolons for sv, nb, pl and de (`language`, else Accept-Language). Listing marks nothing exported: exportCoopPayouts does.',
        querystring: pageQuery
          .extend({
            state: z.enum(['unexported', 'exported', 'all']).default('unexported').describe('Which payouts: unexported (default), exported, or all'),
            batchId: z.uuid().optional().describe('Only the payouts of this export batch (UUID)'),
            format: z.enum(['json', 'csv']).optional().describe('json or csv; absent: by the Accept header, JSON unless it asks for text/csv'),
            language: z.enum(languages).optional().describe('csv only: the separator between fields (en: comma; sv, nb, pl, de: semicolon); default from Accept-Language'),
          })
          .strict(),
        response: { 200: z.object({ data: z.array(payoutOut), nextCursor: z.string().nullable().describe('Cursor of the next page; null: this is the last') }) },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const q = req.query;
      const csv = q.format === 'csv' || (q.format === undefined && /\btext\/csv\b/.test(String(req.headers.accept ?? '')));
      const after = decodeCursor(q.cursor, z.tuple([z.uuid()]));
      if (csv) {
        // CSV is one file for the ERP: every matching payout, streamed page by page, not a page.
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="coop-payouts-${q.state}.csv"`)
          .send(payoutsCsv(db, program.id, program.currency, { state: q.state, after: after?.[0], batchId: q.batchId, language: q.language ?? apiLanguage(req) }) as never);
      }
      const limit = q.limit;
      const rows = await listPayouts(db, program.id, q.state, limit, after?.[0], q.batchId);
      const shown = rows.slice(0, limit);
      return { data: shown.map((p) => ({ ...p, currency: program.currency })), nextCursor: rows.length > limit ? encodeCursor([shown[shown.length - 1]!.id]) : null };
    },
  );

  app.post(
    '/v1/coop/payouts/export',
    {
      config: { scope: 'claims:review' },
      schema: {
        operationId: 'exportCoopPayouts',
        tags: ['coop'],
        summary: 'Mark payouts exported to the ERP as one batch',
        description:
          'The listed payouts, or every unexported one. Only unexported payouts are taken; one already in another batch stays there. A retry with the same key answers the first batch (`created` false) ' +
          'and marks nothing more. Read the batch\'s payouts with listCoopPayouts and `batchId`.',
        body: z
          .object({ idempotencyKey: retryKey, payoutIds: z.array(z.uuid()).min(1).max(10_000).optional().describe('The payouts to export; absent: every unexported one') })
          .strict(),
        response: { 200: batchOut },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const batch = await exportPayouts(db, program.id, req.body.idempotencyKey, actorOf(req), clock(), req.body.payoutIds);
      reply.status(200);
      return { ...batch, currency: program.currency };
    },
  );
}
