/**
 * A segment's filter: a tree of conditions (all / any / not) over a fixed list of fields, validated with zod
 * for its shape and here for its meaning (known field, operator that suits it, value of the right kind), and
 * compiled to one SQL boolean expression over the subject's row (`s`, an account or a member). The database
 * evaluates it: no row of the program is loaded into Node to decide membership.
 *
 * Activity fields become correlated subqueries that use the existing indexes (events by account and time,
 * entries by wallet, sessions by member); scores read the nightly `account_scores` row.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { meanCsatSql, meanNpsSql } from '../surveys/segment-scores.js';

export const subjects = ['account', 'member'] as const;
export type Subject = (typeof subjects)[number];

export const operators = [
  'eq', 'neq', 'in', 'notIn', 'contains', 'exists', 'notExists',
  'gt', 'gte', 'lt', 'lte', 'between',
  'hasAny', 'hasAll', 'hasNone',
  'withinDays', 'notWithinDays', 'never',
] as const;
export type Operator = (typeof operators)[number];

const scalar = z.union([z.string().max(200), z.number().finite()]);
export const conditionSchema = z
  .strictObject({
    field: z.string().min(1).max(100).describe('A field of GET /v1/segments/fields, or `attributes.<key>` for a custom field'),
    op: z.enum(operators).describe('The operator; which ones a field takes is listed with the field'),
    value: z
      .union([scalar, z.array(scalar).max(500)])
      .optional()
      .describe('The value to compare with: a list for `in`, `notIn`, `hasAny`, `hasAll`, `hasNone`; `[low, high]` for `between`; none for `exists`, `notExists`, `never`; days for `withinDays` / `notWithinDays` on a recency field'),
    /** The window of a windowed field (points earned, purchases…): the last this many days. */
    days: z.number().int().min(1).max(3660).optional().describe('The window of a windowed field (points earned, purchases…), or of a recency operator: the last this many days'),
    /** Purchases of one category only (purchase fields). */
    category: z.string().trim().min(1).max(100).optional().describe('Purchase fields only: count purchases of this category code only'),
  })
  .meta({ id: 'SegmentCondition', description: 'One condition of a segment filter: a field, an operator and the value to compare with.' });
export type Condition = z.infer<typeof conditionSchema>;

export type Filter = { all: Filter[] } | { any: Filter[] } | { not: Filter } | Condition;

export const filterSchema: z.ZodType<Filter> = z
  .lazy(() =>
    z.union([
      z.strictObject({ all: z.array(filterSchema).max(50).describe('Every one of these must hold') }),
      z.strictObject({ any: z.array(filterSchema).max(50).describe('At least one of these must hold') }),
      z.strictObject({ not: filterSchema }),
      conditionSchema,
    ]),
  )
  .meta({
    id: 'SegmentFilter',
    description:
      'Which accounts or members a dynamic segment holds: a condition, or `all` / `any` of filters, or `not` a filter; at most 6 levels deep and 100 conditions. See docs/segments.md.',
  });

/** How deep and how large a filter may be: a builder makes a few levels, never hundreds. */
export const maxDepth = 6;
export const maxConditions = 100;

