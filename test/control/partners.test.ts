import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent } from '../support/ledger.js';

let t: TestApp;
let bank: { id: string; key: string };
let hotel: { id: string; key: string };
let member: string;

const stay = (id: string, amount = 150_000, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'purchase',
  occurredAt: '2026-11-10T12:00:00+01:00',
  account: 'COAL-1',
  member: 'COAL-P1',
  lines: [{ sku: 'HOTEL-NIGHT', quantity: 1, amount }],
  ...extra,
});
const balance = async (id = member) => (await t.call('GET', `/v1/members/${id}/balance`)).json().available as number;

async function partnerWithKey(code: string, name: string, kind: string) {
  const p = await t.call('POST', '/v1/partners', { code, name, kind });
  expect(p.statusCode, p.body).toBe(201);
  const k = await t.call('POST', '/v1/api-keys', { name: `${name} integration`, scopes: ['partner'], partnerId: p.json().id });
  expect(k.statusCode, k.body).toBe(201);
  return { id: p.json().id as string, key: k.json().key as string };
}

beforeAll(async () => {
  t = await startTestApp();
  await t.call('PATCH', '/v1/program', { pointValueMicros: 2_500_000 });
  const account = await seedAccount(t, 'COAL-1');
  member = await seedMember(t, account, 'COAL-P1');
  await t.database.db.insertInto('categories').values({ program_id: t.programId, code: 'partner', name: 'Partner services' } as never).execute();
  await t.database.db.insertInto('products').values({ program_id: t.programId, sku: 'HOTEL-NIGHT', name: 'Hotel night', category_code: 'partner', attributes: '{}' } as never).execute();
  const rules = [
    {
      name: 'Hotel nights: 1 point per 10 SEK',
      effectiveFrom: '2020-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['purchase'], attributes: [{ path: 'partner', op: 'eq', value: 'nordhotel' }] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } },
    },
    {
      name: 'Card activated',
      effectiveFrom: '2020-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['card.activated'], attributes: [{ path: 'partner', op: 'eq', value: 'fjordbank' }] }, effect: { type: 'fixed', points: 500 }, recipient: { type: 'member' } },
    },
  ];
  for (const r of rules) expect((await t.call('POST', '/v1/rules', r)).statusCode).toBe(201);
  bank = await partnerWithKey('fjordbank', 'Fjordbanken', 'bank');
  hotel = await partnerWithKey('nordhotel', 'Nordhotell', 'hotel');
});
afterAll(async () => t.close());

