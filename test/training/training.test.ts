/**
 * Trainings and members-only content through the API and the portal, on both databases: authoring and
 * publishing a course, taking it in order, points paid once as a training.completed event, the certificate
 * (PDF, public verification, expiry reminders), a tier level that requires it, gated content with early
 * access and read receipts, the bad-input codes and another program's ids.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { tinyPdf } from '../../src/evidence/samples.js';
import { getProgram } from '../../src/programs/programs.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { evaluateTiers } from '../../src/tiers/job.js';
import { completeQuizModules, runCertificateReminders } from '../../src/training/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { createRules } from '../support/fixtures.js';
import { expectLedgerConsistent, wallet } from '../support/ledger.js';
import { postMultipart } from '../support/multipart.js';

let t: TestApp;
const ids: Record<string, string> = {};
const DAY = 86_400_000;
/** A published quiz of one question; the course's quiz module names it. */
let QUIZ = '';
let courseId = '';
let modules: Array<{ id: string; kind: string }> = [];

const ok = async (method: string, url: string, body?: unknown, status = [200, 201]) => {
  const res = await t.call(method, url, body);
  if (!status.includes(res.statusCode)) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};

interface Browser {
  cookie: string;
  csrf: string;
}
async function signIn(memberId: string, email: string, at?: Date): Promise<Browser> {
  const { token, session } = await createSession(t.database.db, { kind: 'member', email }, at ?? t.clock());
  await chooseSessionMember(t.database.db, session.id, t.programId, memberId);
  return { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
}
function portal(b: Browser, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { cookie: b.cookie };
  if (method !== 'GET') headers['x-csrf-token'] = b.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method: method as 'GET', url: `/portal/v1${url}`, headers, ...(body !== undefined && { payload: JSON.stringify(body) }) });
}

const names = (en: string) => ({ en, sv: `${en} (sv)`, nb: `${en} (nb)`, pl: `${en} (pl)`, de: `${en} (de)` });
let anna: Browser;
let bo: Browser;

async function addMember(ext: string, accountId: string, language: string, tags: string[] = []) {
  const id = uuidv7();
  await t.database.db
    .insertInto('members')
    .values({ program_id: t.programId, id, account_id: accountId, external_id: ext, name: ext === 'ANNA' ? 'Anna Łęcka-Żółć' : `Person ${ext}`, email: `${ext.toLowerCase()}@example.com`, role: 'installer', language, tags, attributes: '{}' } as never)
    .execute();
  await t.database.db.insertInto('wallets').values({ program_id: t.programId, id, kind: 'member' }).execute();
  return id;
}

beforeAll(async () => {
  t = await startTestApp();
  for (const [ext, segment] of [['EL', 'electrical'], ['PL', 'plumbing']] as const) {
    const id = uuidv7();
    await t.database.db.insertInto('accounts').values({ program_id: t.programId, id, external_id: ext, name: `Company ${ext}`, tags: [], segment, status: 'active', attributes: '{}' } as never).execute();
    await t.database.db.insertInto('wallets').values({ program_id: t.programId, id, kind: 'account' }).execute();
    ids[ext] = id;
  }
  ids.ANNA = await addMember('ANNA', ids.EL!, 'pl', ['pro']);
  const quiz = await ok('POST', '/v1/quizzes', {
    title: { en: 'Safety check' },
    questions: [{ id: 'q1', kind: 'single', text: { en: 'Helmet on a roof?' }, options: [{ id: 'yes', text: { en: 'Always' } }, { id: 'no', text: { en: 'Never' } }], correct: ['yes'] }],
    passPercent: 100,
  });
  await ok('POST', `/v1/quizzes/${quiz.id}/publish`);
  QUIZ = quiz.id;
  ids.BO = await addMember('BO', ids.PL!, 'sv');
  await createRules(t, [
    { name: 'Course completed', effectiveFrom: '2020-01-01T00:00:00Z', definition: { conditions: { eventTypes: ['training.completed'] }, effect: { type: 'fixed', points: 200 }, recipient: { type: 'member' } } },
    { name: 'Bonus', effectiveFrom: '2020-01-01T00:00:00Z', definition: { conditions: { eventTypes: ['bonus.given'] }, effect: { type: 'fixed', points: 500 }, recipient: { type: 'member' } } },
  ] as never);
  await ok('PUT', '/v1/tiers', {
    settings: { basis: 'points', windowKind: 'rolling', windowMonths: 24, scope: 'member' },
    levels: [
      { code: 'silver', rank: 1, threshold: 0, names: names('Silver') },
      { code: 'gold', rank: 2, threshold: 100, names: names('Gold') },
      { code: 'platinum', rank: 3, threshold: 10_000, names: names('Platinum') },
    ],
  });
  anna = await signIn(ids.ANNA, 'anna@example.com');
  bo = await signIn(ids.BO, 'bo@example.com');
});
afterAll(async () => t?.close());

