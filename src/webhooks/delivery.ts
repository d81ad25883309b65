/**
 * The delivery job: sends due deliveries, records every attempt, schedules retries.
 *
 * At least once, never twice at the same time: a delivery is claimed in one statement (FOR UPDATE SKIP
 * LOCKED, so concurrent claimers take different rows) that counts the attempt and pushes its due time
 * past a lease. The HTTP request runs outside any transaction (no connection held for up to 10 s, and
 * the embedded database's single session stays free); its result is written only if the attempt is still
 * the current one. A process that dies mid-attempt leaves the delivery to be claimed again after the lease.
 */
import http from 'node:http';
import https from 'node:https';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { DeliveryState } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import { isDelivered, nextAttemptAfter } from './schedule.js';
import { signatureOf } from './signature.js';
import { hostOf, isPrivateAddress, publicOnlyLookup, TargetNotAllowedError } from './target.js';

export const attemptTimeoutMs = 10_000;
const claimBatch = 20;
/**
 * How long a claim holds: longer than a batch can take (one receiver's deliveries go one after the
 * other, each up to the timeout), so a delivery waiting its turn is never claimed a second time.
 */
const leaseFor = (timeoutMs: number) => claimBatch * timeoutMs + 60_000;
/** One run sends at most this many batches, so a backlog does not hold up the scheduler's next tick. */
const maxBatchesPerRun = 25;
const maxErrorLength = 500;

export interface DeliveryJobOptions {
  now: Date;
  timeoutMs?: number;
  /** Deliver to loopback and private networks too (LOJAL_WEBHOOKS_ALLOW_PRIVATE=on); off by default. */
  allowPrivate?: boolean;
}

export interface DeliveryReport {
  attempted: number;
  delivered: number;
  retrying: number;
  failed: number;
}

interface Claimed {
  program_id: string;
  id: string;
  subscription_id: string;
  attempts: number;
  url: string;
  secret: string;
  event_id: string;
  type: string;
  body: string;
}

async function claim(db: Db, now: Date, limit: number, leaseMs: number): Promise<Claimed[]> {
  const until = new Date(now.getTime() + leaseMs);
  // A CTE, not IN (…): PostgreSQL may re-run such a subquery per updated row. Deliveries of a paused
  // (inactive) subscription wait until it is active again.
  const rows = await sql<Claimed>`
    WITH picked AS (
      SELECT d.program_id, d.id FROM webhook_deliveries d
      JOIN webhook_subscriptions s ON s.program_id = d.program_id AND s.id = d.subscription_id AND s.active
      WHERE d.state = 'pending' AND d.next_attempt_at <= ${now}
      ORDER BY d.next_attempt_at LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED),
    claimed AS (
      UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = ${until}, last_attempt_at = ${now}
      FROM picked WHERE d.program_id = picked.program_id AND d.id = picked.id
      RETURNING d.program_id, d.id, d.attempts, d.subscription_id, d.event_id)
    SELECT c.program_id, c.id, c.subscription_id, c.attempts, s.url, s.secret, e.id AS event_id, e.type, e.body
    FROM claimed c
    JOIN webhook_subscriptions s ON s.program_id = c.program_id AND s.id = c.subscription_id
    JOIN webhook_events e ON e.program_id = c.program_id AND e.id = c.event_id
    ORDER BY c.id`.execute(db);
  return rows.rows;
}

interface Outcome {
  status: number | null;
  error: string | null;
}

