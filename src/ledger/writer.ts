/**
 * The only code that changes balances (with ledger_debit_to_system, migration 0054, which debitToSystem calls).
 * Every function runs inside the caller's transaction (a debit into a system wallet may also be given the pool,
 * as one autocommitted statement), writes
 * journals whose entries sum to zero, keeps the wallets' cached balances equal to the sum of their
 * entries, and never lets an owner wallet go below zero (a CHECK constraint backs the code up).
 *
 * Locking: a function that changes a wallet first locks its row (FOR UPDATE, in wallet-id order when there
 * are several), so concurrent spends serialize per wallet and batch writers cannot deadlock each other.
 */
import { sql, type RawBuilder } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { unawaited, type Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Credit, CreditJournal, DebitJournal, DebitOutcome, JournalHeader } from './types.js';
import { jsonColumn } from '../db/json-columns.js';

/** Locks the given wallets in id order; returns the ones that exist. */
export async function lockWallets(trx: Db, programId: string, walletIds: string[]): Promise<Set<string>> {
  if (walletIds.length === 0) return new Set();
  const sorted = [...new Set(walletIds)].sort();
  const rows = await sql<{ id: string }>`
    SELECT id FROM wallets WHERE program_id = ${programId} AND id = ANY(${sorted}::uuid[]) ORDER BY id FOR UPDATE`.execute(trx);
  return new Set(rows.rows.map((r) => r.id));
}

/** The journal headers' multi-row insert; replayed idempotency keys are skipped unless `fresh` says none can be. */
function journalsInsert(programId: string, js: JournalHeader[], fresh = false) {
  const col = <T>(f: (j: JournalHeader) => T) => js.map(f);
  // Partner attribution is rare (spends at a partner): the column is only sent when a journal has one,
  // so the statement of the earning hot path stays as it was.
  const withPartner = js.some((j) => j.partnerId);
  const partnerColumn = withPartner ? sql`, partner_id` : sql``;
  const partnerValue = withPartner ? sql`, t.partner_id` : sql``;
  const partnerArray = withPartner ? sql`, ${col((j) => j.partnerId ?? null)}::uuid[]` : sql``;
  const partnerAlias = withPartner ? sql`, partner_id` : sql``;
  return sql`
    INSERT INTO journals (program_id, id, idempotency_key, kind, event_id, rule_id, rule_version, reverses_id,
                          reason_code, explanation, memo, actor, basis_lines, request_hash, occurred_at${partnerColumn})
    SELECT ${programId}, t.id, t.key, t.kind, t.event_id, t.rule_id, t.rule_version, t.reverses_id,
           t.reason_code, t.explanation, t.memo, t.actor, t.basis_lines::integer[], t.request_hash, t.occurred_at${partnerValue}
    FROM unnest(${col((j) => j.id)}::uuid[], ${col((j) => j.idempotencyKey)}::text[], ${col((j) => j.kind)}::text[],
                ${col((j) => j.eventId ?? null)}::uuid[], ${col((j) => j.ruleId ?? null)}::uuid[],
                ${col((j) => j.ruleVersion ?? null)}::integer[], ${col((j) => j.reversesId ?? null)}::uuid[],
                ${col((j) => j.reasonCode ?? null)}::text[], ${jsonColumn(col((j) => j.explanation), 'jsonb')},
                ${col((j) => j.memo ?? null)}::text[], ${col((j) => j.actor ?? null)}::text[],
                ${col((j) => (j.basisLines ? `{${j.basisLines.join(',')}}` : null))}::text[],
                ${col((j) => j.requestHash ?? null)}::text[], ${col((j) => j.occurredAt)}::timestamptz[]${partnerArray})
      AS t(id, key, kind, event_id, rule_id, rule_version, reverses_id, reason_code, explanation, memo, actor,
           basis_lines, request_hash, occurred_at${partnerAlias})
    ${fresh ? sql`` : sql`ON CONFLICT (program_id, idempotency_key) DO NOTHING`}
    RETURNING id`;
}

/** Inserts journal headers; returns the ids actually written (replayed idempotency keys are skipped). */
async function insertJournals(trx: Db, programId: string, js: JournalHeader[], alongside: RawBuilder<unknown>[] = []): Promise<Set<string>> {
  if (js.length === 0) return new Set();
  const insert = journalsInsert(programId, js);
  const rows = await sql<{ id: string }>`${alongside.length ? sql`WITH ${sql.join(alongside, sql`, `)} ` : sql``}${insert}`.execute(trx);
  return new Set(rows.rows.map((r) => r.id));
}

interface EntryRow {
  journalId: string;
  seq: number;
  walletId: string;
  bucket: 'available' | 'pending';
  amount: number;
  lotId: string | null;
  credit?: Credit;
}

