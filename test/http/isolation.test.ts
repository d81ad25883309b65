import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { tinyPng } from '../../src/evidence/samples.js';
import { createRules, purchase, seedCatalog } from '../support/fixtures.js';
import { postMultipart } from '../support/multipart.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { getProgram } from '../../src/programs/programs.js';
import { submitAnswer } from '../../src/surveys/store.js';
import { startAttempt } from '../../src/quizzes/store.js';
import recordedExamples from '../../src/http/openapi-examples.json' with { type: 'json' };

/** A route without its own body here sends the body recorded for its documentation, so it gets past validation. */
const examples = recordedExamples as Record<string, { body?: unknown }>;

/**
 * Tenant isolation: a key of program B gets 404 for every object of program A, on every route that names
 * one, and never sees A's objects in a list; so does a portal member of B (a manager, so that the team
 * routes get as far as the object). The routes come from the OpenAPI document, so a new route without a
 * case here fails the test.
 */
const aNewsletter = {
  name: 'A newsletter', channel: 'email', purpose: 'newsletter', audience: { field: 'role', op: 'in', value: ['owner'] },
  content: { en: { subject: 'A subject, {{name}}', body: 'Hi {{name}}' } },
};
let t: TestApp;
let b: { programId: string; key: string };
const a: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  a.accountId = (await t.call('POST', '/v1/accounts', { externalId: 'A-ACC', name: 'A company' })).json().id;
  a.memberId = (await t.call('POST', '/v1/members', { accountId: a.accountId, externalId: 'A-MEM', name: 'A person' })).json().id;
  const [ruleId] = await createRules(t);
  a.ruleId = ruleId!;
  await t.call('POST', '/v1/events', purchase('A-EVENT', 'A-ACC', 'A-MEM'));
  a.keyId = (await t.call('POST', '/v1/api-keys', { name: 'A key', scopes: ['read'] })).json().id;
  await t.call('PUT', '/v1/reward-categories/tools', { names: { en: 'Tools' } });
  a.rewardId = (await t.call('POST', '/v1/rewards', { code: 'a-drill', type: 'physical', category: 'tools', pricePoints: 10, texts: { en: { name: 'A drill' } } })).json().id;
  await t.call('POST', `/v1/members/${a.memberId}/adjustments`, { points: 100, reasonCode: 'goodwill', idempotencyKey: 'isolation-open' });
  a.webhookId = (await t.call('POST', '/v1/webhooks', { url: 'https://erp.example.com/isolation', description: 'A hook' })).json().id;
  a.orderId = (await t.call('POST', '/v1/reward-orders', { reward: 'a-drill', memberId: a.memberId, idempotencyKey: 'isolation-order' })).json().id;
  a.staffUserId = (await t.call('POST', '/v1/staff-users', { email: 'a.staff@lojal.test', name: 'A staff', role: 'manager' })).json().id;
  await t.call('PUT', '/v1/settings/control', { approvalThreshold: 1000, dailyAdjustmentLimit: null, reasonCodes: [{ code: 'goodwill', labels: { en: 'G', sv: 'G', nb: 'G', pl: 'G', de: 'G' } }] });
  a.requestId = (await t.call('POST', `/v1/accounts/${a.accountId}/adjustments`, { points: 5000, reasonCode: 'goodwill', idempotencyKey: 'isolation-request' })).json().id;
  a.partnerId = (await t.call('POST', '/v1/partners', { code: 'a-partner', name: 'A partner', kind: 'bank' })).json().id;
  a.evidenceId = (await postMultipart(t, '/v1/evidence?account=A-ACC', [{ name: 'file', fileName: 'a.png', bytes: tinyPng() }])).json().data[0].id;
  const claim = { member: 'A-MEM', sku: 'DRILL', quantity: 1, amount: 1000, saleDate: '2026-11-01', invoiceNumber: 'A-INV', endCustomer: 'A customer', evidenceIds: [a.evidenceId] };
  a.claimId = (await t.call('POST', '/v1/claims', claim)).json().id;
  const coop = { account: 'A-ACC', cost: 10000, adDate: '2026-11-01', medium: 'print', otherBrands: 0, proofEvidenceId: a.evidenceId };
  a.coopClaimId = (await t.call('POST', '/v1/coop/claims', coop)).json().id;
  a.deliveryId = (await t.call('GET', `/v1/webhooks/${a.webhookId}/deliveries`)).json().data[0].id;
  a.importId = (await postMultipart(t, '/v1/imports/accounts', [{ name: 'file', fileName: 'a-import.csv', bytes: Buffer.from('external_id,name\nA-IMP,A company\n') }])).json().id;
  // Surveys and quizzes: a named survey with a detractor's follow-up, a quiz with an open attempt.
  a.surveyId = (await t.call('POST', '/v1/surveys', { title: { en: 'A survey' }, questions: [{ id: 'n', kind: 'nps', text: { en: 'Recommend?' } }] })).json().id;
  await t.call('POST', `/v1/surveys/${a.surveyId}/publish`);
  const programA = (await getProgram(t.database.db, t.programId))!;
  await submitAnswer(t.database.db, programA, a.surveyId!, a.memberId!, { n: 2 }, t.clock());
  a.followupId = (await t.call('GET', '/v1/survey-followups')).json().data[0].id;
  const quizQuestion = { id: 'q', kind: 'single', text: { en: 'Q?' }, options: [{ id: 'a', text: { en: 'A' } }, { id: 'b', text: { en: 'B' } }], correct: ['a'] };
  a.quizId = (await t.call('POST', '/v1/quizzes', { title: { en: 'A quiz' }, questions: [quizQuestion] })).json().id;
  await t.call('POST', `/v1/quizzes/${a.quizId}/publish`);
  a.attemptId = (await startAttempt(t.database.db, programA, a.quizId!, a.memberId!, 'en', t.clock())).attempt.id;
  a.trainingFileId = (await postMultipart(t, '/v1/training/files', [{ name: 'file', fileName: 'a.png', bytes: tinyPng() }])).json().data[0].id;
  const course = (await t.call('POST', '/v1/courses', aCourse)).json();
  a.courseId = course.id;
  a.moduleId = course.modules[0].id;
  await t.call('POST', `/v1/courses/${a.courseId}/publish`);
  const done = (await t.call('POST', `/v1/courses/${a.courseId}/completions`, { memberId: a.memberId, moduleId: a.moduleId })).json();
  a.certificateId = done.course.certificate.id;
  a.contentId = (await t.call('POST', '/v1/content', aContent)).json().id;
  await t.call('POST', `/v1/content/${a.contentId}/publish`);
  // the service desk: a type, a request with a photo, a help article and a quick reply
  a.serviceTypeId = (await t.call('POST', '/v1/service/types', { code: 'a-question', kind: 'question', names: { en: 'A question' } })).json().id;
  const serviceRequest = (await postMultipart(t, '/v1/service/requests', [
    { name: 'request', value: JSON.stringify({ memberId: a.memberId, type: 'a-question', subject: 'A request', body: 'A body' }) },
    { name: 'file', fileName: 'a.png', bytes: tinyPng() },
  ])).json();
  a.serviceRequestId = serviceRequest.id;
  a.serviceFileId = serviceRequest.timeline[0].attachments[0].id;
  a.articleId = (await t.call('POST', '/v1/service/articles', { language: 'en', category: 'A category', title: 'A article', body: 'A text' })).json().id;
  a.quickReplyId = (await t.call('POST', '/v1/service/quick-replies', { language: 'en', title: 'A reply', body: 'A text' })).json().id;
  await t.call('PATCH', `/v1/members/${a.memberId}`, { phone: '+46701234567' });
  a.smsId = (await t.call('POST', `/v1/members/${a.memberId}/sms`, { message: 'A text', idempotencyKey: 'isolation-sms-a' })).json().id;
  a.segmentId = (await t.call('POST', '/v1/segments', { key: 'a-segment', name: 'A segment', definition: { field: 'country', op: 'eq', value: 'SE' } })).json().id;
  a.campaignId = (await t.call('POST', '/v1/campaigns', { name: 'A campaign', startsAt: '2026-11-01T00:00:00Z', endsAt: '2026-12-01T00:00:00Z', effects: [{ type: 'fixed', points: 5 }], budgetPoints: 100 })).json().id;
  // Messages: a tip, a newsletter, an onboarding step and an outbox mail; a service team
  a.tipId = (await t.call('POST', '/v1/message-tips', { language: 'en', text: 'A tip' })).json().id;
  a.messageCampaignId = (await t.call('POST', '/v1/message-campaigns', aNewsletter)).json().id;
  a.stepId = (await t.call('POST', '/v1/message-sequence', { day: 0, kind: 'welcome' })).json().id;
  a.outboxId = (await t.call('GET', '/v1/outbox')).json().data[0].id;
  a.teamId = (await t.call('POST', '/v1/service/teams', { name: 'A team', memberIds: [] })).json().id;
  b = await t.newProgram({ name: 'Program B' });
  const bAccount = (await t.call('POST', '/v1/accounts', { externalId: 'B-ACC', name: 'B company' }, b.key)).json().id;
  const bMember = (await t.call('POST', '/v1/members', { accountId: bAccount, externalId: 'B-MGR', name: 'B manager', role: 'manager', email: 'b.manager@example.com' }, b.key)).json().id;
  const { token, session } = await createSession(t.database.db, { kind: 'member', email: 'b.manager@example.com' }, t.clock());
  await chooseSessionMember(t.database.db, session.id, b.programId, bMember);
  bMemberSession = { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
});

