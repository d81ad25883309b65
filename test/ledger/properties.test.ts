/**
 * Property tests of the ledger through the API: random sequences of operations must leave the ledger's
 * invariants intact, event totals must not depend on arrival order or duplicates, and no balance may ever
 * go negative. Every run gets a program of its own, so runs cannot see each other's data.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDueLots, releaseDueLots } from '../../src/ledger/writer.js';
import { systemWalletId } from '../../src/programs/programs.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerConsistent, newWorld, ownerWallets, snapshot, type World } from '../support/ledger.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const DAY = 86_400_000;
/** LOJAL_PROPERTY_RUNS=500 searches harder (locally, when hunting a bug); the default keeps the file fast. */
const runs = (n: number) => Number(process.env.LOJAL_PROPERTY_RUNS) || n;
/**
 * Every run counts whatever the machine's speed (a time limit here skipped runs on a loaded machine and then failed
 * for "too many pre-condition failures"). Shrinking a failure creates programs by the hundred, so by default the
 * first counterexample is reported as found; LOJAL_PROPERTY_SHRINK=1 shrinks it (locally, when hunting a bug).
 */
const options = (numRuns: number) => ({ numRuns: runs(numRuns), endOnFailure: process.env.LOJAL_PROPERTY_SHRINK !== '1' });
const SKUS = ['DRILL', 'PAINT', 'PLANK'] as const;
const CATEGORY: Record<string, string> = { DRILL: 'tools', PAINT: 'paint', PLANK: 'timber' };

// ------------------------------------------------------------------------------------------------ arbitraries

const line = fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 4 }), amount: fc.integer({ min: 0, max: 80_000 }) });
const minutesAgo = fc.integer({ min: 0, max: 10 * 24 * 60 });

type Line = { sku: string; quantity: number; amount: number };
type Op =
  | { kind: 'purchase'; account: number; member: number | null; lines: Line[]; ago: number }
  | { kind: 'behaviour'; type: 'app.login' | 'feedback.given'; account: number; member: number | null; ago: number }
  | {
      kind: 'return';
      /** Which earlier purchase (modulo how many there are); null: a return without reference. */
      ref: number | null;
      full: boolean;
      lines: Array<{ sku: string; pick: number; quantity: number; amount: number | null }>;
      account: number;
      ago: number;
    }
  /** Debits ask for `share` percent of what the wallet holds (at least 1 point): above 100 they must be refused. */
  | { kind: 'spend'; wallet: number; share: number }
  | { kind: 'adjust'; wallet: number; up: boolean; points: number; share: number }
  | { kind: 'transfer'; account: number; member: number; share: number }
  | { kind: 'release' | 'expire'; days: number }
  | { kind: 'replay'; pick: number };

const nonZero = (max: number) => fc.integer({ min: -max, max }).filter((n) => n !== 0);
const share = fc.integer({ min: 1, max: 130 });

const purchaseArb = fc.record({ kind: fc.constant('purchase' as const), account: fc.nat(1), member: fc.option(fc.nat(9)), lines: fc.array(line, { minLength: 1, maxLength: 3 }), ago: minutesAgo });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: purchaseArb },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('behaviour' as const), type: fc.constantFrom('app.login' as const, 'feedback.given' as const), account: fc.nat(1), member: fc.option(fc.nat(9)), ago: minutesAgo }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('return' as const),
      ref: fc.option(fc.nat(30), { freq: 4 }),
      full: fc.boolean(),
      lines: fc.array(
        fc.record({ sku: fc.constantFrom(...SKUS), pick: fc.nat(5), quantity: fc.integer({ min: 1, max: 4 }), amount: fc.option(fc.integer({ min: 0, max: 50_000 })) }),
        { minLength: 1, maxLength: 2 },
      ),
      account: fc.nat(1),
      ago: minutesAgo,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('spend' as const), wallet: fc.nat(99), share }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('adjust' as const), wallet: fc.nat(99), up: fc.boolean(), points: fc.integer({ min: 1, max: 400 }), share }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transfer' as const), account: fc.nat(99), member: fc.nat(9), share }) },
  // The job clock only moves forward; a month's rolling expiry needs a few of these steps.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), days: fc.integer({ min: 0, max: 10 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), days: fc.integer({ min: 0, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat(30) }) },
);