function entriesInsert(programId: string, entries: EntryRow[]) {
  const col = <T>(f: (e: EntryRow) => T) => entries.map(f);
  return sql`
    INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount, lot_id, rule_id, rule_version, explanation, basis_lines)
    SELECT ${programId}, t.journal_id, t.seq, t.wallet_id, t.bucket, t.amount, t.lot_id, t.rule_id, t.rule_version, t.explanation,
           t.basis_lines::integer[]
    FROM unnest(${col((e) => e.journalId)}::uuid[], ${col((e) => e.seq)}::integer[],
      ${col((e) => e.walletId)}::uuid[], ${col((e) => e.bucket)}::text[], ${col((e) => e.amount)}::bigint[],
      ${col((e) => e.lotId)}::uuid[], ${col((e) => e.credit?.ruleId ?? null)}::uuid[], ${col((e) => e.credit?.ruleVersion ?? null)}::integer[],
      ${jsonColumn(col((e) => e.credit?.explanation ?? null), 'json')},
      ${col((e) => (e.credit?.basisLines ? `{${e.credit.basisLines.join(',')}}` : null))}::text[])
      AS t(journal_id, seq, wallet_id, bucket, amount, lot_id, rule_id, rule_version, explanation, basis_lines)`;
}

/** What a posting changes on an owner wallet row: the balance buckets and the lifetime figures kept beside them. */
interface BalanceDelta {
  available: number;
  pending: number;
  earned: number;
  spent: number;
  expired: number;
}

function balanceUpdate(programId: string, deltas: Map<string, BalanceDelta>) {
  const ids = [...deltas.keys()].sort();
  const d = ids.map((id) => deltas.get(id)!);
  return sql`
    UPDATE wallets w SET available = w.available + d.available, pending = w.pending + d.pending,
      lifetime_earned = w.lifetime_earned + d.earned, lifetime_spent = w.lifetime_spent + d.spent,
      lifetime_expired = w.lifetime_expired + d.expired
    FROM unnest(${ids}::uuid[], ${d.map((x) => x.available)}::bigint[], ${d.map((x) => x.pending)}::bigint[],
                ${d.map((x) => x.earned)}::bigint[], ${d.map((x) => x.spent)}::bigint[], ${d.map((x) => x.expired)}::bigint[])
      AS d(id, available, pending, earned, spent, expired)
    WHERE w.program_id = ${programId} AND w.id = d.id`;
}

/**
 * Writes a posting's entries and applies its balance changes in one statement (the insert as a data-modifying
 * WITH): one round trip instead of two on every posting. The wallets are locked by the caller already.
 */
async function postEntries(
  trx: Db,
  programId: string,
  entries: EntryRow[],
  deltas: Map<string, BalanceDelta>,
  before: RawBuilder<unknown>[] = [],
  unawaitedLast?: boolean,
): Promise<void> {
  const send = (statement: RawBuilder<unknown>) => lastStatement(statement, unawaitedLast).execute(trx);
  if (before.length) {
    // Inserts the entries depend on (their journals, lots) go first in the same statement: foreign keys are checked at its end.
    const parts = [...before, sql`posted AS (${entriesInsert(programId, entries)})`];
    await send(sql`WITH ${sql.join(parts, sql`, `)} ${deltas.size ? balanceUpdate(programId, deltas) : sql`SELECT 1`}`);
    return;
  }
  if (entries.length === 0 && deltas.size === 0) return;
  if (deltas.size === 0) return void (await send(entriesInsert(programId, entries)));
  if (entries.length === 0) return void (await send(balanceUpdate(programId, deltas)));
  await send(sql`WITH posted AS (${entriesInsert(programId, entries)}) ${balanceUpdate(programId, deltas)}`);
}

function addDelta(map: Map<string, BalanceDelta>, walletId: string, part: Partial<BalanceDelta>) {
  const d = map.get(walletId) ?? { available: 0, pending: 0, earned: 0, spent: 0, expired: 0 };
  d.available += part.available ?? 0;
  d.pending += part.pending ?? 0;
  d.earned += part.earned ?? 0;
  d.spent += part.spent ?? 0;
  d.expired += part.expired ?? 0;
  map.set(walletId, d);
}

/** A lot a credit journal writes: one per wallet and dates, holding the shares of every rule that paid into it. */
interface NewLot {
  id: string;
  walletId: string;
  journalId: string;
  pending: boolean;
  earnedAt: Date;
  availableAt: Date;
  expiresAt: Date | null;
  points: number;
  rules: Set<string>;
}

