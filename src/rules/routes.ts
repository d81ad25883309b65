import type { FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import type { Db } from '../db/database.js';
import { audited } from '../audit/index.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { apiLanguage } from '../http/problem.js';
import { simulateAnswer } from '../events/answers.js';
import { eventTypePattern, lineSchema } from '../events/schema.js';
import { renderExplanation } from '../ledger/explain.js';
import { getProgram } from '../programs/programs.js';
import { ruleDefinitionSchema } from './definition.js';
import { simulateRules } from './simulate.js';
import {
  archiveRule,
  createRule,
  getRule,
  getRuleVersion,
  getRuleVersions,
  listRules,
  ruleFieldSchemas,
  updateRule,
  type Rule,
} from './store.js';

/*
 * The `definition` in request bodies is documented with the rule definition schema the store validates with, but
 * checked loosely by the route (see `bodyCheckedWith`) and validated by the store, so that every problem inside
 * it, whoever calls the store, is one 422 `invalid_rule` whose `errors` name each field
 * (`definition.effect.points`) in words written for rule authors. Everything else in the body is checked by the
 * route: a wrong type or an unknown field is a 400 `validation_failed`.
 */
const DEFINITION_DOC =
  'The rule definition (conditions, effect, recipient, caps, stacking) as described in docs/rules.md. ' +
  'It is validated on write: any problem in it is a 422 `invalid_rule` whose `errors` name each field, ' +
  'e.g. `definition.effect.points`.';

/** The definition as the document shows it, in requests and answers alike. */
const ruleDefinition = ruleDefinitionSchema.meta({
  id: 'RuleDefinition',
  description:
    'What a rule pays for and how: `conditions` an event must meet (all of them; `{}` for always), the `effect` ' +
    '(fixed points, points per amount, upsell, cross-sell, or a multiplier of other rules), the `recipient` ' +
    '(account, member, or a split), optional `caps` per account or member and period, and `stacking` ' +
    '(`exclusive` blocks lower-priority rules). See docs/rules.md.',
});
/** What the route itself checks of a definition: the store validates it (422 `invalid_rule`). */
const definitionChecked = z.unknown();

/**
 * The route's body schema is the one the document shows; the body is checked with `check` instead, which takes
 * the parts the store validates (the definition, lines) as they come. Other parts of the request are checked by
 * their own schemas as usual.
 */
const bodyCheckedWith = (check: z.ZodType) => (route: Parameters<typeof validatorCompiler>[0] | { schema: unknown; httpPart?: string }) =>
  validatorCompiler({ ...route, schema: route.httpPart === 'body' ? check : route.schema } as Parameters<typeof validatorCompiler>[0]);

const effectiveFrom = z.iso
  .datetime({ offset: true })
  .meta({ description: 'When this version takes effect (ISO 8601 date-time with offset); default now.' });
const expectedVersion = z
  .int()
  .min(1)
  .meta({ description: 'The latest version as you last saw it; if the rule has changed since, the answer is 409 rule_version_conflict.' });

const versionSummary = z
  .object({
    version: z.int().describe('1 for the rule as created, one more for every change'),
    name: z.string(),
    priority: z.int(),
    active: z.boolean(),
    effectiveFrom: z.date().describe('when this version took (or takes) effect'),
    createdAt: z.date(),
  })
  .meta({ id: 'RuleVersionSummary', description: 'One version of a rule, without its definition.' });

const ruleFields = z.object({
  id: z.uuid(),
  version: z.int().describe('this version\'s number; 1 for the rule as created'),
  name: z.string(),
  description: z.string().nullable(),
  priority: z.int().describe('higher runs first; an exclusive rule blocks those below it'),
  active: z.boolean().describe('false: archived, pays nothing from `effectiveFrom`'),
  effectiveFrom: z.date().describe('when this version took (or takes) effect; a later one may be scheduled'),
  definition: ruleDefinition,
  createdAt: z.date(),
});
const ruleOut = ruleFields.meta({
  id: 'Rule',
  description: 'An earning rule, as one of its versions: events are judged by the version in force when they occurred.',
});
const ruleWithVersionsOut = ruleFields
  .extend({ versions: z.array(versionSummary).describe('every version, oldest first') })
  .meta({ id: 'RuleWithVersions', description: 'A rule\'s latest version with a summary of all its versions.' });

const idParams = z.object({ id: z.uuid().describe('The rule\'s id') });

/** The simulation's body, with its definition and lines as given: documented (`simulateDoc`) or checked. */
const simulateBodyOf = <D extends z.ZodType, L extends z.ZodType>(definition: D, line: L) =>
  z
    .object({
      accountId: z.uuid().meta({ description: 'The account the sample event is for (our id).' }),
      memberId: z.uuid().optional().meta({ description: 'The member who acted; without one, member rules pay the company wallet.' }),
      type: z.string().regex(eventTypePattern).default('purchase').meta({ description: 'The event type; default `purchase`. A `return` cannot be simulated.' }),
      occurredAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'Default now; a later instant sees versions scheduled by then.' }),
      lines: z
        .array(line)
        .max(1000)
        .optional()
        .meta({ description: 'Purchase lines, checked like an event’s: a bad one is a 400 `validation_failed` naming `lines.N.…`.' }),
      attributes: z.record(z.string().max(100), z.unknown()).optional().meta({ description: 'The event’s attributes, as conditions on `attributes` read them.' }),
      draft: z
        .object({
          id: z.uuid().optional().meta({ description: 'The saved rule the draft edits: it replaces that rule among the live ones.' }),
          name: ruleFieldSchemas.name,
          priority: ruleFieldSchemas.priority.optional(),
          definition,
        })
        .strict()
        .optional()
        .meta({ description: 'A rule as it is being edited (not saved).' }),
      draftOnly: z.boolean().default(false).meta({ description: 'With a draft: judge by the draft alone, not the live rules with it.' }),
    })
    .strict();
