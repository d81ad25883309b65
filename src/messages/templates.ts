/**
 * Message templates per kind × language. Each kind has built-in texts (the `messages` i18n namespace) that a
 * program may replace with its own wording in the console. Both are rendered by i18next's interpolation, the
 * same engine as every other text of Lojal: `{{name}}`, `{{points, number}}`. Counted words come ready-made
 * in the right plural form of the language (`{{pointsText}}`: "1 punkt", "3 punkty", "5 punktów"), because
 * i18next resolves plurals by key and a program's text is a single string.
 *
 * A program's template may only name the kind's variables: an unknown one is refused before saving
 * (`template_variable_unknown`), never rendered empty in front of a member.
 */
import i18next from 'i18next';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { languages, translator, type Language } from '../i18n/index.js';

/** The variables each kind offers; `*Text` ones are counts with their word in the language's plural form. */
export const messageKinds = {
  earn_notice: ['name', 'programName', 'points', 'pointsText', 'balance', 'balanceText', 'tip'],
  welcome: ['name', 'programName', 'portalUrl'],
  first_purchase_tip: ['name', 'programName', 'portalUrl'],
  checklist_reminder: ['name', 'programName', 'stepsLeft', 'stepsLeftText', 'portalUrl'],
} as const satisfies Record<string, readonly string[]>;
export type MessageKind = keyof typeof messageKinds;
export const messageKindNames = Object.keys(messageKinds) as MessageKind[];
export const isMessageKind = (k: string): k is MessageKind => Object.hasOwn(messageKinds, k);

/** The variables a campaign's text may name (the unsubscribe link is added below every campaign message). */
export const campaignVariables = ['name', 'programName', 'portalUrl', 'unsubscribeUrl'] as const;

export interface TemplateText {
  subject: string;
  body: string;
  /** The text message version; without it an SMS carries the body. */
  sms: string | null;
}

export type TemplateVars = Record<string, string | number>;

/** A separate instance: a program's text must not reach nesting ($t) or the catalogue of the app. */
const engine = i18next.createInstance();
await engine.init({
  lng: 'en',
  resources: {},
  interpolation: { escapeValue: false, nestingPrefix: '\u0000', nestingSuffix: '\u0000' },
  showSupportNotice: false,
});

/**
 * The variable names a text uses, as the engine reads them: every name it looks up (a proxy records them,
 * which also catches `{{points, number}}`), and every name it could not find (`{{name.first}}`).
 */
export function variablesOf(text: string, language: Language = 'en'): string[] {
  const seen = new Set<string>();
  const recorder = new Proxy({}, {
    get: (_, key) => {
      if (typeof key === 'string') seen.add(key);
      return undefined;
    },
    has: (_, key) => {
      if (typeof key === 'string') seen.add(key);
      return false;
    },
  });
  engine.services.interpolator.interpolate(text, recorder, language, {
    missingInterpolationHandler: (_: string, match: string[]) => {
      seen.add(match[1]!.split(',')[0]!.trim());
      return '';
    },
  } as never);
  return [...seen];
}

/** Refuses a text naming a variable outside `allowed` with `template_variable_unknown`. */
export function requireKnownVariables(text: string, allowed: readonly string[], field: string): void {
  for (const v of variablesOf(text)) {
    // The field is named as an issue too, so a form shows the message under the field that holds the variable.
    if (!allowed.includes(v)) {
      throw new LojalError('template_variable_unknown', { variable: v, field, allowed: allowed.join(', ') }, [{ path: `body.${field}`, message: v, code: 'template_variable_unknown' }]);
    }
  }
}

export function renderText(text: string, vars: TemplateVars, language: Language): string {
  return engine.services.interpolator.interpolate(text, vars, language, {
    // Unreachable for a saved template (checked on save); a built-in text names only what it is given.
    missingInterpolationHandler: (_: string, match: string[]) => match[0],
  } as never);
}

/** A count with its noun in the language's plural form, from the `messages` catalogue (e.g. `points`). */
export function countText(noun: 'points' | 'steps', count: number, language: Language): string {
  return translator(language)(`messages:count.${noun}`, { count, formatted: new Intl.NumberFormat(language).format(count) });
}

export function builtInTemplate(kind: MessageKind, language: Language): TemplateText {
  const t = translator(language);
  return { subject: t(`messages:${kind}.subject`), body: t(`messages:${kind}.body`), sms: t(`messages:${kind}.sms`) };
}

// ---------------------------------------------------------------- store

interface Row {
  kind: string;
  language: Language;
  subject: string;
  body: string;
  sms: string | null;
  updated_by: string;
  updated_at: Date | string;
}

export interface StoredTemplate extends TemplateText {
  kind: MessageKind;
  language: Language;
  /** false: the built-in text (the program has not written its own). */
  custom: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
}