export interface WriteCreditsOptions {
  /** Wallets the caller locked already in this transaction (in id order, with any others it locked): not locked again. */
  walletsLocked?: ReadonlySet<string>;
  /** WITH parts (`name AS (…)`) of the caller's own writes, sent in the writer's first statement instead of one of their own. */
  alongside?: RawBuilder<unknown>[];
  /**
   * No journal's idempotency key can exist yet (keys made of ids this transaction created): journals, lots and
   * entries go in one statement, and a key that did exist fails it rather than being skipped.
   */
  fresh?: boolean;
  /**
   * The writer's last statement does not wait for its answer (`unawaited`, src/db/database.ts): the caller's next
   * statement, usually its commit, is written right behind it and the two are answered in one round trip. A failure
   * of the writer's statement then fails that next statement. For a caller that runs nothing after the writer that
   * catches a database error.
   */
  unawaitedLast?: boolean;
}

/**
 * Writes many credit journals in a handful of multi-row statements (the event-ingestion hot path).
 * Returns the ids of the journals written; a journal whose idempotency key exists already is skipped whole.
 *
 * Row budget: each credit is an entry of its own (its rule, version, explanation and basis lines are columns
 * of it), but the credits of one journal that go to one wallet with the same dates share one lot — the lot
 * holds points and dates, which are the same for all of them, and a return takes each rule's share back from
 * it by the entry (see src/events/returns.ts). A credit without a rule, or a second credit of the same rule,
 * gets a lot of its own, so a reversal can always name what it takes back by (lot, rule).
 */
export async function writeCredits(trx: Db, programId: string, journals: CreditJournal[], now: Date, opts: WriteCreditsOptions = {}): Promise<Set<string>> {
  const useful = journals.filter((j) => j.credits.some((c) => c.points > 0));
  const alongside = opts.alongside ?? [];
  if (useful.length === 0) {
    if (alongside.length) await lastStatement(sql`WITH ${sql.join(alongside, sql`, `)} SELECT 1`, opts.unawaitedLast).execute(trx);
    return new Set();
  }
  const toLock = useful.flatMap((j) => j.credits.map((c) => c.walletId)).filter((id) => !opts.walletsLocked?.has(id));
  await lockWallets(trx, programId, toLock);
  const written = opts.fresh ? new Set(useful.map((j) => j.id)) : await insertJournals(trx, programId, useful, alongside);
  const lots: NewLot[] = [];
  const entries: EntryRow[] = [];
  const deltas = new Map<string, BalanceDelta>();
  for (const j of useful) {
    if (!written.has(j.id)) continue;
    let seq = 0;
    let total = 0;
    const shared = new Map<string, NewLot>();
    for (const c of j.credits) {
      if (c.points <= 0) continue;
      const pending = c.availableAt.getTime() > now.getTime();
      const key = `${c.walletId}|${c.earnedAt.getTime()}|${c.availableAt.getTime()}|${c.expiresAt?.getTime() ?? ''}`;
      let lot = c.ruleId ? shared.get(key) : undefined;
      if (!lot || lot.rules.has(c.ruleId!)) {
        lot = { id: uuidv7(), walletId: c.walletId, journalId: j.id, pending, earnedAt: c.earnedAt, availableAt: c.availableAt, expiresAt: c.expiresAt, points: 0, rules: new Set() };
        lots.push(lot);
        if (c.ruleId && !shared.has(key)) shared.set(key, lot);
      }
      if (c.ruleId) lot.rules.add(c.ruleId);
      lot.points += c.points;
      entries.push({ journalId: j.id, seq: ++seq, walletId: c.walletId, bucket: pending ? 'pending' : 'available', amount: c.points, lotId: lot.id, credit: c });
      addDelta(deltas, c.walletId, pending ? { pending: c.points } : { available: c.points });
      if (j.earned) addDelta(deltas, c.walletId, { earned: c.points });
      total += c.points;
    }
    entries.push({ journalId: j.id, seq: 0, walletId: j.fromWalletId, bucket: 'available', amount: -total, lotId: null });
  }
  const before = opts.fresh ? [...alongside, sql`journals_written AS (${journalsInsert(programId, useful, true)})`] : [];
  if (lots.length) {
    const col = <T>(f: (l: NewLot) => T) => lots.map(f);
    const lotsInsert = sql`
      INSERT INTO lots (program_id, id, wallet_id, journal_id, status, earned_at, available_at, expires_at, original, remaining)
      SELECT ${programId}, t.id, t.wallet_id, t.journal_id, t.status, t.earned_at, t.available_at, t.expires_at, t.points, t.points
      FROM unnest(${col((l) => l.id)}::uuid[], ${col((l) => l.walletId)}::uuid[], ${col((l) => l.journalId)}::uuid[],
                  ${col((l) => (l.pending ? 'pending' : 'available'))}::text[], ${col((l) => l.earnedAt)}::timestamptz[],
                  ${col((l) => l.availableAt)}::timestamptz[], ${col((l) => l.expiresAt)}::timestamptz[],
                  ${col((l) => l.points)}::bigint[])
        AS t(id, wallet_id, journal_id, status, earned_at, available_at, expires_at, points)`;
    before.push(sql`lots_written AS (${lotsInsert})`);
  }
  await postEntries(trx, programId, entries, deltas, before, opts.unawaitedLast);
  return written;
}

