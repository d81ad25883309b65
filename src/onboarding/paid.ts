/**
 * What onboarding paid because of given events: an event that completes a checklist step pays the step's points in a
 * journal of its own (not the event's, so a return never takes them back), found here through the completion.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Explanation } from '../rules/types.js';

export interface OnboardingPaid {
  journalId: string;
  step: string;
  memberId: string;
  points: number;
  explanation: Explanation;
}

export async function onboardingPaidBy(db: Db, programId: string, eventIds: string[]): Promise<Map<string, OnboardingPaid[]>> {
  const paid = new Map<string, OnboardingPaid[]>();
  if (eventIds.length === 0) return paid;
  const rows = await sql<{ event_id: string; journal_id: string; step_code: string; member_id: string; points: number; explanation: Explanation }>`
    SELECT c.event_id, j.id AS journal_id, c.step_code, c.member_id, sum(x.amount)::bigint AS points, j.explanation
    FROM onboarding_completions c
    JOIN journals j ON j.program_id = c.program_id AND j.idempotency_key = 'onboarding:' || c.member_id || ':' || c.step_code
    JOIN entries x ON x.program_id = j.program_id AND x.journal_id = j.id AND x.wallet_id = c.member_id
    WHERE c.program_id = ${programId} AND c.event_id = ANY(${eventIds}::uuid[])
    GROUP BY c.event_id, j.id, c.step_code, c.member_id, j.explanation
    ORDER BY j.id`.execute(db);
  for (const r of rows.rows) {
    const list = paid.get(r.event_id) ?? [];
    list.push({ journalId: r.journal_id, step: r.step_code, memberId: r.member_id, points: Number(r.points), explanation: r.explanation });
    paid.set(r.event_id, list);
  }
  return paid;
}
