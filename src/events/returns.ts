/**
 * Returns and cancellations take back the points the original purchase earned, in proportion to what
 * came back: for each earning of the purchase, the share of its basis lines' amount now returned.
 * Several partial returns add up and never take back more than was earned. Points still pending come
 * out of their own lot; points already spent cannot be taken back (no wallet goes negative), and the
 * shortfall is recorded on the reversal.
 *
 * A return that names no original is matched to the account's latest earlier purchases of the same SKUs;
 * quantities that match nothing are reported as unmatched (ERP data often holds credit notes for
 * purchases from before the program started).
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { debit } from '../ledger/writer.js';
import { systemWalletId, type Program } from '../programs/programs.js';
import type { EventRecord, ReversalRecord } from './records.js';
import type { ReadyEvent } from './items.js';
import type { ReturnLine } from './schema.js';

interface OpenLine {
  event_id: string;
  external_id: string;
  line_no: number;
  sku: string;
  quantity: number;
  amount: number;
  returned_quantity: number;
  returned_amount: number;
}

interface Allocation {
  line: OpenLine;
  quantity: number;
  amount: number;
}

export async function processReturn(trx: Db, program: Program, ev: ReadyEvent, record: EventRecord, now: Date): Promise<EventRecord> {
  const requested = (ev.input.lines ?? []) as ReturnLine[];
  const open = await openLines(trx, program.id, ev);
  const allocations: Allocation[] = [];
  const unmatched: EventRecord['unmatched'] = [];

  if (ev.input.originalId && requested.length === 0) {
    for (const line of open) {
      const q = line.quantity - line.returned_quantity;
      if (q > 0) allocations.push({ line, quantity: q, amount: line.amount - line.returned_amount });
    }
  }
  for (const req of requested) {
    let left = req.quantity;
    const parts: Allocation[] = [];
    for (const line of open) {
      if (left === 0) break;
      if (line.sku !== req.sku) continue;
      const free = line.quantity - line.returned_quantity - parts.filter((p) => p.line === line).reduce((s, p) => s + p.quantity, 0);
      const q = Math.min(free, left);
      if (q <= 0) continue;
      parts.push({ line, quantity: q, amount: 0 });
      left -= q;
    }
    if (left > 0) {
      if (ev.input.originalId) {
        throw new LojalError('return_exceeds_purchase', { sku: req.sku, left: req.quantity - left });
      }
      unmatched.push({ sku: req.sku, quantity: left });
    }
    assignAmounts(parts, req);
    // A return may list a SKU more than once: what this line took is no longer free for the next one.
    for (const p of parts) {
      p.line.returned_quantity += p.quantity;
      p.line.returned_amount += p.amount;
    }
    allocations.push(...parts);
  }

  await markReturned(trx, program.id, allocations);
  await insertReturnLines(trx, program.id, ev, requested, allocations);
  const reversals = await reverseEarnings(trx, program, ev, [...new Set(allocations.map((a) => a.line.event_id))], now);
  return { ...record, reversals, unmatched, points: -reversals.reduce((s, r) => s + r.points, 0) };
}

/** The purchase lines this return may take from, locked, in the order they are used up. */
async function openLines(trx: Db, programId: string, ev: ReadyEvent): Promise<OpenLine[]> {
  if (ev.input.originalId) {
    const original = await trx
      .selectFrom('events')
      .select(['id', 'type', 'account_id'])
      .where('program_id', '=', programId)
      .where('external_id', '=', ev.input.originalId)
      .executeTakeFirst();
    if (!original || original.type !== 'purchase' || original.account_id !== ev.account.id) {
      throw new LojalError('unknown_original_event', { original: ev.input.originalId });
    }
    const rows = await sql<OpenLine>`
      SELECT l.event_id, ${ev.input.originalId}::text AS external_id, l.line_no, l.sku, l.quantity, l.amount, l.returned_quantity, l.returned_amount
      FROM event_lines l WHERE l.program_id = ${programId} AND l.event_id = ${original.id}
      ORDER BY l.line_no FOR UPDATE`.execute(trx);
    return rows.rows;
  }
  const skus = [...new Set(((ev.input.lines ?? []) as ReturnLine[]).map((l) => l.sku))];
  const rows = await sql<OpenLine>`
    SELECT l.event_id, e.external_id, l.line_no, l.sku, l.quantity, l.amount, l.returned_quantity, l.returned_amount
    FROM event_lines l JOIN events e ON e.program_id = l.program_id AND e.id = l.event_id
    WHERE l.program_id = ${programId} AND l.account_id = ${ev.account.id} AND l.sku = ANY(${skus}::text[])
      AND l.is_purchase AND l.returned_quantity < l.quantity AND l.occurred_at <= ${ev.occurredAt}
    ORDER BY l.occurred_at DESC, l.event_id DESC, l.line_no
    FOR UPDATE OF l`.execute(trx);
  return rows.rows;
}