const lastStatement = (statement: RawBuilder<unknown>, unawaitedLast: boolean | undefined) => (unawaitedLast ? unawaited(statement) : statement);

interface LotTake {
  id: string;
  status: 'pending' | 'available';
  expiresAt: Date | null;
  take: number;
}

/**
 * Takes up to `points` from the wallet's lots in one statement: the preferred lot first (even if pending),
 * then available lots that expire first (no expiry last), oldest first, leaving lots whose expiry has passed by
 * `now` (the expiry job's to take). The caller holds the wallet lock.
 */
async function takeFromLots(
  trx: Db,
  programId: string,
  walletId: string,
  points: number,
  preferLotId: string | null,
  now: Date,
): Promise<LotTake[]> {
  const rows = await sql<{ id: string; status: 'pending' | 'available'; expires_at: Date | null; take: number }>`
    WITH ordered AS (
      SELECT id, status, expires_at, remaining,
             sum(remaining) OVER (ORDER BY (id = ${preferLotId}::uuid) IS TRUE DESC, expires_at ASC NULLS LAST, earned_at, id) AS running
      FROM lots
      WHERE program_id = ${programId} AND wallet_id = ${walletId} AND remaining > 0
        AND (id = ${preferLotId}::uuid OR (status = 'available' AND (expires_at IS NULL OR expires_at > ${now})))
    ), chosen AS (
      SELECT id, status, expires_at, LEAST(remaining, ${points}::bigint - (running - remaining)) AS take
      FROM ordered WHERE running - remaining < ${points}::bigint
    )
    UPDATE lots l SET remaining = l.remaining - chosen.take
    FROM chosen WHERE l.program_id = ${programId} AND l.id = chosen.id
    RETURNING chosen.id, chosen.status, chosen.expires_at, chosen.take`.execute(trx);
  return rows.rows.map((r) => ({ id: r.id, status: r.status, expiresAt: r.expires_at, take: Number(r.take) }));
}

/**
 * Takes points out of one owner wallet (spend, reversal, expiry of a chosen lot, transfer, negative adjustment).
 * Fails with `insufficient_points` unless `allowShortfall`; a replayed idempotency key writes nothing.
 */
export async function debit(trx: Db, programId: string, j: DebitJournal, now: Date): Promise<DebitOutcome> {
  if (!j.toOwnerWallet) return debitToSystem(trx, programId, j);
  // Lock (in id order, with the receiving wallet) and read the wallet in one statement.
  const ids = [...new Set([j.walletId, j.toWalletId])].sort();
  const locked = await sql<{ id: string; available: number; pending: number; kind: string }>`
    SELECT id, available, pending, kind FROM wallets WHERE program_id = ${programId} AND id = ANY(${ids}::uuid[])
    ORDER BY id FOR UPDATE`.execute(trx);
  const wallet = locked.rows.find((w) => w.id === j.walletId);
  if (!wallet || (wallet.kind !== 'account' && wallet.kind !== 'member')) {
    throw new LojalError('not_found', { entity: 'wallet', id: j.walletId });
  }
  const written = await insertJournals(trx, programId, [j]);
  if (!written.has(j.id)) return replayedDebit(trx, programId, j);
  const takes = await takeFromLots(trx, programId, j.walletId, j.points, j.preferLotId ?? null, now);
  const taken = takes.reduce((s, t) => s + t.take, 0);
  const shortfall = j.points - taken;
  if (shortfall > 0 && !j.allowShortfall) {
    throw new LojalError('insufficient_points', { available: wallet.available, requested: j.points });
  }
  if (taken === 0) {
    // Nothing to take: keep the journal as the record of the attempt.
    return { journalId: j.id, written: true, taken, shortfall };
  }

  const entries: EntryRow[] = [];
  const deltas = new Map<string, BalanceDelta>();
  let seq = 0;
  for (const t of takes) {
    entries.push({ journalId: j.id, seq: ++seq, walletId: j.walletId, bucket: t.status, amount: -t.take, lotId: t.id });
    addDelta(deltas, j.walletId, t.status === 'pending' ? { pending: -t.take } : { available: -t.take });
  }
  if (j.effect === 'spent') addDelta(deltas, j.walletId, { spent: taken });
  if (j.effect === 'unearned') addDelta(deltas, j.walletId, { earned: -taken });
  if (j.kind === 'expire') addDelta(deltas, j.walletId, { expired: taken });
  // A transfer keeps each lot's expiry: points do not get younger by moving between wallets.
  const newLots = takes.map((t) => ({ ...t, id: uuidv7() }));
  await sql`
    INSERT INTO lots (program_id, id, wallet_id, journal_id, status, earned_at, available_at, expires_at, original, remaining)
    SELECT ${programId}, t.id, ${j.toWalletId}, ${j.id}, 'available', ${now}, ${now}, t.expires_at, t.take, t.take
    FROM unnest(${newLots.map((l) => l.id)}::uuid[], ${newLots.map((l) => l.expiresAt)}::timestamptz[],
                ${newLots.map((l) => l.take)}::bigint[]) AS t(id, expires_at, take)`.execute(trx);
  for (const l of newLots) {
    entries.push({ journalId: j.id, seq: ++seq, walletId: j.toWalletId, bucket: 'available', amount: l.take, lotId: l.id });
  }
  addDelta(deltas, j.toWalletId, { available: taken });
  await postEntries(trx, programId, entries, deltas);
  return { journalId: j.id, written: true, taken, shortfall };
}

