/**
 * What a program configures for its service desk: opening hours and holidays (the SLA calendar), the reopen
 * window, request types with their own fields, service levels per type and account tier, and quick replies.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { languages, type Language } from '../i18n/index.js';
import type { WorkCalendar } from './working-time.js';

const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'a local time such as 08:00');
const isoDate = z.iso.date();

export const serviceSettingsSchema = z
  .object({
    reopenDays: z.number().int().min(0).max(365).describe('Days after closing in which a request may still be reopened'),
    workingDays: z.array(z.number().int().min(1).max(7)).max(7).describe('ISO weekdays the desk works: 1 = Monday … 7 = Sunday'),
    dayStart: hhmm.describe('When the working day starts, HH:MM in the program\'s time zone'),
    dayEnd: hhmm.describe('When the working day ends, HH:MM in the program\'s time zone'),
    holidays: z.array(isoDate).max(400).describe('Days off, YYYY-MM-DD: the SLA clocks stand still'),
    nearBreachPercent: z.number().int().min(1).max(99).describe('A clock is `near` breach when less than this percent of its target is left'),
  })
  .strict()
  .refine((s) => s.dayEnd > s.dayStart, { path: ['dayEnd'], message: 'the working day ends after it starts' })
  .meta({ id: 'ServiceSettings', description: 'The service desk\'s calendar (working days, hours, holidays) the SLA clocks count in, the reopen window and the near-breach threshold.' });
export type ServiceSettings = z.infer<typeof serviceSettingsSchema>;

const defaults: ServiceSettings = { reopenDays: 14, workingDays: [1, 2, 3, 4, 5], dayStart: '08:00', dayEnd: '17:00', holidays: [], nearBreachPercent: 25 };

export async function getServiceSettings(db: Db, programId: string): Promise<ServiceSettings> {
  const r = await sql<{ reopen_days: number; working_days: number[]; day_start: string; day_end: string; holidays: string[]; near_breach_percent: number }>`
    SELECT reopen_days, working_days, day_start, day_end, holidays, near_breach_percent FROM service_settings WHERE program_id = ${programId}`.execute(db);
  const row = r.rows[0];
  if (!row) return defaults;
  return { reopenDays: row.reopen_days, workingDays: row.working_days.map(Number), dayStart: row.day_start, dayEnd: row.day_end, holidays: row.holidays, nearBreachPercent: row.near_breach_percent };
}

export async function putServiceSettings(db: Db, programId: string, s: ServiceSettings): Promise<ServiceSettings> {
  const days = [...new Set(s.workingDays)].sort();
  const holidays = [...new Set(s.holidays)].sort();
  await sql`
    INSERT INTO service_settings (program_id, reopen_days, working_days, day_start, day_end, holidays, near_breach_percent, updated_at)
    VALUES (${programId}, ${s.reopenDays}, ${days}::int[], ${s.dayStart}, ${s.dayEnd}, ${holidays}::text[], ${s.nearBreachPercent}, now())
    ON CONFLICT (program_id) DO UPDATE SET reopen_days = EXCLUDED.reopen_days, working_days = EXCLUDED.working_days, day_start = EXCLUDED.day_start,
      day_end = EXCLUDED.day_end, holidays = EXCLUDED.holidays, near_breach_percent = EXCLUDED.near_breach_percent, updated_at = now()`.execute(db);
  return getServiceSettings(db, programId);
}

export const calendarOf = (s: ServiceSettings, timeZone: string): WorkCalendar => ({
  timeZone,
  days: s.workingDays,
  start: s.dayStart,
  end: s.dayEnd,
  holidays: s.holidays,
});

// ---------------------------------------------------------------- request types

export const typeKinds = ['question', 'complaint', 'callback', 'special_order', 'custom'] as const;
export type TypeKind = (typeof typeKinds)[number];
export const fieldKinds = ['text', 'textarea', 'number', 'date', 'phone', 'choice'] as const;

/** A text in every language (English required; a missing one reads as English). */
const texts = (max: number) =>
  z
    .object(Object.fromEntries(languages.map((l) => [l, z.string().trim().min(1).max(max).optional()])) as Record<Language, z.ZodOptional<z.ZodString>>)
    .strict()
    .refine((t) => !!t.en, { message: 'give at least the English text', path: ['en'] });

