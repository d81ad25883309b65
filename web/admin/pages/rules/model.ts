/**
 * The rule language as the editor's form holds it, and back. The form keeps what a person types (money in
 * the program's currency, lists as tags); the server gets the rule definition of docs/rules.md and alone
 * decides what is valid, so a value that cannot be read is sent as typed and the server's message names it.
 */
import { ApiError } from '../../../shared/api';
import { moneyInput, parseMoney } from '../../../shared/format';

export const effectTypes = ['fixed', 'perAmount', 'upsell', 'crossSell', 'multiplier'] as const;
export const recipientTypes = ['account', 'member', 'split'] as const;
export const attributeOps = ['eq', 'neq', 'in', 'gte', 'lte', 'exists'] as const;
export const valueTypes = ['text', 'number', 'boolean'] as const;
export const capScopes = ['account', 'member'] as const;
export const capPeriods = ['day', 'week', 'month', 'year', 'lifetime'] as const;
export const knownEventTypes = ['purchase', 'app.login', 'feedback.given', 'survey.completed', 'quiz.passed', 'training.completed', 'referral.converted'];

export type EffectType = (typeof effectTypes)[number];
export type RecipientType = (typeof recipientTypes)[number];
export type AttributeOp = (typeof attributeOps)[number];
export type ValueType = (typeof valueTypes)[number];

export interface AttributeRow {
  path: string;
  op: AttributeOp;
  valueType: ValueType;
  value: string;
}

export interface CapRow {
  scope: (typeof capScopes)[number];
  period: (typeof capPeriods)[number];
  maxPoints: number | string;
  maxTimes: number | string;
}

export interface RuleForm {
  name: string;
  description: string;
  priority: number | string;
  /** `YYYY-MM-DDTHH:mm` in the browser's time zone, or empty for "now". */
  effectiveFrom: string;
  eventTypes: string[];
  attributes: AttributeRow[];
  accountSegments: string[];
  accountTags: string[];
  accountTiers: string[];
  accountCountries: string[];
  memberRoles: string[];
  memberTags: string[];
  memberTiers: string[];
  memberRequired: boolean;
  lineSkus: string[];
  lineCategories: string[];
  lineBrands: string[];
  lineMarginClasses: string[];
  dateFrom: string;
  dateTo: string;
  weekdays: string[];
  minAmount: string;
  effectType: EffectType;
  points: number | string;
  per: string;
  marginClasses: string[];
  factor: number | string;
  ruleIds: string[];
  recipientType: RecipientType;
  accountPercent: number | string;
  caps: CapRow[];
  stacking: 'stack' | 'exclusive';
}

/** The stored rule as the API answers it. */
export interface Rule {
  id: string;
  version: number;
  name: string;
  description: string | null;
  priority: number;
  active: boolean;
  effectiveFrom: string;
  definition: Definition;
  createdAt: string;
  versions?: Array<{ version: number; name: string; priority: number; active: boolean; effectiveFrom: string; createdAt: string }>;
}

type Scalar = string | number | boolean;
export interface Definition {
  conditions: {
    eventTypes?: string[];
    attributes?: Array<{ path: string; op: AttributeOp; value?: Scalar | Array<string | number> }>;
    account?: { segments?: string[]; tagsAny?: string[]; tiers?: string[]; countries?: string[] };
    member?: { roles?: string[]; tagsAny?: string[]; tiers?: string[]; required?: boolean };
    lines?: { skus?: string[]; categories?: string[]; brands?: string[]; marginClasses?: string[] };
    dateFrom?: string;
    dateTo?: string;
    weekdays?: number[];
    minAmount?: number;
  };
  effect:
    | { type: 'fixed'; points: number }
    | { type: 'perAmount'; points: number; per: number }
    | { type: 'upsell'; points: number; per: number; marginClasses?: string[] }
    | { type: 'crossSell'; points: number }
    | { type: 'multiplier'; factor: number; ruleIds?: string[] };
  recipient: { type: 'account' } | { type: 'member' } | { type: 'split'; accountPercent: number };
  caps?: Array<{ scope: CapRow['scope']; period: CapRow['period']; maxPoints?: number; maxTimes?: number }>;
  stacking?: 'stack' | 'exclusive';
}

