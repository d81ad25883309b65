/** Whether a member was erased: read by everything that must not touch an erased member's personal data. */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';

export type ErasureReason = 'request' | 'retention';

export interface ErasureCounts {
  claims: number;
  coopClaims: number;
  orders: number;
  evidenceFiles: number;
  mails: number;
  sessions: number;
  consentRecords: number;
  sms: number;
  inbox: number;
}

export interface Erasure {
  memberId: string;
  reason: ErasureReason;
  requestedBy: string;
  erasedAt: Date;
  counts: ErasureCounts;
}

export interface ErasureRow {
  member_id: string;
  reason: ErasureReason;
  requested_by: string;
  erased_at: Date | string;
  counts: ErasureCounts | string;
}

export const toErasure = (r: ErasureRow): Erasure => ({
  memberId: r.member_id,
  reason: r.reason,
  requestedBy: r.requested_by,
  erasedAt: new Date(r.erased_at),
  counts: typeof r.counts === 'string' ? JSON.parse(r.counts) : r.counts,
});

export async function findErasure(db: Db, programId: string, memberId: string): Promise<Erasure | undefined> {
  const rows = await sql<ErasureRow>`
    SELECT member_id, reason, requested_by, erased_at, counts FROM member_erasures
    WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(db);
  return rows.rows[0] && toErasure(rows.rows[0]);
}

/** Refuses work on an erased member's personal data (export, consent) with a stable code. */
export async function requireNotErased(db: Db, programId: string, memberId: string): Promise<void> {
  if (await findErasure(db, programId, memberId)) throw new LojalError('member_erased', { id: memberId });
}

