/**
 * Event ingestion: validate, resolve references, judge each event by the rules in force when it occurred,
 * and post the points — a whole batch in one transaction of a few multi-row statements.
 *
 * Exactly once: an event is keyed by (program, its external id). A replay answers the stored first result;
 * the same id with another body is refused. Concurrent senders of the same event meet at the unique key:
 * one inserts it, the others wait for that transaction and then find it there.
 *
 * Each event is atomic. Invalid events are answered with their error and the rest go on; if the batch
 * transaction fails for an unforeseen reason, every event is retried in a transaction of its own, so one
 * bad event cannot take its neighbours down with it.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database, Db } from '../db/database.js';
import { clientErrorOfDatabase } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { isInactive } from '../ledger/owners.js';
import { fieldIssuesOf } from '../errors/validation.js';
import type { Program } from '../programs/programs.js';
import type { EventRecord } from './records.js';
import { eventHash, eventSchema, sameEvent, SALE_CLAIM, type EventInput } from './schema.js';
import type { AccountRef, MemberRef } from '../accounts/index.js';
import type { ProductRef } from '../catalog/index.js';
import { lookUp, type Lookup, type LookupInput } from './lookup.js';
import { anyCampaignInForce } from '../campaigns/store.js';
import { EventRaceError, loadExisting, processBatch, type CachedSettings } from './process.js';
import type { IngestItem, ReadyEvent } from './items.js';

export type { IngestItem } from './items.js';

export interface IngestOptions {
  now: Date;
  futureToleranceSeconds: number;
  /** Events sent with a coalition partner's key: attributed to the partner, in a namespace of its own. */
  partner?: { id: string; code: string } | undefined;
  /** The rules and tier ladder as the caller keeps them in memory (the HTTP server); read per batch without. */
  settings?: CachedSettings | undefined;
  /**
   * The settings version the caller's API key and cached settings were verified at, when the key check was left to
   * this look-up (src/cache): if the program's version is another, nothing is done and SettingsChangedError is thrown.
   */
  settingsVersion?: number | undefined;
  /**
   * How many transactions a large batch may be written in at once, each for a share of its accounts (1 by default;
   * on a database server 2 lets this process prepare one share while the server writes the other).
   */
  lanes?: number | undefined;
}

/** The program's settings changed since the caller's key and settings were verified: check again, then send again. */
export class SettingsChangedError extends Error {}

/**
 * A partner's event lives in the partner's namespace: its id (and a return's originalId) get the prefix
 * `<code>:`, so a bank's transaction number never meets the program's invoice numbers, and a partner can only
 * replay or return its own events; `attributes.partner` is set to the code, for rules to match on.
 */
export function asPartnerEvent(e: EventInput, code: string): EventInput | LojalError {
  if (e.type === 'return' && !e.originalId) return new LojalError('partner_return_needs_original');
  return {
    ...e,
    id: `${code}:${e.id}`,
    ...(e.originalId && { originalId: `${code}:${e.originalId}` }),
    attributes: { ...e.attributes, partner: code },
  };
}

export interface Parsed {
  index: number;
  input: EventInput;
  hash: string;
  occurredAt: Date;
}

/** `input`, where given, tells a missing field (`required`) from a wrong one. */
export function validationError(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>, input?: unknown): LojalError {
  return new LojalError('validation_failed', {}, fieldIssuesOf(issues as Parameters<typeof fieldIssuesOf>[0], '', input));
}

const externalIdOf = (raw: unknown) =>
  raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;

