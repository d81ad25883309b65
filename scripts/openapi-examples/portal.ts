/**
 * The portal's examples: what the demo member P10001 (head of Kedjan A, a manager) sees and does in the portal,
 * and the sign-in routes of the console and the portal. Sign-in starts go out without credentials, as a browser
 * does before it has a session; tokens and codes that a real person reads in a mail are read from the outbox.
 * Routes that end sessions (sign-out, switching program, password changes) would end the runner's own too: the
 * sessions the runner signs in with are revived afterwards, so the areas after this one keep theirs.
 */
import { sql } from 'kysely';
import { demoSignIns } from '../../src/demo/sign-in.js';
import type { ExampleRun, ExampleScript } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

/** The newest mail to `to` whose body holds `pattern`, and the pattern's first group. */
async function fromMail(run: ExampleRun, to: string, pattern: RegExp): Promise<string> {
  const mails = await run.db.selectFrom('mail_outbox').select(['body', 'created_at']).where('program_id', '=', run.programId).where('to_address', '=', to).orderBy('created_at', 'desc').execute();
  for (const m of mails) {
    const found = pattern.exec(m.body);
    if (found) return found[1]!;
  }
  throw new Error(`no mail to ${to} matching ${pattern}`);
}

/** Runs `action` and then revives the sessions of the runner that it ended (sign-out, password change, switch). */
async function keepingSessions(run: ExampleRun, action: () => Promise<unknown>): Promise<void> {
  const open = await run.db
    .selectFrom('web_sessions')
    .select('id')
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('staff_user_id', '=', run.staffUserId), eb('member_id', '=', run.memberId)]))
    .execute();
  await action();
  if (open.length) await run.db.updateTable('web_sessions').set({ revoked_at: null }).where('id', 'in', open.map((s) => s.id)).execute();
}

