import { sql } from 'kysely';
import { genericPlan, type Db } from '../db/database.js';
import type { JournalKind } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import type { Explanation } from '../rules/types.js';
import { describeEarning, renderExplanation } from './explain.js';

export interface Balance {
  walletId: string;
  available: number;
  pending: number;
  /** When pending points become available, soonest first. */
  pendingReleases: Array<{ date: string; points: number }>;
  /** Points that expire within `expiringWithinDays`, per day (program time zone). */
  expiring: Array<{ date: string; points: number }>;
  expiringTotal: number;
  lifetimeEarned: number;
  lifetimeSpent: number;
  lifetimeExpired: number;
}

/**
 * One statement, read in O(1) of the history: the wallet row (balance buckets and the lifetime figures the
 * writer keeps on it) and the wallet's live lots that are pending or expire within the horizon, through the
 * partial index of lots with points left. With `owner`, a wallet of another kind is a 404 for that entity.
 */
export async function getBalance(
  db: Db,
  programId: string,
  walletId: string,
  opts: { now: Date; timeZone: string; expiringWithinDays?: number; owner?: { kind: 'account' | 'member'; entity: string } },
): Promise<Balance> {
  // Generic plan: planning it again on every read cost PostgreSQL more than reading it.
  const row = await genericPlan(balanceQuery(programId, walletId, opts)).execute(db);
  const w = row.rows[0];
  if (opts.owner && w?.kind !== opts.owner.kind) throw new LojalError('not_found', { entity: opts.owner.entity, id: walletId });
  if (!w) throw new LojalError('not_found', { entity: 'wallet', id: walletId });
  const onDate = (rows: OnDate | null) => (rows ?? []).map((r) => ({ date: r.date, points: Number(r.points) }));
  const all = onDate(w.expiring);
  // Expired, not yet taken by the job (which runs hourly): shown as what it is, not as spendable points.
  const overdue = all.filter((r) => r.date === null).reduce((s, r) => s + r.points, 0);
  const exp = all.filter((r) => r.date !== null);
  return {
    walletId,
    available: Number(w.available) - overdue,
    pending: Number(w.pending),
    pendingReleases: onDate(w.releases),
    expiring: exp,
    expiringTotal: exp.reduce((s, r) => s + r.points, 0),
    lifetimeEarned: Number(w.lifetime_earned),
    lifetimeSpent: Number(w.lifetime_spent),
    lifetimeExpired: Number(w.lifetime_expired) + overdue,
  };
}

type OnDate = Array<{ date: string; points: number }>;

/** The balance statement, apart so that a bench can EXPLAIN it (it must stay index lookups). */
export function balanceQuery(programId: string, walletId: string, opts: { now: Date; timeZone: string; expiringWithinDays?: number }) {
  const horizon = new Date(opts.now.getTime() + (opts.expiringWithinDays ?? 90) * 86_400_000);
  return sql<{
    kind: string;
    available: number;
    pending: number;
    lifetime_earned: number;
    lifetime_spent: number;
    lifetime_expired: number;
    expiring: OnDate | null;
    releases: OnDate | null;
  }>`
    SELECT w.kind, w.available, w.pending, w.lifetime_earned, w.lifetime_spent, w.lifetime_expired,
      -- Lots whose expiry has passed and that the expiry job has not taken yet have no day (date null): they are
      -- expired already, and neither spendable (the debit leaves them) nor counted as available below.
      (SELECT json_agg(json_build_object('date', to_char(x.day, 'YYYY-MM-DD'), 'points', x.points) ORDER BY x.day) FROM (
         SELECT CASE WHEN expires_at <= ${opts.now} AND status = 'available' THEN NULL ELSE (expires_at AT TIME ZONE ${opts.timeZone})::date END AS day,
                sum(remaining)::bigint AS points
         FROM lots WHERE program_id = w.program_id AND wallet_id = w.id AND remaining > 0
           AND expires_at IS NOT NULL AND expires_at <= ${horizon}
         GROUP BY 1) x) AS expiring,
      -- The kept pending figure says whether there is anything to release: most wallets have nothing pending.
      CASE WHEN w.pending > 0 THEN (SELECT json_agg(json_build_object('date', to_char(x.day, 'YYYY-MM-DD'), 'points', x.points) ORDER BY x.day) FROM (
         SELECT (available_at AT TIME ZONE ${opts.timeZone})::date AS day, sum(remaining)::bigint AS points
         FROM lots WHERE program_id = w.program_id AND wallet_id = w.id AND remaining > 0 AND status = 'pending'
         GROUP BY 1) x) END AS releases
    FROM wallets w WHERE w.program_id = ${programId} AND w.id = ${walletId}`;
}