export async function ingestEvents(db: Db, program: Program, inputs: unknown[], opts: IngestOptions): Promise<IngestItem[]> {
  const items: IngestItem[] = new Array(inputs.length);
  const reject = (index: number, externalId: string | null, error: LojalError) => {
    items[index] = { index, externalId, status: 'rejected', error };
  };

  // 1. Shape: each event on its own, so one malformed event does not hide the others' results.
  const parsed: Parsed[] = [];
  inputs.forEach((raw, index) => {
    const r = eventSchema.safeParse(raw);
    if (!r.success) return reject(index, externalIdOf(raw), validationError(r.error.issues, raw));
    if (opts.partner) {
      const own = asPartnerEvent(r.data, opts.partner.code);
      if (own instanceof LojalError) return reject(index, r.data.id, own);
      r.data = own;
    }
    const occurredAt = new Date(r.data.occurredAt);
    if (occurredAt.getTime() > opts.now.getTime() + opts.futureToleranceSeconds * 1000) {
      return reject(index, r.data.id, new LojalError('occurred_in_future', { occurredAt: r.data.occurredAt, tolerance: opts.futureToleranceSeconds }));
    }
    if (r.data.type === SALE_CLAIM) {
      // Only an approved claim may post one (src/claims), so a sale earns after review and exactly once.
      return reject(index, r.data.id, validationError([{ path: ['type'], message: 'sale_claim events are posted by approving a sales claim (POST /v1/claims)' }]));
    }
    if (r.data.currency && r.data.currency !== program.currency) {
      return reject(index, r.data.id, validationError([{ path: ['currency'], message: `this program counts in ${program.currency}` }]));
    }
    const outOfRange = amountOutOfRange(r.data);
    if (outOfRange) return reject(index, r.data.id, outOfRange);
    parsed.push({ index, input: r.data, hash: eventHash(r.data), occurredAt });
  });

  // 2. The same id twice in one batch: the second is a replay of the first (or a conflict).
  const firstOf = new Map<string, Parsed>();
  const echoes: Array<{ echo: Parsed; first: Parsed }> = [];
  const unique: Parsed[] = [];
  for (const p of parsed) {
    const first = firstOf.get(p.input.id);
    if (!first) {
      firstOf.set(p.input.id, p);
      unique.push(p);
    } else if (first.hash === p.hash) echoes.push({ echo: p, first });
    else reject(p.index, p.input.id, new LojalError('event_conflict', { id: p.input.id }));
  }

  // 3. Replays of events received before, and the references of the others, in one statement; the stored
  // answer is read only for replays.
  const found = await lookUp(db, program.id, { ...referencesOf(unique), eventIds: unique.map((p) => p.input.id) });
  if (opts.settingsVersion !== undefined && found.settingsVersion !== opts.settingsVersion) throw new SettingsChangedError();
  const isReplay = (p: Parsed, hash: string | undefined) => hash !== undefined && sameEvent(hash, p);
  const replays = unique.filter((p) => isReplay(p, found.existing.get(p.input.id))).map((p) => p.input.id);
  const stored = replays.length ? await loadExisting(db, program.id, replays) : new Map<string, { hash: string; record: EventRecord }>();
  const fresh: Parsed[] = [];
  for (const p of unique) {
    const hash = found.existing.get(p.input.id);
    if (hash === undefined) fresh.push(p);
    else if (isReplay(p, hash)) items[p.index] = { index: p.index, externalId: p.input.id, status: 'replayed', record: stored.get(p.input.id)!.record };
    else reject(p.index, p.input.id, new LojalError('event_conflict', { id: p.input.id }));
  }

  // 4. References: accounts, members, products.
  const ready = resolveFrom(found, fresh, reject);

  // 5. Post: in lanes of their own accounts when the caller allows and nothing the lanes share depends on order.
  if (ready.length) {
    const lanes = await lanesFor(db, program, ready, opts.lanes ?? 1);
    const outcomes = await Promise.all(lanes.map((lane) => post(db, program, lane, opts)));
    for (const done of outcomes) for (const [index, item] of done) items[index] = item;
  }

  for (const { echo, first } of echoes) {
    const f = items[first.index]!;
    // A replay's answer has no rule trace: that is only in the first answer to an event.
    items[echo.index] = f.status === 'rejected' ? { ...f, index: echo.index } : { index: echo.index, externalId: echo.input.id, status: 'replayed', record: { ...f.record, trace: [] } };
  }
  return items;
}

/**
 * `amount_out_of_range` when a purchase's lines add up past 2^53 − 1 minor units (each line is within it, their sum
 * need not be): no total the rules or reports compute from it could be read exactly.
 */
export function amountOutOfRange(input: EventInput): LojalError | undefined {
  if (input.type === 'return') return undefined;
  const total = (input.lines as Array<{ amount: number }> | undefined)?.reduce((s, l) => s + l.amount, 0) ?? 0;
  return Number.isSafeInteger(total) ? undefined : new LojalError('amount_out_of_range');
}