/** The key was used before: nothing was written; the first journal stands, unless it answered another request. */
async function replayedDebit(trx: Db, programId: string, j: DebitJournal): Promise<DebitOutcome> {
  const first = await trx
    .selectFrom('journals')
    .select(['id', 'request_hash'])
    .where('program_id', '=', programId)
    .where('idempotency_key', '=', j.idempotencyKey)
    .executeTakeFirstOrThrow();
  if (j.requestHash && first.request_hash !== j.requestHash) {
    throw new LojalError('idempotency_conflict', { key: j.idempotencyKey });
  }
  return { journalId: first.id, written: false, taken: 0, shortfall: 0 };
}

/**
 * A debit into a system wallet (spends, orders, reversals, expiry, negative adjustments): the wallet's lock, the
 * journal, the takes from the lots (in takeFromLots' order), the entries and the wallet's figures in one call of
 * ledger_debit_to_system (migration 0054), whose statements each read a snapshot of their own, so the lots are read
 * after the lock. `db` may be a transaction, or the pool: then the call is one autocommitted transaction, a spend
 * in one round trip. A replayed key writes nothing; a shortfall that is not allowed raises in the database, so what
 * the call wrote is taken back before any commit could keep it.
 */
async function debitToSystem(db: Db, programId: string, j: DebitJournal): Promise<DebitOutcome> {
  let row: SystemDebitRow;
  try {
    row = (await systemDebitCall(programId, j).execute(db)).rows[0]!;
  } catch (err) {
    throw asDebitRefusal(err, j);
  }
  return systemDebitOutcome(db, programId, j, row);
}

/** What ledger_debit_to_system answers. */
export interface SystemDebitRow {
  wallet_found: boolean;
  journal_written: boolean;
  points_taken: number;
  wallet_available: number;
}

/**
 * The call of ledger_debit_to_system for `j` (a debit into a system wallet), as a query of its own or as the part
 * of a larger statement (a reward order's); its answer goes through systemDebitOutcome, its error through
 * asDebitRefusal. `strict`: a missing wallet or a used key raise (LJ003, LJ002) instead of answering, for a
 * statement whose other writes must not stand without the debit.
 */
export function systemDebitCall(programId: string, j: DebitJournal, strict = false): RawBuilder<SystemDebitRow> {
  if (j.toOwnerWallet) throw new Error('systemDebitCall: a transfer to an owner wallet is not a debit to a system wallet');
  return sql<SystemDebitRow>`
    SELECT wallet_found, journal_written, points_taken, wallet_available FROM ledger_debit_to_system(
      ${programId}::uuid, ${j.walletId}::uuid, ${j.toWalletId}::uuid, ${j.points}::bigint, ${j.preferLotId ?? null}::uuid,
      ${j.effect === 'spent' ? 1 : 0}::integer, ${j.effect === 'unearned' ? 1 : 0}::integer, ${j.kind === 'expire' ? 1 : 0}::integer,
      ${j.allowShortfall === true}::boolean,
      ${j.id}::uuid, ${j.idempotencyKey}::text, ${j.kind}::text, ${j.eventId ?? null}::uuid, ${j.ruleId ?? null}::uuid,
      ${j.ruleVersion ?? null}::integer, ${j.reversesId ?? null}::uuid, ${j.reasonCode ?? null}::text,
      ${JSON.stringify(j.explanation)}::jsonb, ${j.memo ?? null}::text, ${j.actor ?? null}::text,
      ${j.basisLines ? `{${j.basisLines.join(',')}}` : null}::integer[], ${j.requestHash ?? null}::text,
      ${j.occurredAt}::timestamptz, ${j.partnerId ?? null}::uuid, ${strict}::boolean)`;
}

/**
 * The shortfall the database refused (SQLSTATE LJ001, the wallet's available points as detail) and a strict call's
 * missing wallet (LJ003) as the API's errors.
 */
export function asDebitRefusal(err: unknown, j: DebitJournal): unknown {
  const e = err as { code?: unknown; detail?: unknown };
  if (e?.code === 'LJ001') return new LojalError('insufficient_points', { available: Number(e.detail), requested: j.points });
  if (e?.code === 'LJ003') return new LojalError('not_found', { entity: 'wallet', id: j.walletId });
  return err;
}

