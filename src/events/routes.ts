import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { apiLanguage, localizedIssues, sendProblem } from '../http/problem.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { translator, type Language } from '../i18n/index.js';
import { renderExplanation } from '../ledger/explain.js';
import { onboardingPaidBy, type OnboardingPaid } from '../onboarding/paid.js';
import type { Program } from '../programs/programs.js';
import type { Explanation } from '../rules/types.js';
import { batchAnswer, eventAnswer, simulateAnswer, singleAnswer } from './answers.js';
import { EventGatherer } from './gather.js';
import { batchLanesOn, ingestEvents, SettingsChangedError, type IngestItem } from './ingest.js';
import { loadExisting } from './process.js';
import type { EventRecord } from './records.js';
import { eventSchema, lineSchema, MAX_BATCH, MAX_LINES, returnLineSchema } from './schema.js';
import { simulateEvent } from './simulate.js';

// For the OpenAPI document only: events are validated one by one by the ingestion, so that a batch
// answers for each event instead of failing whole on its first bad one.
const eventDoc = eventSchema
  .safeExtend({
    id: eventSchema.shape.id.describe('Your id for the event (invoice number, message id): the idempotency key'),
    type: eventSchema.shape.type.describe('purchase, return, or a behaviour such as app.login or training.completed'),
    occurredAt: eventSchema.shape.occurredAt.describe('When it happened: ISO 8601 with a time zone; at most a few minutes ahead of the server'),
    account: eventSchema.shape.account.describe("The account's external id (ERP customer number); or `accountId`"),
    accountId: eventSchema.shape.accountId.describe("The account's id in Lojal; or `account`"),
    member: eventSchema.shape.member.describe("The member's external id, when a person acted"),
    memberId: eventSchema.shape.memberId.describe("The member's id in Lojal; or `member`"),
    originalId: eventSchema.shape.originalId.describe('Returns: the `id` of the purchase returned; left out, the latest purchases of the SKUs'),
    lines: z
      .array(z.union([lineSchema, returnLineSchema]))
      .max(MAX_LINES)
      .optional()
      .describe('Purchases and returns: the lines, each with its SKU, quantity and amount in minor units (öre, cents) after discounts'),
    attributes: eventSchema.shape.attributes.describe('Anything else about the event that conditions may read (channel, survey.kind…); at most 16 KB of JSON'),
    currency: eventSchema.shape.currency.describe("ISO 4217; when given, it must be the program's currency"),
  })
  .meta({ id: 'NewEvent', description: 'An event to ingest: a purchase with lines, a return, or a behaviour.' });
const eventErrors = [
  'unknown_account',
  'account_not_active',
  'unknown_member',
  'member_not_in_account',
  'unknown_sku',
  'occurred_in_future',
  'amount_out_of_range',
  'member_not_active',
  'points_limit_exceeded',
] as const;
const passThrough = () => (data: unknown) => ({ value: data });
/** Single events written in one transaction at most, when many arrive at once. */
const GATHERED_MAX = 64;

/**
 * Explanations rendered before, by language, currency and content. A sentence depends on nothing else (the
 * translations are fixed for the process's life), and most repeat from one answer to the next: a rule that did not
 * match says so in the same words every time, and a paying rule's explanation is both its posting's and its trace
 * line's. i18next was the largest part of an answer's cost. Bounded: started over when full.
 */
const rendered = new Map<string, string>();
const RENDERED_MAX = 5_000;

function renderedReason(e: Explanation, lng: Language, currency: string): string {
  const key = `${lng}|${currency}|${JSON.stringify(e)}`;
  let text = rendered.get(key);
  if (text === undefined) {
    text = renderExplanation(e, lng, currency);
    if (rendered.size >= RENDERED_MAX) rendered.clear();
    rendered.set(key, text);
  }
  return text;
}

function present(record: EventRecord, lng: Language, currency: string, withTrace: boolean, onboarding: OnboardingPaid[] = []) {
  const { trace, ...rest } = record;
  const reason = (e: Explanation) => renderedReason(e, lng, currency);
  return {
    ...rest,
    totalPoints: record.points + onboarding.reduce((s, o) => s + o.points, 0),
    onboarding: onboarding.map((o) => ({ ...o, reason: reason(o.explanation) })),
    postings: record.postings.map((p) => ({ ...p, reason: reason(p.explanation) })),
    reversals: record.reversals.map((r) => ({ ...r, reason: reason(r.explanation) })),
    ...(withTrace && { trace: trace.map((t) => ({ ...t, reason: reason(t.explanation) })) }),
  };
}

