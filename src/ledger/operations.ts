/**
 * Ledger operations staff and integrations ask for directly: manual adjustments, spending points,
 * transfers from a company wallet to a person. Each runs in its own transaction and takes an
 * idempotency key, so a retried request never applies twice.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { inTransaction, type Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { systemWalletId, type Program } from '../programs/programs.js';
import { planExpiry } from './expiry.js';
import type { DebitJournal, DebitOutcome } from './types.js';
import { debit, writeCredits } from './writer.js';

export interface OperationResult {
  journalId: string;
  /** False when this was a replay of an earlier request with the same idempotency key. */
  created: boolean;
  points: number;
}

const fingerprint = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * The answer of the request that first used `key`: its journal, and the points it moved as that request answered
 * them, the sum of its entries on `walletId` (the wallet adjusted, the wallet spent from, the wallet transferred to).
 */
async function replayOf(db: Db, programId: string, key: string, hash: string, walletId: string): Promise<OperationResult | undefined> {
  const j = await db
    .selectFrom('journals')
    .select(['id', 'request_hash'])
    .where('program_id', '=', programId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!j) return undefined;
  if (j.request_hash !== hash) throw new LojalError('idempotency_conflict', { key });
  const sum = await db
    .selectFrom('entries')
    .select((eb) => eb.fn.sum<number>('amount').as('total'))
    .where('program_id', '=', programId)
    .where('journal_id', '=', j.id)
    .where('wallet_id', '=', walletId)
    .executeTakeFirst();
  return { journalId: j.id, created: false, points: Number(sum?.total ?? 0) };
}

export interface AdjustmentInput {
  walletId: string;
  /** Positive adds points (a new lot, expiring by the program's policy); negative takes them away. */
  points: number;
  reasonCode: string;
  memo?: string | undefined;
  idempotencyKey: string;
  actor: string;
}

export async function adjust(db: Db, program: Program, input: AdjustmentInput, now: Date): Promise<OperationResult> {
  const key = `adjust:${input.idempotencyKey}`;
  const replay = await replayOf(db, program.id, key, adjustmentFingerprint(input), input.walletId);
  if (replay) return replay;
  return db.transaction().execute((trx) => adjustIn(trx, program, input, now));
}

/** What makes two adjustment requests with one idempotency key the same request. */
export const adjustmentFingerprint = (input: Pick<AdjustmentInput, 'walletId' | 'points' | 'reasonCode' | 'memo'>) =>
  fingerprint(['adjust', input.walletId, input.points, input.reasonCode, input.memo ?? null]);

/**
 * An adjustment inside the caller's transaction (a workflow that writes more in the same transaction, such as
 * an approval). `journalKey` overrides the journal's idempotency key (default `adjust:<idempotencyKey>`);
 * a key used before answers that journal (created: false), or idempotency_conflict for another body.
 */
export async function adjustIn(
  trx: Db,
  program: Program,
  input: AdjustmentInput & { journalKey?: string },
  now: Date,
): Promise<OperationResult> {
  const key = input.journalKey ?? `adjust:${input.idempotencyKey}`;
  const hash = adjustmentFingerprint(input);
  const header = {
    id: uuidv7(),
    idempotencyKey: key,
    kind: 'adjust' as const,
    occurredAt: now,
    reasonCode: input.reasonCode,
    memo: input.memo ?? null,
    actor: input.actor,
    requestHash: hash,
    explanation: { key: 'ledger:explain.adjust', params: { reason: input.memo ?? input.reasonCode } },
  };
  if (input.points > 0) {
    const written = await writeCredits(
      trx,
      program.id,
      [
        {
          ...header,
          fromWalletId: systemWalletId(program.id, 'adjustment'),
          earned: true,
          credits: [
            {
              walletId: input.walletId,
              points: input.points,
              earnedAt: now,
              availableAt: now,
              expiresAt: planExpiry(program.expiryPolicy, now, program.timeZone),
            },
          ],
        },
      ],
      now,
    );
    if (!written.has(header.id)) return (await replayOf(trx, program.id, key, hash, input.walletId))!;
    return { journalId: header.id, created: true, points: input.points };
  }
  const out = await debit(
    trx,
    program.id,
    { ...header, walletId: input.walletId, points: -input.points, toWalletId: systemWalletId(program.id, 'adjustment'), effect: 'unearned' },
    now,
  );
  return fromDebit(out, input.points);
}