describe('authoring a course', () => {
  it('uploads a file, creates a draft with text, file and quiz modules, and refuses bad input', async () => {
    const up = await postMultipart(t, '/v1/training/files', [{ name: 'file', fileName: 'handbok.pdf', bytes: tinyPdf('Handbok') }]);
    expect(up.statusCode, up.body).toBe(201);
    const fileId = up.json().data[0].id;
    const course = {
      code: 'installer',
      title: { en: 'Installer certified', sv: 'Certifierad installatör', pl: 'Certyfikowany instalator' },
      summary: { en: 'Three short steps' },
      certificate: { validMonths: 12 },
      modules: [
        { kind: 'text', title: { en: 'Safety first', pl: 'Najpierw bezpieczeństwo' }, body: { en: 'Switch off the mains.', pl: 'Wyłącz zasilanie.' } },
        { kind: 'file', title: { en: 'The handbook' }, fileId },
        { kind: 'quiz', title: { en: 'Check yourself' }, quizId: QUIZ },
      ],
    };
    const created = await t.call('POST', '/v1/courses', course);
    expect(created.statusCode, created.body).toBe(201);
    const c = created.json();
    expect(c).toMatchObject({ status: 'draft', certificate: { validMonths: 12 }, missingLanguages: ['nb', 'de'], figures: { started: 0, completed: 0 } });
    expect(c.modules.map((m: { kind: string; missingLanguages: string[] }) => [m.kind, m.missingLanguages.length])).toEqual([['text', 3], ['file', 4], ['quiz', 4]]);
    courseId = c.id;
    modules = c.modules;

    const cases: Array<[unknown, number, string]> = [
      [{ ...course, code: 'installer' }, 409, 'course_code_taken'],
      [{ ...course, code: 'x2', modules: [{ kind: 'file', title: { en: 'x' }, fileId: uuidv7() }] }, 422, 'unknown_training_file'],
      [{ ...course, code: 'x3', modules: [{ kind: 'video', title: { en: 'x' }, url: 'http://insecure.example.com/v' }] }, 400, 'validation_failed'],
      [{ ...course, code: 'x4', title: {} }, 400, 'validation_failed'],
      [{ ...course, code: 'x5', modules: [] }, 400, 'validation_failed'],
      [{ ...course, code: 'x6', title: { fi: 'Hei' } }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await t.call('POST', '/v1/courses', body);
      expect([res.statusCode, res.json().code], JSON.stringify(body).slice(0, 80)).toEqual([status, code]);
    }
    expect((await ok('GET', '/v1/courses')).data).toHaveLength(1);
  });

  it('a draft is not in the portal; published, its structure is locked but its texts may change', async () => {
    expect((await portal(anna, 'GET', `/courses/${courseId}`)).statusCode).toBe(404);
    const pub = await ok('POST', `/v1/courses/${courseId}/publish`);
    expect(pub.status).toBe('published');
    const current = await ok('GET', `/v1/courses/${courseId}`);
    const input = {
      code: current.code,
      title: { ...current.title, de: 'Zertifizierter Installateur' },
      summary: current.summary,
      certificate: current.certificate,
      modules: current.modules.map((m: { kind: string; title: object; body: object; fileId: string; quizId: string }) => ({
        kind: m.kind,
        title: m.title,
        ...(m.kind === 'text' ? { body: m.body } : { body: m.body }),
        ...(m.kind === 'file' && { fileId: m.fileId }),
        ...(m.kind === 'quiz' && { quizId: m.quizId }),
      })),
    };
    const edited = await t.call('PUT', `/v1/courses/${courseId}`, input);
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().missingLanguages).toEqual(['nb']);
    expect(edited.json().modules.map((m: { id: string }) => m.id)).toEqual(modules.map((m) => m.id));
    const reordered = await t.call('PUT', `/v1/courses/${courseId}`, { ...input, modules: [...input.modules].reverse() });
    expect([reordered.statusCode, reordered.json().code]).toEqual([409, 'course_structure_locked']);
  });
});