const settingsArb = fc.constantFrom(
  {},
  { pendingDays: 7, expiryPolicy: { kind: 'rolling' as const, months: 1 } },
  { pendingDays: 0, expiryPolicy: { kind: 'rolling' as const, months: 1 } },
  { pendingDays: 3 },
);

// ------------------------------------------------------------------------------------------------ helpers

const walletIds = (w: World) => [...w.accounts.map((a) => a.id), ...w.members.map((m) => m.id)];
const walletPath = (w: World, id: string) => (w.accounts.some((a) => a.id === id) ? `/v1/accounts/${id}` : `/v1/members/${id}`);
/** A member of the given account, chosen by n; null when the account has none. */
const memberOf = (w: World, account: number, n: number) => {
  const ms = w.members.filter((m) => m.account === account);
  return ms.length ? ms[n % ms.length]! : null;
};
/** Mostly a wallet that holds available points (when any does), sometimes any wallet: n picks it. */
async function pickWallet(w: World, n: number, among: string[]): Promise<{ id: string; available: number }> {
  const all = (await ownerWallets(t.database.db, w.programId)).filter((x) => among.includes(x.id));
  const funded = all.filter((x) => x.available > 0);
  const from = n % 5 !== 0 && funded.length ? funded : all;
  return from[n % from.length]!;
}
const shareOf = (available: number, percent: number) => Math.max(1, Math.ceil((available * percent) / 100));
const isoAgo = (minutes: number) => new Date(t.clock().getTime() - minutes * 60_000).toISOString();

async function runJob(w: World, kind: 'release' | 'expire', now: Date) {
  await t.database.db.transaction().execute(async (trx) => {
    if (kind === 'release') await releaseDueLots(trx, w.programId, now);
    else await expireDueLots(trx, w.programId, systemWalletId(w.programId, 'expiry'), now);
  });
}

/** Open (not yet returned) quantity per SKU of a purchase, from its lines. */
async function openQuantities(w: World, externalId: string): Promise<Map<string, number>> {
  const rows = await sql<{ sku: string; open: number }>`
    SELECT l.sku, sum(l.quantity - l.returned_quantity)::bigint AS open FROM event_lines l
    JOIN events e ON e.program_id = l.program_id AND e.id = l.event_id
    WHERE l.program_id = ${w.programId} AND e.external_id = ${externalId} GROUP BY l.sku`.execute(t.database.db);
  return new Map(rows.rows.map((r) => [r.sku, Number(r.open)]));
}

interface Sent {
  method: string;
  url: string;
  body: unknown;
}

/**
 * Runs one operation and checks its answer exactly: what must succeed does (201), what must be refused is
 * refused with the right code and leaves everything as it was. Returns the request when it succeeded.
 */