export const emptyForm = (): RuleForm => ({
  name: '',
  description: '',
  priority: 100,
  effectiveFrom: '',
  eventTypes: ['purchase'],
  attributes: [],
  accountSegments: [],
  accountTags: [],
  accountTiers: [],
  accountCountries: [],
  memberRoles: [],
  memberTags: [],
  memberTiers: [],
  memberRequired: false,
  lineSkus: [],
  lineCategories: [],
  lineBrands: [],
  lineMarginClasses: [],
  dateFrom: '',
  dateTo: '',
  weekdays: [],
  minAmount: '',
  effectType: 'perAmount',
  points: 1,
  per: '',
  marginClasses: [],
  factor: 2,
  ruleIds: [],
  recipientType: 'account',
  accountPercent: 50,
  caps: [],
  stacking: 'stack',
});

/** Minor units as a person types them in the UI language, for an input's initial value. */
export function moneyText(minor: number | undefined, currency: string): string {
  return minor === undefined ? '' : moneyInput(minor, currency);
}

/** Money typed by a person → minor units; unreadable text goes to the server as typed, for its message. */
function money(text: string, currency: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return parseMoney(trimmed, currency) ?? trimmed;
}

const num = (v: number | string): number | string | undefined => (v === '' ? undefined : typeof v === 'number' ? v : Number.isNaN(Number(v)) ? v : Number(v));
const list = (v: string[]) => (v.length > 0 ? v : undefined);

function scalar(text: string, type: ValueType): Scalar {
  if (type === 'boolean') return text === 'true';
  if (type === 'number') return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
  return text;
}

/** An object without its undefined members, or undefined when nothing is left. */
function compact<T extends Record<string, unknown>>(o: T): Partial<T> | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(out).length > 0 ? out : undefined;
}

function attributeOut(a: AttributeRow) {
  if (a.op === 'exists') return { path: a.path, op: a.op };
  if (a.op === 'in') {
    const values = a.value.split(',').map((s) => s.trim()).filter(Boolean);
    return { path: a.path, op: a.op, value: values.map((v) => (a.valueType === 'number' ? scalar(v, 'number') : v)) };
  }
  const type = a.op === 'gte' || a.op === 'lte' ? 'number' : a.valueType;
  return { path: a.path, op: a.op, value: scalar(a.value, type) };
}

export function toDefinition(f: RuleForm, currency: string): Record<string, unknown> {
  const conditions = compact({
    eventTypes: list(f.eventTypes),
    attributes: f.attributes.length > 0 ? f.attributes.map(attributeOut) : undefined,
    account: compact({ segments: list(f.accountSegments), tagsAny: list(f.accountTags), tiers: list(f.accountTiers), countries: list(f.accountCountries) }),
    member: compact({ roles: list(f.memberRoles), tagsAny: list(f.memberTags), tiers: list(f.memberTiers), required: f.memberRequired || undefined }),
    lines: compact({ skus: list(f.lineSkus), categories: list(f.lineCategories), brands: list(f.lineBrands), marginClasses: list(f.lineMarginClasses) }),
    dateFrom: f.dateFrom || undefined,
    dateTo: f.dateTo || undefined,
    weekdays: f.weekdays.length > 0 ? f.weekdays.map(Number).sort() : undefined,
    minAmount: money(f.minAmount, currency),
  });
  let effect: Record<string, unknown>;
  switch (f.effectType) {
    case 'fixed':
    case 'crossSell':
      effect = { type: f.effectType, points: num(f.points) };
      break;
    case 'perAmount':
      effect = { type: f.effectType, points: num(f.points), per: money(f.per, currency) };
      break;
    case 'upsell':
      effect = { type: f.effectType, points: num(f.points), per: money(f.per, currency), marginClasses: list(f.marginClasses) };
      break;
    case 'multiplier':
      effect = { type: f.effectType, factor: num(f.factor), ruleIds: list(f.ruleIds) };
      break;
  }
  const recipient = f.recipientType === 'split' ? { type: 'split', accountPercent: num(f.accountPercent) } : { type: f.recipientType };
  return JSON.parse(
    JSON.stringify({
      conditions: conditions ?? {},
      effect,
      recipient,
      ...(f.caps.length > 0 && { caps: f.caps.map((c) => compact({ scope: c.scope, period: c.period, maxPoints: num(c.maxPoints), maxTimes: num(c.maxTimes) })) }),
      ...(f.stacking === 'exclusive' && { stacking: 'exclusive' }),
    }),
  ) as Record<string, unknown>;
}

