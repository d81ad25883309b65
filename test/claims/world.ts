import { tinyPdf, tinyPng } from '../../src/evidence/samples.js';
import type { TestApp } from '../support/app.js';
import { createRules, seedCatalog } from '../support/fixtures.js';
import { postMultipart } from '../support/multipart.js';

/**
 * A channel program for claim tests: a chain (CH) with a branch (BR) and an independent dealer (IN);
 * salespeople at the branch, a manager at the chain and one at the branch, and a rule paying 1 point
 * per 10 SEK of a claimed sale to the salesperson.
 */
export interface ClaimWorld {
  programId: string;
  key: string;
  ids: Record<string, string>;
  call: (method: string, url: string, body?: unknown, key?: string) => ReturnType<TestApp['call']>;
  submit: (claim: Record<string, unknown>, files?: Buffer[], key?: string) => ReturnType<typeof postMultipart>;
}

export const saleClaimRule = {
  name: 'Sold by partner staff',
  effectiveFrom: '2020-01-01T00:00:00Z',
  definition: { conditions: { eventTypes: ['sale_claim'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } },
};

export async function claimWorld(t: TestApp, fresh = true): Promise<ClaimWorld> {
  const { programId, key } = fresh ? await t.newProgram({ name: 'Claims' }) : { programId: t.programId, key: t.key };
  await seedCatalog(t, programId);
  await createRules(t, [saleClaimRule], key);
  const call: ClaimWorld['call'] = (m, u, b, k = key) => t.call(m, u, b, k);
  const ids: Record<string, string> = {};
  for (const [ext, body] of [
    ['CH', { name: 'Byggkedjan AB' }],
    ['BR', { name: 'Byggkedjan Uppsala', parentExternalId: 'CH' }],
    ['IN', { name: 'Lind VVS AB' }],
  ] as const) {
    const res = await call('PUT', `/v1/accounts/by-external-id/${ext}`, body);
    if (res.statusCode >= 300) throw new Error(res.body);
    ids[ext] = res.json().id;
  }
  for (const [ext, account, role, language] of [
    ['SELLER', 'BR', 'sales_rep', 'sv'],
    ['SELLER2', 'BR', 'sales_rep', 'de'],
    ['BRMGR', 'BR', 'manager', 'sv'],
    ['CHMGR', 'CH', 'manager', 'sv'],
    ['INMGR', 'IN', 'manager', 'en'],
    ['INSELLER', 'IN', 'sales_rep', 'en'],
  ] as const) {
    const res = await call('PUT', `/v1/members/by-external-id/${ext}`, { accountExternalId: account, name: `Person ${ext}`, role, language });
    if (res.statusCode >= 300) throw new Error(res.body);
    ids[ext] = res.json().id;
  }
  const submit: ClaimWorld['submit'] = (claim, files = [tinyPdf('Invoice')], k = key) =>
    postMultipart(t, '/v1/claims', [{ name: 'claim', value: JSON.stringify(claim) }, ...files.map((bytes, i) => ({ name: 'file', fileName: `evidence-${i}`, bytes }))], k);
  return { programId, key, ids, call, submit };
}

let n = 0;
// Amounts differ from claim to claim, so only tests that mean to make "same amount" look-alikes do.
/** A claim by SELLER of two drills for 5,000 SEK on a fresh invoice number. */
export const aClaim = (extra: Record<string, unknown> = {}) => ({
  member: 'SELLER',
  sku: 'DRILL',
  quantity: 2,
  amount: 500000 + ++n * 1000,
  saleDate: '2026-11-02',
  invoiceNumber: `INV-${n}-${Math.random().toString(36).slice(2, 8)}`,
  endCustomer: 'Bostadsrättsföreningen Eken',
  ...extra,
});

export { tinyPdf, tinyPng };
