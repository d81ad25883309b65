import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getAccount, getMember, memberSchema, renewJoinCode, requireManagerIfActing } from '../accounts/index.js';
import { slug, text } from '../fields/index.js';
import { languages } from '../i18n/index.js';
import { getProgram, type Program } from '../programs/programs.js';
import { deactivateMember } from './deactivation.js';
import { acceptInvitation, invite } from './invitations.js';
import { decideRegistration, register } from './registration.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { actor, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { teamOf } from './team.js';

const tags = ['people'];
const idParams = z.object({ id: z.uuid() });
const instant = z.iso.datetime({ offset: true });
/** Set when an account manager acts through the portal; absent when program staff act. */
export const byMemberId = z.uuid().optional().describe('The member acting (must be a manager of the account); absent: program staff');

const teamMemberOut = z.object({
  memberId: z.uuid(),
  accountId: z.uuid(),
  name: z.string(),
  role: z.string().nullable(),
  status: z.string(),
  earned: z.number().int().describe('Points earned in the period, less reversals'),
  spent: z.number().int().describe('Points spent in the period: at checkout and on reward orders, less cancelled or rejected orders'),
  received: z.number().int().describe('Company points transferred to the member in the period'),
  given: z.number().int().describe('Points transferred away in the period'),
  available: z.number().int().describe('Spendable now'),
  pending: z.number().int().describe('Earned, not yet spendable'),
});

const email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an e-mail address'));

const invitationOut = z.object({
  invitationId: z.uuid(),
  memberId: z.uuid(),
  accountId: z.uuid(),
  email: z.string(),
  status: z.string(),
  expiresAt: z.date(),
});

const deactivationOut = z.object({
  memberId: z.uuid(),
  status: z.literal('closed'),
  policy: z.enum(['return', 'expire']),
  changed: z.boolean().describe('False when the member was closed already and nothing was done'),
  points: z.number().int().describe('Points returned to the company or expired'),
  journalId: z.uuid().nullable(),
});

/** The actor of a staff or manager action: the API key, and the member when a manager acts. */
export const actorOf = (req: FastifyRequest, memberId?: string) =>
  memberId ? `member:${memberId} via ${actorRef(actor(req))}` : actorRef(actor(req));

export async function peopleRoutes(fastify: FastifyInstance, { database, config }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  /** The member exists in the caller's program, and whoever acts may decide for the member's account. */
  const memberForDecision = async (req: FastifyRequest, id: string, by: string | undefined) => {
    const program = await programOf(req);
    const member = await getMember(db, program.id, id);
    await requireManagerIfActing(db, program.id, by, member.accountId);
    return { program, member };
  };

  app.get(
    '/v1/accounts/:id/team',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The members of the account and of its branches, with points earned, spent and given in a period and their balance',
        params: idParams,
        querystring: pageQuery
          .extend({
            from: instant.optional().describe('Start of the period (default: 1 January of this year, UTC)'),
            to: instant.optional().describe('End of the period, exclusive (default: now)'),
            byMemberId,
          })
          .strict(),
        response: { 200: pageOf(teamMemberOut) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      await getAccount(db, programId, req.params.id);
      await requireManagerIfActing(db, programId, req.query.byMemberId, req.params.id);
      const now = new Date();
      const from = req.query.from ? new Date(req.query.from) : new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
      const to = req.query.to ? new Date(req.query.to) : now;
      return teamOf(db, programId, req.params.id, { from, to, limit: req.query.limit, cursor: req.query.cursor });
    },
  );

  app.post(
    '/v1/accounts/:id/invitations',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Invite a person by e-mail into the account: an invited member, and a mail with a link that works once until it expires',
        params: idParams,
        body: z
          .object({
            email,
            name: text(200).optional(),
            role: slug.nullable().optional(),
            language: z.enum(languages).optional(),
            expiresInDays: z.number().int().min(1).max(90).default(14),
            byMemberId,
          })
          .strict(),
        response: { 201: invitationOut },
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      await getAccount(db, program.id, req.params.id);
      await requireManagerIfActing(db, program.id, req.body.byMemberId, req.params.id);
      const { byMemberId: by, ...input } = req.body;
      const out = await invite(db, program, req.params.id, { ...input, actor: actorOf(req, by) }, config.publicUrl);
      return reply.status(201).send(out);
    },
  );

  app.post(
    '/v1/invitations/:token/accept',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Accept an invitation with the token from its link: the member becomes active with the name and language given',
        params: z.object({ token: z.string().min(1).max(200) }),
        body: z.object({ name: text(200), language: z.enum(languages) }).strict(),
        response: { 200: memberSchema },
      },
    },
    async (req) => acceptInvitation(db, caller(req).programId, req.params.token, req.body),
  );

  app.post(
    '/v1/accounts/:id/join-code',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Give the account a new join code (the old one stops working) that people use to ask to join it',
        params: idParams,
        body: z.object({ byMemberId }).strict(),
        response: { 200: z.object({ accountId: z.uuid(), code: z.string() }) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      await getAccount(db, programId, req.params.id);
      await requireManagerIfActing(db, programId, req.body.byMemberId, req.params.id);
      return { accountId: req.params.id, code: await renewJoinCode(db, programId, req.params.id) };
    },
  );

  app.post(
    '/v1/registrations',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: "A person asks to join an account (by its join code or external id); they wait as 'pending' and the account's managers get a mail",
        body: z
          .object({
            account: text(100).describe("The account's join code or external id"),
            email,
            name: text(200),
            language: z.enum(languages),
            role: slug.nullable().optional(),
          })
          .strict(),
        response: { 201: memberSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await register(db, await programOf(req), req.body)),
  );

  app.post(
    '/v1/members/:id/approve',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: "Approve a pending member (a manager of the member's account, or program staff); the person gets a mail",
        params: idParams,
        body: z.object({ byMemberId }).strict(),
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const { program } = await memberForDecision(req, req.params.id, req.body.byMemberId);
      return decideRegistration(db, program, req.params.id, { approve: true }, config.publicUrl);
    },
  );

  app.post(
    '/v1/members/:id/reject',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: 'Reject a pending member with a reason the person is told by mail; the member is closed',
        params: idParams,
        body: z.object({ reason: text(500), byMemberId }).strict(),
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const { program } = await memberForDecision(req, req.params.id, req.body.byMemberId);
      return decideRegistration(db, program, req.params.id, { approve: false, reason: req.body.reason }, config.publicUrl);
    },
  );

  app.post(
    '/v1/members/:id/deactivate',
    {
      config: { scope: 'accounts:write' },
      schema: {
        tags,
        summary: "Close the member of a person who left; their points go back to the company wallet or expire, by the program's policy",
        params: idParams,
        body: z.object({ byMemberId }).strict(),
        response: { 200: deactivationOut },
      },
    },
    async (req) => {
      const { program } = await memberForDecision(req, req.params.id, req.body.byMemberId);
      return deactivateMember(db, program, req.params.id, actorOf(req, req.body.byMemberId));
    },
  );
}