async function apply(w: World, op: Op, state: { purchases: Array<{ id: string; account: number; lines: Line[]; at: string }>; done: Sent[]; clock: number; n: number }): Promise<void> {
  const db = t.database.db;
  const id = `E-${++state.n}`;
  const key = `key-${state.n}-${w.programId}`;
  let req: Sent;
  /** Set when the operation must be refused with this code. */
  let refusal: string | null = null;
  switch (op.kind) {
    case 'purchase': {
      const m = op.member === null ? null : memberOf(w, op.account, op.member);
      req = { method: 'POST', url: '/v1/events', body: { id, type: 'purchase', occurredAt: isoAgo(op.ago), account: w.accounts[op.account]!.ext, ...(m && { member: m.ext }), lines: op.lines } };
      break;
    }
    case 'behaviour': {
      const m = op.member === null ? null : memberOf(w, op.account, op.member);
      req = { method: 'POST', url: '/v1/events', body: { id, type: op.type, occurredAt: isoAgo(op.ago), account: w.accounts[op.account]!.ext, ...(m && { member: m.ext }) } };
      break;
    }
    case 'return': {
      const original = op.ref === null || state.purchases.length === 0 ? null : state.purchases[op.ref % state.purchases.length]!;
      if (!original) {
        const lines = op.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, ...(l.amount !== null && { amount: l.amount }) }));
        req = { method: 'POST', url: '/v1/events', body: { id, type: 'return', occurredAt: isoAgo(op.ago), account: w.accounts[op.account]!.ext, lines } };
      } else if (op.full) {
        req = { method: 'POST', url: '/v1/events', body: { id, type: 'return', occurredAt: isoAgo(op.ago), account: w.accounts[original.account]!.ext, originalId: original.id } };
        if (Date.parse(isoAgo(op.ago)) < Date.parse(original.at)) refusal = 'return_before_purchase';
      } else {
        const lines = op.lines.map((l) => ({ sku: original.lines[l.pick % original.lines.length]!.sku, quantity: l.quantity, ...(l.amount !== null && { amount: l.amount }) }));
        const open = await openQuantities(w, original.id);
        const asked = new Map<string, number>();
        for (const l of lines) asked.set(l.sku, (asked.get(l.sku) ?? 0) + l.quantity);
        if ([...asked].some(([sku, q]) => q > (open.get(sku) ?? 0))) refusal = 'return_exceeds_purchase';
        // Nothing comes back before it was bought: checked before the quantities.
        if (Date.parse(isoAgo(op.ago)) < Date.parse(original.at)) refusal = 'return_before_purchase';
        req = { method: 'POST', url: '/v1/events', body: { id, type: 'return', occurredAt: isoAgo(op.ago), account: w.accounts[original.account]!.ext, originalId: original.id, lines } };
      }
      break;
    }
    case 'spend': {
      const { id: wid, available } = await pickWallet(w, op.wallet, walletIds(w));
      const points = shareOf(available, op.share);
      if (available < points) refusal = 'insufficient_points';
      req = { method: 'POST', url: `${walletPath(w, wid)}/debits`, body: { points, memo: 'property test', idempotencyKey: key } };
      break;
    }
    case 'adjust': {
      const { id: wid, available } = await pickWallet(w, op.wallet, walletIds(w));
      const points = op.up ? op.points : -shareOf(available, op.share);
      if (available < -points) refusal = 'insufficient_points';
      req = { method: 'POST', url: `${walletPath(w, wid)}/adjustments`, body: { points, reasonCode: 'correction', idempotencyKey: key } };
      break;
    }
    case 'transfer': {
      const { id: fromId, available } = await pickWallet(w, op.account, w.accounts.map((a) => a.id));
      const from = w.accounts.find((a) => a.id === fromId)!;
      const m = memberOf(w, w.accounts.indexOf(from), op.member)!;
      const points = shareOf(available, op.share);
      if (available < points) refusal = 'insufficient_points';
      req = { method: 'POST', url: `/v1/accounts/${from.id}/transfers`, body: { memberId: m.id, points, idempotencyKey: key } };
      break;
    }
    case 'release':
    case 'expire': {
      state.clock = Math.max(state.clock, t.clock().getTime()) + op.days * DAY;
      await runJob(w, op.kind, new Date(state.clock));
      return;
    }
    case 'replay': {
      if (state.done.length === 0) return;
      const again = state.done[op.pick % state.done.length]!;
      const before = await snapshot(db, w.programId);
      const res = await w.call(again.method, again.url, again.body);
      expect(res.statusCode, `replay of ${again.url}: ${res.body}`).toBe(200);
      expect(await snapshot(db, w.programId), 'a replay changes nothing').toEqual(before);
      return;
    }
  }

  const before = refusal ? await snapshot(db, w.programId) : null;
  const res = await w.call(req.method, req.url, req.body);
  if (refusal) {
    expect({ status: res.statusCode, code: res.json().code }, `${op.kind} ${JSON.stringify(req.body)}: ${res.body}`).toEqual({ status: 422, code: refusal });
    expect(await snapshot(db, w.programId), 'a refused operation changes nothing').toEqual(before);
    return;
  }
  expect(res.statusCode, `${op.kind} ${JSON.stringify(req.body)}: ${res.body}`).toBe(201);
  state.done.push(req);
  if (op.kind === 'purchase') state.purchases.push({ id, account: op.account, lines: op.lines, at: (req.body as { occurredAt: string }).occurredAt });
}

// ------------------------------------------------------------------------------------------------ a. invariants