let bMemberSession: { cookie: string; csrf: string };
/** The portal is called with a member session, not a key. */
function asBMember(method: string, url: string, body: unknown) {
  const headers: Record<string, string> = { cookie: bMemberSession.cookie, 'x-csrf-token': bMemberSession.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method: method as 'GET', url, headers, ...(body !== undefined && { payload: JSON.stringify(body) }) });
}
afterAll(async () => t.close());

const aCourse = { code: 'a-course', title: { en: 'A course' }, certificate: { validMonths: 12 }, modules: [{ kind: 'text', title: { en: 'A module' }, body: { en: 'A text' } }] };
const aContent = { kind: 'article', title: { en: 'A article' }, body: { en: 'A text' } };

const bodies: Record<string, unknown> = {
  'PUT /v1/courses/{id}': aCourse,
  'PUT /v1/content/{id}': aContent,
  'POST /v1/courses/{id}/completions': { memberId: '00000000-0000-7000-8000-000000000000', moduleId: '00000000-0000-7000-8000-000000000000' },
  'PATCH /v1/accounts/{id}': { name: 'Hijacked' },
  'PATCH /v1/members/{id}': { name: 'Hijacked' },
  'PATCH /v1/rules/{id}': { expectedVersion: 1, name: 'Hijacked' },
  'POST /v1/rules/{id}/archive': { expectedVersion: 1 },
  'POST /v1/accounts/{id}/adjustments': { points: 100, reasonCode: 'goodwill', idempotencyKey: 'isolation-adj-1' },
  'POST /v1/members/{id}/adjustments': { points: 100, reasonCode: 'goodwill', idempotencyKey: 'isolation-adj-2' },
  'POST /v1/accounts/{id}/debits': { points: 1, memo: 'x', idempotencyKey: 'isolation-deb-1' },
  'POST /v1/members/{id}/debits': { points: 1, memo: 'x', idempotencyKey: 'isolation-deb-2' },
  'POST /v1/accounts/{id}/tier/freeze': { months: 3, reason: 'isolation' },
  'POST /v1/members/{id}/tier/freeze': { months: 3, reason: 'isolation' },
  'PATCH /v1/staff-users/{id}': { name: 'Hijacked' },
  'POST /v1/adjustment-requests/{id}/reject': { reason: 'isolation' },
  'PATCH /v1/partners/{id}': { name: 'Hijacked' },
  'PATCH /v1/segments/{id}': { name: 'Hijacked' },
  'POST /v1/claims/{id}/approve': {},
  'POST /v1/coop/claims/{id}/reject': { reason: 'duplicate_ad' },
  'POST /v1/accounts/{id}/coop-fund/adjustments': { amount: 100, memo: 'isolation', idempotencyKey: 'isolation-coop-1' },
  'POST /v1/claims/{id}/reject': { reason: 'invoice_not_found' },
  'POST /v1/accounts/{id}/transfers': { memberId: '00000000-0000-7000-8000-000000000000', points: 1, idempotencyKey: 'isolation-tr-1' },
  'PATCH /v1/rewards/{id}': { pricePoints: 1 },
  'POST /v1/rewards/{id}/codes': { codes: ['STOLEN-1'] },
  'POST /v1/reward-orders/{id}/approve': {},
  'POST /v1/reward-orders/{id}/reject': { reason: 'isolation' },
  'POST /v1/reward-orders/{id}/ship': {},
  'POST /v1/reward-orders/{id}/deliver': {},
  'POST /v1/reward-orders/{id}/issue': {},
  'POST /v1/reward-orders/{id}/cancel': { reason: 'isolation' },
  // companies and their people
  'POST /v1/accounts/{id}/invitations': { email: 'isolation@example.com' },
  'POST /v1/invitations/{token}/accept': { name: 'Isolation', language: 'en' },
  'POST /auth/invitations/{token}/accept': { name: 'Isolation', language: 'en' },
  'POST /v1/accounts/{id}/join-code': {},
  'POST /v1/members/{id}/approve': {},
  'POST /v1/members/{id}/reject': { reason: 'isolation' },
  'POST /v1/members/{id}/deactivate': {},
  'PATCH /v1/webhooks/{id}': { url: 'https://attacker.example/hook', active: true },
  // privacy and messages
  'POST /v1/members/{id}/consents': { purpose: 'marketing', channel: 'email', granted: false },
  'POST /v1/members/{id}/sms': { message: 'isolation', idempotencyKey: 'isolation-sms-1' },
  'POST /v1/members/{id}/inbox': { title: 'isolation', body: 'isolation' },
  // the member portal
  'POST /portal/v1/team/claims/{id}/approve': {},
  'POST /portal/v1/team/claims/{id}/reject': { reasonCode: 'invoice_not_found' },
  'POST /portal/v1/orders/{id}/cancel': { reason: 'isolation' },
  // the service desk
  'PUT /v1/service/types/{id}': { code: 'hijacked', kind: 'question', names: { en: 'Hijacked' } },
  'PUT /v1/service/articles/{id}': { language: 'en', category: 'c', title: 'Hijacked', body: 'b' },
  'POST /v1/service/requests/{id}/comments': { body: 'Hijacked' },
  'POST /v1/service/requests/{id}/state': { to: 'in_progress' },
  'POST /portal/v1/service/requests/{id}/comments': { body: 'Hijacked' },
  'POST /portal/v1/service/requests/{id}/state': { to: 'closed' },
  'POST /portal/v1/service/requests/{id}/csat': { score: 1 },
  'POST /portal/v1/help/articles/{id}/feedback': { helpful: false },
  'POST /portal/v1/service/requests/{id}/quotes/{quoteId}/decision': { decision: 'accept' },
  'PUT /v1/service/teams/{id}': { name: 'Hijacked', memberIds: [] },
  'POST /v1/service/requests/{id}/quotes': { points: 100, quantity: 1, description: 'Hijacked', validUntil: '2026-12-20' },
  // messages
  'PATCH /v1/message-tips/{id}': { active: false },
  'PUT /v1/message-campaigns/{id}': aNewsletter,
  'POST /v1/message-campaigns/{id}/test': { to: 'isolation@example.com', language: 'en' },
  'POST /v1/message-campaigns/{id}/schedule': {},
  'PATCH /v1/message-sequence/{id}': { active: false },
  // surveys and quizzes
  'PATCH /v1/surveys/{id}': { title: { en: 'Hijacked' } },
  'PATCH /v1/quizzes/{id}': { title: { en: 'Hijacked' } },
  'POST /v1/survey-followups/{id}/close': { note: 'isolation' },
  'POST /portal/v1/surveys/{id}/answers': { answers: { n: 10 } },
  'POST /portal/v1/quizzes/{id}/attempts': {},
  'POST /portal/v1/quiz-attempts/{id}/submit': { answers: { q: 'a' } },
};

