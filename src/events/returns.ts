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
import { prepareDebits, type DebitBatch } from '../ledger/writer.js';
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
  /** Epoch milliseconds. */
  occurred_at: number;
}

interface Allocation {
  line: OpenLine;
  quantity: number;
  amount: number;
}

/**
 * The batch's returns, in order, with one statement per table: the lines they may take from and the earnings of
 * those purchases are read once, each return is matched in memory as if it came alone after the ones before it
 * (what an earlier return took back is no longer there for a later one), and the lines, reversal journals and
 * balances are written together. A return that cannot be matched (`unknown_original_event`,
 * `return_exceeds_purchase`) gets its error and leaves nothing behind; the others go on.
 */
export async function processReturns(
  trx: Db,
  program: Program,
  returns: Array<{ ev: ReadyEvent; record: EventRecord }>,
  now: Date,
): Promise<Map<string, EventRecord | LojalError>> {
  const out = new Map<string, EventRecord | LojalError>();
  if (returns.length === 0) return out;
  const state = await loadReturnState(trx, program.id, returns.map((r) => r.ev));
  const debits = await prepareDebits(trx, program.id, [...new Set(state.lots.map((l) => l.wallet_id))]);
  const matched: Array<{ ev: ReadyEvent; requested: ReturnLine[]; allocations: Allocation[] }> = [];
  for (const { ev, record } of returns) {
    const requested = (ev.input.lines ?? []) as ReturnLine[];
    const changed: Array<{ line: OpenLine; quantity: number; amount: number }> = [];
    let allocated: ReturnType<typeof allocate>;
    try {
      allocated = allocate(ev, requested, state, changed);
    } catch (err) {
      if (!(err instanceof LojalError)) throw err;
      // Undo what this return took in memory: it is refused whole.
      for (const c of changed.reverse()) {
        c.line.returned_quantity -= c.quantity;
        c.line.returned_amount -= c.amount;
      }
      out.set(ev.id, err);
      continue;
    }
    // Taken back now, before the next return changes the same lines: each return weighs the lines as it left them.
    const { allocations, unmatched } = allocated;
    matched.push({ ev, requested, allocations });
    const reversals = reverseEarnings(program, ev, [...new Set(allocations.map((a) => a.line.event_id))], state, debits);
    out.set(ev.id, { ...record, reversals, unmatched, points: -reversals.reduce((s, r) => s + r.points, 0) });
  }
  await markReturned(trx, program.id, matched.flatMap((m) => m.allocations));
  await insertReturnLines(trx, program.id, matched);
  await debits.write(trx);
  return out;
}

/** What the batch's returns may take from: their candidate purchase lines (locked), all lines of those purchases, their earnings. */
interface ReturnState {
  /** Named originals by external id. */
  originals: Map<string, { id: string; type: string; account_id: string; occurred_at: Date }>;
  /** Every loaded line, one object per line, so that what one return takes is seen by the next. */
  lineOf: Map<string, OpenLine>;
  /** Lines by purchase event, in line order. */
  linesOfEvent: Map<string, OpenLine[]>;
  /** Purchase lines by account and SKU, newest first (the order returns without an original use them up). */
  openBySku: Map<string, OpenLine[]>;
  lots: EarnedLot[];
}

const lineKey = (eventId: string, lineNo: number) => `${eventId}:${lineNo}`;
const skuKey = (accountId: string, sku: string) => `${accountId}\u0000${sku}`;