describe('taking a course', () => {
  it('goes module by module in the member’s language; the quiz module is completed by the quiz seam; the course pays once', async () => {
    const list = await portal(anna, 'GET', '/courses');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().data[0]).toMatchObject({ id: courseId, title: { text: 'Certyfikowany instalator', language: 'pl', fallback: false }, points: 200, done: 0, modules: 3 });

    const [text, file, quiz] = modules as unknown as [{ id: string }, { id: string }, { id: string }];
    const locked = await portal(anna, 'POST', `/courses/${courseId}/modules/${file.id}/complete`);
    expect([locked.statusCode, locked.json().code]).toEqual([409, 'module_locked']);
    const first = await portal(anna, 'POST', `/courses/${courseId}/modules/${text.id}/complete`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ recorded: true, progress: { done: 1, total: 3 }, course: null });
    const again = await portal(anna, 'POST', `/courses/${courseId}/modules/${text.id}/complete`);
    expect(again.json()).toMatchObject({ recorded: false, progress: { done: 1, total: 3 } });
    await portal(anna, 'POST', `/courses/${courseId}/modules/${file.id}/complete`);
    const viaPortal = await portal(anna, 'POST', `/courses/${courseId}/modules/${quiz.id}/complete`);
    expect([viaPortal.statusCode, viaPortal.json().code]).toEqual([409, 'module_needs_quiz']);

    const player = (await portal(anna, 'GET', `/courses/${courseId}`)).json();
    expect(player.modules.map((m: { state: string }) => m.state)).toEqual(['done', 'done', 'open']);
    expect(player.modules[0].title).toEqual({ text: 'Najpierw bezpieczeństwo', language: 'pl', fallback: false });
    expect(player.modules[1]).toMatchObject({ title: { text: 'The handbook', language: 'en', fallback: true }, file: { contentType: 'application/pdf' } });
    const download = await t.app.inject({ method: 'GET', url: player.modules[1].file.url, headers: { cookie: anna.cookie } });
    expect([download.statusCode, download.headers['content-type']]).toEqual([200, 'application/pdf']);

    // Passing the quiz in the portal completes the quiz module, and with it the course, in the same transaction.
    const attempt = await portal(anna, 'POST', `/quizzes/${QUIZ}/attempts`, {});
    expect(attempt.statusCode, attempt.body).toBe(201);
    const passed = await portal(anna, 'POST', `/quiz-attempts/${attempt.json().id}/submit`, { answers: { q1: 'yes' } });
    expect(passed.json()).toMatchObject({ passed: true });
    const afterPass = (await portal(anna, 'GET', `/courses/${courseId}`)).json();
    expect(afterPass.modules.map((m: { state: string }) => m.state)).toEqual(['done', 'done', 'done']);
    const certificates = await ok('GET', '/v1/certificates');
    expect(certificates.data).toEqual([expect.objectContaining({ language: 'pl', memberName: 'Anna Łęcka-Żółć', courseTitle: 'Certyfikowany instalator' })]);
    const program = (await getProgram(t.database.db, t.programId))!;
    const event = await ok('GET', `/v1/events/training:${courseId}:${ids.ANNA}`);
    expect(event).toMatchObject({ type: 'training.completed', points: 200, memberId: ids.ANNA });
    // At event time the tier evaluation saw the certificate: gold needs it (set below) but holds already here.
    const again2 = await t.database.db.transaction().execute((trx) => completeQuizModules(trx, program, ids.ANNA!, QUIZ, t.clock()));
    expect(again2[0]).toMatchObject({ recorded: false, course: null });
    const w = await wallet(t.database.db, t.programId, ids.ANNA!);
    expect(w.available + w.pending).toBe(200);
    await expectLedgerConsistent(t.database.db, t.programId);

    const figures = await ok('GET', `/v1/courses/${courseId}`);
    expect(figures.figures).toEqual({ started: 1, completed: 1 });
    expect(figures.modules.map((m: { completions: number }) => m.completions)).toEqual([1, 1, 1]);
    const completions = await ok('GET', `/v1/courses/${courseId}/completions`);
    expect(completions.data).toEqual([expect.objectContaining({ memberId: ids.ANNA, points: 200 })]);
  });

  it('prints the certificate as a PDF in Polish with the font embedded, and anyone can verify its code', async () => {
    const mine = (await portal(anna, 'GET', '/certificates')).json().data;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'valid', expiresSoon: false, expiresAt: '2027-11-25T12:00:00.000Z' });
    const pdf = await t.app.inject({ method: 'GET', url: mine[0].pdfUrl, headers: { cookie: anna.cookie } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.rawPayload.toString('latin1')).toMatch(/DejaVuSans/);
    expect((await t.app.inject({ method: 'GET', url: mine[0].pdfUrl, headers: { cookie: bo.cookie } })).statusCode).toBe(404);

    const code: string = mine[0].code;
    const verified = await t.app.inject({ method: 'GET', url: `/v1/certificates/verify/${code.toLowerCase().replace(/-/g, '')}`, headers: { 'accept-language': 'de' } });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toMatchObject({ status: 'valid', message: 'Gültiges Zertifikat', memberName: 'Anna Łęcka-Żółć', programName: 'Test program' });
    expect((await t.app.inject({ method: 'GET', url: '/v1/certificates/verify/AAAAA-BBBBB-CCCCC' })).statusCode).toBe(404);
  });

  it('a tier level may require the certification: without it a member stays below, with it they hold it', async () => {
    const put = await t.call('PUT', '/v1/training/tier-requirements', { requirements: [{ level: 'gold', courseIds: [courseId] }] });
    expect(put.statusCode, put.body).toBe(200);
    const bad = await t.call('PUT', '/v1/training/tier-requirements', { requirements: [{ level: 'diamond', courseIds: [courseId] }] });
    expect([bad.statusCode, bad.json().code]).toEqual([422, 'unknown_tier_level']);

    // Bo earns 500 points without the course: enough for gold by points, not by certification.
    await ok('POST', '/v1/events', { id: 'bonus-bo', type: 'bonus.given', occurredAt: t.clock().toISOString(), accountId: ids.PL, memberId: ids.BO });
    // A minute on, so the window (which ends at now) holds the completion's points.
    t.clock.advance(60_000);
    await evaluateTiers(t.database.db, t.programId, t.clock());
    const tierOf = async (id: string) => (await t.database.db.selectFrom('members').select('tier').where('id', '=', id).executeTakeFirstOrThrow()).tier;
    const status = await t.database.db.selectFrom('tier_history').selectAll().where('program_id', '=', t.programId).execute();
    expect(await tierOf(ids.BO!), JSON.stringify(status)).toBe('silver');
    expect(await tierOf(ids.ANNA!), JSON.stringify(status)).toBe('gold');
  });

  it('tells the member once, 30 days before the certificate expires; after expiry the tier is lost', async () => {
    const start = t.clock();
    t.clock.set(new Date(Date.parse('2027-11-25T12:00:00Z') - 31 * DAY));
    expect(await runCertificateReminders(t.database.db, t.clock())).toEqual({ reminded: 0, mailed: 0 });
    t.clock.set(new Date(Date.parse('2027-11-25T12:00:00Z') - 20 * DAY));
    expect(await runCertificateReminders(t.database.db, t.clock())).toEqual({ reminded: 1, mailed: 1 });
    expect(await runCertificateReminders(t.database.db, t.clock())).toEqual({ reminded: 0, mailed: 0 });
    const mails = await t.database.db.selectFrom('mail_outbox').select(['to_address', 'subject', 'language']).where('program_id', '=', t.programId).where('template', '=', 'certificate_expiring').execute();
    expect(mails).toEqual([{ to_address: 'anna@example.com', language: 'pl', subject: 'Twój certyfikat „Certyfikowany instalator” wygasa 25 listopada 2027' }]);
    const listed = (await ok('GET', `/v1/certificates?memberId=${ids.ANNA}`)).data[0];
    expect(listed).toMatchObject({ status: 'valid', expiresSoon: true });

    // A year on, Anna's 200 points (24-month window) still reach gold, but the certificate has expired.
    t.clock.set('2027-12-01T12:00:00Z');
    await evaluateTiers(t.database.db, t.programId, t.clock());
    const history = await t.database.db.selectFrom('tier_history').select(['from_level', 'to_level', 'reason']).where('program_id', '=', t.programId).where('owner_id', '=', ids.ANNA!).orderBy('at').execute();
    expect(history.at(-1)).toMatchObject({ from_level: 'gold', to_level: 'silver', reason: 'certification_missing' });
    expect((await ok('GET', `/v1/certificates?memberId=${ids.ANNA}`)).data[0].status).toBe('expired');
    t.clock.set(start);
  });
});

