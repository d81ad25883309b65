/**
 * Surveys: authoring (drafts, versioned publishing), taking (one answer per member or account, anonymity kept
 * by design), and what the figures and exports read. The survey module owns surveys, survey_answers,
 * survey_marks, survey_followups and csat_scores; question forms are the question engine's.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { getAccount } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { formVersion, localizedText, missingDefaultTexts, publishFormVersion, questionsSchema, validateAnswers, type Answers, type LocalizedText, type Question } from '../questions/index.js';
import { syncPayoutRule } from '../questions/payout-rule.js';
import { audienceSchema, inAudience, openState, type Audience } from './audience.js';
import { postCompletion } from './event.js';
import { whoIs } from './respondent.js';
import { jsonColumn } from '../db/json-columns.js';

export const surveyStatuses = ['draft', 'published', 'closed'] as const;

export const surveyFields = {
  title: localizedText(200).describe('The title by language, e.g. {"sv": "Partnernöjdhet 2026", "en": "Partner satisfaction 2026"}'),
  intro: localizedText(2000).optional().describe('The text above the questions, by language'),
  questions: questionsSchema.describe('Up to 100 questions with distinct ids; needs at least one to publish'),
  anonymous: z.boolean().optional().describe('Keep answers without member, account or time of day (default false); fixed once published'),
  /** One answer per member, or one per account (the first of its people to answer). */
  oncePer: z.enum(['member', 'account']).optional().describe('One answer per member (default), or one per account: the first of its people to answer'),
  audience: audienceSchema.optional(),
  opensAt: z.iso.datetime({ offset: true }).nullable().optional().describe('When members may start answering; null or left out: on publishing'),
  closesAt: z.iso.datetime({ offset: true }).nullable().optional().describe('When answering ends; null or left out: when closed'),
  /** Points for answering, paid by a rule on the survey.completed event (caps and the ledger apply). */
  points: z.number().int().min(0).max(1_000_000).optional().describe('Points for answering, paid once per member by an earning rule on the `survey.completed` event (default 0)'),
  /** A detractor's answer (0–6) opens a follow-up for the account's key-account manager (not for anonymous surveys). */
  followUp: z.boolean().optional().describe('A detractor\'s answer (NPS 0–6) opens a follow-up for the key-account manager (default true; never for anonymous surveys)'),
};
export const surveyCreateSchema = z.object(surveyFields).strict();
export const surveyPatchSchema = z.object({ ...surveyFields, title: surveyFields.title.optional(), questions: questionsSchema.optional() }).strict();
export type SurveyCreate = z.infer<typeof surveyCreateSchema>;
export type SurveyPatch = z.infer<typeof surveyPatchSchema>;

export interface Survey {
  id: string;
  title: LocalizedText;
  intro: LocalizedText;
  questions: Question[];
  status: (typeof surveyStatuses)[number];
  version: number | null;
  anonymous: boolean;
  oncePer: 'member' | 'account';
  audience: Audience;
  opensAt: Date | null;
  closesAt: Date | null;
  points: number;
  ruleId: string | null;
  followUp: boolean;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
}

interface Row {
  id: string;
  title: LocalizedText;
  intro: LocalizedText;
  questions: Question[];
  status: Survey['status'];
  version: number | null;
  anonymous: boolean;
  once_per: Survey['oncePer'];
  audience: Audience;
  opens_at: Date | null;
  closes_at: Date | null;
  points: number;
  rule_id: string | null;
  follow_up: boolean;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
}

