/**
 * The page an invitation mail links to (`/invitations/<token>` in the portal) needs no key and no session:
 * the token is the proof. It shows whom the invitation is for, and accepting it makes the member active and
 * signs the person in, so the first thing they see is their portal.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { text } from '../fields/index.js';
import type { AppContext } from '../http/context.js';
import { languages } from '../i18n/index.js';
import { setSessionCookie } from '../sessions/http.js';
import { chooseSessionMember, createSession } from '../sessions/store.js';
import { memberSessionBody } from '../sessions/member-choices.js';
import { memberSessionOut } from '../sessions/routes.js';
import { acceptInvitation, hashToken } from './invitations.js';

const tokenParams = z.object({ token: z.string().min(1).max(200).describe('the token of the invitation link (the last part of `/invitations/<token>`)') });

/** After accepting: the new portal session, or nothing when the invitation named no e-mail to sign in with. */
const acceptedOut = z.union([
  memberSessionOut,
  z.object({ csrfToken: z.null(), email: z.null(), member: z.null(), choices: z.array(z.string()).max(0).describe('always empty') }).describe('the member is active, but there is no address to sign in with'),
]);

/** The invitation a link's token belongs to, in whichever program it was made. */
async function invitationOfToken(db: Db, token: string) {
  const row = await db
    .selectFrom('invitations as i')
    .innerJoin('members as m', (j) => j.onRef('m.program_id', '=', 'i.program_id').onRef('m.id', '=', 'i.member_id'))
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'm.program_id').onRef('a.id', '=', 'm.account_id'))
    .innerJoin('programs as p', 'p.id', 'i.program_id')
    .select(['i.program_id', 'i.expires_at', 'i.accepted_at', 'm.id as member_id', 'm.name', 'm.email', 'm.language', 'a.name as account_name', 'p.name as program_name', 'p.default_language'])
    .where('i.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'invitation', id: token.slice(0, 8) + '…' });
  return row;
}

export async function invitationLinkRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const tags = ['sign-in'];

  app.get(
    '/auth/invitations/:token',
    {
      schema: {
        operationId: 'getInvitationLink',
        tags,
        summary: 'What an invitation link is for',
        description:
          'Needs no key and no session: the token is the proof. Shows the invitation page whom it is for before they accept. A used link is 409 ' +
          '`invitation_used`, an expired one 410 `invitation_expired`, an unknown token 404.',
        params: tokenParams,
        response: {
          200: z.object({
            programName: z.string(),
            accountName: z.string(),
            name: z.string(),
            email: z.string().nullable(),
            language: z.enum(languages).describe("the member's language, else the program's"),
            expiresAt: z.date(),
          }),
        },
      },
      config: { errors: ['invitation_used', 'invitation_expired'] },
    },
    async (req) => {
      const inv = await invitationOfToken(db, req.params.token);
      if (inv.accepted_at) throw new LojalError('invitation_used');
      const expiresAt = new Date(inv.expires_at);
      if (expiresAt <= clock()) throw new LojalError('invitation_expired', { expiredAt: expiresAt.toISOString() });
      return {
        programName: inv.program_name,
        accountName: inv.account_name,
        name: inv.name,
        email: inv.email,
        language: (inv.language ?? inv.default_language) as (typeof languages)[number],
        expiresAt,
      };
    },
  );

  app.post(
    '/auth/invitations/:token/accept',
    {
      schema: {
        operationId: 'acceptInvitationLink',
        tags,
        summary: 'Accept an invitation link',
        description:
          'Needs no key and no session: the token is the proof, and works once (409 `invitation_used`) until it expires (410 `invitation_expired`). ' +
          'The member takes the name and language given and becomes active; the answer sets the `lojal_member` session cookie with the member ' +
          'chosen, so the next page is their portal.',
        params: tokenParams,
        body: z.object({ name: text(200).describe('the name the member goes by'), language: z.enum(languages).describe('the language of their portal and mails') }).strict(),
        response: { 200: acceptedOut },
      },
      config: { errors: ['invitation_used', 'invitation_expired'] },
    },
    async (req, reply) => {
      const inv = await invitationOfToken(db, req.params.token);
      const member = await acceptInvitation(db, inv.program_id, req.params.token, req.body, clock());
      const email = member.email ?? inv.email;
      // An invitation always names an e-mail; without one there is nobody to sign in, only a member to activate.
      if (!email) return { csrfToken: null, email: null, member: null, choices: [] };
      const { token, session } = await createSession(db, { kind: 'member', email: email.toLowerCase(), ip: req.ip, userAgent: req.headers['user-agent'] ?? null }, clock());
      await chooseSessionMember(db, session.id, inv.program_id, member.id);
      setSessionCookie(reply, 'member', token);
      return memberSessionBody(db, { ...session, programId: inv.program_id, memberId: member.id });
    },
  );
}