export const typeFieldSchema = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _'),
    kind: z.enum(fieldKinds),
    required: z.boolean().default(false),
    labels: texts(200),
    options: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  })
  .strict()
  .refine((f) => f.kind !== 'choice' || (f.options?.length ?? 0) > 0, { path: ['options'], message: 'a choice field needs options' })
  .meta({ id: 'ServiceTypeField', description: 'A field of its own a request type asks for (text, long text, number, date, phone or a choice), with labels by language.' });
export type TypeField = z.infer<typeof typeFieldSchema>;

export const typeInputSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _'),
    kind: z.enum(typeKinds),
    names: texts(100),
    descriptions: texts(500).optional(),
    fields: z.array(typeFieldSchema).max(20).optional(),
    active: z.boolean().default(true),
    position: z.number().int().min(0).max(1000).default(0),
  })
  .strict()
  .refine((t) => new Set((t.fields ?? []).map((f) => f.key)).size === (t.fields ?? []).length, { path: ['fields'], message: 'field keys must be unique' });
export type TypeInput = z.infer<typeof typeInputSchema>;

export interface ServiceType {
  id: string;
  code: string;
  kind: TypeKind;
  names: Partial<Record<Language, string>>;
  descriptions: Partial<Record<Language, string>>;
  fields: TypeField[];
  active: boolean;
  position: number;
}

/** The fields a kind brings without configuration: a call-back needs a phone and times, a special order what and how many. */
export function builtInFields(kind: TypeKind): TypeField[] {
  const f = (key: string, kind: TypeField['kind'], required: boolean, labels: Record<Language, string>): TypeField => ({ key, kind, required, labels });
  switch (kind) {
    case 'callback':
      return [
        f('phone', 'phone', true, { en: 'Phone number', sv: 'Telefonnummer', nb: 'Telefonnummer', pl: 'Numer telefonu', de: 'Telefonnummer' }),
        f('preferred_times', 'text', true, { en: 'When may we call?', sv: 'När får vi ringa?', nb: 'Når kan vi ringe?', pl: 'Kiedy możemy zadzwonić?', de: 'Wann dürfen wir anrufen?' }),
      ];
    case 'special_order':
      return [
        f('item', 'text', true, { en: 'What would you like?', sv: 'Vad önskar du?', nb: 'Hva ønsker du?', pl: 'Czego potrzebujesz?', de: 'Was wünschen Sie?' }),
        f('quantity', 'number', true, { en: 'Quantity', sv: 'Antal', nb: 'Antall', pl: 'Ilość', de: 'Menge' }),
        f('wished_date', 'date', false, { en: 'Wished delivery date', sv: 'Önskat leveransdatum', nb: 'Ønsket leveringsdato', pl: 'Pożądana data dostawy', de: 'Gewünschtes Lieferdatum' }),
      ];
    default:
      return [];
  }
}

/** The type's fields: the kind's built-in ones first, then the configured ones (a configured key overrides). */
export function fieldsOf(t: Pick<ServiceType, 'kind' | 'fields'>): TypeField[] {
  const own = new Map(t.fields.map((f) => [f.key, f]));
  return [...builtInFields(t.kind).filter((f) => !own.has(f.key)), ...t.fields];
}

interface TypeRow {
  id: string;
  code: string;
  kind: TypeKind;
  names: Partial<Record<Language, string>>;
  descriptions: Partial<Record<Language, string>>;
  fields: TypeField[];
  active: boolean;
  position: number;
}
const toType = (r: TypeRow): ServiceType => ({ ...r, descriptions: r.descriptions ?? {}, fields: r.fields ?? [] });

