/**
 * The outbox. A change that others should hear about calls enqueueEvent inside its own transaction:
 * the event and one delivery per subscriber are written with the change, so they commit with it or
 * not at all. The delivery job (delivery.ts) sends them afterwards.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';

export const eventTypes = [
  'reward_order.placed',
  'reward_order.state_changed',
  'credit_note.created',
  'tier.changed',
  'service_request.created',
  'service_request.changed',
  'points.earned',
  'points.reversed',
  'points.expired',
  'claim.decided',
  'coop_claim.decided',
  'member.joined',
  'member.left',
] as const;
export type EventType = (typeof eventTypes)[number];

/** What every receiver gets; `id` is the same on every attempt, so receivers deduplicate by it. */
export interface Envelope<T = unknown> {
  id: string;
  type: EventType;
  programId: string;
  occurredAt: string;
  data: T;
}

/**
 * The subscriptions that want `type`, as a scalar subquery giving a JSON array of `{id}` (or null): for a hot path
 * that reads them in a statement it sends anyway, instead of a round trip of their own (see enqueueEvents' `known`).
 */
export function subscribersSubquery(programId: string, type: EventType) {
  return sql<Array<{ id: string }> | null>`(SELECT json_agg(json_build_object('id', s.id)) FROM webhook_subscriptions s
    WHERE s.program_id = ${programId} AND s.active AND (cardinality(s.event_types) = 0 OR ${type} = ANY(s.event_types)))`;
}

function subscribersOf(trx: Db, programId: string, type: EventType) {
  return trx
    .selectFrom('webhook_subscriptions')
    .select('id')
    .where('program_id', '=', programId)
    .where('active', '=', true)
    .where(sql<boolean>`(cardinality(event_types) = 0 OR ${type} = ANY(event_types))`)
    .execute();
}

/**
 * Writes the event for every active subscription that wants `type`. `data` may be a function, so the
 * payload is only read from the database when someone is listening. Returns the event id, or null when
 * nobody subscribed (then nothing is written).
 */
export async function enqueueEvent<T>(trx: Db, programId: string, type: EventType, data: T | (() => Promise<T>), occurredAt: Date): Promise<string | null> {
  const subscribers = await subscribersOf(trx, programId, type);
  if (!subscribers.length) return null;
  const payload = typeof data === 'function' ? await (data as () => Promise<T>)() : data;
  const [id] = await writeEvents(trx, programId, type, subscribers, [{ data: payload, occurredAt }]);
  return id!;
}

/**
 * Many events of one type at once, for the hot paths (a batch of earns, an expiry run): one query when nobody
 * subscribed, as for a single event, and two multi-row inserts when someone did.
 */
export async function enqueueEvents<T>(
  trx: Db,
  programId: string,
  type: EventType,
  given: Array<{ data: T; occurredAt: Date }> | (() => Promise<Array<{ data: T; occurredAt: Date }>>),
  /** The subscribers, when the caller read them already in this transaction (subscribersSubquery). */
  known?: Array<{ id: string }>,
): Promise<void> {
  if (Array.isArray(given) && given.length === 0) return;
  const subscribers = known ?? (await subscribersOf(trx, programId, type));
  if (!subscribers.length) return;
  // As with enqueueEvent, a payload that needs reading is read only when someone listens.
  const items = Array.isArray(given) ? given : await given();
  if (items.length === 0) return;
  await writeEvents(trx, programId, type, subscribers, items);
}

/** The events, and one delivery per event and subscriber, in two multi-row inserts; returns the events' ids. */
async function writeEvents<T>(trx: Db, programId: string, type: EventType, subscribers: Array<{ id: string }>, items: Array<{ data: T; occurredAt: Date }>): Promise<string[]> {
  const { events, deliveries } = eventRows(programId, type, subscribers, items);
  await trx.insertInto('webhook_events').values(events).execute();
  await trx.insertInto('webhook_deliveries').values(deliveries).execute();
  return events.map((e) => e.id);
}

/**
 * The rows of events and of their deliveries (one per event and subscriber), for a caller that inserts them in a
 * statement it sends anyway; `subscribers` must not be empty (nothing is written when nobody listens).
 */
export function eventRows<T>(programId: string, type: EventType, subscribers: Array<{ id: string }>, items: Array<{ data: T; occurredAt: Date }>) {
  const events = items.map(({ data, occurredAt }) => {
    const id = uuidv7();
    const envelope: Envelope<T> = { id, type, programId, occurredAt: occurredAt.toISOString(), data };
    return { program_id: programId, id, type, occurred_at: occurredAt, body: JSON.stringify(envelope) };
  });
  const deliveries = events.flatMap((e) => subscribers.map((s) => ({ program_id: programId, id: uuidv7(), subscription_id: s.id, event_id: e.id, next_attempt_at: e.occurred_at })));
  return { events, deliveries };
}
