/**
 * The rewards shop through the API, on both databases: the catalogue, ordering with points and stock
 * reserved together, fulfilment, cancellation giving both back, codes, cashback, donations, approval
 * above the threshold, limits, and every refusal leaving the ledger and the stock as they were.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent, newWorld, snapshot, wallet, type World } from '../support/ledger.js';

const names = (en: string, sv: string) => ({ en: { name: en, description: `${en}, described` }, sv: { name: sv, description: `${sv}, beskriven` } });

describe('rewards shop', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  /** A world whose first member holds `points`, with two categories and a few rewards. */
  async function shop(points = 10_000): Promise<World & { member: string; account: string }> {
    const w = await newWorld(t, {}, { accounts: 2, members: [0, 0, 1] });
    const member = w.members[0]!.id;
    const account = w.accounts[0]!.id;
    await sql`INSERT INTO tier_levels (program_id, code, rank, names, threshold, reward_tags) VALUES
      (${w.programId}, 'silver', 1, '{"en":"Silver"}', 100, '{}'), (${w.programId}, 'gold', 2, '{"en":"Gold"}', 1000, '{lounge}')`.execute(t.database.db);
    await sql`UPDATE accounts SET country = 'SE', segment = 'builder' WHERE program_id = ${w.programId}`.execute(t.database.db);
    for (const code of ['tools', 'charity']) {
      expect((await w.call('PUT', `/v1/reward-categories/${code}`, { names: { en: code, sv: `${code}-sv` } })).statusCode).toBe(200);
    }
    if (points > 0) {
      expect((await w.call('POST', `/v1/members/${member}/adjustments`, { points, reasonCode: 'opening', idempotencyKey: `open-${member}` })).statusCode).toBe(201);
    }
    return { ...w, member, account };
  }

  const addReward = async (w: World, body: Record<string, unknown>) => {
    const res = await w.call('POST', '/v1/rewards', { category: 'tools', texts: names(String(body.code), `${body.code}-sv`), ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; code: string; stock: number | null };
  };
  const order = (w: World, body: Record<string, unknown>) => w.call('POST', '/v1/reward-orders', { quantity: 1, ...body });
  const available = async (w: World, id: string) => (await wallet(t.database.db, w.programId, id)).available;
  const stockOf = async (w: World, id: string) => (await w.call('GET', `/v1/rewards/${id}`)).json().stock as number | null;

  it('a drill ordered, approved, shipped with tracking and delivered; points and stock taken once; explained in the history', async () => {
    const w = await shop(10_000);
    const drill = await addReward(w, { code: 'drill', type: 'physical', pricePoints: 3_000, stock: 5 });
    const res = await order(w, {
      reward: 'drill',
      memberId: w.member,
      quantity: 2,
      shippingAddress: { name: 'Per Olsson', street: 'Bruksgatan 4', postalCode: '722 14', city: 'Västerås', country: 'se' },
      idempotencyKey: 'order-drill-1',
    });
    expect(res.statusCode, res.body).toBe(201);
    const placed = res.json();
    expect(placed).toMatchObject({ state: 'placed', quantity: 2, points: 6_000, paidFrom: 'member', reward: { code: 'drill', name: 'drill' } });
    expect(placed.shippingAddress.country).toBe('SE');
    expect(await available(w, w.member)).toBe(4_000);
    expect((await wallet(t.database.db, w.programId, w.member)).lifetimeSpent).toBe(6_000);
    expect(await stockOf(w, drill.id)).toBe(3);

    expect((await w.call('POST', `/v1/reward-orders/${placed.id}/approve`, {})).json().state).toBe('approved');
    const shipped = await w.call('POST', `/v1/reward-orders/${placed.id}/ship`, { carrier: 'PostNord', trackingNumber: 'SE123456789', trackingUrl: 'https://tracking.example/SE123456789' });
    expect(shipped.json()).toMatchObject({ state: 'shipped', tracking: { carrier: 'PostNord', trackingNumber: 'SE123456789' } });
    const delivered = (await w.call('POST', `/v1/reward-orders/${placed.id}/deliver`, {})).json();
    expect(delivered.state).toBe('delivered');
    expect(delivered.history.map((h: { to: string }) => h.to)).toEqual(['placed', 'approved', 'shipped', 'delivered']);
    // Delivering again is a retry: the same order, nothing new.
    expect((await w.call('POST', `/v1/reward-orders/${placed.id}/deliver`, {})).json().history).toHaveLength(4);

    const history = await t.call('GET', `/v1/members/${w.member}/history`, undefined, w.key);
    const sv = await t.app.inject({ method: 'GET', url: `/v1/members/${w.member}/history`, headers: { authorization: `Bearer ${w.key}`, 'accept-language': 'sv' } });
    const redeem = history.json().data.find((e: { kind: string }) => e.kind === 'redeem');
    expect(redeem).toMatchObject({ points: -6_000, description: 'Reward ordered: 2 × drill' });
    expect(sv.json().data.find((e: { kind: string }) => e.kind === 'redeem').description).toBe('Beställd belöning: 2 × drill-sv');
    expect(await available(w, w.member)).toBe(4_000);
    expect(await stockOf(w, drill.id)).toBe(3);
    expect((await w.call('GET', '/v1/ledger/summary')).json()).toMatchObject({ redeemed: 6_000, spent: 0, outstandingAvailable: 4_000 });
    // Every staff step is in the audit log, once (the repeated delivery changed nothing and is not recorded).
    const audit = (await w.call('GET', `/v1/audit?entity=reward_order&entityId=${placed.id}`)).json().data;
    expect(audit.map((e: { action: string }) => e.action).sort()).toEqual(['reward_order.approve', 'reward_order.deliver', 'reward_order.ship']);
    expect((await w.call('GET', `/v1/audit?entity=reward&entityId=${drill.id}`)).json().data.map((e: { action: string }) => e.action)).toEqual(['reward.create']);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('cancelling gives back the points, with their expiry, and the stock; a cancelled order cannot be shipped', async () => {
    const w = await shop(5_000);
    const lamp = await addReward(w, { code: 'headlamp', type: 'physical', pricePoints: 1_500, stock: 2 });
    const placed = (await order(w, { reward: lamp.id, memberId: w.member, idempotencyKey: 'order-lamp-1' })).json();
    const expiries = async () =>
      (await sql<{ expires_at: Date | null; remaining: number }>`SELECT expires_at, remaining FROM lots WHERE program_id = ${w.programId} AND wallet_id = ${w.member} AND remaining > 0`.execute(t.database.db)).rows;
    const before = (await expiries()).map((l) => String(l.expires_at));
    const cancelled = await w.call('POST', `/v1/reward-orders/${placed.id}/cancel`, { reason: 'changed my mind' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().state).toBe('cancelled');
    expect(await available(w, w.member)).toBe(5_000);
    expect((await wallet(t.database.db, w.programId, w.member)).lifetimeSpent).toBe(0);
    expect(await stockOf(w, lamp.id)).toBe(2);
    expect(new Set((await expiries()).map((l) => String(l.expires_at)))).toEqual(new Set(before));
    expect((await w.call('GET', '/v1/ledger/summary')).json().redeemed).toBe(0);

    const before2 = await snapshot(t.database.db, w.programId);
    const ship = await w.call('POST', `/v1/reward-orders/${placed.id}/ship`, { carrier: 'Bring' });
    expect(ship.statusCode).toBe(409);
    expect(ship.json()).toMatchObject({ code: 'invalid_order_transition' });
    expect(ship.json().detail).toBe(`Order ${placed.id} is cancelled, so it cannot be shipped.`);
    expect(await snapshot(t.database.db, w.programId)).toEqual(before2);
    // Cancelling twice is a retry, not a second refund.
    expect((await w.call('POST', `/v1/reward-orders/${placed.id}/cancel`, { reason: 'again' })).statusCode).toBe(200);
    expect(await available(w, w.member)).toBe(5_000);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('refuses unknown items, the ineligible, the poor, the expired and the sold out, each with its code, changing nothing', async () => {
    const w = await shop(2_000);
    await addReward(w, { code: 'cheap', type: 'physical', pricePoints: 500, stock: 1 });
    await addReward(w, { code: 'pricey', type: 'physical', pricePoints: 5_000 });
    await addReward(w, { code: 'gold-trip', type: 'experience', pricePoints: 100, eligibility: { minTier: 'gold' } });
    await addReward(w, { code: 'norway-only', type: 'physical', pricePoints: 100, eligibility: { countries: ['NO'] } });
    await addReward(w, { code: 'owners-only', type: 'physical', pricePoints: 100, eligibility: { roles: ['owner'] } });
    await addReward(w, { code: 'summer', type: 'physical', pricePoints: 100, validFrom: '2026-05-01T00:00:00+02:00', validUntil: '2026-07-01T00:00:00+02:00' });
    await addReward(w, { code: 'spring', type: 'physical', pricePoints: 100, validFrom: '2030-03-01T00:00:00+01:00' });
    await addReward(w, { code: 'retired', type: 'physical', pricePoints: 100, active: false });
    expect((await order(w, { reward: 'cheap', memberId: w.members[1]!.id, idempotencyKey: 'takes-the-last' })).statusCode).toBe(422); // has no points
    await w.call('POST', `/v1/members/${w.members[1]!.id}/adjustments`, { points: 500, reasonCode: 'opening', idempotencyKey: 'open-second' });
    expect((await order(w, { reward: 'cheap', memberId: w.members[1]!.id, idempotencyKey: 'takes-the-last-2' })).statusCode).toBe(201);

    const before = await snapshot(t.database.db, w.programId);
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['unknown item', { reward: 'no-such-thing' }, 422, 'unknown_reward'],
      ['tier too low', { reward: 'gold-trip' }, 422, 'not_eligible'],
      ['wrong country', { reward: 'norway-only' }, 422, 'not_eligible'],
      ['wrong role', { reward: 'owners-only' }, 422, 'not_eligible'],
      ['not enough points', { reward: 'pricey' }, 422, 'insufficient_points'],
      ['offer ended', { reward: 'summer' }, 422, 'reward_expired'],
      ['not on sale yet', { reward: 'spring' }, 422, 'reward_not_available'],
      ['withdrawn', { reward: 'retired' }, 422, 'reward_not_available'],
      ['sold out', { reward: 'cheap' }, 409, 'out_of_stock'],
      ['company points without being a manager', { reward: 'pricey', payFrom: 'account' }, 403, 'company_wallet_not_allowed'],
      ['unknown member', { reward: 'cheap', memberId: '01900000-0000-7000-8000-000000000000' }, 422, 'unknown_member'],
    ];
    for (const [what, body, status, code] of cases) {
      const res = await order(w, { memberId: w.member, idempotencyKey: `refused-${code}-${what}`, ...body });
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(res.json().code, what).toBe(code);
      expect(res.json().detail, what).toBeTruthy();
    }
    const tier = await order(w, { reward: 'gold-trip', memberId: w.member, idempotencyKey: 'tier-in-polish' });
    const pl = await t.app.inject({
      method: 'POST',
      url: '/v1/reward-orders',
      headers: { authorization: `Bearer ${w.key}`, 'content-type': 'application/json', 'accept-language': 'pl' },
      payload: JSON.stringify({ reward: 'gold-trip', memberId: w.member, idempotencyKey: 'tier-in-polish' }),
    });
    expect(tier.json().detail).toBe('The member may not order gold-trip: it needs the Gold tier or higher.');
    expect(pl.json().detail).toBe('Uczestnik nie może zamówić nagrody gold-trip: wymaga poziomu Gold lub wyższego.');
    expect(await snapshot(t.database.db, w.programId)).toEqual(before);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('a stock shorter than the order refuses it with what is left and leaves nothing behind; a stock lifted since is no limit', async () => {
    const w = await shop(10_000);
    const lamp = await addReward(w, { code: 'lamp', type: 'physical', pricePoints: 100, stock: 2 });
    const voucher = await addReward(w, { code: 'voucher', type: 'code', codeSource: 'generated', pricePoints: 100, stock: 1 });
    const before = await snapshot(t.database.db, w.programId);
    for (const [reward, quantity, left] of [['lamp', 3, 2], ['voucher', 2, 1]] as const) {
      const res = await order(w, { reward, quantity, memberId: w.member, idempotencyKey: `short-${reward}` });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: 'out_of_stock', detail: `The reward ${reward} is out of stock (${left} left, ${quantity} requested).` });
    }
    expect(await snapshot(t.database.db, w.programId)).toEqual(before);
    expect([await stockOf(w, lamp.id), await stockOf(w, voucher.id)]).toEqual([2, 1]);

    const issued = await order(w, { reward: 'voucher', memberId: w.member, idempotencyKey: 'voucher-1' });
    expect(issued.statusCode, issued.body).toBe(201);
    expect(issued.json().codes).toHaveLength(1);
    expect(await stockOf(w, voucher.id)).toBe(0);
    // Unlimited from now on: the order's last statement takes nothing and refuses nothing.
    await sql`UPDATE rewards SET stock = NULL WHERE program_id = ${w.programId} AND id = ${lamp.id}`.execute(t.database.db);
    expect((await order(w, { reward: 'lamp', quantity: 3, memberId: w.member, idempotencyKey: 'lamp-unlimited' })).statusCode).toBe(201);
    expect(await stockOf(w, lamp.id)).toBeNull();
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('a replayed request answers the first order; the same key with another body is a conflict', async () => {
    const w = await shop(10_000);
    await addReward(w, { code: 'jacket', type: 'physical', pricePoints: 2_000, stock: 10 });
    const body = {
      reward: 'jacket',
      memberId: w.member,
      shippingAddress: { name: 'Per Olsson', company: 'Bygg AB', street: 'Bruksgatan 4', postalCode: '722 14', city: 'Västerås', country: 'SE' },
      note: 'Size L',
      idempotencyKey: 'jacket-key-1',
    };
    const first = await order(w, body);
    const again = await order(w, body);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    // The first answer is built from what the order's transaction wrote, the replay's is read back: they agree.
    expect(again.json()).toEqual(first.json());
    expect((await w.call('GET', `/v1/reward-orders/${first.json().id}`)).json()).toEqual(first.json());
    const other = await order(w, { ...body, quantity: 2 });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('idempotency_conflict');
    expect(await available(w, w.member)).toBe(8_000);
    expect((await w.call('GET', `/v1/reward-orders?memberId=${w.member}`)).json().data).toHaveLength(1);
  });

  it('a reward for a segment: a member whose company is in it may order, others may not', async () => {
    const w = await shop(10_000);
    await addReward(w, { code: 'club-cap', type: 'physical', pricePoints: 100, eligibility: { segments: ['partners-club'] } });
    const refused = await order(w, { reward: 'club-cap', memberId: w.member, idempotencyKey: 'club-cap-1' });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().code).toBe('not_eligible');
    const segment = '01900000-0000-7000-8000-00000000c1b0';
    await sql`INSERT INTO segments (program_id, id, key, name, kind, subject) VALUES (${w.programId}, ${segment}, 'partners-club', 'Partners club', 'static', 'account')`.execute(t.database.db);
    await sql`INSERT INTO segment_members (program_id, segment_id, subject_id, added_at) VALUES (${w.programId}, ${segment}, ${w.account}, now())`.execute(t.database.db);
    const placed = await order(w, { reward: 'club-cap', memberId: w.member, idempotencyKey: 'club-cap-2' });
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json().state).toBe('placed');
  });

  it('orders at or above the threshold wait for approval; rejecting gives everything back with the reason', async () => {
    const w = await shop(20_000);
    expect((await w.call('PUT', '/v1/rewards/settings', { approvalThresholdPoints: 10_000 })).json()).toEqual({ approvalThresholdPoints: 10_000 });
    const grill = await addReward(w, { code: 'grill', type: 'physical', pricePoints: 12_000, stock: 3 });
    const small = (await order(w, { reward: 'grill', memberId: w.member, idempotencyKey: 'grill-order-1' })).json();
    expect(small.state).toBe('pending_approval');
    expect((await w.call('GET', `/v1/reward-orders/${small.id}`)).json()).toEqual(small);
    expect(await available(w, w.member)).toBe(8_000);
    const ship = await w.call('POST', `/v1/reward-orders/${small.id}/ship`, {});
    expect(ship.json().code).toBe('invalid_order_transition');
    const rejected = (await w.call('POST', `/v1/reward-orders/${small.id}/reject`, { reason: 'Not for private use' })).json();
    expect(rejected.state).toBe('rejected');
    expect(rejected.history.at(-1)).toMatchObject({ from: 'pending_approval', to: 'rejected', reason: 'Not for private use' });
    expect(await available(w, w.member)).toBe(20_000);
    expect(await stockOf(w, grill.id)).toBe(3);
    const queue = await w.call('GET', '/v1/reward-orders?state=pending_approval');
    expect(queue.json().data).toHaveLength(0);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('gift cards: codes from an imported pool, or generated, handed out at once', async () => {
    const w = await shop(10_000);
    // A pool's stock is its codes: one sent with it is refused, not quietly made 0.
    const withStock = await w.call('POST', '/v1/rewards', { category: 'tools', texts: names('pool-5', 'pool-5-sv'), code: 'pool-5', type: 'code', codeSource: 'pool', pricePoints: 10, stock: 5 });
    expect(withStock.statusCode, withStock.body).toBe(400);
    expect(withStock.json().errors[0].path).toContain('stock');
    const fuel = await addReward(w, { code: 'fuel-card', type: 'code', codeSource: 'pool', pricePoints: 1_000 });
    expect(fuel.stock).toBe(0);
    const imported = await w.call('POST', `/v1/rewards/${fuel.id}/codes`, { codes: ['FUEL-001', 'FUEL-002', 'FUEL-003', 'FUEL-001'] });
    expect(imported.json()).toEqual({ added: 3, duplicates: 1, stock: 3 });
    expect((await w.call('POST', `/v1/rewards/${fuel.id}/codes`, { codes: ['FUEL-003', 'FUEL-004'] })).json()).toEqual({ added: 1, duplicates: 1, stock: 4 });
    const stockPatch = await w.call('PATCH', `/v1/rewards/${fuel.id}`, { stock: 100 });
    expect(stockPatch.statusCode).toBe(400);

    const cardRes = await order(w, { reward: 'fuel-card', memberId: w.member, quantity: 2, idempotencyKey: 'fuel-order-1' });
    expect(cardRes.statusCode, cardRes.body).toBe(201);
    const card = cardRes.json();
    expect(card.state).toBe('issued');
    expect(card.codes).toEqual(['FUEL-001', 'FUEL-002']);
    expect(card.history.map((h: { to: string }) => h.to)).toEqual(['placed', 'approved', 'issued']);
    expect(await stockOf(w, fuel.id)).toBe(2);
    const cancel = await w.call('POST', `/v1/reward-orders/${card.id}/cancel`, { reason: 'too late' });
    expect(cancel.json().code).toBe('invalid_order_transition');

    await addReward(w, { code: 'delivery-voucher', type: 'code', codeSource: 'generated', pricePoints: 500 });
    const voucher = (await order(w, { reward: 'delivery-voucher', memberId: w.member, quantity: 3, idempotencyKey: 'voucher-order-1' })).json();
    expect(voucher.state).toBe('issued');
    expect(voucher.codes).toHaveLength(3);
    for (const c of voucher.codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(await available(w, w.member)).toBe(10_000 - 2_000 - 1_500);
  });

  it('cashback becomes a credit note for the company; the ERP exports each note once, and again with the same key', async () => {
    const w = await shop(0);
    const owner = await seedMember(t, w.account, 'OWNER-1', 'manager', w.programId);
    await w.call('POST', `/v1/accounts/${w.account}/adjustments`, { points: 200_000, reasonCode: 'opening', idempotencyKey: 'open-company' });
    await addReward(w, { code: 'credit-500', type: 'cashback', category: null, pricePoints: 55_000, cashValueMinor: 50_000, eligibility: { roles: ['manager', 'owner'] }, limits: { perAccount: 2, period: 'quarter' } });
    const placed = await order(w, { reward: 'credit-500', memberId: owner, payFrom: 'account', idempotencyKey: 'cashback-1' });
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json()).toMatchObject({ state: 'issued', paidFrom: 'account', creditNote: { amountMinor: 50_000, currency: 'SEK', exportedAt: null } });
    expect(await available(w, w.account)).toBe(145_000);
    expect((await order(w, { reward: 'credit-500', memberId: owner, payFrom: 'account', idempotencyKey: 'cashback-2' })).statusCode).toBe(201);
    const third = await order(w, { reward: 'credit-500', memberId: owner, payFrom: 'account', idempotencyKey: 'cashback-3' });
    expect(third.statusCode).toBe(422);
    expect(third.json().code).toBe('redemption_limit_reached');
    expect(third.json().detail).toBe('The limit for credit-500 is reached: at most 2 per company per quarter.');

    const batch = (await w.call('POST', '/v1/credit-notes/export', { idempotencyKey: 'erp-batch-0001' })).json();
    expect(batch.data).toHaveLength(2);
    expect(batch.data[0]).toMatchObject({ accountExternalId: 'C-0', amountMinor: 50_000, exportBatch: 'erp-batch-0001' });
    expect((await w.call('POST', '/v1/credit-notes/export', { idempotencyKey: 'erp-batch-0001' })).json().data).toEqual(batch.data);
    expect((await w.call('POST', '/v1/credit-notes/export', { idempotencyKey: 'erp-batch-0002' })).json().data).toEqual([]);
    expect((await w.call('GET', '/v1/credit-notes?exported=false')).json().data).toEqual([]);
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('donations are pledged per cause and summed', async () => {
    const w = await shop(50_000);
    await addReward(w, { code: 'sea-rescue', type: 'charity', category: 'charity', pricePoints: 5_000, cashValueMinor: 5_000, texts: names('Sea rescue', 'Sjöräddning') });
    await addReward(w, { code: 'kids-cancer', type: 'charity', category: 'charity', pricePoints: 10_000, texts: names('Children’s cancer research', 'Barncancerforskning') });
    await order(w, { reward: 'sea-rescue', memberId: w.member, quantity: 2, idempotencyKey: 'pledge-1' });
    await order(w, { reward: 'sea-rescue', memberId: w.member, idempotencyKey: 'pledge-2' });
    await order(w, { reward: 'kids-cancer', memberId: w.member, idempotencyKey: 'pledge-3' });
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/rewards/pledges?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z',
      headers: { authorization: `Bearer ${w.key}`, 'accept-language': 'sv' },
    });
    expect(res.json().data).toEqual([
      expect.objectContaining({ code: 'kids-cancer', cause: 'Barncancerforskning', orders: 1, units: 1, points: 10_000, amountMinor: 10_000 }),
      expect.objectContaining({ code: 'sea-rescue', cause: 'Sjöräddning', orders: 2, units: 3, points: 15_000, amountMinor: 15_000 }),
    ]);
  });

  it('per-member limits count this period and not cancelled orders', async () => {
    const w = await shop(10_000);
    await addReward(w, { code: 'cap', type: 'physical', pricePoints: 100, limits: { perMember: 2, period: 'month' } });
    const a = (await order(w, { reward: 'cap', memberId: w.member, quantity: 2, idempotencyKey: 'cap-order-1' })).json();
    const refused = await order(w, { reward: 'cap', memberId: w.member, idempotencyKey: 'cap-order-2' });
    expect(refused.json().code).toBe('redemption_limit_reached');
    const listed = (await w.call('GET', `/v1/rewards?memberId=${w.member}`)).json().data[0];
    expect(listed.availability).toMatchObject({ orderable: false, reasons: ['limit_reached'] });
    await w.call('POST', `/v1/reward-orders/${a.id}/cancel`, { reason: 'wrong size' });
    expect((await w.call('GET', `/v1/rewards?memberId=${w.member}`)).json().data[0].availability.orderable).toBe(true);
    const third = await order(w, { reward: 'cap', memberId: w.member, idempotencyKey: 'cap-order-3' });
    expect(third.statusCode, third.body).toBe(201);
    // Another member of the same company has a limit of their own.
    await w.call('POST', `/v1/members/${w.members[1]!.id}/adjustments`, { points: 1_000, reasonCode: 'opening', idempotencyKey: 'open-member-1' });
    const other = await order(w, { reward: 'cap', memberId: w.members[1]!.id, quantity: 2, idempotencyKey: 'cap-order-4' });
    expect(other.statusCode, other.body).toBe(201);
  });

  it('the catalogue for a member: what they may order and afford, in their language, cheapest first, paged', async () => {
    const w = await shop(1_000);
    await addReward(w, { code: 'a-cheap', type: 'physical', pricePoints: 200 });
    await addReward(w, { code: 'b-mid', type: 'physical', pricePoints: 800, stock: 0 });
    await addReward(w, { code: 'c-gold', type: 'physical', pricePoints: 900, eligibility: { minTier: 'gold' } });
    await addReward(w, { code: 'd-dear', type: 'physical', pricePoints: 5_000 });
    await addReward(w, { code: 'e-lounge', type: 'content', pricePoints: 950, eligibility: { tierTags: ['lounge'] } });
    const all = (await w.call('GET', '/v1/rewards?limit=2')).json();
    expect(all.data.map((r: { code: string }) => r.code)).toEqual(['a-cheap', 'b-mid']);
    const next = (await w.call('GET', `/v1/rewards?limit=2&cursor=${all.nextCursor}`)).json();
    expect(next.data.map((r: { code: string }) => r.code)).toEqual(['c-gold', 'e-lounge']);

    const mine = (await w.call('GET', `/v1/rewards?memberId=${w.member}`)).json().data;
    expect(mine.map((r: { code: string; availability: { orderable: boolean; reasons: string[]; affordable: boolean } }) => [r.code, r.availability.orderable, r.availability.reasons, r.availability.affordable])).toEqual([
      ['a-cheap', true, [], true],
      ['b-mid', false, ['out_of_stock'], true],
      ['c-gold', false, ['tier'], true],
      ['e-lounge', false, ['tier_tag'], true],
      ['d-dear', true, [], false],
    ]);
    const can = (await w.call('GET', `/v1/rewards?memberId=${w.member}&orderable=true&affordable=true`)).json().data;
    expect(can.map((r: { code: string }) => r.code)).toEqual(['a-cheap']);
    const lounge = await order(w, { reward: 'e-lounge', memberId: w.member, idempotencyKey: 'lounge-before-gold' });
    expect(lounge.json()).toMatchObject({ code: 'not_eligible', detail: 'The member may not order e-lounge: it is a benefit of other levels.' });
    await sql`UPDATE accounts SET tier = 'gold' WHERE program_id = ${w.programId} AND id = ${w.account}`.execute(t.database.db);
    expect((await order(w, { reward: 'e-lounge', memberId: w.member, idempotencyKey: 'lounge-as-gold' })).statusCode).toBe(201);
    const gold = (await w.call('GET', `/v1/rewards?memberId=${w.member}&orderable=true&affordable=true`)).json().data;
    // 50 points left after the lounge order: only what costs less, among what gold may order.
    expect(gold.map((r: { code: string }) => r.code)).toEqual([]);
    const goldAll = (await w.call('GET', `/v1/rewards?memberId=${w.member}&orderable=true`)).json().data;
    expect(goldAll.map((r: { code: string }) => r.code)).toEqual(['a-cheap', 'c-gold', 'e-lounge', 'd-dear']);
    const sv = await t.app.inject({ method: 'GET', url: '/v1/rewards/a-cheap', headers: { authorization: `Bearer ${w.key}`, 'accept-language': 'sv' } });
    expect(sv.json()).toMatchObject({ name: 'a-cheap-sv', description: 'a-cheap-sv, beskriven' });
    expect((await w.call('GET', '/v1/rewards?orderable=true')).json().code).toBe('validation_failed');
  });

  it('tells the member by mail, in their language: confirmed, sent with tracking, codes, points back; not one who said no', async () => {
    const w = await shop(20_000);
    await sql`UPDATE members SET email = 'anna@bygg.se', language = 'sv' WHERE program_id = ${w.programId} AND id = ${w.member}`.execute(t.database.db);
    await sql`UPDATE members SET email = NULL WHERE program_id = ${w.programId} AND id <> ${w.member}`.execute(t.database.db);
    await addReward(w, { code: 'drill', type: 'physical', pricePoints: 3_000, stock: 5 });
    const card = await addReward(w, { code: 'fuel-card', type: 'code', codeSource: 'pool', pricePoints: 1_000 });
    await w.call('POST', `/v1/rewards/${card.id}/codes`, { codes: ['FUEL-7001', 'FUEL-7002'] });
    const drill = (await order(w, { reward: 'drill', memberId: w.member, idempotencyKey: 'mail-drill-1' })).json();
    await w.call('POST', `/v1/reward-orders/${drill.id}/approve`, {});
    await w.call('POST', `/v1/reward-orders/${drill.id}/ship`, { carrier: 'PostNord', trackingNumber: 'SE123' });
    await order(w, { reward: 'fuel-card', memberId: w.member, idempotencyKey: 'mail-card-1' });
    const lamp = (await order(w, { reward: 'drill', memberId: w.member, idempotencyKey: 'mail-drill-2' })).json();
    await w.call('POST', `/v1/reward-orders/${lamp.id}/cancel`, { reason: 'Fel modell' });
    // Another member without an address gets no mail.
    await w.call('POST', `/v1/members/${w.members[1]!.id}/adjustments`, { points: 5_000, reasonCode: 'opening', idempotencyKey: 'open-no-mail' });
    await order(w, { reward: 'drill', memberId: w.members[1]!.id, idempotencyKey: 'mail-drill-3' });
    // Nor does one who switched order mails off in the portal.
    await sql`UPDATE members SET email = 'quiet@bygg.se', mail_preferences = ${JSON.stringify({ orderMails: false })}::jsonb
      WHERE program_id = ${w.programId} AND id = ${w.members[1]!.id}`.execute(t.database.db);
    await order(w, { reward: 'drill', memberId: w.members[1]!.id, idempotencyKey: 'mail-drill-4' });

    const mails = (await w.call('GET', '/v1/outbox?limit=50')).json().data as Array<{ template: string; to: string; language: string; subject: string; body: string }>;
    expect(mails.map((m) => m.template).sort()).toEqual(['order_cancelled', 'order_confirmed', 'order_confirmed', 'order_issued', 'order_shipped']);
    expect(new Set(mails.map((m) => `${m.to} ${m.language}`))).toEqual(new Set(['anna@bygg.se sv']));
    const byTemplate = (name: string) => mails.find((m) => m.template === name)!;
    expect(byTemplate('order_shipped').subject).toBe('drill-sv är på väg');
    expect(byTemplate('order_shipped').body).toContain('Transportör: PostNord. Spårningsnummer: SE123.');
    expect(byTemplate('order_issued').body).toContain('Dina koder: FUEL-7001');
    expect(byTemplate('order_cancelled').body).toContain('Orsak: Fel modell');
    expect(byTemplate('order_cancelled').body).toContain('De 3');
  });

  it('catalogue input is checked: shapes, references, duplicates', async () => {
    const w = await shop(0);
    await addReward(w, { code: 'only-once', type: 'physical', pricePoints: 10 });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ code: 'only-once', type: 'physical', pricePoints: 10 }, 409, 'duplicate_reward_code'],
      [{ code: 'x1', type: 'physical', pricePoints: 0 }, 400, 'validation_failed'],
      [{ code: 'x2', type: 'code', pricePoints: 10 }, 400, 'validation_failed'],
      [{ code: 'x3', type: 'cashback', pricePoints: 10 }, 400, 'validation_failed'],
      [{ code: 'x4', type: 'physical', pricePoints: 10, category: 'nope' }, 422, 'unknown_reward_category'],
      [{ code: 'x5', type: 'physical', pricePoints: 10, eligibility: { minTier: 'diamond' } }, 400, 'validation_failed'],
      [{ code: 'x6', type: 'physical', pricePoints: 10, texts: {} }, 400, 'validation_failed'],
      [{ code: 'x7', type: 'physical', pricePoints: 10, validFrom: '2027-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await w.call('POST', '/v1/rewards', { texts: names('X', 'X'), ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().code).toBe(code);
    }
    const readOnly = await t.keyWith(['read'], w.programId);
    expect((await t.call('POST', '/v1/rewards', { code: 'y', type: 'physical', pricePoints: 1, texts: names('Y', 'Y') }, readOnly)).statusCode).toBe(403);
    const portal = await t.keyWith(['orders:write'], w.programId);
    expect((await t.call('POST', '/v1/reward-orders/01900000-0000-7000-8000-000000000000/approve', {}, portal)).statusCode).toBe(403);
  });
});
