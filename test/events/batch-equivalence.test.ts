/**
 * A batch books exactly what the same events booked one by one: the same answers (postings with their
 * explanations, reversals, unmatched quantities, errors), balances, ledger entries and lots. The events mix
 * purchases with and without members, capped behaviour events and every kind of return (named, named with
 * lines, by SKU, partial, beyond the purchase, of an unknown purchase), in time order, so that a return only
 * ever names a purchase sent before it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemWalletId } from '../../src/programs/programs.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerConsistent, newWorld, ownerWallets, type World } from '../support/ledger.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

/**
 * Deterministic and varied: the same list for both programs. `copies` sends the same story for more companies
 * (copy c: accounts C-2c and C-2c+1, members M-3c…M-3c+2, ids prefixed `c-` after the first), interleaved in time,
 * so that a batch is large enough to be written in lanes.
 */
function events(copies = 1): Array<Record<string, unknown>> {
  const all: Array<{ e: Record<string, unknown>; at: number; order: number }> = [];
  for (let c = 0; c < copies; c++) {
    const id = (name: string) => (c === 0 ? name : `${c}-${name}`);
    const acc = (n: number) => `C-${2 * c + n}`;
    const mem = (n: number) => `M-${3 * c + n}`;
    const at = (minutes: number) => new Date(Date.parse('2026-11-02T08:00:00Z') + minutes * 60_000 + c * 1000).toISOString();
    const out: Array<Record<string, unknown>> = [];
    const skus = ['DRILL', 'PAINT', 'PLANK'];
    let minute = 0;
    for (let i = 0; i < 40; i++) {
      const account = acc(i % 2);
      const member = i % 3 === 0 ? undefined : i % 2 === 0 ? mem(i % 4 === 0 ? 0 : 1) : mem(2);
      out.push({
        id: id(`P-${i}`),
        type: 'purchase',
        occurredAt: at((minute += 7)),
        account,
        ...(member && { member }),
        lines: [0, 1, 2].slice(0, 1 + (i % 3)).map((k) => ({ sku: skus[(i + k) % 3], quantity: 1 + ((i + k) % 4), amount: 1000 + ((i * 7919 + k * 104729) % 60000) })),
      });
      if (i % 4 === 1) out.push({ id: id(`L-${i}`), type: 'app.login', occurredAt: at((minute += 1)), account, member: member ?? (i % 2 === 0 ? mem(0) : mem(2)) });
      if (i % 3 === 2) out.push({ id: id(`F-${i}`), type: 'feedback.given', occurredAt: at((minute += 1)), account, ...(member && { member }) });
      // Returns of earlier purchases, of every kind.
      if (i % 5 === 4) out.push({ id: id(`R-full-${i}`), type: 'return', occurredAt: at((minute += 2)), account: acc((i - 2) % 2), originalId: id(`P-${i - 2}`) });
      if (i % 6 === 5) {
        const original = out.find((e) => e.id === id(`P-${i - 1}`)) as { account: string; lines: Array<{ sku: string; quantity: number }> };
        const line = original.lines[0]!;
        out.push({ id: id(`R-line-${i}`), type: 'return', occurredAt: at((minute += 2)), account: original.account, originalId: id(`P-${i - 1}`), lines: [{ sku: line.sku, quantity: 1 }] });
      }
      if (i % 7 === 6) out.push({ id: id(`R-sku-${i}`), type: 'return', occurredAt: at((minute += 2)), account, lines: [{ sku: 'DRILL', quantity: 3 }, { sku: 'PAINT', quantity: 1, amount: 500 }, { sku: 'DRILL', quantity: 1 }] });
    }
    out.push({ id: id('R-too-many'), type: 'return', occurredAt: at((minute += 2)), account: acc(0), originalId: id('P-0'), lines: [{ sku: 'DRILL', quantity: 99 }] });
    out.push({ id: id('R-unknown'), type: 'return', occurredAt: at((minute += 2)), account: acc(0), originalId: 'NOPE' });
    out.push({ id: id('R-foreign'), type: 'return', occurredAt: at((minute += 2)), account: acc(1), originalId: id('P-0') });
    out.push({ id: id('R-late-sku'), type: 'return', occurredAt: at((minute += 2)), account: acc(1), lines: [{ sku: 'PLANK', quantity: 50 }] });
    out.forEach((e, order) => all.push({ e, at: Date.parse(e.occurredAt as string), order }));
  }
  return all.sort((a, b) => a.at - b.at || a.order - b.order).map((x) => x.e);
}