/** Sums of a wallet's entries per bucket: what the cached balance must equal. */
export async function sumOfEntries(db: Db, programId: string, walletId: string): Promise<{ available: number; pending: number }> {
  const rows = await sql<{ bucket: string; total: number }>`
    SELECT bucket, coalesce(sum(amount), 0)::bigint AS total FROM entries
    WHERE program_id = ${programId} AND wallet_id = ${walletId} GROUP BY bucket`.execute(db);
  const by = Object.fromEntries(rows.rows.map((r) => [r.bucket, Number(r.total)]));
  return { available: by.available ?? 0, pending: by.pending ?? 0 };
}

export interface HistoryItem {
  journalId: string;
  kind: JournalKind;
  /** Net change of this wallet (available + pending). */
  points: number;
  /** Of which still pending now (not yet spendable); 0 once the points were released. */
  pendingPoints: number;
  occurredAt: Date;
  recordedAt: Date;
  description: string;
  explanation: Explanation;
  /** For an event's earnings: each rule's posting to this wallet, explained. */
  details: Array<{ points: number; ruleId: string | null; description: string }>;
  eventId: string | null;
  eventExternalId: string | null;
  ruleId: string | null;
  ruleVersion: number | null;
  reasonCode: string | null;
  memo: string | null;
}

/** The wallet's journals, newest first; the cursor is the last journal id seen (ids are time-ordered). */
export async function getHistory(
  db: Db,
  programId: string,
  walletId: string,
  opts: { limit: number; before?: string | undefined; language: Language; currency: string },
): Promise<{ items: HistoryItem[]; nextBefore: string | null }> {
  const rows = await sql<{
    id: string;
    kind: string;
    points: number;
    pending_points: number;
    occurred_at: Date;
    created_at: Date;
    explanation: Explanation;
    event_id: string | null;
    external_id: string | null;
    event_type: string | null;
    rule_id: string | null;
    rule_version: number | null;
    reason_code: string | null;
    memo: string | null;
    details: Array<{ points: number; rule_id: string | null; explanation: Explanation }> | null;
  }>`
    SELECT j.id, j.kind, s.points, s.pending_points, j.occurred_at, j.created_at, j.explanation, j.event_id,
           ev.external_id, ev.type AS event_type, j.rule_id, j.rule_version, j.reason_code, j.memo, s.details
    FROM (
      -- Pending as it stands now: points booked as pending whose lot has since been released are spendable, and
      -- a release's own move out of pending is no longer points waiting.
      SELECT e.journal_id, sum(e.amount)::bigint AS points,
             coalesce(sum(e.amount) FILTER (WHERE e.bucket = 'pending' AND l.status = 'pending'), 0)::bigint AS pending_points,
             json_agg(json_build_object('points', e.amount, 'rule_id', e.rule_id, 'explanation', e.explanation) ORDER BY e.seq)
               FILTER (WHERE e.explanation IS NOT NULL) AS details
      FROM entries e
      LEFT JOIN lots l ON l.program_id = e.program_id AND l.id = e.lot_id
      WHERE e.program_id = ${programId} AND e.wallet_id = ${walletId}
        ${opts.before ? sql`AND e.journal_id < ${opts.before}::uuid` : sql``}
      GROUP BY e.journal_id
      ORDER BY e.journal_id DESC
      LIMIT ${opts.limit + 1}
    ) s
    JOIN journals j ON j.program_id = ${programId} AND j.id = s.journal_id
    LEFT JOIN events ev ON ev.program_id = ${programId} AND ev.id = j.event_id
    ORDER BY j.id DESC`.execute(db);
  const page = rows.rows.slice(0, opts.limit);
  return {
    items: page.map((r) => ({
      journalId: r.id,
      kind: r.kind as JournalKind,
      points: Number(r.points),
      pendingPoints: Number(r.pending_points),
      occurredAt: r.occurred_at,
      recordedAt: r.created_at,
      description:
        r.kind === 'earn' && r.explanation.key === 'ledger:explain.earn' && r.external_id && r.event_type
          ? describeEarning(r.event_type, r.external_id, (r.details ?? []).map((d) => String(d.explanation.params?.rule ?? '')), opts.language)
          : renderExplanation(r.explanation, opts.language, opts.currency),
      explanation: r.explanation,
      details: (r.details ?? []).map((d) => ({
        points: Number(d.points),
        ruleId: d.rule_id,
        description: renderExplanation(d.explanation, opts.language, opts.currency),
      })),
      eventId: r.event_id,
      eventExternalId: r.external_id,
      ruleId: r.rule_id,
      ruleVersion: r.rule_version,
      reasonCode: r.reason_code,
      memo: r.memo,
    })),
    nextBefore: rows.rows.length > opts.limit ? page[page.length - 1]!.id : null,
  };
}