/** Writes one lane's events in one transaction; when that fails, event by event, each answered for itself. */
async function post(db: Db, program: Program, ready: ReadyEvent[], opts: IngestOptions): Promise<Map<number, IngestItem>> {
  try {
    return await processBatch(db, program, ready, opts.now, opts.partner?.id, opts.settings);
  } catch (err) {
    if (ready.length === 1 && err instanceof LojalError) {
      return new Map([[ready[0]!.index, { index: ready[0]!.index, externalId: ready[0]!.input.id, status: 'rejected', error: err }]]);
    }
    if (ready.length === 1 && !(err instanceof EventRaceError)) throw err;
    const outcomes = new Map<number, IngestItem>();
    for (const one of ready) {
      try {
        for (const [k, v] of await processBatch(db, program, [one], opts.now, opts.partner?.id, opts.settings)) outcomes.set(k, v);
      } catch (e) {
        // The events before this one are written; answer for each rather than fail the whole request. A refusal
        // the event's own values caused (a wallet past the points limit) is answered as the single event would be.
        const error = e instanceof LojalError ? e : (clientErrorOfDatabase(e) ?? Object.assign(new LojalError('internal_error'), { cause: e }));
        outcomes.set(one.index, { index: one.index, externalId: one.input.id, status: 'rejected', error });
      }
    }
    return outcomes;
  }
}

/**
 * The lanes a batch may use on `database`: LOJAL_BATCH_LANES on a server; one on the embedded database, whose one
 * connection would only make a second lane wait for the first.
 */
export function batchLanesOn(database: Pick<Database, 'kind'>, configured: number): number {
  return database.kind === 'postgres' ? configured : 1;
}

/** Below this many events per lane, a second transaction costs more than it overlaps. */
export const LANE_MIN_EVENTS = 100;

/**
 * The batch's events split by account into at most `wanted` lanes (fewer when the batch is small), each to be
 * written in a transaction of its own at the same time: while the database writes one lane, this process runs the
 * rules of another. What an event earns depends only on its account and its member (caps, bought categories, tiers,
 * returns of the account's own purchases), so a lane holds whole accounts, keeps the batch's order, and a member
 * whose events name two accounts puts the batch in one lane. Chains rolled up share caps and tiers across accounts:
 * one lane. Pure; `lanesFor` adds what needs the database.
 */
export function splitIntoLanes(ready: ReadyEvent[], wanted: number, hierarchyRollup: Program['hierarchyRollup']): ReadyEvent[][] {
  const count = Math.min(Math.floor(wanted), Math.floor(ready.length / LANE_MIN_EVENTS));
  if (count < 2 || hierarchyRollup === 'chain') return [ready];
  const laneOfAccount = new Map<string, number>();
  const laneOfMember = new Map<string, number>();
  const lanes: ReadyEvent[][] = Array.from({ length: count }, () => []);
  for (const ev of ready) {
    let lane = laneOfAccount.get(ev.account.id);
    if (lane === undefined) {
      // Accounts in turn as they first appear: lanes of about the same size whatever the ids.
      lane = laneOfAccount.size % count;
      laneOfAccount.set(ev.account.id, lane);
    }
    if (ev.member) {
      if ((laneOfMember.get(ev.member.id) ?? lane) !== lane) return [ready];
      laneOfMember.set(ev.member.id, lane);
    }
    lanes[lane]!.push(ev);
  }
  const used = lanes.filter((l) => l.length > 0);
  return used.length > 1 ? used : [ready];
}

/**
 * splitIntoLanes, and one lane when a campaign runs during the batch's span: a campaign's budget goes to the
 * batch's purchases in their order, which lanes written at once would not keep.
 */
async function lanesFor(db: Db, program: Program, ready: ReadyEvent[], wanted: number): Promise<ReadyEvent[][]> {
  const lanes = splitIntoLanes(ready, wanted, program.hierarchyRollup);
  if (lanes.length === 1) return lanes;
  let from = Infinity;
  let to = -Infinity;
  for (const ev of ready) {
    from = Math.min(from, ev.occurredAt.getTime());
    to = Math.max(to, ev.occurredAt.getTime());
  }
  return (await anyCampaignInForce(db, program.id, new Date(from), new Date(to))) ? [ready] : lanes;
}

/** Resolves the events' accounts, members and products (one statement); the unknown ones are rejected. */
export async function resolve(
  db: Db,
  program: Program,
  events: Parsed[],
  reject: (index: number, externalId: string | null, error: LojalError) => void,
): Promise<ReadyEvent[]> {
  if (events.length === 0) return [];
  return resolveFrom(await lookUp(db, program.id, { ...referencesOf(events), eventIds: [] }), events, reject);
}

