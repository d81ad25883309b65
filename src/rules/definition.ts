/**
 * Validation of rule definitions as they arrive over the API. Strict: an unknown field is more likely a
 * typo (`eventType` for `eventTypes`) than an intent, and a silently ignored condition pays points wrongly.
 * Messages are written for API users; they are returned as the reason of a 400.
 *
 * Beyond shapes, a few combinations are rejected because they can never do what the author meant:
 * - empty lists (omit the field to mean "any");
 * - `lines` on a multiplier: a multiplier multiplies whole postings, so a line filter there would read as
 *   "only these lines" yet double everything; filter the base rule and target it with `ruleIds` instead;
 * - `stacking: "exclusive"` on a multiplier (multipliers never block, and are never blocked);
 * - an upsell whose margin classes share nothing with `lines.marginClasses` (it could never pay);
 * - two caps with the same scope and period (they share one counter; keep the tighter limit).
 * A multiplier's `recipient` is accepted but ignored: its points follow the postings it multiplies.
 */
import { z } from 'zod';
import type { RuleDefinition } from './types.js';

const MAX_POINTS = 1_000_000_000;
const EVENT_TYPE = /^[a-z][a-z0-9_.-]{0,63}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ATTRIBUTE_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/**
 * Error callback for objects: our own message when the value is not an object at all, a readable
 * one for unknown fields, zod's default otherwise. (A plain `error` string would also replace the
 * unknown-field message, hiding the typo the user needs to see.)
 */
function objectErrors(notAnObject: string, unknownField?: string) {
  return (issue: { code?: string; keys?: readonly string[] }): string | undefined => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys ?? [];
      return unknownField ?? `unknown field${keys.length === 1 ? '' : 's'} ${keys.map((k) => `"${k}"`).join(', ')}`;
    }
    if (issue.code === 'invalid_type') return notAnObject;
    return undefined;
  };
}

/** A strict object whose unknown-field errors read well; for objects that only appear inside a union. */
function strict<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, { error: objectErrors('must be an object') });
}

function wholeNumber(label: string, min: number, max: number) {
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
  const message = `${label} must be a whole number ${range}`;
  return z.int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

function text(label: string, max = 200) {
  return z
    .string({ error: `${label} must be a string` })
    .min(1, { error: `${label} must not be empty` })
    .max(max, { error: `${label} must be at most ${max} characters` });
}

function list<T extends z.ZodType>(label: string, item: T, max = 1000) {
  return z
    .array(item, { error: `${label} must be a list` })
    .min(1, { error: `${label} must not be empty; leave it out to mean "any"` })
    .max(max, { error: `${label} can have at most ${max} entries` });
}

const eventType = z
  .string({ error: 'event types must be strings' })
  .regex(EVENT_TYPE, {
    error: 'event types start with a lowercase letter and use only a-z, 0-9, "_", "." and "-" (at most 64 characters)',
  })
  .refine((t) => t !== 'return', { error: 'rules cannot earn points on "return" events; returns reverse earlier points' });

const isoDate = (label: string) =>
  z.string({ error: `${label} must be a date like 2026-11-23` }).refine(
    (s) => {
      const m = ISO_DATE.exec(s);
      if (!m) return false;
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const probe = new Date(Date.UTC(y, mo - 1, d));
      return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
    },
    { error: `${label} must be a real calendar date written YYYY-MM-DD, like 2026-11-23` },
  );

const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: 'value must be a string, a number or true/false',
});

const attributePath = z
  .string({ error: 'path must be a string' })
  .max(200, { error: 'path must be at most 200 characters' })
  .regex(ATTRIBUTE_PATH, { error: 'path must be attribute names joined by dots, like "channel" or "survey.kind"' });

