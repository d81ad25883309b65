/** The versions of forms (question_form_versions): written once, read by version. */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { questionsSchema, type Question } from './types.js';

/**
 * Stores `questions` as the form's next version, unless they equal the latest one (publishing twice without
 * a change keeps the version). Call inside the transaction that points the survey or quiz at the version.
 *
 * A question id keeps the kind it was first published with (409 `question_kind_fixed`): results and statistics
 * count a question's answers by its id over every version, and an NPS 0–10 counted with a CSAT 1–5 is neither.
 * Wording, options and whether it is required may change; a new kind needs a new id.
 */
export async function publishFormVersion(trx: Db, programId: string, formId: string, questions: Question[], now: Date): Promise<number> {
  const published = await sql<{ id: string; kind: Question['kind'] }>`
    SELECT DISTINCT ON (q ->> 'id') q ->> 'id' AS id, q ->> 'kind' AS kind
    FROM question_form_versions v, jsonb_array_elements(v.questions) AS q
    WHERE v.program_id = ${programId} AND v.form_id = ${formId}
    ORDER BY q ->> 'id', v.version`.execute(trx);
  const kinds = new Map(published.rows.map((r) => [r.id, r.kind]));
  for (const q of questions) {
    const was = kinds.get(q.id);
    if (was !== undefined && was !== q.kind) throw new LojalError('question_kind_fixed', { question: q.id, from: was, to: q.kind });
  }
  const latest = await sql<{ version: number; questions: Question[] }>`
    SELECT version, questions FROM question_form_versions WHERE program_id = ${programId} AND form_id = ${formId}
    ORDER BY version DESC LIMIT 1`.execute(trx);
  const last = latest.rows[0];
  if (last && JSON.stringify(last.questions) === JSON.stringify(questions)) return last.version;
  const version = (last?.version ?? 0) + 1;
  await sql`INSERT INTO question_form_versions (program_id, form_id, version, questions, created_at)
    VALUES (${programId}, ${formId}, ${version}, ${JSON.stringify(questions)}::jsonb, ${now})`.execute(trx);
  return version;
}

export async function formVersion(db: Db, programId: string, formId: string, version: number): Promise<Question[]> {
  const r = await sql<{ questions: unknown }>`
    SELECT questions FROM question_form_versions WHERE program_id = ${programId} AND form_id = ${formId} AND version = ${version}`.execute(db);
  if (!r.rows[0]) throw new Error(`form ${formId} has no version ${version}`);
  return questionsSchema.parse(r.rows[0].questions);
}

export async function formVersions(db: Db, programId: string, formId: string): Promise<Array<{ version: number; createdAt: Date; questions: Question[] }>> {
  const r = await sql<{ version: number; created_at: Date; questions: unknown }>`
    SELECT version, created_at, questions FROM question_form_versions WHERE program_id = ${programId} AND form_id = ${formId} ORDER BY version`.execute(db);
  return r.rows.map((row) => ({ version: row.version, createdAt: row.created_at, questions: questionsSchema.parse(row.questions) }));
}
