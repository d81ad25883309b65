/**
 * Surveys and quizzes over HTTP, as the program team authors them and a member takes them in the portal:
 * versioned publishing, audiences, one answer per member, points through the rules, anonymity, follow-ups,
 * results and CSV, and the quiz's attempts, cool-down and first-pass points. One app for the whole file.
 */
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { recordCsat } from '../../src/surveys/csat.js';
import { answersCsv } from '../../src/surveys/results.js';
import { requireSurvey } from '../../src/surveys/store.js';
import type { LojalError } from '../../src/errors/index.js';
import { validateAnswers, type Question } from '../../src/questions/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';

interface Browser {
  cookie: string;
  csrf: string;
}

let t: TestApp;
const ids: Record<string, string> = {};
const browsers: Record<string, Browser> = {};

async function signIn(ext: string): Promise<Browser> {
  const { token, session } = await createSession(t.database.db, { kind: 'member', email: `${ext.toLowerCase()}@example.com` }, t.clock());
  await chooseSessionMember(t.database.db, session.id, t.programId, ids[ext]!);
  return { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
}

function portal(who: string, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const b = browsers[who]!;
  const headers: Record<string, string> = { cookie: b.cookie };
  if (method !== 'GET') headers['x-csrf-token'] = b.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method: method as 'GET', url: `/portal/v1${url}`, headers, ...(body !== undefined && { payload: JSON.stringify(body) }) });
}

const ok = async (method: string, url: string, body?: unknown) => {
  const res = await t.call(method, url, body);
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};

const count = async (query: ReturnType<typeof sql>) => Number(((await query.execute(t.database.db)).rows[0] as { n: string }).n);
const eventsOf = (externalId: string) => count(sql`SELECT count(*) AS n FROM events WHERE program_id = ${t.programId} AND external_id = ${externalId}`);

const npsSurvey = (extra: Record<string, unknown> = {}) => ({
  title: { en: 'How are we doing?', sv: 'Hur går det?' },
  questions: [
    { id: 'recommend', kind: 'nps', text: { en: 'How likely are you to recommend us?', sv: 'Hur troligt är det att du rekommenderar oss?' } },
    { id: 'service', kind: 'csat', text: { en: 'How happy are you with our service?' } },
    { id: 'channel', kind: 'single', required: false, text: { en: 'Where do you buy?' }, options: [{ id: 'shop', text: { en: 'Shop' } }, { id: 'web', text: { en: 'Web' } }] },
    { id: 'why', kind: 'text', required: false, text: { en: 'Why?' } },
  ],
  points: 50,
  ...extra,
});

beforeAll(async () => {
  t = await startTestApp();
  const acme = await seedAccount(t, 'ACME', { segment: 'installer', tags: ['north'] });
  const other = await seedAccount(t, 'OTHER', { segment: 'retail' });
  await sql`UPDATE accounts SET key_account_manager = 'kam@example.com', tier = 'Gold' WHERE program_id = ${t.programId} AND id = ${acme}`.execute(t.database.db);
  ids.ANNA = await seedMember(t, acme, 'ANNA', 'buyer');
  ids.BO = await seedMember(t, acme, 'BO', 'owner');
  ids.CARL = await seedMember(t, other, 'CARL', 'buyer');
  ids.DORA = await seedMember(t, other, 'DORA', 'buyer');
  for (const k of Object.keys(ids)) {
    await sql`UPDATE members SET email = ${`${k.toLowerCase()}@example.com`} WHERE program_id = ${t.programId} AND id = ${ids[k]}`.execute(t.database.db);
    browsers[k] = await signIn(k);
  }
});
afterAll(() => t.close());

