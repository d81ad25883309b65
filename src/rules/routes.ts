import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import type { Db } from '../db/database.js';
import { audited } from '../audit/index.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { apiLanguage } from '../http/problem.js';
import { simulateAnswer } from '../events/answers.js';
import { eventTypePattern } from '../events/schema.js';
import { renderExplanation } from '../ledger/explain.js';
import { getProgram } from '../programs/programs.js';
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
 * The `definition` in request bodies is declared loosely here and validated by the store with the rule
 * definition schema, so that every problem inside it, whoever calls the store, is one 422 `invalid_rule`
 * whose `errors` name each field (`definition.effect.points`) in words written for rule authors.
 * Everything else in the body is checked by the route schema: a wrong type or an unknown field is a
 * 400 `validation_failed`.
 */
const DEFINITION_DOC =
  'The rule definition (conditions, effect, recipient, caps, stacking) as described in docs/rules.md. ' +
  'It is validated on write: any problem in it is a 422 `invalid_rule` whose `errors` name each field, ' +
  'e.g. `definition.effect.points`.';

const definitionIn = z.unknown().meta({ description: DEFINITION_DOC });
const effectiveFrom = z.iso
  .datetime({ offset: true })
  .meta({ description: 'When this version takes effect (ISO 8601 date-time with offset); default now.' });
const expectedVersion = z
  .int()
  .min(1)
  .meta({ description: 'The latest version as you last saw it; if the rule has changed since, the answer is 409 rule_version_conflict.' });

const versionSummary = z.object({
  version: z.int(),
  name: z.string(),
  priority: z.int(),
  active: z.boolean(),
  effectiveFrom: z.date(),
  createdAt: z.date(),
});

const ruleOut = z.object({
  id: z.uuid(),
  version: z.int(),
  name: z.string(),
  description: z.string().nullable(),
  priority: z.int(),
  active: z.boolean(),
  effectiveFrom: z.date(),
  definition: z.record(z.string(), z.unknown()).meta({ description: 'The rule definition; see docs/rules.md.' }),
  createdAt: z.date(),
});
const ruleWithVersionsOut = ruleOut.extend({ versions: z.array(versionSummary) });

const idParams = z.object({ id: z.uuid() });

const simulateBody = z
  .object({
    accountId: z.uuid(),
    memberId: z.uuid().optional().meta({ description: 'The member who acted; without one, member rules pay the company wallet.' }),
    type: z.string().regex(eventTypePattern).default('purchase'),
    occurredAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'Default now; a later instant sees versions scheduled by then.' }),
    lines: z
      .array(z.unknown())
      .max(1000)
      .optional()
      .meta({ description: 'Purchase lines {sku, quantity, amount (minor units)}, checked like an event’s.' }),
    attributes: z.record(z.string().max(100), z.unknown()).optional(),
    draft: z
      .object({
        id: z.uuid().optional().meta({ description: 'The saved rule the draft edits: it replaces that rule among the live ones.' }),
        name: ruleFieldSchemas.name,
        priority: ruleFieldSchemas.priority.optional(),
        definition: definitionIn,
      })
      .strict()
      .optional()
      .meta({ description: 'A rule as it is being edited (not saved).' }),
    draftOnly: z.boolean().default(false).meta({ description: 'With a draft: judge by the draft alone, not the live rules with it.' }),
  })
  .strict();

const simulateOut = simulateAnswer.extend({
  ruleSet: z.enum(['live', 'draft', 'liveWithDraft']).meta({ description: 'The rules the sample was judged by.' }),
  occurredAt: z.string(),
  byRecipient: z.object({ account: z.int(), member: z.int() }),
});

/** RuleDefinition is an interface, which TypeScript does not let pass as a plain record. */
const toOut = <T extends Rule>(r: T) => ({ ...r, definition: r.definition as unknown as Record<string, unknown> });

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