const simulateDoc = simulateBodyOf(ruleDefinition, lineSchema);
const simulateChecked = simulateBodyOf(definitionChecked, z.unknown());

const simulateOut = simulateAnswer.extend({
  ruleSet: z.enum(['live', 'draft', 'liveWithDraft']).meta({ description: 'The rules the sample was judged by.' }),
  occurredAt: z.string(),
  byRecipient: z.object({ account: z.int(), member: z.int() }).describe('the points by wallet they would go to'),
});

/** The stored definition passed the definition schema on write; the answer's schema checks it again on the way out. */
const toOut = <T extends Rule>(r: T) => ({ ...r, definition: r.definition as z.output<typeof ruleDefinition> });

/**
 * The rule's latest version, with its versions locked for this transaction: two edits at once then meet
 * here, and the second is told of the conflict by the store instead of failing its transaction on the
 * version's unique key.
 */
async function lockedRule(trx: Db, programId: string, id: string): Promise<Rule | undefined> {
  await sql`SELECT 1 FROM rules WHERE program_id = ${programId} AND id = ${id} FOR UPDATE`.execute(trx);
  const versions = await getRuleVersions(trx, programId, id);
  return versions[versions.length - 1];
}

const createBodyOf = <D extends z.ZodType>(definition: D) =>
  z
    .object({
      name: ruleFieldSchemas.name.meta({ description: 'The rule\'s name, as the explanation of a posting quotes it.' }),
      description: ruleFieldSchemas.description.optional().meta({ description: 'For the program team; not shown to members.' }),
      priority: ruleFieldSchemas.priority.optional().meta({ description: 'Higher runs first; default 100.' }),
      effectiveFrom: effectiveFrom.optional(),
      definition,
    })
    .strict();

const patchBodyOf = <D extends z.ZodType>(definition: D) =>
  z
    .object({
      expectedVersion,
      name: ruleFieldSchemas.name.optional(),
      description: ruleFieldSchemas.description.optional(),
      priority: ruleFieldSchemas.priority.optional(),
      active: z.boolean().optional().meta({ description: '`false` archives the rule from `effectiveFrom`; `true` brings an archived rule back.' }),
      effectiveFrom: effectiveFrom.optional(),
      definition: definition.optional(),
    })
    .strict();