export async function listTypes(db: Db, programId: string, activeOnly = false): Promise<ServiceType[]> {
  const r = await sql<TypeRow>`
    SELECT id, code, kind, names, descriptions, fields, active, position FROM service_types
    WHERE program_id = ${programId} ${activeOnly ? sql`AND active` : sql``} ORDER BY position, code`.execute(db);
  return r.rows.map(toType);
}

export async function getType(db: Db, programId: string, id: string): Promise<ServiceType | undefined> {
  const r = await sql<TypeRow>`SELECT id, code, kind, names, descriptions, fields, active, position FROM service_types WHERE program_id = ${programId} AND id = ${id}`.execute(db);
  return r.rows[0] && toType(r.rows[0]);
}

export async function typeByCode(db: Db, programId: string, code: string): Promise<ServiceType | undefined> {
  const r = await sql<TypeRow>`SELECT id, code, kind, names, descriptions, fields, active, position FROM service_types WHERE program_id = ${programId} AND code = ${code}`.execute(db);
  return r.rows[0] && toType(r.rows[0]);
}

export async function saveType(db: Db, programId: string, input: TypeInput, id?: string): Promise<ServiceType> {
  const values = [input.code, input.kind, JSON.stringify(input.names), JSON.stringify(input.descriptions ?? {}), JSON.stringify(input.fields ?? []), input.active, input.position] as const;
  try {
    if (id) {
      const r = await sql`
        UPDATE service_types SET code = ${values[0]}, kind = ${values[1]}, names = ${values[2]}::jsonb, descriptions = ${values[3]}::jsonb,
          fields = ${values[4]}::jsonb, active = ${values[5]}, position = ${values[6]}
        WHERE program_id = ${programId} AND id = ${id}`.execute(db);
      if (!Number(r.numAffectedRows)) throw new LojalError('not_found', { entity: 'request type', id });
    } else {
      id = uuidv7();
      await sql`
        INSERT INTO service_types (program_id, id, code, kind, names, descriptions, fields, active, position)
        VALUES (${programId}, ${id}, ${values[0]}, ${values[1]}, ${values[2]}::jsonb, ${values[3]}::jsonb, ${values[4]}::jsonb, ${values[5]}, ${values[6]})`.execute(db);
    }
  } catch (err) {
    if (isUniqueViolation(err)) throw new LojalError('service_type_code_taken', { code: input.code });
    throw err;
  }
  return (await getType(db, programId, id))!;
}

export const localized = (t: Partial<Record<Language, string>>, lng: Language): string => t[lng] ?? t.en ?? '';

// ---------------------------------------------------------------- service levels

export const levelSchema = z
  .object({
    typeCode: z.string().min(1).max(40).nullable().describe('The request type\'s code; null: any type'),
    tier: z.string().min(1).max(100).nullable().describe('The account\'s tier code; null: any tier'),
    firstResponseMinutes: z.number().int().min(1).max(525_600).describe('Target for the first public answer, in working minutes'),
    resolutionMinutes: z.number().int().min(1).max(525_600).describe('Target for resolving it, in working minutes'),
  })
  .strict()
  .meta({ id: 'ServiceLevel', description: 'Service-level targets for requests of a type from accounts of a tier; the most specific match applies when a request is raised.' });
export type ServiceLevel = z.infer<typeof levelSchema>;

/** Without any configured level: first answer within one working day, resolution within five. */
export const defaultLevel = { firstResponseMinutes: 9 * 60, resolutionMinutes: 5 * 9 * 60 };

