/**
 * Points for doing something (answering a survey, passing a quiz) go through the normal event path: an event
 * with a stable id (its idempotency key) judged by the rules in force, so caps, tiers and the ledger apply as to
 * any event. Posted inside the caller's transaction, so the answer and its payment commit together.
 */
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { resolve, validationError, type Parsed } from '../events/ingest.js';
import { processInTransaction } from '../events/process.js';
import { eventHash, eventSchema } from '../events/schema.js';
import type { Program } from '../programs/programs.js';

export interface CompletionEvent {
  /** The idempotency key, e.g. `survey:<survey id>:<member id>`. */
  id: string;
  type: 'survey.completed' | 'quiz.passed';
  accountId: string;
  memberId: string;
  attributes: Record<string, unknown>;
}

/** Posts the event and answers the points it earned (0 when no rule pays, or a cap is reached). */
export async function postCompletion(trx: Db, program: Program, e: CompletionEvent, now: Date): Promise<number> {
  const r = eventSchema.safeParse({ ...e, occurredAt: now.toISOString() });
  if (!r.success) throw validationError(r.error.issues);
  const parsed: Parsed = { index: 0, input: r.data, hash: eventHash(r.data), occurredAt: now };
  let refused: LojalError | undefined;
  const ready = await resolve(trx, program, [parsed], (_i, _id, err) => (refused = err));
  if (refused || ready.length === 0) throw refused ?? new LojalError('internal_error');
  const item = (await processInTransaction(trx, program, ready, now)).get(0)!;
  if (item.status === 'rejected') throw item.error;
  return item.record.points;
}