const attributeCondition = z.discriminatedUnion(
  'op',
  [
    strict({ path: attributePath, op: z.literal('eq'), value: scalar }),
    strict({ path: attributePath, op: z.literal('neq'), value: scalar }),
    strict({
      path: attributePath,
      op: z.literal('in'),
      value: list('value for "in"', z.union([z.string(), z.number()], { error: 'values for "in" must be strings or numbers' })),
    }),
    strict({ path: attributePath, op: z.literal('gte'), value: z.number({ error: 'value for "gte" must be a number' }) }),
    strict({ path: attributePath, op: z.literal('lte'), value: z.number({ error: 'value for "lte" must be a number' }) }),
    z.strictObject(
      { path: attributePath, op: z.literal('exists') },
      { error: objectErrors('an attribute condition must be an object', 'op "exists" takes no value') },
    ),
  ],
  { error: 'op must be one of eq, neq, in, gte, lte, exists' },
);

const lineFilter = z.strictObject(
  {
    skus: list('lines.skus', text('a sku'), 10_000).optional(),
    categories: list('lines.categories', text('a category')).optional(),
    brands: list('lines.brands', text('a brand')).optional(),
    marginClasses: list('lines.marginClasses', text('a margin class')).optional(),
  },
  { error: objectErrors('lines must be an object') },
);

const conditions = z
  .strictObject(
    {
      eventTypes: list('eventTypes', eventType, 100).optional(),
      attributes: list('attributes', attributeCondition, 50).optional(),
      account: z
        .strictObject(
          {
            segments: list('account.segments', text('a segment')).optional(),
            tagsAny: list('account.tagsAny', text('a tag')).optional(),
            tiers: list('account.tiers', text('a tier')).optional(),
            countries: list(
              'account.countries',
              z.string().regex(/^[A-Z]{2}$/, { error: 'countries are two-letter ISO 3166-1 codes in capitals, like SE' }),
              300,
            ).optional(),
          },
          { error: objectErrors('account must be an object') },
        )
        .optional(),
      member: z
        .strictObject(
          {
            roles: list('member.roles', text('a role')).optional(),
            segments: list('member.segments', text('a segment')).optional(),
            tagsAny: list('member.tagsAny', text('a tag')).optional(),
            tiers: list('member.tiers', text('a tier')).optional(),
            required: z.boolean({ error: 'member.required must be true or false' }).optional(),
          },
          { error: objectErrors('member must be an object') },
        )
        .optional(),
      lines: lineFilter.optional(),
      dateFrom: isoDate('dateFrom').optional(),
      dateTo: isoDate('dateTo').optional(),
      weekdays: list('weekdays', wholeNumber('a weekday', 1, 7).describe('1 = Monday … 7 = Sunday'), 7).optional(),
      minAmount: wholeNumber('minAmount (minor units)', 1, Number.MAX_SAFE_INTEGER).optional(),
    },
    { error: objectErrors('conditions must be an object (use {} for "always")') },
  )
  .refine((c) => c.dateFrom === undefined || c.dateTo === undefined || c.dateFrom <= c.dateTo, {
    error: 'dateFrom must not be after dateTo',
    path: ['dateTo'],
  });

const points = wholeNumber('points', 1, MAX_POINTS);
const per = wholeNumber('per (minor units)', 1, Number.MAX_SAFE_INTEGER);

const factor = z
  .number({ error: 'factor must be a number' })
  .min(1.01, { error: 'factor must be at least 1.01' })
  .max(100, { error: 'factor must be at most 100' })
  .refine((f) => Math.abs(f * 100 - Math.round(f * 100)) < 1e-9, { error: 'factor can have at most two decimals, like 1.5 or 1.25' });

const effect = z.discriminatedUnion(
  'type',
  [
    strict({ type: z.literal('fixed'), points }).describe('`points` for every event that meets the conditions'),
    strict({ type: z.literal('perAmount'), points, per }).describe('`points` per `per` of the matching lines\' amount (minor units), rounded down'),
    strict({
      type: z.literal('upsell'),
      points,
      per,
      marginClasses: list('effect.marginClasses', text('a margin class')).optional(),
    }).describe('`points` per `per` of the amount of lines in the given margin classes (default high), rounded down'),
    strict({ type: z.literal('crossSell'), points }).describe('`points` once for each matching category the account buys for the first time'),
    strict({ type: z.literal('multiplier'), factor, ruleIds: list('effect.ruleIds', text('a rule id')).optional() }).describe(
      'multiplies what other rules paid for the event by `factor` (at most two decimals), all of them or those in `ruleIds`',
    ),
  ],
  { error: 'effect.type must be one of fixed, perAmount, upsell, crossSell, multiplier' },
);