type Kind = 'text' | 'list' | 'number' | 'recency' | 'windowed';
const opsOf: Record<Kind, readonly Operator[]> = {
  text: ['eq', 'neq', 'in', 'notIn', 'contains', 'exists', 'notExists'],
  list: ['hasAny', 'hasAll', 'hasNone'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between'],
  recency: ['withinDays', 'notWithinDays', 'never'],
  windowed: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between'],
};

interface Ctx {
  programId: string;
  subject: Subject;
  now: Date;
}

type Expr = RawBuilder<unknown>;
interface FieldDef {
  kind: Kind;
  subjects: readonly Subject[];
  /** Purchase fields take `category`. */
  category?: boolean;
  /** text/number/list: the value; recency: the latest time (NULL: never) is not used, see `activity`. */
  expr?: (c: Ctx, cond: Condition) => Expr;
  /** recency: an EXISTS body "an activity at or after $since" (since null: ever). */
  activity?: (c: Ctx, since: Date | null, cond: Condition) => Expr;
  description: string;
}

const both = subjects;
const own = (col: string): FieldDef['expr'] => () => sql.ref(`s.${col}`);
const accountIdOf = (c: Ctx) => (c.subject === 'account' ? sql.ref('s.id') : sql.ref('s.account_id'));
const daysAgo = (c: Ctx, days: number) => new Date(c.now.getTime() - days * 86_400_000);

/** The wallets whose entries count for the subject: an account's own and its members', or the member's. */
const walletsOf = (c: Ctx) =>
  c.subject === 'member'
    ? sql`SELECT s.id`
    : sql`SELECT s.id UNION ALL SELECT mw.id FROM members mw WHERE mw.program_id = ${c.programId} AND mw.account_id = s.id`;

/** Purchase events of the subject in [since, now]; the account's index on (program, account, time) serves both subjects. */
const purchaseEvents = (c: Ctx, since: Date | null, category: string | undefined) => sql`
  FROM events e
  WHERE e.program_id = ${c.programId} AND e.account_id = ${accountIdOf(c)} AND e.type = 'purchase'
    ${c.subject === 'member' ? sql`AND e.member_id = s.id` : sql``}
    AND e.occurred_at <= ${c.now}
    ${since ? sql`AND e.occurred_at >= ${since}` : sql``}
    ${category ? sql`AND EXISTS (SELECT 1 FROM event_lines l WHERE l.program_id = e.program_id AND l.event_id = e.id AND l.category_code = ${category})` : sql``}`;

const pointsEarned = (c: Ctx, cond: Condition) => sql`coalesce((
  SELECT sum(en.amount)
  FROM entries en JOIN journals j ON j.program_id = en.program_id AND j.id = en.journal_id
  WHERE en.program_id = ${c.programId} AND en.wallet_id IN (${walletsOf(c)})
    AND j.kind = 'earn' AND en.amount > 0
    AND j.occurred_at >= ${daysAgo(c, cond.days!)} AND j.occurred_at <= ${c.now}), 0)`;

/**
 * Points spent in the window: spends and reward orders (`redeem`) alike, as the participation figures count them,
 * net of what a cancelled or rejected order gave back. A refund counts against the order it undoes, not in the
 * window it happened in, so an order placed and cancelled in the window is nothing spent, and an old order
 * cancelled yesterday does not make this week's spending negative. Refunds are only written for reward orders,
 * whose row is the one link from a refund to its debit.
 */
const pointsSpent = (c: Ctx, cond: Condition) => sql`coalesce((
  SELECT sum(d.taken - coalesce((
    SELECT sum(rf.amount)
    FROM reward_orders o
    JOIN journals rj ON rj.program_id = o.program_id AND rj.id = o.refund_journal_id
    JOIN entries rf ON rf.program_id = rj.program_id AND rf.journal_id = rj.id
    WHERE o.program_id = ${c.programId} AND o.redeem_journal_id = d.journal_id
      AND rf.wallet_id = d.wallet_id AND rf.amount > 0 AND rj.occurred_at <= ${c.now}), 0))
  FROM (
    SELECT en.journal_id, en.wallet_id, -sum(en.amount) AS taken
    FROM entries en JOIN journals j ON j.program_id = en.program_id AND j.id = en.journal_id
    WHERE en.program_id = ${c.programId} AND en.wallet_id IN (${walletsOf(c)})
      AND j.kind IN ('spend', 'redeem') AND en.amount < 0
      AND j.occurred_at >= ${daysAgo(c, cond.days!)} AND j.occurred_at <= ${c.now}
    GROUP BY en.journal_id, en.wallet_id) d), 0)`;

const score = (col: string) => (c: Ctx) =>
  sql`(SELECT ${sql.raw(col)} FROM account_scores sc WHERE sc.program_id = ${c.programId} AND sc.account_id = ${accountIdOf(c)})`;

const accountCol = (col: string) => (c: Ctx) =>
  c.subject === 'account' ? sql.ref(`s.${col}`) : sql`(SELECT ac.${sql.raw(col)} FROM accounts ac WHERE ac.program_id = ${c.programId} AND ac.id = s.account_id)`;

/** Every field a filter may name. `attributes.<key>` (the custom fields) is handled apart. */
export const fields: Record<string, FieldDef> = {
  name: { kind: 'text', subjects: both, expr: own('name'), description: 'name' },
  externalId: { kind: 'text', subjects: both, expr: own('external_id'), description: 'external id' },
  status: { kind: 'text', subjects: both, expr: own('status'), description: 'invited, active, suspended or closed' },
  tier: { kind: 'text', subjects: both, expr: own('tier'), description: "the subject's tier level code" },
  tags: { kind: 'list', subjects: both, expr: own('tags'), description: 'tags' },
  createdAt: {
    kind: 'recency', subjects: both, description: 'joined the program',
    activity: (c, since) => sql`s.created_at >= ${since ?? new Date(0)} AND s.created_at <= ${c.now}`,
  },
  segment: { kind: 'text', subjects: both, expr: accountCol('segment'), description: "the account's segment label" },
  country: { kind: 'text', subjects: both, expr: accountCol('country'), description: "the account's country (ISO code)" },
  role: { kind: 'text', subjects: ['member'], expr: own('role'), description: "the member's role" },
  language: { kind: 'text', subjects: ['member'], expr: own('language'), description: "the member's language" },
  email: { kind: 'text', subjects: ['member'], expr: own('email'), description: "the member's e-mail address" },
  'account.tier': { kind: 'text', subjects: ['member'], expr: accountCol('tier'), description: "the member's account's tier" },
  'account.tags': { kind: 'list', subjects: ['member'], expr: accountCol('tags'), description: "the member's account's tags" },
  lastPurchase: {
    kind: 'recency', subjects: both, category: true, description: 'the latest purchase (of a category, if given)',
    activity: (c, since, cond) => sql`EXISTS (SELECT 1 ${purchaseEvents(c, since, cond.category)})`,
  },
  lastLogin: {
    kind: 'recency', subjects: both, description: 'the latest portal visit (of any of the account’s members)',
    activity: (c, since) => sql`EXISTS (
      SELECT 1 FROM web_sessions ws
      WHERE ws.program_id = ${c.programId} AND ws.kind = 'member'
        AND ws.member_id ${c.subject === 'member' ? sql`= s.id` : sql`IN (SELECT ml.id FROM members ml WHERE ml.program_id = ${c.programId} AND ml.account_id = s.id)`}
        AND ws.last_seen_at <= ${c.now} ${since ? sql`AND ws.last_seen_at >= ${since}` : sql``})`,
  },
  purchaseCount: {
    kind: 'windowed', subjects: both, category: true, description: 'purchases in the last `days` days (of a category, if given)',
    expr: (c, cond) => sql`(SELECT count(*) ${purchaseEvents(c, daysAgo(c, cond.days!), cond.category)})`,
  },
  purchaseAmount: {
    kind: 'windowed', subjects: both, category: true, description: 'purchase amount (minor units, net of returns) in the last `days` days',
    expr: (c, cond) => sql`coalesce((
      SELECT sum(l.amount - l.returned_amount)
      FROM events e JOIN event_lines l ON l.program_id = e.program_id AND l.event_id = e.id
      WHERE e.program_id = ${c.programId} AND e.account_id = ${accountIdOf(c)} AND e.type = 'purchase'
        ${c.subject === 'member' ? sql`AND e.member_id = s.id` : sql``}
        AND e.occurred_at >= ${daysAgo(c, cond.days!)} AND e.occurred_at <= ${c.now}
        ${cond.category ? sql`AND l.category_code = ${cond.category}` : sql``}), 0)`,
  },
  pointsEarned: { kind: 'windowed', subjects: both, expr: pointsEarned, description: 'points earned in the last `days` days' },
  pointsSpent: {
    kind: 'windowed', subjects: both, expr: pointsSpent,
    description: 'points spent in the last `days` days (spends and reward orders, net of cancelled and rejected orders)',
  },
  categoriesBought: {
    kind: 'list', subjects: ['account'], description: 'categories the account has ever bought',
    expr: (c) => sql`ARRAY(SELECT cb.category_code FROM account_categories cb WHERE cb.program_id = ${c.programId} AND cb.account_id = s.id)`,
  },
  'survey.nps': {
    kind: 'windowed', subjects: both, description: 'mean NPS answer (0–10) in the last `days` days; no answer: no match',
    expr: (c, cond) => meanNpsSql({ programId: c.programId, kind: c.subject, id: sql.ref('s.id') }, daysAgo(c, cond.days!), c.now),
  },
  'survey.csat': {
    kind: 'windowed', subjects: both, description: 'mean CSAT score (1–5) in the last `days` days, survey answers and service ratings; no score: no match',
    expr: (c, cond) => meanCsatSql({ programId: c.programId, kind: c.subject, id: sql.ref('s.id') }, daysAgo(c, cond.days!), c.now),
  },
  balance: {
    kind: 'number', subjects: both, description: 'points available now',
    expr: (c) => sql`coalesce((SELECT w.available FROM wallets w WHERE w.program_id = ${c.programId} AND w.id = s.id), 0)`,
  },
  'score.recency': { kind: 'number', subjects: both, expr: score('r'), description: 'RFM recency quintile 1–5 (0: no purchase)' },
  'score.frequency': { kind: 'number', subjects: both, expr: score('f'), description: 'RFM frequency quintile 1–5' },
  'score.monetary': { kind: 'number', subjects: both, expr: score('m'), description: 'RFM monetary quintile 1–5' },
  'score.rfm': { kind: 'number', subjects: both, expr: score('(r + f + m)'), description: 'sum of the three quintiles, 0–15' },
  'score.rankPercent': { kind: 'number', subjects: both, expr: score('rank_percent'), description: 'rank by RFM within the program, 0 (best) – 100' },
  loyaltyType: { kind: 'text', subjects: both, expr: score('loyalty_type'), description: 'the loyalty type of the latest scores' },
  inSegment: {
    kind: 'list', subjects: both, description: 'member of other segments (by key, same subject)',
    expr: (c) => sql`ARRAY(SELECT sg.key FROM segment_members sm JOIN segments sg ON sg.program_id = sm.program_id AND sg.id = sm.segment_id
      WHERE sm.program_id = ${c.programId} AND sm.subject_id = s.id)`,
  },
};

const attributeKey = /^attributes\.([A-Za-z0-9_.-]{1,100})$/;

/** The fields a subject may filter on, for the builder and the docs. */
export function fieldCatalogue(subject: Subject) {
  return Object.entries(fields)
    .filter(([, f]) => f.subjects.includes(subject))
    .map(([name, f]) => ({ field: name, kind: f.kind, operators: [...opsOf[f.kind]], category: f.category === true, windowed: f.kind === 'windowed', description: f.description }));
}

function resolve(cond: Condition, subject: Subject): FieldDef {
  const attr = attributeKey.exec(cond.field);
  if (attr) {
    const key = attr[1]!;
    const numeric = (['gt', 'gte', 'lt', 'lte', 'between'] as Operator[]).includes(cond.op);
    return {
      kind: numeric ? 'number' : 'text',
      subjects: both,
      description: 'custom field',
      expr: () =>
        numeric
          ? sql`CASE WHEN jsonb_typeof(s.attributes -> ${key}) = 'number' THEN (s.attributes ->> ${key})::numeric END`
          : sql`(s.attributes ->> ${key})`,
    };
  }
  const f = Object.hasOwn(fields, cond.field) ? fields[cond.field] : undefined;
  if (!f || !f.subjects.includes(subject)) throw new LojalError('segment_field_unknown', { field: cond.field, subject });
  return f;
}

const bad = (cond: Condition, detail: string) => new LojalError('segment_value_invalid', { field: cond.field, op: cond.op, detail });

function values(cond: Condition, kind: 'text' | 'number'): Array<string | number> {
  const list = Array.isArray(cond.value) ? cond.value : cond.value === undefined ? [] : [cond.value];
  if (list.length === 0) throw bad(cond, 'a value is needed');
  for (const v of list) {
    if (kind === 'number' && typeof v !== 'number') throw bad(cond, 'numbers are needed');
  }
  return kind === 'text' ? list.map(String) : list;
}

function one(cond: Condition, kind: 'text' | 'number'): string | number {
  if (Array.isArray(cond.value)) throw bad(cond, 'one value is needed, not a list');
  return values(cond, kind)[0]!;
}

function compileCondition(c: Ctx, cond: Condition): RawBuilder<SqlBool> {
  const f = resolve(cond, c.subject);
  if (!opsOf[f.kind].includes(cond.op)) {
    throw new LojalError('segment_operator_invalid', { field: cond.field, op: cond.op, allowed: opsOf[f.kind].join(', ') });
  }
  if (cond.category !== undefined && !f.category) throw bad(cond, 'only purchase fields take a category');
  if (f.kind === 'windowed' && cond.days === undefined) throw bad(cond, 'give the window in `days`');
  if (f.kind !== 'windowed' && f.kind !== 'recency' && cond.days !== undefined) throw bad(cond, 'this field takes no `days`');

  if (f.kind === 'recency') {
    const activity = f.activity!;
    if (cond.op === 'never') {
      if (cond.value !== undefined || cond.days !== undefined) throw bad(cond, '`never` takes no value');
      return sql<SqlBool>`NOT (${activity(c, null, cond)})`;
    }
    const days = cond.days ?? (typeof cond.value === 'number' ? cond.value : undefined);
    if (days === undefined || !Number.isInteger(days) || days < 1 || days > 3660) throw bad(cond, 'give the number of days (1–3660) in `days`');
    const within = activity(c, daysAgo(c, days), cond);
    return cond.op === 'withinDays' ? sql<SqlBool>`(${within})` : sql<SqlBool>`NOT (${within})`;
  }

  const e = f.expr!(c, cond);
  if (f.kind === 'list') {
    const list = values(cond, 'text');
    if (cond.op === 'hasAny') return sql<SqlBool>`(${e} && ${list}::text[])`;
    if (cond.op === 'hasAll') return sql<SqlBool>`(${e} @> ${list}::text[])`;
    return sql<SqlBool>`NOT (${e} && ${list}::text[])`;
  }
  if (f.kind === 'text') {
    switch (cond.op) {
      case 'exists':
      case 'notExists':
        if (cond.value !== undefined) throw bad(cond, `\`${cond.op}\` takes no value`);
        return cond.op === 'exists' ? sql<SqlBool>`(${e} IS NOT NULL AND ${e} <> '')` : sql<SqlBool>`(${e} IS NULL OR ${e} = '')`;
      case 'eq':
        return sql<SqlBool>`(${e} = ${String(one(cond, 'text'))})`;
      case 'neq':
        return sql<SqlBool>`(${e} IS DISTINCT FROM ${String(one(cond, 'text'))})`;
      case 'in':
        return sql<SqlBool>`(${e} = ANY(${values(cond, 'text')}::text[]))`;
      case 'notIn':
        return sql<SqlBool>`coalesce(${e} <> ALL(${values(cond, 'text')}::text[]), true)`;
      default: {
        // contains: a case-insensitive substring; LIKE's wildcards in the value are taken literally.
        const needle = String(one(cond, 'text')).toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);
        return sql<SqlBool>`(lower(${e}) LIKE ${`%${needle}%`})`;
      }
    }
  }
  // number and windowed
  if (cond.op === 'between') {
    const list = values(cond, 'number');
    if (list.length !== 2) throw bad(cond, '`between` takes [low, high]');
    const [lo, hi] = list as [number, number];
    if (lo > hi) throw bad(cond, 'low is above high');
    return sql<SqlBool>`(${e} BETWEEN ${lo} AND ${hi})`;
  }
  const v = one(cond, 'number');
  const op = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }[cond.op as 'eq'];
  return sql<SqlBool>`(${e} ${sql.raw(op)} ${v})`;
}