describe('coalition partners', () => {
  it('are managed by admin keys; codes are unique', async () => {
    const dup = await t.call('POST', '/v1/partners', { code: 'FjordBank', name: 'Again', kind: 'bank' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('partner_code_taken');
    expect((await t.call('POST', '/v1/partners', { code: 'x y', name: 'Bad', kind: 'casino' })).statusCode).toBe(400);
    expect((await t.call('GET', '/v1/partners')).json().data.map((p: { code: string }) => p.code)).toEqual(['fjordbank', 'nordhotel']);
    const readKey = await t.keyWith(['read']);
    expect((await t.call('POST', '/v1/partners', { code: 'sneaky', name: 'S', kind: 'other' }, readKey)).json().code).toBe('insufficient_scope');
    expect((await t.call('PATCH', `/v1/partners/${bank.id}`, { name: 'Fjordbanken ASA' })).json().name).toBe('Fjordbanken ASA');
  });

  it('a partner key has exactly the scope partner and belongs to an active partner', async () => {
    const wide = await t.call('POST', '/v1/api-keys', { name: 'x', scopes: ['partner', 'read'], partnerId: bank.id });
    expect(wide.statusCode).toBe(400);
    const ghost = await t.call('POST', '/v1/api-keys', { name: 'x', scopes: ['partner'], partnerId: '00000000-0000-7000-8000-000000000009' });
    expect(ghost.json().code).toBe('unknown_partner');
  });

  it('posts earn events for members, attributed to the partner in its own id namespace', async () => {
    const res = await t.call('POST', '/v1/events', stay('BK-1001'), hotel.key);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ externalId: 'nordhotel:BK-1001', points: 150 });
    const stored = await t.database.db.selectFrom('events').select(['partner_id', 'attributes']).where('external_id', '=', 'nordhotel:BK-1001').executeTakeFirstOrThrow();
    expect(stored.partner_id).toBe(hotel.id);
    expect(stored.attributes).toMatchObject({ partner: 'nordhotel' });
    // A replay answers the first result; the program's own event with the same id is another event.
    const replay = await t.call('POST', '/v1/events', stay('BK-1001'), hotel.key);
    expect(replay.statusCode).toBe(200);
    expect(replay.json().status).toBe('replayed');
    const own = await t.call('POST', '/v1/events', stay('BK-1001'));
    expect(own.statusCode).toBe(201);
    expect(own.json().points).toBe(0); // the hotel rule matches only the hotel's events
    // The bank cannot pose as the hotel: its events carry its own code whatever the body says.
    const posing = await t.call('POST', '/v1/events', { id: 'CARD-1', type: 'card.activated', occurredAt: '2026-11-11T09:00:00+01:00', account: 'COAL-1', member: 'COAL-P1', attributes: { partner: 'nordhotel' } }, bank.key);
    expect(posing.json()).toMatchObject({ externalId: 'fjordbank:CARD-1', points: 500 });
    // Batches work the same way.
    const batch = await t.call('POST', '/v1/events', { events: [stay('BK-1002', 80_000), stay('BK-1003', 40_000)] }, hotel.key);
    expect(batch.json().summary).toEqual({ processed: 2, replayed: 0, rejected: 0 });
    expect(await balance()).toBe(150 + 500 + 80 + 40);
  });

  it('returns only its own events, by original id', async () => {
    const blind = await t.call('POST', '/v1/events', { id: 'RET-0', type: 'return', occurredAt: '2026-11-12T10:00:00+01:00', account: 'COAL-1', lines: [{ sku: 'HOTEL-NIGHT', quantity: 1 }] }, hotel.key);
    expect(blind.statusCode).toBe(422);
    expect(blind.json().code).toBe('partner_return_needs_original');
    const other = await t.call('POST', '/v1/events', { id: 'RET-1', type: 'return', occurredAt: '2026-11-12T10:00:00+01:00', account: 'COAL-1', originalId: 'BK-1001' }, bank.key);
    expect(other.json().code).toBe('unknown_original_event');
    const ok = await t.call('POST', '/v1/events', { id: 'RET-2', type: 'return', occurredAt: '2026-11-12T10:00:00+01:00', account: 'COAL-1', originalId: 'BK-1003' }, hotel.key);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().points).toBe(-40);
  });

  it('honours redemptions from a member’s wallet, idempotently and never overdrawn', async () => {
    const before = await balance();
    const body = { member: 'COAL-P1', points: 200, reference: 'BOOKING-77', idempotencyKey: 'hotel-redeem-0001' };
    const first = await t.call('POST', '/v1/partner/redemptions', body, hotel.key);
    expect(first.statusCode, first.body).toBe(201);
    expect((await t.call('POST', '/v1/partner/redemptions', body, hotel.key)).statusCode).toBe(200);
    expect(await balance()).toBe(before - 200);
    // The same key at another partner is another redemption.
    expect((await t.call('POST', '/v1/partner/redemptions', { ...body, points: 30 }, bank.key)).statusCode).toBe(201);
    const conflict = await t.call('POST', '/v1/partner/redemptions', { ...body, points: 201 }, hotel.key);
    expect(conflict.json().code).toBe('idempotency_conflict');
    const tooMuch = await t.call('POST', '/v1/partner/redemptions', { memberId: member, points: 1_000_000, idempotencyKey: 'hotel-redeem-0002' }, hotel.key);
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().code).toBe('insufficient_points');
    const nobody = await t.call('POST', '/v1/partner/redemptions', { member: 'NOBODY', points: 1, idempotencyKey: 'hotel-redeem-0003' }, hotel.key);
    expect(nobody.json().code).toBe('unknown_member');
    const j = await t.database.db.selectFrom('journals').select(['partner_id', 'kind']).where('id', '=', first.json().journalId).executeTakeFirstOrThrow();
    expect(j).toEqual({ partner_id: hotel.id, kind: 'spend' });
    await expectLedgerConsistent(t.database.db, t.programId);
  });

  it('a partner key reaches nothing else, and other keys cannot redeem as a partner', async () => {
    const denied = [
      ['GET', '/v1/accounts'],
      ['GET', `/v1/members/${member}/balance`],
      ['GET', '/v1/events/nordhotel:BK-1001'],
      ['POST', `/v1/members/${member}/debits`, { points: 1, memo: 'x', idempotencyKey: 'partner-debit-1' }],
      ['GET', `/v1/partners/${hotel.id}/settlement?from=2026-11-01&to=2026-11-30`],
      ['GET', '/v1/partners'],
      ['POST', '/v1/events/simulate', stay('SIM-1')],
      ['GET', '/v1/audit'],
    ] as const;
    for (const [method, url, body] of denied) {
      const res = await t.call(method, url, body, hotel.key);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().code).toBe('insufficient_scope');
    }
    const byAdmin = await t.call('POST', '/v1/partner/redemptions', { member: 'COAL-P1', points: 1, idempotencyKey: 'admin-redeem-1' });
    expect(byAdmin.json().code).toBe('insufficient_scope');
  });

  it('settles per partner and period: issued net of returns, redeemed, and their money value', async () => {
    const res = await t.call('GET', `/v1/partners/${hotel.id}/settlement?from=2026-11-01&to=2026-11-30`);
    expect(res.statusCode, res.body).toBe(200);
    // 2.5 öre per point (pointValueMicros 2,500,000).
    expect(res.json()).toMatchObject({
      partner: { code: 'nordhotel' },
      currency: 'SEK',
      events: 3,
      issued: { points: 270, value: 675 },
      reversed: { points: 40, value: 100 },
      netIssued: { points: 230, value: 575 },
      // Redeemed at the test clock's time, inside November 2026.
      redemptions: 1,
      redeemed: { points: 200, value: 500 },
      balance: 575 - 500,
    });
    const wide = (await t.call('GET', `/v1/partners/${hotel.id}/settlement?from=2026-01-01&to=2099-12-31`)).json();
    expect(wide).toMatchObject({ redeemed: { points: 200, value: 500 }, balance: 575 - 500 });
    const bankWide = (await t.call('GET', `/v1/partners/${bank.id}/settlement?from=2026-01-01&to=2099-12-31`)).json();
    expect(bankWide).toMatchObject({ events: 1, netIssued: { points: 500, value: 1250 }, redeemed: { points: 30, value: 75 } });
    // A period with nothing in it, and a period the wrong way round.
    expect((await t.call('GET', `/v1/partners/${hotel.id}/settlement?from=2025-01-01&to=2025-12-31`)).json()).toMatchObject({ events: 0, issued: { points: 0 }, balance: 0 });
    expect((await t.call('GET', `/v1/partners/${hotel.id}/settlement?from=2026-12-01&to=2026-11-01`)).statusCode).toBe(400);

    const csv = await t.app.inject({ method: 'GET', url: `/v1/partners/${hotel.id}/settlement?from=2026-01-01&to=2099-12-31&format=csv`, headers: { authorization: `Bearer ${t.key}`, 'accept-language': 'sv' } });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('metric,label,points,value,currency');
    expect(lines).toContain('netIssued,"Utgivna, netto efter returer",230,575,SEK');
    expect(lines.at(-1)).toMatch(/^balance,.*,,75,SEK$/);
  });

  it('a partner of another program cannot reach this program’s members', async () => {
    const other = await t.newProgram();
    const p = (await t.call('POST', '/v1/partners', { code: 'nordhotel', name: 'Nordhotell', kind: 'hotel' }, other.key)).json();
    const key = (await t.call('POST', '/v1/api-keys', { name: 'k', scopes: ['partner'], partnerId: p.id }, other.key)).json().key;
    const redeem = await t.call('POST', '/v1/partner/redemptions', { memberId: member, points: 1, idempotencyKey: 'cross-program-1' }, key);
    expect(redeem.json().code).toBe('unknown_member');
    const ev = await t.call('POST', '/v1/events', stay('BK-X'), key);
    expect(ev.json().code).toBe('unknown_account');
    expect((await t.call('GET', `/v1/partners/${hotel.id}`, undefined, other.key)).statusCode).toBe(404);
  });

  it('a deactivated partner’s keys stop working', async () => {
    const p = await partnerWithKey('oldair', 'Old Air', 'airline');
    expect((await t.call('POST', '/v1/events', { id: 'F-1', type: 'flight', occurredAt: '2026-11-11T09:00:00+01:00', account: 'COAL-1' }, p.key)).statusCode).toBe(201);
    await t.call('PATCH', `/v1/partners/${p.id}`, { active: false });
    const res = await t.call('POST', '/v1/events', { id: 'F-2', type: 'flight', occurredAt: '2026-11-11T09:00:00+01:00', account: 'COAL-1' }, p.key);
    expect(res.statusCode).toBe(401);
    const partnerEvents = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE program_id = ${t.programId} AND partner_id = ${p.id}`.execute(t.database.db);
    expect(partnerEvents.rows[0]!.n).toBe(1);
  });
});
