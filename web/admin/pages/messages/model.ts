/** The shapes the Messages area reads from /v1/message-*, /v1/outbox and /v1/sms, and small helpers they share. */
import type { Language } from '../../../shared/i18n';

export const channels = ['email', 'sms', 'inbox'] as const;
export type Channel = (typeof channels)[number];
export const purposes = ['newsletter', 'marketing'] as const;
export type Purpose = (typeof purposes)[number];

export interface Template {
  kind: string;
  language: Language;
  subject: string;
  body: string;
  sms: string | null;
  custom: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}
export interface Preview {
  subject: string;
  body: string;
  sms: string;
}
export interface SmsLength {
  encoding: 'gsm7' | 'ucs2';
  units: number;
  segments: number;
}
export interface Tip {
  id: string;
  language: Language;
  segmentKey: string | null;
  text: string;
  active: boolean;
  createdAt: string;
}
export interface Segment {
  key: string;
  name: string;
  subject: 'account' | 'member';
}
export type Filter = Record<string, unknown>;
export interface Counts {
  recipients: number;
  sent: number;
  delivered: number | null;
  opened: number | null;
  failed: number;
  bounced: number;
}
export interface Campaign {
  id: string;
  name: string;
  channel: Channel;
  purpose: Purpose;
  audience: Filter;
  content: Partial<Record<Language, { subject: string; body: string }>>;
  status: 'draft' | 'scheduled' | 'sent' | 'cancelled';
  scheduledAt: string | null;
  sentAt: string | null;
  counts: Counts | null;
  createdAt: string;
  updatedAt: string;
}
export interface Step {
  id: string;
  day: number;
  kind: string;
  stopWhen: string;
  active: boolean;
  sent: number;
  skipped: number;
}
export interface Mail {
  id: string;
  template: string;
  to: string;
  subject: string;
  status: 'pending' | 'sent' | 'failed' | 'cancelled';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}
export interface Sms {
  id: string;
  to: string;
  body: string;
  segments: number;
  status: 'pending' | 'sent' | 'failed' | 'cancelled';
  heldUntil: string | null;
  delivery: 'delivered' | 'failed' | null;
  lastError: string | null;
  createdAt: string;
}
export interface RoleDefault {
  role: string;
  channels: Channel[];
}

export const statusColour: Record<string, string> = { draft: 'gray', scheduled: 'blue', sent: 'teal', cancelled: 'gray', pending: 'blue', failed: 'red', delivered: 'teal' };

/**
 * The audience as the form edits it: one condition over the members (a segment, the account's segment label,
 * tier or tags, the member's role), or a filter written some other way (by the API), kept as JSON.
 */
export const audienceKinds = ['inSegment', 'segment', 'account.tier', 'role', 'account.tags', 'custom'] as const;
export type AudienceKind = (typeof audienceKinds)[number];
export interface AudienceForm {
  kind: AudienceKind;
  values: string[];
  json: string;
}

export function audienceToForm(f: Filter | undefined): AudienceForm {
  if (!f) return { kind: 'inSegment', values: [], json: '' };
  const { field, op, value } = f as { field?: string; op?: string; value?: unknown };
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : null;
  if (list && field === 'inSegment' && op === 'hasAny') return { kind: 'inSegment', values: list, json: '' };
  if (list && (field === 'account.tags') && op === 'hasAny') return { kind: 'account.tags', values: list, json: '' };
  if (list && (field === 'segment' || field === 'account.tier' || field === 'role') && (op === 'in' || op === 'eq')) return { kind: field, values: list, json: '' };
  return { kind: 'custom', values: [], json: JSON.stringify(f, null, 2) };
}

/** The filter the form stands for; null when the custom JSON does not parse. */
export function formToAudience(a: AudienceForm): Filter | null {
  switch (a.kind) {
    case 'inSegment':
    case 'account.tags':
      return { field: a.kind, op: 'hasAny', value: a.values };
    case 'segment':
    case 'account.tier':
    case 'role':
      return { field: a.kind, op: 'in', value: a.values };
    case 'custom':
      try {
        return JSON.parse(a.json) as Filter;
      } catch {
        return null;
      }
  }
}

/** A `datetime-local` value (the browser's time zone) as an ISO instant, or null. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
