/**
 * Examples for segments and scores, campaigns, insight, privacy and messages, against the seeded demo program
 * (Nordbygg Partner Club: Swedish and Norwegian building-trade companies K1000…, their people P10000…, SEK).
 * Runs last, so erasing a member here takes nothing from the other areas' calls.
 *
 * Not recorded here: a success of portalStreamInbox (a Server-Sent Events stream never ends; its 406 without `Accept: text/event-stream` is).
 */
import { listCampaigns } from '../../src/campaigns/store.js';
import { reportToken } from '../../src/messages/sms-reports.js';
import { segmentByKey } from '../../src/segments/store.js';
import type { ExampleScript } from './types.js';

const day = 86_400_000;

const examples: ExampleScript = async (run) => {
  const { db, programId } = run;

  // ---------------------------------------------------------------- segments
  await run.call({ operationId: 'listSegmentFields', query: { subject: 'account' } });
  await run.call({
    operationId: 'previewSegment',
    body: {
      subject: 'account',
      definition: { all: [{ field: 'country', op: 'eq', value: 'SE' }, { field: 'purchaseCount', op: 'gte', value: 5, days: 90 }] },
    },
  });
  await run.call({
    operationId: 'previewSegment',
    body: { subject: 'account', definition: { field: 'turnover', op: 'gte', value: 100000 } },
    expectStatus: 422,
  });
  await run.call({ operationId: 'listSegments' });
  const keyAccounts = (await segmentByKey(db, programId, 'key-accounts'))!;
  await run.call({ operationId: 'getSegment', params: { id: keyAccounts.id } });

  const created = await run.call({
    operationId: 'createSegment',
    body: {
      key: 'roofing-norway',
      name: 'Norwegian roofers',
      description: 'Norwegian companies that bought roofing in the last half year: the audience of the spring roofing campaign.',
      kind: 'dynamic',
      subject: 'account',
      definition: { all: [{ field: 'country', op: 'eq', value: 'NO' }, { field: 'purchaseCount', op: 'gte', value: 1, days: 180, category: 'roofing' }] },
    },
  });
  const segmentId = (created.body as { id: string }).id;
  await run.call({
    operationId: 'createSegment',
    body: { key: 'roofing-norway', name: 'Norwegian roofers', kind: 'static', subject: 'account' },
    expectStatus: 409,
  });
  await run.call({
    operationId: 'updateSegment',
    params: { id: segmentId },
    body: {
      name: 'Norwegian roofers, twice or more',
      definition: { all: [{ field: 'country', op: 'eq', value: 'NO' }, { field: 'purchaseCount', op: 'gte', value: 2, days: 180, category: 'roofing' }] },
    },
  });
  await run.call({ operationId: 'refreshSegment', params: { id: segmentId } });
  await run.call({ operationId: 'listSegmentMembers', params: { id: keyAccounts.id }, query: { limit: 5 } });
  await run.call({ operationId: 'getSegmentHistory', params: { id: keyAccounts.id }, query: { limit: 30 } });
  await run.call({ operationId: 'deleteSegment', params: { id: segmentId } });

  // A static list from the ERP's export: one column of account numbers.
  const fairList = await run.call({ operationId: 'createSegment', body: { key: 'fair-visitors-2026', name: 'Visited our stand at Nordbygg 2026', kind: 'static', subject: 'account' } });
  const listed = await db.selectFrom('accounts').select('external_id').where('program_id', '=', programId).where('external_id', 'is not', null).orderBy('external_id').limit(3).execute();
  await run.call({
    operationId: 'uploadSegmentMembers',
    params: { id: (fairList.body as { id: string }).id },
    form: { file: { filename: 'fair-visitors.csv', type: 'text/csv', content: `external_id\n${listed.map((a) => a.external_id).join('\n')}\n` } },
  });

  // ---------------------------------------------------------------- scores
  await run.call({ operationId: 'runScores' });
  await run.call({ operationId: 'getScoreOverview' });
  await run.call({ operationId: 'getLoyaltyMovement' });
  await run.call({ operationId: 'listScoredAccounts', query: { limit: 3 } });
  await run.call({ operationId: 'getAccountScore', params: { id: 'ext:K2001' } });

  // ---------------------------------------------------------------- campaigns
  await run.call({ operationId: 'listCampaigns' });
  const demoCampaign = (await listCampaigns(db, programId)).find((c) => c.name === 'Dubbla poäng i Sverige')!;
  await run.call({ operationId: 'getCampaign', params: { id: demoCampaign.id } });
  const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1));
  const toolWeeks = await run.call({
    operationId: 'createCampaign',
    body: {
      name: 'Verktygsveckor för nyckelkunder',
      description: 'Two extra points per 100 SEK of tools for key accounts for four weeks; a tenth of them held out.',
      segmentKeys: ['key-accounts'],
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 28 * day).toISOString(),
      effects: [{ type: 'lineBonus', category: 'tools', points: 2, per: 10_000 }],
      budgetPoints: 50_000,
      controlPercent: 10,
    },
  });
  await run.call({
    operationId: 'createCampaign',
    body: {
      name: 'Dubbla poäng på takpannor',
      segmentKeys: ['sweden'],
      startsAt: new Date(start.getTime() + 28 * day).toISOString(),
      endsAt: start.toISOString(),
      effects: [{ type: 'multiplier', factor: 2 }],
      budgetPoints: 20_000,
    },
    expectStatus: 422,
  });
  const toolWeeksId = (toolWeeks.body as { id: string }).id;
  await run.call({ operationId: 'extendCampaign', params: { id: toolWeeksId }, body: { endsAt: new Date(start.getTime() + 35 * day).toISOString() } });
  await run.call({ operationId: 'extendCampaign', params: { id: toolWeeksId }, body: { endsAt: start.toISOString() }, expectStatus: 422 });
  await run.call({ operationId: 'stopCampaign', params: { id: toolWeeksId } });
  await run.call({ operationId: 'stopCampaign', params: { id: demoCampaign.id }, expectStatus: 409 });

  // ---------------------------------------------------------------- insight
  await run.call({ operationId: 'refreshInsight', body: {} });
  await run.call({ operationId: 'getInsightKpis', query: { period: 'quarter', segmentBy: 'country' } });
  await run.call({ operationId: 'getInsightKpis', query: { from: '2026-06-30', to: '2026-01-01' }, expectStatus: 422 });
  await run.call({ operationId: 'getInsightCohorts' });
  await run.call({ operationId: 'getInsightParticipation' });
  await run.call({ operationId: 'getAccountRecommendations', params: { id: 'ext:K2001' }, query: { limit: 5 } });
  await run.call({ operationId: 'getInsightRoi', query: { windowMonths: 3, marginRates: 'A:38,B:24,C:12', defaultMargin: 20, fulfilmentPerOrder: 4500 } });
  await run.call({ operationId: 'getInsightRoi', query: { marginRates: 'A=38' }, expectStatus: 400 });
  await run.call({ operationId: 'getAccountPotential', params: { id: 'ext:K2001' } });
  await run.call({ operationId: 'getAccountClv', params: { id: 'ext:K2001' } });
  await run.call({ operationId: 'exportAccountPotential', params: { id: 'ext:K2001' }, query: { language: 'sv' } });
  await run.call({ operationId: 'exportCsv', params: { what: 'accounts' }, query: { language: 'sv' } });

  // ---------------------------------------------------------------- privacy
  await run.call({ operationId: 'getPrivacySettings' });
  await run.call({ operationId: 'updatePrivacySettings', body: { retentionMonths: 36 } });
  await run.call({ operationId: 'runRetention' });
  const text = await run.call({
    operationId: 'createConsentText',
    body: {
      purpose: 'marketing',
      texts: {
        sv: 'Ja, Nordbygg får skicka mig erbjudanden och kampanjer om byggmaterial och verktyg. Jag kan ta tillbaka mitt samtycke när som helst.',
        nb: 'Ja, Nordbygg kan sende meg tilbud og kampanjer om byggevarer og verktøy. Jeg kan trekke samtykket tilbake når som helst.',
        en: 'Yes, Nordbygg may send me offers and campaigns on building materials and tools. I can withdraw my consent at any time.',
      },
    },
  });
  const version = (text.body as { version: number }).version;
  await run.call({ operationId: 'listConsentTexts' });

  // Member paths take the external id too: the installer P10004 of the first chain's branch (has a mobile number).
  const installer = 'ext:P10004';
  await run.call({
    operationId: 'recordMemberConsent',
    params: { id: installer },
    body: { purpose: 'marketing', channel: 'sms', granted: true, textVersion: version, source: 'import' },
  });
  await run.call({ operationId: 'getMemberConsents', params: { id: installer } });
  await run.call({ operationId: 'exportMemberConsents', params: { id: installer } });
  await run.call({ operationId: 'exportMemberData', params: { id: installer } });

  const leaver = await db
    .selectFrom('members')
    .select('id')
    .where('program_id', '=', programId)
    .where('external_id', 'not in', ['P10001', 'P10004'])
    .orderBy('external_id', 'desc')
    .executeTakeFirstOrThrow();
  await run.call({ operationId: 'eraseMember', params: { id: leaver.id } });
  await run.call({ operationId: 'getMemberErasure', params: { id: leaver.id } });
  await run.call({
    operationId: 'recordMemberConsent',
    params: { id: leaver.id },
    body: { purpose: 'marketing', channel: 'email', granted: false },
    expectStatus: 410,
  });

  // ---------------------------------------------------------------- messages
  await run.call({ operationId: 'measureSms', body: { message: 'Hej! Dina 2 500 poäng går ut 31/12. Byt dem mot verktyg i butiken.' } });
  const sms = await run.call({
    operationId: 'sendMemberSms',
    params: { id: installer },
    body: {
      message: 'Hej! Verktygsveckorna börjar på måndag: 2 extra poäng per 100 kr på alla verktyg. /Nordbygg',
      kind: 'marketing',
      idempotencyKey: 'tool-weeks-sms-P10004',
    },
  });
  // Someone without a phone number (the portal's examples give the demo member one before this runs).
  const phoneless = await db.selectFrom('members').select('id').where('program_id', '=', programId).where('phone', 'is', null).orderBy('external_id').executeTakeFirstOrThrow();
  await run.call({
    operationId: 'sendMemberSms',
    params: { id: phoneless.id },
    body: { message: 'Din beställning är skickad.', kind: 'transactional', idempotencyKey: 'order-shipped-P10001' },
    expectStatus: 422,
  });
  await run.call({ operationId: 'listSms', query: { status: 'pending', limit: 20 } });
  await run.call({ operationId: 'cancelSms', params: { id: (sms.body as { id: string }).id } });
  // 46elks' delivery report for a text, posted to the signed `whendelivered` URL the message was sent with.
  const shipped = await run.call({
    operationId: 'sendMemberSms',
    params: { id: installer },
    body: { message: 'Din beställning är på väg till bygget.', kind: 'transactional', idempotencyKey: 'order-shipped-P10004' },
  });
  const reportFor = await reportToken(run.db, run.programId, (shipped.body as { id: string }).id, new Date());
  await run.call({ operationId: 'reportSmsDelivery', params: { token: reportFor }, body: { id: 's70df59406a1b4d2fe4c1d1d0a9a5ba8c', status: 'delivered', delivered: '2026-11-25 12:00:03.372016' } });
  await run.call({ operationId: 'reportSmsDelivery', params: { token: `${reportFor.slice(0, -1)}${reportFor.endsWith('A') ? 'B' : 'A'}` }, body: { id: 's70df59406a1b4d2fe4c1d1d0a9a5ba8c', status: 'failed' }, expectStatus: 400 });

  const posted = await run.call({
    operationId: 'postMemberInbox',
    params: { id: run.memberId },
    body: {
      title: 'Dina poäng för oktober',
      body: 'Tack för dina köp i oktober! Du tjänade 1 240 poäng. Se vad de räcker till i belöningsbutiken.',
      kind: 'transactional',
    },
  });

  // Channels per role, the member's own choice, templates with a preview, tips and earn notices.
  await run.call({ operationId: 'setChannelDefaults', body: { data: [{ role: 'foreman', channels: ['sms', 'inbox'] }, { role: 'buyer', channels: ['email'] }, { role: '', channels: ['email', 'inbox'] }] } });
  await run.call({ operationId: 'getChannelDefaults' });
  await run.call({ operationId: 'getMemberMessagePreferences', params: { id: installer } });
  await run.call({ operationId: 'setMemberMessagePreferences', params: { id: installer }, body: { channels: ['sms', 'inbox'], timeZone: 'Europe/Stockholm' } });
  await run.call({ operationId: 'setMemberMessagePreferences', params: { id: phoneless.id }, body: { channels: ['sms'] }, expectStatus: 422 });
  await run.call({ operationId: 'listMessageTemplates' });
  const earnText = { subject: 'Otrzymujesz {{pointsText}}', body: 'Dzień dobry {{name}}, masz teraz {{balanceText}}.\n\n{{tip}}', sms: '{{programName}}: +{{pointsText}}' };
  await run.call({ operationId: 'previewMessageTemplate', params: { kind: 'earn_notice', language: 'pl' }, body: { ...earnText, sample: { points: 3, balance: 1305 } } });
  await run.call({ operationId: 'previewMessageTemplate', params: { kind: 'earn_notice', language: 'pl' }, body: { ...earnText, subject: 'Cześć {{firstName}}' }, expectStatus: 422 });
  await run.call({ operationId: 'saveMessageTemplate', params: { kind: 'earn_notice', language: 'pl' }, body: earnText });
  await run.call({ operationId: 'saveMessageTemplate', params: { kind: 'welcome', language: 'sv' }, body: { subject: 'Välkommen {{firstName}}', body: 'Hej' }, expectStatus: 422 });
  await run.call({ operationId: 'resetMessageTemplate', params: { kind: 'earn_notice', language: 'pl' } });
  const tip = await run.call({ operationId: 'addMessageTip', body: { language: 'sv', text: 'Visste du att poäng från utbildningar också räknas till din nivå?' } });
  await run.call({ operationId: 'addMessageTip', body: { language: 'sv', text: 'Visste du att du kan byta poäng mot arbetskläder?', segmentKey: 'no-such-segment' }, expectStatus: 404 });
  await run.call({ operationId: 'listMessageTips' });
  await run.call({ operationId: 'updateMessageTip', params: { id: (tip.body as { id: string }).id }, body: { active: true } });
  await run.call({ operationId: 'getMessageSettings' });
  await run.call({ operationId: 'setMessageSettings', body: { earnNotices: true } });

  // A newsletter to the foremen and owners who agreed to it, with a test first; then its counts and an unsubscribe.
  const newsletter = {
    name: 'Verktygsveckorna',
    channel: 'email',
    purpose: 'newsletter',
    audience: { field: 'role', op: 'in', value: ['foreman', 'owner'] },
    content: {
      sv: { subject: 'Verktygsveckorna, {{name}}', body: 'Hej {{name}}! Verktygsveckorna börjar på måndag: dubbla poäng på alla verktyg.' },
      en: { subject: 'Tool weeks, {{name}}', body: 'Hi {{name}}! Tool weeks start on Monday: double points on all tools.' },
    },
  };
  await run.call({ operationId: 'createMessageCampaign', body: { ...newsletter, content: { sv: { subject: 'Hej {{förnamn}}', body: 'x' } } }, expectStatus: 422 });
  const campaign = (await run.call({ operationId: 'createMessageCampaign', body: newsletter })).body as { id: string };
  await run.call({ operationId: 'updateMessageCampaign', params: { id: campaign.id }, body: { ...newsletter, name: 'Verktygsveckorna v. 50' } });
  await run.call({ operationId: 'getMessageCampaignAudience', params: { id: campaign.id } });
  await run.call({ operationId: 'scheduleMessageCampaign', params: { id: campaign.id }, body: {}, expectStatus: 422 });
  await run.call({ operationId: 'testMessageCampaign', params: { id: campaign.id }, body: { to: 'marknad@nordbygg.example', language: 'sv' } });
  await run.call({ operationId: 'recordMemberConsent', params: { id: installer }, body: { purpose: 'newsletter', channel: 'email', granted: true, source: 'import' } });
  await run.call({ operationId: 'scheduleMessageCampaign', params: { id: campaign.id }, body: {} });
  await run.call({ operationId: 'getMessageCampaign', params: { id: campaign.id } });
  await run.call({ operationId: 'listMessageCampaigns', query: { limit: 10 } });
  await run.call({ operationId: 'cancelMessageCampaign', params: { id: campaign.id }, expectStatus: 409 });
  const later = (await run.call({ operationId: 'createMessageCampaign', body: { ...newsletter, name: 'Julhälsning' } })).body as { id: string };
  await run.call({ operationId: 'cancelMessageCampaign', params: { id: later.id } });
  const campaignMail = await db.selectFrom('mail_outbox').select(['id', 'body']).where('program_id', '=', programId).where('template', '=', `campaign:${campaign.id}`).executeTakeFirstOrThrow();
  await run.call({ operationId: 'reportMailBounce', params: { id: campaignMail.id } });
  const token = /\/unsubscribe\/(\S+)/.exec(campaignMail.body)![1]!;
  await run.call({ operationId: 'describeUnsubscribe', params: { token } });
  await run.call({ operationId: 'confirmUnsubscribe', params: { token: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }, expectStatus: 400 });
  await run.call({ operationId: 'confirmUnsubscribe', params: { token } });
  await run.call({ operationId: 'trackMessageOpen', params: { token: 'an-old-or-changed-link.x' } });

  // The onboarding sequence: welcome on day 0, a first-purchase tip on day 3 unless they bought already.
  const step = (await run.call({ operationId: 'addSequenceStep', body: { day: 0, kind: 'welcome' } })).body as { id: string };
  await run.call({ operationId: 'addSequenceStep', body: { day: 3, kind: 'first_purchase_tip', stopWhen: 'first_purchase' } });
  await run.call({ operationId: 'addSequenceStep', body: { day: 14, kind: 'checklist_reminder', stopWhen: 'checklist_done' } });
  await run.call({ operationId: 'listSequenceSteps' });
  await run.call({ operationId: 'updateSequenceStep', params: { id: step.id }, body: { active: true } });

  // The mail outbox: cancel a mail that has not gone, send it again.
  const pendingMail = await db.selectFrom('mail_outbox').select('id').where('program_id', '=', programId).where('status', '=', 'pending').orderBy('created_at').executeTakeFirstOrThrow();
  await run.call({ operationId: 'resendOutboxMail', params: { id: pendingMail.id }, expectStatus: 409 });
  await run.call({ operationId: 'cancelOutboxMail', params: { id: pendingMail.id } });
  await run.call({ operationId: 'resendOutboxMail', params: { id: pendingMail.id } });

  // ---------------------------------------------------------------- the member in the portal (P10001)
  await run.call({ operationId: 'portalListCampaigns' });
  await run.call({ operationId: 'portalGetConsents' });
  await run.call({ operationId: 'portalGetMessagePreferences' });
  await run.call({ operationId: 'portalSetMessagePreferences', body: { channels: ['email', 'inbox'] } });
  await run.call({ operationId: 'portalSetMessagePreferences', body: { timeZone: 'Mars/Olympus' }, expectStatus: 422 });
  await run.call({ operationId: 'portalSetConsent', body: { purpose: 'marketing', channel: 'email', granted: true, textVersion: version } });
  await run.call({ operationId: 'portalListInbox', query: { limit: 10 } });
  await run.call({ operationId: 'portalMarkInbox', body: { id: (posted.body as { id: string }).id, read: true } });
  await run.call({ operationId: 'portalStreamInbox', expectStatus: 406 });
  await run.call({ operationId: 'portalExportData' });

  // Last of all areas: the demo owner, an instance admin, makes a second program from the console. (Earlier, it
  // would make the owner's sign-in ask which program to open.)
  await run.call({ operationId: 'createProgram', as: 'console', body: { name: 'Nordbygg Norge', currency: 'NOK', defaultLanguage: 'nb', timeZone: 'Europe/Oslo' } });
};
export default examples;
