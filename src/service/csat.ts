/**
 * The satisfaction answers given on closed requests, for whoever reports on them (the survey work folds
 * them into the program's CSAT figures). Read-only: the answers are written by src/service/requests.ts.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface ServiceCsatAnswer {
  requestId: string;
  requestNumber: number;
  memberId: string;
  accountId: string;
  /** The request type's code, e.g. `complaint`. */
  type: string;
  /** 1 (very dissatisfied) … 5 (very satisfied). */
  score: number;
  comment: string | null;
  answeredAt: Date;
}

/** Every CSAT answer given in [from, to), oldest first. */
export async function serviceCsatAnswers(db: Db, programId: string, from: Date, to: Date): Promise<ServiceCsatAnswer[]> {
  const r = await sql<{ request_id: string; number: string; member_id: string; account_id: string; code: string; score: number; comment: string | null; created_at: Date | string }>`
    SELECT c.request_id, r.number, c.member_id, r.account_id, t.code, c.score, c.comment, c.created_at FROM service_csat c
    JOIN service_requests r ON r.program_id = c.program_id AND r.id = c.request_id
    JOIN service_types t ON t.program_id = c.program_id AND t.id = c.type_id
    WHERE c.program_id = ${programId} AND c.created_at >= ${from} AND c.created_at < ${to}
    ORDER BY c.created_at, c.request_id`.execute(db);
  return r.rows.map((x) => ({
    requestId: x.request_id,
    requestNumber: Number(x.number),
    memberId: x.member_id,
    accountId: x.account_id,
    type: x.code,
    score: x.score,
    comment: x.comment,
    answeredAt: new Date(x.created_at),
  }));
}
