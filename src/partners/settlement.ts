/**
 * What a coalition partner and the program owe each other for a period: the points issued for the partner's
 * events (less what returns took back) and the points members redeemed at the partner, with their money
 * value at the program's point value.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { wallTimeToUtc } from '../ledger/expiry.js';
import type { Program } from '../programs/programs.js';
import type { Partner } from './store.js';

export interface Amount {
  points: number;
  /** Money value in minor units of the program currency (rounded half up). */
  value: number;
}

export interface Settlement {
  partner: { id: string; code: string; name: string };
  from: string;
  to: string;
  currency: string;
  pointValueMicros: number;
  events: number;
  issued: Amount;
  reversed: Amount;
  netIssued: Amount;
  redemptions: number;
  redeemed: Amount;
  /** netIssued − redeemed, in money: positive, the partner owes the program; negative, the program owes the partner. */
  balance: number;
}

/** points × micros / 1e6, rounded half up, exactly (BigInt). */
export function moneyValue(points: number, pointValueMicros: number): number {
  const micros = BigInt(points) * BigInt(pointValueMicros);
  const sign = micros < 0n ? -1n : 1n;
  const abs = micros * sign;
  return Number(sign * ((abs + 500_000n) / 1_000_000n));
}

const amount = (points: number, micros: number): Amount => ({ points, value: moneyValue(points, micros) });

/** The period [from, to] as whole program-local days: from its first midnight to the midnight after `to`. */
export function periodBounds(from: string, to: string, timeZone: string): { start: Date; end: Date } {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(ty, tm - 1, td + 1));
  return {
    start: wallTimeToUtc(fy, fm, fd, 0, 0, 0, timeZone),
    end: wallTimeToUtc(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, 0, 0, timeZone),
  };
}

export async function partnerSettlement(db: Db, program: Program, partner: Partner, from: string, to: string): Promise<Settlement> {
  const { start, end } = periodBounds(from, to, program.timeZone);
  const pid = program.id;
  // Earned: the credits of the partner's events that occurred in the period.
  const issued = await sql<{ events: number; points: number }>`
    SELECT count(DISTINCT e.id)::int AS events, coalesce(sum(x.amount), 0)::bigint AS points
    FROM events e
    JOIN journals j ON j.program_id = e.program_id AND j.event_id = e.id AND j.kind = 'earn'
    JOIN entries x ON x.program_id = j.program_id AND x.journal_id = j.id AND x.lot_id IS NOT NULL
    WHERE e.program_id = ${pid} AND e.partner_id = ${partner.id} AND e.occurred_at >= ${start} AND e.occurred_at < ${end}`.execute(db);
  // Taken back: reversals in the period of lots that the partner's events earned, whoever sent the return.
  const reversed = await sql<{ points: number }>`
    SELECT coalesce(-sum(y.amount), 0)::bigint AS points
    FROM journals r
    JOIN entries y ON y.program_id = r.program_id AND y.journal_id = r.id AND y.lot_id IS NOT NULL
    JOIN lots l ON l.program_id = r.program_id AND l.id = r.reverses_id
    JOIN journals j ON j.program_id = l.program_id AND j.id = l.journal_id
    JOIN events e ON e.program_id = j.program_id AND e.id = j.event_id
    WHERE r.program_id = ${pid} AND r.kind = 'reverse' AND e.partner_id = ${partner.id}
      AND r.occurred_at >= ${start} AND r.occurred_at < ${end}`.execute(db);
  // Redeemed: spends honoured at the partner; the redemption wallet's side of each journal is what was taken.
  const redeemed = await sql<{ count: number; points: number }>`
    SELECT count(DISTINCT j.id)::int AS count, coalesce(sum(x.amount), 0)::bigint AS points
    FROM journals j
    JOIN entries x ON x.program_id = j.program_id AND x.journal_id = j.id AND x.lot_id IS NULL
    WHERE j.program_id = ${pid} AND j.partner_id = ${partner.id} AND j.kind = 'spend'
      AND j.occurred_at >= ${start} AND j.occurred_at < ${end}`.execute(db);
  const micros = program.pointValueMicros;
  const issuedPoints = Number(issued.rows[0]!.points);
  const reversedPoints = Number(reversed.rows[0]!.points);
  const redeemedPoints = Number(redeemed.rows[0]!.points);
  const netIssued = amount(issuedPoints - reversedPoints, micros);
  const redeemedAmount = amount(redeemedPoints, micros);
  return {
    partner: { id: partner.id, code: partner.code, name: partner.name },
    from,
    to,
    currency: program.currency,
    pointValueMicros: micros,
    events: issued.rows[0]!.events,
    issued: amount(issuedPoints, micros),
    reversed: amount(reversedPoints, micros),
    netIssued,
    redemptions: redeemed.rows[0]!.count,
    redeemed: redeemedAmount,
    balance: netIssued.value - redeemedAmount.value,
  };
}