const recipient = z.discriminatedUnion(
  'type',
  [
    strict({ type: z.literal('account') }).describe('the company wallet'),
    strict({ type: z.literal('member') }).describe('the member who acted; without one, the company wallet'),
    strict({ type: z.literal('split'), accountPercent: wholeNumber('accountPercent', 0, 100) }).describe('`accountPercent` to the company, the rest to the member'),
  ],
  { error: 'recipient.type must be one of account, member, split' },
);

const cap = z
  .strictObject(
    {
      scope: z.enum(['account', 'member'], { error: 'cap scope must be account or member' }),
      period: z.enum(['day', 'week', 'month', 'year', 'lifetime'], {
        error: 'cap period must be one of day, week, month, year, lifetime',
      }),
      maxPoints: wholeNumber('maxPoints', 1, Number.MAX_SAFE_INTEGER).optional(),
      maxTimes: wholeNumber('maxTimes', 1, Number.MAX_SAFE_INTEGER).optional(),
    },
    { error: objectErrors('each cap must be an object') },
  )
  .refine((c) => c.maxPoints !== undefined || c.maxTimes !== undefined, {
    error: 'a cap needs maxPoints, maxTimes or both',
  });

export const ruleDefinitionSchema = z
  .strictObject(
    {
      conditions,
      effect,
      recipient,
      caps: z.array(cap, { error: 'caps must be a list' }).max(10, { error: 'a rule can have at most 10 caps' }).optional(),
      stacking: z.enum(['stack', 'exclusive'], { error: 'stacking must be stack or exclusive' }).optional(),
    },
    { error: objectErrors('a rule definition must be an object with conditions, effect and recipient') },
  )
  .superRefine((def, ctx) => {
    if (def.effect.type === 'multiplier') {
      if (def.conditions.lines !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['conditions', 'lines'],
          message:
            'a multiplier multiplies whole postings, so it cannot filter lines; put the lines filter on the base rule and list that rule in effect.ruleIds',
        });
      }
      if (def.stacking === 'exclusive') {
        ctx.addIssue({
          code: 'custom',
          path: ['stacking'],
          message: 'multipliers cannot be exclusive; they apply to whatever base rules paid',
        });
      }
    }
    if (def.effect.type === 'upsell' && def.conditions.lines?.marginClasses) {
      const wanted = def.effect.marginClasses ?? ['high'];
      const allowed = def.conditions.lines.marginClasses;
      if (!wanted.some((c) => allowed.includes(c))) {
        ctx.addIssue({
          code: 'custom',
          path: ['effect', 'marginClasses'],
          message: `this upsell pays on margin classes ${wanted.join(', ')}, but conditions.lines only admits ${allowed.join(', ')}; it could never pay`,
        });
      }
    }
    const seen = new Set<string>();
    def.caps?.forEach((c, i) => {
      const key = `${c.scope}/${c.period}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['caps', i],
          message: `two caps for scope ${c.scope} and period ${c.period}; combine them into one cap`,
        });
      }
      seen.add(key);
    });
  });

export type RuleDefinitionInput = z.infer<typeof ruleDefinitionSchema>;

// Compile-time proof that whatever the schema accepts is a RuleDefinition the engine understands.
const _assignable = (d: RuleDefinitionInput): RuleDefinition => d;
void _assignable;

/** One line per issue, `path: message`, suitable as the reason of a 400. */
export function describeRuleDefinitionIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
}

/** Parses and validates, returning either the definition or readable reasons. */
export function parseRuleDefinition(
  input: unknown,
): { ok: true; definition: RuleDefinition } | { ok: false; errors: string[] } {
  const result = ruleDefinitionSchema.safeParse(input);
  return result.success ? { ok: true, definition: result.data } : { ok: false, errors: describeRuleDefinitionIssues(result.error) };
}
