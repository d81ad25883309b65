/**
 * Issue 18, items 2–5 and 8: channel defaults per role and the member's own choice, templates per kind ×
 * language with variables checked before saving (Polish plurals in the preview), tips rotated into earn
 * notices, sends to a segment with consent, counts and signed unsubscribe links, onboarding sequences on
 * the app clock, and cancelling and resending mails from the outbox.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueCampaigns } from '../../src/messages/campaigns.js';
import { sendToMember } from '../../src/messages/dispatch.js';
import { runSequences } from '../../src/messages/sequences.js';
import { countText, variablesOf } from '../../src/messages/templates.js';
import { nextTip } from '../../src/messages/tips.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newWorld, type World } from '../support/ledger.js';
import { earnedByMembers } from '../../src/events/process.js';

let t: TestApp;
let w: World;
const url = 'http://localhost:3000';

beforeAll(async () => {
  t = await startTestApp();
  // Members 0 and 1 are buyers of account 0, member 2 a foreman of account 1.
  w = await newWorld(t, {}, { accounts: 2, members: [0, 0, 1] });
  await w.call('PATCH', `/v1/members/${w.members[0]!.id}`, { email: 'anna@example.com', language: 'pl' });
  await w.call('PATCH', `/v1/members/${w.members[1]!.id}`, { email: 'bo@example.com', language: 'sv' });
  await w.call('PATCH', `/v1/members/${w.members[2]!.id}`, { email: 'cem@example.com', phone: '+46701234567', role: 'foreman' });
});
afterAll(() => t.close());

const mails = async (to: string) =>
  (await sql<{ id: string; template: string; subject: string; body: string; html: string | null; status: string }>`
    SELECT id, template, subject, body, html, status FROM mail_outbox WHERE program_id = ${w.programId} AND to_address = ${to} ORDER BY created_at, id`.execute(t.database.db)).rows;
const inbox = async (memberId: string) =>
  (await sql<{ id: string; title: string; body: string }>`SELECT id, title, body FROM inbox_messages WHERE program_id = ${w.programId} AND member_id = ${memberId} ORDER BY created_at, id`.execute(t.database.db)).rows;
const texts = async (memberId: string) =>
  (await sql<{ body: string; held_until: Date | null }>`SELECT body, held_until FROM sms_outbox WHERE program_id = ${w.programId} AND member_id = ${memberId} ORDER BY created_at, id`.execute(t.database.db)).rows;

describe('templates', () => {
  it('counts in the plural forms of each language', () => {
    expect([1, 2, 5, 22, 25, 112].map((n) => countText('points', n, 'pl'))).toEqual(['1 punkt', '2 punkty', '5 punktów', '22 punkty', '25 punktów', '112 punktów']);
    expect([1, 2].map((n) => countText('points', n, 'en'))).toEqual(['1 point', '2 points']);
    expect([1, 2].map((n) => countText('points', n, 'de'))).toEqual(['1 Punkt', '2 Punkte']);
    expect(countText('points', 1305, 'sv')).toBe('1\u00a0305 poäng');
    expect(countText('steps', 3, 'nb')).toBe('3 steg');
  });

  it('reads the variables a text names, formatted ones too', () => {
    expect(variablesOf('Hi {{name}}, {{points, number}} and {{ balance }}').sort()).toEqual(['balance', 'name', 'points']);
  });

  it('lists every kind in five languages and previews the built-in earn notice in each', async () => {
    const list = await w.call('GET', '/v1/message-templates');
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toHaveLength(4 * 5);
    const subjects: Record<string, string> = {};
    for (const lng of ['en', 'sv', 'nb', 'pl', 'de']) {
      const builtIn = list.json().data.find((x: { kind: string; language: string }) => x.kind === 'earn_notice' && x.language === lng);
      const res = await w.call('POST', `/v1/message-templates/earn_notice/${lng}/preview`, { subject: builtIn.subject, body: builtIn.body, sms: builtIn.sms, sample: { points: 5 } });
      expect(res.statusCode).toBe(200);
      subjects[lng] = res.json().subject;
      expect(res.json().body).not.toContain('{{');
    }
    expect(subjects).toEqual({ en: 'You earned 5 points', sv: 'Du har fått 5 poäng', nb: 'Du har fått 5 poeng', pl: 'Otrzymujesz 5 punktów', de: 'Sie haben 5 Punkte erhalten' });
  });

  it('previews a Polish text with the plural form that fits the count', async () => {
    const body = { subject: 'Masz {{pointsText}}', body: '{{name}}, saldo: {{balanceText}}', sms: null };
    const one = await w.call('POST', '/v1/message-templates/earn_notice/pl/preview', { ...body, sample: { points: 1, balance: 3 } });
    const few = await w.call('POST', '/v1/message-templates/earn_notice/pl/preview', { ...body, sample: { points: 3, balance: 1 } });
    expect([one.json().subject, one.json().body]).toEqual(['Masz 1 punkt', 'Anna Kowalska, saldo: 3 punkty']);
    expect([few.json().subject, few.json().sms]).toEqual(['Masz 3 punkty', 'Anna Kowalska, saldo: 1 punkt']);
  });

  it('refuses an unknown variable before saving, and saves a known one', async () => {
    const bad = await w.call('PUT', '/v1/message-templates/welcome/en', { subject: 'Welcome {{firstName}}', body: 'Hi' });
    expect([bad.statusCode, bad.json().code]).toEqual([422, 'template_variable_unknown']);
    const badPreview = await w.call('POST', '/v1/message-templates/welcome/en/preview', { subject: 'x', body: 'Hi {{points}}' });
    expect([badPreview.statusCode, badPreview.json().code]).toEqual([422, 'template_variable_unknown']);
    const list = (await w.call('GET', '/v1/message-templates')).json().data;
    expect(list.find((x: { kind: string; language: string }) => x.kind === 'welcome' && x.language === 'en').custom).toBe(false);
    const ok = await w.call('PUT', '/v1/message-templates/welcome/en', { subject: 'Welcome aboard, {{name}}', body: 'Hi {{name}}, this is {{programName}}. {{portalUrl}}' });
    expect([ok.statusCode, ok.json().custom]).toEqual([200, true]);
  });
});

describe('channels', () => {
  it('takes the role default, then the member’s own choice, refusing an unreachable channel', async () => {
    const set = await w.call('PUT', '/v1/message-channels', { data: [{ role: 'foreman', channels: ['sms', 'inbox'] }, { role: '', channels: ['email'] }] });
    expect(set.statusCode).toBe(200);
    const foreman = (await w.call('GET', `/v1/members/${w.members[2]!.id}/message-preferences`)).json();
    expect([foreman.effective, foreman.source]).toEqual([['sms', 'inbox'], 'role']);
    const buyer = (await w.call('GET', `/v1/members/${w.members[1]!.id}/message-preferences`)).json();
    expect([buyer.effective, buyer.source]).toEqual([['email'], 'program']);
    const noPhone = await w.call('PUT', `/v1/members/${w.members[1]!.id}/message-preferences`, { channels: ['sms'] });
    expect([noPhone.statusCode, noPhone.json().code]).toEqual([422, 'channel_unreachable']);
    const empty = await w.call('PUT', '/v1/message-channels', { data: [{ role: 'x', channels: [] }] });
    expect([empty.statusCode, empty.json().code]).toEqual([422, 'channels_empty']);
    const twice = await w.call('PUT', '/v1/message-channels', { data: [{ role: 'x', channels: ['email'] }, { role: 'x', channels: ['sms'] }] });
    expect([twice.statusCode, twice.json().code]).toEqual([422, 'channel_role_duplicate']);
    const zone = await w.call('PUT', `/v1/members/${w.members[2]!.id}/message-preferences`, { timeZone: 'Mars/Olympus' });
    expect([zone.statusCode, zone.json().code]).toEqual([422, 'time_zone_unknown']);
    const own = await w.call('PUT', `/v1/members/${w.members[1]!.id}/message-preferences`, { channels: ['inbox', 'email'] });
    expect([own.json().effective, own.json().source]).toEqual([['email', 'inbox'], 'member']);
  });
});

describe('earn notices with tips', () => {
  it('rotates tips so the same one never comes twice in a row', () => {
    const pool = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const seen: string[] = [];
    let last: string | null = null;
    for (let i = 0; i < 7; i++) last = nextTip(pool, last)!.id, seen.push(last);
    expect(seen).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
    expect(nextTip([{ id: 'a' }], 'a')).toBeNull();
    expect(nextTip([], null)).toBeNull();
  });

  it("counts only the points paid into the member's own wallet, and tells nothing of an event that paid only the company", () => {
    const posting = (walletId: string, points: number) => ({ walletId, points });
    const event = (id: string, member: string | null) => ({ id, member: member && { id: member }, account: { id: 'acc' } });
    const records = new Map([
      ['e1', { postings: [posting('acc', 30), posting('m1', 20)] }],
      ['e2', { postings: [posting('acc', 10)] }],
      ['e3', { postings: [posting('m1', 5)] }],
    ]);
    const told = earnedByMembers([event('e1', 'm1'), event('e2', 'm1'), event('e3', null)] as never, records as never);
    expect(told).toEqual([{ eventId: 'e1', memberId: 'm1', accountId: 'acc', points: 20 }]);
  });

  it('tells the member on their channels, in their language and time zone, with the next tip each time', async () => {
    for (const text of ['Wskazówka A', 'Wskazówka B']) expect((await w.call('POST', '/v1/message-tips', { language: 'pl', text })).statusCode).toBe(201);
    expect((await w.call('POST', '/v1/message-tips', { language: 'en', text: 'Foreman tip', segmentKey: 'no-such-segment' })).statusCode).toBe(404);
    // Off by default: nothing is told.
    t.clock.set('2026-11-25T12:00:00Z');
    await w.call('POST', '/v1/events', { id: 'EN-0', type: 'purchase', occurredAt: '2026-11-25T10:00:00Z', account: 'C-0', member: 'M-0', lines: [{ sku: 'DRILL', quantity: 1, amount: 10000 }] });
    expect(await mails('anna@example.com')).toHaveLength(0);
    expect((await w.call('PUT', '/v1/message-settings', { earnNotices: true })).json().earnNotices).toBe(true);
    for (const id of ['EN-1', 'EN-2', 'EN-3']) {
      const res = await w.call('POST', '/v1/events', { id, type: 'purchase', occurredAt: '2026-11-25T10:00:00Z', account: 'C-0', member: 'M-0', lines: [{ sku: 'DRILL', quantity: 1, amount: 10000 }] });
      expect(res.statusCode).toBeLessThan(300);
    }
    const notices = await mails('anna@example.com');
    expect(notices.map((m) => m.template)).toEqual(['earn_notice', 'earn_notice', 'earn_notice']);
    expect(notices[0]!.subject).toMatch(/^Otrzymujesz \d+ punkt/);
    const tips = notices.map((m) => (m.body.includes('Wskazówka A') ? 'A' : m.body.includes('Wskazówka B') ? 'B' : '-'));
    expect(tips).toEqual(['A', 'B', 'A']);
    // The foreman gets SMS and inbox, by the role default, not e-mail.
    await w.call('POST', '/v1/events', { id: 'EN-F', type: 'purchase', occurredAt: '2026-11-25T10:00:00Z', account: 'C-1', member: 'M-2', lines: [{ sku: 'DRILL', quantity: 1, amount: 10000 }] });
    expect(await mails('cem@example.com')).toHaveLength(0);
    expect(await inbox(w.members[2]!.id)).toHaveLength(1);
    expect(await texts(w.members[2]!.id)).toHaveLength(1);
  });

  it('holds an SMS written at night in the member’s own time zone until their morning', async () => {
    await w.call('PUT', `/v1/members/${w.members[2]!.id}/message-preferences`, { timeZone: 'Asia/Bangkok' });
    const now = new Date('2026-11-25T15:30:00Z'); // 22:30 in Bangkok, 16:30 in the program's Stockholm
    const member = { id: w.members[2]!.id, name: 'Cem', role: 'foreman', email: 'cem@example.com', phone: '+46701234567', language: 'en' };
    await t.database.db.transaction().execute((trx) =>
      sendToMember(trx, w.programId, { timeZone: 'Europe/Stockholm' }, member, { template: 'welcome', rendered: { subject: 'Hi', body: 'Hi', sms: 'Hi' }, language: 'en', key: 'night-1', createdBy: 'test' }, 'transactional', now),
    );
    const { rows } = await sql<{ held_until: Date }>`SELECT held_until FROM sms_outbox WHERE program_id = ${w.programId} AND idempotency_key = 'night-1:sms'`.execute(t.database.db);
    expect(new Date(rows[0]!.held_until).toISOString()).toBe('2026-11-26T01:00:00.000Z'); // 08:00 in Bangkok
  });

  it('writes nothing for a batch that rolls back', async () => {
    const before = (await mails('anna@example.com')).length;
    // A refused event (unknown SKU) in a batch of one: the batch answers 4xx and nothing is written.
    const res = await w.call('POST', '/v1/events', { id: 'EN-BAD', type: 'purchase', occurredAt: '2026-11-25T10:00:00Z', account: 'C-0', member: 'M-0', lines: [{ sku: 'NOPE', quantity: 1, amount: 1 }] });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect((await mails('anna@example.com')).length).toBe(before);
  });
});

describe('sends to a segment', () => {
  let campaignId: string;
  const audience = { field: 'role', op: 'eq', value: 'buyer' };

  it('refuses unknown variables, a missing default language, and an audience without consent', async () => {
    const unknown = await w.call('POST', '/v1/message-campaigns', { name: 'x', channel: 'email', audience, content: { en: { subject: 'Hi {{firstName}}', body: 'x' } } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, 'template_variable_unknown']);
    const noDefault = await w.call('POST', '/v1/message-campaigns', { name: 'x', channel: 'email', audience, content: { pl: { subject: 'Hej', body: 'x' } } });
    expect([noDefault.statusCode, noDefault.json().code]).toEqual([422, 'message_campaign_language_missing']);
    const badField = await w.call('POST', '/v1/message-campaigns', { name: 'x', channel: 'email', audience: { field: 'shoeSize', op: 'eq', value: 1 }, content: { en: { subject: 'x', body: 'x' } } });
    expect([badField.statusCode, badField.json().code]).toEqual([422, 'segment_field_unknown']);
    const created = await w.call('POST', '/v1/message-campaigns', {
      name: 'December news', channel: 'email', purpose: 'newsletter', audience,
      content: { en: { subject: 'News for {{name}}', body: 'Hello {{name}}, here is the news from {{programName}}.' }, pl: { subject: 'Nowości dla {{name}}', body: 'Dzień dobry {{name}}, oto nowości.' } },
    });
    expect(created.statusCode).toBe(201);
    campaignId = created.json().id;
    expect((await w.call('GET', `/v1/message-campaigns/${campaignId}/audience`)).json()).toEqual({ matched: 2, withConsent: 0 });
    const none = await w.call('POST', `/v1/message-campaigns/${campaignId}/schedule`, {});
    expect([none.statusCode, none.json().code]).toEqual([422, 'audience_without_consent']);
  });

  it('sends a test marked as such, outside the counts', async () => {
    const res = await w.call('POST', `/v1/message-campaigns/${campaignId}/test`, { to: 'marketer@example.com', language: 'pl' });
    expect([res.statusCode, res.json().subject]).toEqual([201, '[TEST] Nowości dla Anna Kowalska']);
    expect((await mails('marketer@example.com'))[0]!.template).toBe('campaign_test');
    const badPhone = await w.call('POST', '/v1/message-campaigns', { name: 'sms', channel: 'sms', audience, content: { en: { subject: 'x', body: 'x' } } });
    const smsTest = await w.call('POST', `/v1/message-campaigns/${badPhone.json().id}/test`, { to: '0701234567' });
    expect([smsTest.statusCode, smsTest.json().code]).toEqual([422, 'phone_not_e164']);
  });

  it('schedules, sends once to members with consent only, counts, and unsubscribes by a signed link', async () => {
    await w.call('POST', `/v1/members/${w.members[0]!.id}/consents`, { purpose: 'newsletter', channel: 'email', granted: true });
    t.clock.set('2026-11-26T09:00:00Z');
    const past = await w.call('POST', `/v1/message-campaigns/${campaignId}/schedule`, { at: '2026-11-26T08:00:00Z' });
    expect([past.statusCode, past.json().code]).toEqual([422, 'message_campaign_schedule_past']);
    const scheduled = await w.call('POST', `/v1/message-campaigns/${campaignId}/schedule`, { at: '2026-11-26T10:00:00Z' });
    expect([scheduled.statusCode, scheduled.json().status]).toEqual([200, 'scheduled']);
    expect(await runDueCampaigns(t.database.db, t.clock(), url)).toBe(0);
    t.clock.set('2026-11-26T10:00:00Z');
    expect(await runDueCampaigns(t.database.db, t.clock(), url)).toBe(1);
    expect(await runDueCampaigns(t.database.db, t.clock(), url)).toBe(0);
    const sent = (await mails('anna@example.com')).filter((m) => m.template === `campaign:${campaignId}`);
    expect(sent).toHaveLength(1);
    expect((await mails('bo@example.com')).filter((m) => m.template.startsWith('campaign:'))).toHaveLength(0);
    expect(sent[0]!.subject).toBe('Nowości dla Person M-0');
    const unsubscribeUrl = /(http:\/\/localhost:3000\/unsubscribe\/\S+)/.exec(sent[0]!.body)![1]!;
    const pixel = /src="http:\/\/localhost:3000(\/v1\/message-opens\/[^"]+)"/.exec(sent[0]!.html!)![1]!;

    const cannotEdit = await w.call('POST', `/v1/message-campaigns/${campaignId}/cancel`);
    expect([cannotEdit.statusCode, cannotEdit.json().code]).toEqual([409, 'message_campaign_not_editable']);

    // Delivery, an open and a bounce show in the counts.
    await sql`UPDATE mail_outbox SET status = 'sent' WHERE program_id = ${w.programId} AND id = ${sent[0]!.id}`.execute(t.database.db);
    const opened = await t.app.inject({ method: 'GET', url: pixel });
    expect([opened.statusCode, opened.headers['content-type']]).toEqual([200, 'image/gif']);
    expect((await t.app.inject({ method: 'GET', url: '/v1/message-opens/forged.token-value' })).statusCode).toBe(200);
    let counts = (await w.call('GET', `/v1/message-campaigns/${campaignId}`)).json().counts;
    expect(counts).toEqual({ recipients: 1, sent: 1, delivered: 1, opened: 1, failed: 0, bounced: 0 });
    expect((await w.call('POST', `/v1/outbox/${sent[0]!.id}/bounce`)).statusCode).toBe(200);
    counts = (await w.call('GET', `/v1/message-campaigns/${campaignId}`)).json().counts;
    expect([counts.delivered, counts.bounced]).toEqual([0, 1]);

    // Unsubscribing needs no sign-in; a changed token is refused with its own code.
    const token = unsubscribeUrl.split('/unsubscribe/')[1]!;
    expect(token.length).toBeLessThan(100);
    const [payload, mac] = token.split('.');
    // Another member's id in the claims, the signature kept: refused.
    const bytes = Buffer.from(payload!, 'base64url');
    Buffer.from(w.members[1]!.id.replace(/-/g, ''), 'hex').copy(bytes, 18);
    const forged = `${bytes.toString('base64url')}.${mac}`;
    for (const bad of [forged, `${token}x`, 'not-a-token-at-all']) {
      const res = await t.app.inject({ method: 'POST', url: `/v1/unsubscribe/${bad}` });
      expect([res.statusCode, res.json().code]).toEqual([400, 'unsubscribe_token_invalid']);
    }
    const about = await t.app.inject({ method: 'GET', url: `/v1/unsubscribe/${token}` });
    expect(about.json()).toMatchObject({ channel: 'email', purpose: 'newsletter' });
    const done = await t.app.inject({ method: 'POST', url: `/v1/unsubscribe/${token}` });
    expect([done.statusCode, done.json().withdrawn]).toEqual([200, true]);
    expect((await t.app.inject({ method: 'POST', url: `/v1/unsubscribe/${token}` })).json().withdrawn).toBe(false);
    const history = (await w.call('GET', `/v1/members/${w.members[0]!.id}/consents`)).json();
    const last = (history.records ?? history.history ?? history.data).at(-1);
    expect(last).toMatchObject({ purpose: 'newsletter', channel: 'email', granted: false, source: 'unsubscribe_link' });
  });
});

describe('changing a send before it goes', () => {
  it('changes a draft and a scheduled send, keeps a scheduled one reaching someone with consent, and refuses once cancelled', async () => {
    t.clock.set('2026-11-27T09:00:00Z');
    await w.call('POST', `/v1/members/${w.members[2]!.id}/consents`, { purpose: 'newsletter', channel: 'email', granted: true });
    const body = { name: 'Site news', channel: 'email', purpose: 'newsletter', audience: { field: 'role', op: 'eq', value: 'foreman' }, content: { en: { subject: 'News', body: 'Hello {{name}}' } } };
    const id = (await w.call('POST', '/v1/message-campaigns', body)).json().id;
    const draft = await w.call('PUT', `/v1/message-campaigns/${id}`, { ...body, name: 'Site news, December' });
    expect([draft.statusCode, draft.json().name, draft.json().status]).toEqual([200, 'Site news, December', 'draft']);
    await w.call('POST', `/v1/message-campaigns/${id}/schedule`, { at: '2026-11-28T09:00:00Z' });
    const edited = await w.call('PUT', `/v1/message-campaigns/${id}`, { ...body, content: { en: { subject: 'News for {{name}}', body: 'Hello again {{name}}' } } });
    expect([edited.statusCode, edited.json().status, edited.json().scheduledAt, edited.json().content.en.subject]).toEqual([200, 'scheduled', '2026-11-28T09:00:00.000Z', 'News for {{name}}']);
    // Nobody among the buyers has newsletter consent by e-mail now (the one who had it unsubscribed).
    const nobody = await w.call('PUT', `/v1/message-campaigns/${id}`, { ...body, audience: { field: 'role', op: 'eq', value: 'buyer' } });
    expect([nobody.statusCode, nobody.json().code]).toEqual([422, 'audience_without_consent']);
    const unknown = await w.call('PUT', `/v1/message-campaigns/${id}`, { ...body, content: { en: { subject: 'x', body: '{{firstName}}' } } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, 'template_variable_unknown']);
    await w.call('POST', `/v1/message-campaigns/${id}/cancel`);
    const cancelled = await w.call('PUT', `/v1/message-campaigns/${id}`, body);
    expect([cancelled.statusCode, cancelled.json().code]).toEqual([409, 'message_campaign_not_editable']);
  });
});

describe('onboarding sequence', () => {
  it('sends each step once when due, and skips a step the member already did', async () => {
    const { programId, key } = await t.newProgram({});
    const call = (m: string, u: string, b?: unknown) => t.call(m, u, b, key);
    const joined = new Date('2026-12-01T09:00:00Z');
    t.clock.set(joined);
    expect((await call('POST', '/v1/message-sequence', { day: 0, kind: 'welcome' })).statusCode).toBe(201);
    expect((await call('POST', '/v1/message-sequence', { day: 3, kind: 'first_purchase_tip', stopWhen: 'first_purchase' })).statusCode).toBe(201);
    const bad = await call('POST', '/v1/message-sequence', { day: 3, kind: 'newsletter' });
    expect(bad.statusCode).toBe(400);
    const account = (await call('POST', '/v1/accounts', { externalId: 'S-1', name: 'Site One' })).json().id;
    const ids: string[] = [];
    for (const [i, email] of ['one@example.com', 'two@example.com'].entries()) {
      const m = await call('POST', '/v1/members', { accountId: account, externalId: `SM-${i}`, name: `Seq ${i}`, email });
      expect(m.statusCode).toBe(201);
      ids.push(m.json().id);
    }
    await sql`UPDATE members SET created_at = ${joined} WHERE program_id = ${programId}`.execute(t.database.db);
    const mailsTo = async (to: string) =>
      (await sql<{ template: string }>`SELECT template FROM mail_outbox WHERE program_id = ${programId} AND to_address = ${to} AND template <> 'invitation' ORDER BY created_at, id`.execute(t.database.db)).rows.map((r) => r.template);

    expect(await runSequences(t.database.db, t.clock(), url, programId)).toEqual({ sent: 2, skipped: 0 });
    expect(await runSequences(t.database.db, t.clock(), url, programId)).toEqual({ sent: 0, skipped: 0 });
    // Member one buys on day 1; on day 3 only member two gets the first-purchase tip.
    await sql`INSERT INTO events (program_id, id, external_id, type, account_id, member_id, occurred_at, hash, received_at)
      VALUES (${programId}, gen_random_uuid(), 'SP-1', 'purchase', ${account}, ${ids[0]}, ${joined}, 'h', ${joined})`.execute(t.database.db).catch(() => undefined);
    t.clock.set(new Date(joined.getTime() + 3 * 86_400_000));
    const run = await runSequences(t.database.db, t.clock(), url, programId);
    expect(run.sent + run.skipped).toBe(2);
    expect(await mailsTo('two@example.com')).toEqual(['welcome', 'first_purchase_tip']);
    const steps = (await call('GET', '/v1/message-sequence')).json().data;
    expect(steps.map((s: { day: number; sent: number }) => [s.day, s.sent])).toEqual([[0, 2], [3, run.sent]]);
  });
});

describe('outbox in the console', () => {
  it('cancels a pending mail and resends a sent one, refusing the wrong states', async () => {
    const [pending] = await mails('marketer@example.com');
    expect(pending?.status).toBe('pending');
    const resendPending = await w.call('POST', `/v1/outbox/${pending!.id}/resend`);
    expect([resendPending.statusCode, resendPending.json().code]).toEqual([409, 'outbox_mail_not_resendable']);
    const cancelled = await w.call('POST', `/v1/outbox/${pending!.id}/cancel`);
    expect([cancelled.statusCode, cancelled.json().status]).toEqual([200, 'cancelled']);
    const again = await w.call('POST', `/v1/outbox/${pending!.id}/cancel`);
    expect([again.statusCode, again.json().code]).toEqual([409, 'outbox_mail_not_pending']);
    const copy = await w.call('POST', `/v1/outbox/${pending!.id}/resend`);
    expect([copy.statusCode, copy.json().status, copy.json().to]).toEqual([201, 'pending', 'marketer@example.com']);
    expect((await w.call('GET', '/v1/outbox?status=cancelled')).json().data.map((m: { id: string }) => m.id)).toContain(pending!.id);
  });
});

describe('erasure', () => {
  it('removes the member’s channel choice and last tip, after which the member’s message routes answer 410', async () => {
    const m = w.members[1]!;
    await w.call('PATCH', `/v1/members/${m.id}`, { phone: '+46701234599' });
    expect((await w.call('PUT', `/v1/members/${m.id}/message-preferences`, { channels: ['sms', 'inbox'], timeZone: 'Europe/Oslo' })).statusCode).toBe(200);
    const tip = (await w.call('POST', '/v1/message-tips', { language: 'sv', text: 'Visste du att du kan byta kanal?' })).json();
    await sql`INSERT INTO member_last_tip (program_id, member_id, tip_id, shown_at) VALUES (${w.programId}, ${m.id}, ${tip.id}, ${t.clock()})
      ON CONFLICT (program_id, member_id) DO UPDATE SET tip_id = excluded.tip_id`.execute(t.database.db);
    expect((await w.call('POST', `/v1/members/${m.id}/erase`)).statusCode).toBe(201);
    const left = await sql<{ n: number }>`
      SELECT (SELECT count(*) FROM member_message_preferences WHERE program_id = ${w.programId} AND member_id = ${m.id})::int
           + (SELECT count(*) FROM member_last_tip WHERE program_id = ${w.programId} AND member_id = ${m.id})::int AS n`.execute(t.database.db);
    expect(left.rows[0]!.n).toBe(0);
    for (const [method, path, body] of [
      ['GET', `/v1/members/${m.id}/message-preferences`, undefined],
      ['PUT', `/v1/members/${m.id}/message-preferences`, { channels: ['email'] }],
      ['POST', `/v1/members/${m.id}/sms`, { message: 'Hej', idempotencyKey: 'erased-sms-1' }],
      ['POST', `/v1/members/${m.id}/inbox`, { title: 'Hej', body: 'Hej' }],
    ] as const) {
      const res = await w.call(method, path, body);
      expect([method, path, res.statusCode, res.json().code]).toEqual([method, path, 410, 'member_erased']);
    }
  });
});
