/**
 * A member's unfinished survey, kept on the server so a dropped connection, a closed tab or another device
 * resumes at the same question with the answers given so far. A draft is checked like an answer, except that
 * required questions may still be empty; it belongs to one form version (a newer version starts afresh).
 *
 * Anonymity: the draft carries the member (it must, to be theirs), so it is deleted in the transaction that
 * records the "already answered" mark — before the anonymous answer is written in a transaction of its own —
 * and never copied into the answer. See submitAnswer in store.ts.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Program } from '../programs/programs.js';
import { formVersion, validateAnswers, type Answers } from '../questions/index.js';
import { hasAnswered, requireTakeable } from './store.js';

export interface SurveyDraft {
  version: number;
  answers: Answers;
  step: number;
  updatedAt: Date;
}

interface Row {
  version: number;
  answers: Answers;
  step: number;
  updated_at: Date;
}

/** The member's draft of the survey's current version, or null (none, or one of an older version). */
export async function findDraft(db: Db, program: Program, surveyId: string, memberId: string, now: Date): Promise<SurveyDraft | null> {
  const { survey } = await requireTakeable(db, program, surveyId, memberId, now);
  const r = await sql<Row>`SELECT version, answers, step, updated_at FROM survey_drafts
    WHERE program_id = ${program.id} AND survey_id = ${survey.id} AND member_id = ${memberId}`.execute(db);
  const row = r.rows[0];
  if (!row || row.version !== survey.version) return null;
  return { version: row.version, answers: row.answers, step: row.step, updatedAt: row.updated_at };
}

/**
 * Stores the answers so far (replacing the last draft). Each given answer must be valid for its question; an
 * empty one is left out. 409 `survey_already_answered` once the survey is answered, `survey_draft_outdated`
 * when the survey has a newer version than the one answered.
 */
export async function saveDraft(
  db: Db,
  program: Program,
  surveyId: string,
  memberId: string,
  input: { version: number; answers: Record<string, unknown>; step: number },
  now: Date,
): Promise<SurveyDraft> {
  return db.transaction().execute(async (trx) => {
    const { survey, who } = await requireTakeable(trx, program, surveyId, memberId, now);
    if (await hasAnswered(trx, program.id, survey, { memberId, accountId: who.account.id })) {
      throw new LojalError('survey_already_answered', { survey: survey.id });
    }
    if (input.version !== survey.version!) throw new LojalError('survey_draft_outdated', { survey: survey.id, version: survey.version! });
    const questions = await formVersion(trx, program.id, survey.id, survey.version!);
    const answers = validateAnswers(
      questions.map((q) => ({ ...q, required: false })),
      input.answers,
    );
    const step = Math.min(input.step, Math.max(questions.length - 1, 0));
    await sql`
      INSERT INTO survey_drafts (program_id, survey_id, member_id, version, answers, step, updated_at)
      VALUES (${program.id}, ${survey.id}, ${memberId}, ${survey.version!}, ${JSON.stringify(answers)}::jsonb, ${step}, ${now})
      ON CONFLICT (program_id, survey_id, member_id)
      DO UPDATE SET version = EXCLUDED.version, answers = EXCLUDED.answers, step = EXCLUDED.step, updated_at = EXCLUDED.updated_at`.execute(trx);
    return { version: survey.version!, answers, step, updatedAt: now };
  });
}

/** Deletes the member's draft of a survey, when they start over (submitAnswer deletes it in the mark's transaction). */
export async function deleteDraft(db: Db, programId: string, surveyId: string, memberId: string): Promise<void> {
  await sql`DELETE FROM survey_drafts WHERE program_id = ${programId} AND survey_id = ${surveyId} AND member_id = ${memberId}`.execute(db);
}
