/**
 * Sends to an audience (newsletters, announcements). A campaign names a channel, the consent purpose it
 * relies on, an audience as a segment filter over members (segment field, tier, role, tags…, resolved by
 * src/segments), and its text per language. Only members with consent for that purpose on that channel
 * get it; a test goes to an address or number the sender gives. Sending now or at a time is the same job:
 * the campaign is claimed in one transaction that writes every recipient's outbox row and marks it sent,
 * so a second run (or a second process) finds nothing left to send.
 *
 * Every message carries an unsubscribe link, signed with the program's link key: opening it needs no
 * sign-in, and confirming records a consent withdrawal (source `unsubscribe_link`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { splitSignedToken } from '../http/signed-tokens.js';
import { translator, type Language } from '../i18n/index.js';
import { enqueueRenderedMail } from '../mail/outbox.js';
import { membersWithConsent, recordConsent, type ConsentPurpose } from '../privacy/consent.js';
import { selectMatching } from '../segments/store.js';
import { validateFilter, type Filter } from '../segments/filter.js';
import type { MessageChannel } from './channels.js';
import { recipientLanguage, sendToMember, type Recipient } from './dispatch.js';
import { linkKey } from './links.js';
import { e164 } from './sms.js';
import { queueSms } from './sms-outbox.js';
import { campaignVariables, renderText, requireKnownVariables } from './templates.js';

export type CampaignPurpose = Extract<ConsentPurpose, 'marketing' | 'newsletter'>;
export type CampaignStatus = 'draft' | 'scheduled' | 'sent' | 'cancelled';
export type CampaignContent = Partial<Record<Language, { subject: string; body: string }>>;

export interface CampaignCounts {
  recipients: number;
  sent: number;
  /** SMS: as the provider's delivery reports say; e-mail: sent and not bounced. */
  delivered: number | null;
  /** null where it cannot be measured (SMS). */
  opened: number | null;
  failed: number;
  bounced: number;
}