/** A strict call's used idempotency key (SQLSTATE LJ002): nothing was written, the key's first journal stands. */
export const isReplayedDebit = (err: unknown): boolean => (err as { code?: unknown })?.code === 'LJ002';

/** The outcome of a system debit from the call's answer: a missing wallet fails, a replayed key answers the first journal. */
export async function systemDebitOutcome(db: Db, programId: string, j: DebitJournal, row: SystemDebitRow): Promise<DebitOutcome> {
  if (!row.wallet_found) throw new LojalError('not_found', { entity: 'wallet', id: j.walletId });
  if (!row.journal_written) return replayedDebit(db, programId, j);
  const taken = Number(row.points_taken);
  return { journalId: j.id, written: true, taken, shortfall: j.points - taken };
}

/**
 * Moves due pending lots to available (the return window has passed). One journal per lot, keyed by the lot,
 * so running the job twice, or in two processes at once, releases each lot once. Returns the lots released.
 */
export async function releaseDueLots(trx: Db, programId: string, now: Date, limit = 1000): Promise<number> {
  const due = await sql<{ id: string; wallet_id: string; remaining: number }>`
    SELECT id, wallet_id, remaining FROM lots
    WHERE program_id = ${programId} AND status = 'pending' AND remaining > 0 AND available_at <= ${now}
    ORDER BY available_at, id LIMIT ${limit}`.execute(trx);
  if (due.rows.length === 0) return 0;
  await lockWallets(trx, programId, due.rows.map((r) => r.wallet_id));
  // Re-read under the wallet locks: a reversal may have taken from a lot since the first read.
  const lots = await sql<{ id: string; wallet_id: string; remaining: number }>`
    UPDATE lots SET status = 'available'
    WHERE program_id = ${programId} AND id = ANY(${due.rows.map((r) => r.id)}::uuid[]) AND status = 'pending'
    RETURNING id, wallet_id, remaining`.execute(trx);
  const live = lots.rows.filter((l) => l.remaining > 0);
  const journals: JournalHeader[] = live.map((l) => ({
    id: uuidv7(),
    idempotencyKey: `release:${l.id}`,
    kind: 'release',
    occurredAt: now,
    explanation: { key: 'ledger:explain.release', params: { points: l.remaining, count: l.remaining } },
  }));
  const written = await insertJournals(trx, programId, journals);
  assertAllWritten(written, journals, 'release');
  const entries: EntryRow[] = [];
  const deltas = new Map<string, BalanceDelta>();
  live.forEach((l, i) => {
    const jid = journals[i]!.id;
    if (!written.has(jid)) return;
    entries.push({ journalId: jid, seq: 0, walletId: l.wallet_id, bucket: 'pending', amount: -l.remaining, lotId: l.id });
    entries.push({ journalId: jid, seq: 1, walletId: l.wallet_id, bucket: 'available', amount: l.remaining, lotId: l.id });
    addDelta(deltas, l.wallet_id, { pending: -l.remaining, available: l.remaining });
  });
  await postEntries(trx, programId, entries, deltas);
  return live.length;
}

/**
 * Expires what is left of lots whose expiry has passed; one journal per lot, keyed by it. Returns points expired;
 * `byWallet`, when given, gets each wallet's share (for the webhook the caller sends in the same transaction).
 */
export async function expireDueLots(trx: Db, programId: string, expiryWalletId: string, now: Date, limit = 1000, byWallet?: Map<string, number>): Promise<number> {
  const due = await sql<{ id: string; wallet_id: string }>`
    SELECT id, wallet_id FROM lots
    WHERE program_id = ${programId} AND status = 'available' AND remaining > 0 AND expires_at <= ${now}
    ORDER BY expires_at, id LIMIT ${limit}`.execute(trx);
  if (due.rows.length === 0) return 0;
  await lockWallets(trx, programId, due.rows.map((r) => r.wallet_id));
  const lots = await sql<{ id: string; wallet_id: string; taken: number }>`
    UPDATE lots l SET remaining = 0 FROM (
      SELECT id, remaining FROM lots
      WHERE program_id = ${programId} AND id = ANY(${due.rows.map((r) => r.id)}::uuid[]) AND remaining > 0
    ) old
    WHERE l.program_id = ${programId} AND l.id = old.id
    RETURNING l.id, l.wallet_id, old.remaining AS taken`.execute(trx);
  const journals: JournalHeader[] = lots.rows.map((l) => ({
    id: uuidv7(),
    idempotencyKey: `expire:${l.id}`,
    kind: 'expire',
    occurredAt: now,
    explanation: { key: 'ledger:explain.expire', params: { points: Number(l.taken), count: Number(l.taken) } },
  }));
  const written = await insertJournals(trx, programId, journals);
  assertAllWritten(written, journals, 'expire');
  const entries: EntryRow[] = [];
  const deltas = new Map<string, BalanceDelta>();
  let total = 0;
  lots.rows.forEach((l, i) => {
    const jid = journals[i]!.id;
    const taken = Number(l.taken);
    if (!written.has(jid)) return;
    entries.push({ journalId: jid, seq: 1, walletId: l.wallet_id, bucket: 'available', amount: -taken, lotId: l.id });
    entries.push({ journalId: jid, seq: 0, walletId: expiryWalletId, bucket: 'available', amount: taken, lotId: null });
    addDelta(deltas, l.wallet_id, { available: -taken, expired: taken });
    byWallet?.set(l.wallet_id, (byWallet.get(l.wallet_id) ?? 0) + taken);
    total += taken;
  });
  await postEntries(trx, programId, entries, deltas);
  return total;
}

