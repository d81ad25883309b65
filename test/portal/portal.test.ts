/**
 * The member portal's API on both databases, called as a browser would: a member session cookie, the
 * session's anti-forgery token on writes. Covers the member's points, the shop and orders, sales claims
 * with a photo, the manager's team, and that nobody reads or acts beyond their own (and their team's) records.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyPng } from '../../src/evidence/samples.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, seedCatalog } from '../support/fixtures.js';
import { multipartBody } from '../support/multipart.js';

interface Browser {
  cookie: string;
  csrf: string;
}

let t: TestApp;
let programId: string;
let key: string;
const ids: Record<string, string> = {};
const DAY = 86_400_000;

const admin = async (method: string, url: string, body?: unknown) => {
  const res = await t.call(method, url, body, key);
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};

/** A member session as the sign-in would leave it: started for an e-mail, then the member chosen. */
async function signIn(ext: string): Promise<Browser> {
  const { token, session } = await createSession(t.database.db, { kind: 'member', email: `${ext.toLowerCase()}@example.com` }, t.clock());
  await chooseSessionMember(t.database.db, session.id, programId, ids[ext]!);
  return { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
}

function portal(b: Browser | null, method: string, url: string, body?: unknown, opts: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (b) headers.cookie = b.cookie;
  if (b && method !== 'GET' && opts.csrf !== false) headers['x-csrf-token'] = b.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method: method as 'GET', url: `/portal/v1${url}`, headers, ...(body !== undefined && { payload: JSON.stringify(body) }) });
}

function claimWithPhoto(b: Browser, claim: Record<string, unknown>) {
  const { body, contentType } = multipartBody([
    { name: 'claim', value: JSON.stringify(claim) },
    { name: 'photo', fileName: 'invoice.png', bytes: tinyPng(), contentType: 'image/png' },
  ]);
  return t.app.inject({ method: 'POST', url: '/portal/v1/claims', headers: { cookie: b.cookie, 'x-csrf-token': b.csrf, 'content-type': contentType }, payload: body });
}

let n = 0;
const aSale = (extra: Record<string, unknown> = {}) => ({
  sku: 'DRILL',
  quantity: 1,
  amount: 200_000 + ++n * 1000,
  saleDate: new Date(t.clock().getTime() - 2 * DAY).toISOString().slice(0, 10),
  invoiceNumber: `PORTAL-${n}-${Math.random().toString(36).slice(2, 8)}`,
  endCustomer: 'Bostadsrättsföreningen Eken',
  ...extra,
});

const names = (en: string, pl: string) => ({ en, sv: `${en} (sv)`, nb: `${en} (nb)`, pl, de: `${en} (de)` });

