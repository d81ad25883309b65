import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Largest line count per event and event count per batch: bounds on memory and transaction size. */
export const MAX_LINES = 1000;
export const MAX_BATCH = 1000;

const ref = z.string().trim().min(1).max(200);

export const lineSchema = z
  .object({
    sku: ref,
    quantity: z.number().int('quantity must be a whole number').positive('quantity must be at least 1').max(1_000_000_000),
    /** Line total in minor units (öre, cents), after discounts. */
    amount: z.number().int('amount is in minor units and must be a whole number').nonnegative().max(Number.MAX_SAFE_INTEGER),
  })
  .strict();

export const returnLineSchema = z
  .object({
    sku: ref,
    quantity: z.number().int().positive().max(1_000_000_000),
    /** Amount refunded in minor units; omitted: the purchase's unit price × quantity. */
    amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

/** The event an approved sales claim posts (src/claims): it has the claimed sale as its line, like a purchase. */
export const SALE_CLAIM = 'sale_claim';

export const eventTypePattern = /^[a-z][a-z0-9_.-]{0,63}$/;

export const eventSchema = z
  .object({
    /** Your id for the event (invoice number, message id): the idempotency key. */
    id: ref,
    type: z.string().regex(eventTypePattern, 'type must be lowercase letters, digits, ".", "_" or "-", e.g. purchase or app.login'),
    occurredAt: z.iso.datetime({ offset: true, message: 'occurredAt must be an ISO 8601 date-time with a time zone, e.g. 2026-11-23T10:15:00+01:00' }),
    /** The account's external id (ERP customer number); or `accountId`, ours. */
    account: ref.optional(),
    accountId: z.uuid().optional(),
    member: ref.optional(),
    memberId: z.uuid().optional(),
    /** Returns: the purchase being returned (its `id`). Omitted: matched to the account's latest purchases of the SKUs. */
    originalId: ref.optional(),
    lines: z.array(z.unknown()).max(MAX_LINES).optional(),
    attributes: z.record(z.string().max(100), z.unknown()).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (!e.account === !e.accountId) ctx.addIssue({ code: 'custom', path: ['account'], message: 'give exactly one of account (external id) or accountId' });
    if (e.member && e.memberId) ctx.addIssue({ code: 'custom', path: ['member'], message: 'give member or memberId, not both' });
    if (e.attributes && JSON.stringify(e.attributes).length > 16_384) {
      ctx.addIssue({ code: 'custom', path: ['attributes'], message: 'attributes may hold at most 16 KB of JSON' });
    }
    const lineParser = e.type === 'return' ? returnLineSchema : lineSchema;
    if (e.type === 'purchase' && (!e.lines || e.lines.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: 'a purchase needs at least one line' });
    }
    if (e.type !== 'purchase' && e.type !== 'return' && e.type !== SALE_CLAIM && e.lines) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: 'only purchase and return events have lines; put other data in attributes' });
    }
    if (e.type === 'return' && !e.originalId && (!e.lines || e.lines.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: 'a return without originalId must list the returned lines' });
    }
    if (e.type !== 'return' && e.originalId) ctx.addIssue({ code: 'custom', path: ['originalId'], message: 'only returns refer to an original' });
    e.lines?.forEach((line, i) => {
      const r = lineParser.safeParse(line);
      if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ['lines', i, ...issue.path] } as never);
    });
  });

export type EventInput = z.infer<typeof eventSchema>;
export type PurchaseLine = z.infer<typeof lineSchema>;
export type ReturnLine = z.infer<typeof returnLineSchema>;

/**
 * A stable fingerprint of an event: keys sorted, so a replay with the same content in another key order matches;
 * `occurredAt` as the instant it names (an ERP's retry may write the same moment with an offset, or without the
 * milliseconds), and empty attributes as none.
 */
export function eventHash(e: EventInput): string {
  const { attributes, ...rest } = e;
  const same = { ...rest, occurredAt: new Date(e.occurredAt).toISOString(), ...(attributes && Object.keys(attributes).length > 0 && { attributes }) };
  return createHash('sha256').update(canonical(same)).digest('hex');
}

/**
 * Whether a stored fingerprint is this event's: also as fingerprinted before the instant was normalised (events
 * stored then keep their hash, and their exact replays stay replays).
 */
export function sameEvent(storedHash: string, e: { input: EventInput; hash: string }): boolean {
  return storedHash === e.hash || storedHash === createHash('sha256').update(canonical(e.input)).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
