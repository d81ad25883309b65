/**
 * Examples for the rewards shop, sales claims and the co-op fund, against the seeded demo program (Nordbygg Partner
 * Club): VVSkedjan A's manager (P10001) orders for the company, the program team fulfils, claims are decided and a
 * dealer's co-op fund pays an ad. Each call's answer is the operation's example.
 */
import { sql } from 'kysely';
import type { ExampleScript } from './types.js';

const DAY = 86_400_000;
const isoDate = (at: Date) => at.toISOString().slice(0, 10);

const examples: ExampleScript = async (run) => {
  const { db, programId, memberId } = run;
  const one = async <T>(query: ReturnType<typeof sql<T>>, what: string): Promise<T> => {
    const row = (await query.execute(db)).rows[0];
    if (!row) throw new Error(`shop examples: the demo program has no ${what}`);
    return row;
  };

  // ---- Shop settings and categories ----
  const settings = await run.call({ operationId: 'getRewardSettings' });
  await run.call({ operationId: 'updateRewardSettings', body: { approvalThresholdPoints: settings.body.approvalThresholdPoints ?? 100_000 } });
  const categories = await run.call({ operationId: 'listRewardCategories' });
  const giftCards = (categories.body.data as Array<{ code: string; names: Record<string, string>; position: number }>).find((c) => c.code === 'gift-cards');
  await run.call({
    operationId: 'upsertRewardCategory',
    params: { code: 'gift-cards' },
    body: { names: giftCards?.names ?? { sv: 'Presentkort', en: 'Gift cards' }, position: giftCards?.position ?? 3 },
  });

  // ---- The catalogue ----
  await run.call({ operationId: 'listRewards', query: { memberId, payFrom: 'account', orderable: 'true', affordable: 'true', limit: 3 } });
  await run.call({ operationId: 'getReward', params: { id: 'drill-driver-18v' } });
  const created = await run.call({
    operationId: 'createReward',
    body: {
      code: 'torx-bit-set-32',
      type: 'physical',
      category: 'tools-workwear',
      texts: {
        sv: { name: 'Bitssats Torx, 32 delar', description: 'Slagtåliga bits T10–T40 i magnetisk ask, för skruvdragare och slagskruvdragare.' },
        en: { name: 'Torx bit set, 32 pieces', description: 'Impact-rated T10–T40 bits in a magnetic case, for drivers and impact drivers.' },
      },
      pricePoints: 15_000,
      stock: 50,
      limits: { perMember: 2, period: 'year' },
    },
  });
  const torx = created.body.id as string;
  await run.call({ operationId: 'updateReward', params: { id: torx }, body: { pricePoints: 14_500, stock: 60 } });
  await run.call({ operationId: 'importRewardCodes', params: { id: 'cinema-tickets-2' }, body: { codes: ['CINE-09101', 'CINE-09138', 'CINE-09175'] } });

  // ---- Orders: goods shipped and delivered, content issued, one cancelled, one refused ----
  const account = await one(
    sql<{ name: string; country: string | null }>`SELECT a.name, a.country FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
      WHERE m.program_id = ${programId} AND m.id = ${memberId}`,
    'portal member',
  );
  const order = (reward: string, key: string, extra: Record<string, unknown> = {}) => ({
    reward,
    memberId,
    quantity: 1,
    payFrom: 'account',
    idempotencyKey: `example-order-${key}`,
    ...extra,
  });
  // The member's own wallet does not pay for a drill: refused, nothing reserved.
  await run.call({ operationId: 'createRewardOrder', body: { ...order('drill-driver-18v', 'drill-own'), payFrom: 'member' }, expectStatus: 422 });
  const goods = await run.call({
    operationId: 'createRewardOrder',
    body: order(torx, 'torx-1', {
      shippingAddress: { name: 'Inköp', company: account.name, street: 'Industrivegen 14', postalCode: '0668', city: 'Oslo', country: account.country ?? 'NO', phone: '+47 22 44 10 00' },
      note: 'Leveres til lageret, port 3',
    }),
  });
  await run.call({ operationId: 'listRewardOrders', query: { memberId, limit: 5 } });
  await run.call({ operationId: 'getRewardOrder', params: { id: goods.body.id } });
  await run.call({ operationId: 'approveRewardOrder', params: { id: goods.body.id }, body: { reason: 'I lager, plockas i dag' } });
  await run.call({
    operationId: 'shipRewardOrder',
    params: { id: goods.body.id },
    body: { carrier: 'PostNord', trackingNumber: 'SE100200399', trackingUrl: 'https://tracking.postnord.com/se/?id=SE100200399' },
  });
  await run.call({ operationId: 'deliverRewardOrder', params: { id: goods.body.id }, body: {} });

  const warranty = await run.call({ operationId: 'createRewardOrder', body: order('extended-tool-warranty', 'warranty-1') });
  await run.call({ operationId: 'approveRewardOrder', params: { id: warranty.body.id }, body: {} });
  await run.call({
    operationId: 'issueRewardOrder',
    params: { id: warranty.body.id },
    body: { details: 'Garantibeviset är registrerat på företaget; ange ordernumret vid reklamation hos Nordbygg Service.' },
  });

  const headlamp = await run.call({ operationId: 'createRewardOrder', body: order('rechargeable-headlamp', 'headlamp-1') });
  await run.call({ operationId: 'cancelRewardOrder', params: { id: headlamp.body.id }, body: { reason: 'Beställd av misstag, vi har redan pannlampor' } });

  // From the approval threshold (100 000 points in the demo) an order waits for the program team.
  const radio = await run.call({ operationId: 'createRewardOrder', body: order('job-site-radio', 'radio-1') });
  await run.call({ operationId: 'rejectRewardOrder', params: { id: radio.body.id }, body: { reason: 'Byggradion ingår redan i kedjans avtal; beställ via inköpsavdelningen' } });

  // ---- Cashback and donations: what the ERP pays out ----
  await run.call({ operationId: 'createRewardOrder', body: order('credit-note-500', 'credit-note-1') });
  await run.call({ operationId: 'listCreditNotes', query: { exported: 'false', limit: 10 } });
  await run.call({ operationId: 'exportCreditNotes', body: { idempotencyKey: `erp-credit-notes-${isoDate(new Date())}`, max: 100 } });
  const year = new Date().getUTCFullYear();
  await run.call({ operationId: 'listRewardPledges', query: { from: `${year}-01-01T00:00:00+01:00`, to: `${year + 1}-01-01T00:00:00+01:00` } });

  // ---- Sales claims ----
  const claimSettings = await run.call({ operationId: 'getClaimSettings' });
  await run.call({ operationId: 'updateClaimSettings', body: claimSettings.body });
  const waiting = await run.call({ operationId: 'listClaims', query: { state: 'submitted', limit: 5 } });
  const [toReject] = waiting.body.data as Array<{ id: string }>;
  if (toReject) await run.call({ operationId: 'getClaim', params: { id: toReject.id } });

  // A salesperson's claim with a receipt already uploaded for their company.
  const seller = await one(
    sql<{ external_id: string; evidence_id: string; sku: string; unit_price: number }>`
      SELECT m.external_id, e.id AS evidence_id, p.sku, p.unit_price
      FROM sale_claims c
      JOIN members m ON m.program_id = c.program_id AND m.id = c.member_id
      JOIN evidence_files e ON e.program_id = c.program_id AND e.account_id = c.account_id
      JOIN products p ON p.program_id = c.program_id AND p.sku = c.sku
      WHERE c.program_id = ${programId} AND m.status = 'active'
      ORDER BY c.id LIMIT 1`,
    'sales claim with evidence',
  );
  const claim = {
    member: seller.external_id,
    sku: seller.sku,
    quantity: 3,
    amount: 3 * Number(seller.unit_price),
    saleDate: isoDate(new Date(Date.now() - 2 * DAY)),
    invoiceNumber: 'F-2026-5213',
    endCustomer: 'Brf Solgläntan',
    evidenceIds: [seller.evidence_id],
  };
  const submitted = await run.call({ operationId: 'createClaim', body: { ...claim, idempotencyKey: 'example-claim-F-2026-5213' } });
  // The same invoice line again, as another claim: refused.
  await run.call({ operationId: 'createClaim', body: claim, expectStatus: 409 });
  await run.call({ operationId: 'approveClaim', params: { id: submitted.body.id }, body: {} });
  if (toReject) {
    await run.call({
      operationId: 'rejectClaim',
      params: { id: toReject.id },
      body: { reason: 'invoice_not_found', note: 'Fakturanumret finns inte hos grossisten; kontrollera numret och skicka in igen.' },
    });
  }

  // ---- Co-op marketing fund ----
  const policy = await run.call({ operationId: 'getCoopPolicy' });
  const { kind, basisPoints, quarterlyAmount, accrueFrom } = policy.body as { kind: string; basisPoints?: number; quarterlyAmount?: number; accrueFrom: string };
  await run.call({ operationId: 'updateCoopPolicy', body: kind === 'fixed_per_quarter' ? { kind, quarterlyAmount, accrueFrom } : { kind, basisPoints, accrueFrom } });

  const dealer = await one(
    sql<{ account_id: string; proof_evidence_id: string }>`
      SELECT c.account_id, c.proof_evidence_id FROM coop_claims c JOIN coop_funds f ON f.program_id = c.program_id AND f.account_id = c.account_id
      WHERE c.program_id = ${programId} ORDER BY f.balance DESC, c.id LIMIT 1`,
    'co-op claim',
  );
  await run.call({ operationId: 'getAccountCoopFund', params: { id: dealer.account_id } });
  await run.call({ operationId: 'listAccountCoopFundEntries', params: { id: dealer.account_id }, query: { limit: 5 } });
  await run.call({
    operationId: 'adjustAccountCoopFund',
    params: { id: dealer.account_id },
    body: { amount: 250_000, memo: 'Extra bidrag till monter på Nordbygg-mässan', idempotencyKey: 'example-coop-adjust-nordbygg' },
  });
  // More than the fund holds: refused, the fund never goes below zero.
  await run.call({
    operationId: 'adjustAccountCoopFund',
    params: { id: dealer.account_id },
    body: { amount: -9_000_000_000, memo: 'Rättelse', idempotencyKey: 'example-coop-adjust-too-much' },
    expectStatus: 422,
  });
  const ad = await run.call({
    operationId: 'createCoopClaim',
    body: {
      accountId: dealer.account_id,
      cost: 980_000,
      adDate: isoDate(new Date(Date.now() - 12 * DAY)),
      medium: 'print',
      otherBrands: 1,
      description: 'Halvsidesannons i Fastighetsnytt tillsammans med en fönstertillverkare',
      proofEvidenceId: dealer.proof_evidence_id,
      idempotencyKey: 'example-coop-claim-fastighetsnytt',
    },
  });
  await run.call({ operationId: 'listCoopClaims', query: { state: 'submitted', limit: 5 } });
  await run.call({ operationId: 'getCoopClaim', params: { id: ad.body.id } });
  await run.call({ operationId: 'approveCoopClaim', params: { id: ad.body.id } });
  const other = (await sql<{ id: string }>`SELECT id FROM coop_claims WHERE program_id = ${programId} AND state = 'submitted' ORDER BY id LIMIT 1`.execute(db)).rows[0];
  if (other) {
    await run.call({ operationId: 'rejectCoopClaim', params: { id: other.id }, body: { reason: 'cost_not_documented', note: 'Bifoga fakturan från tidningen, inte bara annonsen.' } });
  }
  const payouts = await run.call({ operationId: 'listCoopPayouts', query: { state: 'unexported', format: 'json', limit: 10 } });
  const payoutIds = (payouts.body.data as Array<{ id: string }>).map((p) => p.id);
  await run.call({ operationId: 'exportCoopPayouts', body: { idempotencyKey: `erp-coop-payouts-${isoDate(new Date())}`, ...(payoutIds.length && { payoutIds }) } });
};
export default examples;
