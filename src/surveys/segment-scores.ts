/**
 * Survey scores for segment filters: the mean NPS (0–10) and CSAT (1–5) of an account or a member over a
 * window, as SQL expressions the segments module embeds in its filter (the database evaluates them per subject;
 * nothing is loaded into Node). The surveys module owns these tables, so only it knows how to read them:
 * answers of surveys that are not anonymous, and for CSAT also the scores other modules reported for an account.
 */
import { sql, type RawBuilder } from 'kysely';

export interface ScoreSubject {
  programId: string;
  /** The subject row's id column (`s.id`) and, for members, its account (`s.account_id`). */
  kind: 'account' | 'member';
  id: RawBuilder<unknown>;
}

/** Mean NPS answer (0–10) since `since` up to `until`; NULL without an answer. */
export function meanNpsSql(subject: ScoreSubject, since: Date, until: Date): RawBuilder<unknown> {
  const who = subject.kind === 'account' ? sql`sa.account_id = ${subject.id}` : sql`sa.member_id = ${subject.id}`;
  return sql`(SELECT avg(sa.nps) FROM survey_answers sa
    WHERE sa.program_id = ${subject.programId} AND ${who} AND sa.nps IS NOT NULL
      AND sa.answered_on >= ${since.toISOString().slice(0, 10)}::date AND sa.answered_on <= ${until.toISOString().slice(0, 10)}::date)`;
}

/** Mean CSAT score (1–5) since `since` up to `until`: survey answers, and for an account also reported scores. */
export function meanCsatSql(subject: ScoreSubject, since: Date, until: Date): RawBuilder<unknown> {
  const from = since.toISOString().slice(0, 10);
  const to = until.toISOString().slice(0, 10);
  const who = subject.kind === 'account' ? sql`sa.account_id = ${subject.id}` : sql`sa.member_id = ${subject.id}`;
  const reported =
    subject.kind === 'account'
      ? sql`UNION ALL SELECT cs.score FROM csat_scores cs
          WHERE cs.program_id = ${subject.programId} AND cs.account_id = ${subject.id} AND cs.occurred_at >= ${since} AND cs.occurred_at <= ${until}`
      : sql``;
  return sql`(SELECT avg(x.score) FROM (
    SELECT sa.csat AS score FROM survey_answers sa
      WHERE sa.program_id = ${subject.programId} AND ${who} AND sa.csat IS NOT NULL AND sa.answered_on >= ${from}::date AND sa.answered_on <= ${to}::date
    ${reported}) x)`;
}
