/**
 * Surprises over HTTP: the program's surprises (what each occasion gives and says), what was paid, running the
 * job now, and members' birthdays — set by staff or by the member in the portal (day and month; the year only
 * if they give it).
 */
import { sendNoContent } from '../http/no-content.js';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { auditContext, caller, type AppContext } from '../http/context.js';
import { getMember } from '../accounts/members.js';
import { LojalError } from '../errors/index.js';
import { getProgram } from '../programs/programs.js';
import { me } from '../portal/context.js';
import { runSurprises } from './job.js';
import {
  birthdaySchema,
  deleteSurprise,
  getBirthday,
  listPayouts,
  listSurprises,
  saveSurprise,
  setBirthday,
  surpriseInputSchema,
  surpriseKinds,
} from './store.js';

const tags = ['surprises'];
const surpriseOut = z
  .object({
    key: z.string(),
    kind: z.enum(surpriseKinds),
    enabled: z.boolean(),
    points: z.number().int(),
    rewardId: z.uuid().nullable(),
    month: z.number().int().nullable(),
    day: z.number().int().nullable(),
    threshold: z.number().int().nullable(),
    tierKey: z.string().nullable(),
    message: z.record(z.string(), z.string()).describe('the program’s own words per language'),
    activeFrom: z.string().describe('local date from which occasions count (YYYY-MM-DD)'),
    updatedAt: z.date(),
  })
  .meta({ id: 'Surprise', description: 'A surprise: what an occasion (birthday, anniversary, milestone, season) gives a member, and its message.' });
const payoutOut = z
  .object({
    memberId: z.uuid(),
    memberName: z.string(),
    surpriseKey: z.string(),
    kind: z.enum(surpriseKinds),
    occasion: z.string().describe('the local date paid for (YYYY-MM-DD), or `once` for a milestone'),
    points: z.number().int(),
    journalId: z.uuid().nullable().describe('the ledger journal that paid it'),
    rewardId: z.uuid().nullable(),
    orderId: z.uuid().nullable().describe('the reward order placed as the gift'),
    orderError: z.string().nullable().describe('why the gift could not be ordered (the member kept the points)'),
    paidAt: z.date(),
  })
  .meta({ id: 'SurprisePayout', description: 'One surprise paid to one member for one occasion.' });
const birthdayOut = z.object({ birthday: birthdaySchema.extend({ year: z.number().int().nullable() }).nullable() });
const birthdayIn = z.object({ birthday: birthdaySchema.nullable().describe('null removes it') }).strict();
const keyParams = z.object({ key: z.string().min(1).max(40).describe('The surprise’s key') });
const memberParams = z.object({ id: z.uuid().describe('The member’s id') });