describe('members-only content', () => {
  let articleId = '';
  it('is gated by tier with early access, leaves read receipts and counts participation', async () => {
    // Anna is silver again (certificate expired); Bo is silver. Make Bo gold by hand for the early window.
    anna = await signIn(ids.ANNA!, 'anna@example.com');
    bo = await signIn(ids.BO!, 'bo@example.com');
    await t.database.db.updateTable('members').set({ tier: 'gold' }).where('id', '=', ids.BO!).execute();
    const now = t.clock();
    const article = await t.call('POST', '/v1/content', {
      kind: 'article',
      title: { en: 'Spring price list', sv: 'Vårens prislista' },
      body: { en: 'Prices rise 3 % on 1 March.', sv: 'Priserna höjs 3 % den 1 mars.' },
      audience: { tiers: ['silver', 'gold'] },
      earlyAccess: { gold: 7 },
      availableAt: new Date(now.getTime() + 3 * DAY).toISOString(),
    });
    expect(article.statusCode, article.body).toBe(201);
    articleId = article.json().id;
    const pro = await ok('POST', '/v1/content', { kind: 'article', title: { en: 'For pros' }, body: { en: 'Tagged.' }, audience: { tags: ['pro'], segments: ['electrical'] } });
    for (const id of [articleId, pro.id]) await ok('POST', `/v1/content/${id}/publish`);

    const boRes = await portal(bo, 'GET', '/content');
    expect(boRes.statusCode, boRes.body).toBe(200);
    const boList = boRes.json().data;
    expect(boList).toEqual([expect.objectContaining({ id: articleId, early: true, read: false, title: { text: 'Vårens prislista', language: 'sv', fallback: false } })]);
    const annaList = (await portal(anna, 'GET', '/content')).json().data;
    expect(annaList.map((c: { id: string }) => c.id)).toEqual([pro.id]);
    expect((await portal(anna, 'GET', `/content/${articleId}`)).statusCode).toBe(404);
    expect((await portal(anna, 'POST', `/content/${articleId}/read`)).statusCode).toBe(404);

    const opened = await portal(bo, 'GET', `/content/${articleId}`);
    expect(opened.json()).toMatchObject({ body: { text: 'Priserna höjs 3 % den 1 mars.' }, early: true });
    expect((await portal(bo, 'POST', `/content/${articleId}/read`)).statusCode).toBe(204);
    await portal(bo, 'POST', `/content/${articleId}/read`);
    const figures = await ok('GET', `/v1/content/${articleId}`);
    expect(figures.figures).toEqual({ readers: 1, reads: 2, accounts: 1, audience: 1 });

    // When it opens for everyone, silver Anna sees it too.
    t.clock.advance(4 * DAY);
    expect((await portal(anna, 'GET', '/content')).json().data.map((c: { id: string }) => c.id)).toContain(articleId);
    expect((await ok('GET', `/v1/content/${articleId}`)).figures.audience).toBe(2);
    t.clock.advance(-4 * DAY);
  });

  it('refuses unknown tiers and a file item without a file; another program cannot reach any of it', async () => {
    const unknown = await t.call('POST', '/v1/content', { kind: 'article', title: { en: 'x' }, body: { en: 'y' }, earlyAccess: { diamond: 3 } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, 'unknown_tier_level']);
    const noFile = await t.call('POST', '/v1/content', { kind: 'file', title: { en: 'x' } });
    expect([noFile.statusCode, noFile.json().code]).toEqual([400, 'validation_failed']);
    const before = await t.database.db.selectFrom('content_items' as never).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();

    const other = await t.newProgram();
    for (const url of [`/v1/courses/${courseId}`, `/v1/content/${articleId}`, `/v1/courses/${courseId}/completions`]) {
      expect((await t.call('GET', url, undefined, other.key)).statusCode).toBe(404);
    }
    expect((await t.call('POST', `/v1/courses/${courseId}/publish`, undefined, other.key)).statusCode).toBe(404);
    expect((await t.call('POST', `/v1/courses/${courseId}/completions`, { memberId: ids.BO, moduleId: modules[0]!.id }, other.key)).statusCode).toBe(404);
    const after = await t.database.db.selectFrom('content_items' as never).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });
});

