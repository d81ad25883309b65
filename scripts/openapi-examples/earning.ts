/**
 * Examples of the earning area (events, rules, catalog, ledger, tiers, volume discounts, reports, control,
 * webhooks, evidence) against the demo program: a Swedish installer buys, earns, spends and is adjusted by
 * hand; the program team edits a rule, the tier ladder, the controls and a webhook. What is changed for the
 * example is put back (the ladder, the control settings) or archived (the rule), so later areas see the demo.
 */
import { tinyPdf } from '../../src/evidence/samples.js';
import { enqueueEvent } from '../../src/webhooks/events.js';
import type { ExampleScript } from './types.js';

const examples: ExampleScript = async (run) => {
  const { db, programId } = run;
  const accountOf = async (externalId: string) =>
    db.selectFrom('accounts').select(['id', 'external_id']).where('program_id', '=', programId).where('external_id', '=', externalId).executeTakeFirstOrThrow();
  const account = await accountOf('K2001');
  const chain = await accountOf('K1000');
  const member = await db
    .selectFrom('members')
    .select(['id', 'external_id'])
    .where('program_id', '=', programId)
    .where('account_id', '=', account.id)
    .orderBy('external_id')
    .executeTakeFirstOrThrow();
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

  // Catalog: a new category and products in it, alone and in a batch.
  await run.call({ operationId: 'listCategories', query: { limit: 5 } });
  await run.call({ operationId: 'upsertCategory', params: { code: 'ventilation' }, body: { name: 'Ventilation' } });
  await run.call({
    operationId: 'upsertProduct',
    params: { sku: 'VEN-1000' },
    body: { name: 'FTX-aggregat 250', categoryCode: 'ventilation', brand: 'Nordform', marginClass: 'high', unitPrice: 2_495_000, active: true, attributes: { energyClass: 'A+' } },
  });
  await run.call({
    operationId: 'upsertProduct',
    params: { sku: 'VEN-1001' },
    body: { name: 'Ventilationskanal 125 mm', categoryCode: 'no-such-category' },
    expectStatus: 422,
  });
  await run.call({ operationId: 'getProduct', params: { sku: 'VEN-1000' } });
  await run.call({ operationId: 'listProducts', query: { categoryCode: 'plumbing', limit: 3 } });
  await run.call({
    operationId: 'upsertProductBatch',
    body: {
      items: [
        { sku: 'VEN-1001', name: 'Ventilationskanal 125 mm', categoryCode: 'ventilation', brand: 'Polarix', marginClass: 'standard', unitPrice: 34_900 },
        { sku: 'VEN-1002', name: 'Tilluftsdon 125', categoryCode: 'ventilation', brand: 'Polarix', marginClass: 'low', unitPrice: 18_900 },
        { sku: 'VEN-1003', categoryCode: 'ventilation' },
      ],
    },
  });

  // Rules: a campaign on ventilation, simulated, edited, read by version and archived again.
  await run.call({ operationId: 'listRules', query: { eventType: 'purchase', limit: 5 } });
  const definition = {
    conditions: { eventTypes: ['purchase'], lines: { categories: ['ventilation'] } },
    effect: { type: 'perAmount', points: 2, per: 1000 },
    recipient: { type: 'member' },
    caps: [{ scope: 'account', period: 'month', maxPoints: 5000 }],
  };
  await run.call({
    operationId: 'createRule',
    body: { name: 'Ventilationskampanj', definition: { ...definition, effect: { type: 'perAmount', points: 0, per: 1000 } } },
    expectStatus: 422,
  });
  const rule = await run.call({
    operationId: 'createRule',
    body: { name: 'Ventilationskampanj', description: 'Dubbla poäng på ventilation under våren', priority: 95, definition },
  });
  const ruleId = String(rule.body.id);
  await run.call({
    operationId: 'simulateRules',
    body: {
      accountId: account.id,
      memberId: member.id,
      type: 'purchase',
      lines: [{ sku: 'VEN-1000', quantity: 1, amount: 2_495_000 }],
      draft: { id: ruleId, name: 'Ventilationskampanj', priority: 95, definition: { ...definition, effect: { type: 'perAmount', points: 3, per: 1000 } } },
    },
  });
  await run.call({ operationId: 'getRule', params: { id: ruleId } });
  await run.call({ operationId: 'updateRule', params: { id: ruleId }, body: { expectedVersion: 1, name: 'Ventilationskampanj våren', priority: 96 } });
  await run.call({ operationId: 'updateRule', params: { id: ruleId }, body: { expectedVersion: 1, priority: 97 }, expectStatus: 409 });
  await run.call({ operationId: 'getRuleVersion', params: { id: ruleId, version: '1' } });

  // Events: one purchase, a batch with a return and a behaviour, the purchase looked up, a simulation.
  const purchase = {
    id: 'INV-2026-104233',
    type: 'purchase',
    occurredAt: minutesAgo(90),
    account: account.external_id!,
    member: member.external_id!,
    lines: [
      { sku: 'VEN-1000', quantity: 1, amount: 2_495_000 },
      { sku: 'PLU-1001', quantity: 4, amount: 315_600 },
    ],
    attributes: { channel: 'webshop', store: 'Uppsala' },
  };
  await run.call({ operationId: 'createEvent', body: purchase });
  await run.call({
    operationId: 'createEvent',
    body: {
      events: [
        { id: 'RET-2026-104233-1', type: 'return', occurredAt: minutesAgo(30), account: account.external_id!, originalId: 'INV-2026-104233', lines: [{ sku: 'PLU-1001', quantity: 1 }] },
        { id: 'APP-2026-0412-P1', type: 'app.login', occurredAt: minutesAgo(20), account: account.external_id!, member: member.external_id! },
        { id: 'INV-2026-104234', type: 'purchase', occurredAt: minutesAgo(10), account: 'K9999', lines: [{ sku: 'TIM-1000', quantity: 10, amount: 129_000 }] },
      ],
    },
  });
  await run.call({ operationId: 'createEvent', body: { ...purchase, lines: [{ sku: 'VEN-1000', quantity: 2, amount: 4_990_000 }] }, expectStatus: 409 });
  await run.call({ operationId: 'getEvent', params: { id: 'INV-2026-104233' } });
  await run.call({
    operationId: 'simulateEvent',
    body: { id: 'INV-2026-104240', type: 'purchase', occurredAt: minutesAgo(1), account: account.external_id!, member: member.external_id!, lines: [{ sku: 'VEN-1001', quantity: 20, amount: 698_000 }] },
  });
  await run.call({ operationId: 'archiveRule', params: { id: ruleId }, body: { expectedVersion: 2 } });

  // Ledger: balances and histories, a transfer to the member, spending, manual adjustments.
  await run.call({ operationId: 'getAccountBalance', params: { id: account.id } });
  await run.call({ operationId: 'getMemberBalance', params: { id: member.id }, query: { expiringWithinDays: 30 } });
  await run.call({ operationId: 'listAccountPointsHistory', params: { id: account.id }, query: { limit: 3 } });
  await run.call({ operationId: 'listMemberPointsHistory', params: { id: member.id }, query: { limit: 3 } });
  await run.call({
    operationId: 'transferAccountPointsToMember',
    params: { id: account.id },
    body: { memberId: member.id, points: 500, memo: 'Bonus för FTX-installationen i Uppsala', idempotencyKey: '0b6f2c3e-alloc-2026-0412' },
  });
  await run.call({
    operationId: 'spendMemberPoints',
    params: { id: member.id },
    body: { points: 200, memo: 'Betalning med poäng i webbutiken', reference: 'ORD-88412', idempotencyKey: '7d1e9a40-spend-ORD-88412' },
  });
  await run.call({
    operationId: 'spendAccountPoints',
    params: { id: account.id },
    body: { points: 100_000_000, memo: 'Betalning med poäng', idempotencyKey: '7d1e9a40-spend-ORD-88413' },
    expectStatus: 422,
  });
  await run.call({
    operationId: 'spendAccountPoints',
    params: { id: account.id },
    body: { points: 300, memo: 'Frakt betald med poäng', reference: 'ORD-88413', idempotencyKey: '7d1e9a40-spend-ORD-88414' },
  });
  await run.call({
    operationId: 'adjustMemberPoints',
    params: { id: member.id },
    body: { points: 250, reasonCode: 'goodwill', memo: 'Försenad leverans till bygget i Uppsala', idempotencyKey: 'c2f4a8e1-adjust-goodwill-1' },
  });
  const requested = await run.call({
    operationId: 'adjustAccountPoints',
    params: { id: account.id },
    body: { points: 6_000, reasonCode: 'migration', memo: 'Poäng från den gamla återförsäljarklubben, saldo 2025-12-31', idempotencyKey: 'c2f4a8e1-adjust-migration-1' },
  });
  await run.call({ operationId: 'getLedgerSummary' });

  // Control: the settings (put back as they were), requests, a decision.
  const control = await run.call({ operationId: 'getControlSettings' });
  await run.call({
    operationId: 'updateControlSettings',
    body: {
      approvalThreshold: control.body.approvalThreshold,
      dailyAdjustmentLimit: control.body.dailyAdjustmentLimit,
      reasonCodes: (control.body.reasonCodes as Array<{ code: string; labels: Record<string, string> }>).map(({ code, labels }) => ({ code, labels })),
    },
  });
  await run.call({ operationId: 'listAdjustmentRequests', query: { state: 'pending', limit: 5 } });
  const ownRequest = String(requested.body.id);
  await run.call({ operationId: 'getAdjustmentRequest', params: { id: ownRequest } });
  // The example's key belongs to no staff member, so it may not approve; it may withdraw its own request.
  const othersRequest = await db
    .selectFrom('adjustment_requests')
    .select('id')
    .where('program_id', '=', programId)
    .where('state', '=', 'pending')
    .where('requested_by', 'like', 'staff:%')
    .executeTakeFirst();
  await run.call({ operationId: 'approveAdjustmentRequest', params: { id: othersRequest?.id ?? ownRequest }, expectStatus: 403 });
  await run.call({ operationId: 'rejectAdjustmentRequest', params: { id: ownRequest }, body: { reason: 'Saldot finns redan på kedjans huvudkonto' } });
  // A second request, approved by the demo owner in the console: another person than the one who asked.
  const second = await run.call({
    operationId: 'adjustAccountPoints',
    params: { id: account.id },
    body: { points: 5_500, reasonCode: 'migration', memo: 'Rättat saldo från den gamla klubben, 2025-12-31', idempotencyKey: 'c2f4a8e1-adjust-migration-2' },
  });
  await run.call({ operationId: 'approveAdjustmentRequest', as: 'console', params: { id: String(second.body.id) } });

  // Tiers: the ladder (for a moment also for members), distribution, an account's level, history and hold.
  const ladder = await run.call({ operationId: 'getTierLadder' });
  const { settings, levels } = ladder.body as { settings: Record<string, unknown>; levels: unknown[] };
  await run.call({ operationId: 'replaceTierLadder', body: { settings: { ...settings, scope: 'both' }, levels } });
  await run.call({ operationId: 'getTierDistribution' });
  await run.call({ operationId: 'getAccountTier', params: { id: chain.id } });
  await run.call({ operationId: 'getMemberTier', params: { id: member.id } });
  await run.call({ operationId: 'listAccountTierHistory', params: { id: chain.id }, query: { limit: 5 } });
  await run.call({ operationId: 'listMemberTierHistory', params: { id: member.id }, query: { limit: 5 } });
  await run.call({ operationId: 'freezeAccountTier', params: { id: chain.id }, body: { months: 6, reason: 'Butiken i Bergen byggs om och är stängd under våren' } });
  await run.call({ operationId: 'unfreezeAccountTier', params: { id: chain.id } });
  await run.call({ operationId: 'freezeMemberTier', params: { id: member.id }, body: { months: 3, reason: 'Föräldraledig till och med juni' } });
  await run.call({ operationId: 'unfreezeMemberTier', params: { id: member.id } });
  await run.call({ operationId: 'replaceTierLadder', body: { settings, levels } });
  await run.call({ operationId: 'getMemberTier', params: { id: member.id }, expectStatus: 409 });

  // Volume discounts: the demo's levels, an account's standing, and other levels for a moment.
  const volume = await run.call({ operationId: 'getVolumeDiscounts' });
  await run.call({ operationId: 'getAccountVolumeDiscount', params: { id: account.id } });
  await run.call({
    operationId: 'replaceVolumeDiscounts',
    body: { basis: 'amount', periodKind: 'calendar_year', levels: [{ threshold: 150_000_000, basisPoints: 200 }, { threshold: 50_000_000, basisPoints: 300 }] },
    expectStatus: 422,
  });
  await run.call({
    operationId: 'replaceVolumeDiscounts',
    body: {
      basis: 'amount',
      periodKind: 'calendar_year',
      levels: [
        { threshold: 50_000_000, basisPoints: 100 },
        { threshold: 150_000_000, basisPoints: 200 },
        { threshold: 400_000_000, basisPoints: 300 },
      ],
    },
  });
  await run.call({ operationId: 'replaceVolumeDiscounts', body: volume.body });

  // Reports.
  await run.call({ operationId: 'getProgramOverview', query: { interval: 'week' } });

  // Webhooks: the ERP's subscription, changed, its deliveries, a new secret, and removed again.
  await run.call({ operationId: 'listWebhooks' });
  await run.call({
    operationId: 'createWebhook',
    body: { url: 'https://erp.example.com/lojal/webhooks', eventTypes: ['tier.upgraded'], description: 'Affärssystemet' },
    expectStatus: 422,
  });
  const hook = await run.call({
    operationId: 'createWebhook',
    body: { url: 'https://erp.example.com/lojal/webhooks', eventTypes: ['credit_note.created', 'tier.changed'], description: 'Affärssystemet: kreditnotor och kundnivåer' },
  });
  const hookId = String(hook.body.id);
  await run.call({ operationId: 'getWebhook', params: { id: hookId } });
  await run.call({ operationId: 'updateWebhook', params: { id: hookId }, body: { eventTypes: ['credit_note.created', 'tier.changed', 'reward_order.placed'] } });
  await run.call({ operationId: 'listWebhookDeliveries', params: { id: hookId }, query: { state: 'failed' } });
  await run.call({ operationId: 'rotateWebhookSecret', params: { id: hookId } });
  await run.call({ operationId: 'retryWebhookDelivery', params: { id: '0190f5c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f' }, expectStatus: 404 });
  // A delivery the job gave up on after six attempts (the ERP was down) is sent again by hand.
  await db.transaction().execute((trx) => enqueueEvent(trx, programId, 'tier.changed', { ownerKind: 'account', ownerId: account.id, ownerExternalId: 'K2001', from: 'silver', to: 'gold', reason: 'threshold_reached' }, new Date()));
  const failed = await db
    .updateTable('webhook_deliveries')
    .set({ state: 'failed', attempts: 6, last_status: 503, last_error: 'HTTP 503: Service Unavailable', next_attempt_at: null })
    .where('program_id', '=', programId)
    .where('subscription_id', '=', hookId)
    .returning('id')
    .executeTakeFirstOrThrow();
  await run.call({ operationId: 'retryWebhookDelivery', params: { id: failed.id } });
  await run.call({ operationId: 'deleteWebhook', params: { id: hookId } });

  // Evidence: a receipt uploaded for the account, its description and its bytes.
  const uploaded = await run.call({
    operationId: 'uploadEvidence',
    query: { account: account.external_id! },
    form: { file: { filename: 'kvitto-ORD-88412.pdf', type: 'application/pdf', content: new Uint8Array(tinyPdf('Kvitto ORD-88412')) } },
  });
  const fileId = String(uploaded.body.data[0].id);
  await run.call({ operationId: 'getEvidence', params: { id: fileId } });
  await run.call({ operationId: 'getEvidenceContent', params: { id: fileId } });
};
export default examples;