async function loadReturnState(trx: Db, programId: string, evs: ReadyEvent[]): Promise<ReturnState> {
  const named = [...new Set(evs.flatMap((ev) => (ev.input.originalId ? [ev.input.originalId] : [])))];
  const originals = new Map<string, { id: string; type: string; account_id: string; occurred_at: Date }>();
  if (named.length) {
    const rows = await sql<{ id: string; external_id: string; type: string; account_id: string; occurred_at: Date }>`
      SELECT id, external_id, type, account_id, occurred_at FROM events WHERE program_id = ${programId} AND external_id = ANY(${named}::text[])`.execute(trx);
    for (const r of rows.rows) originals.set(r.external_id, r);
  }
  const originalIds = [...originals.values()].filter((o) => o.type === 'purchase').map((o) => o.id);
  const pairs = new Map<string, { account: string; sku: string }>();
  for (const ev of evs) {
    if (ev.input.originalId) continue;
    for (const l of (ev.input.lines ?? []) as ReturnLine[]) pairs.set(skuKey(ev.account.id, l.sku), { account: ev.account.id, sku: l.sku });
  }
  const pairList = [...pairs.values()];
  // The lines a return may change, locked: all lines of the named purchases, and the open purchase lines of the SKUs returned.
  // The two kinds are found apart (by primary key, and by the open-lines index), then joined by key: written as one
  // WHERE with an OR, the planner could use neither index and read every line of the program for each batch.
  const candidates = await sql<OpenLine & { account_id: string; occurred_at: Date }>`
    SELECT l.event_id, e.external_id, l.line_no, l.sku, l.quantity, l.amount, l.returned_quantity, l.returned_amount, l.account_id, l.occurred_at
    FROM event_lines l JOIN events e ON e.program_id = l.program_id AND e.id = l.event_id
    WHERE l.program_id = ${programId} AND l.is_purchase AND (l.event_id, l.line_no) IN (
      SELECT n.event_id, n.line_no FROM event_lines n
      WHERE n.program_id = ${programId} AND n.event_id = ANY(${originalIds}::uuid[])
      UNION ALL
      SELECT o.event_id, o.line_no
      FROM unnest(${pairList.map((p) => p.account)}::uuid[], ${pairList.map((p) => p.sku)}::text[]) AS p(account_id, sku)
      JOIN event_lines o ON o.program_id = ${programId} AND o.account_id = p.account_id AND o.sku = p.sku AND o.returned_quantity < o.quantity)
    FOR UPDATE OF l`.execute(trx);
  const lineOf = new Map<string, OpenLine>();
  const add = (r: OpenLine) => {
    const key = lineKey(r.event_id, r.line_no);
    const known = lineOf.get(key);
    if (known) return known;
    const line: OpenLine = {
      event_id: r.event_id,
      external_id: r.external_id,
      line_no: r.line_no,
      sku: r.sku,
      quantity: Number(r.quantity),
      amount: Number(r.amount),
      returned_quantity: Number(r.returned_quantity),
      returned_amount: Number(r.returned_amount),
      occurred_at: new Date(r.occurred_at).getTime(),
    };
    lineOf.set(key, line);
    return line;
  };
  const openBySku = new Map<string, OpenLine[]>();
  for (const r of candidates.rows) {
    const line = add({ ...r, occurred_at: new Date(r.occurred_at).getTime() });
    const key = skuKey(r.account_id, r.sku);
    if (!pairs.has(key) || r.returned_quantity >= r.quantity) continue;
    const list = openBySku.get(key) ?? [];
    list.push(line);
    openBySku.set(key, list);
  }
  for (const list of openBySku.values()) {
    list.sort((a, b) => b.occurred_at - a.occurred_at || (a.event_id < b.event_id ? 1 : a.event_id > b.event_id ? -1 : 0) || a.line_no - b.line_no);
  }
  // All lines and earnings of every purchase a return may touch: a reversal weighs what came back against the whole basis.
  const eventIds = [...new Set(candidates.rows.map((r) => r.event_id))];
  const linesOfEvent = new Map<string, OpenLine[]>();
  let lots: EarnedLot[] = [];
  if (eventIds.length) {
    const all = await sql<OpenLine & { occurred_at: Date }>`
      SELECT l.event_id, e.external_id, l.line_no, l.sku, l.quantity, l.amount, l.returned_quantity, l.returned_amount, l.occurred_at
      FROM event_lines l JOIN events e ON e.program_id = l.program_id AND e.id = l.event_id
      WHERE l.program_id = ${programId} AND l.event_id = ANY(${eventIds}::uuid[])
      ORDER BY l.event_id, l.line_no`.execute(trx);
    for (const r of all.rows) {
      const line = add({ ...r, occurred_at: new Date(r.occurred_at).getTime() });
      const list = linesOfEvent.get(r.event_id) ?? [];
      list.push(line);
      linesOfEvent.set(r.event_id, list);
    }
    // One row per rule's credit: its points are the entry's amount (a lot may hold the shares of several rules of
    // the event, src/ledger/writer.ts), and what was taken back of it are the reversals of its lot made for its rule.
    const rows = await sql<EarnedLot>`
      SELECT j.id AS journal_id, j.event_id, e.external_id, x.seq, x.rule_id, x.basis_lines, l.id AS lot_id, l.wallet_id,
             w.kind AS wallet_kind, x.amount AS original,
             coalesce((SELECT -sum(y.amount) FROM journals r JOIN entries y ON y.program_id = r.program_id AND y.journal_id = r.id
                       WHERE r.program_id = j.program_id AND r.reverses_id = l.id AND r.rule_id IS NOT DISTINCT FROM x.rule_id
                         AND y.wallet_id = l.wallet_id), 0)::bigint AS reversed
      FROM journals j
      JOIN entries x ON x.program_id = j.program_id AND x.journal_id = j.id AND x.lot_id IS NOT NULL
      JOIN events e ON e.program_id = j.program_id AND e.id = j.event_id
      JOIN lots l ON l.program_id = x.program_id AND l.id = x.lot_id
      JOIN wallets w ON w.program_id = l.program_id AND w.id = l.wallet_id
      WHERE j.program_id = ${programId} AND j.kind = 'earn' AND j.event_id = ANY(${eventIds}::uuid[])
      ORDER BY j.id, x.seq`.execute(trx);
    lots = rows.rows.map((r) => ({ ...r, original: Number(r.original), reversed: Number(r.reversed) }));
  }
  return { originals, lineOf, linesOfEvent, openBySku, lots };
}