describe('renewing a certificate', () => {
  const pay = async (id: string) => {
    const w = await wallet(t.database.db, t.programId, id);
    return w.available + w.pending;
  };

  it('by the whole course: every module again, a new code, the old one verifies as replaced, no second payment', async () => {
    const start = t.clock();
    const course = await ok('POST', '/v1/courses', {
      code: 'ladders',
      title: { en: 'Ladder safety', sv: 'Stegsäkerhet' },
      certificate: { validMonths: 12 },
      modules: [
        { kind: 'text', title: { en: 'One' }, body: { en: 'Stand straight.' } },
        { kind: 'text', title: { en: 'Two' }, body: { en: 'Three points of contact.' } },
      ],
    });
    expect(course.certificate).toEqual({ validMonths: 12, renewBy: 'course' });
    await ok('POST', `/v1/courses/${course.id}/publish`);
    for (const m of course.modules) await portal(bo, 'POST', `/courses/${course.id}/modules/${m.id}/complete`);
    const first = (await portal(bo, 'GET', `/courses/${course.id}`)).json();
    expect([first.complete, first.renewal]).toEqual([true, null]);
    const tooEarly = await portal(bo, 'POST', `/courses/${course.id}/renewal`);
    expect([tooEarly.statusCode, tooEarly.json().code]).toEqual([409, 'certificate_not_renewable']);
    const paid = await pay(ids.BO!);

    // 20 days before expiry the course offers renewal; starting it reopens both modules.
    t.clock.advance(345 * DAY);
    bo = await signIn(ids.BO!, 'bo@example.com', t.clock()); // a session of that day
    const offered = (await portal(bo, 'GET', `/courses/${course.id}`)).json();
    expect(offered.renewal).toEqual({ state: 'available', certificateId: first.certificateId, renewBy: 'course' });
    const started = await portal(bo, 'POST', `/courses/${course.id}/renewal`);
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json().moduleIds).toEqual(course.modules.map((m: { id: string }) => m.id));
    expect((await portal(bo, 'POST', `/courses/${course.id}/renewal`)).json().id).toBe(started.json().id);
    const during = (await portal(bo, 'GET', `/courses/${course.id}`)).json();
    expect(during.modules.map((m: { state: string }) => m.state)).toEqual(['open', 'locked']);
    expect(during.renewal.state).toBe('started');
    await portal(bo, 'POST', `/courses/${course.id}/modules/${course.modules[0].id}/complete`);
    const last = await portal(bo, 'POST', `/courses/${course.id}/modules/${course.modules[1].id}/complete`);
    expect(last.statusCode, last.body).toBe(200);
    const renewed = last.json().course;
    expect(renewed).toMatchObject({ points: 0, certificate: { status: 'valid', courseTitle: 'Stegsäkerhet', replacedBy: null } });
    expect(await pay(ids.BO!)).toBe(paid);

    const mine = (await ok('GET', `/v1/certificates?memberId=${ids.BO}&courseId=${course.id}`)).data;
    expect(mine.map((c: { status: string }) => c.status)).toEqual(['replaced', 'valid']);
    expect(mine[0].replacedBy).toBe(mine[1].id);
    expect(mine[0].code).not.toBe(mine[1].code);
    expect(Date.parse(mine[1].expiresAt)).toBeGreaterThan(Date.parse(mine[0].expiresAt));
    const old = await t.app.inject({ method: 'GET', url: `/v1/certificates/verify/${mine[0].code}`, headers: { 'accept-language': 'en' } });
    expect(old.json()).toMatchObject({ status: 'replaced', courseTitle: 'Stegsäkerhet' });
    expect((await portal(bo, 'GET', `/courses/${course.id}`)).json()).toMatchObject({ complete: true, renewal: null, certificateId: mine[1].id });
    await expectLedgerConsistent(t.database.db, t.programId);

    // The page a person opens from the printed link: in their language, no sign-in.
    const page = await t.app.inject({ method: 'GET', url: `/verify/${mine[0].code.toLowerCase()}?lang=sv`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<html lang="sv">');
    expect(page.body).toContain('Certifikatet har förnyats');
    expect(page.body).toContain('Person BO');
    expect(page.body).toContain('data-status="replaced"');
    const fresh = await t.app.inject({ method: 'GET', url: `/verify/${mine[1].code}`, headers: { accept: 'text/html', 'accept-language': 'de' } });
    expect(fresh.body).toContain('Gültiges Zertifikat');
    expect(fresh.body).toContain('Stegsäkerhet');
    const missing = await t.app.inject({ method: 'GET', url: '/verify/AAAAA-BBBBB-CCCCC', headers: { accept: 'text/html' } });
    expect([missing.statusCode, missing.headers['content-type']]).toEqual([404, 'text/html; charset=utf-8']);
    expect((await t.app.inject({ method: 'GET', url: '/verify/AAAAA-BBBBB-CCCCC' })).json().code).toBe('not_found');
    // A name with markup is printed as text.
    await t.database.db.updateTable('certificates' as never).set({ member_name: '<b>Bo</b>' } as never).where('id' as never, '=', mine[1].id as never).execute();
    const escaped = await t.app.inject({ method: 'GET', url: `/verify/${mine[1].code}`, headers: { accept: 'text/html' } });
    expect(escaped.body).toContain('&lt;b&gt;Bo&lt;/b&gt;');
    t.clock.set(start);
    bo = await signIn(ids.BO!, 'bo@example.com');
  });

  it('by the final quiz: the reminder links to the course; an expired certificate is renewed by passing the quiz again', async () => {
    const start = t.clock();
    const refused = await t.call('POST', '/v1/courses', { code: 'no-quiz', title: { en: 'No quiz' }, certificate: { validMonths: 12, renewBy: 'quiz' }, modules: [{ kind: 'text', title: { en: 'One' }, body: { en: 'One.' } }] });
    expect([refused.statusCode, refused.json().errors?.[0]?.path]).toEqual([400, 'certificate.renewBy']);
    const course = await ok('POST', '/v1/courses', {
      code: 'roof-refresh',
      title: { en: 'Roof work' },
      certificate: { validMonths: 12, renewBy: 'quiz' },
      modules: [
        { kind: 'text', title: { en: 'Read' }, body: { en: 'Helmets.' } },
        { kind: 'quiz', title: { en: 'Check' }, quizId: QUIZ },
      ],
    });
    await ok('POST', `/v1/courses/${course.id}/publish`);
    const pass = async () => {
      const attempt = await portal(bo, 'POST', `/quizzes/${QUIZ}/attempts`, {});
      expect(attempt.statusCode, attempt.body).toBe(201);
      expect((await portal(bo, 'POST', `/quiz-attempts/${attempt.json().id}/submit`, { answers: { q1: 'yes' } })).json().passed).toBe(true);
    };
    await portal(bo, 'POST', `/courses/${course.id}/modules/${course.modules[0].id}/complete`);
    await pass();
    const first = (await portal(bo, 'GET', `/courses/${course.id}`)).json();
    expect(first.complete).toBe(true);

    t.clock.advance(350 * DAY);
    bo = await signIn(ids.BO!, 'bo@example.com', t.clock());
    await runCertificateReminders(t.database.db, t.clock(), 'https://loyalty.example.com');
    const mail = await t.database.db.selectFrom('mail_outbox').selectAll().where('program_id', '=', t.programId).where('to_address', '=', 'bo@example.com').where('template', '=', 'certificate_expiring').executeTakeFirstOrThrow();
    expect(JSON.stringify(mail)).toContain(`https://loyalty.example.com/courses/${course.id}`);

    // Expired now; still renewable, by the quiz only.
    t.clock.advance(30 * DAY);
    bo = await signIn(ids.BO!, 'bo@example.com', t.clock());
    const certs = async () => (await ok('GET', `/v1/certificates?memberId=${ids.BO}&courseId=${course.id}`)).data.map((c: { id: string; status: string }) => [c.id, c.status]);
    expect(await certs()).toEqual([[first.certificateId, 'expired']]);
    const started = (await portal(bo, 'POST', `/courses/${course.id}/renewal`)).json();
    expect(started.moduleIds).toEqual([course.modules[1].id]);
    expect((await portal(bo, 'GET', `/courses/${course.id}`)).json().modules.map((m: { state: string }) => m.state)).toEqual(['done', 'open']);
    await pass();
    const after = (await portal(bo, 'GET', `/courses/${course.id}`)).json();
    expect(after).toMatchObject({ complete: true, renewal: null });
    expect(after.certificateId).not.toBe(first.certificateId);
    expect(await certs()).toEqual([[first.certificateId, 'replaced'], [after.certificateId, 'valid']]);
    t.clock.set(start);
    bo = await signIn(ids.BO!, 'bo@example.com');
  });
});

describe('concurrency (PostgreSQL)', () => {
  it.skipIf(!onPostgres)('the same last module completed five times at once records once, pays once and certifies once', async () => {
    const course = await ok('POST', '/v1/courses', { code: 'race', title: { en: 'Race' }, certificate: { validMonths: null }, modules: [{ kind: 'text', title: { en: 'Only' }, body: { en: 'One module.' } }] });
    await ok('POST', `/v1/courses/${course.id}/publish`);
    const before = await wallet(t.database.db, t.programId, ids.BO!);
    const answers = await Promise.all(Array.from({ length: 5 }, () => portal(bo, 'POST', `/courses/${course.id}/modules/${course.modules[0].id}/complete`)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.json().recorded)).toHaveLength(1);
    expect(answers.filter((a) => a.json().course?.points === 200)).toHaveLength(1);
    const after = await wallet(t.database.db, t.programId, ids.BO!);
    expect(after.available + after.pending - (before.available + before.pending)).toBe(200);
    expect((await ok('GET', `/v1/certificates?memberId=${ids.BO}&courseId=${course.id}`)).data).toHaveLength(1);
    await expectLedgerConsistent(t.database.db, t.programId);
  });
});