describe('ledger invariants hold after any sequence of operations', () => {
  it('cached balances = entries = lots, journals balance, nothing negative', async () => {
    // A few purchases first, so that there is something to spend, return, move and expire.
    const sequence = fc.tuple(fc.array(purchaseArb, { minLength: 1, maxLength: 4 }), fc.array(opArb, { maxLength: 21 })).map(([a, b]): Op[] => [...a, ...b]);
    await fc.assert(
      fc.asyncProperty(settingsArb, sequence, async (settings, ops) => {
        const w = await newWorld(t, settings);
        const state = { purchases: [], done: [], clock: t.clock().getTime(), n: 0 };
        for (const op of ops) await apply(w, op, state);
        await expectLedgerConsistent(t.database.db, w.programId);
        // A last job run at a far clock must keep everything consistent too (all pending released, all expired).
        await runJob(w, 'release', new Date(t.clock().getTime() + 400 * DAY));
        await runJob(w, 'expire', new Date(t.clock().getTime() + 400 * DAY));
        await expectLedgerConsistent(t.database.db, w.programId);
        const after = await ownerWallets(t.database.db, w.programId);
        expect(after.every((x) => x.pending === 0), 'nothing pending a year on').toBe(true);
        if (settings.expiryPolicy) expect(after.every((x) => x.available === 0), 'everything expired a year on').toBe(true);
      }),
      options(20),
    );
  });
});

// ------------------------------------------------------------------------------------------------ b. order and duplicates

type Ev = { id: string; type: 'purchase' | 'app.login' | 'feedback.given'; occurredAt: string; account: string; member?: string; lines?: Line[] };

/**
 * Events on four local days around a month end, starting with the spring DST change in Stockholm
 * (30 March 2025), so the daily login cap and the monthly feedback cap bind, also within one batch,
 * and local days differ from UTC days.
 */
const base = Date.parse('2025-03-29T23:00:00Z');
const eventArb = fc.record({
  type: fc.oneof(
    { weight: 2, arbitrary: fc.constant('purchase' as const) },
    { weight: 1, arbitrary: fc.constant('app.login' as const) },
    { weight: 2, arbitrary: fc.constant('feedback.given' as const) },
  ),
  account: fc.nat(1),
  member: fc.option(fc.nat(9), { freq: 4 }),
  minutes: fc.integer({ min: 0, max: 4 * 24 * 60 - 61 }),
  lines: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 3 }), amount: fc.integer({ min: 0, max: 60_000 }) }), { minLength: 1, maxLength: 3 }),
});

const TZ = 'Europe/Stockholm';
const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * What the standard rules pay in all, per wallet (by external id), worked out independently of the engine:
 * per-amount 1/10 SEK split 70/30, upsell 5 per 100 SEK of DRILL to the member, cross-sell 200 per category an
 * account buys for the first time, app login 10 once per member and local day, feedback 40 up to 100 per member
 * and local month; member caps do not apply to events without a member, whose member points go to the account.
 */
function expectedTotals(events: Ev[]): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string, p: number) => out.set(k, (out.get(k) ?? 0) + p);
  const categories = new Map<string, Set<string>>();
  const logins = new Set<string>();
  const feedback = new Map<string, number>();
  for (const e of events) {
    const day = localDate.format(new Date(e.occurredAt));
    if (e.type === 'purchase') {
      const total = e.lines!.reduce((s, l) => s + l.amount, 0);
      const perSek = Math.floor(total / 1000);
      const toAccount = e.member ? Math.floor((perSek * 70) / 100) : perSek;
      add(e.account, toAccount);
      if (e.member) add(e.member, perSek - toAccount);
      const drills = e.lines!.filter((l) => l.sku === 'DRILL').reduce((s, l) => s + l.amount, 0);
      add(e.member ?? e.account, Math.floor((drills * 5) / 10000));
      const set = categories.get(e.account) ?? new Set();
      categories.set(e.account, set);
      for (const l of e.lines!) set.add(CATEGORY[l.sku]!);
    } else if (e.type === 'app.login') {
      if (!e.member) add(e.account, 10);
      else logins.add(`${e.member}|${day}`);
    } else if (!e.member) add(e.account, 40);
    else feedback.set(`${e.member}|${day.slice(0, 7)}`, (feedback.get(`${e.member}|${day.slice(0, 7)}`) ?? 0) + 1);
  }
  for (const [account, set] of categories) add(account, 200 * set.size);
  for (const k of logins) add(k.split('|')[0]!, 10);
  for (const [k, n] of feedback) add(k.split('|')[0]!, Math.min(100, 40 * n));
  return out;
}