const localInput = (iso: string): string => {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

export function fromRule(rule: Rule, currency: string): RuleForm {
  const d = rule.definition;
  const c = d.conditions;
  const e = d.effect;
  return {
    ...emptyForm(),
    name: rule.name,
    description: rule.description ?? '',
    priority: rule.priority,
    effectiveFrom: '',
    eventTypes: c.eventTypes ?? [],
    attributes: (c.attributes ?? []).map((a) => {
      const values = Array.isArray(a.value) ? a.value : a.value === undefined ? [] : [a.value];
      const first = values[0];
      const valueType: ValueType = typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'text';
      return { path: a.path, op: a.op, valueType, value: values.map(String).join(', ') };
    }),
    accountSegments: c.account?.segments ?? [],
    accountTags: c.account?.tagsAny ?? [],
    accountTiers: c.account?.tiers ?? [],
    accountCountries: c.account?.countries ?? [],
    memberRoles: c.member?.roles ?? [],
    memberTags: c.member?.tagsAny ?? [],
    memberTiers: c.member?.tiers ?? [],
    memberRequired: c.member?.required ?? false,
    lineSkus: c.lines?.skus ?? [],
    lineCategories: c.lines?.categories ?? [],
    lineBrands: c.lines?.brands ?? [],
    lineMarginClasses: c.lines?.marginClasses ?? [],
    dateFrom: c.dateFrom ?? '',
    dateTo: c.dateTo ?? '',
    weekdays: (c.weekdays ?? []).map(String),
    minAmount: moneyText(c.minAmount, currency),
    effectType: e.type,
    points: 'points' in e ? e.points : 1,
    per: 'per' in e ? moneyText(e.per, currency) : '',
    marginClasses: e.type === 'upsell' ? (e.marginClasses ?? []) : [],
    factor: e.type === 'multiplier' ? e.factor : 2,
    ruleIds: e.type === 'multiplier' ? (e.ruleIds ?? []) : [],
    recipientType: d.recipient.type,
    accountPercent: d.recipient.type === 'split' ? d.recipient.accountPercent : 50,
    caps: (d.caps ?? []).map((cap) => ({ scope: cap.scope, period: cap.period, maxPoints: cap.maxPoints ?? '', maxTimes: cap.maxTimes ?? '' })),
    stacking: d.stacking ?? 'stack',
  };
}

/** The form's `effectiveFrom` as the API wants it (ISO with offset), or nothing for "now". */
export function effectiveFromOut(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

export { localInput };

/**
 * The server's messages for one field of the form. Paths come as `definition.effect.points` (the rule
 * store), `body.name` (the route's schema) or `lines.0.amount` (a sample event); `field` names the same
 * place without those prefixes. `exact`: only that field, not what lies below it.
 */
export function issuesAt(err: unknown, field: string, exact = false): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const found = err.errors.filter((e) => {
    const path = e.path.replace(/^body\./, '').replace(/^definition\./, '');
    return path === field || (!exact && path.startsWith(`${field}.`));
  });
  return found.length > 0 ? found.map((e) => e.message).join('; ') : undefined;
}