export interface ProgramLedgerSummary {
  issued: number;
  reversed: number;
  spent: number;
  /** Points taken by reward orders, net of cancelled and rejected ones. */
  redeemed: number;
  expired: number;
  adjusted: number;
  outstandingAvailable: number;
  outstandingPending: number;
  /** Outstanding points × point value, in the currency's minor units. */
  liabilityMinor: number;
}

/** The points owed now (every account and member wallet's available and pending) and what they are worth. */
export async function getOutstanding(
  db: Db,
  programId: string,
  pointValueMicros: number,
): Promise<Pick<ProgramLedgerSummary, 'outstandingAvailable' | 'outstandingPending' | 'liabilityMinor'>> {
  const out = await sql<{ available: number; pending: number }>`
    SELECT coalesce(sum(available), 0)::bigint AS available, coalesce(sum(pending), 0)::bigint AS pending
    FROM wallets WHERE program_id = ${programId} AND kind IN ('account', 'member')`.execute(db);
  const available = Number(out.rows[0]?.available ?? 0);
  const pending = Number(out.rows[0]?.pending ?? 0);
  return { outstandingAvailable: available, outstandingPending: pending, liabilityMinor: Math.round(((available + pending) * pointValueMicros) / 1_000_000) };
}

export async function getProgramSummary(db: Db, programId: string, pointValueMicros: number): Promise<ProgramLedgerSummary> {
  const kinds = await sql<{ kind: string; total: number }>`
    SELECT j.kind, coalesce(sum(e.amount), 0)::bigint AS total
    FROM entries e JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
    JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
    WHERE e.program_id = ${programId} AND w.kind IN ('account', 'member') AND j.kind <> 'transfer' AND j.kind <> 'release'
    GROUP BY j.kind`.execute(db);
  const by = Object.fromEntries(kinds.rows.map((r) => [r.kind, Number(r.total)]));
  const { outstandingAvailable: available, outstandingPending: pending } = await getOutstanding(db, programId, pointValueMicros);
  return {
    issued: by.earn ?? 0,
    reversed: -(by.reverse ?? 0),
    spent: -(by.spend ?? 0),
    redeemed: -((by.redeem ?? 0) + (by.refund ?? 0)),
    expired: -(by.expire ?? 0),
    adjusted: by.adjust ?? 0,
    outstandingAvailable: available,
    outstandingPending: pending,
    liabilityMinor: Math.round(((available + pending) * pointValueMicros) / 1_000_000),
  };
}