/** Routes that name an object only in the body or create by key: checked separately below. */
// A certificate's verification is public by design: anyone holding the printed code may check it.
// Exports name a kind of list, not an object.
// Message templates and surprises are settings the program keys itself; unsubscribe and open links carry a
// signed token that names its program (so do an SMS delivery report link and the rating links in service mails), and the certificate page is public like its JSON twin.
const notObjectRoutes = new Set(['PUT /v1/message-templates/{kind}/{language}', 'DELETE /v1/message-templates/{kind}/{language}', 'POST /v1/message-templates/{kind}/{language}/preview', 'GET /v1/unsubscribe/{token}', 'POST /v1/unsubscribe/{token}', 'GET /v1/message-opens/{token}', 'POST /v1/sms/delivery-reports/{token}', 'GET /rate/{token}', 'POST /rate/{token}', 'PUT /v1/surprises/{key}', 'GET /verify/{code}', 'GET /v1/certificates/verify/{code}', 'GET /v1/exports/{what}', 'POST /v1/imports/{kind}', 'PUT /v1/accounts/by-external-id/{externalId}', 'PUT /v1/members/by-external-id/{externalId}', 'PUT /v1/products/{sku}', 'PUT /v1/categories/{code}', 'PUT /v1/reward-categories/{code}']);