export async function listLevels(db: Db, programId: string): Promise<ServiceLevel[]> {
  const r = await sql<{ type_code: string | null; tier: string | null; first_response_minutes: number; resolution_minutes: number }>`
    SELECT type_code, tier, first_response_minutes, resolution_minutes FROM service_levels WHERE program_id = ${programId}
    ORDER BY type_code NULLS FIRST, tier NULLS FIRST`.execute(db);
  return r.rows.map((x) => ({ typeCode: x.type_code, tier: x.tier, firstResponseMinutes: x.first_response_minutes, resolutionMinutes: x.resolution_minutes }));
}

export async function replaceLevels(db: Db, programId: string, levels: ServiceLevel[]): Promise<ServiceLevel[]> {
  const keys = new Set(levels.map((l) => `${l.typeCode ?? ''}/${l.tier ?? ''}`));
  if (keys.size !== levels.length) throw new LojalError('validation_failed', {}, [{ path: 'levels', message: 'one level per type and tier' }]);
  await db.transaction().execute(async (trx) => {
    // Two replacements at once would both delete and then both insert: the program's row orders them.
    await sql`SELECT 1 FROM programs WHERE id = ${programId} FOR NO KEY UPDATE`.execute(trx);
    await sql`DELETE FROM service_levels WHERE program_id = ${programId}`.execute(trx);
    for (const l of levels) {
      await sql`INSERT INTO service_levels (program_id, id, type_code, tier, first_response_minutes, resolution_minutes)
        VALUES (${programId}, ${uuidv7()}, ${l.typeCode}, ${l.tier}, ${l.firstResponseMinutes}, ${l.resolutionMinutes})`.execute(trx);
    }
  });
  return listLevels(db, programId);
}

/** The most specific level for a type and tier: type+tier, then type, then tier, then the catch-all, then the default. */
export function pickLevel(levels: readonly ServiceLevel[], typeCode: string, tier: string | null): Pick<ServiceLevel, 'firstResponseMinutes' | 'resolutionMinutes'> {
  const find = (t: string | null, k: string | null) => levels.find((l) => l.typeCode === t && l.tier === k);
  return (tier ? find(typeCode, tier) : undefined) ?? find(typeCode, null) ?? (tier ? find(null, tier) : undefined) ?? find(null, null) ?? defaultLevel;
}

// ---------------------------------------------------------------- quick replies

export const quickReplySchema = z
  .object({ language: z.enum(languages), title: z.string().trim().min(1).max(100), body: z.string().trim().min(1).max(5000).describe('The text pasted into the answer') })
  .strict();
export type QuickReply = z.infer<typeof quickReplySchema> & { id: string };

export async function listQuickReplies(db: Db, programId: string, language?: Language): Promise<QuickReply[]> {
  const r = await sql<QuickReply>`SELECT id, language, title, body FROM service_quick_replies WHERE program_id = ${programId}
    ${language ? sql`AND language = ${language}` : sql``} ORDER BY language, title`.execute(db);
  return r.rows;
}

export async function addQuickReply(db: Db, programId: string, q: z.infer<typeof quickReplySchema>): Promise<QuickReply> {
  const id = uuidv7();
  await sql`INSERT INTO service_quick_replies (program_id, id, language, title, body) VALUES (${programId}, ${id}, ${q.language}, ${q.title}, ${q.body})`.execute(db);
  return { id, ...q };
}

export async function updateQuickReply(db: Db, programId: string, id: string, q: z.infer<typeof quickReplySchema>): Promise<QuickReply> {
  const r = await sql`UPDATE service_quick_replies SET language = ${q.language}, title = ${q.title}, body = ${q.body} WHERE program_id = ${programId} AND id = ${id}`.execute(db);
  if (!Number(r.numAffectedRows)) throw new LojalError('not_found', { entity: 'quick reply', id });
  return { id, ...q };
}

export async function deleteQuickReply(db: Db, programId: string, id: string): Promise<void> {
  const r = await sql`DELETE FROM service_quick_replies WHERE program_id = ${programId} AND id = ${id}`.execute(db);
  if (!Number(r.numAffectedRows)) throw new LojalError('not_found', { entity: 'quick reply', id });
}
