/**
 * Referrals over HTTP: what a referral pays and its cap, each member's code, recording a referred company (refused
 * with a stable code per reason), the list with each referral's state, and the member's own page in the portal.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audited } from '../audit/index.js';
import { getMember } from '../accounts/members.js';
import { auditContext, caller, type AppContext } from '../http/context.js';
import { apiLanguage } from '../http/problem.js';
import { translator } from '../i18n/index.js';
import { getProgram } from '../programs/programs.js';
import { me } from '../portal/context.js';
import {
  getReferralSettings,
  listReferrals,
  listRefusals,
  payReferrals,
  recordReferral,
  referrerCompanyOf,
  referralCodeOf,
  referralSettingsSchema,
  saveReferralSettings,
  type Referral,
} from './store.js';

const tags = ['referrals'];
const referralOut = z
  .object({
    id: z.uuid(),
    code: z.string(),
    referrerMemberId: z.uuid(),
    referrerName: z.string(),
    refereeAccountId: z.uuid(),
    refereeName: z.string().describe('the referred company'),
    refereeMemberId: z.uuid().nullable(),
    status: z.enum(['pending', 'paid', 'capped']).describe('pending: waiting for a first purchase past the return window; paid; capped: the referrer was over the cap, only the referred side was paid'),
    referrerPoints: z.number().int(),
    refereePoints: z.number().int(),
    createdAt: z.date(),
    qualifiedAt: z.date().nullable(),
  })
  .meta({ id: 'Referral', description: 'A company referred by a member’s code, and what it paid each side.' });
const refusalReasons = [
  'referral_self', 'referral_same_company', 'referral_same_domain', 'referral_circular', 'referral_code_reused', 'referral_already_referred', 'referral_too_late',
] as const;
const refusalOut = z
  .object({
    id: z.uuid(),
    code: z.string().describe('the referral code that was used'),
    reason: z.enum(refusalReasons).describe('the error code the attempt was refused with'),
    reasonText: z.string().describe("the reason in the reader's language"),
    referrerMemberId: z.uuid().nullable(),
    referrerName: z.string().nullable(),
    refereeAccountId: z.uuid(),
    refereeName: z.string().describe('the company that tried to come with the code'),
    refereeMemberId: z.uuid().nullable(),
    source: z.enum(['api', 'portal']).describe('api: recorded by staff or an integration; portal: the person applied the code when signing in'),
    refusedAt: z.date(),
  })
  .meta({ id: 'ReferralRefusal', description: 'An attempt to record a referral that was refused, with the reason.' });
const codeOut = z.object({ code: z.string().describe('the member’s referral code'), link: z.url().describe('a link carrying the code, to share') });

export async function referralRoutes(fastify: FastifyInstance, { database, clock, config }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  // The portal is served at the root: it keeps `?ref=` through sign-in or an invitation and applies it once.
  const linkOf = (code: string) => `${config.publicUrl}/?ref=${encodeURIComponent(code)}`;

  app.get(
    '/v1/referrals/settings',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getReferralSettings',
        tags,
        summary: 'Get what a referral pays',
        description: 'Whether referrals are on, the points for each side and the cap per referrer and period (defaults until saved: off).',
        response: { 200: referralSettingsSchema },
      },
    },
    async (req) => getReferralSettings(db, caller(req).programId),
  );

  app.put(
    '/v1/referrals/settings',
    {
      config: { scope: 'rules:write' },
      schema: {
        operationId: 'saveReferralSettings',
        tags,
        summary: 'Set what a referral pays',
        description: 'Points for the referrer and for the referred company, and at most how many paid referrals per referrer in a month, a year or ever. Recorded in the audit log.',
        body: referralSettingsSchema,
        response: { 200: referralSettingsSchema },
      },
    },
    async (req) =>
      audited(db, auditContext(req), async (trx) => {
        const saved = await saveReferralSettings(trx, caller(req).programId, req.body, clock());
        return { result: saved, audit: { action: 'referrals.settings', entity: 'program', entityId: caller(req).programId, after: saved } };
      }),
  );

  app.get(
    '/v1/referrals',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listReferrals',
        tags,
        summary: 'List referrals',
        description: 'Referred companies, newest first, with their state and what each side was paid.',
        querystring: z.object({
          referrerMemberId: z.uuid().optional().describe('Only this member’s referrals'),
          limit: z.coerce.number().int().min(1).max(500).default(100).describe('At most this many (1–500, default 100)'),
        }),
        response: { 200: z.object({ data: z.array(referralOut) }) },
      },
    },
    async (req) => ({ data: await listReferrals(db, caller(req).programId, { referrerMemberId: req.query.referrerMemberId, limit: req.query.limit }) }),
  );

  app.post(
    '/v1/referrals',
    {
      config: {
        scope: 'accounts:write',
        errors: [
          'referrals_disabled', 'referral_code_unknown', 'referral_self', 'referral_same_company', 'referral_same_domain', 'referral_circular',
          'referral_code_reused', 'referral_already_referred',
        ],
      },
      schema: {
        operationId: 'createReferral',
        tags,
        summary: 'Record a referred company',
        description:
          'The company (and optionally the person who signed up) came with a member’s code. Both sides are paid once the company’s first purchase ' +
          'is past the return window. Refused with a stable code: `referral_code_unknown`, `referral_self` (the referrer themselves), ' +
          '`referral_same_company` (the referrer’s company or its group), `referral_same_domain` (an e-mail domain of the referrer’s, other than ' +
          'public mail providers), `referral_circular` (the company is up the referrer’s own chain of referrals), `referral_code_reused` (this ' +
          'company used this code before, 409) and `referral_already_referred` (it came with another code, 409).',
        body: z
          .object({
            code: z.string().trim().min(1).max(40).describe('The referral code (case and dashes do not matter)'),
            accountId: z.uuid().describe('The referred company'),
            memberId: z.uuid().nullable().optional().describe('The person of that company who signed up; they get the welcome points'),
          })
          .strict(),
        response: { 201: referralOut },
      },
    },
    async (req, reply) => reply.status(201).send(await recordReferral(db, caller(req).programId, req.body, clock())),
  );

  app.get(
    '/v1/referrals/refusals',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listReferralRefusals',
        tags,
        summary: 'List refused referrals',
        description:
          'Attempts to record a referral that were refused, newest first, each with its reason (the error code the attempt answered with, and the ' +
          'same message in the reader’s language). An unknown code or referrals being switched off are not kept.',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(100).describe('At most this many (1–500, default 100)'),
        }),
        response: { 200: z.object({ data: z.array(refusalOut) }) },
      },
    },
    async (req) => {
      const t = translator(apiLanguage(req));
      const list = await listRefusals(db, caller(req).programId, { limit: req.query.limit });
      return { data: list.map((r) => ({ ...r, reason: r.reason as (typeof refusalReasons)[number], reasonText: t(`errors:${r.reason}`, r.params) })) };
    },
  );

  app.post(
    '/portal/v1/referral',
    {
      config: {
        member: true,
        errors: [
          'referrals_disabled', 'referral_code_unknown', 'referral_self', 'referral_same_company', 'referral_same_domain', 'referral_circular',
          'referral_code_reused', 'referral_already_referred', 'referral_too_late',
        ],
      },
      schema: {
        operationId: 'portalApplyReferral',
        tags: ['portal'],
        summary: 'Apply the referral code I came with',
        description:
          'The signed-in member’s company came through another member’s link (`/?ref=CODE`): records the referral for the company, the member being ' +
          'the person who gets the welcome points. Refused with the codes of `POST /v1/referrals`, and `referral_too_late` (409) when the company ' +
          'has already bought.',
        body: z.object({ code: z.string().trim().min(1).max(40).describe('The referral code (case and dashes do not matter)') }).strict(),
        response: { 201: referralOut.pick({ id: true, code: true, status: true, createdAt: true }).extend({ referrerCompany: z.string().describe('the company whose member referred you') }) },
      },
    },
    async (req, reply) => {
      const m = me(req);
      const r = await recordReferral(db, m.programId, { code: req.body.code, accountId: m.accountId, memberId: m.memberId, source: 'portal' }, clock());
      const company = await referrerCompanyOf(db, m.programId, r.referrerMemberId);
      return reply.status(201).send({ id: r.id, code: r.code, status: r.status, createdAt: r.createdAt, referrerCompany: company });
    },
  );

  app.post(
    '/v1/referrals/run',
    {
      config: { scope: 'rules:write' },
      schema: {
        operationId: 'runReferrals',
        tags,
        summary: 'Pay the referrals that qualify now',
        description: 'Pays every pending referral whose company has a first purchase past the return window (the job also runs every hour). Never pays one twice.',
        body: z.object({}).strict().optional(),
        response: { 200: z.object({ paid: z.number().int(), capped: z.number().int().describe('referrals paid to the referred side only, the referrer being over the cap') }) },
      },
    },
    async (req) => payReferrals(db, (await getProgram(db, caller(req).programId))!, clock()),
  );

  app.get(
    '/v1/members/:id/referral-code',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getMemberReferralCode',
        tags,
        summary: 'Get a member’s referral code',
        description: 'The member’s code and a link carrying it; made on first ask and kept.',
        params: z.object({ id: z.uuid().describe('The member’s id') }),
        response: { 200: codeOut },
      },
    },
    async (req) => {
      const programId = caller(req).programId;
      await getMember(db, programId, req.params.id);
      const code = await referralCodeOf(db, programId, req.params.id, clock());
      return { code, link: linkOf(code) };
    },
  );

  app.get(
    '/portal/v1/referrals',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetReferrals',
        tags: ['portal'],
        summary: 'My referral code and the companies I referred',
        description: 'The signed-in member’s code and link to share, what a referral pays, and each company referred with its state.',
        response: {
          200: codeOut.extend({
            enabled: z.boolean(),
            referrerPoints: z.number().int(),
            refereePoints: z.number().int(),
            capCount: z.number().int().nullable(),
            capPeriod: z.enum(['month', 'year', 'lifetime']),
            referees: z.array(
              z.object({
                company: z.string(),
                status: z.enum(['pending', 'paid', 'capped']),
                points: z.number().int().describe('what the member earned for it'),
                createdAt: z.date(),
                qualifiedAt: z.date().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const m = me(req);
      const settings = await getReferralSettings(db, m.programId);
      const code = await referralCodeOf(db, m.programId, m.memberId, clock());
      const list = await listReferrals(db, m.programId, { referrerMemberId: m.memberId, limit: 200 });
      return {
        code,
        link: linkOf(code),
        ...settings,
        referees: list.map((r: Referral) => ({ company: r.refereeName, status: r.status, points: r.referrerPoints, createdAt: r.createdAt, qualifiedAt: r.qualifiedAt })),
      };
    },
  );
}