/** Matches one return to the lines it takes from, changing them in memory (each change noted in `changed`). */
function allocate(
  ev: ReadyEvent,
  requested: ReturnLine[],
  state: ReturnState,
  changed: Array<{ line: OpenLine; quantity: number; amount: number }>,
): { allocations: Allocation[]; unmatched: EventRecord['unmatched'] } {
  let open: OpenLine[];
  if (ev.input.originalId) {
    const original = state.originals.get(ev.input.originalId);
    if (!original || original.type !== 'purchase' || original.account_id !== ev.account.id) {
      throw new LojalError('unknown_original_event', { original: ev.input.originalId });
    }
    // As a return without an original only finds purchases up to its own date: nothing comes back before it was bought.
    if (new Date(original.occurred_at).getTime() > ev.occurredAt.getTime()) {
      throw new LojalError('return_before_purchase', { original: ev.input.originalId, purchasedAt: new Date(original.occurred_at).toISOString() });
    }
    open = state.linesOfEvent.get(original.id) ?? [];
  } else {
    // Newest first, as far back as the return's own date, across its SKUs.
    const at = ev.occurredAt.getTime();
    open = [...new Set(requested.map((r) => r.sku))]
      .flatMap((sku) => state.openBySku.get(skuKey(ev.account.id, sku)) ?? [])
      .filter((l) => l.occurred_at <= at && l.returned_quantity < l.quantity)
      .sort((a, b) => b.occurred_at - a.occurred_at || (a.event_id < b.event_id ? 1 : a.event_id > b.event_id ? -1 : 0) || a.line_no - b.line_no);
  }
  const allocations: Allocation[] = [];
  const unmatched: EventRecord['unmatched'] = [];
  if (ev.input.originalId && requested.length === 0) {
    for (const line of open) {
      const q = line.quantity - line.returned_quantity;
      if (q > 0) allocations.push({ line, quantity: q, amount: line.amount - line.returned_amount });
    }
    for (const a of allocations) {
      a.line.returned_quantity += a.quantity;
      a.line.returned_amount += a.amount;
      changed.push(a);
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
      changed.push(p);
    }
    allocations.push(...parts);
  }
  return { allocations, unmatched };
}

