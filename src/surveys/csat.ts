/**
 * CSAT scores reported by other modules (the service desk on closing a request): counted with the surveys'
 * CSAT answers in the program's figures. Idempotent by (source, sourceRef): reporting the same close twice
 * keeps one score.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { loadAccounts } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';

export interface CsatInput {
  /** Who reports, e.g. `service_desk`. */
  source: string;
  /** The reporter's own id for what was rated (the request's id): the idempotency key. */
  sourceRef: string;
  score: number;
  accountId?: string | null;
  occurredAt: Date;
}

/**
 * Records one CSAT score (1–5) in the caller's transaction or on its own. Answers `created: false` for a
 * replay. The account's tier and segment are kept with it for the breakdowns.
 */
export async function recordCsat(db: Db, programId: string, input: CsatInput): Promise<{ created: boolean }> {
  if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) {
    throw new LojalError('answer_out_of_range', { question: 'csat', min: 1, max: 5 });
  }
  let tier: string | null = null;
  let segment: string | null = null;
  if (input.accountId) {
    const account = (await loadAccounts(db, programId, [], [input.accountId])).byId.get(input.accountId);
    if (!account) throw new LojalError('unknown_account', { account: input.accountId });
    tier = account.tier;
    segment = account.segment;
  }
  const r = await sql`INSERT INTO csat_scores (program_id, id, source, source_ref, account_id, score, tier, segment, occurred_at)
    VALUES (${programId}, ${uuidv7()}, ${input.source}, ${input.sourceRef}, ${input.accountId ?? null}, ${input.score}, ${tier}, ${segment}, ${input.occurredAt})
    ON CONFLICT (program_id, source, source_ref) DO NOTHING RETURNING 1`.execute(db);
  return { created: r.rows.length > 0 };
}

export interface ProgramScoreRow {
  day: string;
  nps: number | null;
  csat: number | null;
  tier: string | null;
  role: string | null;
  segment: string | null;
  source: string;
}

/** Every NPS and CSAT score of the program in a date range: survey answers and reported CSAT scores. */
export async function programScores(db: Db, programId: string, from: string, to: string): Promise<ProgramScoreRow[]> {
  const r = await sql<ProgramScoreRow>`
    SELECT to_char(answered_on, 'YYYY-MM-DD') AS day, nps, csat, tier, role, segment, 'survey' AS source
      FROM survey_answers WHERE program_id = ${programId} AND answered_on BETWEEN ${from}::date AND ${to}::date AND (nps IS NOT NULL OR csat IS NOT NULL)
    UNION ALL
    SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), NULL, score, tier, NULL, segment, source
      FROM csat_scores WHERE program_id = ${programId} AND occurred_at >= ${from}::date AND occurred_at < (${to}::date + 1)`.execute(db);
  return r.rows;
}
