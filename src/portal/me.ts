/** The member's profile, language and communication preferences, and their onboarding checklist. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getAccount } from '../accounts/accounts.js';
import { isManagerOf } from '../accounts/managers.js';
import { getMember, updateMember } from '../accounts/members.js';
import type { Member } from '../accounts/member-schema.js';
import { audited } from '../audit/index.js';
import type { Db } from '../db/database.js';
import type { AppContext } from '../http/context.js';
import { languages } from '../i18n/index.js';
import { getChecklist } from '../onboarding/store.js';
import { memberOnboarding } from '../onboarding/member.js';
import { changePreferences, readPreferences, preferencesSchema } from '../people/preferences.js';
import { signInLimits } from '../sessions/limits.js';
import type { Program } from '../programs/programs.js';
import type { MemberContext } from '../sessions/http.js';
import { me, memberAudit, programOf } from './context.js';

const tags = ['portal'];

const meOut = z.object({
  id: z.uuid().describe("the member's id"),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  role: z.string().nullable().describe('their role in the company (e.g. owner, purchaser)'),
  language: z.enum(languages).describe("the language the portal answers in (the member's, else the program's)"),
  programId: z.uuid(),
  programName: z.string(),
  currency: z.string().describe("the program's currency, ISO 4217 (e.g. SEK)"),
  accountId: z.uuid().describe('their company'),
  accountName: z.string(),
  isManager: z.boolean().describe('manages their company: sees its points and team, approves its claims'),
  preferences: preferencesSchema.describe('which messages the member wants on which channel'),
  password: z
    .object({ allowed: z.boolean().describe('the program lets members sign in with a password'), isSet: z.boolean(), minLength: z.number().int() })
    .describe('set one with POST /auth/member/password'),
}).meta({ id: 'PortalProfile', description: "The signed-in member as the portal shows them: profile, program, company, whether they manage it, preferences and password state." });

async function hasPassword(db: Db, programId: string, memberId: string): Promise<boolean> {
  const row = await db.selectFrom('members').select('password_hash').where('program_id', '=', programId).where('id', '=', memberId).executeTakeFirst();
  return Boolean(row?.password_hash);
}

async function profile(db: Db, program: Program, m: MemberContext, member: Member): Promise<z.infer<typeof meOut>> {
  const account = await getAccount(db, program.id, member.accountId);
  return {
    id: member.id,
    name: member.name,
    email: member.email,
    phone: member.phone,
    role: member.role,
    language: member.language ?? program.defaultLanguage,
    programId: program.id,
    programName: program.name,
    currency: program.currency,
    accountId: account.id,
    accountName: account.name,
    isManager: await isManagerOf(db, program.id, member.id, member.accountId),
    preferences: await readPreferences(db, program.id, member.id),
    password: { allowed: program.memberPasswords, isSet: await hasPassword(db, program.id, member.id), minLength: signInLimits.passwordMinLength },
  };
}

const onboardingOut = z.object({
  done: z.number().int().describe('steps done'),
  total: z.number().int().describe('steps in all'),
  pointsEarned: z.number().int().describe('points the steps done paid'),
  pointsToEarn: z.number().int().describe('points the open steps still pay'),
  steps: z.array(
    z.object({
      code: z.string(),
      name: z.string().describe("in the member's language"),
      points: z.number().int(),
      done: z.boolean(),
      completedAt: z.date().nullable(),
    }),
  ),
});

export async function portalMeRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/portal/v1/me',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetMe',
        tags,
        summary: 'The signed-in member',
        description: 'Profile, company, whether they manage it, preferences and password state. What the portal shows first: who is signed in, in which program and company, and the language every portal text comes in. Changes nothing.',
        response: { 200: meOut },
      },
    },
    async (req) => {
      const program = await programOf(db, req);
      return profile(db, program, me(req), await getMember(db, program.id, me(req).memberId));
    },
  );

  app.patch(
    '/portal/v1/me',
    {
      config: { member: true },
      schema: {
        operationId: 'portalUpdateMe',
        tags,
        summary: 'Change my language, phone or preferences',
        description:
          'Only the fields sent change; preferences are merged key by key. The name, e-mail and company are the program\'s to change (via /v1/members). ' +
          'Recorded in the audit log as the member\'s own change.',
        body: z
          .object({
            language: z.enum(languages).optional().describe('the language of the portal and of mails to the member'),
            phone: z.string().max(40).nullable().optional().describe('international format, e.g. +46 70 123 45 67; null removes it'),
            preferences: preferencesSchema.partial().strict().optional().describe('only the preferences to change'),
          })
          .strict(),
        response: { 200: meOut },
      },
    },
    async (req) => {
      const program = await programOf(db, req);
      const m = me(req);
      const { language, phone, preferences } = req.body;
      const after = await audited(db, memberAudit(req), async (trx) => {
        const before = await getMember(trx, program.id, m.memberId);
        const preferencesBefore = await readPreferences(trx, program.id, m.memberId);
        // The member module checks the phone number as it does for the API.
        const updated = await updateMember(trx, program.id, m.memberId, {
          ...(language !== undefined && { language }),
          ...(phone !== undefined && { phone }),
        }, req.clock());
        const preferencesAfter = preferences ? await changePreferences(trx, program.id, m.memberId, preferences) : preferencesBefore;
        return {
          result: updated,
          audit: { action: 'member.update', entity: 'member', entityId: updated.id, before: { ...before, mailPreferences: preferencesBefore }, after: { ...updated, mailPreferences: preferencesAfter } },
        };
      });
      return profile(db, program, m, after);
    },
  );

  app.get(
    '/portal/v1/onboarding',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetOnboarding',
        tags,
        summary: 'My getting-started checklist',
        description: 'The program\'s onboarding steps in its order, each done (when) or not; a done step paid its points once. Empty when the program has no checklist.',
        response: { 200: onboardingOut },
      },
    },
    async (req) => {
      const m = me(req);
      if ((await getChecklist(db, m.programId)).length === 0) return { done: 0, total: 0, pointsEarned: 0, pointsToEarn: 0, steps: [] };
      return memberOnboarding(db, m.programId, m.memberId, m.language);
    },
  );
}