function checkSize(filter: Filter): void {
  let conditions = 0;
  const walk = (f: Filter, depth: number) => {
    if (depth > maxDepth) throw new LojalError('segment_filter_too_complex', { maxDepth, maxConditions });
    if ('all' in f) f.all.forEach((x) => walk(x, depth + 1));
    else if ('any' in f) f.any.forEach((x) => walk(x, depth + 1));
    else if ('not' in f) walk(f.not, depth + 1);
    else if (++conditions > maxConditions) throw new LojalError('segment_filter_too_complex', { maxDepth, maxConditions });
  };
  walk(filter, 1);
}

/**
 * The filter as one SQL boolean over the subject row `s` (accounts or members, already limited to the program).
 * Throws the filter's first meaning problem as a LojalError (unknown field, operator, value).
 */
export function compileFilter(filter: Filter, ctx: Ctx): RawBuilder<SqlBool> {
  checkSize(filter);
  const go = (f: Filter): RawBuilder<SqlBool> => {
    if ('all' in f) return f.all.length ? sql<SqlBool>`(${sql.join(f.all.map(go), sql` AND `)})` : sql<SqlBool>`true`;
    if ('any' in f) return f.any.length ? sql<SqlBool>`(${sql.join(f.any.map(go), sql` OR `)})` : sql<SqlBool>`false`;
    if ('not' in f) return sql<SqlBool>`NOT coalesce(${go(f.not)}, false)`;
    // A comparison with NULL (no score yet, no custom field) is "no": never unknown, so NOT stays honest.
    return sql<SqlBool>`coalesce(${compileCondition(ctx, f)}, false)`;
  };
  return go(filter);
}

/** Checks a filter's meaning without a database (what an API write does before storing it). */
export function validateFilter(filter: Filter, subject: Subject): void {
  compileFilter(filter, { programId: '00000000-0000-0000-0000-000000000000', subject, now: new Date(0) });
}

/** The segment keys a filter refers to with `inSegment` (refreshes run those first). */
export function referencedSegments(filter: Filter): string[] {
  if ('all' in filter) return filter.all.flatMap(referencedSegments);
  if ('any' in filter) return filter.any.flatMap(referencedSegments);
  if ('not' in filter) return referencedSegments(filter.not);
  if (filter.field !== 'inSegment') return [];
  return (Array.isArray(filter.value) ? filter.value : filter.value === undefined ? [] : [filter.value]).map(String);
}