export async function ruleRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const tags = ['rules'];

  app.get(
    '/v1/rules',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List rules (the latest version of each), highest priority first',
        description:
          'The latest version may be scheduled for the future; see its `effectiveFrom`. `q` searches name and description.',
        querystring: pageQuery
          .extend({
            active: z.enum(['true', 'false']).optional(),
            q: z.string().max(200).optional(),
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
      config: { scope: 'rules:write' },
      schema: {
        tags,
        summary: 'Create a rule (version 1)',
        description: DEFINITION_DOC,
        body: z
          .object({
            name: ruleFieldSchemas.name,
            description: ruleFieldSchemas.description.optional(),
            priority: ruleFieldSchemas.priority.optional().meta({ description: 'Higher runs first; default 100.' }),
            effectiveFrom: effectiveFrom.optional(),
            definition: definitionIn,
          })
          .strict(),
        response: { 201: ruleOut },
      },
    },
    async (req, reply) => {
      const rule = await audited(db, auditContext(req), async (trx) => {
        const after = await createRule(trx, caller(req).programId, req.body);
        return { result: after, audit: { action: 'rule.create', entity: 'rule', entityId: after.id, after } };
      });
      reply.status(201);
      return toOut(rule);
    },
  );

  app.post(
    '/v1/rules/simulate',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'What would a sample event earn, and why? With the live rules or a rule being edited. Writes nothing.',
        description:
          'Prices the sample exactly as a real event (rules in force at `occurredAt`, the account’s cap counters, bought ' +
          'categories and tier bonuses), with the live rules, the live rules with `draft` in place of its saved self, or ' +
          '`draft` alone (`draftOnly`). `reason` is in the reader’s language. A bad draft is a 422 `invalid_rule` naming ' +
          '`definition.…` fields; bad lines a 400 `validation_failed` naming `lines.N.…`.',
        body: simulateBody,
        response: { 200: simulateOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const lng = apiLanguage(req);
      const occurredAt = req.body.occurredAt ?? new Date().toISOString();
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
        tags,
        summary: 'A rule: its latest version and a summary of all versions',
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
        tags,
        summary: 'One version of a rule',
        params: z.object({ id: z.uuid(), version: z.coerce.number().int().min(1).max(2_147_483_647) }),
        response: { 200: ruleOut },
      },
    },
    async (req) => toOut(await getRuleVersion(db, caller(req).programId, req.params.id, req.params.version)),
  );

  app.patch(
    '/v1/rules/:id',
    {
      config: { scope: 'rules:write' },
      schema: {
        tags,
        summary: 'Change a rule: writes a new version',
        description:
          'The new version is a copy of the latest with the given changes, in force from `effectiveFrom` (default now, ' +
          'not before the previous version). `active: true` brings an archived rule back. ' +
          DEFINITION_DOC,
        params: idParams,
        body: z
          .object({
            expectedVersion,
            name: ruleFieldSchemas.name.optional(),
            description: ruleFieldSchemas.description.optional(),
            priority: ruleFieldSchemas.priority.optional(),
            active: z.boolean().optional(),
            effectiveFrom: effectiveFrom.optional(),
            definition: definitionIn.optional(),
          })
          .strict(),
        response: { 200: ruleOut },
      },
    },
    async (req) =>
      toOut(
        await audited(db, auditContext(req), async (trx) => {
          const before = await lockedRule(trx, caller(req).programId, req.params.id);
          const after = await updateRule(trx, caller(req).programId, req.params.id, req.body);
          return { result: after, audit: { action: 'rule.update', entity: 'rule', entityId: after.id, before, after } };
        }),
      ),
  );

  app.post(
    '/v1/rules/:id/archive',
    {
      config: { scope: 'rules:write' },
      schema: {
        tags,
        summary: 'Archive a rule: a new version that stops it paying from `effectiveFrom` (default now)',
        description: 'Events that occurred earlier are still judged by the earlier versions. PATCH with `active: true` to bring it back.',
        params: idParams,
        body: z.object({ expectedVersion, effectiveFrom: effectiveFrom.optional() }).strict(),
        response: { 200: ruleOut },
      },
    },
    async (req) =>
      toOut(
        await audited(db, auditContext(req), async (trx) => {
          const before = await lockedRule(trx, caller(req).programId, req.params.id);
          const after = await archiveRule(trx, caller(req).programId, req.params.id, req.body);
          return { result: after, audit: { action: 'rule.archive', entity: 'rule', entityId: after.id, before, after } };
        }),
      ),
  );
}