/**
 * Whether an answered event may have paid onboarding steps, to be read for its answer. An event processed now
 * with a program that has no checklist paid none (the processing read the same program): no round trip for it.
 */
function mayHaveOnboarding(status: 'processed' | 'replayed' | 'rejected', program: Program): boolean {
  return status === 'replayed' || (status === 'processed' && program.hasOnboarding);
}

function problemBody(req: FastifyRequest, err: LojalError) {
  const lng = apiLanguage(req);
  const t = translator(lng);
  const params = { ...err.params, requestId: req.id };
  return { code: err.code, message: String(t(`errors:${err.code}`, params as never)), ...(err.issues && { errors: localizedIssues(err.issues, lng, params) }) };
}

export async function eventRoutes(fastify: FastifyInstance, { database, config, metrics, settingsOf, confirmKey, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const lanes = batchLanesOn(database, config.batchLanes);
  const programOf = async (req: FastifyRequest): Promise<Program> => (await settingsOf(req)).program(db);
  const gatherer = new EventGatherer<unknown, IngestItem>({
    concurrency: config.eventWriters,
    maxBatch: GATHERED_MAX,
    onBatch: (size) => metrics.eventsGathered.observe(size),
  });

  app.post(
    '/v1/events',
    {
      config: {
        scope: 'events:write',
        partners: true,
        // The look-up reads the settings version, which confirms a cached key (src/cache): one round trip less.
        deferKeyCheck: true,
        errors: [...eventErrors, 'batch_too_large', 'event_conflict', 'unknown_original_event', 'return_exceeds_purchase', 'return_before_purchase', 'partner_return_needs_original'],
      },
      validatorCompiler: passThrough,
      schema: {
        operationId: 'createEvent',
        tags: ['events'],
        summary: 'Send one event, or a batch of up to 1,000 as {"events": [...]}',
        description:
          'Purchases (with lines), returns (take back what the purchase earned, in proportion) and behaviour events ' +
          '(app.login, feedback.given, survey.completed, quiz.passed, training.completed, referral.converted, or your own type). ' +
          'Idempotent by `id`: a replay answers the first result (status 200), the same id with another body is a 409 `event_conflict`. ' +
          'A single event answers 201 with the postings and why (a refused one is a problem answer); a batch answers 200 with a ' +
          'result per event, refused ones with their problem, and more than 1,000 is 413 `batch_too_large`. An event may ' +
          'change a tier (a `tier.changed` webhook) and complete onboarding steps, each paid in its own journal. Coalition partners\' keys may send events too.',
        body: z.union([eventDoc, z.object({ events: z.array(eventDoc).max(MAX_BATCH).describe('Up to 1,000 events, each judged on its own') }).meta({ id: 'EventBatch', description: 'Several events in one request; each is answered on its own.' })]),
        response: { 200: z.union([singleAnswer, batchAnswer]), 201: singleAnswer },
      },
    },
    async (req, reply) => {
      try {
        return await ingest(req, reply);
      } catch (err) {
        // The key came from the cache and the settings changed since it was verified: check it, then start again.
        if (!(err instanceof SettingsChangedError)) throw err;
        await confirmKey(req);
        return ingest(req, reply);
      }
    },
  );

  /** POST /v1/events. A refusal before the look-up (which confirms a cached key) checks the key first. */
  async function ingest(req: FastifyRequest, reply: FastifyReply) {
      const refuse = async (err: LojalError) => {
        if (req.keyCheckDeferred) await confirmKey(req);
        return err;
      };
      const body = req.body as unknown;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw await refuse(new LojalError('validation_failed', {}, [{ path: 'body', message: 'send an event object, or {"events": [...]}' }]));
      }
      const settings = await settingsOf(req);
      const program = await settings.program(db);
      const lng = apiLanguage(req);
      const partner = caller(req).partner;
      const cached = { rules: await settings.rules(db), tiers: await settings.tiers(db) };
      const optsAt = (now: Date) => ({
        now,
        futureToleranceSeconds: config.futureToleranceSeconds,
        partner,
        settings: cached,
        ...(req.keyCheckDeferred && { settingsVersion: req.settingsVersion }),
        lanes,
      });
      if ('events' in body) {
        const events = (body as { events: unknown }).events;
        if (!Array.isArray(events) || Object.keys(body).length !== 1) {
          throw await refuse(new LojalError('validation_failed', {}, [{ path: 'events', message: 'a batch is {"events": [ ...events ]} and nothing else' }]));
        }
        if (events.length > MAX_BATCH) throw await refuse(new LojalError('batch_too_large', { max: MAX_BATCH, count: events.length }));
        const items = await ingestEvents(db, program, events, optsAt(clock()));
        const paid = await onboardingPaidBy(db, program.id, items.flatMap((i) => (i.status !== 'rejected' && mayHaveOnboarding(i.status, program) ? [i.record.id] : [])));
        const summary = { processed: 0, replayed: 0, rejected: 0 };
        const results = items.map((item) => {
          summary[item.status]++;
          if (item.status === 'rejected' && item.error.code === 'internal_error') req.log.error({ err: item.error.cause, event: item.externalId }, 'event failed');
          metrics.eventsIngested.labels(item.status).inc();
          return item.status === 'rejected'
            ? { index: item.index, id: item.externalId, status: item.status, error: problemBody(req, item.error) }
            : { index: item.index, id: item.externalId, status: item.status, event: present(item.record, lng, program.currency, false, paid.get(item.record.id)) };
        });
        return { summary, results };
      }
      // Written with the single events of the same program, partner and settings that arrive meanwhile: what the run
      // closes over (program, cached rules and tiers, the version a deferred key check expects) is the group's.
      const group = `${program.id}|${partner?.id ?? ''}|${settings.version}|${req.keyCheckDeferred}`;
      const item = await gatherer.submit(group, body, (inputs) => ingestEvents(db, program, inputs, optsAt(clock())));
      metrics.eventsIngested.labels(item.status).inc();
      if (item.status === 'rejected') {
        if (item.error.code === 'internal_error') req.log.error({ err: item.error.cause, event: item.externalId }, 'event failed');
        return sendProblem(req, reply as FastifyReply, item.error);
      }
      reply.status(item.status === 'processed' ? 201 : 200);
      const paid = mayHaveOnboarding(item.status, program) ? await onboardingPaidBy(db, program.id, [item.record.id]) : undefined;
      return { status: item.status, ...present(item.record, lng, program.currency, true, paid?.get(item.record.id)) };
  }

  app.get(
    '/v1/events/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getEvent',
        tags: ['events'],
        summary: 'An event by your id, with what it earned and why',
        description: "The postings and reversals are explained in the reader's language; the rule trace is only in the first answer to the event.",
        params: z.object({ id: z.string().min(1).max(200).describe('Your id for the event, as sent in its `id`') }),
        response: { 200: eventAnswer },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const found = (await loadExisting(db, program.id, [req.params.id])).get(req.params.id);
      if (!found) throw new LojalError('not_found', { entity: 'event', id: req.params.id });
      const paid = await onboardingPaidBy(db, program.id, [found.record.id]);
      return present(found.record, apiLanguage(req), program.currency, false, paid.get(found.record.id));
    },
  );

  app.post(
    '/v1/events/simulate',
    {
      config: { scope: 'read', errors: [...eventErrors] },
      validatorCompiler: passThrough,
      schema: {
        operationId: 'simulateEvent',
        tags: ['events'],
        summary: 'What would this event earn, and why? Writes nothing',
        description:
          'Judged with the rules in force at `occurredAt`, the account’s current cap counters, bought categories and tier bonuses, ' +
          'exactly as the event would be if it were sent; the `id` is not looked up. Returns cannot be simulated.',
        body: eventDoc,
        response: { 200: simulateAnswer },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const lng = apiLanguage(req);
      const result = await simulateEvent(db, program, req.body);
      return {
        accountId: result.accountId,
        memberId: result.memberId,
        points: result.postings.reduce((s, p) => s + p.points, 0),
        postings: result.postings.map((p) => ({ ...p, reason: renderExplanation(p.explanation, lng, program.currency) })),
        trace: result.trace.map((t) => ({ ...t, reason: renderExplanation(t.explanation, lng, program.currency) })),
      };
    },
  );
}
