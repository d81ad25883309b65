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
const tokenParams = z.object({ token: z.string().min(1).max(200).describe('The token from the invitation link (starts with `inv_`)') });
const instant = z.iso.datetime({ offset: true });
/** Set when an account manager acts through the portal; absent when program staff act. */
export const byMemberId = z.uuid().optional().describe('The member acting (must be a manager of the account); absent: program staff');

const teamMemberOut = z.object({
  memberId: z.uuid(),
  accountId: z.uuid().describe('The account or branch the member belongs to'),
  name: z.string(),
  role: z.string().nullable(),
  status: z.string().describe('The member status: invited, pending, active, suspended or closed'),
  earned: z.number().int().describe('Points earned in the period, less reversals'),
  spent: z.number().int().describe('Points spent in the period: at checkout and on reward orders, less cancelled or rejected orders'),
  received: z.number().int().describe('Company points transferred to the member in the period'),
  given: z.number().int().describe('Points transferred away in the period'),
  available: z.number().int().describe('Spendable now'),
  pending: z.number().int().describe('Earned, not yet spendable'),
}).meta({ id: 'TeamMember', description: "A member of an account's team with the points they moved in a period and their balance now." });

const email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an e-mail address'));

const invitationOut = z
  .object({
    invitationId: z.uuid(),
    memberId: z.uuid().describe("The invited member (status invited until the link is used)"),
    accountId: z.uuid(),
    email: z.string(),
    status: z.string().describe("The member's status"),
    expiresAt: z.date().describe('The link works once until then'),
  })
  .meta({ id: 'Invitation', description: 'An invitation mailed to a person: the invited member and until when the link works.' });

const deactivationOut = z.object({
  memberId: z.uuid(),
  status: z.literal('closed'),
  policy: z.enum(['return', 'expire']),
  changed: z.boolean().describe('False when the member was closed already and nothing was done'),
  points: z.number().int().describe('Points returned to the company or expired'),
  journalId: z.uuid().nullable().describe('The ledger journal that moved the points, null when none moved'),
}).meta({ id: 'MemberDeactivation', description: "What closing a leaver's member did with their points." });

/** The actor of a staff or manager action: the API key, and the member when a manager acts. */
export const actorOf = (req: FastifyRequest, memberId?: string) =>
  memberId ? `member:${memberId} via ${actorRef(actor(req))}` : actorRef(actor(req));

