import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoopAccruals } from '../../src/coop/accrual.js';
import { tinyPdf, tinyPng } from '../../src/evidence/samples.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { seedCatalog } from '../support/fixtures.js';
import { postMultipart } from '../support/multipart.js';
import { documentSchemas } from '../support/contract.js';
import { deliverWebhooks } from '../../src/webhooks/delivery.js';
import { startReceiver, verify } from '../webhooks/receiver.js';

let t: TestApp;

beforeAll(async () => {
  // The decision webhooks go to a receiver on 127.0.0.1, a target the server refuses unless allowed.
  t = await startTestApp({ LOJAL_WEBHOOKS_ALLOW_PRIVATE: 'on' });
});
afterAll(async () => t.close());

/** A program with two dealers; purchases by D1 of 10,000.00 and 5,000.00 SEK, one line of the second returned. */
async function coopWorld(settings: Record<string, unknown> = {}) {
  const { programId, key } = await t.newProgram({ name: 'Co-op', ...settings });
  await seedCatalog(t, programId);
  const call = (m: string, u: string, b?: unknown, k = key) => t.call(m, u, b, k);
  const ids: Record<string, string> = {};
  for (const ext of ['D1', 'D2']) ids[ext] = (await call('PUT', `/v1/accounts/by-external-id/${ext}`, { name: `Dealer ${ext}` })).json().id;
  ids.M1 = (await call('PUT', '/v1/members/by-external-id/M1', { accountExternalId: 'D1', name: 'Marketing at D1', language: 'nb' })).json().id;
  const ev = (id: string, lines: unknown[], occurredAt = '2026-10-01T10:00:00Z') => call('POST', '/v1/events', { id, type: 'purchase', occurredAt, account: 'D1', lines });
  expect((await ev('P-1', [{ sku: 'DRILL', quantity: 1, amount: 1_000_000 }])).statusCode).toBe(201);
  expect((await ev('P-2', [{ sku: 'PAINT', quantity: 2, amount: 300_000 }, { sku: 'PLANK', quantity: 1, amount: 200_000 }])).statusCode).toBe(201);
  expect((await call('POST', '/v1/events', { id: 'R-1', type: 'return', occurredAt: '2026-10-02T10:00:00Z', account: 'D1', originalId: 'P-2', lines: [{ sku: 'PLANK', quantity: 1 }] })).statusCode).toBe(201);
  const claim = (body: Record<string, unknown>, files: Buffer[] = [tinyPdf('Annons')]) =>
    postMultipart(t, '/v1/coop/claims', [{ name: 'claim', value: JSON.stringify(body) }, ...files.map((bytes, i) => ({ name: 'file', fileName: `proof-${i}.pdf`, bytes }))], key);
  const fund = async (account = 'D1') => (await call('GET', `/v1/accounts/${ids[account]}/coop-fund`)).json();
  return { programId, key, call, ids, claim, fund };
}

const ad = (extra: Record<string, unknown> = {}) => ({ account: 'D1', cost: 1_000_000, adDate: '2026-10-15', medium: 'print', otherBrands: 0, ...extra });