/**
 * The refunded amount per allocation: as given on the return line (spread by quantity), else the
 * purchase's own price for the quantity returned. Never more than is left of a line.
 */
function assignAmounts(parts: Allocation[], req: ReturnLine): void {
  const totalQty = parts.reduce((s, p) => s + p.quantity, 0);
  let given = req.amount;
  parts.forEach((p, i) => {
    const leftAmount = p.line.amount - p.line.returned_amount;
    const leftQty = p.line.quantity - p.line.returned_quantity;
    let amount: number;
    if (given === undefined) {
      amount = p.quantity === leftQty ? leftAmount : Math.floor((leftAmount * p.quantity) / leftQty);
    } else {
      amount = i === parts.length - 1 ? given : Math.floor((req.amount! * p.quantity) / totalQty);
      given -= amount;
    }
    p.amount = Math.min(amount, leftAmount);
  });
}

async function markReturned(trx: Db, programId: string, allocations: Allocation[]): Promise<void> {
  if (allocations.length === 0) return;
  // Several allocations may hit one line (a return listing a SKU twice): sum them first.
  const byLine = new Map<string, { eventId: string; lineNo: number; quantity: number; amount: number }>();
  for (const a of allocations) {
    const k = `${a.line.event_id}:${a.line.line_no}`;
    const cur = byLine.get(k) ?? { eventId: a.line.event_id, lineNo: a.line.line_no, quantity: 0, amount: 0 };
    cur.quantity += a.quantity;
    cur.amount += a.amount;
    byLine.set(k, cur);
  }
  const rows = [...byLine.values()];
  await sql`
    UPDATE event_lines l SET returned_quantity = l.returned_quantity + t.q, returned_amount = l.returned_amount + t.a
    FROM unnest(${rows.map((r) => r.eventId)}::uuid[], ${rows.map((r) => r.lineNo)}::integer[],
                ${rows.map((r) => r.quantity)}::integer[], ${rows.map((r) => r.amount)}::bigint[]) AS t(event_id, line_no, q, a)
    WHERE l.program_id = ${programId} AND l.event_id = t.event_id AND l.line_no = t.line_no`.execute(trx);
}

async function insertReturnLines(trx: Db, programId: string, ev: ReadyEvent, requested: ReturnLine[], allocations: Allocation[]) {
  const lines = requested.length
    ? requested.map((r) => ({ sku: r.sku, quantity: r.quantity, amount: allocations.filter((a) => a.line.sku === r.sku).reduce((s, a) => s + a.amount, 0) }))
    : allocations.map((a) => ({ sku: a.line.sku, quantity: a.quantity, amount: a.amount }));
  if (lines.length === 0) return;
  await sql`
    INSERT INTO event_lines (program_id, event_id, line_no, account_id, occurred_at, is_purchase, sku, quantity, amount, returned_quantity, returned_amount)
    SELECT ${programId}, ${ev.id}, t.n, ${ev.account.id}, ${ev.occurredAt}, false, t.sku, t.q, t.a, t.q, t.a
    FROM unnest(${lines.map((_, i) => i + 1)}::integer[], ${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.quantity)}::integer[],
                ${lines.map((l) => l.amount)}::bigint[]) AS t(n, sku, q, a)`.execute(trx);
}

interface EarnedLot {
  journal_id: string;
  event_id: string;
  external_id: string;
  rule_id: string | null;
  basis_lines: number[] | null;
  lot_id: string;
  wallet_id: string;
  wallet_kind: 'account' | 'member';
  original: number;
  reversed: number;
}