function referencesOf(events: Parsed[]): Omit<LookupInput, 'eventIds'> {
  const accountExt = new Set<string>();
  const accountIds = new Set<string>();
  const memberExt = new Set<string>();
  const memberIds = new Set<string>();
  const skus = new Set<string>();
  for (const { input: e } of events) {
    if (e.account) accountExt.add(e.account);
    if (e.accountId) accountIds.add(e.accountId);
    if (e.member) memberExt.add(e.member);
    if (e.memberId) memberIds.add(e.memberId);
    for (const l of (e.lines ?? []) as Array<{ sku: string }>) skus.add(l.sku);
  }
  return { accountExt: [...accountExt], accountIds: [...accountIds], memberExt: [...memberExt], memberIds: [...memberIds], skus: [...skus] };
}

function resolveFrom(
  { accounts, members, products }: Lookup,
  events: Parsed[],
  reject: (index: number, externalId: string | null, error: LojalError) => void,
): ReadyEvent[] {
  const ready: ReadyEvent[] = [];
  for (const p of events) {
    const e = p.input;
    const account: AccountRef | undefined = e.account ? accounts.byExternal.get(e.account) : accounts.byId.get(e.accountId!);
    if (!account) {
      reject(p.index, e.id, new LojalError('unknown_account', { account: e.account ?? e.accountId! }));
      continue;
    }
    if (account.status === 'suspended' || account.status === 'closed') {
      reject(p.index, e.id, new LojalError('account_not_active', { account: e.account ?? e.accountId!, status: account.status }));
      continue;
    }
    let member: MemberRef | null = null;
    if (e.member || e.memberId) {
      member = (e.member ? members.byExternal.get(e.member) : members.byId.get(e.memberId!)) ?? null;
      if (!member) {
        reject(p.index, e.id, new LojalError('unknown_member', { member: e.member ?? e.memberId! }));
        continue;
      }
      if (member.accountId !== account.id) {
        reject(p.index, e.id, new LojalError('member_not_in_account', { member: e.member ?? e.memberId!, account: e.account ?? e.accountId! }));
        continue;
      }
      // A person who has left (or is suspended) earns nothing more; a return of what they bought still takes back.
      if (e.type !== 'return' && isInactive(member.status)) {
        reject(p.index, e.id, new LojalError('member_not_active', { member: e.member ?? e.memberId!, status: member.status }));
        continue;
      }
    }
    const lines = (e.lines ?? []) as Array<{ sku: string; quantity: number; amount?: number }>;
    const unknownSku = e.type === 'purchase' ? lines.find((l) => !products.has(l.sku)) : undefined;
    if (unknownSku) {
      reject(p.index, e.id, new LojalError('unknown_sku', { sku: unknownSku.sku }));
      continue;
    }
    ready.push({
      index: p.index,
      id: uuidv7(),
      input: e,
      hash: p.hash,
      occurredAt: p.occurredAt,
      account,
      member,
      // A return's lines are matched to purchases later; only purchases are judged line by line.
      lines: (e.type === 'return' ? [] : lines).map((l, i) => {
        const prod: ProductRef | undefined = products.get(l.sku);
        return {
          lineNo: i + 1,
          sku: l.sku,
          category: prod?.categoryCode ?? null,
          brand: prod?.brand ?? null,
          marginClass: prod?.marginClass ?? null,
          quantity: l.quantity,
          amount: l.amount!,
        };
      }),
    });
  }
  return ready;
}

/**
 * Refreshes the planner statistics of the tables ingestion grows. A bulk load (an import) can take a program from
 * nothing to hundreds of thousands of lines in a minute, faster than autovacuum looks: the planner then still
 * believes the tables hold the few rows it last counted and reads a whole program's lines to update a few of them
 * by key, and the foreign-key checks keep plans made for empty tables. The loader calls this as the tables grow
 * (after batches 1, 2, 4, 8, …), which keeps every plan an index lookup for the cost of a few sampled reads.
 */
export async function refreshIngestStatistics(db: Db): Promise<void> {
  await sql`ANALYZE accounts, wallets, events, event_lines, account_categories, journals, lots`.execute(db);
}
