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

const recordOut = z.object({
  id: z.uuid(),
  memberId: z.uuid(),
  purpose: z.enum(consentPurposes),
  channel: z.enum(consentChannels),
  granted: z.boolean(),
  textVersion: z.number().int().nullable(),
  source: z.string(),
  ip: z.string().nullable(),
  recordedBy: z.string(),
  recordedAt: z.date(),
});
const stateOut = z.object({
  purpose: z.enum(consentPurposes),
  channel: z.enum(consentChannels),
  granted: z.boolean(),
  since: z.date().nullable(),
  textVersion: z.number().int().nullable(),
  recordId: z.uuid().nullable(),
});
const consentsOut = z.object({ current: z.array(stateOut), history: z.array(recordOut) });
const textOut = z.object({
  purpose: z.enum(consentPurposes),
  version: z.number().int(),
  texts: z.record(z.string(), z.string()),
  createdBy: z.string(),
  createdAt: z.date(),
});
const erasureOut = z.object({
  memberId: z.uuid(),
  reason: z.enum(['request', 'retention']),
  requestedBy: z.string(),
  erasedAt: z.date(),
  counts: z.record(z.string(), z.number().int()),
});
const consentBody = z
  .object({
    purpose: z.enum(consentPurposes),
    channel: z.enum(consentChannels),
    granted: z.boolean(),
    textVersion: z.number().int().min(1).nullish().describe('the version of the consent text the person was shown'),
  })
  .strict();

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
        summary: 'The retention setting',
        description: 'Members closed longer than `retentionMonths` ago are erased by a daily job; null: never automatically.',
        response: { 200: z.object({ retentionMonths: z.number().int().nullable() }) },
      },
    },
    async (req) => ({ retentionMonths: await getRetentionMonths(db, caller(req).programId) }),
  );

  app.put(
    '/v1/privacy/settings',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'putPrivacySettings',
        tags,
        summary: 'Set how long closed members are kept before they are erased',
        description: 'Months between 1 and 240, or null to erase only on request. Takes effect at the next run of the retention job.',
        body: z.object({ retentionMonths: z.number().int().min(1).max(240).nullable() }).strict(),
        response: { 200: z.object({ retentionMonths: z.number().int().nullable() }) },
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
        description: 'Erases the members closed longer ago than the retention setting. Safe to repeat: an erased member is not erased twice.',
        response: { 200: z.object({ erased: z.number().int() }) },
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
        summary: 'Every version of every consent text',
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
        description: 'Earlier versions are kept. Members who consented to an earlier version keep their consent; the portal shows the new text from now on.',
        body: z.object({ purpose: z.enum(consentPurposes), texts: consentTextsSchema }).strict(),
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
        summary: "A member's consents: the state now and every record behind it",
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
      config: { scope: 'read' },
      schema: {
        operationId: 'exportMemberConsents',
        tags,
        summary: "A member's consent history as CSV",
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
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'recordMemberConsent',
        tags,
        summary: 'Record a consent given or withdrawn (by phone, on paper, from another system)',
        description:
          'Appends a record; nothing is ever changed or removed. `source` says where it came from (console, api, import). ' +
          'Recording the state the member is already in answers 200 with the existing record.',
        params: idParams,
        body: consentBody.extend({ source: z.enum(['console', 'api', 'import']).optional() }).strict(),
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
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'exportMemberData',
        tags,
        summary: 'Everything the program holds about a member, as a zip (GDPR access request)',
        description:
          'member.json with every section, one CSV per section (profile, consents, events, ledger entries, orders, claims, requests, files, mails, audit entries) and a README. ' +
          'The export itself is recorded in the audit log.',
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
        summary: "Erase a member's personal data (GDPR erasure)",
        description:
          'Closes the member (their points follow the leaver policy), removes name, e-mail, phone, external id, tags, attributes, claim and order free texts, ' +
          'delivery addresses, evidence files and sessions. Ledger entries, orders, claims and the account stay and still sum. ' +
          'Irreversible. A repeat answers 200 with the earlier erasure.',
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
        summary: 'Whether and when a member was erased, why and by whom, with what was removed (counts)',
        description: '404 when the member was not erased.',
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
        purpose: z.enum(consentPurposes),
        version: z.number().int().describe('send it back when giving consent: the version shown'),
        text: z.string().describe("in the member's language, else the program's first"),
        channels: z.array(z.object({ channel: z.enum(consentChannels), granted: z.boolean(), since: z.date().nullable() })),
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
        operationId: 'getMyConsents',
        tags: ['portal'],
        summary: 'What the program asks consent for, in my language, and what I have said',
        description: 'Only purposes with a published text are listed. The history lists every consent given and withdrawn.',
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
      config: { member: true },
      schema: {
        operationId: 'setMyConsent',
        tags: ['portal'],
        summary: 'Give or withdraw a consent for one purpose and channel',
        description: 'A yes must send the `version` of the text shown (409 `consent_text_outdated` when it has changed since). Recorded with the time and IP address.',
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
      config: { member: true },
      schema: {
        operationId: 'exportMyData',
        tags: ['portal'],
        summary: 'Download everything the program holds about me (zip of JSON and CSV)',
        description: 'The same export staff make on request, for the signed-in member.',
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