describe('surveys', () => {
  let anonymousId: string;
  let namedId: string;

  it('publishes only with every text in the default language; a missing translation is marked', async () => {
    const draft = npsSurvey({ anonymous: true, questions: [...npsSurvey().questions, { id: 'extra', kind: 'rating', text: { sv: 'Bara svenska' } }] });
    const created = await ok('POST', '/v1/surveys', draft);
    expect(created).toMatchObject({ status: 'draft', version: null, anonymous: true });
    expect(created.missingTexts.en).toBe(1);
    expect(created.missingTexts.sv).toBeGreaterThan(1);
    const refused = await t.call('POST', `/v1/surveys/${created.id}/publish`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('form_missing_default_language');
    expect(refused.json().errors[0].path).toContain('questions.4.text');
    expect((await ok('GET', `/v1/surveys/${created.id}`)).status).toBe('draft');

    const preview = await ok('GET', `/v1/surveys/${created.id}/preview?language=sv`);
    expect(preview.questions[0]).toMatchObject({ text: 'Hur troligt är det att du rekommenderar oss?', fallback: false });
    expect(preview.questions[1]).toMatchObject({ text: 'How happy are you with our service?', fallback: true });

    await ok('PATCH', `/v1/surveys/${created.id}`, { questions: npsSurvey().questions });
    const published = await ok('POST', `/v1/surveys/${created.id}/publish`);
    expect(published).toMatchObject({ status: 'published', version: 1 });
    expect(published.ruleId).toBeTruthy();
    anonymousId = created.id;
  });

  it('is listed in the member\'s "Do and learn" with its points, and is not for another program', async () => {
    const learn = (await portal('ANNA', 'GET', '/learn')).json();
    expect(learn.surveys).toEqual([expect.objectContaining({ id: anonymousId, points: 50, answered: false, anonymous: true })]);
    const other = await t.newProgram();
    expect((await t.call('GET', `/v1/surveys/${anonymousId}`, undefined, other.key)).statusCode).toBe(404);
    expect((await t.call('GET', `/v1/surveys/${anonymousId}/results`, undefined, other.key)).statusCode).toBe(404);
  });

  it('bad answers get their own code and store nothing', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ recommend: 11, service: 4 }, 422, 'answer_out_of_range'],
      [{ recommend: 8, service: 0 }, 422, 'answer_out_of_range'],
      [{ recommend: 8, service: 4, channel: 'fax' }, 422, 'unknown_option'],
      [{ service: 4 }, 422, 'answer_required'],
      [{ recommend: 8, service: 4, colour: 'red' }, 422, 'unknown_question'],
    ];
    for (const [answers, status, code] of cases) {
      const res = await portal('ANNA', 'POST', `/surveys/${anonymousId}/answers`, { answers });
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
    }
    expect(await count(sql`SELECT count(*) AS n FROM survey_answers WHERE program_id = ${t.programId}`)).toBe(0);
    expect(await count(sql`SELECT count(*) AS n FROM survey_marks WHERE program_id = ${t.programId}`)).toBe(0);
    expect(await eventsOf(`survey:${anonymousId}:${ids.ANNA}`)).toBe(0);
  });

  it('one answer per member: paid once through the rules, the second refused', async () => {
    const first = await portal('ANNA', 'POST', `/surveys/${anonymousId}/answers`, { answers: { recommend: 3, service: 2, channel: 'web', why: 'Slow deliveries' } });
    expect(first.statusCode).toBe(201);
    expect(first.json().points).toBe(50);
    const again = await portal('ANNA', 'POST', `/surveys/${anonymousId}/answers`, { answers: { recommend: 10, service: 5 } });
    expect([again.statusCode, again.json().code]).toEqual([409, 'survey_already_answered']);
    expect(await eventsOf(`survey:${anonymousId}:${ids.ANNA}`)).toBe(1);
    expect(await count(sql`SELECT count(*) AS n FROM survey_answers WHERE program_id = ${t.programId} AND survey_id = ${anonymousId}`)).toBe(1);
    expect((await portal('ANNA', 'GET', '/learn')).json().surveys[0].answered).toBe(true);
  });

  it('an anonymous answer carries nothing that leads back to the member', async () => {
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM survey_answers WHERE program_id = ${t.programId} AND survey_id = ${anonymousId}`.execute(t.database.db)).rows;
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ member_id: null, account_id: null, answered_at: null, nps: 3 });
    const text = JSON.stringify(row);
    for (const id of [ids.ANNA!, ids.BO!]) expect(text).not.toContain(id);
    // The event that paid names the survey, never the answer.
    const event = (await sql<{ attributes: unknown }>`SELECT attributes FROM events WHERE program_id = ${t.programId} AND external_id = ${`survey:${anonymousId}:${ids.ANNA}`}`.execute(t.database.db)).rows[0]!;
    expect(event.attributes).toEqual({ survey: { id: anonymousId } });
    expect(JSON.stringify(event)).not.toContain(String(row.id));
    // No detractor follow-up for an anonymous survey (it would name the account).
    expect((await ok('GET', '/v1/survey-followups')).data).toEqual([]);
    // The CSV has no member columns, and nothing that describes the respondent: tier, role and segment together
    // beside a free text name the only Gold buyer of an installer as surely as a member id would.
    const csv = await t.call('GET', `/v1/surveys/${anonymousId}/answers.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    // UTF-8 with a byte-order mark, through the exports' CSV writer.
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    const [header, line] = csv.body.slice(1).trim().split('\n');
    expect(header).toBe('answer_id,form_version,answered_on,recommend,service,channel,why');
    expect(line).not.toContain(ids.ANNA);
    expect(line).toContain('Slow deliveries');
    expect(row).toMatchObject({ tier: 'Gold', role: 'buyer', segment: 'installer' });
    for (const describer of ['Gold', 'buyer', 'installer']) expect(line).not.toContain(describer);
    // Read in keyset pages: pages of one answer give the same file as one page, every answer once.
    const survey = await requireSurvey(t.database.db, t.programId, anonymousId);
    const read = async (pageSize: number) => {
      const chunks: Buffer[] = [];
      for await (const c of await answersCsv(t.database.db, t.programId, survey, {}, 'en', pageSize)) chunks.push(Buffer.from(c as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    };
    const onePerPage = await read(1);
    expect(onePerPage).toBe(await read(5000));
    const answers = (await sql<{ n: string }>`SELECT count(*) AS n FROM survey_answers WHERE program_id = ${t.programId} AND survey_id = ${anonymousId}`.execute(t.database.db)).rows[0]!.n;
    expect(onePerPage.slice(1).trim().split('\n')).toHaveLength(Number(answers) + 1);
    const swedish = await t.app.inject({ method: 'GET', url: `/v1/surveys/${anonymousId}/answers.csv`, headers: { authorization: `Bearer ${t.key}`, 'accept-language': 'sv' } });
    expect(swedish.body.slice(1).split('\n')[0]).toBe('answer_id;form_version;answered_on;recommend;service;channel;why');
  });

  it('audience and dates: a survey for owners only, one that has closed', async () => {
    namedId = (await ok('POST', '/v1/surveys', npsSurvey({ title: { en: 'Owners' }, audience: { roles: ['owner'] }, oncePer: 'account', points: 0 }))).id;
    await ok('POST', `/v1/surveys/${namedId}/publish`);
    const notMine = await portal('ANNA', 'POST', `/surveys/${namedId}/answers`, { answers: { recommend: 9, service: 5 } });
    expect([notMine.statusCode, notMine.json().code]).toEqual([403, 'survey_not_for_member']);
    const closing = (await ok('POST', '/v1/surveys', npsSurvey({ title: { en: 'Last week' }, closesAt: '2026-12-01T00:00:00Z' }))).id;
    await ok('POST', `/v1/surveys/${closing}/publish`);
    t.clock.set('2026-12-02T00:00:00Z');
    try {
      const late = await portal('CARL', 'POST', `/surveys/${closing}/answers`, { answers: { recommend: 9, service: 5 } });
      expect([late.statusCode, late.json().code]).toEqual([409, 'survey_closed']);
    } finally {
      t.clock.set('2026-11-25T12:00:00Z');
    }
    const future = (await ok('POST', '/v1/surveys', npsSurvey({ title: { en: 'Next year' }, opensAt: '2027-01-01T00:00:00Z' }))).id;
    await ok('POST', `/v1/surveys/${future}/publish`);
    const early = await portal('CARL', 'POST', `/surveys/${future}/answers`, { answers: { recommend: 9, service: 5 } });
    expect([early.statusCode, early.json().code]).toEqual([409, 'survey_not_open']);
  });

  it('a named detractor raises a follow-up for the key-account manager; closing it is audited', async () => {
    const res = await portal('BO', 'POST', `/surveys/${namedId}/answers`, { answers: { recommend: 4, service: 2, why: 'Invoices are wrong' } });
    expect(res.statusCode).toBe(201);
    const row = (await sql<{ member_id: string }>`SELECT member_id FROM survey_answers WHERE program_id = ${t.programId} AND survey_id = ${namedId}`.execute(t.database.db)).rows[0]!;
    expect(row.member_id).toBe(ids.BO);
    // A named survey's CSV names the respondent anyway, so it keeps what describes them.
    const [header, line] = (await t.call('GET', `/v1/surveys/${namedId}/answers.csv`)).body.slice(1).trim().split('\n');
    expect(header).toBe('answer_id,form_version,answered_on,answered_at,member_id,account_id,tier,role,segment,recommend,service,channel,why');
    expect(line).toContain(`${ids.BO},`);
    expect(line).toContain(',Gold,owner,installer,4,2,,Invoices are wrong');
    const [f] = (await ok('GET', '/v1/survey-followups?status=open')).data;
    expect(f).toMatchObject({ surveyId: namedId, memberId: ids.BO, score: 4, comment: 'Invoices are wrong', assignee: 'kam@example.com', accountName: 'Company ACME' });
    const closed = await ok('POST', `/v1/survey-followups/${f.id}/close`, { note: 'Called back, credit note sent' });
    expect(closed).toMatchObject({ status: 'closed', note: 'Called back, credit note sent' });
    const again = await t.call('POST', `/v1/survey-followups/${f.id}/close`, {});
    expect([again.statusCode, again.json().code]).toEqual([409, 'followup_closed']);
    const audit = await ok('GET', '/v1/audit?action=survey_followup.close');
    expect(JSON.stringify(audit)).toContain(f.id);
    // Once per account: Anna, Bo's colleague, cannot answer for the company again — she is not an owner anyway, so check with the mark.
    expect(await count(sql`SELECT count(*) AS n FROM survey_marks WHERE program_id = ${t.programId} AND survey_id = ${namedId} AND respondent_key = ${`account:${(await sql<{ account_id: string }>`SELECT account_id FROM members WHERE id = ${ids.BO}`.execute(t.database.db)).rows[0]!.account_id}`}`)).toBe(1);
  });

  it('editing a published survey makes a new version; answers keep theirs', async () => {
    const q = npsSurvey().questions;
    const edited = await ok('PATCH', `/v1/surveys/${anonymousId}`, { questions: [...q, { id: 'more', kind: 'rating', required: false, min: 1, max: 10, text: { en: 'Rate the app' } }] });
    expect(edited.version).toBe(2);
    const mine = (await portal('CARL', 'GET', `/surveys/${anonymousId}`)).json();
    expect(mine.version).toBe(2);
    expect(mine.questions.map((x: { id: string }) => x.id)).toContain('more');
    expect(JSON.stringify(mine)).not.toContain('correct');
    expect((await portal('CARL', 'POST', `/surveys/${anonymousId}/answers`, { answers: { recommend: 10, service: 5, more: 9 } })).statusCode).toBe(201);
    const versions = (await sql<{ version: number }>`SELECT version FROM survey_answers WHERE program_id = ${t.programId} AND survey_id = ${anonymousId} ORDER BY version`.execute(t.database.db)).rows;
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    const anonymity = await t.call('PATCH', `/v1/surveys/${anonymousId}`, { anonymous: false });
    expect([anonymity.statusCode, anonymity.json().code]).toEqual([409, 'survey_anonymity_fixed']);
    // An id keeps its kind: NPS answers of versions 1 and 2 would be summed with CSAT ones under one question.
    const renamed = q.map((x) => (x.id === 'recommend' ? { ...x, kind: 'csat' } : x));
    const kind = await t.call('PATCH', `/v1/surveys/${anonymousId}`, { questions: [...renamed, { id: 'more', kind: 'rating', required: false, min: 1, max: 10, text: { en: 'Rate the app' } }] });
    expect([kind.statusCode, kind.json().code]).toEqual([409, 'question_kind_fixed']);
    expect(kind.json().detail).toMatch(/recommend.*nps.*csat/);
    expect((await ok('GET', `/v1/surveys/${anonymousId}`)).version).toBe(2);
    expect(await count(sql`SELECT count(*) AS n FROM question_form_versions WHERE program_id = ${t.programId} AND form_id = ${anonymousId}`)).toBe(2);
    // A question of the new kind under an id of its own is fine.
    const added = await ok('PATCH', `/v1/surveys/${anonymousId}`, { questions: [...q, { id: 'more', kind: 'rating', required: false, min: 1, max: 10, text: { en: 'Rate the app' } }, { id: 'satisfied', kind: 'csat', required: false, text: { en: 'How satisfied are you?' } }] });
    expect(added.version).toBe(3);
  });

  it('results: NPS with its interval, CSAT, groups (small ones suppressed when anonymous), question summaries', async () => {
    await portal('DORA', 'POST', `/surveys/${anonymousId}/answers`, { answers: { recommend: 9, service: 4 } });
    const r = await ok('GET', `/v1/surveys/${anonymousId}/results?by=period&period=month`);
    expect(r.answers).toBe(3);
    expect(r.nps).toMatchObject({ n: 3, promoters: 2, detractors: 1, nps: 33.3 });
    expect(r.nps.low).toBeLessThan(33.3);
    expect(r.csat).toMatchObject({ n: 3, satisfied: 2, share: 66.7 });
    expect(r.groups).toEqual([expect.objectContaining({ key: '2026-11', answers: 3 })]);
    const byTier = await ok('GET', `/v1/surveys/${anonymousId}/results?by=tier`);
    expect(byTier.groups.every((g: { suppressed: boolean; nps: { nps: unknown } }) => g.suppressed && g.nps.nps === null)).toBe(true);
    const channel = r.questions.find((q: { id: string }) => q.id === 'channel');
    expect(channel.counts).toEqual([expect.objectContaining({ key: 'shop', count: 0 }), expect.objectContaining({ key: 'web', count: 1 })]);
    expect(r.questions.find((q: { id: string }) => q.id === 'why').texts).toEqual(['Slow deliveries']);
  });

  it('CSAT reported by another module counts in the program figures, once per source ref', async () => {
    expect(await recordCsat(t.database.db, t.programId, { source: 'service_desk', sourceRef: 'REQ-1', score: 5, occurredAt: new Date('2026-11-24T10:00:00Z') })).toEqual({ created: true });
    expect((await t.call('POST', '/v1/csat-scores', { source: 'service_desk', sourceRef: 'REQ-1', score: 5 })).statusCode).toBe(200);
    const bad = await t.call('POST', '/v1/csat-scores', { source: 'service_desk', sourceRef: 'REQ-2', score: 6 });
    expect([bad.statusCode, bad.json().code]).toEqual([422, 'answer_out_of_range']);
    const figures = await ok('GET', '/v1/listening/figures?by=period');
    // Survey CSAT answers (2, 5, 4 on the anonymous survey; 2 on the owners' one) and the service desk's 5.
    expect(figures.csat).toMatchObject({ n: 5, satisfied: 3 });
    const backwards = await t.call('GET', '/v1/listening/figures?from=2026-11-30&to=2026-11-01');
    expect([backwards.statusCode, backwards.json().code, backwards.json().errors[0].path]).toEqual([400, 'validation_failed', 'querystring.to']);
  });
  it('progress is kept on the server: saved as each question is answered, resumed on another device, deleted on sending', async () => {
    const created = await ok('POST', '/v1/surveys', npsSurvey({ title: { en: 'Drafts' }, anonymous: true, points: 0 }));
    await ok('POST', `/v1/surveys/${created.id}/publish`);
    const draftsId: string = created.id;
    const v = (await portal('BO', 'GET', `/surveys/${draftsId}`)).json().version;
    expect((await portal('BO', 'GET', `/surveys/${draftsId}/draft`)).json()).toEqual({ draft: null });
    const saved = await portal('BO', 'PUT', `/surveys/${draftsId}/draft`, { version: v, answers: { recommend: 9 }, step: 1 });
    expect(saved.statusCode, saved.body).toBe(200);
    // Saving again (a retry from a phone that lost the answer) keeps one draft.
    await portal('BO', 'PUT', `/surveys/${draftsId}/draft`, { version: v, answers: { recommend: 9, channel: 'shop' }, step: 2 });
    // Another device of the same member (a new session) resumes at the same question.
    browsers.BO2 = await signIn('BO');
    const resumed = (await portal('BO2', 'GET', `/surveys/${draftsId}/draft`)).json();
    expect(resumed.draft).toMatchObject({ version: v, answers: { recommend: 9, channel: 'shop' }, step: 2 });
    // Checked like an answer, except that required questions may still be empty.
    for (const [body, code] of [
      [{ version: v, answers: { recommend: 12 } }, 'answer_out_of_range'],
      [{ version: v, answers: { channel: 'fax' } }, 'unknown_option'],
      [{ version: v, answers: { colour: 'red' } }, 'unknown_question'],
      [{ version: v + 1, answers: {} }, 'survey_draft_outdated'],
    ] as const) {
      const res = await portal('BO', 'PUT', `/surveys/${draftsId}/draft`, body);
      expect([res.statusCode, res.json().code]).toEqual([code === 'survey_draft_outdated' ? 409 : 422, code]);
    }
    expect((await portal('BO', 'GET', `/surveys/${draftsId}/draft`)).json().draft.answers).toEqual({ recommend: 9, channel: 'shop' });
    // Another member sees none of it.
    expect((await portal('CARL', 'GET', `/surveys/${draftsId}/draft`)).json()).toEqual({ draft: null });
    expect(await count(sql`SELECT count(*) AS n FROM survey_drafts WHERE program_id = ${t.programId} AND survey_id = ${draftsId}`)).toBe(1);

    // Sending deletes the draft with the "already answered" mark; a late retry of a save is refused.
    const sent = await portal('BO', 'POST', `/surveys/${draftsId}/answers`, { answers: { recommend: 9, service: 4, channel: 'shop' } });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(await count(sql`SELECT count(*) AS n FROM survey_drafts WHERE program_id = ${t.programId} AND survey_id = ${draftsId}`)).toBe(0);
    const late = await portal('BO', 'PUT', `/surveys/${draftsId}/draft`, { version: v, answers: { recommend: 9 }, step: 1 });
    expect([late.statusCode, late.json().code]).toEqual([409, 'survey_already_answered']);
    expect(await count(sql`SELECT count(*) AS n FROM survey_drafts WHERE program_id = ${t.programId}`)).toBe(0);

    // Starting over deletes a draft; deleting twice is fine.
    await portal('CARL', 'PUT', `/surveys/${draftsId}/draft`, { version: v, answers: { recommend: 1 }, step: 0 });
    expect((await portal('CARL', 'DELETE', `/surveys/${draftsId}/draft`)).statusCode).toBe(204);
    expect((await portal('CARL', 'DELETE', `/surveys/${draftsId}/draft`)).statusCode).toBe(204);
    expect((await portal('CARL', 'GET', `/surveys/${draftsId}/draft`)).json()).toEqual({ draft: null });
  });
});

