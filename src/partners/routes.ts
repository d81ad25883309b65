import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { loadMembers } from '../accounts/index.js';
import { audited } from '../audit/index.js';
import { LojalError } from '../errors/index.js';
import { apiLanguage } from '../http/problem.js';
import { actor, auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { translator } from '../i18n/index.js';
import { spend } from '../ledger/operations.js';
import { operationOut } from '../ledger/schemas.js';
import { actorRef } from '../programs/actor.js';
import { getProgram, type Program } from '../programs/programs.js';
import { partnerSettlement, type Settlement } from './settlement.js';
import { createPartner, getPartner, listPartners, partnerCreateSchema, partnerKinds, partnerPatchSchema, updatePartner } from './store.js';

const tags = ['partners'];
const idParams = z.object({ id: z.uuid().describe("The partner's id") });
const partnerOut = z
  .object({
    id: z.uuid(),
    code: z.string().describe("Unique code, also the prefix of the partner's event ids"),
    name: z.string(),
    kind: z.enum(partnerKinds),
    active: z.boolean().describe("false: deactivated, the partner's keys do not work"),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Partner', description: 'A coalition partner (a bank, a hotel chain) that issues points for its events and takes them as payment.' });
const amountOut = z
  .object({ points: z.number().int(), value: z.number().int().describe('minor units of the currency') })
  .meta({ id: 'SettlementAmount', description: 'Points and their money value.' });
const settlementOut = z
  .object({
    partner: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
    from: z.string().describe('First day of the period (YYYY-MM-DD), included'),
    to: z.string().describe('Last day of the period (YYYY-MM-DD), included'),
    currency: z.string(),
    pointValueMicros: z.number().int().describe("What one point is worth, in millionths of the currency's minor unit"),
    events: z.number().int().describe("The partner's events in the period"),
    issued: amountOut,
    reversed: amountOut,
    netIssued: amountOut,
    redemptions: z.number().int().describe('Redemptions at the partner in the period'),
    redeemed: amountOut,
    balance: z.number().int().describe('netIssued − redeemed in minor units: positive, the partner owes the program'),
  })
  .meta({ id: 'PartnerSettlement', description: "A partner's points issued and redeemed in a period, and the money that settles them." });
const isoDay = z.iso.date('a date such as 2026-11-01');

const settlementCsv = (s: Settlement, t: ReturnType<typeof translator>) =>
  stringify([
    ['metric', 'label', 'points', 'value', 'currency'],
    ...(['issued', 'reversed', 'netIssued', 'redeemed'] as const).map((m) => [m, t(`control:settlement.${m}`), s[m].points, s[m].value, s.currency]),
    ['balance', t('control:settlement.balance'), '', s.balance, s.currency],
  ]);

export async function partnerRoutes(fastify: FastifyInstance, { database, settings, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;

  app.post(
    '/v1/partners',
    {
      config: { scope: 'admin', errors: ['partner_code_taken'] },
      schema: {
        operationId: 'createPartner',
        tags,
        summary: 'Add a coalition partner',
        description:
          'Adds a partner (a bank, a hotel chain) whose own API key posts earn events for members and takes points as ' +
          'payment. Issue its key with POST /v1/api-keys `{ partnerId, scopes: ["partner"] }`. Recorded in the audit log.',
        body: partnerCreateSchema,
        response: { 201: partnerOut },
      },
    },
    async (req, reply) => {
      const partner = await audited(db, auditContext(req), async (trx) => {
        const after = await createPartner(trx, caller(req).programId, req.body, req.clock());
        return { result: after, audit: { action: 'partner.create', entity: 'partner', entityId: after.id, after } };
      });
      return reply.status(201).send(partner);
    },
  );

  app.get(
    '/v1/partners',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listPartners',
        tags,
        summary: 'List coalition partners',
        description: 'All partners of the program sorted by code, deactivated ones included (not paginated).',
        response: { 200: z.object({ data: z.array(partnerOut) }) },
      },
    },
    async (req) => ({ data: await listPartners(db, caller(req).programId) }),
  );

  app.get(
    '/v1/partners/:id',
    {
      config: { scope: 'read' },
      schema: { operationId: 'getPartner', tags, summary: 'Get a coalition partner', description: 'One partner of the program.', params: idParams, response: { 200: partnerOut } },
    },
    async (req) => getPartner(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/partners/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'updatePartner',
        tags,
        summary: 'Change a coalition partner',
        description: "Renames, changes the kind of, or deactivates a partner; a deactivated partner's keys stop working at once. Recorded in the audit log.",
        params: idParams,
        body: partnerPatchSchema,
        response: { 200: partnerOut },
      },
    },
    async (req) => {
      const partner = await audited(db, auditContext(req), async (trx) => {
        const before = await getPartner(trx, caller(req).programId, req.params.id, true);
        const after = await updatePartner(trx, caller(req).programId, req.params.id, req.body, req.clock());
        return { result: after, audit: { action: 'partner.update', entity: 'partner', entityId: after.id, before, after } };
      });
      settings.invalidate(caller(req).programId);
      return partner;
    },
  );

  app.get(
    '/v1/partners/:id/settlement',
    {
      config: { scope: 'read', produces: ['text/csv'] },
      schema: {
        operationId: 'getPartnerSettlement',
        tags,
        summary: "Get a partner's settlement for a period",
        description:
          'Points issued (net of returns) for the partner’s events and redeemed at the partner in a period, and their ' +
          'money value at the program’s point value: what the partner and the program owe each other. `from` and `to` ' +
          'are whole days in the program’s time zone, both included. `format=csv` answers text/csv in the reader’s language.',
        params: idParams,
        querystring: z
          .object({
            from: isoDay.describe('First day of the period, YYYY-MM-DD, included'),
            to: isoDay.describe('Last day of the period, YYYY-MM-DD, included; not before from'),
            format: z.enum(['json', 'csv']).default('json').describe('json (default) or csv'),
          })
          .strict(),
        response: { 200: settlementOut },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const partner = await getPartner(db, program.id, req.params.id);
      if (req.query.from > req.query.to) {
        throw new LojalError('validation_failed', {}, [{ path: 'querystring.to', message: 'must not be before from' }]);
      }
      const s = await partnerSettlement(db, program, partner, req.query.from, req.query.to);
      if (req.query.format === 'csv') {
        const t = translator(apiLanguage(req));
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="settlement-${partner.code}-${s.from}-${s.to}.csv"`)
          .serializer((x: unknown) => String(x))
          .send(settlementCsv(s, t) as never);
      }
      return s;
    },
  );

  app.post(
    '/v1/partner/redemptions',
    {
      config: { scope: 'partner', errors: ['unknown_member', 'insufficient_points', 'idempotency_conflict'] },
      schema: {
        operationId: 'createPartnerRedemption',
        tags,
        summary: "Take a member's points as payment at the partner",
        description:
          'For a partner’s key (scope `partner`): spends the member’s points as payment at the partner, in a ledger ' +
          'journal; it never overdraws (insufficient_points). Idempotent by `idempotencyKey`: a retry answers 200 with ' +
          'the first journal; the same key with another body is idempotency_conflict. Counted in the partner’s settlement.',
        body: z
          .object({
            member: z.string().trim().min(1).max(200).optional().describe('the member’s external id'),
            memberId: z.uuid().optional().describe('the member’s Lojal id (instead of member)'),
            points: z.number().int().min(1).max(1_000_000_000).describe('points to take'),
            memo: z.string().trim().min(1).max(500).optional().describe('shown in the member’s history (default: the partner’s name)'),
            reference: z.string().trim().max(200).optional().describe('the partner’s own reference, e.g. the booking number'),
            idempotencyKey: z.string().trim().min(8).max(200).describe('unique per redemption (e.g. a UUID); a retry with it books nothing twice'),
          })
          .strict()
          .refine((b) => !b.member !== !b.memberId, { message: 'give exactly one of member (external id) or memberId', path: ['member'] }),
        response: { 200: operationOut, 201: operationOut },
      },
    },
    async (req, reply) => {
      const partner = caller(req).partner!;
      const program = await programOf(req);
      const members = await loadMembers(db, program.id, req.body.member ? [req.body.member] : [], req.body.memberId ? [req.body.memberId] : []);
      const member = req.body.member ? members.byExternal.get(req.body.member) : members.byId.get(req.body.memberId!);
      if (!member) throw new LojalError('unknown_member', { member: req.body.member ?? req.body.memberId! });
      const result = await spend(db, program, {
        walletId: member.id,
        points: req.body.points,
        memo: req.body.memo ?? partner.name,
        reference: req.body.reference,
        // The partner's keys live in a namespace of their own: no clash with the program's own spends.
        idempotencyKey: `partner:${partner.id}:${req.body.idempotencyKey}`,
        actor: actorRef(actor(req)),
        partnerId: partner.id,
      }, clock());
      reply.status(result.created ? 201 : 200);
      return result;
    },
  );
}