/** A lot changes state in the same transaction as its journal, so its key can never have been used before. */
function assertAllWritten(written: Set<string>, journals: JournalHeader[], what: string): void {
  if (written.size !== journals.length) {
    throw new Error(`ledger invariant broken: a ${what} journal for a lot existed already`);
  }
}

/**
 * Gives back what a debit took (a cancelled or rejected order): one new available lot per lot taken, with
 * that lot's expiry, paid back from the wallet the debit paid into. Points do not get younger by being
 * refunded; a lot that has expired meanwhile is expired by the next expiry run. A replayed key writes nothing.
 */
export async function refundDebit(
  trx: Db,
  programId: string,
  header: JournalHeader,
  debitJournalId: string,
  now: Date,
): Promise<{ journalId: string; written: boolean; points: number }> {
  const taken = await sql<{ wallet_id: string; amount: number; expires_at: Date | null; earned_at: Date }>`
    SELECT e.wallet_id, -e.amount AS amount, l.expires_at, l.earned_at
    FROM entries e JOIN lots l ON l.program_id = e.program_id AND l.id = e.lot_id
    WHERE e.program_id = ${programId} AND e.journal_id = ${debitJournalId} AND e.amount < 0
    ORDER BY e.seq`.execute(trx);
  const counter = await sql<{ wallet_id: string }>`
    SELECT wallet_id FROM entries WHERE program_id = ${programId} AND journal_id = ${debitJournalId} AND amount > 0 AND lot_id IS NULL`.execute(trx);
  const owner = taken.rows[0]?.wallet_id;
  const from = counter.rows[0]?.wallet_id;
  if (!owner || !from) throw new Error(`ledger invariant broken: journal ${debitJournalId} is not a debit to a system wallet`);
  await lockWallets(trx, programId, [owner]);
  const written = await insertJournals(trx, programId, [header]);
  if (!written.has(header.id)) {
    const first = await trx
      .selectFrom('journals')
      .select('id')
      .where('program_id', '=', programId)
      .where('idempotency_key', '=', header.idempotencyKey)
      .executeTakeFirstOrThrow();
    return { journalId: first.id, written: false, points: 0 };
  }
  const lots = taken.rows.map((t) => ({ id: uuidv7(), points: Number(t.amount), expiresAt: t.expires_at, earnedAt: t.earned_at }));
  await sql`
    INSERT INTO lots (program_id, id, wallet_id, journal_id, status, earned_at, available_at, expires_at, original, remaining)
    SELECT ${programId}, t.id, ${owner}, ${header.id}, 'available', t.earned_at, ${now}, t.expires_at, t.points, t.points
    FROM unnest(${lots.map((l) => l.id)}::uuid[], ${lots.map((l) => l.earnedAt)}::timestamptz[],
                ${lots.map((l) => l.expiresAt)}::timestamptz[], ${lots.map((l) => l.points)}::bigint[])
      AS t(id, earned_at, expires_at, points)`.execute(trx);
  const total = lots.reduce((s, l) => s + l.points, 0);
  const entries: EntryRow[] = lots.map((l, i) => ({
    journalId: header.id,
    seq: i + 1,
    walletId: owner,
    bucket: 'available',
    amount: l.points,
    lotId: l.id,
  }));
  entries.push({ journalId: header.id, seq: 0, walletId: from, bucket: 'available', amount: -total, lotId: null });
  const deltas = new Map<string, BalanceDelta>();
  addDelta(deltas, owner, { available: total, spent: -total });
  await postEntries(trx, programId, entries, deltas);
  return { journalId: header.id, written: true, points: total };
}

/** A live lot as the batched debits see it, changed in memory as they take from it. */
interface LiveLot {
  id: string;
  status: 'pending' | 'available';
  expiresAt: number | null;
  earnedAt: number;
  remaining: number;
}

