/**
 * Consent as evidence. Every consent given and every withdrawal is one append-only row (purpose, channel,
 * the version of the text shown, when by the app clock, where from, the IP address for the web); what a
 * member has agreed to now is derived from those rows, never stored beside them. The texts themselves are
 * versioned, so the words a person agreed to can be shown later.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { languages, type Language } from '../i18n/index.js';

export const consentPurposes = ['marketing', 'newsletter', 'profiling'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];
export const consentChannels = ['email', 'sms', 'inbox'] as const;
export type ConsentChannel = (typeof consentChannels)[number];
export const consentSources = ['portal', 'console', 'api', 'import', 'unsubscribe_link'] as const;
export type ConsentSource = (typeof consentSources)[number];

export interface ConsentRecord {
  id: string;
  memberId: string;
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  granted: boolean;
  textVersion: number | null;
  source: ConsentSource;
  ip: string | null;
  recordedBy: string;
  recordedAt: Date;
}

export interface ConsentState {
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  granted: boolean;
  /** When the deciding record was made; null when the member was never asked (no consent). */
  since: Date | null;
  textVersion: number | null;
  recordId: string | null;
}

/** Records in the order they happened: by time, then by id (uuid v7, so by insertion within one instant). */
export function byTime(a: Pick<ConsentRecord, 'recordedAt' | 'id'>, b: Pick<ConsentRecord, 'recordedAt' | 'id'>): number {
  const d = a.recordedAt.getTime() - b.recordedAt.getTime();
  return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The state for every purpose × channel: the latest record decides; without any record there is no
 * consent (marketing needs a yes, silence is a no).
 */
export function currentConsents(records: readonly ConsentRecord[]): ConsentState[] {
  const latest = new Map<string, ConsentRecord>();
  for (const r of [...records].sort(byTime)) latest.set(`${r.purpose}/${r.channel}`, r);
  const out: ConsentState[] = [];
  for (const purpose of consentPurposes) {
    for (const channel of consentChannels) {
      const r = latest.get(`${purpose}/${channel}`);
      out.push(
        r
          ? { purpose, channel, granted: r.granted, since: r.recordedAt, textVersion: r.textVersion, recordId: r.id }
          : { purpose, channel, granted: false, since: null, textVersion: null, recordId: null },
      );
    }
  }
  return out;
}

export function hasConsent(records: readonly ConsentRecord[], purpose: ConsentPurpose, channel: ConsentChannel): boolean {
  return currentConsents(records).some((s) => s.purpose === purpose && s.channel === channel && s.granted);
}

// ---------------------------------------------------------------- texts

export const consentTextsSchema = z
  .object(Object.fromEntries(languages.map((l) => [l, z.string().trim().min(1).max(4000).optional()])) as Record<Language, z.ZodOptional<z.ZodString>>)
  .strict()
  .refine((t) => Object.values(t).some((v) => v !== undefined), { message: 'at least one language' });

export interface ConsentText {
  purpose: ConsentPurpose;
  version: number;
  texts: Partial<Record<Language, string>>;
  createdBy: string;
  createdAt: Date;
}

interface TextRow {
  purpose: ConsentPurpose;
  version: number;
  texts: Partial<Record<Language, string>> | string;
  created_by: string;
  created_at: Date | string;
}

const toText = (r: TextRow): ConsentText => ({
  purpose: r.purpose,
  version: Number(r.version),
  texts: typeof r.texts === 'string' ? JSON.parse(r.texts) : r.texts,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
});

/** Every version of every purpose's text, newest version first per purpose. */
export async function listConsentTexts(db: Db, programId: string): Promise<ConsentText[]> {
  const rows = await sql<TextRow>`
    SELECT purpose, version, texts, created_by, created_at FROM consent_texts
    WHERE program_id = ${programId} ORDER BY purpose, version DESC`.execute(db);
  return rows.rows.map(toText);
}

/** The version in force per purpose (the newest). */
export async function currentConsentTexts(db: Db, programId: string): Promise<Map<ConsentPurpose, ConsentText>> {
  const out = new Map<ConsentPurpose, ConsentText>();
  for (const t of await listConsentTexts(db, programId)) if (!out.has(t.purpose)) out.set(t.purpose, t);
  return out;
}

/** A new version of a purpose's text; earlier versions stay, since records refer to them. */
export async function addConsentText(
  db: Db,
  programId: string,
  purpose: ConsentPurpose,
  texts: Partial<Record<Language, string>>,
  createdBy: string,
  now: Date,
): Promise<ConsentText> {
  return db.transaction().execute(async (trx) => {
    // Serializes two editors: the second waits and takes the next number.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`consent_texts:${programId}:${purpose}`}))`.execute(trx);
    const head = await sql<{ v: number | null }>`
      SELECT max(version) AS v FROM consent_texts WHERE program_id = ${programId} AND purpose = ${purpose}`.execute(trx);
    const version = Number(head.rows[0]?.v ?? 0) + 1;
    const rows = await sql<TextRow>`
      INSERT INTO consent_texts (program_id, purpose, version, texts, created_by, created_at)
      VALUES (${programId}, ${purpose}, ${version}, ${JSON.stringify(texts)}, ${createdBy}, ${now})
      RETURNING purpose, version, texts, created_by, created_at`.execute(trx);
    return toText(rows.rows[0]!);
  });
}

// ---------------------------------------------------------------- records

interface RecordRow {
  id: string;
  member_id: string;
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  granted: boolean;
  text_version: number | null;
  source: ConsentSource;
  ip: string | null;
  recorded_by: string;
  recorded_at: Date | string;
}

const toRecord = (r: RecordRow): ConsentRecord => ({
  id: r.id,
  memberId: r.member_id,
  purpose: r.purpose,
  channel: r.channel,
  granted: r.granted,
  textVersion: r.text_version === null ? null : Number(r.text_version),
  source: r.source,
  ip: r.ip,
  recordedBy: r.recorded_by,
  recordedAt: new Date(r.recorded_at),
});

/** A member's consent history, oldest first. */
export async function consentHistory(db: Db, programId: string, memberId: string): Promise<ConsentRecord[]> {
  const rows = await sql<RecordRow>`
    SELECT id, member_id, purpose, channel, granted, text_version, source, ip, recorded_by, recorded_at
    FROM consent_records WHERE program_id = ${programId} AND member_id = ${memberId}
    ORDER BY recorded_at, id`.execute(db);
  return rows.rows.map(toRecord);
}

export interface ConsentInput {
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  granted: boolean;
  textVersion?: number | null | undefined;
  source: ConsentSource;
  ip?: string | null | undefined;
  recordedBy: string;
}

/**
 * Appends one record. A yes given in the portal must name the text version the member was shown, and it
 * must be the version in force (an old page cannot record agreement to words no longer offered); a yes
 * recorded by staff or an integration may name any existing version or none (consent given on paper).
 * Recording the state the member is already in adds nothing (a double click is not a second consent).
 */
export async function recordConsent(trx: Db, programId: string, memberId: string, input: ConsentInput, now: Date): Promise<{ record: ConsentRecord; created: boolean }> {
  // One writer per member at a time, so "already in this state" holds when the row is written.
  await sql`SELECT 1 FROM members WHERE program_id = ${programId} AND id = ${memberId} FOR NO KEY UPDATE`.execute(trx);
  const textVersion = input.granted ? (input.textVersion ?? null) : null;
  if (input.granted) {
    const current = (await currentConsentTexts(trx, programId)).get(input.purpose);
    if (input.source === 'portal') {
      if (!current) throw new LojalError('consent_text_missing', { purpose: input.purpose });
      if (textVersion !== current.version) throw new LojalError('consent_text_outdated', { purpose: input.purpose, version: textVersion ?? 0, current: current.version });
    } else if (textVersion !== null && (!current || textVersion > current.version)) {
      throw new LojalError('consent_text_missing', { purpose: input.purpose });
    }
  }
  const history = await consentHistory(trx, programId, memberId);
  const state = currentConsents(history).find((s) => s.purpose === input.purpose && s.channel === input.channel)!;
  if (state.recordId && state.granted === input.granted && (!input.granted || state.textVersion === textVersion)) {
    return { record: history.find((r) => r.id === state.recordId)!, created: false };
  }
  const rows = await sql<RecordRow>`
    INSERT INTO consent_records (program_id, id, member_id, purpose, channel, granted, text_version, source, ip, recorded_by, recorded_at)
    VALUES (${programId}, ${uuidv7()}, ${memberId}, ${input.purpose}, ${input.channel}, ${input.granted}, ${textVersion},
            ${input.source}, ${input.ip ?? null}, ${input.recordedBy}, ${now})
    RETURNING id, member_id, purpose, channel, granted, text_version, source, ip, recorded_by, recorded_at`.execute(trx);
  return { record: toRecord(rows.rows[0]!), created: true };
}

/** Members of a program with a yes for the purpose on the channel now: the audience a marketing send may reach. */
export async function membersWithConsent(db: Db, programId: string, purpose: ConsentPurpose, channel: ConsentChannel): Promise<string[]> {
  const rows = await sql<{ member_id: string }>`
    SELECT member_id FROM (
      SELECT DISTINCT ON (member_id) member_id, granted FROM consent_records
      WHERE program_id = ${programId} AND purpose = ${purpose} AND channel = ${channel}
      ORDER BY member_id, recorded_at DESC, id DESC
    ) latest WHERE granted`.execute(db);
  return rows.rows.map((r) => r.member_id);
}

/** Erasure keeps the records (they show the program had a lawful basis) but not the address they came from. */
export async function blankConsentIps(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await sql`UPDATE consent_records SET ip = NULL WHERE program_id = ${programId} AND member_id = ${memberId} AND ip IS NOT NULL`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}
