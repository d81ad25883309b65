/**
 * The nightly relevance run of every program: scores first (the middle band and score filters read them), then
 * every dynamic segment. Once per program and program-local date: the run row is the claim, so several server
 * processes never both run it; a run that died (started over an hour ago, never finished) is taken over.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isoDate, localDate } from '../rules/calendar.js';
import { computeScores, ensureMiddleBand } from './scores.js';
import { refreshAll } from './store.js';

const staleAfterMs = 3_600_000;

export interface RelevanceRun {
  programId: string;
  runDate: string;
  accounts: number;
  segments: number;
}

/** Runs what is due; `force` runs a program again today (the console's "recompute now"). */
export async function runRelevanceJobs(db: Db, now: Date, only?: { programId: string; force?: boolean }): Promise<RelevanceRun[]> {
  const { rows: programs } = await sql<{ id: string; time_zone: string }>`
    SELECT id, time_zone FROM programs ${only ? sql`WHERE id = ${only.programId}` : sql``} ORDER BY id`.execute(db);
  const out: RelevanceRun[] = [];
  for (const p of programs) {
    const runDate = isoDate(localDate(now, p.time_zone));
    const claimed = await sql<{ program_id: string }>`
      INSERT INTO relevance_runs (program_id, run_date, started_at) VALUES (${p.id}, ${runDate}::date, ${now})
      ON CONFLICT (program_id, run_date) DO UPDATE SET started_at = excluded.started_at, finished_at = NULL
        WHERE ${only?.force === true} OR (relevance_runs.finished_at IS NULL AND relevance_runs.started_at < ${new Date(now.getTime() - staleAfterMs)})
      RETURNING program_id`.execute(db);
    if (claimed.rows.length === 0) continue;
    const accounts = await computeScores(db, p.id, p.time_zone, now);
    if (accounts > 0) await ensureMiddleBand(db, p.id, now);
    const refreshed = await refreshAll(db, p.id, 'schedule', now);
    await sql`UPDATE relevance_runs SET finished_at = ${now}, accounts = ${accounts}, segments = ${refreshed.length}
      WHERE program_id = ${p.id} AND run_date = ${runDate}::date`.execute(db);
    out.push({ programId: p.id, runDate, accounts, segments: refreshed.length });
  }
  return out;
}