async function send(d: Claimed, now: Date, timeoutMs: number, allowPrivate: boolean): Promise<Outcome> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const url = new URL(d.url);
  const notAllowed = (err: TargetNotAllowedError) => ({ status: null, error: `${err.message}; the server allows such targets with LOJAL_WEBHOOKS_ALLOW_PRIVATE=on` });
  // An address in the URL is connected to without a lookup, so it is checked here; a name (localhost
  // too) by every address it resolves to, in the lookup the connection uses.
  const host = hostOf(url);
  if (!allowPrivate && isPrivateAddress(host)) return notAllowed(new TargetNotAllowedError(host, host));
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await post(url, d.body, signal, allowPrivate, {
      'content-type': 'application/json',
      'user-agent': 'Lojal-Webhooks/1',
      'lojal-event-id': d.event_id,
      'lojal-event-type': d.type,
      'lojal-timestamp': timestamp,
      'lojal-signature': signatureOf(d.secret, timestamp, d.body),
    });
    if (isDelivered(res.status)) return { status: res.status, error: null };
    return { status: res.status, error: `HTTP ${res.status}${res.text ? `: ${res.text}` : ''}`.slice(0, maxErrorLength) };
  } catch (err) {
    if (err instanceof TargetNotAllowedError) return notAllowed(err);
    if (signal.aborted) return { status: null, error: `no answer within ${timeoutMs / 1000} s` };
    return { status: null, error: (err as Error).message.slice(0, maxErrorLength) };
  }
}

/**
 * One POST with node:http(s), which (unlike fetch) lets the connection use our own DNS lookup, the one
 * that refuses private addresses. Redirects are not followed. A fresh connection per attempt (no agent):
 * a pooled one would skip the lookup, and attempts to one receiver are seconds apart at most.
 * Answers the status, and for a refusal the start of its body for the delivery log (the rest is not read).
 */
function post(url: URL, body: string, signal: AbortSignal, allowPrivate: boolean, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? https.request : http.request;
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, signal, agent: false, ...(allowPrivate ? {} : { lookup: publicOnlyLookup }) },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          res.destroy();
          resolve({ status, text: Buffer.concat(chunks).toString('utf8').slice(0, maxErrorLength) });
        };
        if (isDelivered(status)) return done();
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= maxErrorLength) done();
        });
        res.on('end', done);
        // A body cut off mid-way still leaves the status to record.
        res.on('error', done);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes the attempt and the delivery's next state, unless a later claim has taken the delivery over. */
async function record(db: Db, d: Claimed, outcome: Outcome, now: Date): Promise<DeliveryState | null> {
  const ok = outcome.status !== null && isDelivered(outcome.status);
  const next = ok ? null : nextAttemptAfter(d.attempts, now);
  const state: DeliveryState = ok ? 'delivered' : next ? 'pending' : 'failed';
  const rows = await sql<{ id: string }>`
    WITH updated AS (
      UPDATE webhook_deliveries SET state = ${state}, next_attempt_at = ${next}, last_status = ${outcome.status},
        last_error = ${outcome.error}, delivered_at = ${ok ? now : null}
      WHERE program_id = ${d.program_id} AND id = ${d.id} AND attempts = ${d.attempts} AND state = 'pending'
      RETURNING program_id, id)
    INSERT INTO webhook_attempts (program_id, delivery_id, attempt, at, status, error)
    SELECT program_id, id, ${d.attempts}, ${now}, ${outcome.status}, ${outcome.error} FROM updated
    RETURNING delivery_id AS id`.execute(db);
  return rows.rows.length ? state : null;
}

/** Sends every delivery due at `now` (in batches, several at once), for every program. */
export async function deliverWebhooks(db: Db, opts: DeliveryJobOptions): Promise<DeliveryReport> {
  const started = Date.now();
  const now = opts.now;
  // The run's `now` moved on by the time that has really passed: each attempt is signed and recorded
  // at its own time (a receiver checks the timestamp's age), and tests still choose where time starts.
  const clock = () => new Date(now.getTime() + (Date.now() - started));
  const timeoutMs = opts.timeoutMs ?? attemptTimeoutMs;
  const report: DeliveryReport = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
  for (let batch = 0; batch < maxBatchesPerRun; batch++) {
    const claimed = await claim(db, clock(), claimBatch, leaseFor(timeoutMs));
    // Receivers in parallel; one receiver's events one after the other, oldest first (delivery ids are
    // time-ordered), so a healthy receiver sees an order placed before it sees it shipped.
    const bySubscription = new Map<string, Claimed[]>();
    for (const d of claimed) {
      const key = `${d.program_id}/${d.subscription_id}`;
      bySubscription.set(key, [...(bySubscription.get(key) ?? []), d]);
    }
    await Promise.all(
      [...bySubscription.values()].map(async (queue) => {
        for (const d of queue) {
          const outcome = await send(d, clock(), timeoutMs, opts.allowPrivate ?? false);
          const state = await record(db, d, outcome, clock());
          report.attempted++;
          if (state === 'delivered') report.delivered++;
          if (state === 'pending') report.retrying++;
          if (state === 'failed') report.failed++;
        }
      }),
    );
    if (claimed.length < claimBatch) break;
  }
  return report;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  occurredAt: Date;
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  log: Array<{ attempt: number; at: Date; status: number | null; error: string | null }>;
}