function fill(path: string): string {
  return path
    .replace('/portal/v1/orders/{id}', `/portal/v1/orders/${a.orderId}`)
    .replace('/portal/v1/team/claims/{id}', `/portal/v1/team/claims/${a.claimId}`)
    .replace('/portal/v1/claims/{id}/evidence/{fileId}', `/portal/v1/claims/${a.claimId}/evidence/${a.evidenceId}`)
    .replace('/service/requests/{id}/attachments/{fileId}', `/service/requests/${a.serviceRequestId}/attachments/${a.serviceFileId}`)
    .replace('/service/requests/{id}', `/service/requests/${a.serviceRequestId}`)
    .replace('{quoteId}', '00000000-0000-7000-8000-000000000000')
    .replace('/v1/service/teams/{id}', `/v1/service/teams/${a.teamId}`)
    .replace('/v1/outbox/{id}', `/v1/outbox/${a.outboxId}`)
    .replace('/v1/message-tips/{id}', `/v1/message-tips/${a.tipId}`)
    .replace('/v1/message-campaigns/{id}', `/v1/message-campaigns/${a.messageCampaignId}`)
    .replace('/v1/message-sequence/{id}', `/v1/message-sequence/${a.stepId}`)
    .replace('/v1/service/types/{id}', `/v1/service/types/${a.serviceTypeId}`)
    .replace('/v1/service/articles/{id}', `/v1/service/articles/${a.articleId}`)
    .replace('/v1/help/articles/{id}', `/v1/help/articles/${a.articleId}`)
    .replace('/v1/service/quick-replies/{id}', `/v1/service/quick-replies/${a.quickReplyId}`)
    .replace('/v1/accounts/{id}', `/v1/accounts/${a.accountId}`)
    .replace('/v1/members/{id}', `/v1/members/${a.memberId}`)
    .replace('/v1/rules/{id}', `/v1/rules/${a.ruleId}`)
    .replace('/v1/api-keys/{id}', `/v1/api-keys/${a.keyId}`)
    .replace('/v1/staff-users/{id}', `/v1/staff-users/${a.staffUserId}`)
    .replace('/v1/adjustment-requests/{id}', `/v1/adjustment-requests/${a.requestId}`)
    .replace('/v1/partners/{id}/settlement', `/v1/partners/${a.partnerId}/settlement?from=2026-01-01&to=2026-12-31`)
    .replace('/v1/partners/{id}', `/v1/partners/${a.partnerId}`)
    .replace('/v1/evidence/{id}', `/v1/evidence/${a.evidenceId}`)
    .replace('/v1/coop/claims/{id}', `/v1/coop/claims/${a.coopClaimId}`)
    .replace('/v1/claims/{id}', `/v1/claims/${a.claimId}`)
    .replace('{externalId}', path.includes('members') ? 'A-MEM' : 'A-ACC')
    .replace('{sku}', 'DRILL')
    .replace('{version}', '1')
    .replace('/v1/events/{id}', '/v1/events/A-EVENT')
    .replace('/v1/rewards/{id}', `/v1/rewards/${a.rewardId}`)
    .replace('/v1/reward-orders/{id}', `/v1/reward-orders/${a.orderId}`)
    .replace('/v1/webhooks/deliveries/{id}', `/v1/webhooks/deliveries/${a.deliveryId}`)
    .replace('/v1/webhooks/{id}', `/v1/webhooks/${a.webhookId}`)
    .replace('/v1/imports/{id}', `/v1/imports/${a.importId}`)
    .replace(/\/v1\/(surveys|quizzes)\/\{id\}\/preview/, (_m, kind: string) => `/v1/${kind}/{id}/preview?language=en`)
    .replace('/v1/surveys/{id}', `/v1/surveys/${a.surveyId}`)
    .replace('/v1/quizzes/{id}', `/v1/quizzes/${a.quizId}`)
    .replace('/v1/survey-followups/{id}', `/v1/survey-followups/${a.followupId}`)
    .replace('/v1/quiz-attempts/{id}', `/v1/quiz-attempts/${a.attemptId}`)
    .replace('/v1/training/files/{id}', `/v1/training/files/${a.trainingFileId}`)
    .replace('/v1/courses/{id}', `/v1/courses/${a.courseId}`)
    .replace('{moduleId}', a.moduleId!)
    .replace('/v1/certificates/{id}', `/v1/certificates/${a.certificateId}`)
    .replace('/v1/content/{id}', `/v1/content/${a.contentId}`)
    .replace('/v1/sms/{id}', `/v1/sms/${a.smsId}`)
    .replace('/v1/segments/{id}', `/v1/segments/${a.segmentId}`)
    .replace('/v1/campaigns/{id}', `/v1/campaigns/${a.campaignId}`);
}