export async function ruleRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const tags = ['rules'];

  app.get(
    '/v1/rules',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listRules',
        tags,
        summary: 'List rules (the latest version of each), highest priority first',
        description:
          'The latest version may be scheduled for the future; see its `effectiveFrom`. Paginated: pass the answer\'s ' +
          '`nextCursor` as `cursor` for the next page.',
        querystring: pageQuery
          .extend({
            active: z.enum(['true', 'false']).optional().meta({ description: 'Only active (`true`) or archived (`false`) rules; default both.' }),
            q: z.string().max(200).optional().meta({ description: 'Contained in the name or description, any case.' }),
            eventType: z
              .string()
              .regex(eventTypePattern)
              .optional()
              .meta({ description: 'Only rules that can pay on this event type: those listing it, and those listing none.' }),
          })
          .strict(),
        response: { 200: pageOf(ruleOut) },
      },
    },
    async (req) => {
      const { active, q, eventType, limit, cursor } = req.query;
      const page = await listRules(db, caller(req).programId, {
        active: active === undefined ? undefined : active === 'true',
        q,
        eventType,
        limit,
        cursor,
      });
      return { data: page.data.map(toOut), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/rules',
    {
      config: { scope: 'rules:write', errors: ['invalid_rule'] },
      validatorCompiler: bodyCheckedWith(createBodyOf(definitionChecked)),
      schema: {
        operationId: 'createRule',
        tags,
        summary: 'Create a rule (version 1)',
        description:
          'The rule pays on events that occur from `effectiveFrom` on (default now); earlier events are not judged again. ' +
          DEFINITION_DOC +
          ' Recorded in the audit log.',
        body: createBodyOf(ruleDefinition),
        response: { 201: ruleOut },
      },
    },
    async (req, reply) => {
      const rule = await audited(db, auditContext(req), async (trx) => {
        const after = await createRule(trx, caller(req).programId, req.body, clock());
        return { result: after, audit: { action: 'rule.create', entity: 'rule', entityId: after.id, after } };
      });
      reply.status(201);
      return toOut(rule);
    },
  );

  app.post(
    '/v1/rules/simulate',
    {
      config: { scope: 'read', errors: ['invalid_rule', 'unknown_account', 'account_not_active', 'unknown_member', 'member_not_in_account', 'unknown_sku', 'amount_out_of_range', 'member_not_active', 'points_limit_exceeded'] },
      validatorCompiler: bodyCheckedWith(simulateChecked),
      schema: {
        operationId: 'simulateRules',
        tags,
        summary: 'What would a sample event earn, and why? With the live rules or a rule being edited',
        description:
          'Prices the sample exactly as a real event (rules in force at `occurredAt`, the account’s cap counters, bought ' +
          'categories and tier bonuses), with the live rules, the live rules with `draft` in place of its saved self, or ' +
          '`draft` alone (`draftOnly`). Writes nothing. `reason` is in the reader’s language. A bad draft is a 422 `invalid_rule` naming ' +
          '`definition.…` fields; bad lines a 400 `validation_failed` naming `lines.N.…`.',
        body: simulateDoc,
        response: { 200: simulateOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const lng = apiLanguage(req);
      const occurredAt = req.body.occurredAt ?? clock().toISOString();
      const result = await simulateRules(db, program, { ...req.body, occurredAt } as Parameters<typeof simulateRules>[2]);
      const byRecipient = { account: 0, member: 0 };
      for (const p of result.postings) byRecipient[p.recipient] += p.points;
      return {
        ruleSet: result.ruleSet,
        accountId: result.accountId,
        memberId: result.memberId,
        occurredAt,
        points: byRecipient.account + byRecipient.member,
        byRecipient,
        postings: result.postings.map((p) => ({ ...p, reason: renderExplanation(p.explanation, lng, program.currency) })),
        trace: result.trace.map((t) => ({ ...t, reason: renderExplanation(t.explanation, lng, program.currency) })),
      };
    },
  );

  app.get(
    '/v1/rules/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getRule',
        tags,
        summary: 'A rule: its latest version and a summary of all versions',
        description: 'The latest version may be scheduled for the future; the versions list says from when each took effect.',
        params: idParams,
        response: { 200: ruleWithVersionsOut },
      },
    },
    async (req) => toOut(await getRule(db, caller(req).programId, req.params.id)),
  );

  app.get(
    '/v1/rules/:id/versions/:version',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getRuleVersion',
        tags,
        summary: 'One version of a rule',
        description: 'As it was written: the version that judged events occurring between its `effectiveFrom` and the next version\'s.',
        params: z.object({
          id: z.uuid().describe('The rule\'s id'),
          version: z.coerce.number().int().min(1).max(2_147_483_647).describe('The version number, from 1'),
        }),
        response: { 200: ruleOut },
      },
    },
    async (req) => toOut(await getRuleVersion(db, caller(req).programId, req.params.id, req.params.version)),
  );

  app.patch(
    '/v1/rules/:id',
    {
      config: { scope: 'rules:write', errors: ['invalid_rule', 'rule_version_conflict'] },
      validatorCompiler: bodyCheckedWith(patchBodyOf(definitionChecked)),
      schema: {
        operationId: 'updateRule',
        tags,
        summary: 'Change a rule: writes a new version',
        description:
          'The new version is a copy of the latest with the given changes, in force from `effectiveFrom` (default now, ' +
          'not before the previous version). `expectedVersion` guards against overwriting someone else\'s change (409 ' +
          '`rule_version_conflict`). `active: true` brings an archived rule back. ' +
          DEFINITION_DOC +
          ' Recorded in the audit log.',
        params: idParams,
        body: patchBodyOf(ruleDefinition),
        response: { 200: ruleOut },
      },
    },
    async (req) =>
      toOut(
        await audited(db, auditContext(req), async (trx) => {
          const before = await lockedRule(trx, caller(req).programId, req.params.id);
          const after = await updateRule(trx, caller(req).programId, req.params.id, req.body, clock());
          return { result: after, audit: { action: 'rule.update', entity: 'rule', entityId: after.id, before, after } };
        }),
      ),
  );

  app.post(
    '/v1/rules/:id/archive',
    {
      config: { scope: 'rules:write', errors: ['rule_version_conflict'] },
      schema: {
        operationId: 'archiveRule',
        tags,
        summary: 'Archive a rule: a new version that stops it paying from `effectiveFrom` (default now)',
        description:
          'Events that occurred earlier are still judged by the earlier versions. PATCH with `active: true` to bring it back. ' +
          'Recorded in the audit log.',
        params: idParams,
        body: z.object({ expectedVersion, effectiveFrom: effectiveFrom.optional() }).strict(),
        response: { 200: ruleOut },
      },
    },
    async (req) =>
      toOut(
        await audited(db, auditContext(req), async (trx) => {
          const before = await lockedRule(trx, caller(req).programId, req.params.id);
          const after = await archiveRule(trx, caller(req).programId, req.params.id, req.body, clock());
          return { result: after, audit: { action: 'rule.archive', entity: 'rule', entityId: after.id, before, after } };
        }),
      ),
  );
}