function fromDebit(out: DebitOutcome, points: number): OperationResult {
  return { journalId: out.journalId, created: out.written, points };
}

export interface SpendInput {
  walletId: string;
  points: number;
  memo: string;
  /** The caller's reference, e.g. the order number in the e-shop. */
  reference?: string | undefined;
  idempotencyKey: string;
  actor: string;
  /** Honoured at this coalition partner (recorded on the journal, for the partner's settlement). */
  partnerId?: string | undefined;
}

/**
 * The shared path of spends and transfers: take the points in a transaction of its own, under the request's key.
 * A replay is found there, by the journal's key (which the debit inserts first), and answered from its first
 * journal: no look-up before the transaction on every request, only after it on a replay. `request` is what makes
 * two requests with one key the same request. A spend is one autocommitted statement (writer.ts, debitToSystem).
 */
async function debitOnce(
  db: Db,
  program: Program,
  kind: 'spend' | 'transfer',
  idempotencyKey: string,
  request: unknown[],
  journal: Omit<DebitJournal, 'id' | 'idempotencyKey' | 'kind' | 'occurredAt' | 'requestHash'>,
  now: Date,
): Promise<DebitOutcome | OperationResult> {
  const key = `${kind}:${idempotencyKey}`;
  const hash = fingerprint([kind, ...request]);
  // A spend answers the points taken from the wallet (negative), a transfer the points given to the person.
  const answeredOn = kind === 'spend' ? journal.walletId : journal.toWalletId;
  let out: DebitOutcome;
  try {
    const j: DebitJournal = { ...journal, id: uuidv7(), idempotencyKey: key, kind, occurredAt: now, requestHash: hash };
    // A debit into a system wallet is one statement that locks and writes, and refuses a shortfall in the database:
    // sent on its own it is a transaction of its own, without a begin and a commit round trip around it.
    out = journal.toOwnerWallet ? await inTransaction(db, (trx) => debit(trx, program.id, j, now)) : await debit(db, program.id, j, now);
  } catch (err) {
    // A wallet that is not there: a replay is still answered (and one with another body is idempotency_conflict),
    // as when the key was looked up first.
    const replay = err instanceof LojalError && err.code === 'not_found' ? await replayOf(db, program.id, key, hash, answeredOn) : undefined;
    if (replay) return replay;
    throw err;
  }
  return out.written ? out : (await replayOf(db, program.id, key, hash, answeredOn))!;
}

const isReplay = (r: DebitOutcome | OperationResult): r is OperationResult => 'created' in r;

/** Points used as payment (a discount at checkout, an order in an external shop); never overdraws. */
export async function spend(db: Db, program: Program, input: SpendInput, now: Date): Promise<OperationResult> {
  const request = [input.walletId, input.points, input.memo, input.reference ?? null, ...(input.partnerId ? [input.partnerId] : [])];
  const out = await debitOnce(db, program, 'spend', input.idempotencyKey, request, {
    ...(input.partnerId && { partnerId: input.partnerId }),
    memo: input.reference ? `${input.memo} (${input.reference})` : input.memo,
    actor: input.actor,
    explanation: { key: 'ledger:explain.spend', params: { memo: input.memo } },
    walletId: input.walletId,
    points: input.points,
    toWalletId: systemWalletId(program.id, 'redemption'),
    effect: 'spent',
  }, now);
  return isReplay(out) ? out : fromDebit(out, -input.points);
}

export interface TransferInput {
  fromWalletId: string;
  toWalletId: string;
  toName: string;
  points: number;
  memo?: string | undefined;
  idempotencyKey: string;
  actor: string;
}

/** Company points handed to a person; each moved lot keeps its expiry date. */
export async function transfer(db: Db, program: Program, input: TransferInput, now: Date): Promise<OperationResult> {
  const out = await debitOnce(db, program, 'transfer', input.idempotencyKey, [input.fromWalletId, input.toWalletId, input.points, input.memo ?? null], {
    memo: input.memo ?? null,
    actor: input.actor,
    explanation: { key: 'ledger:explain.transfer', params: { member: input.toName } },
    walletId: input.fromWalletId,
    points: input.points,
    toWalletId: input.toWalletId,
    toOwnerWallet: true,
    effect: 'none',
  }, now);
  return isReplay(out) ? out : fromDebit(out, input.points);
}
