/**
 * Examples for listening and learning: surveys, quizzes, trainings with certificates and members-only content, and
 * the service desk, called against the seeded demo program (a Swedish building-trade wholesaler, default language sv).
 * What the calls create is theirs: a delivery survey, a safety quiz, a course, an article, a request; the demo's own
 * objects are only read, and settings written back as they were.
 */
import { sql, type RawBuilder } from 'kysely';
import { tinyPdf } from '../../src/evidence/samples.js';
import type { ExampleScript } from './types.js';

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

const examples: ExampleScript = async (run) => {
  const { db, programId: pid } = run;
  const one = async <T>(query: RawBuilder<T>): Promise<T> => {
    const row = (await query.execute(db)).rows[0];
    if (!row) throw new Error(`listen examples: the demo has no row for ${query.compile(db).sql}`);
    return row;
  };
  const today = new Date();
  const yearAgo = new Date(today.getTime() - 365 * DAY);
  const account = await one(sql<{ id: string }>`SELECT id FROM accounts WHERE program_id = ${pid} AND status = 'active' ORDER BY external_id LIMIT 1`);

  // ------------------------------------------------------------------ surveys
  await run.call({ operationId: 'listSurveys', query: { status: 'published' } });
  const partnerSurvey = await one(sql<{ id: string }>`SELECT id FROM surveys WHERE program_id = ${pid} AND title->>'en' = 'Partner satisfaction 2026'`);
  await run.call({ operationId: 'getSurvey', params: { id: partnerSurvey.id } });
  await run.call({ operationId: 'getSurveyResults', params: { id: partnerSurvey.id }, query: { by: 'tier', from: day(yearAgo), to: day(today) } });
  await run.call({ operationId: 'exportSurveyAnswers', params: { id: partnerSurvey.id }, query: { from: day(new Date(today.getTime() - 90 * DAY)) } });
  await run.call({ operationId: 'getListeningFigures', query: { by: 'period', period: 'quarter' } });

  const created = await run.call({
    operationId: 'createSurvey',
    body: {
      title: { sv: 'Hur gick leveransen?', en: 'How did the delivery go?' },
      intro: { sv: 'Tre snabba frågor om din senaste byggleverans.', en: 'Three quick questions about your latest site delivery.' },
      questions: [
        { id: 'delivery', kind: 'csat', text: { sv: 'Hur nöjd är du med leveransen?', en: 'How satisfied are you with the delivery?' } },
        {
          id: 'on_time',
          kind: 'single',
          text: { sv: 'Kom leveransen i tid?', en: 'Did the delivery arrive on time?' },
          options: [
            { id: 'yes', text: { sv: 'Ja', en: 'Yes' } },
            { id: 'late', text: { sv: 'Nej, den var sen', en: 'No, it was late' } },
          ],
        },
        { id: 'comment', kind: 'text', required: false, text: { sv: 'Något vi kan göra bättre?', en: 'Anything we could do better?' } },
      ],
      oncePer: 'member',
      audience: { roles: ['owner', 'foreman'] },
      closesAt: new Date(today.getTime() + 60 * DAY).toISOString(),
    },
  });
  const surveyId = (created.body as { id: string }).id;
  await run.call({ operationId: 'updateSurvey', params: { id: surveyId }, body: { points: 25, followUp: false } });
  await run.call({ operationId: 'previewSurvey', params: { id: surveyId }, query: { language: 'en' } });
  await run.call({ operationId: 'publishSurvey', params: { id: surveyId } });
  // A published survey promised its anonymity (or not): it cannot change.
  await run.call({ operationId: 'updateSurvey', params: { id: surveyId }, body: { anonymous: true }, expectStatus: 409 });
  await run.call({ operationId: 'closeSurvey', params: { id: surveyId } });

  await run.call({
    operationId: 'recordCsatScore',
    body: { source: 'call-centre', sourceRef: 'CC-2026-04812', score: 4, accountId: account.id, occurredAt: new Date(today.getTime() - 2 * DAY).toISOString() },
  });
  await run.call({ operationId: 'recordCsatScore', body: { source: 'call-centre', sourceRef: 'CC-2026-04813', score: 7 }, expectStatus: 422 });

  const followups = await run.call({ operationId: 'listSurveyFollowups', query: { status: 'open' } });
  const followup = (followups.body as { data: Array<{ id: string }> }).data[0];
  if (followup) {
    await run.call({
      operationId: 'closeSurveyFollowup',
      params: { id: followup.id },
      body: { note: 'Ringde upp platschefen: leveranserna till Västerås-bygget går nu med egen bil varje tisdag.' },
    });
  }

  // ------------------------------------------------------------------ quizzes
  await run.call({ operationId: 'listQuizzes' });
  const quiz = await run.call({
    operationId: 'createQuiz',
    body: {
      title: { sv: 'Säkert på ställningen', en: 'Safe on the scaffold' },
      intro: { sv: 'Fyra frågor om arbete på höjd. Klarar du tre får du 50 poäng.', en: 'Four questions on working at height. Get three right for 50 points.' },
      questions: [
        {
          id: 'guardrail',
          kind: 'single',
          correct: ['h1'],
          text: { sv: 'Från vilken höjd krävs skyddsräcke på en ställning?', en: 'From what height does a scaffold need a guardrail?' },
          options: [
            { id: 'h1', text: { sv: '2 meter', en: '2 metres' } },
            { id: 'h2', text: { sv: '5 meter', en: '5 metres' } },
          ],
        },
        {
          id: 'check',
          kind: 'multiple',
          correct: ['anchors', 'planks'],
          text: { sv: 'Vad kontrollerar du före arbetsdagen?', en: 'What do you check before the working day?' },
          options: [
            { id: 'anchors', text: { sv: 'Förankringar', en: 'Anchors' } },
            { id: 'planks', text: { sv: 'Plank och bomlag', en: 'Planks and decking' } },
            { id: 'radio', text: { sv: 'Radion', en: 'The radio' } },
          ],
        },
        {
          id: 'wind',
          kind: 'single',
          correct: ['stop'],
          text: { sv: 'Det blåser upp till storm. Vad gör du?', en: 'A gale is coming. What do you do?' },
          options: [
            { id: 'stop', text: { sv: 'Avbryter arbetet på höjd', en: 'Stop working at height' } },
            { id: 'hurry', text: { sv: 'Skyndar på', en: 'Hurry up' } },
          ],
        },
        {
          id: 'harness',
          kind: 'single',
          correct: ['yes'],
          text: { sv: 'Ska selen kontrolleras före varje användning?', en: 'Should the harness be checked before every use?' },
          options: [
            { id: 'yes', text: { sv: 'Ja', en: 'Yes' } },
            { id: 'no', text: { sv: 'Nej', en: 'No' } },
          ],
        },
      ],
      passPercent: 75,
      shuffle: false,
      maxAttempts: 3,
      cooldownMinutes: 0,
    },
  });
  const quizId = (quiz.body as { id: string }).id;
  await run.call({ operationId: 'getQuiz', params: { id: quizId } });
  await run.call({ operationId: 'updateQuiz', params: { id: quizId }, body: { points: 50, closesAt: new Date(today.getTime() + 90 * DAY).toISOString() } });
  await run.call({ operationId: 'previewQuiz', params: { id: quizId }, query: { language: 'sv' } });
  await run.call({ operationId: 'publishQuiz', params: { id: quizId } });
  await run.call({ operationId: 'portalGetQuiz', params: { id: quizId } });
  const attempt = await run.call({ operationId: 'portalStartQuizAttempt', params: { id: quizId }, body: {} });
  const attemptId = (attempt.body as { id: string }).id;
  await run.call({
    operationId: 'portalSubmitQuizAttempt',
    params: { id: attemptId },
    body: { answers: { guardrail: 'h1', check: ['anchors', 'planks'], wind: 'stop', harness: 'no' } },
  });
  await run.call({ operationId: 'getQuizStats', params: { id: quizId } });
  await run.call({ operationId: 'closeQuiz', params: { id: quizId } });

  // ------------------------------------------------------------------ training: files, courses, certificates
  await run.call({
    operationId: 'uploadTrainingFiles',
    form: { file: { filename: 'roof-safety-checklist.pdf', type: 'application/pdf', content: new Uint8Array(tinyPdf('Roof safety checklist')) } },
  });
  const file = await one(sql<{ id: string }>`SELECT id FROM training_files WHERE program_id = ${pid} ORDER BY created_at LIMIT 1`);
  await run.call({ operationId: 'getTrainingFileContent', params: { id: file.id } });
  await run.call({ operationId: 'listCourses', query: { status: 'published', limit: 10 } });
  const demoCourse = await one(sql<{ id: string }>`SELECT id FROM courses WHERE program_id = ${pid} AND code = 'installer-certified'`);
  await run.call({ operationId: 'getCourse', params: { id: demoCourse.id } });
  await run.call({ operationId: 'listCourseCompletions', params: { id: demoCourse.id } });

  const courseInput = {
    code: 'wet-room-basics',
    title: { sv: 'Tätskikt i våtrum', en: 'Waterproofing wet rooms' },
    summary: { sv: 'Branschreglerna för tätskikt på en förmiddag.', en: 'The trade rules for waterproofing in one morning.' },
    certificate: { validMonths: 36 },
    modules: [
      {
        kind: 'text',
        title: { sv: 'Underlaget', en: 'The substrate' },
        body: { sv: 'Underlaget ska vara torrt, rent och ha fall mot golvbrunnen.', en: 'The substrate must be dry, clean and slope towards the floor drain.' },
      },
      { kind: 'file', title: { sv: 'Handboken', en: 'The handbook' }, fileId: file.id, body: { sv: 'Läs kapitel 2 om golvbrunnar.', en: 'Read chapter 2 on floor drains.' } },
    ],
  };
  const course = await run.call({ operationId: 'createCourse', body: courseInput });
  const courseId = (course.body as { id: string }).id;
  const updated = await run.call({
    operationId: 'updateCourse',
    params: { id: courseId },
    body: { ...courseInput, summary: { sv: 'Branschreglerna för tätskikt i våtrum på en förmiddag.', en: 'The trade rules for waterproofing wet rooms in one morning.' } },
  });
  const modules = (updated.body as { modules: Array<{ id: string }> }).modules;
  await run.call({ operationId: 'publishCourse', params: { id: courseId } });
  await run.call({ operationId: 'recordModuleCompletion', params: { id: courseId }, body: { memberId: run.memberId, moduleId: modules[1]!.id }, expectStatus: 409 });
  await run.call({ operationId: 'recordModuleCompletion', params: { id: courseId }, body: { memberId: run.memberId, moduleId: modules[0]!.id } });
  const done = await run.call({ operationId: 'recordModuleCompletion', params: { id: courseId }, body: { memberId: run.memberId, moduleId: modules[1]!.id } });
  const certificate = (done.body as { course: { certificate: { id: string; code: string } | null } | null }).course?.certificate;

  await run.call({ operationId: 'listCertificates', query: { courseId: demoCourse.id, limit: 5 } });
  if (certificate) {
    await run.call({ operationId: 'getCertificatePdf', params: { id: certificate.id } });
    await run.call({ operationId: 'verifyCertificate', params: { code: certificate.code } });
    await run.call({ operationId: 'verifyCertificatePage', params: { code: certificate.code }, query: { lang: 'sv' } });
    await run.call({ operationId: 'revokeCertificate', params: { id: certificate.id } });
  }
  await run.call({ operationId: 'archiveCourse', params: { id: courseId } });

  const requirements = await run.call({ operationId: 'getTierCertificationRequirements' });
  await run.call({ operationId: 'putTierCertificationRequirements', body: requirements.body });

  // ------------------------------------------------------------------ members-only content
  await run.call({ operationId: 'listContent', query: { status: 'published', limit: 10 } });
  const contentInput = {
    kind: 'article',
    title: { sv: 'Nyheter i sortimentet: fasadskivor', en: 'New in the range: facade boards' },
    summary: { sv: 'Tre nya fasadskivor från 1 maj.', en: 'Three new facade boards from 1 May.' },
    body: {
      sv: 'Från 1 maj lagerför vi tre nya fasadskivor i fibercement.\n\nGuld- och platinakunder kan förbeställa redan nu.',
      en: 'From 1 May we stock three new fibre-cement facade boards.\n\nGold and platinum customers can pre-order now.',
    },
    audience: { tiers: ['gold', 'platinum'], roles: [], segments: [], tags: [] },
    earlyAccess: { platinum: 5 },
    availableAt: new Date(today.getTime() + 7 * DAY).toISOString(),
  };
  const content = await run.call({ operationId: 'createContent', body: contentInput });
  const contentId = (content.body as { id: string }).id;
  await run.call({ operationId: 'getContent', params: { id: contentId } });
  await run.call({ operationId: 'updateContent', params: { id: contentId }, body: { ...contentInput, earlyAccess: { platinum: 7, gold: 2 } } });
  await run.call({ operationId: 'publishContent', params: { id: contentId } });
  await run.call({ operationId: 'archiveContent', params: { id: contentId } });

  // ------------------------------------------------------------------ service desk: configuration
  const settings = await run.call({ operationId: 'getServiceSettings' });
  await run.call({ operationId: 'putServiceSettings', body: settings.body });
  await run.call({ operationId: 'listServiceTypes' });
  const typeInput = {
    code: 'site-delivery',
    kind: 'custom',
    names: { en: 'Site delivery', sv: 'Byggplatsleverans', nb: 'Byggeplasslevering' },
    descriptions: { en: 'Book or change a delivery to a building site.', sv: 'Boka eller ändra en leverans till byggplatsen.' },
    fields: [
      { key: 'site_address', kind: 'text', required: true, labels: { en: 'Site address', sv: 'Byggplatsens adress' } },
      { key: 'wished_date', kind: 'date', labels: { en: 'Wished date', sv: 'Önskat datum' } },
      { key: 'crane', kind: 'choice', labels: { en: 'Crane on site', sv: 'Kran på plats' }, options: ['ja', 'nej'] },
    ],
    position: 6,
  };
  const type = await run.call({ operationId: 'createServiceType', body: typeInput });
  await run.call({ operationId: 'updateServiceType', params: { id: (type.body as { id: string }).id }, body: { ...typeInput, position: 3 } });
  const levels = await run.call({ operationId: 'listServiceLevels' });
  await run.call({ operationId: 'putServiceLevels', body: levels.body });
  await run.call({ operationId: 'listQuickReplies', query: { language: 'sv' } });
  const reply = await run.call({
    operationId: 'createQuickReply',
    body: { language: 'sv', title: 'Följesedel behövs', body: 'Tack! Kan du skicka en bild på följesedeln, så krediterar vi mellanskillnaden direkt.' },
  });
  await run.call({
    operationId: 'updateQuickReply',
    params: { id: (reply.body as { id: string }).id },
    body: { language: 'sv', title: 'Följesedel behövs', body: 'Tack! Skicka gärna en bild på följesedeln, så krediterar vi mellanskillnaden samma dag.' },
  });
  await run.call({ operationId: 'deleteQuickReply', params: { id: (reply.body as { id: string }).id } });

  // ------------------------------------------------------------------ help centre
  await run.call({ operationId: 'listHelpArticles', query: { language: 'sv' } });
  const articleInput = {
    language: 'sv',
    category: 'Leveranser',
    title: 'Så bokar du kranbil till byggplatsen',
    body: 'Kranbil bokas senast två arbetsdagar före leverans. Ange byggplatsens adress, lossningsplats och en kontaktperson på plats.',
  };
  const article = await run.call({ operationId: 'createHelpArticle', body: articleInput });
  const articleId = (article.body as { id: string }).id;
  await run.call({ operationId: 'updateHelpArticle', params: { id: articleId }, body: { ...articleInput, body: `${articleInput.body} Avbokning är kostnadsfri fram till dagen före.` } });
  await run.call({ operationId: 'getHelpArticle', params: { id: articleId } });
  await run.call({ operationId: 'searchHelpArticles', query: { q: 'kranbil', language: 'sv' } });

  // ------------------------------------------------------------------ requests
  await run.call({ operationId: 'listServiceRequests', query: { state: 'new,in_progress', limit: 5 } });
  await run.call({ operationId: 'listServiceAssignees' });
  const request = await run.call({
    operationId: 'createServiceRequest',
    body: {
      memberId: run.memberId,
      type: 'question',
      subject: 'Leveransdag för order 45120',
      body: 'Ringde in: undrar om gipsskivorna till Sundbybergsprojektet hinner fram till torsdag.',
      idempotencyKey: 'phone-2026-0412-45120',
    },
  });
  const requestId = (request.body as { id: string }).id;
  await run.call({ operationId: 'getServiceRequest', params: { id: requestId } });
  await run.call({
    operationId: 'commentServiceRequest',
    params: { id: requestId },
    body: { body: 'Hej! Gipsskivorna går med torsdagens tur och är framme före kl 10.', internal: false },
  });
  await run.call({ operationId: 'assignServiceRequests', body: { ids: [requestId], staffUserId: run.staffUserId } });
  const team = await run.call({ operationId: 'createServiceTeam', body: { name: 'Orderdesk Mälardalen', memberIds: [run.staffUserId] } });
  const teamId = (team.body as { id: string }).id;
  await run.call({ operationId: 'updateServiceTeam', params: { id: teamId }, body: { name: 'Orderdesk Mälardalen och Gävle', memberIds: [run.staffUserId] } });
  await run.call({ operationId: 'listServiceTeams' });
  await run.call({ operationId: 'assignServiceRequests', body: { ids: [requestId], teamId } });
  await run.call({ operationId: 'listServiceRequests', query: { team: teamId, limit: 5 } });
  const spare = await run.call({ operationId: 'createServiceTeam', body: { name: 'Garantiärenden', memberIds: [] } });
  await run.call({ operationId: 'deleteServiceTeam', params: { id: (spare.body as { id: string }).id } });
  await run.call({ operationId: 'changeServiceRequestState', params: { id: requestId }, body: { to: 'resolved', note: 'Leveransen är bokad till torsdag förmiddag.' } });
  await run.call({ operationId: 'changeServiceRequestState', params: { id: requestId }, body: { to: 'new' }, expectStatus: 409 });
  // The resolve mail's rating links: one click records the score; the page's comment form adds a comment.
  const resolveMail = (
    await sql<{ body: string }>`SELECT body FROM mail_outbox WHERE program_id = ${pid} AND template = 'service_state_changed' AND body LIKE '%/rate/%' ORDER BY created_at DESC LIMIT 1`.execute(db)
  ).rows[0];
  const ratingToken = resolveMail && [...resolveMail.body.matchAll(/\/rate\/(\S+)/g)][4]?.[1];
  if (ratingToken) {
    await run.call({ operationId: 'rateServiceRequestByLink', params: { token: ratingToken } });
    await run.call({ operationId: 'commentServiceRatingByLink', params: { token: ratingToken }, body: { comment: 'Snabbt besked och leveransen kom i tid.' } });
    await run.call({ operationId: 'rateServiceRequestByLink', params: { token: `${ratingToken.slice(0, -1)}${ratingToken.endsWith('A') ? 'B' : 'A'}` }, expectStatus: 400 });
  }

  const attachment = (
    await sql<{ request_id: string; file_id: string }>`
      SELECT e.request_id, a.evidence_id AS file_id FROM service_attachments a
      JOIN service_entries e ON e.program_id = a.program_id AND e.id = a.entry_id
      WHERE a.program_id = ${pid} LIMIT 1`.execute(db)
  ).rows[0];
  if (attachment) await run.call({ operationId: 'getServiceAttachment', params: { id: attachment.request_id, fileId: attachment.file_id } });

  const range = { from: day(new Date(today.getTime() - 90 * DAY)), to: day(today) };
  await run.call({ operationId: 'getServiceReport', query: range });
  await run.call({ operationId: 'listServiceCsat', query: range });
  await run.call({ operationId: 'getServiceReport', query: { from: range.to, to: range.from }, expectStatus: 422 });
};
export default examples;