export async function peopleRoutes(fastify: FastifyInstance, { database, config, clock }: AppContext) {
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
      config: { scope: 'read', errors: ['not_a_manager'] },
      schema: {
        operationId: 'listAccountTeam',
        tags,
        summary: "List an account's team with their points",
        description:
          'The members of the account and of its branches, each with the points earned, spent, received and given ' +
          'in a period and their balance now. With `byMemberId`, only a manager of the account may see it (as the ' +
          'portal does for a manager). Cursor-paginated.',
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
      const now = clock();
      const from = req.query.from ? new Date(req.query.from) : new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
      // The range is half-open: by default it ends just after now, so what happened this very instant counts.
      const to = req.query.to ? new Date(req.query.to) : new Date(now.getTime() + 1);
      return teamOf(db, programId, req.params.id, { from, to, limit: req.query.limit, cursor: req.query.cursor });
    },
  );

  app.post(
    '/v1/accounts/:id/invitations',
    {
      config: { scope: 'accounts:write', errors: ['not_a_manager', 'member_already_exists'] },
      schema: {
        operationId: 'createAccountInvitation',
        tags,
        summary: 'Invite a person into an account',
        description:
          "Creates the person as an invited member of the account and mails them a link that works once until it " +
          "expires (default 14 days). Inviting an address already invited there sends a new link; an active member " +
          "with that address is refused (member_already_exists). With `byMemberId`, a manager of the account invites.",
        params: idParams,
        body: z
          .object({
            email: email.describe('Where the invitation is mailed'),
            name: text(200).optional().describe('The name until the person gives theirs (default: the part of the address before @)'),
            role: slug.nullable().optional().describe('The role the member gets, e.g. buyer or sales_rep'),
            language: z.enum(languages).optional().describe("The mail's language (default: the program's)"),
            expiresInDays: z.number().int().min(1).max(90).default(14).describe('Days the link works'),
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
      const out = await invite(db, program, req.params.id, { ...input, actor: actorOf(req, by) }, config.publicUrl, clock());
      return reply.status(201).send(out);
    },
  );

  app.post(
    '/v1/invitations/:token/accept',
    {
      config: { scope: 'accounts:write', errors: ['invitation_used', 'invitation_expired'] },
      schema: {
        operationId: 'acceptInvitation',
        tags,
        summary: 'Accept an invitation',
        description:
          'For a sign-up page of your own: the token from the invitation link makes the invited member active with the ' +
          'name and language given. A token works once (invitation_used) and until it expires (invitation_expired).',
        params: tokenParams,
        body: z.object({ name: text(200).describe("The person's name"), language: z.enum(languages).describe("The person's language") }).strict(),
        response: { 200: memberSchema },
      },
    },
    async (req) => acceptInvitation(db, caller(req).programId, req.params.token, req.body, clock()),
  );

  app.post(
    '/v1/accounts/:id/join-code',
    {
      config: { scope: 'accounts:write', errors: ['not_a_manager'] },
      schema: {
        operationId: 'renewAccountJoinCode',
        tags,
        summary: "Renew an account's join code",
        description:
          'Gives the account a new join code that people use to ask to join it (POST /v1/registrations); the old code ' +
          'stops working. With `byMemberId`, a manager of the account renews it.',
        params: idParams,
        body: z.object({ byMemberId }).strict(),
        response: {
          200: z
            .object({ accountId: z.uuid(), code: z.string().describe('The new join code') })
            .meta({ id: 'JoinCode', description: "An account's current join code." }),
        },
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
      config: { scope: 'accounts:write', errors: ['unknown_join_code', 'member_already_exists'] },
      schema: {
        operationId: 'createRegistration',
        tags,
        summary: 'Ask to join an account',
        description:
          "For a sign-up page of your own: a person asks to join an account by its join code or external id. They " +
          "become a pending member and the account's managers get a mail; a manager or program staff approves " +
          '(POST /v1/members/{id}/approve) or rejects.',
        body: z
          .object({
            account: text(100).describe("The account's join code or external id"),
            email: email.describe("The person's e-mail address"),
            name: text(200).describe("The person's name"),
            language: z.enum(languages).describe("The person's language"),
            role: slug.nullable().optional().describe('The role the person asks for, e.g. buyer'),
          })
          .strict(),
        response: { 201: memberSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await register(db, await programOf(req), req.body, clock())),
  );

  app.post(
    '/v1/members/:id/approve',
    {
      config: { scope: 'accounts:write', errors: ['not_a_manager', 'member_not_pending'] },
      schema: {
        operationId: 'approveMember',
        tags,
        summary: 'Approve a pending member',
        description:
          "Makes a member who asked to join active and mails them. Program staff, or with `byMemberId` a manager of the " +
          "member's account, may approve; a member who is not pending is refused (member_not_pending).",
        params: idParams,
        body: z.object({ byMemberId }).strict(),
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const { program } = await memberForDecision(req, req.params.id, req.body.byMemberId);
      return decideRegistration(db, program, req.params.id, { approve: true }, config.publicUrl, clock());
    },
  );

  app.post(
    '/v1/members/:id/reject',
    {
      config: { scope: 'accounts:write', errors: ['not_a_manager', 'member_not_pending'] },
      schema: {
        operationId: 'rejectMember',
        tags,
        summary: 'Reject a pending member',
        description:
          'Closes a member who asked to join and mails them the reason. Program staff, or with `byMemberId` a manager ' +
          "of the member's account, may reject.",
        params: idParams,
        body: z.object({ reason: text(500).describe('Told to the person in the mail'), byMemberId }).strict(),
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const { program } = await memberForDecision(req, req.params.id, req.body.byMemberId);
      return decideRegistration(db, program, req.params.id, { approve: false, reason: req.body.reason }, config.publicUrl, clock());
    },
  );

  app.post(
    '/v1/members/:id/deactivate',
    {
      config: { scope: 'accounts:write', errors: ['not_a_manager'] },
      schema: {
        operationId: 'deactivateMember',
        tags,
        summary: 'Close the member of a person who left',
        description:
          "Closes the member; their spendable points go to the company wallet (a transfer) or expire, by the program's " +
          'leaver policy, in a ledger journal. Points still pending follow when they become spendable. Idempotent: a ' +
          'closed member answers `changed: false`. With `byMemberId`, a manager of the account acts.',
        params: idParams,
        body: z.object({ byMemberId }).strict(),
        response: { 200: deactivationOut },
      },
    },
    async (req) => {
      const { program } = await memberForDecision(req, req.params.id, req.body.byMemberId);
      return deactivateMember(db, program, req.params.id, actorOf(req, req.body.byMemberId), clock());
    },
  );
}