/** Every kind × language, the program's own text where it has one, else the built-in one. */
export async function listTemplates(db: Db, programId: string): Promise<StoredTemplate[]> {
  const { rows } = await sql<Row>`SELECT kind, language, subject, body, sms, updated_by, updated_at FROM message_templates WHERE program_id = ${programId}`.execute(db);
  const own = new Map(rows.map((r) => [`${r.kind}/${r.language}`, r]));
  const out: StoredTemplate[] = [];
  for (const kind of messageKindNames) {
    for (const language of languages) {
      const r = own.get(`${kind}/${language}`);
      out.push(
        r
          ? { kind, language, subject: r.subject, body: r.body, sms: r.sms, custom: true, updatedBy: r.updated_by, updatedAt: new Date(r.updated_at) }
          : { kind, language, ...builtInTemplate(kind, language), custom: false, updatedBy: null, updatedAt: null },
      );
    }
  }
  return out;
}

export async function templateFor(db: Db, programId: string, kind: MessageKind, language: Language): Promise<TemplateText> {
  const { rows } = await sql<Row>`
    SELECT kind, language, subject, body, sms, updated_by, updated_at FROM message_templates
    WHERE program_id = ${programId} AND kind = ${kind} AND language = ${language}`.execute(db);
  const r = rows[0];
  return r ? { subject: r.subject, body: r.body, sms: r.sms } : builtInTemplate(kind, language);
}

/** Checks every field's variables against the kind's list. */
export function validateTemplate(kind: MessageKind, text: TemplateText): void {
  const allowed = messageKinds[kind];
  requireKnownVariables(text.subject, allowed, 'subject');
  requireKnownVariables(text.body, allowed, 'body');
  if (text.sms !== null) requireKnownVariables(text.sms, allowed, 'sms');
}

export async function saveTemplate(
  trx: Db,
  programId: string,
  kind: MessageKind,
  language: Language,
  text: TemplateText,
  by: string,
  now: Date,
): Promise<StoredTemplate> {
  validateTemplate(kind, text);
  await sql`
    INSERT INTO message_templates (program_id, kind, language, subject, body, sms, updated_by, updated_at)
    VALUES (${programId}, ${kind}, ${language}, ${text.subject}, ${text.body}, ${text.sms}, ${by}, ${now})
    ON CONFLICT (program_id, kind, language) DO UPDATE SET subject = excluded.subject, body = excluded.body, sms = excluded.sms,
      updated_by = excluded.updated_by, updated_at = excluded.updated_at`.execute(trx);
  return { kind, language, ...text, custom: true, updatedBy: by, updatedAt: now };
}

/** Back to the built-in text. */
export async function resetTemplate(trx: Db, programId: string, kind: MessageKind, language: Language): Promise<StoredTemplate> {
  await sql`DELETE FROM message_templates WHERE program_id = ${programId} AND kind = ${kind} AND language = ${language}`.execute(trx);
  return { kind, language, ...builtInTemplate(kind, language), custom: false, updatedBy: null, updatedAt: null };
}

// ---------------------------------------------------------------- rendering

export interface SampleInput {
  name?: string | undefined;
  points?: number | undefined;
  balance?: number | undefined;
  stepsLeft?: number | undefined;
}

/** The variables of a kind, from counts and names: what the notices and the preview both use. */
export function variablesFor(
  kind: MessageKind,
  language: Language,
  input: { name: string; programName: string; portalUrl: string; points?: number; balance?: number; stepsLeft?: number; tip?: string },
): TemplateVars {
  const fmt = new Intl.NumberFormat(language);
  const all: TemplateVars = {
    name: input.name,
    programName: input.programName,
    portalUrl: input.portalUrl,
    points: fmt.format(input.points ?? 0),
    pointsText: countText('points', input.points ?? 0, language),
    balance: fmt.format(input.balance ?? 0),
    balanceText: countText('points', input.balance ?? 0, language),
    stepsLeft: fmt.format(input.stepsLeft ?? 0),
    stepsLeftText: countText('steps', input.stepsLeft ?? 0, language),
    tip: input.tip ?? '',
  };
  return Object.fromEntries(messageKinds[kind].map((v) => [v, all[v]!]));
}

export interface RenderedMessage {
  subject: string;
  body: string;
  sms: string;
}

export function renderTemplate(text: TemplateText, vars: TemplateVars, language: Language): RenderedMessage {
  const body = renderText(text.body, vars, language).trim();
  return {
    subject: renderText(text.subject, vars, language).trim(),
    body,
    sms: text.sms === null || text.sms.trim() === '' ? body : renderText(text.sms, vars, language).trim(),
  };
}

/** The preview in the console: the text as sent, on sample data (a sample name and counts one may change). */
export function previewTemplate(kind: MessageKind, language: Language, text: TemplateText, programName: string, sample: SampleInput): RenderedMessage & { variables: TemplateVars } {
  validateTemplate(kind, text);
  const variables = variablesFor(kind, language, {
    name: sample.name ?? translator(language)('messages:sample.name'),
    programName,
    portalUrl: 'https://portal.example.com',
    points: sample.points ?? 122,
    balance: sample.balance ?? 1305,
    stepsLeft: sample.stepsLeft ?? 3,
    tip: translator(language)('messages:sample.tip'),
  });
  return { ...renderTemplate(text, variables, language), variables };
}
