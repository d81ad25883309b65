/**
 * On a real PostgreSQL server: the same member answering twice at once gets one answer and one payment; and an
 * anonymous survey's answers cannot be joined back to the members who gave them — by no column, no shared
 * value, not even the writing transaction's id. Skipped on PGlite, which is one session.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgram } from '../../src/programs/programs.js';
import { saveDraft } from '../../src/surveys/drafts.js';
import { submitAnswer, createSurvey, publishSurvey } from '../../src/surveys/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { seedAccount, seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent, wallet } from '../support/ledger.js';

describe.runIf(onPostgres)('surveys on PostgreSQL', () => {
  let t: TestApp;
  const members: string[] = [];
  let surveyId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const account = await seedAccount(t, 'ACME', { segment: 'installer' });
    for (let i = 0; i < 6; i++) members.push(await seedMember(t, account, `M${i}`, i % 2 ? 'owner' : 'buyer'));
    const program = (await getProgram(t.database.db, t.programId))!;
    const s = await createSurvey(
      t.database.db,
      t.programId,
      { title: { en: 'Anonymous NPS' }, anonymous: true, points: 25, questions: [{ id: 'nps', kind: 'nps', required: true, text: { en: 'Recommend us?' } }, { id: 'why', kind: 'text', required: false, maxLength: 2000, text: { en: 'Why?' } }] },
      t.clock(),
    );
    await t.database.db.transaction().execute((trx) => publishSurvey(trx, program, s.id, t.clock()));
    surveyId = s.id;
  });
  afterAll(async () => t?.close());

  it('8 answers of one member at once: one answer, one payment, seven 409 survey_already_answered', async () => {
    const program = (await getProgram(t.database.db, t.programId))!;
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => submitAnswer(t.database.db, program, surveyId, members[0]!, { nps: i }, t.clock())));
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) expect((r as PromiseRejectedResult).reason.code).toBe('survey_already_answered');
    const n = await sql<{ answers: number; marks: number; events: number }>`
      SELECT (SELECT count(*)::int FROM survey_answers WHERE program_id = ${t.programId}) AS answers,
             (SELECT count(*)::int FROM survey_marks WHERE program_id = ${t.programId}) AS marks,
             (SELECT count(*)::int FROM events WHERE program_id = ${t.programId} AND type = 'survey.completed') AS events`.execute(t.database.db);
    expect(n.rows[0]).toEqual({ answers: 1, marks: 1, events: 1 });
    const w = await wallet(t.database.db, t.programId, members[0]!);
    expect(w.available + w.pending).toBe(25);
    await expectLedgerConsistent(t.database.db, t.programId);
  });

  it('an anonymous answer cannot be joined back to its member', async () => {
    const program = (await getProgram(t.database.db, t.programId))!;
    // Each member first leaves a draft (saved progress, which names them); sending deletes it in the mark's transaction.
    for (const [i, m] of members.slice(1).entries()) await saveDraft(t.database.db, program, surveyId, m, { version: 1, answers: { nps: 10 - i, why: `reason ${i}` }, step: 1 }, t.clock());
    for (const [i, m] of members.slice(1).entries()) await submitAnswer(t.database.db, program, surveyId, m, { nps: 10 - i, why: `reason ${i}` }, t.clock());
    const drafts = await sql<{ n: number }>`SELECT count(*)::int AS n FROM survey_drafts WHERE program_id = ${t.programId}`.execute(t.database.db);
    expect(drafts.rows[0]!.n).toBe(0);

    // The answers table has no column that could hold a member or account, filled or not, beyond these two (always null here).
    const answers = (await sql<Record<string, unknown>>`SELECT *, xmin::text AS tx FROM survey_answers WHERE program_id = ${t.programId}`.execute(t.database.db)).rows;
    const marks = (await sql<Record<string, unknown>>`SELECT *, xmin::text AS tx FROM survey_marks WHERE program_id = ${t.programId}`.execute(t.database.db)).rows;
    expect(answers).toHaveLength(6);
    expect(marks).toHaveLength(6);
    for (const a of answers) {
      expect(a.member_id).toBeNull();
      expect(a.account_id).toBeNull();
      expect(a.answered_at).toBeNull();
    }
    // No value of an answer row (besides the program, the survey, the day and the respondent's role/tier/segment
    // that the breakdowns need) appears in any mark or event row, and no answer was written by a mark's transaction.
    const shared = new Set(['program_id', 'survey_id', 'answered_on', 'tier', 'role', 'segment', 'version', 'nps', 'csat']);
    const markText = JSON.stringify(marks);
    const eventText = JSON.stringify((await sql`SELECT * FROM events WHERE program_id = ${t.programId}`.execute(t.database.db)).rows);
    for (const a of answers) {
      for (const [k, v] of Object.entries(a)) {
        if (shared.has(k) || v === null || k === 'tx') continue;
        const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
        expect(markText).not.toContain(text);
        expect(eventText).not.toContain(text);
      }
      expect(marks.map((m) => m.tx)).not.toContain(a.tx);
    }
    // The marks' time is the day only: joining on time finds everyone, i.e. no one.
    const byTime = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM survey_answers a JOIN survey_marks m ON m.program_id = a.program_id AND m.survey_id = a.survey_id
        AND m.answered_at::date = a.answered_on WHERE a.program_id = ${t.programId}`.execute(t.database.db);
    expect(byTime.rows[0]!.n).toBe(36);
    // Every column the two tables share by name carries the same value for all rows of the survey, except the member link only marks have.
    const common = await sql<{ column_name: string }>`
      SELECT a.column_name FROM information_schema.columns a JOIN information_schema.columns m ON m.column_name = a.column_name
      WHERE a.table_name = 'survey_answers' AND m.table_name = 'survey_marks' AND a.table_schema = current_schema() AND m.table_schema = current_schema() ORDER BY 1`.execute(t.database.db);
    expect(common.rows.map((r) => r.column_name)).toEqual(['answered_at', 'member_id', 'program_id', 'survey_id']);
  });
});