const date = (v: Date | string | null) => (v === null ? null : new Date(v));

function selectDeliveries(db: Db, programId: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', (j) => j.onRef('e.program_id', '=', 'd.program_id').onRef('e.id', '=', 'd.event_id'))
    .select(['d.id', 'd.subscription_id', 'd.event_id', 'e.type', 'e.occurred_at', 'd.state', 'd.attempts', 'd.last_status', 'd.last_error', 'd.last_attempt_at', 'd.next_attempt_at', 'd.delivered_at'])
    .where('d.program_id', '=', programId);
}

type DeliveryRow = Awaited<ReturnType<ReturnType<typeof selectDeliveries>['execute']>>[number];

async function toDeliveries(db: Db, programId: string, rows: DeliveryRow[]): Promise<Delivery[]> {
  if (!rows.length) return [];
  const log = await db
    .selectFrom('webhook_attempts')
    .select(['delivery_id', 'attempt', 'at', 'status', 'error'])
    .where('program_id', '=', programId)
    .where('delivery_id', 'in', rows.map((r) => r.id))
    .orderBy('delivery_id')
    .orderBy('attempt')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    eventType: r.type,
    occurredAt: new Date(r.occurred_at),
    state: r.state,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
    lastAttemptAt: date(r.last_attempt_at),
    nextAttemptAt: r.state === 'pending' ? date(r.next_attempt_at) : null,
    deliveredAt: date(r.delivered_at),
    log: log.filter((a) => a.delivery_id === r.id).map((a) => ({ attempt: a.attempt, at: new Date(a.at), status: a.status, error: a.error })),
  }));
}

/** A subscription's deliveries, newest first. */
export async function listDeliveries(db: Db, programId: string, subscriptionId: string, f: { state?: DeliveryState | undefined } & PageParams): Promise<Page<Delivery>> {
  const limit = pageSize(f);
  const before = decodeCursor(f.cursor, z.tuple([z.uuid()]));
  let q = selectDeliveries(db, programId).where('d.subscription_id', '=', subscriptionId);
  if (f.state) q = q.where('d.state', '=', f.state);
  if (before) q = q.where('d.id', '<', before[0]);
  const rows = await q.orderBy('d.id', 'desc').limit(limit + 1).execute();
  const page = toPage(rows, limit, (r) => [r.id], (r) => r);
  return { data: await toDeliveries(db, programId, page.data), nextCursor: page.nextCursor };
}

/**
 * Makes a failed delivery due now; the job sends it within seconds. A manual retry is one more attempt:
 * failing again marks it failed again rather than starting the schedule over. Only failed ones: a
 * pending delivery may be in flight right now, and a second copy racing it is what the claim prevents.
 */
export async function retryDelivery(db: Db, programId: string, id: string, now: Date): Promise<Delivery> {
  const row = await db.selectFrom('webhook_deliveries').select('state').where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'webhook delivery', id });
  const retried = await db
    .updateTable('webhook_deliveries')
    .set({ state: 'pending', next_attempt_at: now })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  if (!Number(retried.numUpdatedRows)) throw new LojalError('webhook_delivery_not_failed', { delivery: id, state: row.state });
  const fresh = await selectDeliveries(db, programId).where('d.id', '=', id).execute();
  return (await toDeliveries(db, programId, fresh))[0]!;
}
