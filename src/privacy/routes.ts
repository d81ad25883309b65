/**
 * Privacy over HTTP: consent texts and records (staff and the member themselves), a member's data export
 * (zip of JSON and CSV), erasure, and the program's retention setting.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getMember } from '../accounts/index.js';
import { audited } from '../audit/index.js';
import { LojalError } from '../errors/index.js';
import { actor, auditContext, caller, type AppContext } from '../http/context.js';
import { languages, type Language } from '../i18n/index.js';
import { me, memberActorRef, memberAudit } from '../portal/context.js';
import { actorRef } from '../programs/actor.js';
import { stringify } from 'csv-stringify/sync';
import {
  addConsentText,
  consentChannels,
  consentHistory,
  consentPurposes,
  consentSources,
  consentTextsSchema,
  currentConsents,
  currentConsentTexts,
  listConsentTexts,
  recordConsent,
  type ConsentRecord,
} from './consent.js';
import { eraseMember, findErasure, getRetentionMonths, requireNotErased, runRetention, setRetentionMonths } from './erasure.js';
import { collectMemberData, memberDataZip } from './export.js';

const tags = ['privacy'];
const idParams = z.object({ id: z.uuid() });

const purpose = z.enum(consentPurposes).describe('what the consent is for');
const channel = z.enum(consentChannels).describe('the channel it covers');
const recordOut = z
  .object({
    id: z.uuid(),
    memberId: z.uuid(),
    purpose,
    channel,
    granted: z.boolean().describe('true: given; false: withdrawn'),
    textVersion: z.number().int().nullable().describe('the version of the consent text agreed to; null for a withdrawal or consent given on paper'),
    source: z.enum(consentSources).describe('where it was recorded'),
    ip: z.string().nullable().describe('the address it came from (portal); blanked by erasure'),
    recordedBy: z.string().describe('who recorded it: `member:<id>`, `staff:<id>` or `api-key:<id>`'),
    recordedAt: z.date(),
  })
  .meta({ id: 'ConsentRecord', description: 'One consent given or withdrawn, kept as evidence: records are only ever appended.' });
const stateOut = z
  .object({
    purpose,
    channel,
    granted: z.boolean(),
    since: z.date().nullable().describe('when the deciding record was made; null: never asked'),
    textVersion: z.number().int().nullable(),
    recordId: z.uuid().nullable().describe('the record that decides it; null: no record (no consent)'),
  })
  .meta({ id: 'ConsentState', description: 'Whether a member consents to one purpose on one channel now, from the latest record.' });
const consentsOut = z.object({ current: z.array(stateOut).describe('one per purpose and channel'), history: z.array(recordOut).describe('every record, oldest first') });
const textOut = z
  .object({
    purpose,
    version: z.number().int().describe('1, 2, …: per purpose'),
    texts: z.partialRecord(z.enum(languages), z.string()).describe('the text in each language given'),
    createdBy: z.string(),
    createdAt: z.date(),
  })
  .meta({ id: 'ConsentText', description: 'One version of the text a member is shown when asked for a consent.' });
const erasureOut = z
  .object({
    memberId: z.uuid(),
    reason: z.enum(['request', 'retention']).describe('asked for (request) or the retention job'),
    requestedBy: z.string().describe('who asked: `staff:<id>`, `api-key:<id>`, or `system:retention`'),
    erasedAt: z.date(),
    counts: z
      .object({
        claims: z.number().int(),
        coopClaims: z.number().int(),
        orders: z.number().int(),
        evidenceFiles: z.number().int(),
        mails: z.number().int(),
        sessions: z.number().int(),
        consentRecords: z.number().int().describe('records whose IP address was blanked'),
        sms: z.number().int(),
        inbox: z.number().int(),
      })
      .describe('how many of each kind of row were blanked or removed'),
  })
  .meta({ id: 'Erasure', description: 'The record that a member’s personal data was erased: when, why, by whom and what was removed.' });
const consentBody = z
  .object({
    purpose: z.enum(consentPurposes).describe('What the consent is for'),
    channel: z.enum(consentChannels).describe('The channel it covers'),
    granted: z.boolean().describe('true to give consent, false to withdraw it'),
    textVersion: z.number().int().min(1).nullish().describe('the version of the consent text the person was shown'),
  })
  .strict();
const settingsOut = z.object({ retentionMonths: z.number().int().nullable().describe('months after closing; null: erase only on request') });

export function consentHistoryCsv(records: readonly ConsentRecord[]): string {
  return stringify(
    records.map((r) => [r.recordedAt.toISOString(), r.purpose, r.channel, r.granted ? 'granted' : 'withdrawn', r.textVersion ?? '', r.source, r.ip ?? '', r.recordedBy, r.id]),
    { header: true, columns: ['recorded_at', 'purpose', 'channel', 'decision', 'text_version', 'source', 'ip', 'recorded_by', 'record_id'] },
  );
}

function sendZip(reply: FastifyReply, memberId: string, zip: Buffer) {
  return reply
    .type('application/zip')
    .header('content-disposition', `attachment; filename="member-${memberId}.zip"`)
    .send(zip);
}

export async function privacyRoutes(fastify: FastifyInstance, { database, clock, evidence }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  /** The member in the caller's program (another program's id is a 404). */
  const memberIn = async (req: FastifyRequest, id: string) => getMember(db, caller(req).programId, id);

  app.get(
    '/v1/privacy/settings',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getPrivacySettings',
        tags,
        summary: 'Get the retention setting',
        description: 'Members closed longer than `retentionMonths` ago are erased by a daily job; null: never automatically.',
        response: { 200: settingsOut },
      },
    },
    async (req) => ({ retentionMonths: await getRetentionMonths(db, caller(req).programId) }),
  );

  app.put(
    '/v1/privacy/settings',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'updatePrivacySettings',
        tags,
        summary: 'Set how long closed members are kept before they are erased',
        description:
          'Months between 1 and 240, or null to erase only on request. Takes effect at the next run of the retention job (daily, or POST /v1/privacy/retention/run). ' +
          'Needs the admin scope; recorded in the audit log.',
        body: z.object({ retentionMonths: z.number().int().min(1).max(240).nullable().describe('Months after closing, 1–240; null: only on request') }).strict(),
        response: { 200: settingsOut },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      const before = await getRetentionMonths(db, programId);
      await audited(db, auditContext(req), async (trx) => {
        await setRetentionMonths(trx, programId, req.body.retentionMonths, clock());
        return { result: null, audit: { action: 'privacy_settings.update', entity: 'privacy_settings', entityId: null, before: { retentionMonths: before }, after: req.body } };
      });
      return { retentionMonths: req.body.retentionMonths };
    },
  );

  app.post(
    '/v1/privacy/retention/run',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'runRetention',
        tags,
        summary: 'Run the retention job for this program now',
        description:
          'Erases the members closed longer ago than the retention setting, as POST /v1/members/{id}/erase would (irreversible). Safe to repeat: ' +
          'an erased member is not erased twice. Needs the admin scope.',
        response: { 200: z.object({ erased: z.number().int().describe('members erased by this run') }) },
      },
    },
    async (req) => ({ erased: await runRetention(db, evidence, clock(), caller(req).programId) }),
  );

  app.get(
    '/v1/privacy/consent-texts',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listConsentTexts',
        tags,
        summary: 'List every version of every consent text',
        description: 'Newest version first per purpose. The newest is what the portal shows; records name the version they were given to.',
        response: { 200: z.object({ data: z.array(textOut) }) },
      },
    },
    async (req) => ({ data: (await listConsentTexts(db, caller(req).programId)).map((t) => ({ ...t, texts: t.texts as Record<string, string> })) }),
  );

  app.post(
    '/v1/privacy/consent-texts',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'createConsentText',
        tags,
        summary: 'Publish a new version of a consent text',
        description:
          'Gets the next version number of its purpose. Earlier versions are kept. Members who consented to an earlier version keep their consent; ' +
          'the portal shows the new text from now on. Needs the admin scope.',
        body: z
          .object({
            purpose: z.enum(consentPurposes).describe('What the text asks consent for'),
            texts: consentTextsSchema.describe('The text by language code (at least one), up to 4,000 characters each'),
          })
          .strict(),
        response: { 201: textOut },
      },
    },
    async (req, reply) => {
      const t = await addConsentText(db, caller(req).programId, req.body.purpose, req.body.texts as Partial<Record<Language, string>>, actorRef(actor(req)), clock());
      reply.status(201);
      return { ...t, texts: t.texts as Record<string, string> };
    },
  );

  app.get(
    '/v1/members/:id/consents',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getMemberConsents',
        tags,
        summary: "Get a member's consents and every record behind them",
        description: 'The state is derived from the records: the latest record per purpose and channel decides; no record means no consent.',
        params: idParams,
        response: { 200: consentsOut },
      },
    },
    async (req) => {
      const m = await memberIn(req, req.params.id);
      const history = await consentHistory(db, caller(req).programId, m.id);
      return { current: currentConsents(history), history };
    },
  );

  app.get(
    '/v1/members/:id/consents.csv',
    {
      config: { scope: 'read', produces: ['text/csv'] },
      schema: {
        operationId: 'exportMemberConsents',
        tags,
        summary: "Download a member's consent history as CSV",
        description: 'One row per consent given or withdrawn, oldest first: time, purpose, channel, decision, text version, source, IP, who recorded it.',
        params: idParams,
      },
    },
    async (req, reply) => {
      const m = await memberIn(req, req.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="consents-${m.id}.csv"`)
        .serializer((s: unknown) => s as string)
        .send(consentHistoryCsv(await consentHistory(db, caller(req).programId, m.id)) as never);
    },
  );

  app.post(
    '/v1/members/:id/consents',
    {
      config: { scope: 'accounts:write', errors: ['member_erased', 'consent_text_missing'] },
      schema: {
        operationId: 'recordMemberConsent',
        tags,
        summary: 'Record a consent given or withdrawn',
        description:
          'For consent given by phone, on paper or in another system. Appends a record; nothing is ever changed or removed. A yes may name any published ' +
          'text version, or none (422 `consent_text_missing` for a version not published). Recording the state the member is already in answers 200 with ' +
          'the existing record (idempotent). An erased member answers 410 `member_erased`.',
        params: idParams,
        body: consentBody
          .extend({ source: z.enum(['console', 'api', 'import']).optional().describe('Where the consent came from; default `console` for staff, else `api`') })
          .strict(),
        response: { 200: recordOut, 201: recordOut },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const m = await memberIn(req, req.params.id);
      await requireNotErased(db, programId, m.id);
      const source = req.body.source ?? (caller(req).staff ? 'console' : 'api');
      const { record, created } = await audited(db, auditContext(req), async (trx) => {
        const r = await recordConsent(trx, programId, m.id, { ...req.body, source, recordedBy: actorRef(actor(req)) }, clock());
        return { result: r, audit: r.created ? { action: 'consent.record', entity: 'member', entityId: m.id, after: r.record } : null };
      });
      reply.status(created ? 201 : 200);
      return record;
    },
  );

  app.get(
    '/v1/members/:id/export',
    {
      config: { scope: 'accounts:write', produces: ['application/zip'] },
      schema: {
        operationId: 'exportMemberData',
        tags,
        summary: 'Download everything the program holds about a member',
        description:
          'For a GDPR access request: a zip of member.json with every section, one CSV per section (profile, consents, events, ledger entries, orders, claims, ' +
          'requests, files, mails, audit entries) and a README. The export itself is recorded in the audit log.',
        params: idParams,
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const m = await memberIn(req, req.params.id);
      const data = await collectMemberData(db, programId, m.id, clock());
      await audited(db, auditContext(req), async () => ({ result: null, audit: { action: 'member.export', entity: 'member', entityId: m.id } }));
      return sendZip(reply, m.id, await memberDataZip(data));
    },
  );

  app.post(
    '/v1/members/:id/erase',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'eraseMember',
        tags,
        summary: "Erase a member's personal data",
        description:
          'GDPR erasure. Closes the member (their points follow the leaver policy, through a ledger journal), removes name, e-mail, phone, external id, tags, attributes, ' +
          'claim and order free texts, delivery addresses, evidence files, mails, text messages, inbox and sessions. Ledger entries, orders, claims and the account ' +
          'stay and still sum. Irreversible; needs the admin scope. A repeat answers 200 with the earlier erasure.',
        params: idParams,
        response: { 200: erasureOut, 201: erasureOut },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const m = await memberIn(req, req.params.id);
      const { erasure, created } = await eraseMember(db, evidence, programId, m.id, {
        reason: 'request',
        requestedBy: actorRef(actor(req)),
        audit: auditContext(req),
        now: clock(),
      });
      reply.status(created ? 201 : 200);
      return { ...erasure, counts: { ...erasure.counts } };
    },
  );

  app.get(
    '/v1/members/:id/erasure',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getMemberErasure',
        tags,
        summary: "Get a member's erasure",
        description: 'Whether and when a member was erased, why and by whom, with how much of each kind was removed. 404 when the member was not erased.',
        params: idParams,
        response: { 200: erasureOut },
      },
    },
    async (req) => {
      const m = await memberIn(req, req.params.id);
      const e = await findErasure(db, caller(req).programId, m.id);
      if (!e) throw new LojalError('not_found', { entity: 'erasure', id: m.id });
      return { ...e, counts: { ...e.counts } };
    },
  );

  // ---------------------------------------------------------------- the member themselves

  const portalConsentsOut = z.object({
    purposes: z.array(
      z.object({
        purpose,
        version: z.number().int().describe('send it back when giving consent: the version shown'),
        text: z.string().describe("in the member's language, else the program's first"),
        channels: z.array(z.object({ channel, granted: z.boolean(), since: z.date().nullable().describe('null: never answered') })).describe('what I have said per channel'),
      }),
    ),
    history: z.array(recordOut.omit({ ip: true, recordedBy: true })),
  });

  const portalConsents = async (programId: string, memberId: string, language: Language): Promise<z.infer<typeof portalConsentsOut>> => {
    const texts = await currentConsentTexts(db, programId);
    const history = await consentHistory(db, programId, memberId);
    const state = currentConsents(history);
    return {
      purposes: consentPurposes
        .filter((p) => texts.has(p))
        .map((purpose) => {
          const t = texts.get(purpose)!;
          const text = t.texts[language] ?? languages.map((l) => t.texts[l]).find((x) => x !== undefined) ?? '';
          return {
            purpose,
            version: t.version,
            text,
            channels: state.filter((s) => s.purpose === purpose).map((s) => ({ channel: s.channel, granted: s.granted, since: s.since })),
          };
        }),
      history: history.map(({ ip: _ip, recordedBy: _by, ...r }) => r),
    };
  };

  app.get(
    '/portal/v1/consents',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetConsents',
        tags: ['portal'],
        summary: 'What the program asks my consent for, and what I have said',
        description:
          'For the signed-in member: each purpose with a published text, in the member’s language, with the answer per channel. The history lists every consent given and withdrawn.',
        response: { 200: portalConsentsOut },
      },
    },
    async (req) => {
      const m = me(req);
      return portalConsents(m.programId, m.memberId, m.language);
    },
  );

  app.put(
    '/portal/v1/consents',
    {
      config: { member: true, errors: ['consent_text_missing', 'consent_text_outdated'] },
      schema: {
        operationId: 'portalSetConsent',
        tags: ['portal'],
        summary: 'Give or withdraw a consent for one purpose and channel',
        description:
          'A yes must send the `textVersion` shown (409 `consent_text_outdated` when it has changed since; 422 `consent_text_missing` when no text is published). ' +
          'Recorded with the time and IP address; repeating the current answer records nothing. Answers the consents as GET does.',
        body: consentBody,
        response: { 200: portalConsentsOut },
      },
    },
    async (req) => {
      const m = me(req);
      await audited(db, memberAudit(req), async (trx) => {
        const r = await recordConsent(trx, m.programId, m.memberId, { ...req.body, source: 'portal', ip: req.ip, recordedBy: memberActorRef(req) }, clock());
        return { result: r, audit: r.created ? { action: 'consent.record', entity: 'member', entityId: m.memberId, after: { ...r.record, ip: null } } : null };
      });
      return portalConsents(m.programId, m.memberId, m.language);
    },
  );

  app.get(
    '/portal/v1/export',
    {
      config: { member: true, produces: ['application/zip'] },
      schema: {
        operationId: 'portalExportData',
        tags: ['portal'],
        summary: 'Download everything the program holds about me',
        description: 'A zip of JSON and CSV files: the same export staff make on a GDPR access request, for the signed-in member. Recorded in the audit log.',
      },
    },
    async (req, reply) => {
      const m = me(req);
      const data = await collectMemberData(db, m.programId, m.memberId, clock());
      await audited(db, memberAudit(req), async () => ({ result: null, audit: { action: 'member.export', entity: 'member', entityId: m.memberId } }));
      return sendZip(reply, m.memberId, await memberDataZip(data));
    },
  );
}