async function balancesByExternal(w: World): Promise<Record<string, { available: number; pending: number; lifetimeEarned: number }>> {
  const rows = await ownerWallets(t.database.db, w.programId);
  const out: Record<string, { available: number; pending: number; lifetimeEarned: number }> = {};
  for (const o of [...w.accounts, ...w.members]) {
    const r = rows.find((x) => x.id === o.id)!;
    out[o.ext] = { available: r.available, pending: r.pending, lifetimeEarned: r.lifetimeEarned };
  }
  return out;
}

describe('event totals do not depend on order or duplicates', () => {
  it('in order once = shuffled with duplicates in random batches = the rules worked out by hand', async () => {
    const scenario = fc
      .array(eventArb, { minLength: 4, maxLength: 25 })
      .map((raw): Ev[] =>
        raw.map((r, i) => {
          const member = r.member === null ? undefined : r.account === 0 ? `M-${r.member % 2}` : 'M-2';
          const occurredAt = new Date(base + r.minutes * 60_000).toISOString();
          return { id: `EV-${i}`, type: r.type, occurredAt, account: `C-${r.account}`, ...(member && { member }), ...(r.type === 'purchase' && { lines: r.lines }) };
        }),
      )
      .chain((events) =>
        fc.record({
          events: fc.constant(events),
          shuffled: fc.shuffledSubarray(events, { minLength: events.length }),
          duplicates: fc.array(fc.tuple(fc.nat(events.length - 1), fc.nat(events.length + 10)), { maxLength: 10 }),
          batchSizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
        }),
      );

    await fc.assert(
      fc.asyncProperty(scenario, async ({ events, shuffled, duplicates, batchSizes }) => {
        const p1 = await newWorld(t);
        const p2 = await newWorld(t);

        for (const e of events) {
          const res = await p1.call('POST', '/v1/events', e);
          expect(res.statusCode, res.body).toBe(201);
        }

        const sequence = [...shuffled];
        for (const [i, at] of duplicates) sequence.splice(Math.min(at, sequence.length), 0, events[i]!);
        const firstResult = new Map<string, number>();
        const processed = new Map<string, number>();
        for (let at = 0, b = 0; at < sequence.length; b++) {
          const batch = sequence.slice(at, at + batchSizes[b % batchSizes.length]!);
          at += batch.length;
          const res = await p2.call('POST', '/v1/events', { events: batch });
          expect(res.statusCode, res.body).toBe(200);
          for (const r of res.json().results as Array<{ id: string; status: string; event: { points: number } }>) {
            expect(r.status, JSON.stringify(r)).not.toBe('rejected');
            if (r.status === 'processed') processed.set(r.id, (processed.get(r.id) ?? 0) + 1);
            // A replay answers exactly what the first delivery earned.
            if (firstResult.has(r.id)) expect(r.event.points).toBe(firstResult.get(r.id));
            else firstResult.set(r.id, r.event.points);
          }
        }
        expect([...processed.values()].every((n) => n === 1) && processed.size === events.length, 'each event processed exactly once').toBe(true);

        const b1 = await balancesByExternal(p1);
        const b2 = await balancesByExternal(p2);
        expect(b2, 'shuffled with duplicates = in order once').toEqual(b1);
        const expected = expectedTotals(events);
        for (const [ext, bal] of Object.entries(b1)) {
          expect({ ext, available: bal.available, pending: bal.pending, earned: bal.lifetimeEarned }, 'the rules worked out by hand').toEqual({
            ext,
            available: expected.get(ext) ?? 0,
            pending: 0,
            earned: expected.get(ext) ?? 0,
          });
        }
        await expectLedgerConsistent(t.database.db, p1.programId);
        await expectLedgerConsistent(t.database.db, p2.programId);
      }),
      options(20),
    );
  });
});

// ------------------------------------------------------------------------------------------------ c. never negative

type SmallOp =
  | { kind: 'spend'; wallet: number; points: number }
  | { kind: 'adjust'; wallet: number; points: number }
  | { kind: 'transfer'; member: number; points: number }
  | { kind: 'purchase'; member: number | null; amount: number }
  | { kind: 'return'; pick: number };

