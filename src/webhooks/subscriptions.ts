/**
 * A program's webhook subscriptions: where to send, which event types, whether now, and the secret the
 * receiver checks signatures with. The secret is answered on creation and rotation only.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import { eventTypes, type EventType } from './events.js';
import { newSecret } from './signature.js';
import { privateHostOf } from './target.js';
import { urlProblem } from './url.js';

/** `["*"]` (or leaving the list out) subscribes to every type, including types added later. */
export const allTypes = '*';

export const subscriptionCreateSchema = z
  .object({
    url: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .describe('https, or http to localhost / 127.0.0.1 only; loopback and private networks only where the server allows them (LOJAL_WEBHOOKS_ALLOW_PRIVATE)'),
    eventTypes: z.array(z.string().trim().min(1).max(100)).min(1).max(50).default([allTypes]).describe(`event types, or ["${allTypes}"] for all`),
    active: z.boolean().default(true),
    description: z.string().trim().max(500).nullable().optional(),
  })
  .strict();
export const subscriptionPatchSchema = z
  .object({
    url: subscriptionCreateSchema.shape.url.optional(),
    eventTypes: z.array(z.string().trim().min(1).max(100)).min(1).max(50).optional(),
    active: z.boolean().optional(),
    description: z.string().trim().max(500).nullable().optional(),
  })
  .strict();

export interface Subscription {
  id: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = { id: string; url: string; event_types: string[]; active: boolean; description: string | null; created_at: Date; updated_at: Date };

const toSubscription = (r: Row): Subscription => ({
  id: r.id,
  url: r.url,
  eventTypes: r.event_types.length ? r.event_types : [allTypes],
  active: r.active,
  description: r.description,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

/** What the server allows as targets; `allowPrivate` is LOJAL_WEBHOOKS_ALLOW_PRIVATE. */
export interface TargetPolicy {
  allowPrivate: boolean;
}

function checkUrl(url: string, policy: TargetPolicy): void {
  const problem = urlProblem(url);
  if (problem) throw new LojalError('invalid_webhook_url', { url, reason: problem });
  // Names are resolved when delivering (src/webhooks/target.ts); what the URL itself says is refused now.
  const host = policy.allowPrivate ? null : privateHostOf(new URL(url));
  if (host) throw new LojalError('webhook_target_not_allowed', { url, host });
}

/** The stored list: empty for all types. */
function checkTypes(types: string[]): EventType[] {
  if (types.includes(allTypes)) return [];
  for (const t of types) {
    if (!(eventTypes as readonly string[]).includes(t)) throw new LojalError('unknown_webhook_event_type', { type: t, known: eventTypes.join(', ') });
  }
  return [...new Set(types)].sort() as EventType[];
}

const columns = ['id', 'url', 'event_types', 'active', 'description', 'created_at', 'updated_at'] as const;

export async function createSubscription(
  db: Db,
  programId: string,
  input: z.output<typeof subscriptionCreateSchema>,
  policy: TargetPolicy,
  now: Date,
): Promise<Subscription & { secret: string }> {
  checkUrl(input.url, policy);
  const secret = newSecret();
  const row = await db
    .insertInto('webhook_subscriptions')
    .values({ program_id: programId, id: uuidv7(), url: input.url, event_types: checkTypes(input.eventTypes), active: input.active, description: input.description ?? null, secret, created_at: now, updated_at: now })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return { ...toSubscription(row), secret };
}

export async function getSubscription(db: Db, programId: string, id: string): Promise<Subscription> {
  const row = await db.selectFrom('webhook_subscriptions').select(columns).where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'webhook', id });
  return toSubscription(row);
}

export async function listSubscriptions(db: Db, programId: string, p: PageParams): Promise<Page<Subscription>> {
  const limit = pageSize(p);
  const after = decodeCursor(p.cursor, z.tuple([z.uuid()]));
  let q = db.selectFrom('webhook_subscriptions').select(columns).where('program_id', '=', programId);
  if (after) q = q.where('id', '>', after[0]);
  const rows = await q.orderBy('id').limit(limit + 1).execute();
  return toPage(rows, limit, (r) => [r.id], toSubscription);
}

export async function updateSubscription(
  db: Db,
  programId: string,
  id: string,
  patch: z.output<typeof subscriptionPatchSchema>,
  policy: TargetPolicy,
  now: Date,
): Promise<Subscription> {
  if (patch.url !== undefined) checkUrl(patch.url, policy);
  const row = await db
    .updateTable('webhook_subscriptions')
    .set({
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.eventTypes !== undefined && { event_types: checkTypes(patch.eventTypes) }),
      ...(patch.active !== undefined && { active: patch.active }),
      ...(patch.description !== undefined && { description: patch.description }),
      updated_at: now,
    })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'webhook', id });
  return toSubscription(row);
}

/** Removes the subscription and its deliveries; events already sent stay sent. */
export async function deleteSubscription(db: Db, programId: string, id: string): Promise<Subscription> {
  const row = await db.deleteFrom('webhook_subscriptions').where('program_id', '=', programId).where('id', '=', id).returning(columns).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'webhook', id });
  return toSubscription(row);
}

/** A new secret at once: deliveries still waiting are signed with it, the old one stops verifying. */
export async function rotateSecret(db: Db, programId: string, id: string, now: Date): Promise<Subscription & { secret: string }> {
  const secret = newSecret();
  const row = await db
    .updateTable('webhook_subscriptions')
    .set({ secret, updated_at: now })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'webhook', id });
  return { ...toSubscription(row), secret };
}