describe('quizzes', () => {
  let quizId: string;
  const bank = [
    { id: 'q1', kind: 'single', text: { en: 'Torque unit?' }, options: [{ id: 'nm', text: { en: 'Nm' } }, { id: 'kg', text: { en: 'kg' } }], correct: ['nm'] },
    { id: 'q2', kind: 'multiple', text: { en: 'Safety gear?' }, options: [{ id: 'gloves', text: { en: 'Gloves' } }, { id: 'goggles', text: { en: 'Goggles' } }, { id: 'tie', text: { en: 'Tie' } }], correct: ['gloves', 'goggles'] },
    { id: 'q3', kind: 'single', text: { en: 'Battery?' }, options: [{ id: 'li', text: { en: 'Li-ion' } }, { id: 'pb', text: { en: 'Lead' } }], correct: ['li'] },
  ];
  const right = { q1: 'nm', q2: ['goggles', 'gloves'], q3: 'li' };
  const wrong = { q1: 'kg', q2: ['tie'], q3: 'pb' };

  it('every question needs its correct answers', async () => {
    const res = await t.call('POST', '/v1/quizzes', { title: { en: 'Bad' }, questions: [{ id: 'x', kind: 'text', text: { en: 'Free?' } }] });
    expect([res.statusCode, res.json().code]).toEqual([422, 'quiz_needs_correct_answers']);
  });

  it('an attempt shows the drawn questions without the correct answers; checked on the server; cool-down and limit', async () => {
    quizId = (await ok('POST', '/v1/quizzes', { title: { en: 'Installer basics' }, questions: bank, passPercent: 100, maxAttempts: 3, cooldownMinutes: 60, draw: 3, points: 100 })).id;
    await ok('POST', `/v1/quizzes/${quizId}/publish`);
    expect((await portal('CARL', 'GET', '/learn')).json().quizzes).toEqual([expect.objectContaining({ id: quizId, points: 100, attemptsLeft: 3, passed: false })]);

    const start = await portal('CARL', 'POST', `/quizzes/${quizId}/attempts`, {});
    expect(start.statusCode).toBe(201);
    expect(start.body).not.toContain('correct');
    expect(start.json().questions).toHaveLength(3);
    // A dropped connection: asking again resumes the same attempt.
    const resumed = await portal('CARL', 'POST', `/quizzes/${quizId}/attempts`, {});
    expect([resumed.statusCode, resumed.json().id]).toEqual([200, start.json().id]);

    const unknown = await portal('CARL', 'POST', `/quiz-attempts/${start.json().id}/submit`, { answers: { ...right, q1: 'lbs' } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, 'unknown_option']);
    // Every correct option, but one of them twice: refused, not folded into the right answer; the attempt stays open.
    const repeated = await portal('CARL', 'POST', `/quiz-attempts/${start.json().id}/submit`, { answers: { ...right, q2: ['gloves', 'gloves', 'goggles'] } });
    expect([repeated.statusCode, repeated.json().code, repeated.json().errors]).toEqual([400, 'validation_failed', [{ path: 'body.answers.q2', code: 'invalid_value', message: 'names an option more than once' }]]);
    const inner = (() => {
      try {
        validateAnswers(bank as Question[], { ...right, q2: ['goggles', 'gloves', 'goggles'] });
      } catch (e) {
        return e as LojalError;
      }
    })();
    expect([inner?.code, inner?.issues?.[0]?.path]).toEqual(['validation_failed', 'answers.q2']);
    const failed = (await portal('CARL', 'POST', `/quiz-attempts/${start.json().id}/submit`, { answers: wrong })).json();
    expect(failed).toMatchObject({ score: 0, total: 3, passed: false, points: 0 });
    expect(failed.results.find((r: { id: string }) => r.id === 'q1').correctOptions).toEqual(['nm']);
    const twice = await portal('CARL', 'POST', `/quiz-attempts/${start.json().id}/submit`, { answers: right });
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'quiz_attempt_submitted']);

    const cooling = await portal('CARL', 'POST', `/quizzes/${quizId}/attempts`, {});
    expect([cooling.statusCode, cooling.json().code]).toEqual([429, 'quiz_cooldown']);
    t.clock.advance(61 * 60_000);
    const second = (await portal('CARL', 'POST', `/quizzes/${quizId}/attempts`, {})).json();
    const passed = (await portal('CARL', 'POST', `/quiz-attempts/${second.id}/submit`, { answers: right })).json();
    expect(passed).toMatchObject({ score: 3, passed: true, firstPass: true, points: 100 });

    t.clock.advance(61 * 60_000);
    const third = (await portal('CARL', 'POST', `/quizzes/${quizId}/attempts`, {})).json();
    const again = (await portal('CARL', 'POST', `/quiz-attempts/${third.id}/submit`, { answers: right })).json();
    expect(again).toMatchObject({ passed: true, firstPass: false, points: 0 });
    expect(await eventsOf(`quiz:${quizId}:${ids.CARL}`)).toBe(1);

    t.clock.advance(61 * 60_000);
    const over = await portal('CARL', 'POST', `/quizzes/${quizId}/attempts`, {});
    expect([over.statusCode, over.json().code]).toEqual([409, 'quiz_attempts_exhausted']);
    t.clock.set('2026-11-25T12:00:00Z');
  });

  it('another member cannot hand in my attempt', async () => {
    const mine = (await portal('DORA', 'POST', `/quizzes/${quizId}/attempts`, {})).json();
    const theirs = await portal('CARL', 'POST', `/quiz-attempts/${mine.id}/submit`, { answers: right });
    expect(theirs.statusCode).toBe(404);
  });

  it('per-question statistics for the author', async () => {
    const s = await ok('GET', `/v1/quizzes/${quizId}/stats`);
    expect(s).toMatchObject({ attempts: 3, members: 1, passed: 1, passRate: 100 });
    const q1 = s.questions.find((q: { id: string }) => q.id === 'q1');
    expect(q1).toMatchObject({ shown: 3, correct: 2 });
    expect(q1.options).toEqual([expect.objectContaining({ id: 'nm', picked: 2, correct: true }), expect.objectContaining({ id: 'kg', picked: 1, correct: false })]);
  });
});