const toSurvey = (r: Row): Survey => ({
  id: r.id,
  title: r.title,
  intro: r.intro,
  questions: r.questions,
  status: r.status,
  version: r.version,
  anonymous: r.anonymous,
  oncePer: r.once_per,
  audience: r.audience,
  opensAt: r.opens_at,
  closesAt: r.closes_at,
  points: r.points,
  ruleId: r.rule_id,
  followUp: r.follow_up,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  publishedAt: r.published_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findSurvey(db: Db, programId: string, id: string, lock = false): Promise<Survey | undefined> {
  if (!UUID.test(id)) return undefined;
  const r = await sql<Row>`SELECT * FROM surveys WHERE program_id = ${programId} AND id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`.execute(db);
  return r.rows[0] && toSurvey(r.rows[0]);
}

export async function requireSurvey(db: Db, programId: string, id: string, lock = false): Promise<Survey> {
  const s = await findSurvey(db, programId, id, lock);
  if (!s) throw new LojalError('not_found', { entity: 'survey', id });
  return s;
}

export async function listSurveys(db: Db, programId: string, status?: Survey['status']): Promise<Survey[]> {
  const r = await sql<Row>`SELECT * FROM surveys WHERE program_id = ${programId} ${status ? sql`AND status = ${status}` : sql``} ORDER BY created_at DESC, id DESC LIMIT 500`.execute(db);
  return r.rows.map(toSurvey);
}

function checkDates(opensAt: Date | null, closesAt: Date | null) {
  if (opensAt && closesAt && closesAt <= opensAt) {
    throw new LojalError('validation_failed', {}, [{ path: 'closesAt', message: 'closesAt must be after opensAt' }]);
  }
}

const date = (v: string | null | undefined) => (v ? new Date(v) : null);

export async function createSurvey(db: Db, programId: string, input: SurveyCreate, now: Date): Promise<Survey> {
  const opensAt = date(input.opensAt);
  const closesAt = date(input.closesAt);
  checkDates(opensAt, closesAt);
  const id = uuidv7();
  const r = await sql<Row>`
    INSERT INTO surveys (program_id, id, title, intro, questions, anonymous, once_per, audience, opens_at, closes_at, points, follow_up, created_at, updated_at)
    VALUES (${programId}, ${id}, ${JSON.stringify(input.title)}::jsonb, ${JSON.stringify(input.intro ?? {})}::jsonb, ${JSON.stringify(input.questions)}::jsonb,
      ${input.anonymous ?? false}, ${input.oncePer ?? 'member'}, ${JSON.stringify(input.audience ?? {})}::jsonb, ${opensAt}, ${closesAt},
      ${input.points ?? 0}, ${input.followUp ?? true}, ${now}, ${now})
    RETURNING *`.execute(db);
  return toSurvey(r.rows[0]!);
}

/**
 * Edits a survey. A published survey's new questions are published at once as the next form version (the
 * answers given so far keep theirs). Anonymity cannot change once answers exist: it was promised.
 */
export async function updateSurvey(trx: Db, program: Program, id: string, patch: SurveyPatch, now: Date): Promise<{ before: Survey; after: Survey }> {
  const before = await requireSurvey(trx, program.id, id, true);
  if (before.status === 'closed') throw new LojalError('survey_closed', { survey: id });
  if (patch.anonymous !== undefined && patch.anonymous !== before.anonymous && before.status !== 'draft') {
    throw new LojalError('survey_anonymity_fixed', { survey: id });
  }
  const opensAt = patch.opensAt !== undefined ? date(patch.opensAt) : before.opensAt;
  const closesAt = patch.closesAt !== undefined ? date(patch.closesAt) : before.closesAt;
  checkDates(opensAt, closesAt);
  const title = patch.title ?? before.title;
  const questions = patch.questions ?? before.questions;
  let version = before.version;
  if (before.status === 'published' && patch.questions) {
    checkPublishable(program, title, questions);
    version = await publishFormVersion(trx, program.id, id, questions, now);
  }
  const r = await sql<Row>`
    UPDATE surveys SET title = ${JSON.stringify(title)}::jsonb, intro = ${JSON.stringify(patch.intro ?? before.intro)}::jsonb,
      questions = ${JSON.stringify(questions)}::jsonb, version = ${version}, anonymous = ${patch.anonymous ?? before.anonymous},
      once_per = ${patch.oncePer ?? before.oncePer}, audience = ${JSON.stringify(patch.audience ?? before.audience)}::jsonb,
      opens_at = ${opensAt}, closes_at = ${closesAt}, points = ${patch.points ?? before.points}, follow_up = ${patch.followUp ?? before.followUp},
      updated_at = ${now}
    WHERE program_id = ${program.id} AND id = ${id} RETURNING *`.execute(trx);
  const after = toSurvey(r.rows[0]!);
  if (after.status === 'published') await syncRule(trx, program, after, now);
  return { before, after: await requireSurvey(trx, program.id, id) };
}

function checkPublishable(program: Program, title: LocalizedText, questions: Question[]) {
  if (questions.length === 0) throw new LojalError('validation_failed', {}, [{ path: 'questions', message: 'a survey needs at least one question' }]);
  const missing = missingDefaultTexts(questions, title, program.defaultLanguage);
  if (missing.length) {
    throw new LojalError(
      'form_missing_default_language',
      { language: program.defaultLanguage },
      missing.map((path) => ({ path, message: `missing in the program's default language (${program.defaultLanguage})` })),
    );
  }
}

/** The rule that pays the survey's points: created on first publishing with points, kept in step after. */
async function syncRule(trx: Db, program: Program, s: Survey, now: Date): Promise<void> {
  const attach = async (ruleId: string) => {
    await sql`UPDATE surveys SET rule_id = ${ruleId} WHERE program_id = ${program.id} AND id = ${s.id}`.execute(trx);
  };
  await syncPayoutRule(trx, program, s, { eventType: 'survey.completed', formAttribute: 'survey.id', label: 'Survey' }, attach, now);
}

export async function publishSurvey(trx: Db, program: Program, id: string, now: Date): Promise<{ before: Survey; after: Survey }> {
  const before = await requireSurvey(trx, program.id, id, true);
  if (before.status === 'closed') throw new LojalError('survey_closed', { survey: id });
  checkPublishable(program, before.title, before.questions);
  const version = await publishFormVersion(trx, program.id, id, before.questions, now);
  await sql`UPDATE surveys SET status = 'published', version = ${version}, published_at = COALESCE(published_at, ${now}), updated_at = ${now}
    WHERE program_id = ${program.id} AND id = ${id}`.execute(trx);
  const after = await requireSurvey(trx, program.id, id);
  await syncRule(trx, program, after, now);
  return { before, after: await requireSurvey(trx, program.id, id) };
}

export async function closeSurvey(trx: Db, program: Program, id: string, now: Date): Promise<{ before: Survey; after: Survey }> {
  const before = await requireSurvey(trx, program.id, id, true);
  await sql`UPDATE surveys SET status = 'closed', closes_at = LEAST(COALESCE(closes_at, ${now}), ${now}), updated_at = ${now}
    WHERE program_id = ${program.id} AND id = ${id}`.execute(trx);
  const after = await requireSurvey(trx, program.id, id);
  if (after.ruleId) await syncRule(trx, program, after, now);
  return { before, after };
}

// ---------------------------------------------------------------- taking a survey

export const respondentKey = (s: Pick<Survey, 'oncePer'>, who: { memberId: string; accountId: string }) =>
  s.oncePer === 'account' ? `account:${who.accountId}` : `member:${who.memberId}`;

export async function hasAnswered(db: Db, programId: string, s: Survey, who: { memberId: string; accountId: string }): Promise<boolean> {
  const r = await sql`SELECT 1 FROM survey_marks WHERE program_id = ${programId} AND survey_id = ${s.id} AND respondent_key = ${respondentKey(s, who)}`.execute(db);
  return r.rows.length > 0;
}

/** What the member may do with the survey now; throws the code that says why not. */
export async function requireTakeable(db: Db, program: Program, surveyId: string, memberId: string, now: Date) {
  const s = await findSurvey(db, program.id, surveyId);
  if (!s || s.status === 'draft') throw new LojalError('not_found', { entity: 'survey', id: surveyId });
  const who = await whoIs(db, program.id, memberId);
  if (!inAudience(s.audience, who.respondent)) throw new LojalError('survey_not_for_member', { survey: surveyId });
  const state = openState(s, now);
  if (state === 'closed') throw new LojalError('survey_closed', { survey: surveyId });
  if (state === 'not_open') throw new LojalError('survey_not_open', { survey: surveyId });
  return { survey: s, who };
}

export interface SubmitResult {
  points: number;
}

/**
 * One answer. The "already answered" mark comes first (its unique key makes a second answer, or two at once,
 * fail there), with the survey.completed event whose id is the payment's idempotency key.
 *
 * A named answer is written in the same transaction, with the follow-up a detractor raises. An anonymous
 * answer is written in a transaction of its own right after the mark's commits, so that even PostgreSQL's
 * system columns (the writing transaction's id, xmin) do not tie it to the mark; should the server stop
 * between the two, the answer is lost and the member keeps the points — never linked.
 */
export async function submitAnswer(db: Db, program: Program, surveyId: string, memberId: string, raw: Record<string, unknown>, now: Date): Promise<SubmitResult> {
  let pending: { insert: (trx: Db) => Promise<string> } | undefined;
  const result = await db.transaction().execute(async (trx) => {
    const { survey: s, who } = await requireTakeable(trx, program, surveyId, memberId, now);
    const questions = await formVersion(trx, program.id, s.id, s.version!);
    const answers = validateAnswers(questions, raw);
    const day = now.toISOString().slice(0, 10);
    const marked = await sql`
      INSERT INTO survey_marks (program_id, survey_id, respondent_key, member_id, answered_at)
      VALUES (${program.id}, ${s.id}, ${respondentKey(s, { memberId, accountId: who.account.id })}, ${memberId}, ${s.anonymous ? new Date(`${day}T00:00:00Z`) : now})
      ON CONFLICT DO NOTHING RETURNING 1`.execute(trx);
    if (marked.rows.length === 0) throw new LojalError('survey_already_answered', { survey: s.id });
    // The draft (survey_drafts, which names the member) goes with the mark, before any answer row exists: an
    // anonymous answer is written after this transaction commits, so no draft ever sits beside it.
    await sql`DELETE FROM survey_drafts WHERE program_id = ${program.id} AND survey_id = ${s.id} AND member_id = ${memberId}`.execute(trx);

    const npsQ = questions.find((q) => q.kind === 'nps');
    const csatQ = questions.find((q) => q.kind === 'csat');
    const npsScore = npsQ && typeof answers[npsQ.id] === 'number' ? (answers[npsQ.id] as number) : null;
    const csatScore = csatQ && typeof answers[csatQ.id] === 'number' ? (answers[csatQ.id] as number) : null;
    const named = !s.anonymous;
    const insert = async (t: Db) =>
      (
        await sql<{ id: string }>`
        INSERT INTO survey_answers (program_id, survey_id, version, answered_on, answered_at, member_id, account_id, tier, role, segment, answers, nps, csat)
        VALUES (${program.id}, ${s.id}, ${s.version}, ${day}, ${named ? now : null}, ${named ? memberId : null}, ${named ? who.account.id : null},
          ${who.member.tier ?? who.account.tier}, ${who.member.role}, ${who.account.segment}, ${JSON.stringify(answers)}::jsonb, ${npsScore}, ${csatScore})
        RETURNING id`.execute(t)
      ).rows[0]!.id;

    if (named) {
      const answerId = await insert(trx);
      if (s.followUp && npsScore !== null && npsScore <= 6) {
        const account = await getAccount(trx, program.id, who.account.id);
        const textQ = questions.find((q) => q.kind === 'text' && typeof answers[q.id] === 'string');
        await sql`INSERT INTO survey_followups (program_id, id, survey_id, answer_id, account_id, member_id, score, comment, assignee, created_at)
          VALUES (${program.id}, ${uuidv7()}, ${s.id}, ${answerId}, ${who.account.id}, ${memberId}, ${npsScore},
            ${textQ ? (answers[textQ.id] as string) : null}, ${account?.keyAccountManager ?? null}, ${now})`.execute(trx);
      }
    } else {
      pending = { insert };
    }

    // The event names the survey, never the answer.
    const points = await postCompletion(trx, program, { id: `survey:${s.id}:${memberId}`, type: 'survey.completed', accountId: who.account.id, memberId, attributes: { survey: { id: s.id } } }, now);
    return { points };
  });
  if (pending) await pending.insert(db);
  return result;
}

// ---------------------------------------------------------------- what the figures read

export interface AnswerRow {
  id: string;
  version: number;
  day: string;
  answeredAt: Date | null;
  memberId: string | null;
  accountId: string | null;
  tier: string | null;
  role: string | null;
  segment: string | null;
  answers: Answers;
  nps: number | null;
  csat: number | null;
}

export async function answerRows(db: Db, programId: string, surveyId: string, range: { from?: string | undefined; to?: string | undefined } = {}): Promise<AnswerRow[]> {
  const r = await sql<{ id: string; version: number; day: string; answered_at: Date | null; member_id: string | null; account_id: string | null; tier: string | null; role: string | null; segment: string | null; answers: Answers; nps: number | null; csat: number | null }>`
    SELECT id, version, to_char(answered_on, 'YYYY-MM-DD') AS day, answered_at, member_id, account_id, tier, role, segment, answers, nps, csat
    FROM survey_answers WHERE program_id = ${programId} AND survey_id = ${surveyId}
      ${range.from ? sql`AND answered_on >= ${range.from}::date` : sql``} ${range.to ? sql`AND answered_on <= ${range.to}::date` : sql``}
    ORDER BY answered_on, id`.execute(db);
  return r.rows.map((x) => ({ id: x.id, version: x.version, day: x.day, answeredAt: x.answered_at, memberId: x.member_id, accountId: x.account_id, tier: x.tier, role: x.role, segment: x.segment, answers: x.answers, nps: x.nps, csat: x.csat }));
}

/**
 * One keyset page of answerRows, in the same order (answered_on, id), after `after`: the CSV export reads the
 * answers page by page, so a survey of any size is never held whole.
 */
export async function answerRowsPage(
  db: Db,
  programId: string,
  surveyId: string,
  range: { from?: string | undefined; to?: string | undefined },
  after: { day: string; id: string } | null,
  limit: number,
): Promise<AnswerRow[]> {
  const r = await sql<{ id: string; version: number; day: string; answered_at: Date | null; member_id: string | null; account_id: string | null; tier: string | null; role: string | null; segment: string | null; answers: Answers; nps: number | null; csat: number | null }>`
    SELECT id, version, to_char(answered_on, 'YYYY-MM-DD') AS day, answered_at, member_id, account_id, tier, role, segment, answers, nps, csat
    FROM survey_answers WHERE program_id = ${programId} AND survey_id = ${surveyId}
      ${range.from ? sql`AND answered_on >= ${range.from}::date` : sql``} ${range.to ? sql`AND answered_on <= ${range.to}::date` : sql``}
      ${after ? sql`AND (answered_on, id) > (${after.day}::date, ${after.id}::uuid)` : sql``}
    ORDER BY answered_on, id LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({ id: x.id, version: x.version, day: x.day, answeredAt: x.answered_at, memberId: x.member_id, accountId: x.account_id, tier: x.tier, role: x.role, segment: x.segment, answers: x.answers, nps: x.nps, csat: x.csat }));
}

export async function answerCounts(db: Db, programId: string): Promise<Map<string, number>> {
  const r = await sql<{ survey_id: string; n: string }>`SELECT survey_id, count(*) AS n FROM survey_answers WHERE program_id = ${programId} GROUP BY survey_id`.execute(db);
  return new Map(r.rows.map((x) => [x.survey_id, Number(x.n)]));
}

export type { Language };

export interface HistoricalAnswer {
  memberId: string;
  accountId: string;
  at: Date;
  answers: Answers;
  tier: string | null;
  role: string | null;
  segment: string | null;
}

/**
 * Answers gathered before (another tool's export, the demo's year): marks and answers written in bulk, as
 * submitAnswer would store them, without paying points (they were paid, if at all, where they were given).
 * Detractors of a named survey answered since `followUpSince` get follow-ups. Members already marked are skipped.
 */
export async function importHistoricalAnswers(trx: Db, programId: string, surveyId: string, rows: HistoricalAnswer[], followUpSince: Date): Promise<number> {
  const s = await requireSurvey(trx, programId, surveyId);
  if (!s.version) throw new LojalError('survey_not_open', { survey: surveyId });
  const questions = await formVersion(trx, programId, s.id, s.version);
  const npsQ = questions.find((q) => q.kind === 'nps');
  const csatQ = questions.find((q) => q.kind === 'csat');
  const textQ = questions.find((q) => q.kind === 'text');
  let n = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => ({ ...r, answers: validateAnswers(questions, r.answers), key: respondentKey(s, r) }));
    const marked = await sql<{ respondent_key: string }>`
      INSERT INTO survey_marks (program_id, survey_id, respondent_key, member_id, answered_at)
      SELECT ${programId}, ${s.id}, k, m, a FROM unnest(${chunk.map((r) => r.key)}::text[], ${chunk.map((r) => r.memberId)}::uuid[], ${chunk.map((r) => (s.anonymous ? new Date(r.at.toISOString().slice(0, 10)) : r.at).toISOString())}::timestamptz[]) AS x(k, m, a)
      ON CONFLICT DO NOTHING RETURNING respondent_key`.execute(trx);
    const fresh = new Set(marked.rows.map((r) => r.respondent_key));
    const take = chunk.filter((r) => fresh.has(r.key));
    if (take.length === 0) continue;
    const named = !s.anonymous;
    const num = (r: (typeof take)[number], q: Question | undefined) => (q && typeof r.answers[q.id] === 'number' ? (r.answers[q.id] as number) : null);
    const ids = await sql<{ id: string; member: string | null }>`
      INSERT INTO survey_answers (program_id, survey_id, version, answered_on, answered_at, member_id, account_id, tier, role, segment, answers, nps, csat)
      SELECT ${programId}, ${s.id}, ${s.version}, d, t, m, a, ti, ro, se, an, np, cs
      FROM unnest(${take.map((r) => r.at.toISOString().slice(0, 10))}::date[], ${take.map((r) => (named ? r.at.toISOString() : null))}::timestamptz[],
        ${take.map((r) => (named ? r.memberId : null))}::uuid[], ${take.map((r) => (named ? r.accountId : null))}::uuid[], ${take.map((r) => r.tier)}::text[],
        ${take.map((r) => r.role)}::text[], ${take.map((r) => r.segment)}::text[], ${jsonColumn(take.map((r) => r.answers), 'jsonb')},
        ${take.map((r) => num(r, npsQ))}::smallint[], ${take.map((r) => num(r, csatQ))}::smallint[]) AS x(d, t, m, a, ti, ro, se, an, np, cs)
      RETURNING id, member_id AS member`.execute(trx);
    n += take.length;
    if (!named || !s.followUp || !npsQ) continue;
    const byMember = new Map(ids.rows.map((r) => [r.member, r.id]));
    for (const r of take) {
      const score = num(r, npsQ);
      if (score === null || score > 6 || r.at < followUpSince) continue;
      const account = await getAccount(trx, programId, r.accountId);
      await sql`INSERT INTO survey_followups (program_id, id, survey_id, answer_id, account_id, member_id, score, comment, assignee, created_at)
        VALUES (${programId}, ${uuidv7()}, ${s.id}, ${byMember.get(r.memberId)!}, ${r.accountId}, ${r.memberId}, ${score},
          ${textQ && typeof r.answers[textQ.id] === 'string' ? (r.answers[textQ.id] as string) : null}, ${account?.keyAccountManager ?? null}, ${r.at})`.execute(trx);
    }
  }
  return n;
}