/**
 * The refunded amount per allocation: as given on the return line (spread by quantity), else the
 * purchase's own price for the quantity returned. Never more than the purchase's price for the quantity returned
 * (what is left of the line, shared by the units left): one unit returned with a larger amount takes back that
 * unit's share, not the whole line.
 */
function assignAmounts(parts: Allocation[], req: ReturnLine): void {
  const totalQty = parts.reduce((s, p) => s + p.quantity, 0);
  let given = req.amount;
  parts.forEach((p, i) => {
    const leftAmount = p.line.amount - p.line.returned_amount;
    const leftQty = p.line.quantity - p.line.returned_quantity;
    const priceOfReturned = p.quantity === leftQty ? leftAmount : Math.floor((leftAmount * p.quantity) / leftQty);
    let amount: number;
    if (given === undefined) {
      amount = priceOfReturned;
    } else {
      amount = i === parts.length - 1 ? given : Math.floor((req.amount! * p.quantity) / totalQty);
      given -= amount;
    }
    p.amount = Math.min(amount, priceOfReturned);
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

/** The returns' own lines (not purchases, so nothing else can take from them), one statement for the batch. */
async function insertReturnLines(
  trx: Db,
  programId: string,
  returns: Array<{ ev: ReadyEvent; requested: ReturnLine[]; allocations: Allocation[] }>,
): Promise<void> {
  const rows = returns.flatMap(({ ev, requested, allocations }) => {
    const lines = requested.length
      ? requested.map((r) => ({ sku: r.sku, quantity: r.quantity, amount: allocations.filter((a) => a.line.sku === r.sku).reduce((s, a) => s + a.amount, 0) }))
      : allocations.map((a) => ({ sku: a.line.sku, quantity: a.quantity, amount: a.amount }));
    return lines.map((l, i) => ({ ev, n: i + 1, ...l }));
  });
  if (rows.length === 0) return;
  await sql`
    INSERT INTO event_lines (program_id, event_id, line_no, account_id, occurred_at, is_purchase, sku, quantity, amount, returned_quantity, returned_amount)
    SELECT ${programId}, t.event_id, t.n, t.account_id, t.occurred_at, false, t.sku, t.q, t.a, t.q, t.a
    FROM unnest(${rows.map((r) => r.ev.id)}::uuid[], ${rows.map((r) => r.n)}::integer[], ${rows.map((r) => r.ev.account.id)}::uuid[],
                ${rows.map((r) => r.ev.occurredAt)}::timestamptz[], ${rows.map((r) => r.sku)}::text[], ${rows.map((r) => r.quantity)}::integer[],
                ${rows.map((r) => r.amount)}::bigint[]) AS t(event_id, n, account_id, occurred_at, sku, q, a)`.execute(trx);
}

/** One rule's credit of a purchase, as a return sees it: the lot it paid into and what is left to take back of it. */
interface EarnedLot {
  journal_id: string;
  event_id: string;
  external_id: string;
  seq: number;
  rule_id: string | null;
  basis_lines: number[] | null;
  lot_id: string;
  wallet_id: string;
  wallet_kind: 'account' | 'member';
  original: number;
  reversed: number;
}

/**
 * For each earning of the purchases this return took from: the share of its basis lines' amount now returned,
 * less what earlier returns took back already, taken from the lot it paid into first.
 */
function reverseEarnings(program: Program, ev: ReadyEvent, originalIds: string[], state: ReturnState, debits: DebitBatch): ReversalRecord[] {
  if (originalIds.length === 0) return [];
  const originals = new Set(originalIds);
  const lots = { rows: state.lots.filter((l) => originals.has(l.event_id)) };
  const lineOf = new Map(originalIds.flatMap((id) => (state.linesOfEvent.get(id) ?? []).map((l) => [lineKey(l.event_id, l.line_no), l] as const)));

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
    const outcome = debits.take({
        id: journalId,
        // By lot and rule: one lot may hold several rules' shares of the purchase.
        idempotencyKey: `reverse:${ev.id}:${lot.lot_id}:${lot.seq}`,
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
    });
    // A later return of the same purchase finds these points taken back already.
    lot.reversed += outcome.taken;
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
