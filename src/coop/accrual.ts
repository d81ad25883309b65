/**
 * The co-op accrual job. Percent of purchases: each purchase accrues once, keyed by its event, when its
 * return window (the program's pendingDays) has passed, on its amount net of what was returned by then.
 * A return that arrives after the purchase accrued takes its share back: the accrual is corrected to what
 * the purchase is worth net of all its returns, at most down to what the fund holds (money already
 * reimbursed is not clawed back from the dealer), keyed by the event and the returned amount.
 * Fixed per quarter: every active account accrues once per calendar quarter, keyed by account and
 * quarter. Keys make re-runs, and runs in several processes at once, write nothing twice.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { getProgram } from '../programs/programs.js';
import { lockFunds, postCoopEntries, type CoopEntryInput } from './fund.js';
import { allCoopPolicies, type CoopPolicy } from './policy.js';

const CHUNK = 1000;
const DAY_MS = 86_400_000;

export interface CoopAccrualReport {
  entries: number;
  amount: number;
}

/** The calendar quarter of a moment where the program lives, e.g. 2026-Q4. */
export function quarterOf(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: 'numeric' }).formatToParts(at);
  const year = parts.find((p) => p.type === 'year')!.value;
  const month = Number(parts.find((p) => p.type === 'month')!.value);
  return `${year}-Q${Math.ceil(month / 3)}`;
}

async function accrueChunk(db: Db, programId: string, due: (trx: Db) => Promise<CoopEntryInput[]>): Promise<{ n: number; seen: number; amount: number }> {
  return db.transaction().execute(async (trx) => {
    const entries = await due(trx);
    if (entries.length === 0) return { n: 0, seen: 0, amount: 0 };
    await lockFunds(trx, programId, entries.map((e) => e.accountId));
    const written = await postCoopEntries(trx, programId, entries);
    const amount = entries.filter((e) => written.has(e.idempotencyKey)).reduce((s, e) => s + e.amount, 0);
    return { n: written.size, seen: entries.length, amount };
  });
}

/**
 * Corrections for returns that came after their purchase accrued: every accrued purchase whose share, net of
 * all its returns now, is below what it accrued. Only purchases with a returned line are visited (a partial
 * index holds them), so the hourly run does not grow with every purchase ever accrued.
 */
async function correctForLateReturns(db: Db, programId: string, policy: CoopPolicy & { kind: 'percent_of_purchases' }): Promise<CoopAccrualReport> {
  const report: CoopAccrualReport = { entries: 0, amount: 0 };
  const rows = await sql<{ event_id: string; account_id: string; due: number; accrued: number; returned: number }>`
    SELECT e.id AS event_id, e.account_id,
      floor(sum(l.amount - l.returned_amount) * ${policy.basisPoints} / 10000)::bigint AS due,
      a.accrued::bigint AS accrued, sum(l.returned_amount)::bigint AS returned
    FROM (SELECT DISTINCT event_id FROM event_lines WHERE program_id = ${programId} AND returned_amount > 0) r
    JOIN events e ON e.program_id = ${programId} AND e.id = r.event_id
    JOIN LATERAL (SELECT sum(c.amount) AS accrued FROM coop_entries c
          WHERE c.program_id = ${programId} AND c.event_id = e.id AND c.kind = 'accrual') a ON a.accrued IS NOT NULL
    JOIN event_lines l ON l.program_id = e.program_id AND l.event_id = e.id
    GROUP BY e.id, e.account_id, a.accrued
    HAVING floor(sum(l.amount - l.returned_amount) * ${policy.basisPoints} / 10000) < a.accrued`.execute(db);
  for (const r of rows.rows) {
    const written = await db.transaction().execute(async (trx) => {
      await lockFunds(trx, programId, [r.account_id]);
      const fund = await sql<{ balance: number }>`SELECT balance FROM coop_funds WHERE program_id = ${programId} AND account_id = ${r.account_id}`.execute(trx);
      const take = Math.min(Number(r.accrued) - Number(r.due), Number(fund.rows[0]?.balance ?? 0));
      if (take <= 0) return 0;
      const keys = await postCoopEntries(trx, programId, [{
        accountId: r.account_id, kind: 'accrual', amount: -take, idempotencyKey: `accrual-return:${r.event_id}:${r.returned}`,
        eventId: r.event_id, memo: `${policy.basisPoints} bp, returned ${r.returned}`, actor: 'job:coop-accrual',
      }]);
      return keys.size ? -take : 0;
    });
    if (written) {
      report.entries += 1;
      report.amount += written;
    }
  }
  return report;
}

export async function accrueProgram(db: Db, programId: string, policy: CoopPolicy, now: Date): Promise<CoopAccrualReport> {
  const program = (await getProgram(db, programId))!;
  const report: CoopAccrualReport = { entries: 0, amount: 0 };
  if (now < policy.accrueFrom) return report;
  if (policy.kind === 'percent_of_purchases') {
    const corrected = await correctForLateReturns(db, programId, policy);
    report.entries += corrected.entries;
    report.amount += corrected.amount;
  }
  for (;;) {
    const r = await accrueChunk(db, programId, async (trx) => {
      if (policy.kind === 'percent_of_purchases') {
        const cutoff = new Date(now.getTime() - program.pendingDays * DAY_MS);
        const rows = await sql<{ event_id: string; account_id: string; amount: number }>`
          SELECT e.id AS event_id, e.account_id, floor(sum(l.amount - l.returned_amount) * ${policy.basisPoints} / 10000)::bigint AS amount
          FROM events e JOIN event_lines l ON l.program_id = e.program_id AND l.event_id = e.id
          WHERE e.program_id = ${programId} AND e.type = 'purchase' AND e.occurred_at >= ${policy.accrueFrom} AND e.occurred_at <= ${cutoff}
            AND NOT EXISTS (SELECT 1 FROM coop_entries c WHERE c.program_id = e.program_id AND c.event_id = e.id AND c.kind = 'accrual')
          GROUP BY e.id, e.account_id ORDER BY e.id LIMIT ${CHUNK}`.execute(trx);
        return rows.rows.map((r) => ({ accountId: r.account_id, kind: 'accrual' as const, amount: Number(r.amount), idempotencyKey: `accrual:${r.event_id}`, eventId: r.event_id, memo: `${policy.basisPoints} bp`, actor: 'job:coop-accrual' }));
      }
      const quarter = quarterOf(now, program.timeZone);
      const rows = await sql<{ id: string }>`
        SELECT a.id FROM accounts a
        WHERE a.program_id = ${programId} AND a.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM coop_entries c WHERE c.program_id = a.program_id AND c.idempotency_key = 'quarter:' || a.id || ':' || ${quarter})
        ORDER BY a.id LIMIT ${CHUNK}`.execute(trx);
      return rows.rows.map((r) => ({ accountId: r.id, kind: 'accrual' as const, amount: policy.quarterlyAmount, idempotencyKey: `quarter:${r.id}:${quarter}`, memo: quarter, actor: 'job:coop-accrual' }));
    });
    report.entries += r.n;
    report.amount += r.amount;
    if (r.seen < CHUNK) break;
  }
  return report;
}

/** Every program with a co-op policy; idempotent. */
export async function runCoopAccruals(db: Db, now: Date): Promise<CoopAccrualReport> {
  const report: CoopAccrualReport = { entries: 0, amount: 0 };
  for (const { programId, policy } of await allCoopPolicies(db)) {
    const r = await accrueProgram(db, programId, policy, now);
    report.entries += r.entries;
    report.amount += r.amount;
  }
  return report;
}