const smallOpArb: fc.Arbitrary<SmallOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('spend' as const), wallet: fc.nat(2), points: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('adjust' as const), wallet: fc.nat(2), points: nonZero(60) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('transfer' as const), member: fc.nat(1), points: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purchase' as const), member: fc.option(fc.nat(1)), amount: fc.integer({ min: 1000, max: 30_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('return' as const), pick: fc.nat(20) }) },
);

describe('balances never go negative', () => {
  it('spends, negative adjustments and transfers against small balances: exact effect or refused with nothing changed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 3, maxLength: 3 }),
        fc.array(smallOpArb, { minLength: 1, maxLength: 25 }),
        async (withPending, start, ops) => {
          // With a return window, purchases add pending points that spending must not touch.
          const w = await newWorld(t, withPending ? { pendingDays: 7 } : {}, { accounts: 1, members: [0, 0] });
          const db = t.database.db;
          const ids = walletIds(w);
          const path = (i: number) => walletPath(w, ids[i]!);
          for (const [i, points] of start.entries()) {
            if (points > 0) expect((await w.call('POST', `${path(i)}/adjustments`, { points, reasonCode: 'opening', idempotencyKey: `open-${i}-${w.programId}` })).statusCode).toBe(201);
          }
          const purchases: string[] = [];
          let n = 0;
          for (const op of ops) {
            const key = `small-${++n}-${w.programId}`;
            const before = await snapshot(db, w.programId);
            const bal = (id: string) => before.wallets.find((x) => x.id === id)!;
            let req: [string, unknown];
            let from: string | null = null;
            let to: string | null = null;
            let points = 0;
            switch (op.kind) {
              case 'spend':
                req = [`${path(op.wallet)}/debits`, { points: op.points, memo: 'small', idempotencyKey: key }];
                from = ids[op.wallet]!;
                points = op.points;
                break;
              case 'adjust':
                req = [`${path(op.wallet)}/adjustments`, { points: op.points, reasonCode: 'correction', idempotencyKey: key }];
                if (op.points < 0) {
                  from = ids[op.wallet]!;
                  points = -op.points;
                } else {
                  to = ids[op.wallet]!;
                  points = op.points;
                }
                break;
              case 'transfer':
                req = [`${path(0)}/transfers`, { memberId: w.members[op.member]!.id, points: op.points, idempotencyKey: key }];
                from = ids[0]!;
                to = w.members[op.member]!.id;
                points = op.points;
                break;
              case 'purchase': {
                const id = `P-${n}`;
                req = ['/v1/events', { id, type: 'purchase', occurredAt: isoAgo(60), account: 'C-0', ...(op.member !== null && { member: `M-${op.member}` }), lines: [{ sku: 'PLANK', quantity: 1, amount: op.amount }] }];
                purchases.push(id);
                break;
              }
              case 'return':
                if (purchases.length === 0) continue;
                req = ['/v1/events', { id: `R-${n}`, type: 'return', occurredAt: isoAgo(30), account: 'C-0', originalId: purchases[op.pick % purchases.length] }];
                break;
            }
            const res = await w.call('POST', req[0], req[1]);
            const after = await snapshot(db, w.programId);
            for (const x of after.wallets) {
              expect(x.available, `available after ${JSON.stringify(op)}`).toBeGreaterThanOrEqual(0);
              expect(x.pending, `pending after ${JSON.stringify(op)}`).toBeGreaterThanOrEqual(0);
            }
            if (from !== null && bal(from).available < points) {
              expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 422, code: 'insufficient_points' });
              expect(after, 'a refused operation changes nothing').toEqual(before);
              continue;
            }
            expect(res.statusCode, res.body).toBe(201);
            if (from !== null || to !== null) {
              // Exactly the points asked for move, only between available balances, in one journal.
              const delta = (id: string) => (id === from ? -points : 0) + (id === to ? points : 0);
              expect(after.wallets.map((x) => [x.id, x.available, x.pending])).toEqual(before.wallets.map((x) => [x.id, x.available + delta(x.id), x.pending]));
              expect(after.journals).toBe(before.journals + 1);
            }
          }
          await expectLedgerConsistent(db, w.programId);
        },
      ),
      options(25),
    );
  });
});
