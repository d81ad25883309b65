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
import { sendNoContent } from '../http/no-content.js';
import { clearSessionCookie, setSessionCookie } from './http.js';
import { chooseMember, memberBody, memberSessionBody, startMemberSession } from './member-choices.js';
import { memberPasswordMatches, setMemberPassword, startMemberSignIn, verifyMemberCode } from './member-sign-in.js';
import { confirmStaffPasswordReset, requestStaffPasswordReset } from './staff-password-links.js';
import { changeStaffPassword, signInStaff, staffSessionBody, switchStaffProgram, type RequestMeta } from './staff-sign-in.js';
import { csrfTokenFor, revokeSession } from './store.js';
import { signInLimits } from './limits.js';

const tags = ['sign-in'];
/** Routes about a session that already exists (the console's own, and a member's password and sign-out). */
const sessionTags = ['sessions'];
const portalTags = ['portal'];
const noContent = z.null().describe('no body');
const email = z.email().max(254);
// Long enough for a passphrase, short enough that hashing it is no denial of service.
const password = z.string().min(1).max(200);

const staffSessionOut = z
  .object({
    staff: z.object({ id: z.uuid(), name: z.string(), email: z.string(), role: z.string().describe('owner, admin, manager or viewer') }),
    program: z.object({ id: z.uuid(), name: z.string(), defaultLanguage: z.string(), currency: z.string().describe('ISO 4217, e.g. SEK') }),
    programs: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.string() })).describe('the programs this person can switch to, the current one included'),
    instanceAdmin: z.boolean().describe('may create programs (POST /v1/programs)'),
    csrfToken: z.string().describe('send it as the `x-csrf-token` header on every write made with this session'),
  })
  .meta({ id: 'StaffSession', description: 'A signed-in console session: the person, the program it works in, the programs it may switch to, and its anti-forgery token.' });
const memberOut = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    role: z.string().nullable().describe("the member's role in their company (e.g. owner, purchaser); owners and managers manage it"),
    language: z.string(),
    programId: z.uuid(),
    programName: z.string(),
    accountId: z.uuid(),
    accountName: z.string(),
    isManager: z.boolean().describe('manages their company: sees and acts for its team in the portal'),
  })
  // Not a named schema of its own: a named schema inside another (MemberSession) is a $ref the document's
  // example validators resolve against the wrong base ($id), so it stays inline.
  .describe('The member a portal session acts for: who they are, their program and their company.');
