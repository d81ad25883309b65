/**
 * The program's side of messages over HTTP: channel defaults per role and each member's choice, templates
 * per kind × language with a preview, tips, earn notices, sends to a segment, onboarding sequences, and the
 * public unsubscribe and open-tracking links.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getMember } from '../accounts/index.js';
import { audited } from '../audit/index.js';
import { languages, type Language } from '../i18n/index.js';
import { actor, auditContext, caller, type AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { getProgram } from '../programs/programs.js';
import { filterSchema } from '../segments/filter.js';
import { me, memberAudit } from '../portal/context.js';
import { audienceOf, cancelCampaign, createCampaign, describeUnsubscribe, getCampaign, listCampaigns, recordBounce, recordOpen, runDueCampaigns, scheduleCampaign, testCampaign, unsubscribe, updateCampaign } from './campaigns.js';
import { anyRole, listRoleDefaults, memberPreferences, messageChannels, setMemberPreferences, setRoleDefaults } from './channels.js';
import { messageSettings, setMessageSettings } from './notices.js';
import { addStep, listSteps, sequenceKinds, setStepActive, stopConditions } from './sequences.js';
import { isMessageKind, listTemplates, messageKindNames, messageKinds, previewTemplate, resetTemplate, saveTemplate, campaignVariables } from './templates.js';
import { addTip, listTips, setTipActive } from './tips.js';
import { LojalError } from '../errors/index.js';
import { requireNotErased } from '../privacy/erased.js';

const tags = ['messages'];
const channel = z.enum(messageChannels);
const language = z.enum(languages);
const channelsIn = z.array(channel).min(1).max(3).describe('e-mail, sms and/or inbox');
const kindParam = z.enum(messageKindNames as [string, ...string[]]).describe(`The message kind: ${messageKindNames.join(', ')}`);

const roleDefaultOut = z.object({
  role: z.string().describe("The member role ('' is the default for every other member)"),
  channels: z.array(channel),
  updatedAt: z.date(),
});
const preferencesOut = z
  .object({
    channels: z.array(channel).nullable().describe("The member's own choice for transactional messages; null: the default applies"),
    effective: z.array(channel).describe('The channels transactional messages go on now'),
    source: z.enum(['member', 'role', 'program', 'built_in']).describe("Where `effective` comes from: the member's choice, their role's default, the program's default, or Lojal's (e-mail and inbox)"),
    reachable: z.array(channel).describe('Channels the member has an address or number for'),
    timeZone: z.string().nullable().describe("The member's time zone for quiet hours; null: the program's"),
  })
  .meta({ id: 'MessagePreferences', description: "A member's channels: their own choice, what applies, and what can be reached. Marketing goes by consent per channel." });
const preferencesIn = z
  .object({
    channels: channelsIn.nullable().optional().describe('The channels for transactional messages; null: back to the default'),
    timeZone: z.string().trim().min(1).max(64).nullable().optional().describe('An IANA time zone such as Europe/Stockholm; null: the program’s'),
  })
  .strict();
const templateText = {
  subject: z.string().trim().min(1).max(300).describe('Subject (e-mail) and title (inbox); `{{variable}}` as listed for the kind'),
  body: z.string().trim().min(1).max(10000).describe('The text; `{{variable}}` as listed for the kind'),
  sms: z.string().trim().min(1).max(1600).nullable().default(null).describe('The text message version; null: the body'),
};
const templateOut = z
  .object({
    kind: z.string(),
    language,
    subject: z.string(),
    body: z.string(),
    sms: z.string().nullable(),
    custom: z.boolean().describe("true: the program's own text; false: the built-in one"),
    updatedBy: z.string().nullable(),
    updatedAt: z.date().nullable(),
  })
  .meta({ id: 'MessageTemplate', description: 'The text of a message kind in one language.' });
const previewOut = z.object({
  subject: z.string(),
  body: z.string(),
  sms: z.string(),
  variables: z.record(z.string(), z.union([z.string(), z.number()])).describe('The sample values the preview used'),
});
const tipOut = z
  .object({ id: z.uuid(), language, segmentKey: z.string().nullable(), text: z.string(), active: z.boolean(), createdAt: z.date() })
  .meta({ id: 'MessageTip', description: 'A "did you know…" text rotated into earn notices.' });
const countsOut = z
  .object({
    recipients: z.number().int(),
    sent: z.number().int(),
    delivered: z.number().int().nullable().describe('e-mail: sent and not bounced; SMS: confirmed by the carrier in a delivery report; inbox: put in the inbox'),
    opened: z.number().int().nullable().describe('e-mail: mail clients that loaded the tracking image (a lower bound); inbox: read; null for SMS'),
    failed: z.number().int(),
    bounced: z.number().int(),
  })
  .meta({ id: 'MessageCampaignCounts', description: 'What became of a sent campaign’s messages.' });
const contentIn = z
  .partialRecord(language, z.object({ subject: z.string().trim().min(1).max(300), body: z.string().trim().min(1).max(10000) }).strict())
  .describe(`The text per language; variables: ${campaignVariables.join(', ')}. Needs the program’s default language.`);
const campaignOut = z
  .object({
    id: z.uuid(),
    name: z.string(),
    channel,
    purpose: z.enum(['marketing', 'newsletter']),
    audience: filterSchema,
    content: z.record(z.string(), z.object({ subject: z.string(), body: z.string() })),
    status: z.enum(['draft', 'scheduled', 'sent', 'cancelled']),
    scheduledAt: z.date().nullable(),
    sentAt: z.date().nullable(),
    counts: countsOut.nullable().describe('Once sent'),
    createdBy: z.string(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'MessageCampaign', description: 'A message to an audience (newsletter, announcement).' });
const campaignIn = z
  .object({
    name: z.string().trim().min(1).max(200).describe('For the console list'),
    channel,
    purpose: z.enum(['marketing', 'newsletter']).default('newsletter').describe('The consent it relies on: only members with this consent on the channel get it'),
    audience: filterSchema.describe('A segment filter over members: e.g. `{"field":"inSegment","op":"hasAny","value":["key"]}`, `tier`, `role`, `tags`'),
    content: contentIn,
  })
  .strict();
const stepOut = z
  .object({
    id: z.uuid(),
    day: z.number().int(),
    kind: z.enum(sequenceKinds),
    stopWhen: z.enum(stopConditions),
    active: z.boolean(),
    createdAt: z.date(),
    sent: z.number().int(),
    skipped: z.number().int().describe('members who had done it already'),
  })
  .meta({ id: 'SequenceStep', description: 'A step of the onboarding sequence.' });
const idParam = z.object({ id: z.uuid().describe('The id from the list') });

export async function messageProgramRoutes(fastify: FastifyInstance, { database, clock, config }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const programOf = async (programId: string) => (await getProgram(db, programId))!;

  // ------------------------------------------------------------ channels

  app.get('/v1/message-channels', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getChannelDefaults', tags, summary: 'Channel defaults per role',
      description: "The channels transactional messages go on for each member role, unless a member chose their own. Role '' is the default for everyone else; without it, e-mail and the inbox.",
      response: { 200: z.object({ data: z.array(roleDefaultOut) }) },
    },
  }, async (req) => ({ data: await listRoleDefaults(db, caller(req).programId) }));

  app.put('/v1/message-channels', {
    config: { scope: 'admin', errors: ['channels_empty', 'channel_role_duplicate'] },
    schema: {
      operationId: 'setChannelDefaults', tags, summary: 'Set the channel defaults per role',
      description: 'Replaces the list. Each role at most once (422 `channel_role_duplicate`), each with at least one channel (422 `channels_empty`).',
      body: z.object({ data: z.array(z.object({ role: z.string().trim().max(100).describe("A member role; '' for everyone else"), channels: z.array(channel).max(3) }).strict()).max(100) }).strict(),
      response: { 200: z.object({ data: z.array(roleDefaultOut) }) },
    },
  }, async (req) => {
    const { programId } = caller(req);
    const data = await audited(db, auditContext(req), async (trx) => {
      const r = await setRoleDefaults(trx, programId, req.body.data, clock());
      return { result: r, audit: { action: 'messages.channel_defaults', entity: 'program', entityId: programId, after: { defaults: r.map((d) => ({ role: d.role || anyRole, channels: d.channels })) } } };
    });
    return { data };
  });

  app.get('/v1/members/:id/message-preferences', {
    config: { scope: 'read', errors: ['member_erased'] },
    schema: { operationId: 'getMemberMessagePreferences', tags, summary: "A member's channels", description: 'What the member chose, what applies and where it comes from. An erased member answers 410 `member_erased`.', params: idParam, response: { 200: preferencesOut } },
  }, async (req) => {
    const { programId } = caller(req);
    await requireNotErased(db, programId, req.params.id);
    return memberPreferences(db, programId, await getMember(db, programId, req.params.id));
  });

  app.put('/v1/members/:id/message-preferences', {
    config: { scope: 'accounts:write', errors: ['channels_empty', 'channel_unreachable', 'time_zone_unknown', 'member_erased'] },
    schema: {
      operationId: 'setMemberMessagePreferences', tags, summary: "Set a member's channels",
      description: 'As the member does in the portal: a channel without an address or number is refused (422 `channel_unreachable`), an unknown time zone too (422 `time_zone_unknown`); an erased member answers 410 `member_erased`.',
      params: idParam, body: preferencesIn, response: { 200: preferencesOut },
    },
  }, async (req) => {
    const { programId } = caller(req);
    const member = await getMember(db, programId, req.params.id);
    await requireNotErased(db, programId, member.id);
    return audited(db, auditContext(req), async (trx) => {
      const r = await setMemberPreferences(trx, programId, member, req.body, clock());
      return { result: r, audit: { action: 'member.message_preferences', entity: 'member', entityId: member.id, after: { channels: r.channels, timeZone: r.timeZone } } };
    });
  });

  app.get('/portal/v1/message-preferences', {
    config: { member: true },
    schema: { operationId: 'portalGetMessagePreferences', tags: ['portal'], summary: 'My channels', description: 'The channels my messages come on, and which I can choose.', response: { 200: preferencesOut } },
  }, async (req) => {
    const m = me(req);
    return memberPreferences(db, m.programId, await getMember(db, m.programId, m.memberId));
  });

  app.put('/portal/v1/message-preferences', {
    config: { member: true, errors: ['channels_empty', 'channel_unreachable', 'time_zone_unknown'] },
    schema: {
      operationId: 'portalSetMessagePreferences', tags: ['portal'], summary: 'Choose my channels',
      description: 'The channels for messages about my points, orders and claims (null: the default), and my time zone for quiet hours. Marketing is chosen per channel under privacy.',
      body: preferencesIn, response: { 200: preferencesOut },
    },
  }, async (req) => {
    const m = me(req);
    const member = await getMember(db, m.programId, m.memberId);
    return audited(db, memberAudit(req), async (trx) => {
      const r = await setMemberPreferences(trx, m.programId, member, req.body, clock());
      return { result: r, audit: { action: 'member.message_preferences', entity: 'member', entityId: member.id, after: { channels: r.channels, timeZone: r.timeZone } } };
    });
  });

  // ------------------------------------------------------------ templates

  app.get('/v1/message-templates', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listMessageTemplates', tags, summary: 'Message templates per kind and language',
      description: 'Every kind × language: the program’s own text where it wrote one, else the built-in text; with the variables each kind offers.',
      response: { 200: z.object({ data: z.array(templateOut), variables: z.record(z.string(), z.array(z.string())).describe('The variables per kind') }) },
    },
  }, async (req) => ({ data: await listTemplates(db, caller(req).programId), variables: messageKinds as unknown as Record<string, string[]> }));

  app.put('/v1/message-templates/:kind/:language', {
    config: { scope: 'admin', errors: ['template_variable_unknown'] },
    schema: {
      operationId: 'saveMessageTemplate', tags, summary: "Save the program's text of a message kind in a language",
      description: 'Every `{{variable}}` must be one of the kind’s; an unknown one is refused (422 `template_variable_unknown`) rather than rendered empty.',
      params: z.object({ kind: kindParam, language: language.describe('The language: en, sv, nb, pl or de') }), body: z.object(templateText).strict(), response: { 200: templateOut },
    },
  }, async (req) => {
    const { programId } = caller(req);
    const { kind, language: lng } = req.params;
    if (!isMessageKind(kind)) throw new LojalError('not_found', { entity: 'message kind', id: kind });
    return audited(db, auditContext(req), async (trx) => {
      const r = await saveTemplate(trx, programId, kind, lng, req.body, actorRef(actor(req)), clock());
      return { result: r, audit: { action: 'messages.template_save', entity: 'message_template', entityId: `${kind}/${lng}`, after: { subject: r.subject, body: r.body, sms: r.sms } } };
    });
  });

  app.delete('/v1/message-templates/:kind/:language', {
    config: { scope: 'admin' },
    schema: { operationId: 'resetMessageTemplate', tags, summary: 'Back to the built-in text', description: "Removes the program's own text of the kind in the language.", params: z.object({ kind: kindParam, language: language.describe('The language: en, sv, nb, pl or de') }), response: { 200: templateOut } },
  }, async (req) => {
    const { programId } = caller(req);
    const { kind, language: lng } = req.params;
    if (!isMessageKind(kind)) throw new LojalError('not_found', { entity: 'message kind', id: kind });
    return audited(db, auditContext(req), async (trx) => {
      const r = await resetTemplate(trx, programId, kind, lng);
      return { result: r, audit: { action: 'messages.template_reset', entity: 'message_template', entityId: `${kind}/${lng}`, after: null } };
    });
  });

  app.post('/v1/message-templates/:kind/:language/preview', {
    config: { scope: 'read', errors: ['template_variable_unknown'] },
    schema: {
      operationId: 'previewMessageTemplate', tags, summary: 'Preview a text on sample data',
      description: 'Renders the text as a member would get it, with a sample name and counts (change `points` to see plural forms, e.g. 1, 3, 5 in Polish). Nothing is saved; an unknown variable answers 422 `template_variable_unknown` as saving would.',
      params: z.object({ kind: kindParam, language: language.describe('The language: en, sv, nb, pl or de') }),
      body: z.object({
        ...templateText,
        sample: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          points: z.number().int().min(0).max(1e9).optional(),
          balance: z.number().int().min(0).max(1e12).optional(),
          stepsLeft: z.number().int().min(0).max(100).optional(),
        }).strict().default({}).describe('Sample values; defaults: a sample name, 122 points, balance 1,305, 3 steps left'),
      }).strict(),
      response: { 200: previewOut },
    },
  }, async (req) => {
    const { programId } = caller(req);
    const { kind, language: lng } = req.params;
    if (!isMessageKind(kind)) throw new LojalError('not_found', { entity: 'message kind', id: kind });
    const { sample, ...text } = req.body;
    return previewTemplate(kind, lng, text, (await programOf(programId)).name, sample);
  });

  // ------------------------------------------------------------ tips and earn notices

  app.get('/v1/message-tips', {
    config: { scope: 'read' },
    schema: { operationId: 'listMessageTips', tags, summary: 'The pool of tips', description: '"Did you know…" texts per language (and segment) that earn notices rotate through.', response: { 200: z.object({ data: z.array(tipOut) }) } },
  }, async (req) => ({ data: await listTips(db, caller(req).programId) }));

  app.post('/v1/message-tips', {
    config: { scope: 'admin', errors: ['not_found'] },
    schema: {
      operationId: 'addMessageTip', tags, summary: 'Add a tip',
      description: 'A tip in one language, for everyone or only for members of a segment (by key; unknown key: 404).',
      body: z.object({ language, segmentKey: z.string().trim().min(1).max(100).nullable().optional().describe('Only members of this segment'), text: z.string().trim().min(1).max(500) }).strict(),
      response: { 201: tipOut },
    },
  }, async (req, reply) => {
    const { programId } = caller(req);
    const tip = await audited(db, auditContext(req), async (trx) => {
      const r = await addTip(trx, programId, req.body, clock());
      return { result: r, audit: { action: 'messages.tip_add', entity: 'message_tip', entityId: r.id, after: { text: r.text, language: r.language } } };
    });
    reply.status(201);
    return tip;
  });

  app.patch('/v1/message-tips/:id', {
    config: { scope: 'admin', errors: ['not_found'] },
    schema: { operationId: 'updateMessageTip', tags, summary: 'Turn a tip on or off', description: 'An inactive tip is no longer shown.', params: idParam, body: z.object({ active: z.boolean() }).strict(), response: { 200: tipOut } },
  }, async (req) => {
    const { programId } = caller(req);
    return audited(db, auditContext(req), async (trx) => {
      const r = await setTipActive(trx, programId, req.params.id, req.body.active);
      return { result: r, audit: { action: 'messages.tip_update', entity: 'message_tip', entityId: r.id, after: { active: r.active } } };
    });
  });

  const settingsOut = z.object({ earnNotices: z.boolean().describe('Members are told on their channels when they earn points, with a tip'), updatedAt: z.date().nullable() });
  app.get('/v1/message-settings', {
    config: { scope: 'read' },
    schema: { operationId: 'getMessageSettings', tags, summary: 'Message settings', description: 'Whether earn notices are sent.', response: { 200: settingsOut } },
  }, async (req) => messageSettings(db, caller(req).programId));

  app.put('/v1/message-settings', {
    config: { scope: 'admin' },
    schema: { operationId: 'setMessageSettings', tags, summary: 'Change message settings', description: 'Turns earn notices on or off.', body: z.object({ earnNotices: z.boolean() }).strict(), response: { 200: settingsOut } },
  }, async (req) => {
    const { programId } = caller(req);
    return audited(db, auditContext(req), async (trx) => {
      const r = await setMessageSettings(trx, programId, req.body, clock());
      return { result: r, audit: { action: 'messages.settings', entity: 'program', entityId: programId, after: { earnNotices: r.earnNotices } } };
    });
  });

  // ------------------------------------------------------------ campaigns

  app.get('/v1/message-campaigns', {
    config: { scope: 'read' },
    schema: { operationId: 'listMessageCampaigns', tags, summary: 'Sends to segments', description: 'Newest first, with counts once sent.', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50).describe('How many, 1–200') }).strict(), response: { 200: z.object({ data: z.array(campaignOut) }) } },
  }, async (req) => ({ data: await listCampaigns(db, caller(req).programId, req.query.limit) }));

  app.post('/v1/message-campaigns', {
    config: { scope: 'admin', errors: ['template_variable_unknown', 'message_campaign_language_missing', 'segment_field_unknown', 'segment_operator_invalid', 'segment_value_invalid', 'segment_filter_too_complex'] },
    schema: {
      operationId: 'createMessageCampaign', tags, summary: 'Draft a send to a segment',
      description: 'A draft: channel, the consent purpose it relies on, the audience as a segment filter over members, and the text per language. Unknown variables answer 422 `template_variable_unknown`.',
      body: campaignIn, response: { 201: campaignOut },
    },
  }, async (req, reply) => {
    const { programId } = caller(req);
    const program = await programOf(programId);
    const c = await audited(db, auditContext(req), async (trx) => {
      const r = await createCampaign(trx, programId, program.defaultLanguage, { ...req.body, content: req.body.content as never }, actorRef(actor(req)), clock());
      return { result: r, audit: { action: 'messages.campaign_create', entity: 'message_campaign', entityId: r.id, after: { name: r.name, channel: r.channel } } };
    });
    reply.status(201);
    return c;
  });

  app.get('/v1/message-campaigns/:id', {
    config: { scope: 'read', errors: ['not_found'] },
    schema: { operationId: 'getMessageCampaign', tags, summary: 'A send to a segment', description: 'With its counts once sent: sent, delivered, opened, failed, bounced.', params: idParam, response: { 200: campaignOut } },
  }, async (req) => getCampaign(db, caller(req).programId, req.params.id));

  app.put('/v1/message-campaigns/:id', {
    config: { scope: 'admin', errors: ['not_found', 'message_campaign_not_editable', 'template_variable_unknown', 'message_campaign_language_missing', 'segment_field_unknown', 'segment_operator_invalid', 'segment_value_invalid', 'segment_filter_too_complex', 'audience_without_consent'] },
    schema: {
      operationId: 'updateMessageCampaign', tags, summary: 'Change a send that has not gone yet',
      description:
        'A draft or a scheduled send can change; a sent or cancelled one cannot (409 `message_campaign_not_editable`). A scheduled send keeps its time, so its new ' +
        'audience must still reach someone with consent (422 `audience_without_consent`).', params: idParam, body: campaignIn, response: { 200: campaignOut } },
  }, async (req) => {
    const { programId } = caller(req);
    const program = await programOf(programId);
    return audited(db, auditContext(req), async (trx) => {
      const r = await updateCampaign(trx, programId, program.defaultLanguage, req.params.id, { ...req.body, content: req.body.content as never }, clock());
      return { result: r, audit: { action: 'messages.campaign_update', entity: 'message_campaign', entityId: r.id, after: { name: r.name, channel: r.channel } } };
    });
  });

  app.get('/v1/message-campaigns/:id/audience', {
    config: { scope: 'read', errors: ['not_found'] },
    schema: {
      operationId: 'getMessageCampaignAudience', tags, summary: 'Who a send would reach now',
      description: 'Members the audience selects, and of them how many have consent for the purpose on the channel (and an address or number).',
      params: idParam, response: { 200: z.object({ matched: z.number().int(), withConsent: z.number().int() }) },
    },
  }, async (req) => {
    const { programId } = caller(req);
    const c = await getCampaign(db, programId, req.params.id);
    const a = await audienceOf(db, programId, c, clock());
    return { matched: a.matched, withConsent: a.reachable.length };
  });

  app.post('/v1/message-campaigns/:id/test', {
    config: { scope: 'admin', errors: ['not_found', 'phone_not_e164'] },
    schema: {
      operationId: 'testMessageCampaign', tags, summary: 'Send a test',
      description: 'Sends the text in a language to an address (e-mail and inbox sends) or an E.164 number (SMS sends), marked [TEST] and left out of the counts.',
      params: idParam,
      body: z.object({ to: z.string().trim().min(3).max(254).describe('An e-mail address, or for SMS an E.164 number'), language: language.optional(), name: z.string().trim().min(1).max(200).optional().describe('The name to greet; default a sample name') }).strict(),
      response: { 201: z.object({ to: z.string(), channel: z.enum(['email', 'sms']), subject: z.string(), body: z.string() }) },
    },
  }, async (req, reply) => {
    const { programId } = caller(req);
    const program = await programOf(programId);
    const r = await audited(db, auditContext(req), async (trx) => {
      const out = await testCampaign(trx, program, req.params.id, req.body, config.publicUrl, actorRef(actor(req)), clock());
      return { result: out, audit: { action: 'messages.campaign_test', entity: 'message_campaign', entityId: req.params.id, after: { channel: out.channel } } };
    });
    reply.status(201);
    return r;
  });

  app.post('/v1/message-campaigns/:id/schedule', {
    config: { scope: 'admin', errors: ['not_found', 'message_campaign_not_editable', 'message_campaign_schedule_past', 'audience_without_consent'] },
    schema: {
      operationId: 'scheduleMessageCampaign', tags, summary: 'Send now or at a time',
      description:
        'Without `at` the send goes now (the answer shows it sent with its counts); with `at` the job sends it then. Refused when nobody in the audience has consent ' +
        '(422 `audience_without_consent`) and when `at` has passed (422 `message_campaign_schedule_past`).',
      params: idParam, body: z.object({ at: z.iso.datetime({ offset: true }).optional().describe('When to send; leave out to send now') }).strict(), response: { 200: campaignOut },
    },
  }, async (req) => {
    const { programId } = caller(req);
    const now = clock();
    await audited(db, auditContext(req), async (trx) => {
      const r = await scheduleCampaign(trx, programId, req.params.id, req.body.at ? new Date(req.body.at) : null, now);
      return { result: r, audit: { action: 'messages.campaign_schedule', entity: 'message_campaign', entityId: r.id, after: { scheduledAt: r.scheduledAt } } };
    });
    if (!req.body.at) await runDueCampaigns(db, now, config.publicUrl, { programId, id: req.params.id });
    return getCampaign(db, programId, req.params.id);
  });

  app.post('/v1/message-campaigns/:id/cancel', {
    config: { scope: 'admin', errors: ['not_found', 'message_campaign_not_editable'] },
    schema: { operationId: 'cancelMessageCampaign', tags, summary: 'Cancel a draft or scheduled send', description: 'A sent one answers 409 `message_campaign_not_editable`.', params: idParam, response: { 200: campaignOut } },
  }, async (req) => {
    const { programId } = caller(req);
    return audited(db, auditContext(req), async (trx) => {
      const r = await cancelCampaign(trx, programId, req.params.id, clock());
      return { result: r, audit: { action: 'messages.campaign_cancel', entity: 'message_campaign', entityId: r.id, after: { status: r.status } } };
    });
  });

  app.post('/v1/outbox/:id/bounce', {
    config: { scope: 'admin', errors: ['not_found'] },
    schema: {
      operationId: 'reportMailBounce', tags: ['mail'], summary: 'Report a bounced campaign mail',
      description: "For the mail server's bounce handling: counts the campaign mail as bounced. A mail that is not part of a send answers 404.",
      params: idParam, response: { 200: z.object({ bounced: z.literal(true) }) },
    },
  }, async (req) => {
    if (!(await recordBounce(db, caller(req).programId, req.params.id, clock()))) throw new LojalError('not_found', { entity: 'campaign mail', id: req.params.id });
    return { bounced: true as const };
  });

  // ------------------------------------------------------------ public links

  const token = z.object({ token: z.string().min(10).max(1000).describe('The signed token from the link') });
  const unsubscribeOut = z.object({ programName: z.string(), channel, purpose: z.enum(['marketing', 'newsletter']) });

  app.get('/v1/unsubscribe/:token', {
    config: { errors: ['unsubscribe_token_invalid'] },
    schema: {
      operationId: 'describeUnsubscribe', tags, summary: 'What an unsubscribe link stops',
      description: 'Public, no sign-in: the program, channel and purpose of a link from a message, for the page that asks to confirm. A changed token answers 400 `unsubscribe_token_invalid`.',
      params: token, response: { 200: unsubscribeOut },
    },
  }, async (req) => describeUnsubscribe(db, req.params.token, clock()));

  app.post('/v1/unsubscribe/:token', {
    config: { errors: ['unsubscribe_token_invalid'] },
    schema: {
      operationId: 'confirmUnsubscribe', tags, summary: 'Unsubscribe by a link',
      description: 'Public, no sign-in: records a consent withdrawal for the purpose on the channel (source `unsubscribe_link`, with the IP address). Doing it twice records it once. A changed token answers 400 `unsubscribe_token_invalid`.',
      params: token, response: { 200: unsubscribeOut.extend({ withdrawn: z.boolean().describe('false: it was withdrawn already'), recordedAt: z.date() }) },
    },
  }, async (req) => unsubscribe(db, req.params.token, req.ip, clock()));

  const pixel = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
  app.get('/v1/message-opens/:token', {
    config: { produces: ['image/gif'] },
    schema: {
      operationId: 'trackMessageOpen', tags, summary: 'Open-tracking image',
      description: 'Public: the 1×1 image in a campaign mail; loading it counts the mail opened once. Always answers the image, even for a bad token.',
      params: token,
    },
  }, async (req, reply) => {
    await recordOpen(db, req.params.token, clock());
    return reply.header('cache-control', 'no-store').type('image/gif').send(pixel);
  });

  // ------------------------------------------------------------ onboarding sequences

  app.get('/v1/message-sequence', {
    config: { scope: 'read' },
    schema: { operationId: 'listSequenceSteps', tags, summary: 'The onboarding sequence', description: 'Its steps by day, with how many members each went to and skipped.', response: { 200: z.object({ data: z.array(stepOut) }) } },
  }, async (req) => ({ data: await listSteps(db, caller(req).programId) }));

  app.post('/v1/message-sequence', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'addSequenceStep', tags, summary: 'Add a step to the onboarding sequence',
      description: '`kind` is sent `day` days after a member joins, unless `stopWhen` already holds: first_purchase, checklist_done (every checklist step completed), signed_in, or never.',
      body: z.object({ day: z.number().int().min(0).max(365), kind: z.enum(sequenceKinds), stopWhen: z.enum(stopConditions).default('never') }).strict(),
      response: { 201: stepOut },
    },
  }, async (req, reply) => {
    const { programId } = caller(req);
    const step = await audited(db, auditContext(req), async (trx) => {
      const r = await addStep(trx, programId, req.body, clock());
      return { result: r, audit: { action: 'messages.sequence_add', entity: 'sequence_step', entityId: r.id, after: { day: r.day, kind: r.kind, stopWhen: r.stopWhen } } };
    });
    reply.status(201);
    return step;
  });

  app.patch('/v1/message-sequence/:id', {
    config: { scope: 'admin', errors: ['not_found'] },
    schema: { operationId: 'updateSequenceStep', tags, summary: 'Turn a step on or off', description: 'An inactive step sends nothing more.', params: idParam, body: z.object({ active: z.boolean() }).strict(), response: { 200: stepOut } },
  }, async (req) => {
    const { programId } = caller(req);
    return audited(db, auditContext(req), async (trx) => {
      const r = await setStepActive(trx, programId, req.params.id, req.body.active);
      return { result: r, audit: { action: 'messages.sequence_update', entity: 'sequence_step', entityId: r.id, after: { active: r.active } } };
    });
  });
}

export type { Language };