beforeAll(async () => {
  t = await startTestApp();
  ({ programId, key } = await t.newProgram({ name: 'Portal program', pendingDays: 14, expiryPolicy: { kind: 'rolling', months: 2 } }));
  await seedCatalog(t, programId);
  await createRules(
    t,
    [
      { name: 'Purchases', effectiveFrom: '2020-01-01T00:00:00Z', definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 100 }, recipient: { type: 'member' } } },
      { name: 'Sold by partner staff', effectiveFrom: '2020-01-01T00:00:00Z', definition: { conditions: { eventTypes: ['sale_claim'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } } },
    ],
    key,
  );
  for (const [ext, body] of [
    ['CH', { name: 'Byggkedjan AB' }],
    ['BR', { name: 'Byggkedjan Uppsala', parentExternalId: 'CH' }],
    ['IN', { name: 'Lind VVS AB' }],
  ] as const) {
    ids[ext] = (await admin('PUT', `/v1/accounts/by-external-id/${ext}`, body)).id;
  }
  for (const [ext, account, role, language] of [
    ['SELLER', 'BR', 'sales_rep', 'en'],
    ['SELLER2', 'BR', 'sales_rep', 'de'],
    ['BRMGR', 'BR', 'manager', 'sv'],
    ['INSELLER', 'IN', 'sales_rep', 'pl'],
  ] as const) {
    ids[ext] = (await admin('PUT', `/v1/members/by-external-id/${ext}`, { accountExternalId: account, name: `Person ${ext}`, role, language, email: `${ext.toLowerCase()}@example.com` })).id;
  }
  await admin('PUT', '/v1/claims/settings', { approver: 'either' });
  await admin('PUT', '/v1/tiers', {
    settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 0 },
    levels: [
      { code: 'bronze', rank: 1, threshold: 100, names: names('Bronze', 'Brązowy') },
      { code: 'silver', rank: 2, threshold: 2000, names: names('Silver', 'Srebrny') },
    ],
  });
  await admin('PUT', '/v1/reward-categories/gear', { names: { en: 'Gear', pl: 'Sprzęt' } });
  await admin('PUT', '/v1/reward-categories/trips', { names: { en: 'Trips', pl: 'Wycieczki' } });
  const text = (en: string, pl: string) => ({ en: { name: en, description: `${en}, described` }, pl: { name: pl, description: `${pl}, opis` } });
  await admin('POST', '/v1/rewards', { code: 'mug', type: 'physical', category: 'gear', texts: text('Mug', 'Kubek'), pricePoints: 1000 });
  await admin('POST', '/v1/rewards', { code: 'jacket', type: 'physical', category: 'gear', texts: text('Jacket', 'Kurtka'), pricePoints: 4000, eligibility: { roles: ['manager'] } });
  await admin('POST', '/v1/rewards', { code: 'trip', type: 'experience', category: 'trips', texts: text('Trip to Riga', 'Wycieczka do Rygi'), pricePoints: 100_000 });
  await admin('POST', '/v1/rewards', { code: 'old', type: 'physical', category: 'gear', texts: text('Withdrawn', 'Wycofany'), pricePoints: 10, active: false });

  // SELLER: 5000 points by hand (available, expiring in two months), a purchase of 500 SEK (500 points, pending 14 days).
  await admin('POST', `/v1/members/${ids.SELLER}/adjustments`, { points: 5000, reasonCode: 'campaign', memo: 'welcome', idempotencyKey: `welcome-${ids.SELLER}` });
  await admin('POST', '/v1/events', {
    id: 'P-1',
    type: 'purchase',
    occurredAt: new Date(t.clock().getTime() - DAY).toISOString(),
    account: 'BR',
    member: 'SELLER',
    lines: [{ sku: 'DRILL', quantity: 1, amount: 50_000 }],
  });
  await admin('POST', `/v1/members/${ids.INSELLER}/adjustments`, { points: 300, reasonCode: 'campaign', memo: 'welcome', idempotencyKey: `welcome-${ids.INSELLER}` });
  await admin('POST', `/v1/accounts/${ids.BR}/adjustments`, { points: 10_000, reasonCode: 'opening', idempotencyKey: `opening-${ids.BR}` });
});
afterAll(async () => t?.close());