describe('co-op fund accrual', () => {
  it('accrues 2 % of purchases net of returns once per event, however often the job runs', async () => {
    const w = await coopWorld();
    expect((await w.call('GET', '/v1/coop/policy')).json().code).toBe('coop_policy_missing');
    const policy = await w.call('PUT', '/v1/coop/policy', { kind: 'percent_of_purchases', basisPoints: 200, accrueFrom: '2026-01-01T00:00:00Z' });
    expect(policy.statusCode, policy.body).toBe(200);
    await runCoopAccruals(t.database.db, new Date('2026-11-23T00:00:00Z'));
    await runCoopAccruals(t.database.db, new Date('2026-11-23T00:00:00Z'));
    // 2 % of 10,000.00 + 2 % of (5,000.00 − 2,000.00 returned) = 200.00 + 60.00
    expect(await w.fund()).toMatchObject({ balance: 26_000, accrued: 26_000, reimbursed: 0, currency: 'SEK' });
    expect((await w.fund('D2')).balance).toBe(0);
    const entries = (await w.call('GET', `/v1/accounts/${w.ids.D1}/coop-fund/entries`)).json().data;
    expect(entries.map((e: { kind: string; amount: number }) => [e.kind, e.amount]).sort()).toEqual([['accrual', 20_000], ['accrual', 6_000]]);
    // A later purchase accrues on the next run, the earlier ones not again.
    await w.call('POST', '/v1/events', { id: 'P-3', type: 'purchase', occurredAt: '2026-11-01T10:00:00Z', account: 'D1', lines: [{ sku: 'DRILL', quantity: 1, amount: 100_000 }] });
    await runCoopAccruals(t.database.db, new Date('2026-11-23T00:00:00Z'));
    expect((await w.fund()).balance).toBe(28_000);
  });

  it('a return after the purchase accrued takes its share back, once, and never below what the fund holds', async () => {
    const w = await coopWorld();
    await w.call('PUT', '/v1/coop/policy', { kind: 'percent_of_purchases', basisPoints: 200, accrueFrom: '2026-01-01T00:00:00Z' });
    await runCoopAccruals(t.database.db, new Date('2026-11-23T00:00:00Z'));
    expect((await w.fund()).balance).toBe(26_000);
    // One of the two paint tins of P-2 (1,500.00) comes back after the accrual: 2 % of it, 30.00, leaves the fund.
    const late = await w.call('POST', '/v1/events', { id: 'R-2', type: 'return', occurredAt: '2026-11-10T10:00:00Z', account: 'D1', originalId: 'P-2', lines: [{ sku: 'PAINT', quantity: 1 }] });
    expect(late.statusCode, late.body).toBe(201);
    await runCoopAccruals(t.database.db, new Date('2026-12-02T00:00:00Z'));
    await runCoopAccruals(t.database.db, new Date('2026-12-02T00:00:00Z'));
    expect(await w.fund()).toMatchObject({ balance: 23_000, accrued: 23_000 });
    const entries = (await w.call('GET', `/v1/accounts/${w.ids.D1}/coop-fund/entries`)).json().data;
    expect(entries.filter((e: { amount: number }) => e.amount < 0).map((e: { kind: string; amount: number }) => [e.kind, e.amount])).toEqual([['accrual', -3_000]]);

    // The whole drill (P-1, 200.00 accrued) comes back after most of the fund was paid out: only what is left goes.
    await sql`UPDATE coop_funds SET balance = 5000 WHERE program_id = ${w.programId} AND account_id = ${w.ids.D1!}`.execute(t.database.db);
    await w.call('POST', '/v1/events', { id: 'R-3', type: 'return', occurredAt: '2026-11-11T10:00:00Z', account: 'D1', originalId: 'P-1', lines: [{ sku: 'DRILL', quantity: 1 }] });
    await runCoopAccruals(t.database.db, new Date('2026-12-04T00:00:00Z'));
    expect((await w.fund()).balance).toBe(0);
  });

  it('waits for the return window (pendingDays) before a purchase accrues, and ignores purchases before accrueFrom', async () => {
    const w = await coopWorld({ pendingDays: 30 });
    await w.call('PUT', '/v1/coop/policy', { kind: 'percent_of_purchases', basisPoints: 100, accrueFrom: '2026-10-01T05:00:00Z' });
    await runCoopAccruals(t.database.db, new Date('2026-10-20T00:00:00Z'));
    expect((await w.fund()).balance).toBe(0);
    await runCoopAccruals(t.database.db, new Date('2026-11-23T00:00:00Z'));
    expect((await w.fund()).balance).toBe(10_000 + 3_000);
    await w.call('PUT', '/v1/coop/policy', { kind: 'percent_of_purchases', basisPoints: 100, accrueFrom: '2026-12-01T00:00:00Z' });
    await w.call('POST', '/v1/events', { id: 'P-9', type: 'purchase', occurredAt: '2026-10-05T10:00:00Z', account: 'D1', lines: [{ sku: 'DRILL', quantity: 1, amount: 100_000 }] });
    await runCoopAccruals(t.database.db, new Date('2026-12-23T00:00:00Z'));
    expect((await w.fund()).balance).toBe(13_000);
  });

  it('a fixed amount per quarter accrues once per account and quarter', async () => {
    const w = await coopWorld();
    await w.call('PUT', '/v1/coop/policy', { kind: 'fixed_per_quarter', quarterlyAmount: 500_000, accrueFrom: '2026-01-01T00:00:00Z' });
    await runCoopAccruals(t.database.db, new Date('2026-11-01T00:00:00Z'));
    await runCoopAccruals(t.database.db, new Date('2026-12-31T12:00:00Z'));
    expect((await w.fund()).balance).toBe(500_000);
    expect((await w.fund('D2')).balance).toBe(500_000);
    await runCoopAccruals(t.database.db, new Date('2027-01-02T00:00:00Z'));
    expect((await w.fund()).balance).toBe(1_000_000);
    expect((await w.call('PUT', '/v1/coop/policy', { kind: 'fixed_per_quarter', basisPoints: 5 })).json().code).toBe('validation_failed');
  });
});