const memberChoice = z.object({
  programId: z.uuid(),
  programName: z.string(),
  memberId: z.uuid(),
  memberName: z.string(),
  accountId: z.uuid(),
  accountName: z.string(),
  role: z.string().nullable(),
});
export const memberSessionOut = z
  .object({
    csrfToken: z.string().describe('send it as the `x-csrf-token` header on every write made with this session'),
    email: z.string().describe('the address the session was proven for'),
    member: memberOut.nullable().describe('the member chosen; null until one is chosen with POST /auth/member/choose'),
    choices: z.array(memberChoice).describe('every member (program and company) this address may act as'),
  })
  .meta({ id: 'MemberSession', description: 'A portal session: the proven e-mail address, the member it acts for (once chosen) and the members it may choose from.' });
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
        operationId: 'signInStaff',
        tags,
        summary: 'Sign in to the console with e-mail and password',
        description:
          'Sets the `lojal_staff` session cookie (HttpOnly) that authenticates the console, and answers with the anti-forgery token to send as ' +
          '`x-csrf-token` on writes. A person with the same address and password in several programs names one with `programId`, else 409 ' +
          '`choose_program` lists them. Failed attempts are counted per person: past the limit the sign-in is locked for a while (423 `account_locked`).',
        body: z
          .object({
            email: email.describe('the staff user\'s e-mail address'),
            password,
            programId: z.uuid().optional().describe('the program to sign in to, when the person works in several'),
          })
          .strict(),
        response: { 200: staffSessionOut },
      },
      config: { errors: ['invalid_credentials', 'account_locked', 'choose_program'] },
    },
    async (req, reply) => {
      const { token, body } = await signInStaff(db, req.body, metaOf(req), clock());
      setSessionCookie(reply, 'staff', token);
      return body;
    },
  );

  app.get(
    '/auth/staff/session',
    {
      config: { staffSession: true },
      schema: {
        operationId: 'getStaffSession',
        tags: sessionTags,
        summary: 'The signed-in console session',
        description: 'Who is signed in to the console, with a fresh anti-forgery token. Reads the `lojal_staff` cookie; changes nothing. A console loads this first to learn who is signed in and which programs they may switch to.',
        response: { 200: staffSessionOut },
      },
    },
    async (req) => staffSessionBody(db, req.session!),
  );

  app.post(
    '/auth/staff/switch',
    {
      schema: {
        operationId: 'switchStaffProgram',
        tags: sessionTags,
        summary: 'Switch the console to another program of the same person',
        description:
          'The person must be an active staff user there with the same e-mail and password (as when an instance ' +
          'administrator created that program). The session is replaced: the old one ends, a new `lojal_staff` cookie and anti-forgery token ' +
          'come back, and the sign-in is recorded in the target program\'s audit log. A program the person has no account in is 404 `not_found`.',
        body: z.object({ programId: z.uuid().describe('the program to switch to (one of `programs` in the session)') }).strict(),
        response: { 200: staffSessionOut },
      },
      config: { staffSession: true, errors: ['not_found'] },
    },
    async (req, reply) => {
      const { token, body } = await switchStaffProgram(db, req.session!, req.body.programId, metaOf(req), clock());
      setSessionCookie(reply, 'staff', token);
      return body;
    },
  );

  app.post(
    '/auth/staff/sign-out',
    {
      config: { staffSession: true },
      schema: {
        operationId: 'signOutStaff',
        tags: sessionTags,
        summary: 'Sign out of the console',
        description: 'Ends this session and clears the `lojal_staff` cookie; the person\'s other sessions stay signed in.',
        response: { 204: noContent },
      },
    },
    async (req, reply) => {
      await revokeSession(db, req.session!.id, clock());
      clearSessionCookie(reply, 'staff');
      return sendNoContent(reply);
    },
  );

  app.post(
    '/auth/staff/password',
    {
      schema: {
        operationId: 'changeStaffPassword',
        tags: sessionTags,
        summary: 'Change your own console password',
        description:
          'Proves the current password (401 `invalid_credentials` otherwise) and stores the new one if it meets the policy (422 `password_too_weak`). ' +
          'This session stays signed in; every other session of the person ends and open password-reset links die. Recorded in the audit log.',
        body: z.object({ currentPassword: password.describe('the password signed in with'), newPassword: password.describe(`at least ${signInLimits.passwordMinLength} characters, not the e-mail address`) }).strict(),
        response: { 204: noContent },
      },
      config: { staffSession: true, errors: ['invalid_credentials', 'password_too_weak'] },
    },
    async (req, reply) => {
      await changeStaffPassword(db, req.session!, req.body, req.ip, clock());
      return sendNoContent(reply);
    },
  );

  app.post(
    '/auth/staff/password-reset',
    {
      schema: {
        operationId: 'requestStaffPasswordReset',
        tags,
        summary: 'Mail a link to set a new console password',
        description:
          'Mails a reset link to every active staff user with the address (in `programId` only, when given). Always answers 202, whether the ' +
          'address is known or not, so it reveals nobody; past the hourly limit per person no further mail goes out. Needs no session.',
        body: z.object({ email: email.describe('the staff user\'s e-mail address'), programId: z.uuid().optional().describe('only the account in this program') }).strict(),
        response: { 202: accepted },
      },
    },
    async (req, reply) => {
      await requestStaffPasswordReset(db, req.body, config.publicUrl, clock());
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/staff/password-reset/confirm',
    {
      schema: {
        operationId: 'confirmStaffPasswordReset',
        tags,
        summary: 'Set a new console password with the token of a mailed link',
        description:
          'A link works once (409 `reset_link_used`) and only until it expires (410 `reset_link_expired`). Every session of the person ends, so ' +
          'they sign in afresh with the new password; sets no cookie.',
        body: z.object({ token: z.string().min(10).max(200).describe('the token from the mailed link'), password: password.describe(`the new password: at least ${signInLimits.passwordMinLength} characters, not the e-mail address`) }).strict(),
        response: { 204: noContent },
      },
      config: { errors: ['reset_link_expired', 'reset_link_used', 'password_too_weak'] },
    },
    async (req, reply) => {
      await confirmStaffPasswordReset(db, req.body, req.ip, clock());
      return sendNoContent(reply);
    },
  );

  // ---------------------------------------------------------------- members
  app.post(
    '/auth/member/start',
    {
      schema: {
        operationId: 'startMemberSignIn',
        tags,
        summary: 'Mail a member a one-time sign-in code and link',
        description:
          'The first step of signing in to the portal without a password: a six-digit code and a link go to the address if it belongs to a ' +
          'member who may sign in. Answers 202 whether the address is known or not; past the hourly limit of codes per address 429 ' +
          '`too_many_attempts`. Needs no session and sets no cookie; POST /auth/member/verify does.',
        body: z.object({ email: email.describe("the member's e-mail address"), language: z.enum(languages).optional().describe("the mail's language when the member has none") }).strict(),
        response: { 202: accepted },
      },
      config: { errors: ['too_many_attempts'] },
    },
    async (req, reply) => {
      const sent = await startMemberSignIn(db, req.body, config.publicUrl, clock());
      // The demo without a mail server: whoever tries it reads the code here instead of in a mailbox.
      if (sent && demo && !config.smtpUrl) req.log.info({ email: req.body.email, code: sent.code, link: sent.link }, 'demo: member sign-in code');
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/member/verify',
    {
      schema: {
        operationId: 'verifyMemberSignIn',
        tags,
        summary: 'Sign in to the portal with the mailed code or the link token',
        description:
          'Sets the `lojal_member` session cookie (HttpOnly) that authenticates the portal, and answers with the session and its anti-forgery ' +
          'token. A code works once and expires (410 `sign_in_code_expired`); wrong guesses are counted (401 `invalid_sign_in_code`, then 429 ' +
          '`too_many_attempts`). With one member for the address it is chosen at once; with several, choose one with POST /auth/member/choose.',
        body: z.union([
          z.object({ email: email.describe('the address the code was mailed to'), code: z.string().trim().regex(/^\d{6}$/).describe('the six digits from the mail') }).strict(),
          z.object({ token: z.string().min(10).max(200).describe("the token of the mail's sign-in link") }).strict(),
        ]),
        response: { 200: memberSessionOut },
      },
      config: { errors: ['invalid_sign_in_code', 'sign_in_code_expired', 'too_many_attempts', 'member_pending_approval'] },
    },
    async (req, reply) => {
      const proven = await verifyMemberCode(db, req.body, clock());
      const { token, body } = await startMemberSession(db, proven, null, metaOf(req), clock());
      setSessionCookie(reply, 'member', token);
      return body;
    },
  );

  app.post(
    '/auth/member/password-sign-in',
    {
      schema: {
        operationId: 'signInMemberWithPassword',
        tags,
        summary: 'Sign in to the portal with e-mail and password',
        description:
          'Only for active members of programs that allow member passwords, who have set one. Sets the `lojal_member` session cookie (HttpOnly) ' +
          'and answers with the session and its anti-forgery token. Failed attempts are counted per address: past the limit 423 `account_locked` for a while.',
        body: z.object({ email: email.describe("the member's e-mail address"), password }).strict(),
        response: { 200: memberSessionOut },
      },
      config: { errors: ['invalid_credentials', 'account_locked', 'member_pending_approval', 'invalid_sign_in_code'] },
    },
    async (req, reply) => {
      const memberIds = await memberPasswordMatches(db, req.body, clock());
      const { token, body } = await startMemberSession(db, req.body.email, memberIds, metaOf(req), clock());
      setSessionCookie(reply, 'member', token);
      return body;
    },
  );

  app.get(
    '/auth/member/session',
    {
      config: { member: 'any' },
      schema: {
        operationId: 'getMemberSession',
        tags,
        summary: 'The portal session',
        description: 'The proven e-mail, the chosen member and the members it may choose from. Reads the `lojal_member` cookie, with or without a chosen member; changes nothing. A portal loads this first to learn whether to show the member chooser.',
        response: { 200: memberSessionOut },
      },
    },
    async (req) => memberSessionBody(db, req.session!),
  );

  app.post(
    '/auth/member/choose',
    {
      schema: {
        operationId: 'chooseMember',
        tags,
        summary: 'Choose the member the portal session acts as',
        description:
          'One of the session\'s `choices`; any other member is 404 `not_found`, one awaiting approval 403 `member_pending_approval`. Every /portal ' +
          'route acts for the chosen member from then on (409 `member_not_chosen` before). An invited member becomes active by being chosen.',
        body: z.object({ memberId: z.uuid().describe('the `memberId` of one of the session\'s choices') }).strict(),
        response: { 200: z.object({ member: memberOut, csrfToken: z.string().describe('the anti-forgery token, unchanged') }) },
      },
      config: { member: 'any', errors: ['not_found', 'member_pending_approval'] },
    },
    async (req) => {
      const session = await chooseMember(db, req.session!, req.body.memberId, clock());
      return { member: await memberBody(db, session.programId!, session.memberId!), csrfToken: csrfTokenFor(session) };
    },
  );

  app.post(
    '/auth/member/password',
    {
      schema: {
        operationId: 'setMemberPassword',
        tags: portalTags,
        summary: 'Set a password for signing in to the portal',
        description:
          'Only where the program allows member passwords (403 `member_passwords_disabled`); the password must meet the policy (422 ' +
          '`password_too_weak`). This session stays signed in; the member\'s other sessions end.',
        body: z.object({ newPassword: password.describe(`at least ${signInLimits.passwordMinLength} characters, not the e-mail address`) }).strict(),
        response: { 204: noContent },
      },
      config: { member: true, errors: ['member_passwords_disabled', 'password_too_weak'] },
    },
    async (req, reply) => {
      const m = req.member!;
      await setMemberPassword(db, { programId: m.programId, memberId: m.memberId, email: m.email, sessionId: m.sessionId }, req.body.newPassword, clock());
      return sendNoContent(reply);
    },
  );

  app.post(
    '/auth/member/sign-out',
    {
      config: { member: 'any' },
      schema: {
        operationId: 'signOutMember',
        tags: portalTags,
        summary: 'Sign out of the portal',
        description: 'Ends this session and clears the `lojal_member` cookie; the member\'s other sessions stay signed in.',
        response: { 204: noContent },
      },
    },
    async (req, reply) => {
      await revokeSession(db, req.session!.id, clock());
      clearSessionCookie(reply, 'member');
      return sendNoContent(reply);
    },
  );
}