async function reverseEarnings(trx: Db, program: Program, ev: ReadyEvent, originalIds: string[], now: Date): Promise<ReversalRecord[]> {
  if (originalIds.length === 0) return [];
  const lots = await sql<EarnedLot>`
    SELECT j.id AS journal_id, j.event_id, e.external_id, x.rule_id, x.basis_lines, l.id AS lot_id, l.wallet_id,
           w.kind AS wallet_kind, l.original,
           coalesce((SELECT -sum(y.amount) FROM journals r JOIN entries y ON y.program_id = r.program_id AND y.journal_id = r.id
                     WHERE r.program_id = j.program_id AND r.reverses_id = l.id AND y.wallet_id = l.wallet_id), 0)::bigint AS reversed
    FROM journals j
    JOIN entries x ON x.program_id = j.program_id AND x.journal_id = j.id AND x.lot_id IS NOT NULL
    JOIN events e ON e.program_id = j.program_id AND e.id = j.event_id
    JOIN lots l ON l.program_id = x.program_id AND l.id = x.lot_id
    JOIN wallets w ON w.program_id = l.program_id AND w.id = l.wallet_id
    WHERE j.program_id = ${program.id} AND j.kind = 'earn' AND j.event_id = ANY(${originalIds}::uuid[])
    ORDER BY j.id, x.seq`.execute(trx);
  const lines = await sql<{ event_id: string; line_no: number; quantity: number; amount: number; returned_quantity: number; returned_amount: number }>`
    SELECT event_id, line_no, quantity, amount, returned_quantity, returned_amount FROM event_lines
    WHERE program_id = ${program.id} AND event_id = ANY(${originalIds}::uuid[])`.execute(trx);
  const lineOf = new Map(lines.rows.map((l) => [`${l.event_id}:${l.line_no}`, l]));

  const reversals: ReversalRecord[] = [];
  for (const lot of lots.rows) {
    const basis = (lot.basis_lines?.length ? lot.basis_lines : [...lineOf.values()].filter((l) => l.event_id === lot.event_id).map((l) => l.line_no))
      .map((n) => lineOf.get(`${lot.event_id}:${n}`))
      .filter((l): l is NonNullable<typeof l> => Boolean(l));
    const amount = basis.reduce((s, l) => s + Number(l.amount), 0);
    const returned = basis.reduce((s, l) => s + Number(l.returned_amount), 0);
    // Lines bought for nothing (free samples) are weighed by quantity instead.
    const [part, whole] = amount > 0 ? [returned, amount] : [basis.reduce((s, l) => s + l.returned_quantity, 0), basis.reduce((s, l) => s + l.quantity, 0)];
    if (whole === 0) continue;
    const target = Number((BigInt(lot.original) * BigInt(part)) / BigInt(whole));
    const due = target - Number(lot.reversed);
    if (due <= 0) continue;
    const journalId = uuidv7();
    const outcome = await debit(
      trx,
      program.id,
      {
        id: journalId,
        idempotencyKey: `reverse:${ev.id}:${lot.lot_id}`,
        kind: 'reverse',
        occurredAt: ev.occurredAt,
        eventId: ev.id,
        ruleId: lot.rule_id,
        reversesId: lot.lot_id,
        explanation: { key: 'ledger:explain.reverse', params: { event: ev.input.id, original: lot.external_id } },
        walletId: lot.wallet_id,
        points: due,
        toWalletId: systemWalletId(program.id, 'issuance'),
        preferLotId: lot.lot_id,
        allowShortfall: true,
        effect: 'unearned',
      },
      now,
    );
    const explanation = outcome.shortfall
      ? {
          key: 'ledger:explain.reverse',
          params: { event: ev.input.id, original: lot.external_id },
          notes: [{ key: 'ledger:explain.reverseShortfall', params: { event: ev.input.id, shortfall: outcome.shortfall } }],
        }
      : { key: 'ledger:explain.reverse', params: { event: ev.input.id, original: lot.external_id } };
    reversals.push({
      journalId,
      originalEventId: lot.external_id,
      ruleId: lot.rule_id,
      wallet: lot.wallet_kind,
      walletId: lot.wallet_id,
      points: outcome.taken,
      shortfall: outcome.shortfall,
      explanation,
    });
  }
  return reversals;
}