describe('sessions and anti-forgery', () => {
  it('no cookie: 401 session_required; a write without the token: 403 csrf_token_invalid, nothing changed', async () => {
    const none = await portal(null, 'GET', '/me');
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('session_required');
    const seller = await signIn('SELLER');
    const forged = await portal(seller, 'PATCH', '/me', { phone: '+46 70 123 45 67' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('csrf_token_invalid');
    const wrong = await t.app.inject({ method: 'PATCH', url: '/portal/v1/me', headers: { cookie: seller.cookie, 'x-csrf-token': (await signIn('SELLER2')).csrf, 'content-type': 'application/json' }, payload: '{"phone":"+46 70 123 45 67"}' });
    expect(wrong.statusCode).toBe(403);
    expect((await portal(seller, 'GET', '/me')).json().phone).toBeNull();
    // A staff API key is no way into the portal.
    expect((await t.call('GET', '/portal/v1/me', undefined, key)).statusCode).toBe(401);
  });
});

describe('profile and preferences', () => {
  it('shows who I am and where; changes phone, language and communication preferences', async () => {
    const seller = await signIn('SELLER');
    expect((await portal(seller, 'GET', '/me')).json()).toMatchObject({
      id: ids.SELLER,
      name: 'Person SELLER',
      email: 'seller@example.com',
      language: 'en',
      programName: 'Portal program',
      currency: 'SEK',
      accountId: ids.BR,
      accountName: 'Byggkedjan Uppsala',
      isManager: false,
      preferences: { newsletter: false, orderMails: true, claimMails: true, serviceMails: true },
      password: { allowed: false, isSet: false, minLength: 10 },
    });
    const changed = await portal(seller, 'PATCH', '/me', { phone: '+46 70 123 45 67', preferences: { newsletter: true, claimMails: false } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ phone: '+46 70 123 45 67', preferences: { newsletter: true, orderMails: true, claimMails: false } });
    expect((await portal(seller, 'GET', '/me')).json().preferences).toEqual({ newsletter: true, orderMails: true, claimMails: false, serviceMails: true });
    // Staff or a CRM sync writing the member's attributes leaves the member's own choices alone.
    const synced = await t.call('PATCH', `/v1/members/${ids.SELLER}`, { attributes: { crmId: 'X1' } }, key);
    expect(synced.statusCode, synced.body).toBe(200);
    expect(synced.json().attributes).toEqual({ crmId: 'X1' });
    expect((await portal(seller, 'GET', '/me')).json().preferences).toEqual({ newsletter: true, orderMails: true, claimMails: false, serviceMails: true });
    const bad = await portal(seller, 'PATCH', '/me', { phone: 'call me' });
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.json().code).toBe('validation_failed');
    // Someone else's fields cannot be named: the body has no member id, no e-mail, no role.
    expect((await portal(seller, 'PATCH', '/me', { role: 'manager' })).statusCode).toBe(400);
    expect((await t.call('GET', `/v1/members/${ids.SELLER}`, undefined, key)).json().role).toBe('sales_rep');
    // The audit log names the member themselves.
    const audit = await t.database.db.selectFrom('audit_log').select(['actor', 'actor_label']).where('program_id', '=', programId).where('action', '=', 'member.update').execute();
    expect(audit).toContainEqual({ actor: `member:${ids.SELLER}`, actor_label: 'Person SELLER' });
    expect((await portal(await signIn('BRMGR'), 'GET', '/me')).json().isManager).toBe(true);
  });
});

describe('points', () => {
  it('balance: available, pending and expiring as the ledger has them', async () => {
    const seller = await signIn('SELLER');
    const res = await portal(seller, 'GET', '/balance');
    expect(res.statusCode, res.body).toBe(200);
    const b = res.json();
    expect(b).toMatchObject({ available: 5000, pending: 500, lifetimeEarned: 5500 });
    expect(b.company).toBeUndefined();
    expect(b.pendingReleases.reduce((s: number, r: { points: number }) => s + r.points, 0)).toBe(500);
    const v1 = (await t.call('GET', `/v1/members/${ids.SELLER}/balance`, undefined, key)).json();
    expect(b.expiring).toEqual(v1.expiring.map((e: { date: string; points: number }) => ({ points: e.points, on: e.date })));
    expect(b.expiring.reduce((s: number, r: { points: number }) => s + r.points, 0)).toBeGreaterThanOrEqual(5000);
    // A manager also sees the company's points.
    expect((await portal(await signIn('BRMGR'), 'GET', '/balance')).json().company).toEqual({ available: 10_000, pending: 0 });
  });

  it('tier: the level, the next one and how far to it', async () => {
    const seller = await signIn('SELLER');
    const tier = (await portal(seller, 'GET', '/tier')).json();
    const v1 = (await t.call('GET', `/v1/members/${ids.SELLER}/tier`, undefined, key)).json();
    expect(tier.owner).toBe('member');
    expect(tier.qualifying).toBe(v1.qualifying.total);
    expect(tier.next).toEqual({ code: v1.progress.nextLevel.code, name: v1.progress.nextLevel.name, missing: v1.progress.missing });
    expect(tier.current?.code ?? null).toBe(v1.level?.code ?? null);
    const from = tier.current ? 100 : 0;
    const to = tier.next.code === 'silver' ? 2000 : 100;
    expect(tier.progress).toBeCloseTo((tier.qualifying - from) / (to - from), 10);
    expect(tier.progress).toBeGreaterThan(0);
    expect(tier.progress).toBeLessThan(1);
    // In the member's language.
    const pl = (await portal(await signIn('INSELLER'), 'GET', '/tier')).json();
    expect(pl.next.name).toBe('Brązowy');
  });

  it('history explains each entry in words, in the member\'s language, and follows a change of language', async () => {
    const seller = await signIn('SELLER');
    const en = (await portal(seller, 'GET', '/history')).json();
    expect(en.items.map((i: { kind: string; points: number; text: string }) => [i.kind, i.points])).toEqual([
      ['earn', 500],
      ['adjust', 5000],
    ]);
    expect(en.items[1].text).toBe('Manual adjustment: welcome');
    expect(en.items[0].pending).toBe(500);
    expect(en.items[0].text.length).toBeGreaterThan(0);

    const polish = await signIn('INSELLER');
    expect((await portal(polish, 'GET', '/history')).json().items[0].text).toBe('Korekta ręczna: welcome');
    expect((await portal(polish, 'PATCH', '/me', { language: 'en' })).json().language).toBe('en');
    expect((await portal(polish, 'GET', '/history')).json().items[0].text).toBe('Manual adjustment: welcome');
    expect((await portal(polish, 'PATCH', '/me', { language: 'pl' })).json().language).toBe('pl');
    const page = (await portal(seller, 'GET', '/history?limit=1')).json();
    expect(page.items).toHaveLength(1);
    const next = (await portal(seller, 'GET', `/history?limit=1&cursor=${page.nextCursor}`)).json();
    expect(next.items[0].kind).toBe('adjust');
    expect(next.nextCursor).toBeNull();
  });
});

describe('the shop', () => {
  it('categories and rewards in the member\'s language, with what they may order and afford and why not', async () => {
    const seller = await signIn('SELLER');
    expect((await portal(seller, 'GET', '/reward-categories')).json().items).toEqual([
      { code: 'gear', name: 'Gear' },
      { code: 'trips', name: 'Trips' },
    ]);
    const all = (await portal(seller, 'GET', '/rewards')).json().items as Array<{ code: string; orderable: boolean; affordable: boolean; whyNot: string[]; missingPoints: number }>;
    expect(all.map((r) => r.code)).toEqual(['mug', 'jacket', 'trip']);
    expect(all.find((r) => r.code === 'mug')).toMatchObject({ orderable: true, affordable: true, whyNot: [], missingPoints: 0 });
    expect(all.find((r) => r.code === 'jacket')).toMatchObject({ orderable: false, affordable: true, whyNot: ['It is meant for other roles.'] });
    expect(all.find((r) => r.code === 'trip')).toMatchObject({ orderable: true, affordable: false, missingPoints: 95_000, whyNot: ['You need 95000 more points.'] });

    const affordable = (await portal(seller, 'GET', '/rewards?affordable=true')).json().items.map((r: { code: string }) => r.code);
    expect(affordable).toEqual(['mug', 'jacket']);
    expect((await portal(seller, 'GET', '/rewards?affordable=true&orderable=true')).json().items.map((r: { code: string }) => r.code)).toEqual(['mug']);
    expect((await portal(seller, 'GET', '/rewards?category=trips')).json().items.map((r: { code: string }) => r.code)).toEqual(['trip']);

    const polish = await signIn('INSELLER');
    const pl = (await portal(polish, 'GET', '/rewards?category=gear')).json().items;
    expect(pl.map((r: { name: string }) => r.name)).toEqual(['Kubek', 'Kurtka']);
    expect(pl[1].whyNot).toEqual(['Jest przeznaczona dla innych ról.', 'Brakuje Ci 3700 punktów.']);
    expect((await portal(polish, 'GET', '/reward-categories')).json().items[0].name).toBe('Sprzęt');
    expect((await portal(polish, 'GET', '/rewards/mug')).json()).toMatchObject({ name: 'Kubek', affordable: false, missingPoints: 700 });
    expect((await portal(polish, 'GET', '/rewards/old')).statusCode).toBe(404);
  });

  let sellerOrder: string;
  it('orders: the balance drops once however often the order is retried; not enough points is 422', async () => {
    const seller = await signIn('SELLER');
    const body = { rewardId: 'mug', quantity: 2, idempotencyKey: 'portal-order-0001', delivery: { name: 'Person SELLER', street: 'Bruksgatan 4', postalCode: '722 14', city: 'Västerås', country: 'se' } };
    const first = await portal(seller, 'POST', '/orders', body);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ state: 'placed', stateName: 'placed', quantity: 2, points: 2000, wallet: 'member', reward: { code: 'mug', name: 'Mug' }, delivery: { country: 'SE' } });
    sellerOrder = first.json().id;
    expect((await portal(seller, 'GET', '/balance')).json().available).toBe(3000);

    const again = await portal(seller, 'POST', '/orders', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(sellerOrder);
    expect((await portal(seller, 'GET', '/balance')).json().available).toBe(3000);

    const tooDear = await portal(seller, 'POST', '/orders', { rewardId: 'trip', quantity: 1, idempotencyKey: 'portal-order-0002' });
    expect(tooDear.statusCode).toBe(422);
    expect(tooDear.json().code).toBe('insufficient_points');
    expect((await portal(seller, 'GET', '/balance')).json().available).toBe(3000);

    const noKey = await portal(seller, 'POST', '/orders', { rewardId: 'mug', quantity: 1 });
    expect(noKey.statusCode).toBe(400);
    // Not a manager: the company's points are not theirs to spend.
    const company = await portal(seller, 'POST', '/orders', { rewardId: 'mug', quantity: 1, wallet: 'company', idempotencyKey: 'portal-order-0003' });
    expect(company.json().code).toBe('company_wallet_not_allowed');

    const mine = (await portal(seller, 'GET', '/orders')).json();
    expect(mine.items.map((o: { id: string }) => o.id)).toEqual([sellerOrder]);
    expect((await portal(seller, 'GET', `/orders/${sellerOrder}`)).json().history).toMatchObject([{ state: 'placed', stateName: 'placed' }]);
    // The order's journal and history name the member.
    const journal = await t.database.db.selectFrom('journals').select('actor').where('program_id', '=', programId).where('kind', '=', 'redeem').execute();
    expect(journal).toEqual([{ actor: `member:${ids.SELLER}` }]);
  });

  it("member A cannot read member B's order; their manager can", async () => {
    const other = await portal(await signIn('SELLER2'), 'GET', `/orders/${sellerOrder}`);
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('not_found');
    expect((await portal(await signIn('SELLER2'), 'GET', '/orders')).json().items).toEqual([]);
    expect((await portal(await signIn('INSELLER'), 'GET', `/orders/${sellerOrder}`)).statusCode).toBe(404);
    expect((await portal(await signIn('BRMGR'), 'GET', `/orders/${sellerOrder}`)).statusCode).toBe(200);
    // The same idempotency key from another member is their own request, not a replay of A's order.
    const sameKey = await portal(await signIn('SELLER2'), 'POST', '/orders', { rewardId: 'mug', quantity: 2, idempotencyKey: 'portal-order-0001' });
    expect(sameKey.json().code).toBe('insufficient_points');
  });

  it("answers errors in the member's language", async () => {
    const res = await portal(await signIn('INSELLER'), 'POST', '/orders', { rewardId: 'trip', quantity: 1, idempotencyKey: 'portal-order-pl-1' });
    expect(res.statusCode).toBe(422);
    const en = await t.call('POST', '/v1/reward-orders', { reward: 'trip', memberId: ids.INSELLER, idempotencyKey: 'portal-order-en-1' }, key);
    expect(en.json().code).toBe('insufficient_points');
    expect(res.json().detail).not.toBe(en.json().detail);
  });
});