export interface Campaign {
  id: string;
  name: string;
  channel: MessageChannel;
  purpose: CampaignPurpose;
  audience: Filter;
  content: CampaignContent;
  status: CampaignStatus;
  scheduledAt: Date | null;
  sentAt: Date | null;
  counts: CampaignCounts | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: string;
  name: string;
  channel: MessageChannel;
  purpose: CampaignPurpose;
  audience: Filter | string;
  content: CampaignContent | string;
  status: CampaignStatus;
  scheduled_at: Date | string | null;
  sent_at: Date | string | null;
  recipients: number | null;
  created_by: string;
  created_at: Date | string;
  updated_at: Date | string;
}
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const date = (v: Date | string | null) => (v === null ? null : new Date(v));
const columns = sql`id, name, channel, purpose, audience, content, status, scheduled_at, sent_at, recipients, created_by, created_at, updated_at`;
const toCampaign = (r: Row, counts: CampaignCounts | null): Campaign => ({
  id: r.id,
  name: r.name,
  channel: r.channel,
  purpose: r.purpose,
  audience: json(r.audience),
  content: json(r.content),
  status: r.status,
  scheduledAt: date(r.scheduled_at),
  sentAt: date(r.sent_at),
  counts,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export interface CampaignInput {
  name: string;
  channel: MessageChannel;
  purpose: CampaignPurpose;
  audience: Filter;
  content: CampaignContent;
}

function validateCampaign(input: CampaignInput, defaultLanguage: Language): void {
  validateFilter(input.audience, 'member');
  if (!input.content[defaultLanguage]) throw new LojalError('message_campaign_language_missing', { language: defaultLanguage });
  for (const [language, text] of Object.entries(input.content)) {
    requireKnownVariables(text.subject, campaignVariables, `content.${language}.subject`);
    requireKnownVariables(text.body, campaignVariables, `content.${language}.body`);
  }
}

export async function createCampaign(trx: Db, programId: string, defaultLanguage: Language, input: CampaignInput, by: string, now: Date): Promise<Campaign> {
  validateCampaign(input, defaultLanguage);
  const { rows } = await sql<Row>`
    INSERT INTO message_campaigns (program_id, id, name, channel, purpose, audience, content, created_by, created_at, updated_at)
    VALUES (${programId}, ${uuidv7()}, ${input.name}, ${input.channel}, ${input.purpose}, ${JSON.stringify(input.audience)}::jsonb,
            ${JSON.stringify(input.content)}::jsonb, ${by}, ${now}, ${now})
    RETURNING ${columns}`.execute(trx);
  return toCampaign(rows[0]!, null);
}

async function loadRow(db: Db, programId: string, id: string, forUpdate = false): Promise<Row> {
  const { rows } = await sql<Row>`
    SELECT ${columns} FROM message_campaigns WHERE program_id = ${programId} AND id = ${id} ${forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  if (!rows[0]) throw new LojalError('not_found', { entity: 'message campaign', id });
  return rows[0];
}

/**
 * Changes a campaign that has not gone yet: a draft, or a scheduled one (which stays scheduled for its time,
 * so its new audience must still hold someone with consent, as scheduling required).
 */
export async function updateCampaign(trx: Db, programId: string, defaultLanguage: Language, id: string, input: CampaignInput, now: Date): Promise<Campaign> {
  const row = await loadRow(trx, programId, id, true);
  if (row.status !== 'draft' && row.status !== 'scheduled') throw new LojalError('message_campaign_not_editable', { status: row.status });
  validateCampaign(input, defaultLanguage);
  if (row.status === 'scheduled') {
    const audience = await audienceOf(trx, programId, input, now);
    if (audience.reachable.length === 0) throw new LojalError('audience_without_consent', { matched: audience.matched, purpose: input.purpose, channel: input.channel });
  }
  const { rows } = await sql<Row>`
    UPDATE message_campaigns SET name = ${input.name}, channel = ${input.channel}, purpose = ${input.purpose},
      audience = ${JSON.stringify(input.audience)}::jsonb, content = ${JSON.stringify(input.content)}::jsonb, updated_at = ${now}
    WHERE program_id = ${programId} AND id = ${id} RETURNING ${columns}`.execute(trx);
  return toCampaign(rows[0]!, null);
}

export async function getCampaign(db: Db, programId: string, id: string): Promise<Campaign> {
  const row = await loadRow(db, programId, id);
  return toCampaign(row, row.status === 'sent' ? await campaignCounts(db, programId, row) : null);
}

export async function listCampaigns(db: Db, programId: string, limit: number): Promise<Campaign[]> {
  const { rows } = await sql<Row>`
    SELECT ${columns} FROM message_campaigns WHERE program_id = ${programId} ORDER BY created_at DESC, id DESC LIMIT ${limit}`.execute(db);
  const out: Campaign[] = [];
  for (const r of rows) out.push(toCampaign(r, r.status === 'sent' ? await campaignCounts(db, programId, r) : null));
  return out;
}

/** Members the audience selects now, and of them those a send would reach (consent and an address). */
export async function audienceOf(db: Db, programId: string, c: Pick<Campaign, 'audience' | 'channel' | 'purpose'>, now: Date): Promise<{ matched: number; reachable: string[] }> {
  const matching = selectMatching(programId, 'member', c.audience, now);
  const consenting = await membersWithConsent(db, programId, c.purpose, c.channel);
  const { rows } = await sql<{ id: string; ok: boolean }>`
    SELECT m.id, (m.id = ANY(${consenting}::uuid[])
        AND ${c.channel === 'email' ? sql`m.email IS NOT NULL` : c.channel === 'sms' ? sql`m.phone IS NOT NULL` : sql`true`}
        AND NOT EXISTS (SELECT 1 FROM member_erasures e WHERE e.program_id = m.program_id AND e.member_id = m.id)) AS ok
    FROM members m WHERE m.program_id = ${programId} AND m.status = 'active' AND m.id IN (${matching})`.execute(db);
  return { matched: rows.length, reachable: rows.filter((r) => r.ok).map((r) => r.id) };
}

/**
 * Schedules the send (at `at`, or now when left out). Refused when nobody in the audience has consent: a
 * send to a segment without consent is an error, not an empty send.
 */
export async function scheduleCampaign(trx: Db, programId: string, id: string, at: Date | null, now: Date): Promise<Campaign> {
  const row = await loadRow(trx, programId, id, true);
  if (row.status !== 'draft' && row.status !== 'scheduled') throw new LojalError('message_campaign_not_editable', { status: row.status });
  if (at && at.getTime() < now.getTime()) throw new LojalError('message_campaign_schedule_past', { at: at.toISOString() });
  const c = toCampaign(row, null);
  const audience = await audienceOf(trx, programId, c, now);
  if (audience.reachable.length === 0) throw new LojalError('audience_without_consent', { matched: audience.matched, purpose: c.purpose, channel: c.channel });
  const { rows } = await sql<Row>`
    UPDATE message_campaigns SET status = 'scheduled', scheduled_at = ${at ?? now}, updated_at = ${now}
    WHERE program_id = ${programId} AND id = ${id} RETURNING ${columns}`.execute(trx);
  return toCampaign(rows[0]!, null);
}

export async function cancelCampaign(trx: Db, programId: string, id: string, now: Date): Promise<Campaign> {
  const row = await loadRow(trx, programId, id, true);
  if (row.status !== 'draft' && row.status !== 'scheduled') throw new LojalError('message_campaign_not_editable', { status: row.status });
  const { rows } = await sql<Row>`
    UPDATE message_campaigns SET status = 'cancelled', updated_at = ${now} WHERE program_id = ${programId} AND id = ${id} RETURNING ${columns}`.execute(trx);
  return toCampaign(rows[0]!, null);
}

// ---------------------------------------------------------------- signed links

export interface LinkClaims {
  /** what the link does: u = unsubscribe, o = an e-mail was opened */
  a: 'u' | 'o';
  p: string;
  m: string;
  c: MessageChannel;
  u: CampaignPurpose;
  k: string;
}

// A link's claims packed in 50 bytes (so the token stays well under the 200 characters a path segment may
// have): action and channel/purpose in one byte each, then the program, member and campaign ids.
const actions = ['u', 'o'] as const;
const channelPurposes = [['email', 'marketing'], ['email', 'newsletter'], ['sms', 'marketing'], ['sms', 'newsletter'], ['inbox', 'marketing'], ['inbox', 'newsletter']] as const;
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidOf = (b: Buffer) => b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
/** The MAC is cut to 16 bytes: 128 bits is plenty against guessing, and keeps the link short. */
const macBytes = 16;

function pack(c: LinkClaims): Buffer {
  const cp = channelPurposes.findIndex(([ch, pu]) => ch === c.c && pu === c.u);
  return Buffer.concat([Buffer.from([actions.indexOf(c.a), cp]), uuidBytes(c.p), uuidBytes(c.m), uuidBytes(c.k)]);
}

function unpack(b: Buffer): LinkClaims | null {
  if (b.length !== 50) return null;
  const a = actions[b[0]!];
  const cp = channelPurposes[b[1]!];
  if (!a || !cp) return null;
  return { a, c: cp[0], u: cp[1], p: uuidOf(b.subarray(2, 18)), m: uuidOf(b.subarray(18, 34)), k: uuidOf(b.subarray(34, 50)) };
}

const sign = (key: Buffer, payload: Buffer) => createHmac('sha256', key).update(payload).digest().subarray(0, macBytes);

export async function signLink(db: Db, claims: LinkClaims, now: Date): Promise<string> {
  const payload = pack(claims);
  return `${payload.toString('base64url')}.${sign(await linkKey(db, claims.p, now), payload).toString('base64url')}`;
}

/** The claims of an untouched link; anything changed, cut or made up is `unsubscribe_token_invalid`. */
export async function verifyLink(db: Db, token: string, action: LinkClaims['a'], now: Date): Promise<LinkClaims> {
  const invalid = () => new LojalError('unsubscribe_token_invalid');
  const parts = splitSignedToken(token);
  if (!parts) throw invalid();
  const { payload, mac: given } = parts;
  const claims = unpack(payload);
  if (!claims || claims.a !== action) throw invalid();
  const program = await sql`SELECT 1 FROM programs WHERE id = ${claims.p}`.execute(db);
  if (program.rows.length === 0) throw invalid();
  const expected = sign(await linkKey(db, claims.p, now), payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  return claims;
}

/** What an unsubscribe link is about, for the page that asks the person to confirm. */
export async function describeUnsubscribe(db: Db, token: string, now: Date) {
  const c = await verifyLink(db, token, 'u', now);
  const { rows } = await sql<{ name: string }>`SELECT name FROM programs WHERE id = ${c.p}`.execute(db);
  return { programName: rows[0]!.name, channel: c.c, purpose: c.u };
}

/** Confirms an unsubscribe link: a consent withdrawal for the purpose on the channel, once. */
export async function unsubscribe(db: Db, token: string, ip: string | null, now: Date) {
  const c = await verifyLink(db, token, 'u', now);
  const result = await db.transaction().execute((trx) =>
    recordConsent(trx, c.p, c.m, { purpose: c.u, channel: c.c, granted: false, source: 'unsubscribe_link', ip, recordedBy: `unsubscribe:${c.k}` }, now),
  );
  const { rows } = await sql<{ name: string }>`SELECT name FROM programs WHERE id = ${c.p}`.execute(db);
  return { programName: rows[0]!.name, channel: c.c, purpose: c.u, withdrawn: result.created, recordedAt: result.record.recordedAt };
}

/** An open-tracking pixel was loaded: the first open counts. A bad token is ignored (the image still loads). */
export async function recordOpen(db: Db, token: string, now: Date): Promise<void> {
  let c: LinkClaims;
  try {
    c = await verifyLink(db, token, 'o', now);
  } catch {
    return;
  }
  await sql`
    UPDATE message_campaign_recipients SET opened_at = ${now}
    WHERE program_id = ${c.p} AND campaign_id = ${c.k} AND member_id = ${c.m} AND opened_at IS NULL`.execute(db);
}

/** A bounce reported for a campaign mail (by the mail server's bounce handling). */
export async function recordBounce(db: Db, programId: string, mailId: string, now: Date): Promise<boolean> {
  const res = await sql`
    UPDATE message_campaign_recipients SET bounced_at = coalesce(bounced_at, ${now})
    WHERE program_id = ${programId} AND message_id = ${mailId}`.execute(db);
  return Number(res.numAffectedRows ?? 0) > 0;
}

// ---------------------------------------------------------------- sending

interface ProgramInfo {
  id: string;
  name: string;
  timeZone: string;
  defaultLanguage: Language;
}

function textFor(c: Campaign, language: Language, fallback: Language) {
  return c.content[language] ?? c.content[fallback]!;
}

/** The message one recipient gets, with the unsubscribe line under it. */
function renderFor(c: Campaign, program: ProgramInfo, language: Language, name: string, urls: { portal: string; unsubscribe: string }) {
  const text = textFor(c, language, program.defaultLanguage);
  const vars = { name, programName: program.name, portalUrl: urls.portal, unsubscribeUrl: urls.unsubscribe };
  const t = translator(language);
  const body = renderText(text.body, vars, language).trim();
  const subject = renderText(text.subject, vars, language).trim();
  return {
    subject,
    body: `${body}\n\n--\n${t('messages:unsubscribe.footer', vars)}`,
    sms: `${body} ${t('messages:unsubscribe.sms', vars)}`,
  };
}

/** A test: the text in a language to an address or number the sender gives, marked as a test, outside the counts. */
export async function testCampaign(trx: Db, program: ProgramInfo, id: string, input: { to: string; language?: Language | undefined; name?: string | undefined }, publicUrl: string, by: string, now: Date) {
  const c = toCampaign(await loadRow(trx, program.id, id), null);
  const language = input.language ?? program.defaultLanguage;
  const name = input.name ?? translator(language)('messages:sample.name');
  const rendered = renderFor(c, program, language, name, { portal: publicUrl, unsubscribe: `${publicUrl}/unsubscribe/test` });
  const subject = `[TEST] ${rendered.subject}`;
  if (c.channel === 'sms') {
    if (!e164(input.to)) throw new LojalError('phone_not_e164', { phone: input.to });
    await queueSms(trx, program.id, program.timeZone, { to: input.to, body: rendered.sms, kind: 'transactional', idempotencyKey: `campaign-test:${uuidv7()}`, createdBy: by }, now);
  } else {
    // The inbox belongs to members; a test of an inbox message goes to the sender's mailbox.
    await enqueueRenderedMail(trx, program.id, { template: 'campaign_test', to: input.to, language, subject, body: rendered.body }, now);
  }
  return { to: input.to, channel: (c.channel === 'sms' ? 'sms' : 'email') as 'sms' | 'email', subject, body: c.channel === 'sms' ? rendered.sms : rendered.body };
}

/**
 * Sends every campaign that is due: one transaction per campaign claims it (FOR UPDATE SKIP LOCKED), writes
 * the recipients' outbox rows and marks it sent. Idempotent: a sent campaign is never picked again.
 */
export async function runDueCampaigns(db: Db, now: Date, publicUrl: string, only?: { programId: string; id: string }): Promise<number> {
  const { rows: due } = await sql<{ program_id: string; id: string }>`
    SELECT program_id, id FROM message_campaigns WHERE status = 'scheduled' AND scheduled_at <= ${now}
      ${only ? sql`AND program_id = ${only.programId} AND id = ${only.id}` : sql``}
    ORDER BY scheduled_at, id`.execute(db);
  let sent = 0;
  for (const d of due) {
    const did = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<Row>`
        SELECT ${columns} FROM message_campaigns WHERE program_id = ${d.program_id} AND id = ${d.id} AND status = 'scheduled' FOR UPDATE SKIP LOCKED`.execute(trx);
      if (!rows[0]) return false;
      const c = toCampaign(rows[0], null);
      const { rows: prog } = await sql<{ name: string; time_zone: string; default_language: Language }>`
        SELECT name, time_zone, default_language FROM programs WHERE id = ${d.program_id}`.execute(trx);
      const program: ProgramInfo = { id: d.program_id, name: prog[0]!.name, timeZone: prog[0]!.time_zone, defaultLanguage: prog[0]!.default_language };
      const { reachable } = await audienceOf(trx, program.id, c, now);
      const { rows: members } = await sql<Recipient>`
        SELECT id, name, role, email, phone, language FROM members WHERE program_id = ${program.id} AND id = ANY(${reachable}::uuid[]) ORDER BY id`.execute(trx);
      let count = 0;
      for (const m of members) {
        const language = recipientLanguage(m, program.defaultLanguage);
        const claims = { p: program.id, m: m.id, c: c.channel, u: c.purpose, k: c.id };
        const unsubscribeUrl = `${publicUrl}/unsubscribe/${await signLink(trx, { a: 'u', ...claims }, now)}`;
        const rendered = renderFor(c, program, language, m.name, { portal: publicUrl, unsubscribe: unsubscribeUrl });
        // E-mail goes as text and as HTML; the HTML part carries the open-tracking image, which counts
        // an open when the mail client loads images (many do not: opens are a lower bound).
        const html =
          c.channel === 'email' ? htmlOf(rendered.body, `${publicUrl}/v1/message-opens/${await signLink(trx, { a: 'o', ...claims }, now)}`) : undefined;
        const deliveries = await sendToMember(
          trx,
          program.id,
          program,
          m,
          { template: `campaign:${c.id}`, rendered: { ...rendered, ...(html ? { html } : {}) }, language, key: `campaign:${c.id}:${m.id}`, createdBy: `campaign:${c.id}` },
          { purpose: c.purpose },
          now,
          [c.channel],
        );
        const delivery = deliveries[0];
        if (!delivery) continue;
        await sql`
          INSERT INTO message_campaign_recipients (program_id, campaign_id, member_id, message_id)
          VALUES (${program.id}, ${c.id}, ${m.id}, ${delivery.messageId}) ON CONFLICT DO NOTHING`.execute(trx);
        count++;
      }
      await sql`UPDATE message_campaigns SET status = 'sent', sent_at = ${now}, recipients = ${count}, updated_at = ${now}
        WHERE program_id = ${program.id} AND id = ${c.id}`.execute(trx);
      return true;
    });
    if (did) sent++;
  }
  return sent;
}

/** Counts per campaign from the outbox rows its recipients point at. */
export async function campaignCounts(db: Db, programId: string, c: Pick<Row, 'id' | 'channel'>): Promise<CampaignCounts> {
  const base = sql`FROM message_campaign_recipients r`;
  const where = sql`WHERE r.program_id = ${programId} AND r.campaign_id = ${c.id}`;
  type Out = { recipients: string; sent: string; failed: string; bounced: string; opened: string; delivered?: string };
  let q;
  if (c.channel === 'email') {
    q = sql<Out>`SELECT count(*) AS recipients, count(*) FILTER (WHERE o.status = 'sent') AS sent, count(*) FILTER (WHERE o.status = 'failed') AS failed,
        count(r.bounced_at) AS bounced, count(r.opened_at) AS opened
      ${base} JOIN mail_outbox o ON o.program_id = r.program_id AND o.id = r.message_id ${where}`;
  } else if (c.channel === 'sms') {
    // Delivered and failed as 46elks' delivery reports say (sms-reports.ts); a message the carrier could not
    // deliver counts as failed although it left Lojal.
    q = sql<Out>`SELECT count(*) AS recipients, count(*) FILTER (WHERE o.status = 'sent') AS sent,
        count(*) FILTER (WHERE o.status = 'failed' OR o.delivery = 'failed') AS failed, count(*) FILTER (WHERE o.delivery = 'delivered') AS delivered,
        count(r.bounced_at) AS bounced, 0 AS opened
      ${base} JOIN sms_outbox o ON o.program_id = r.program_id AND o.id = r.message_id ${where}`;
  } else {
    q = sql<Out>`SELECT count(*) AS recipients, count(o.id) AS sent, 0 AS failed, 0 AS bounced, count(o.read_at) AS opened
      ${base} LEFT JOIN inbox_messages o ON o.program_id = r.program_id AND o.id = r.message_id ${where}`;
  }
  const r = (await q.execute(db)).rows[0]!;
  const sent = Number(r.sent);
  const bounced = Number(r.bounced);
  return {
    recipients: Number(r.recipients),
    sent,
    delivered: c.channel === 'sms' ? Number(r.delivered) : sent - bounced,
    opened: c.channel === 'sms' ? null : Number(r.opened),
    failed: Number(r.failed),
    bounced,
  };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The plain text as HTML paragraphs, links kept clickable, and the open-tracking image at the end. */
export function htmlOf(text: string, pixelUrl: string): string {
  const paragraphs = text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>').replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')}</p>`);
  return `<!doctype html><html><body>${paragraphs.join('')}<img src="${escapeHtml(pixelUrl)}" width="1" height="1" alt=""></body></html>`;
}