describe('co-op claims', () => {
  async function funded(balance = 1_000_000) {
    const w = await coopWorld();
    expect((await w.call('POST', `/v1/accounts/${w.ids.D1}/coop-fund/adjustments`, { amount: balance, memo: 'Opening fund 2026', idempotencyKey: 'open-fund-1' })).statusCode).toBe(201);
    return w;
  }

  it('pays half when only our brand is shown, a quarter with one other brand, an eighth with three', async () => {
    const w = await funded();
    const paid: number[] = [];
    for (const otherBrands of [0, 1, 3]) {
      const res = await w.claim(ad({ cost: 200_000, otherBrands }));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ state: 'submitted', share: 200_000 / 2 / (1 + otherBrands), approvedAmount: null, sharePercent: 50 });
      const ok = await w.call('POST', `/v1/coop/claims/${res.json().id}/approve`);
      expect(ok.statusCode, ok.body).toBe(200);
      paid.push(ok.json().approvedAmount);
    }
    expect(paid).toEqual([100_000, 50_000, 25_000]);
    expect(await w.fund()).toMatchObject({ balance: 1_000_000 - 175_000, reimbursed: 175_000 });
  });

  it('caps the reimbursement by the fund balance at approval, and refuses when the fund is empty', async () => {
    const w = await funded(300_000);
    const a = (await w.claim(ad({ cost: 1_000_000 }))).json(); // share 500,000
    const b = (await w.claim(ad({ cost: 100_000 }))).json();
    const ra = await w.call('POST', `/v1/coop/claims/${a.id}/approve`);
    expect(ra.json()).toMatchObject({ state: 'approved', share: 500_000, approvedAmount: 300_000 });
    expect((await w.fund()).balance).toBe(0);
    const rb = await w.call('POST', `/v1/coop/claims/${b.id}/approve`);
    expect(rb.statusCode).toBe(422);
    expect(rb.json().code).toBe('coop_fund_empty');
    expect((await w.call('GET', `/v1/coop/claims/${b.id}`)).json().state).toBe('submitted');
    // Approving again answers the same, and takes nothing more.
    expect((await w.call('POST', `/v1/coop/claims/${a.id}/approve`)).json().approvedAmount).toBe(300_000);
    expect((await w.fund()).balance).toBe(0);
  });

  it('rejects with a reason the dealer reads in their language; a decided claim does not change again', async () => {
    const w = await funded();
    const c = (await w.claim(ad({ member: 'M1' }))).json();
    const r = await w.call('POST', `/v1/coop/claims/${c.id}/reject`, { reason: 'cost_not_documented', note: 'Faktura mangler' });
    expect(r.json()).toMatchObject({ state: 'rejected', approvedAmount: null, rejection: { code: 'cost_not_documented', language: 'nb', message: 'Annonsens kostnad er ikke dokumentert.', note: 'Faktura mangler' } });
    expect((await w.call('POST', `/v1/coop/claims/${c.id}/approve`)).json().code).toBe('claim_state_conflict');
    expect((await w.call('POST', `/v1/coop/claims/${c.id}/reject`, { reason: 'cost_not_documented' })).statusCode).toBe(200);
    const d = (await w.claim(ad())).json();
    await w.call('POST', `/v1/coop/claims/${d.id}/approve`);
    expect((await w.call('POST', `/v1/coop/claims/${d.id}/reject`, { reason: 'duplicate_ad' })).json().code).toBe('claim_state_conflict');
    expect((await w.call('POST', `/v1/coop/claims/${d.id}/reject`, { reason: 'other' })).json().code).toBe('validation_failed');
    expect((await w.fund()).balance).toBe(500_000);
  });

  it('tells the ERP of each decision by a signed coop_claim.decided webhook, once, as the document describes it', async () => {
    const receiver = await startReceiver();
    try {
      const w = await funded(300_000);
      const sub = await w.call('POST', '/v1/webhooks', { url: receiver.url('/coop'), eventTypes: ['coop_claim.decided'] });
      expect(sub.statusCode, sub.body).toBe(201);
      const paid = (await w.claim(ad({ cost: 1_000_000, member: 'M1' }))).json(); // share 500,000, capped at 300,000
      const refused = (await w.claim(ad({ medium: 'radio' }))).json();
      expect((await w.call('POST', `/v1/coop/claims/${paid.id}/approve`)).statusCode).toBe(200);
      expect((await w.call('POST', `/v1/coop/claims/${paid.id}/approve`)).statusCode).toBe(200); // a repeat publishes nothing
      expect((await w.call('POST', `/v1/coop/claims/${refused.id}/reject`, { reason: 'proof_unreadable', note: 'Skann på nytt' })).statusCode).toBe(200);
      expect((await w.call('POST', `/v1/coop/claims/${refused.id}/approve`)).json().code).toBe('claim_state_conflict'); // refused, nothing published

      await deliverWebhooks(t.database.db, { allowPrivate: true, now: t.clock() });
      const got = receiver.received.filter((r) => r.path === '/coop');
      expect(got.map((r) => r.json.type)).toEqual(['coop_claim.decided', 'coop_claim.decided']);
      for (const r of got) expect(verify(sub.json().secret, r)).toBe(true);
      expect(got[0]!.json.data).toEqual({
        claimId: paid.id, decision: 'approved', accountId: w.ids.D1, accountExternalId: 'D1', memberId: w.ids.M1,
        cost: 1_000_000, amount: 300_000, currency: 'SEK', reason: null, note: null,
      });
      expect(got[1]!.json.data).toMatchObject({ claimId: refused.id, decision: 'rejected', amount: 0, reason: 'proof_unreadable', note: 'Skann på nytt', memberId: null });

      const doc = (await t.call('GET', '/openapi.json', undefined, null)).json();
      const validate = documentSchemas(doc)(doc.webhooks['coop_claim.decided'].post.requestBody.content['application/json'].schema);
      for (const r of got) expect(validate(r.json), JSON.stringify(validate.errors)).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('answers bad input with its code and writes nothing', async () => {
    const w = await funded();
    const cases: Array<[Record<string, unknown>, Buffer[] | undefined, number, string]> = [
      [ad({ cost: 0 }), undefined, 400, 'validation_failed'],
      [ad({ cost: 12.5 }), undefined, 400, 'validation_failed'],
      [ad({ otherBrands: -1 }), undefined, 400, 'validation_failed'],
      [ad({ otherBrands: 1.5 }), undefined, 400, 'validation_failed'],
      [ad({ medium: 'skywriting' }), undefined, 400, 'validation_failed'],
      [ad({ adDate: '15.10.2026' }), undefined, 400, 'validation_failed'],
      [ad({ account: 'NOPE' }), undefined, 422, 'unknown_account'],
      [ad({ member: 'NOPE' }), undefined, 422, 'unknown_member'],
      [ad(), [], 422, 'evidence_required'],
      [ad(), [tinyPdf('a'), tinyPng()], 422, 'evidence_required'],
      [ad(), [Buffer.from('plain text is not a proof')], 415, 'evidence_type_not_allowed'],
    ];
    for (const [body, files, status, code] of cases) {
      const res = await w.claim(body, files);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(res.json().code).toBe(code);
    }
    expect((await w.call('GET', '/v1/coop/claims')).json().data).toEqual([]);
    expect((await w.call('POST', `/v1/accounts/${w.ids.D1}/coop-fund/adjustments`, { amount: -2_000_000, memo: 'too much', idempotencyKey: 'take-too-much' })).json().code).toBe('coop_fund_insufficient');
    expect((await w.call('POST', `/v1/accounts/${w.ids.D1}/coop-fund/adjustments`, { amount: 5, memo: 'changed', idempotencyKey: 'open-fund-1' })).json().code).toBe('idempotency_conflict');
    expect((await w.fund()).balance).toBe(1_000_000);
  });

  it('takes a proof uploaded before, and answers a retry with the same idempotency key with the same claim', async () => {
    const w = await funded();
    const up = await postMultipart(t, '/v1/evidence?account=D1', [{ name: 'file', fileName: 'annons.png', bytes: tinyPng([0, 90, 160]) }], w.key);
    const body = ad({ proofEvidenceId: up.json().data[0].id, idempotencyKey: 'coop-claim-retry-1', description: 'Helsida i Byggvärlden' });
    const first = await w.call('POST', '/v1/coop/claims', body);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().proofUrl).toBe(up.json().data[0].url);
    const again = await w.call('POST', '/v1/coop/claims', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect((await w.call('POST', '/v1/coop/claims', { ...body, cost: 5 })).json().code).toBe('idempotency_conflict');
    const other = await postMultipart(t, '/v1/evidence?account=D2', [{ name: 'file', fileName: 'x.png', bytes: tinyPng() }], w.key);
    expect((await w.call('POST', '/v1/coop/claims', ad({ proofEvidenceId: other.json().data[0].id }))).json().code).toBe('unknown_evidence');
  });
});

describe('payouts for the ERP', () => {
  it('answers every payout as CSV, page after page, with no row limit', async () => {
    const w = await coopWorld();
    await w.call('POST', `/v1/accounts/${w.ids.D1}/coop-fund/adjustments`, { amount: 1_000_000, memo: 'Fund', idempotencyKey: 'fund-many-1' });
    const c = (await w.claim(ad({ cost: 100_000 }))).json();
    expect((await w.call('POST', `/v1/coop/claims/${c.id}/approve`)).statusCode).toBe(200);
    // 12,000 more approved claims and their payouts, copied in SQL: more than two pages of the CSV's 5,000.
    const extra = 12_000;
    await sql`
      WITH claims AS (
        INSERT INTO coop_claims (program_id, id, account_id, member_id, cost, ad_date, medium, description, other_brands, proof_evidence_id, share, state,
                                 approved_amount, decided_by, decided_at, submitted_by, request_hash, created_at)
        SELECT program_id, gen_random_uuid(), account_id, member_id, cost, ad_date, medium, description, other_brands, proof_evidence_id, share, state,
               approved_amount, decided_by, decided_at, submitted_by, request_hash || g, created_at
        FROM coop_claims, generate_series(1, ${extra}) g WHERE program_id = ${w.programId} AND id = ${c.id}
        RETURNING program_id, id, account_id, approved_amount)
      INSERT INTO coop_payouts (program_id, id, claim_id, account_id, amount) SELECT program_id, gen_random_uuid(), id, account_id, approved_amount FROM claims`.execute(t.database.db);
    const csv = await t.app.inject({ method: 'GET', url: '/v1/coop/payouts?format=csv&state=all', headers: { authorization: `Bearer ${w.key}` } });
    expect(csv.statusCode).toBe(200);
    const rows = csv.body.slice(1).trim().split('\n').slice(1);
    expect(rows).toHaveLength(extra + 1);
    const ids = rows.map((r) => r.split(',')[0]!);
    expect(new Set(ids).size).toBe(extra + 1);
    // Oldest first by payout id, as the JSON pages are.
    expect([...ids].sort()).toEqual(ids);
  });

  it('lists approved claims as unexported payouts (JSON and CSV) and exports them in an idempotent batch', async () => {
    const w = await coopWorld();
    await w.call('POST', `/v1/accounts/${w.ids.D1}/coop-fund/adjustments`, { amount: 1_000_000, memo: 'Fund', idempotencyKey: 'fund-erp-1' });
    const ids = [];
    for (const cost of [100_000, 300_000]) {
      const c = (await w.claim(ad({ cost, medium: 'outdoor' }))).json();
      await w.call('POST', `/v1/coop/claims/${c.id}/approve`);
      ids.push(c.id);
    }
    const rejected = (await w.claim(ad())).json();
    await w.call('POST', `/v1/coop/claims/${rejected.id}/reject`, { reason: 'ad_not_eligible' });

    const list = (await w.call('GET', '/v1/coop/payouts?state=unexported')).json();
    expect(list.data.map((p: { claimId: string; amount: number }) => [p.claimId, p.amount])).toEqual([[ids[0], 50_000], [ids[1], 150_000]]);
    expect(list.data[0]).toMatchObject({ accountExternalId: 'D1', accountName: 'Dealer D1', currency: 'SEK', medium: 'outdoor', exportBatchId: null });

    const csv = await t.app.inject({ method: 'GET', url: '/v1/coop/payouts?state=unexported&format=csv', headers: { authorization: `Bearer ${w.key}` } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    // UTF-8 with a byte-order mark (Excel reads the letters right), through the project's CSV writer.
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    const lines = csv.body.slice(1).trim().split('\n');
    expect(lines[0]).toBe('payout_id,claim_id,account_id,account_external_id,account_name,amount_minor,currency,ad_date,medium,approved_at,export_batch_id,exported_at');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,${ids[0]},${w.ids.D1},D1,Dealer D1,50000,SEK,2026-10-15,outdoor,`);
    const byAccept = await t.app.inject({ method: 'GET', url: '/v1/coop/payouts', headers: { authorization: `Bearer ${w.key}`, accept: 'text/csv' } });
    expect(byAccept.body).toBe(csv.body);
    const swedish = await t.app.inject({ method: 'GET', url: '/v1/coop/payouts?format=csv&language=sv', headers: { authorization: `Bearer ${w.key}` } });
    expect(swedish.body.slice(1).split('\n')[0]).toBe('payout_id;claim_id;account_id;account_external_id;account_name;amount_minor;currency;ad_date;medium;approved_at;export_batch_id;exported_at');

    const batch = await w.call('POST', '/v1/coop/payouts/export', { idempotencyKey: 'erp-export-2026-11' });
    expect(batch.json()).toMatchObject({ payouts: 2, total: 200_000, currency: 'SEK', created: true });
    const retry = await w.call('POST', '/v1/coop/payouts/export', { idempotencyKey: 'erp-export-2026-11' });
    expect(retry.json()).toMatchObject({ id: batch.json().id, payouts: 2, total: 200_000, created: false });
    expect((await w.call('GET', '/v1/coop/payouts')).json().data).toEqual([]);
    const exported = (await w.call('GET', `/v1/coop/payouts?state=exported&batchId=${batch.json().id}`)).json().data;
    expect(exported).toHaveLength(2);
    expect(exported[0].exportedAt).not.toBeNull();
    // A new batch finds nothing left to take.
    expect((await w.call('POST', '/v1/coop/payouts/export', { idempotencyKey: 'erp-export-2026-12' })).json()).toMatchObject({ payouts: 0, total: 0 });
    expect((await w.call('POST', '/v1/coop/payouts/export', { idempotencyKey: 'short' })).json().code).toBe('validation_failed');
  });
});

describe.runIf(onPostgres)('co-op under concurrency on PostgreSQL', () => {
  it('10 claims approved at once against a fund for 3: the fund never overdraws and pays exactly its balance', async () => {
    const w = await coopWorld();
    await w.call('POST', `/v1/accounts/${w.ids.D1}/coop-fund/adjustments`, { amount: 300_000, memo: 'Fund', idempotencyKey: 'race-fund-1' });
    const claims = [];
    for (let i = 0; i < 10; i++) claims.push((await w.claim(ad({ cost: 200_000 }))).json()); // share 100,000 each
    const results = await Promise.all(claims.map((c) => w.call('POST', `/v1/coop/claims/${c.id}/approve`)));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(3);
    expect(codes.filter((c) => c === 422)).toHaveLength(7);
    expect((await w.fund()).balance).toBe(0);
    const sum = await sql<{ s: number }>`SELECT coalesce(sum(amount), 0)::bigint AS s FROM coop_entries WHERE program_id = ${w.programId} AND account_id = ${w.ids.D1!}`.execute(t.database.db);
    expect(Number(sum.rows[0]!.s)).toBe(0);
  });

  it('two accrual runs at once accrue each purchase once', async () => {
    const w = await coopWorld();
    await w.call('PUT', '/v1/coop/policy', { kind: 'percent_of_purchases', basisPoints: 200, accrueFrom: '2026-01-01T00:00:00Z' });
    const now = new Date('2026-11-23T00:00:00Z');
    await Promise.all([runCoopAccruals(t.database.db, now), runCoopAccruals(t.database.db, now), runCoopAccruals(t.database.db, now)]);
    expect((await w.fund()).balance).toBe(26_000);
  });
});