describe('sales claims and the manager', () => {
  let claimId: string;
  it('a claim with a photo taken on the phone, and my claims with their state', async () => {
    const seller = await signIn('SELLER');
    const sale = aSale({ idempotencyKey: 'portal-claim-0001' });
    const res = await claimWithPhoto(seller, sale);
    expect(res.statusCode, res.body).toBe(201);
    const claim = res.json();
    expect(claim).toMatchObject({ state: 'submitted', memberId: ids.SELLER, accountId: ids.BR, submittedBy: `member:${ids.SELLER}`, points: { status: 'pending' } });
    expect(claim.points.proposed).toBe(Math.floor(sale.amount / 1000));
    expect(claim.evidence).toHaveLength(1);
    claimId = claim.id;
    expect((await claimWithPhoto(seller, sale)).statusCode).toBe(200);

    // The claim is the member's own: naming someone else is refused.
    const forOther = await claimWithPhoto(seller, aSale({ memberId: ids.SELLER2 }));
    expect(forOther.statusCode).toBe(400);
    expect(forOther.json().errors[0].path).toBe('memberId');
    // An article number the program does not know: the member is told what to do, not which API call adds it.
    const unknownSku = await claimWithPhoto(seller, aSale({ sku: 'NO-SUCH-SKU' }));
    expect(unknownSku.json().code).toBe('unknown_sku');
    expect(unknownSku.json().detail).toContain('NO-SUCH-SKU');
    expect(unknownSku.json().detail).not.toContain('/v1/');
    expect((await t.call('POST', '/v1/events/simulate', { id: 'S', type: 'purchase', occurredAt: t.clock().toISOString(), account: 'BR', lines: [{ sku: 'NO-SUCH-SKU', quantity: 1, amount: 1 }] }, key)).json().detail).toContain('/v1/products');
    // JSON without evidence: refused as the API refuses it.
    expect((await portal(seller, 'POST', '/claims', aSale())).json().code).toBe('evidence_required');

    const mine = (await portal(seller, 'GET', '/claims')).json();
    expect(mine.items.map((c: { id: string; state: string }) => [c.id, c.state])).toEqual([[claimId, 'submitted']]);
    expect((await portal(await signIn('SELLER2'), 'GET', '/claims')).json().items).toEqual([]);
    expect((await portal(await signIn('SELLER2'), 'GET', `/claims/${claimId}`)).statusCode).toBe(404);

    // The photo it was sent with, from the portal's own address: for the claimant and their manager only.
    const [file] = (await portal(seller, 'GET', `/claims/${claimId}`)).json().evidence as Array<{ id: string; url: string }>;
    expect(file!.url).toBe(`/portal/v1/claims/${claimId}/evidence/${file!.id}`);
    const photo = await t.app.inject({ method: 'GET', url: file!.url, headers: { cookie: seller.cookie } });
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/png');
    expect(photo.rawPayload.equals(tinyPng())).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: file!.url, headers: { cookie: (await signIn('BRMGR')).cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: file!.url, headers: { cookie: (await signIn('SELLER2')).cookie } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: file!.url })).statusCode).toBe(401);
  });

  it('a non-manager has no team: 403 not_a_manager', async () => {
    const seller = await signIn('SELLER');
    for (const [method, url, body] of [
      ['GET', '/team', undefined],
      ['GET', '/team/claims', undefined],
      ['POST', '/team/allocate', { memberId: ids.SELLER2, points: 10, idempotencyKey: 'sneaky-allocation' }],
      ['POST', `/team/claims/${claimId}/approve`, {}],
    ] as const) {
      const res = await portal(seller, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().code).toBe('not_a_manager');
    }
    expect((await portal(seller, 'GET', '/claims')).json().items[0].state).toBe('submitted');
  });

  it("the manager sees the team's earnings and gives company points, once per key", async () => {
    const manager = await signIn('BRMGR');
    const team = (await portal(manager, 'GET', '/team')).json();
    expect(team.items.map((m: { name: string }) => m.name).sort()).toEqual(['Person BRMGR', 'Person SELLER', 'Person SELLER2']);
    expect(team.items.find((m: { memberId: string }) => m.memberId === ids.SELLER)).toMatchObject({ available: 3000, pending: 500, spent: 2000 });

    const body = { memberId: ids.SELLER2, points: 300, note: 'Well done', idempotencyKey: 'allocation-0001' };
    const first = await portal(manager, 'POST', '/team/allocate', body);
    expect(first.statusCode, first.body).toBe(201);
    const again = await portal(manager, 'POST', '/team/allocate', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().journalId).toBe(first.json().journalId);
    expect((await portal(await signIn('SELLER2'), 'GET', '/balance')).json().available).toBe(300);
    expect((await portal(manager, 'GET', '/balance')).json().company.available).toBe(9700);
    const journal = await t.database.db.selectFrom('journals').select('actor').where('program_id', '=', programId).where('id', '=', first.json().journalId).executeTakeFirstOrThrow();
    expect(journal.actor).toBe(`member:${ids.BRMGR}`);

    // Someone outside the manager's companies: refused, nothing moves.
    const outside = await portal(manager, 'POST', '/team/allocate', { memberId: ids.INSELLER, points: 10, idempotencyKey: 'allocation-0002' });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('not_a_manager');
    expect((await portal(await signIn('INSELLER'), 'GET', '/balance')).json().available).toBe(300);
  });

  it("the manager approves a staff member's claim: the points appear for the staff member", async () => {
    const manager = await signIn('BRMGR');
    const queue = (await portal(manager, 'GET', '/team/claims?state=pending')).json();
    expect(queue.items.map((c: { id: string }) => c.id)).toEqual([claimId]);

    // A claim of another company is not theirs to see.
    const elsewhere = (await claimWithPhoto(await signIn('INSELLER'), aSale())).json();
    expect((await portal(manager, 'POST', `/team/claims/${elsewhere.id}/approve`, {})).statusCode).toBe(404);
    // Nobody approves their own claim.
    const own = (await claimWithPhoto(manager, aSale())).json();
    expect((await portal(manager, 'POST', `/team/claims/${own.id}/approve`, {})).json().code).toBe('self_approval');

    const seller = await signIn('SELLER');
    const before = (await portal(seller, 'GET', '/balance')).json();
    const approved = await portal(manager, 'POST', `/team/claims/${claimId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'approved', decidedBy: `member:${ids.BRMGR}`, points: { status: 'posted' } });
    const posted = approved.json().points.posted as number;
    expect(posted).toBeGreaterThan(0);
    const after = (await portal(seller, 'GET', '/balance')).json();
    expect(after.available + after.pending).toBe(before.available + before.pending + posted);
    expect((await portal(seller, 'GET', '/history')).json().items[0]).toMatchObject({ kind: 'earn', points: posted });
    expect((await portal(seller, 'GET', '/claims')).json().items[0].state).toBe('approved');

    const second = (await claimWithPhoto(await signIn('SELLER2'), aSale())).json();
    const rejected = await portal(manager, 'POST', `/team/claims/${second.id}/reject`, { reasonCode: 'invoice_not_found' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    // The claimant reads why in their own language (German).
    expect(rejected.json().rejection).toMatchObject({ code: 'invoice_not_found', language: 'de' });
    expect((await portal(manager, 'GET', '/team/claims?state=rejected')).json().items.map((c: { id: string }) => c.id)).toEqual([second.id]);
  });
});

describe('onboarding', () => {
  it('an empty checklist where the program has none', async () => {
    expect((await portal(await signIn('SELLER'), 'GET', '/onboarding')).json()).toEqual({ done: 0, total: 0, pointsEarned: 0, pointsToEarn: 0, steps: [] });
  });
});

describe('cancelling an order', () => {
  it('my own, while nobody has started on it: points back once; not a colleague’s, not once approved', async () => {
    const seller = await signIn('SELLER');
    const available = async () => (await portal(seller, 'GET', '/balance')).json().available as number;
    await admin('POST', `/v1/members/${ids.SELLER}/adjustments`, { points: 2000, reasonCode: 'campaign', idempotencyKey: `cancel-test-${ids.SELLER}` });
    const before = await available();
    const order = (await portal(seller, 'POST', '/orders', { rewardId: 'mug', idempotencyKey: 'portal-cancel-0001', delivery: { name: 'P', street: 'S 1', postalCode: '1', city: 'C', country: 'se' } })).json();
    expect(order).toMatchObject({ state: 'placed', cancellable: true });
    expect(await available()).toBe(before - 1000);

    // The manager sees the order but it is not theirs to cancel.
    const manager = await signIn('BRMGR');
    expect((await portal(manager, 'GET', `/orders/${order.id}`)).json().cancellable).toBe(false);
    expect((await portal(manager, 'POST', `/orders/${order.id}/cancel`, {})).statusCode).toBe(404);
    expect((await portal(seller, 'POST', `/orders/${order.id}/cancel`, {}, { csrf: false })).statusCode).toBe(403);

    const cancelled = await portal(seller, 'POST', `/orders/${order.id}/cancel`, { reason: 'Wrong size' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', cancellable: false });
    expect(cancelled.json().history.at(-1)).toMatchObject({ state: 'cancelled', reason: 'Wrong size' });
    expect(await available()).toBe(before);
    // A second tap answers the cancelled order and gives nothing more back.
    expect((await portal(seller, 'POST', `/orders/${order.id}/cancel`, {})).json().state).toBe('cancelled');
    expect(await available()).toBe(before);

    // Once the program team approved it, it is being handled: 409 in the member's words, nothing moves.
    const second = (await portal(seller, 'POST', '/orders', { rewardId: 'mug', idempotencyKey: 'portal-cancel-0002', delivery: { name: 'P', street: 'S 1', postalCode: '1', city: 'C', country: 'se' } })).json();
    await admin('POST', `/v1/reward-orders/${second.id}/approve`, {});
    expect((await portal(seller, 'GET', `/orders/${second.id}`)).json().cancellable).toBe(false);
    const late = await portal(seller, 'POST', `/orders/${second.id}/cancel`, {});
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'order_not_cancellable', detail: expect.stringMatching(/already being handled/) });
    expect((await portal(seller, 'GET', `/orders/${second.id}`)).json().state).toBe('approved');
    expect(await available()).toBe(before - 1000);
  });
});