const examples: ExampleScript = async (run) => {
  const member = await run.db.selectFrom('members').select(['email', 'account_id']).where('program_id', '=', run.programId).where('id', '=', run.memberId).executeTakeFirstOrThrow();
  const memberEmail = member.email!;
  const adminEmail = demoSignIns.console.email;

  // ------------------------------------------------------------ console sign-in and session
  await run.call({ operationId: 'signInStaff', body: { email: adminEmail, password: 'wrong-password-1' }, expectStatus: 401 });
  await run.call({ operationId: 'signInStaff', body: { email: adminEmail, password: demoSignIns.console.password } });
  await run.call({ operationId: 'getStaffSession' });
  await keepingSessions(run, () => run.call({ operationId: 'switchStaffProgram', body: { programId: run.programId } }));
  await run.call({ operationId: 'requestStaffPasswordReset', body: { email: adminEmail } });
  const resetToken = await fromMail(run, adminEmail, /reset-password\?token=([A-Za-z0-9_-]+)/);
  await run.call({ operationId: 'confirmStaffPasswordReset', body: { token: 'not-a-valid-token-0000', password: 'Takpanna-Tegelrod-2' }, expectStatus: 410 });
  await keepingSessions(run, () => run.call({ operationId: 'confirmStaffPasswordReset', body: { token: resetToken, password: 'Takpanna-Tegelrod-2' } }));
  await keepingSessions(run, () =>
    run.call({ operationId: 'changeStaffPassword', body: { currentPassword: 'Takpanna-Tegelrod-2', newPassword: demoSignIns.console.password } }),
  );

  // ------------------------------------------------------------ portal sign-in and session
  await run.call({ operationId: 'signInMemberWithPassword', body: { email: memberEmail, password: demoSignIns.portalPassword } });
  await run.call({ operationId: 'startMemberSignIn', body: { email: memberEmail, language: 'sv' } });
  const code = await fromMail(run, memberEmail, /\b(\d{6})\b/);
  await run.call({ operationId: 'verifyMemberSignIn', body: { email: memberEmail, code: code === '000000' ? '111111' : '000000' }, expectStatus: 401 });
  await run.call({ operationId: 'verifyMemberSignIn', body: { email: memberEmail, code } });
  await run.call({ operationId: 'getMemberSession' });
  await run.call({ operationId: 'chooseMember', body: { memberId: run.memberId } });
  await keepingSessions(run, () => run.call({ operationId: 'setMemberPassword', body: { newPassword: demoSignIns.portalPassword } }));

  // An invitation of Kedjan A waiting in the demo: the page shows it, the person accepts it.
  const invited = await run.db
    .selectFrom('members')
    .select(['email'])
    .where('program_id', '=', run.programId)
    .where('status', '=', 'invited')
    .where('email', '=', 'lisa.holm@kedjan-a.example')
    .executeTakeFirst();
  if (invited?.email) {
    const token = await fromMail(run, invited.email, /\/invitations\/(inv_[A-Za-z0-9_-]+)/);
    await run.call({ operationId: 'getInvitationLink', params: { token } });
    await run.call({ operationId: 'acceptInvitationLink', params: { token }, body: { name: 'Lisa Holm', language: 'sv' } });
    await run.call({ operationId: 'getInvitationLink', params: { token }, expectStatus: 409 });
  }

  // ------------------------------------------------------------ me and points
  await run.call({ operationId: 'portalGetMe' });
  await run.call({ operationId: 'portalUpdateMe', body: { phone: '+46 70 123 45 67', preferences: { orderMails: true } } });
  await run.call({ operationId: 'portalGetOnboarding' });
  await run.call({ operationId: 'portalGetBalance' });
  await run.call({ operationId: 'portalGetTier' });
  await run.call({ operationId: 'portalListHistory', query: { limit: 5 } });

  // ------------------------------------------------------------ shop
  const categories = (await run.call({ operationId: 'portalListRewardCategories' })).body as Body;
  // P10001 manages Kedjan A: the shop as paid from the company's points, which reach further than the member's own.
  const shop = (await run.call({ operationId: 'portalListRewards', query: { wallet: 'company', orderable: 'true', limit: 5 } })).body as Body;
  if (categories.items[0]) await run.call({ operationId: 'portalListRewards', query: { category: categories.items[0].code, limit: 5 } });
  await run.call({ operationId: 'portalListRecommendations', query: { limit: 4 } });
  const reward = shop.items.find((r: Body) => r.affordable && r.type !== 'physical') ?? shop.items.find((r: Body) => r.affordable);
  if (!reward) throw new Error('the demo shop has no reward Kedjan A can afford');
  await run.call({ operationId: 'portalGetReward', params: { id: reward.code }, query: { wallet: 'company' } });
  const delivery = { name: 'Anders Lindqvist', company: 'Kedjan A Bygg AB', street: 'Industrigatan 12', postalCode: '721 30', city: 'Västerås', country: 'SE' };
  const order = (
    await run.call({
      operationId: 'portalCreateOrder',
      body: { rewardId: reward.id, quantity: 1, wallet: 'company', idempotencyKey: 'portal-order-2026-12-06-001', ...(reward.type === 'physical' && { delivery }), note: 'Till verkstaden i Västerås' },
    })
  ).body as Body;
  await run.call({ operationId: 'portalCreateOrder', body: { rewardId: reward.id, quantity: 100, wallet: 'member', idempotencyKey: 'portal-order-too-many-0001', delivery }, expectStatus: 422 }).catch(() => undefined);
  await run.call({ operationId: 'portalListOrders', query: { limit: 5 } });
  await run.call({ operationId: 'portalGetOrder', params: { id: order.id } });
  // A physical reward waits to be sent: the member may still change their mind and cancel it.
  const more = (await run.call({ operationId: 'portalListRewards', query: { wallet: 'company', orderable: 'true', limit: 100 } })).body as Body;
  const physical = more.items.find((r: Body) => r.affordable && r.type === 'physical');
  const toCancel = physical
    ? ((await run.call({ operationId: 'portalCreateOrder', body: { rewardId: physical.id, wallet: 'company', idempotencyKey: 'portal-order-2026-12-06-002', delivery } })).body as Body)
    : order;
  if (toCancel.cancellable) await run.call({ operationId: 'portalCancelOrder', params: { id: toCancel.id }, body: { reason: 'Beställde fel storlek' } });
  if (order.state === 'issued') await run.call({ operationId: 'portalCancelOrder', params: { id: order.id }, body: {}, expectStatus: 409 });

  // ------------------------------------------------------------ claims
  const product = await run.db.selectFrom('products').select('sku').where('program_id', '=', run.programId).where('active', '=', true).orderBy('sku').executeTakeFirstOrThrow();
  const file = (await sql<{ id: string }>`SELECT id FROM evidence_files WHERE program_id = ${run.programId} AND account_id = ${member.account_id} ORDER BY created_at LIMIT 1`.execute(run.db)).rows[0];
  const today = new Date().toISOString().slice(0, 10);
  const claimBody = {
    sku: product.sku,
    quantity: 12,
    amount: 1_485_000,
    saleDate: today,
    invoiceNumber: 'F-2026-10482',
    endCustomer: 'Brf Solrosen, Västerås',
    evidenceIds: file ? [file.id] : [],
    idempotencyKey: 'portal-claim-2026-12-06-001',
  };
  const claim = (await run.call({ operationId: 'portalCreateClaim', body: claimBody })).body as Body;
  await run.call({ operationId: 'portalCreateClaim', body: { ...claimBody, idempotencyKey: 'portal-claim-2026-12-06-002' }, expectStatus: 409 });
  await run.call({ operationId: 'portalListClaims', query: { limit: 5 } });
  const shown = (await run.call({ operationId: 'portalGetClaim', params: { id: claim.id } })).body as Body;
  const evidence = shown.evidence?.[0];
  if (evidence) await run.call({ operationId: 'portalGetClaimEvidence', params: { id: claim.id, fileId: evidence.id } });

  // ------------------------------------------------------------ team (P10001 manages Kedjan A)
  const team = (await run.call({ operationId: 'portalListTeam', query: { limit: 10 } })).body as Body;
  const colleague = team.items.find((t: Body) => t.memberId !== run.memberId && t.status === 'active');
  if (colleague) {
    await run.call({ operationId: 'portalAllocateTeamPoints', body: { memberId: colleague.memberId, points: 250, note: 'Tack för hjälpen med inventeringen', idempotencyKey: 'portal-allocation-2026-12-06-001' } });
  }
  const pending = (await run.call({ operationId: 'portalListTeamClaims', query: { state: 'pending', limit: 10 } })).body as Body;
  const decidable = pending.items.filter((c: Body) => c.state === 'submitted' && c.memberId !== run.memberId);
  if (decidable[0]) await run.call({ operationId: 'portalApproveTeamClaim', params: { id: decidable[0].id } });
  if (decidable[1]) await run.call({ operationId: 'portalRejectTeamClaim', params: { id: decidable[1].id }, body: { reasonCode: 'invoice_not_found', note: 'Fakturan finns inte hos grossisten, skicka gärna en kopia.' } });
  await run.call({ operationId: 'portalApproveTeamClaim', params: { id: claim.id }, expectStatus: 403 });

  // ------------------------------------------------------------ surveys and quizzes
  const learn = (await run.call({ operationId: 'portalListLearning' })).body as Body;
  const open = learn.surveys.find((s: Body) => !s.answered);
  if (open) {
    const survey = (await run.call({ operationId: 'portalGetSurvey', params: { id: open.id } })).body as Body;
    const answers: Record<string, unknown> = {};
    for (const q of survey.questions as Body[]) {
      if (q.kind === 'nps') answers[q.id] = 9;
      else if (q.kind === 'csat') answers[q.id] = 5;
      else if (q.kind === 'rating') answers[q.id] = q.max ?? 5;
      else if (q.kind === 'single') answers[q.id] = q.options[0].id;
      else if (q.kind === 'multiple') answers[q.id] = [q.options[0].id];
      else if (q.kind === 'text') answers[q.id] = 'Snabb leverans och bra service i butiken.';
    }
    // Progress saved as each question is answered, resumed on another device, started over, then sent.
    const [firstQ] = survey.questions as Body[];
    await run.call({ operationId: 'portalSaveSurveyDraft', params: { id: survey.id }, body: { version: survey.version, answers: { [firstQ.id]: answers[firstQ.id] }, step: 1 } });
    await run.call({ operationId: 'portalGetSurveyDraft', params: { id: survey.id } });
    await run.call({ operationId: 'portalDeleteSurveyDraft', params: { id: survey.id } });
    await run.call({ operationId: 'portalSaveSurveyDraft', params: { id: survey.id }, body: { version: survey.version, answers, step: survey.questions.length - 1 } });
    await run.call({ operationId: 'portalAnswerSurvey', params: { id: survey.id }, body: { answers, version: survey.version } });
    await run.call({ operationId: 'portalAnswerSurvey', params: { id: survey.id }, body: { answers, version: survey.version }, expectStatus: 409 });
  }

  // ------------------------------------------------------------ trainings, certificates, members-only content
  const courses = (await run.call({ operationId: 'portalListCourses' })).body as Body;
  for (const c of courses.data as Body[]) {
    const course = (await run.call({ operationId: 'portalGetCourse', params: { id: c.id } })).body as Body;
    const next = course.modules.find((m: Body) => m.id === course.next);
    if (next && next.kind !== 'quiz') {
      await run.call({ operationId: 'portalCompleteModule', params: { id: course.id, moduleId: next.id } });
      const locked = course.modules.find((m: Body) => m.state === 'locked' && m.kind !== 'quiz');
      if (locked) await run.call({ operationId: 'portalCompleteModule', params: { id: course.id, moduleId: locked.id }, expectStatus: 409 }).catch(() => undefined);
    }
    const withFile = course.modules.find((m: Body) => m.file);
    if (withFile) await run.call({ operationId: 'portalGetTrainingFile', params: { id: withFile.file.id } });
  }
  // The demo member's yearly refresher certificate is due: renewing reopens the course.
  const due = (courses.data as Body[]).find((c: Body) => c.complete && c.certificate?.validMonths === 12);
  if (due) await run.call({ operationId: 'portalRenewCertificate', params: { id: due.id } });
  const certificates = (await run.call({ operationId: 'portalListCertificates' })).body as Body;
  if (certificates.data[0]) await run.call({ operationId: 'portalGetCertificatePdf', params: { id: certificates.data[0].id } });
  const content = (await run.call({ operationId: 'portalListContent' })).body as Body;
  if (content.data[0]) {
    const item = (await run.call({ operationId: 'portalGetContent', params: { id: content.data[0].id } })).body as Body;
    await run.call({ operationId: 'portalMarkContentRead', params: { id: item.id } });
    if (item.file) await run.call({ operationId: 'portalGetTrainingFile', params: { id: item.file.id } });
  }

  // ------------------------------------------------------------ service requests and help centre
  await run.call({ operationId: 'portalListServiceTypes' });
  const created = (
    await run.call({
      operationId: 'portalCreateServiceRequest',
      body: { type: 'question', subject: 'Leveranstid för gipsskivor', body: 'Hur lång är leveranstiden för 120 gipsskivor till Västerås?', idempotencyKey: 'portal-service-2026-12-06-001' },
    })
  ).body as Body;
  await run.call({ operationId: 'portalAddServiceRequestComment', params: { id: created.id }, body: { body: 'Leveransadressen är Industrigatan 12.' } });
  await run.call({ operationId: 'portalGetServiceRequest', params: { id: created.id } });
  await run.call({ operationId: 'portalChangeServiceRequestState', params: { id: created.id }, body: { to: 'closed' }, expectStatus: 409 });
  const mine = (await run.call({ operationId: 'portalListServiceRequests', query: { scope: 'mine', limit: 10 } })).body as Body;
  await run.call({ operationId: 'portalListServiceRequests', query: { scope: 'company', open: 'true', limit: 5 } });
  const resolved = mine.items.find((r: Body) => r.state === 'resolved');
  if (resolved) {
    await run.call({ operationId: 'portalRateServiceRequest', params: { id: resolved.id }, body: { score: 5, comment: 'Snabbt och vänligt svar.' } });
    await run.call({ operationId: 'portalChangeServiceRequestState', params: { id: resolved.id }, body: { to: 'closed', note: 'Tack, det löste sig.' } });
  }
  const withFile = mine.items.find((r: Body) => r.id !== created.id);
  if (withFile) {
    const full = (await run.call({ operationId: 'portalGetServiceRequest', params: { id: withFile.id } })).body as Body;
    const attachment = (full.timeline ?? []).flatMap((e: Body) => e.attachments ?? [])[0];
    if (attachment) await run.call({ operationId: 'portalGetServiceAttachment', params: { id: withFile.id, fileId: attachment.id } });
  }
  // A special order answered with a quote in points, which the member accepts: it becomes a shop order.
  const special = (
    await run.call({
      operationId: 'portalCreateServiceRequest',
      body: { type: 'special-order', subject: 'Fasadlampor i mässing', body: 'Kan ni ta hem sex fasadlampor i mässing till entrén?', fields: { item: 'Fasadlampa mässing', quantity: 6 } },
    })
  ).body as Body;
  const validUntil = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  const quoted = (
    await run.call({ operationId: 'quoteServiceRequest', params: { id: special.id }, body: { points: 100, quantity: 6, description: 'Sex lampor från Nordljus, leverans inom tio dagar.', validUntil } })
  ).body as Body;
  await run.call({ operationId: 'portalDecideServiceQuote', params: { id: special.id, quoteId: quoted.quotes[0].id }, body: { decision: 'accept' } });
  const articles = (await run.call({ operationId: 'portalListHelpArticles' })).body as Body;
  await run.call({ operationId: 'portalSearchHelp', query: { q: 'leverans' } });
  if (articles.items[0]) {
    await run.call({ operationId: 'portalGetHelpArticle', params: { id: articles.items[0].id } });
    await run.call({ operationId: 'portalRateHelpArticle', params: { id: articles.items[0].id }, body: { helpful: true } });
  }

  // ------------------------------------------------------------ last: signing out (the runner's sessions are revived)
  await keepingSessions(run, () => run.call({ operationId: 'signOutMember' }));
  await keepingSessions(run, () => run.call({ operationId: 'signOutStaff' }));
};
export default examples;
