/**
 * /auth: signing in and out of the console (staff) and the portal (members). The sign-in endpoints take
 * JSON only, which a cross-site HTML form cannot send, so they need no anti-forgery token; everything done
 * with a session afterwards does (see sessions/http.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { languages } from '../i18n/index.js';
import type { AppContext } from '../http/context.js';
import { clearSessionCookie, setSessionCookie } from './http.js';
import { chooseMember, memberBody, memberSessionBody, startMemberSession } from './member-choices.js';
import { memberPasswordMatches, setMemberPassword, startMemberSignIn, verifyMemberCode } from './member-sign-in.js';
import { confirmStaffPasswordReset, requestStaffPasswordReset } from './staff-password-links.js';
import { changeStaffPassword, signInStaff, staffSessionBody, switchStaffProgram, type RequestMeta } from './staff-sign-in.js';
import { csrfTokenFor, revokeSession } from './store.js';

const tags = ['sign-in'];
const email = z.email().max(254);
// Long enough for a passphrase, short enough that hashing it is no denial of service.
const password = z.string().min(1).max(200);

const staffSessionOut = z.object({
  staff: z.object({ id: z.uuid(), name: z.string(), email: z.string(), role: z.string() }),
  program: z.object({ id: z.uuid(), name: z.string(), defaultLanguage: z.string(), currency: z.string() }),
  programs: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.string() })).describe('the programs this person can switch to, the current one included'),
  instanceAdmin: z.boolean().describe('may create programs (POST /v1/programs)'),
  csrfToken: z.string(),
});
const memberOut = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: z.string().nullable(),
  language: z.string(),
  programId: z.uuid(),
  programName: z.string(),
  accountId: z.uuid(),
  accountName: z.string(),
  isManager: z.boolean(),
});
const memberSessionOut = z.object({
  csrfToken: z.string(),
  email: z.string(),
  member: memberOut.nullable(),
  choices: z.array(
    z.object({
      programId: z.uuid(),
      programName: z.string(),
      memberId: z.uuid(),
      memberName: z.string(),
      accountId: z.uuid(),
      accountName: z.string(),
      role: z.string().nullable(),
    }),
  ),
});
const accepted = z.object({ status: z.literal('accepted') });

const metaOf = (req: FastifyRequest): RequestMeta => ({ ip: req.ip, userAgent: req.headers['user-agent'] ?? null });

export async function authRoutes(fastify: FastifyInstance, { database, config, demo, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  // ---------------------------------------------------------------- staff
  app.post(
    '/auth/staff/sign-in',
    {
      schema: {
        tags,
        summary: 'Sign in to the console with e-mail and password (sets the lojal_staff cookie)',
        body: z.object({ email, password, programId: z.uuid().optional() }).strict(),
        response: { 200: staffSessionOut },
      },
    },
    async (req, reply) => {
      const { token, body } = await signInStaff(db, req.body, metaOf(req), clock());
      setSessionCookie(reply, 'staff', token);
      return body;
    },
  );

  app.get(
    '/auth/staff/session',
    { config: { staffSession: true }, schema: { tags, summary: 'Who is signed in to the console, with a fresh anti-forgery token', response: { 200: staffSessionOut } } },
    async (req) => staffSessionBody(db, req.session!),
  );

  app.post(
    '/auth/staff/switch',
    {
      config: { staffSession: true },
      schema: {
        operationId: 'switchStaffProgram',
        tags,
        summary: 'Switch the console to another program of the same person',
        description:
          'The person must be an active staff user there with the same e-mail and password (as when an instance ' +
          'administrator created that program). The session is replaced: a new cookie and anti-forgery token.',
        body: z.object({ programId: z.uuid() }).strict(),
        response: { 200: staffSessionOut },
      },
    },
    async (req, reply) => {
      const { token, body } = await switchStaffProgram(db, req.session!, req.body.programId, metaOf(req), clock());
      setSessionCookie(reply, 'staff', token);
      return body;
    },
  );

  app.post(
    '/auth/staff/sign-out',
    { config: { staffSession: true }, schema: { tags, summary: 'Sign out of the console' } },
    async (req, reply) => {
      await revokeSession(db, req.session!.id);
      clearSessionCookie(reply, 'staff');
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/staff/password',
    {
      config: { staffSession: true },
      schema: { tags, summary: 'Change your password (your other sessions end)', body: z.object({ currentPassword: password, newPassword: password }).strict() },
    },
    async (req, reply) => {
      await changeStaffPassword(db, req.session!, req.body, req.ip);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/staff/password-reset',
    {
      schema: {
        tags,
        summary: 'Mail a link to set a new password (always answers 202, whether the address is known or not)',
        body: z.object({ email, programId: z.uuid().optional() }).strict(),
        response: { 202: accepted },
      },
    },
    async (req, reply) => {
      await requestStaffPasswordReset(db, req.body, config.publicUrl);
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/staff/password-reset/confirm',
    {
      schema: { tags, summary: 'Set a new password with the token of a mailed link', body: z.object({ token: z.string().min(10).max(200), password }).strict() },
    },
    async (req, reply) => {
      await confirmStaffPasswordReset(db, req.body, req.ip);
      return reply.status(204).send();
    },
  );

  // ---------------------------------------------------------------- members
  app.post(
    '/auth/member/start',
    {
      schema: {
        tags,
        summary: 'Mail a one-time sign-in code and link (202 whether the address is known or not; 429 past the hourly limit)',
        body: z.object({ email, language: z.enum(languages).optional() }).strict(),
        response: { 202: accepted },
      },
    },
    async (req, reply) => {
      const sent = await startMemberSignIn(db, req.body, config.publicUrl);
      // The demo without a mail server: whoever tries it reads the code here instead of in a mailbox.
      if (sent && demo && !config.smtpUrl) req.log.info({ email: req.body.email, code: sent.code, link: sent.link }, 'demo: member sign-in code');
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/member/verify',
    {
      schema: {
        tags,
        summary: 'Sign in to the portal with the mailed code (or the link token); sets the lojal_member cookie',
        body: z.union([z.object({ email, code: z.string().trim().regex(/^\d{6}$/) }).strict(), z.object({ token: z.string().min(10).max(200) }).strict()]),
        response: { 200: memberSessionOut },
      },
    },
    async (req, reply) => {
      const proven = await verifyMemberCode(db, req.body);
      const { token, body } = await startMemberSession(db, proven, null, metaOf(req));
      setSessionCookie(reply, 'member', token);
      return body;
    },
  );

  app.post(
    '/auth/member/password-sign-in',
    {
      schema: {
        tags,
        summary: 'Sign in to the portal with a password (only members of programs that allow member passwords)',
        body: z.object({ email, password }).strict(),
        response: { 200: memberSessionOut },
      },
    },
    async (req, reply) => {
      const memberIds = await memberPasswordMatches(db, req.body, clock());
      const { token, body } = await startMemberSession(db, req.body.email, memberIds, metaOf(req));
      setSessionCookie(reply, 'member', token);
      return body;
    },
  );

  app.get(
    '/auth/member/session',
    { config: { member: 'any' }, schema: { tags, summary: 'The portal session: the e-mail, the chosen member and the choices', response: { 200: memberSessionOut } } },
    async (req) => memberSessionBody(db, req.session!),
  );

  app.post(
    '/auth/member/choose',
    {
      config: { member: 'any' },
      schema: {
        tags,
        summary: 'Choose the member (program and account) to act as',
        body: z.object({ memberId: z.uuid() }).strict(),
        response: { 200: z.object({ member: memberOut, csrfToken: z.string() }) },
      },
    },
    async (req) => {
      const session = await chooseMember(db, req.session!, req.body.memberId);
      return { member: await memberBody(db, session.programId!, session.memberId!), csrfToken: csrfTokenFor(session) };
    },
  );

  app.post(
    '/auth/member/password',
    {
      config: { member: true },
      schema: { tags, summary: 'Set a password for signing in (where the program allows member passwords)', body: z.object({ newPassword: password }).strict() },
    },
    async (req, reply) => {
      const m = req.member!;
      await setMemberPassword(db, { programId: m.programId, memberId: m.memberId, email: m.email, sessionId: m.sessionId }, req.body.newPassword);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/member/sign-out',
    { config: { member: 'any' }, schema: { tags, summary: 'Sign out of the portal' } },
    async (req, reply) => {
      await revokeSession(db, req.session!.id);
      clearSessionCookie(reply, 'member');
      return reply.status(204).send();
    },
  );
}