describe('tenant isolation', () => {
  it('gives 404 for every object of another program on every route', async () => {
    const doc = (await t.call('GET', '/openapi.json', undefined, null)).json();
    const checked: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      if (!path.includes('{')) continue;
      for (const method of Object.keys(ops)) {
        const route = `${method.toUpperCase()} ${path}`;
        if (notObjectRoutes.has(route)) continue;
        const body = bodies[route] ?? examples[(ops[method] as { operationId: string }).operationId]?.body;
        const res = path.startsWith('/portal/') ? await asBMember(method.toUpperCase(), fill(path), body) : await t.call(method.toUpperCase(), fill(path), body, b.key);
        expect(res.statusCode, `${route}: ${res.body}`).toBe(404);
        expect(res.json().code).toBe('not_found');
        checked.push(route);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(20);
  });

  it('lists none of the other program’s objects', async () => {
    for (const url of ['/v1/accounts', '/v1/members', '/v1/products', '/v1/categories', '/v1/rules', '/v1/api-keys', '/v1/rewards', '/v1/reward-categories', '/v1/reward-orders', '/v1/credit-notes', '/v1/staff-users', '/v1/adjustment-requests', '/v1/partners', '/v1/audit', '/v1/claims', '/v1/coop/claims', '/v1/webhooks', '/v1/imports', '/v1/courses', '/v1/content', '/v1/certificates', '/v1/service/requests', '/v1/service/types', '/v1/service/articles', '/v1/service/quick-replies', '/v1/surveys', '/v1/quizzes', '/v1/survey-followups']) {
      const res = await t.call('GET', url, undefined, b.key);
      expect(res.statusCode, url).toBe(200);
      expect(JSON.stringify(res.json()), url).not.toMatch(/A-ACC|A-MEM|DRILL|A key|Points per SEK|A company|a-drill|Tools|A staff|isolation-request|A partner|A-INV|A hook|a-import|A course|A article|A request|A question|A reply|A survey|A quiz/);
    }
    for (const what of ['accounts', 'members', 'ledger-entries', 'orders', 'claims']) {
      const res = await t.call('GET', `/v1/exports/${what}`, undefined, b.key);
      expect(res.statusCode, what).toBe(200);
      expect(res.body, what).not.toMatch(/A-ACC|A-MEM|A company|A-INV|isolation-order/);
    }
    const summary = (await t.call('GET', '/v1/ledger/summary', undefined, b.key)).json();
    expect(summary.issued).toBe(0);
  });

  it('cannot send events for, or overwrite, the other program’s accounts', async () => {
    const ev = await t.call('POST', '/v1/events', purchase('B-EVENT', 'A-ACC'), b.key);
    expect(ev.json().code).toBe('unknown_account');
    // The same external id in program B is B's own account; A's stays as it was.
    const put = await t.call('PUT', '/v1/accounts/by-external-id/A-ACC', { name: 'B copy' }, b.key);
    expect(put.statusCode).toBe(201);
    expect(put.json().id).not.toBe(a.accountId);
    expect((await t.call('GET', `/v1/accounts/${a.accountId}`)).json().name).toBe('A company');
    // The same event id in program B is a different event.
    expect((await t.call('GET', '/v1/events/A-EVENT')).json().points).toBe(495);
  });
});