export async function surpriseRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/surprises',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSurprises',
        tags,
        summary: 'List the program’s surprises',
        description: 'Every configured surprise with what it pays and its message overrides; not paged (a program has a handful).',
        response: { 200: z.object({ data: z.array(surpriseOut) }) },
      },
    },
    async (req) => ({ data: await listSurprises(db, caller(req).programId) }),
  );

  app.put(
    '/v1/surprises/:key',
    {
      config: { scope: 'rules:write', errors: ['surprise_invalid', 'unknown_reward'] },
      schema: {
        operationId: 'saveSurprise',
        tags,
        summary: 'Create or replace a surprise',
        description:
          'Sets what an occasion gives (points through the ledger, or a reward ordered for the member) and, optionally, the message in the ' +
          'program’s own words per language. The body’s `key` must match the path. A seasonal surprise needs `month` and `day`, a milestone ' +
          '(`orders`, `lifetime_points`) its `threshold`, a `tier` surprise its `tierKey`; otherwise 422 `surprise_invalid`. Occasions before ' +
          'the day a surprise is switched on are not caught up. Recorded in the audit log.',
        params: keyParams,
        body: surpriseInputSchema,
        response: { 200: surpriseOut },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      const program = (await getProgram(db, programId))!;
      if (req.body.key !== req.params.key) {
        throw new LojalError('surprise_invalid', { key: req.params.key, reason: 'the key in the body differs from the path' });
      }
      return audited(db, auditContext(req), async (trx) => {
        const saved = await saveSurprise(trx, program, req.body, clock());
        return { result: saved, audit: { action: 'surprise.save', entity: 'surprise', entityId: saved.key, after: saved } };
      });
    },
  );

  app.delete(
    '/v1/surprises/:key',
    {
      config: { scope: 'rules:write' },
      schema: {
        operationId: 'deleteSurprise',
        tags,
        summary: 'Remove a surprise',
        description: 'Nothing more is paid for it; what was paid stays in the ledger and in the payouts. An unknown key answers 404.',
        params: keyParams,
        response: { 204: z.null().describe('Removed') },
      },
    },
    async (req, reply) => {
      await audited(db, auditContext(req), async (trx) => {
        await deleteSurprise(trx, caller(req).programId, req.params.key);
        return { result: null, audit: { action: 'surprise.delete', entity: 'surprise', entityId: req.params.key, after: null } };
      });
      return sendNoContent(reply);
    },
  );

  app.get(
    '/v1/surprises/payouts',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSurprisePayouts',
        tags,
        summary: 'What surprises paid',
        description: 'Surprises paid, newest first: who, for which occasion, how many points, the ledger journal and any gift order.',
        querystring: z.object({
          memberId: z.uuid().optional().describe('Only this member’s'),
          limit: z.coerce.number().int().min(1).max(500).default(100).describe('At most this many (1–500, default 100)'),
        }),
        response: { 200: z.object({ data: z.array(payoutOut) }) },
      },
    },
    async (req) => ({ data: await listPayouts(db, caller(req).programId, { memberId: req.query.memberId, limit: req.query.limit }) }),
  );

  app.post(
    '/v1/surprises/run',
    {
      config: { scope: 'rules:write' },
      schema: {
        operationId: 'runSurprises',
        tags,
        summary: 'Pay what is due now',
        description:
          'Runs the surprise job for this program at once (it also runs every hour). Pays each member once per surprise and occasion, so running ' +
          'it again pays nothing new.',
        body: z.object({}).strict().optional(),
        response: { 200: z.object({ paid: z.number().int().describe('payouts made by this run'), points: z.number().int() }) },
      },
    },
    async (req) => {
      const r = await runSurprises(db, clock(), { programId: caller(req).programId });
      return { paid: r.paid, points: r.points };
    },
  );

  app.get(
    '/v1/members/:id/birthday',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getMemberBirthday',
        tags: ['members'],
        summary: 'Get a member’s birthday',
        description: 'Day and month, and the year only if it was given; null when unknown.',
        params: memberParams,
        response: { 200: birthdayOut },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      await getMember(db, programId, req.params.id);
      return { birthday: await getBirthday(db, programId, req.params.id) };
    },
  );

  app.put(
    '/v1/members/:id/birthday',
    {
      config: { scope: 'accounts:write', errors: ['birthday_invalid'] },
      schema: {
        operationId: 'setMemberBirthday',
        tags: ['members'],
        summary: 'Set or remove a member’s birthday',
        description:
          'Day and month; the year is optional and kept only when given. A day the month does not have (31 April; 29 February with a ' +
          'common year) answers 422 `birthday_invalid`. In a year without 29 February, a 29 February birthday is celebrated on the 28th.',
        params: memberParams,
        body: birthdayIn,
        response: { 200: birthdayOut },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      await getMember(db, programId, req.params.id);
      return { birthday: await setBirthday(db, programId, req.params.id, req.body.birthday, clock()) };
    },
  );

  app.get(
    '/portal/v1/birthday',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetBirthday',
        tags: ['portal'],
        summary: 'My birthday',
        description: 'The birthday the signed-in member gave (day and month, the year only if given), or null.',
        response: { 200: birthdayOut },
      },
    },
    async (req) => ({ birthday: await getBirthday(db, me(req).programId, me(req).memberId) }),
  );

  app.put(
    '/portal/v1/birthday',
    {
      config: { member: true, errors: ['birthday_invalid'] },
      schema: {
        operationId: 'portalSetBirthday',
        tags: ['portal'],
        summary: 'Set or remove my birthday',
        description: 'Day and month, so the program can greet the member on the day; the year is optional and never required. null removes it.',
        body: birthdayIn,
        response: { 200: birthdayOut },
      },
    },
    async (req) => ({ birthday: await setBirthday(db, me(req).programId, me(req).memberId, req.body.birthday, clock()) }),
  );
}