/** The program's ledger with its own ids replaced by names both programs share. */
async function ledgerOf(w: World) {
  const names = new Map<string, string>([...w.accounts, ...w.members].map((o) => [o.id, o.ext]));
  for (const kind of ['issuance', 'redemption', 'expiry', 'adjustment'] as const) names.set(systemWalletId(w.programId, kind), kind);
  const entries = await sql<{ kind: string; event: string | null; seq: number; wallet_id: string; bucket: string; amount: number; rule: string | null; explanation: unknown; basis_lines: number[] | null; journal_explanation: unknown }>`
    SELECT j.kind, e.external_id AS event, x.seq, x.wallet_id, x.bucket, x.amount, r.name AS rule, x.explanation, x.basis_lines, j.explanation AS journal_explanation
    FROM entries x JOIN journals j ON j.program_id = x.program_id AND j.id = x.journal_id
    LEFT JOIN events e ON e.program_id = j.program_id AND e.id = j.event_id
    LEFT JOIN rules r ON r.program_id = x.program_id AND r.id = x.rule_id AND r.version = x.rule_version
    WHERE x.program_id = ${w.programId}`.execute(t.database.db);
  const lots = await sql<{ wallet_id: string; event: string | null; status: string; earned_at: Date; available_at: Date; expires_at: Date | null; original: number; remaining: number }>`
    SELECT l.wallet_id, e.external_id AS event, l.status, l.earned_at, l.available_at, l.expires_at, l.original, l.remaining
    FROM lots l JOIN journals j ON j.program_id = l.program_id AND j.id = l.journal_id LEFT JOIN events e ON e.program_id = j.program_id AND e.id = j.event_id
    WHERE l.program_id = ${w.programId}`.execute(t.database.db);
  const lines = await sql<{ event: string; line_no: number; sku: string; quantity: number; amount: number; returned_quantity: number; returned_amount: number }>`
    SELECT e.external_id AS event, l.line_no, l.sku, l.quantity, l.amount, l.returned_quantity, l.returned_amount
    FROM event_lines l JOIN events e ON e.program_id = l.program_id AND e.id = l.event_id WHERE l.program_id = ${w.programId}`.execute(t.database.db);
  const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    entries: sorted(entries.rows.map((r) => ({ ...r, wallet_id: names.get(r.wallet_id), amount: Number(r.amount) }))),
    lots: sorted(lots.rows.map((r) => ({ ...r, wallet_id: names.get(r.wallet_id), original: Number(r.original), remaining: Number(r.remaining) }))),
    lines: sorted(lines.rows.map((r) => ({ ...r, amount: Number(r.amount), returned_amount: Number(r.returned_amount) }))),
    wallets: (await ownerWallets(t.database.db, w.programId)).map((x) => ({ ...x, id: names.get(x.id) })).sort((a, b) => a.id!.localeCompare(b.id!)),
  };
}

/** An event's answer without the ids that differ between programs. */
function comparable(body: Record<string, unknown>, w: World) {
  const names = new Map<string, string>([...w.accounts, ...w.members].map((o) => [o.id, o.ext]));
  return JSON.parse(
    JSON.stringify(body, (key, value) => {
      if (['id', 'journalId', 'ruleId', 'accountId', 'memberId', 'trace'].includes(key)) return undefined;
      if (key === 'walletId') return names.get(value as string);
      return value;
    }),
  );
}

const pendingAndExpiry = { pendingDays: 14, expiryPolicy: { kind: 'rolling' as const, months: 12 } };

describe('a batch books what the same events booked one by one', () => {
  for (const { settings, copies } of [
    { settings: {}, copies: 1 },
    { settings: pendingAndExpiry, copies: 1 },
    // 258 events for six companies: on a database server the batch is written in two lanes (src/events/ingest.ts).
    { settings: pendingAndExpiry, copies: 3 },
  ]) {
    it(`same answers, balances, entries, lots and lines (${JSON.stringify(settings)}, ${copies} cop${copies > 1 ? 'ies' : 'y'})`, async () => {
      const list = events(copies);
      const shape = { accounts: 2 * copies, members: Array.from({ length: copies }, (_, c) => [2 * c, 2 * c, 2 * c + 1]).flat() };
      const one = await newWorld(t, settings, shape);
      const batch = await newWorld(t, settings, shape);
      const single: Record<string, unknown>[] = [];
      for (const e of list) {
        const res = await one.call('POST', '/v1/events', e);
        expect(res.statusCode, res.body).toBeLessThan(500);
        single.push(res.json());
      }
      const res = await batch.call('POST', '/v1/events', { events: list });
      expect(res.statusCode, res.body).toBe(200);
      const results = res.json().results as Array<{ id: string; status: string; event?: Record<string, unknown>; error?: { code: string } }>;
      expect(results.map((r) => r.status)).toEqual(single.map((s) => (s.code ? 'rejected' : s.status)));
      const refused = results.filter((r) => r.status === 'rejected').map((r) => [r.id, r.error?.code]);
      const codeOf = { 'too-many': 'return_exceeds_purchase', unknown: 'unknown_original_event', foreign: 'unknown_original_event' } as Record<string, string>;
      const expected = list.flatMap((e) => {
        const m = /R-(too-many|unknown|foreign)$/.exec(e.id as string);
        return m ? [[e.id, codeOf[m[1]!]]] : [];
      });
      expect(expected).toHaveLength(3 * copies);
      expect(refused).toEqual(expected);
      expect(single.filter((s) => s.code).map((s) => s.code)).toEqual(expected.map(([, code]) => code));
      // How many transactions wrote the batch's events: two lanes for the large batch on a server, else one.
      const writers = await sql<{ n: number }>`SELECT count(DISTINCT xmin::text)::int AS n FROM events WHERE program_id = ${batch.programId}`.execute(t.database.db);
      expect(writers.rows[0]!.n).toBe(copies > 1 && t.database.kind === 'postgres' ? 2 : 1);
      // The answers, event by event (GET gives each program's stored answer in the same form).
      for (const e of list) {
        const a = await one.call('GET', `/v1/events/${e.id as string}`);
        const b = await batch.call('GET', `/v1/events/${e.id as string}`);
        expect(b.statusCode).toBe(a.statusCode);
        if (a.statusCode === 200) expect(comparable(b.json(), batch), String(e.id)).toEqual(comparable(a.json(), one));
      }
      const reversed = results.filter((r) => r.status === 'processed' && String(r.id).startsWith('R-')).length;
      expect(reversed).toBeGreaterThan(5);
      expect(await ledgerOf(batch)).toEqual(await ledgerOf(one));
      await expectLedgerConsistent(t.database.db, one.programId);
      await expectLedgerConsistent(t.database.db, batch.programId);
    });
  }
});