/**
 * Many debits that may not fail (reversals: `allowShortfall`), decided in memory and written with one statement per
 * table. Each `take` gives exactly what `debit` would give if the debits were made one after another in the same
 * order: the preferred lot first, then available lots that expire first (no expiry last), oldest first, by id.
 * The wallets are locked (in id order) and their live lots read once, in `prepareDebits`; `write` then inserts the
 * journals, takes from the lots, writes the entries and moves the balances. Used by returns, which take back the
 * points of many purchases in one batch.
 */
export class DebitBatch {
  private readonly journals: JournalHeader[] = [];
  private readonly entries: EntryRow[] = [];
  private readonly deltas = new Map<string, BalanceDelta>();
  private readonly takenFrom = new Map<string, number>();

  constructor(
    private readonly programId: string,
    private readonly lotsOf: Map<string, LiveLot[]>,
  ) {}

  take(j: DebitJournal): DebitOutcome {
    if (!j.allowShortfall || j.toOwnerWallet) throw new Error('DebitBatch takes only debits to a system wallet that allow a shortfall');
    const lots = this.lotsOf.get(j.walletId);
    if (!lots) throw new Error(`DebitBatch: wallet ${j.walletId} was not prepared`);
    this.journals.push(j);
    const prefer = j.preferLotId ?? null;
    const order = lots
      .filter((l) => l.remaining > 0 && (l.status === 'available' || l.id === prefer))
      .sort((a, b) => {
        if ((a.id === prefer) !== (b.id === prefer)) return a.id === prefer ? -1 : 1;
        if (a.expiresAt !== b.expiresAt) return a.expiresAt === null ? 1 : b.expiresAt === null ? -1 : a.expiresAt - b.expiresAt;
        if (a.earnedAt !== b.earnedAt) return a.earnedAt - b.earnedAt;
        return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      });
    let left = j.points;
    let seq = 0;
    for (const lot of order) {
      if (left <= 0) break;
      const take = Math.min(lot.remaining, left);
      lot.remaining -= take;
      left -= take;
      this.takenFrom.set(lot.id, (this.takenFrom.get(lot.id) ?? 0) + take);
      this.entries.push({ journalId: j.id, seq: ++seq, walletId: j.walletId, bucket: lot.status, amount: -take, lotId: lot.id });
      addDelta(this.deltas, j.walletId, lot.status === 'pending' ? { pending: -take } : { available: -take });
    }
    const taken = j.points - left;
    if (taken > 0) {
      if (j.effect === 'spent') addDelta(this.deltas, j.walletId, { spent: taken });
      if (j.effect === 'unearned') addDelta(this.deltas, j.walletId, { earned: -taken });
      if (j.kind === 'expire') addDelta(this.deltas, j.walletId, { expired: taken });
      this.entries.push({ journalId: j.id, seq: 0, walletId: j.toWalletId, bucket: 'available', amount: taken, lotId: null });
    }
    return { journalId: j.id, written: true, taken, shortfall: left };
  }

  async write(trx: Db): Promise<void> {
    if (this.journals.length === 0) return;
    const written = await insertJournals(trx, this.programId, this.journals);
    // The journals are new (their keys name events of this batch), so none can have been written before.
    assertAllWritten(written, this.journals, 'batched debit');
    if (this.takenFrom.size) {
      const ids = [...this.takenFrom.keys()];
      await sql`
        UPDATE lots l SET remaining = l.remaining - t.take
        FROM unnest(${ids}::uuid[], ${ids.map((id) => this.takenFrom.get(id)!)}::bigint[]) AS t(id, take)
        WHERE l.program_id = ${this.programId} AND l.id = t.id`.execute(trx);
    }
    await postEntries(trx, this.programId, this.entries, this.deltas);
  }
}

/** Locks the wallets (in id order) and reads their live lots, for a DebitBatch. */
export async function prepareDebits(trx: Db, programId: string, walletIds: string[]): Promise<DebitBatch> {
  const lotsOf = new Map<string, LiveLot[]>();
  if (walletIds.length) {
    const locked = await lockWallets(trx, programId, walletIds);
    for (const id of locked) lotsOf.set(id, []);
    const rows = await sql<{ id: string; wallet_id: string; status: 'pending' | 'available'; expires_at: Date | null; earned_at: Date; remaining: number }>`
      SELECT id, wallet_id, status, expires_at, earned_at, remaining FROM lots
      WHERE program_id = ${programId} AND wallet_id = ANY(${[...locked]}::uuid[]) AND remaining > 0`.execute(trx);
    for (const r of rows.rows) {
      lotsOf.get(r.wallet_id)!.push({
        id: r.id,
        status: r.status,
        expiresAt: r.expires_at === null ? null : new Date(r.expires_at).getTime(),
        earnedAt: new Date(r.earned_at).getTime(),
        remaining: Number(r.remaining),
      });
    }
  }
  return new DebitBatch(programId, lotsOf);
}
