/**
 * A campaign through its life and through the member's eyes: stopped and extended by a manager (with distinct
 * codes for what cannot be done), offered in the portal only to members of treated companies in its segment (never
 * to the held-out group, by the same stable hash the earning path uses), and its payouts told in the member's
 * history in their language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlBucket } from '../../src/campaigns/effects.js';
import { offerSentences } from '../../src/campaigns/offer.js';
import { chooseSessionMember, createSession } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent } from '../support/ledger.js';

describe('what a campaign offers, in words (pure)', () => {
  it.each([
    [[{ type: 'multiplier' as const, factor: 2 }], 'en', ['Double points on every purchase']],
    [[{ type: 'multiplier' as const, factor: 1.5 }], 'en', ['1.5 × the points on every purchase']],
    [[{ type: 'fixed' as const, points: 1 }], 'en', ['1 extra point on every purchase']],
    [[{ type: 'fixed' as const, points: 5 }], 'pl', ['5 dodatkowych punktów za każdy zakup']],
    [[{ type: 'lineBonus' as const, category: 'tools', points: 10, per: 10_000 }], 'sv', ['10 extra poäng per 100,00 kr du handlar för inom tools']],
    [[{ type: 'multiplier' as const, factor: 3 }, { type: 'lineBonus' as const, brand: 'Bosch', points: 2, per: 5_000 }], 'de', ['Dreifache Punkte auf jeden Einkauf', '2 Extrapunkte je 50,00 SEK Einkauf bei Bosch']],
  ])('%j in %s', (effects, lng, expected) => {
    expect(offerSentences(effects, lng as 'en', 'SEK').map((s) => s.replace(/\u00a0/g, ' '))).toEqual(expected);
  });
});

let t: TestApp;
const accounts: string[] = [];
const members: string[] = [];
let campaignId: string;

async function memberCookie(memberId: string): Promise<string> {
  const { token, session } = await createSession(t.database.db, { kind: 'member', email: `${memberId}@example.com` }, t.clock());
  await chooseSessionMember(t.database.db, session.id, t.programId, memberId);
  return `lojal_member=${token}`;
}

async function portal(memberId: string, url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: { cookie: await memberCookie(memberId) } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  await createRules(t, [
    {
      name: 'Points per SEK',
      effectiveFrom: '2020-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } },
    },
  ]);
  for (let i = 0; i < 24; i++) {
    const id = await seedAccount(t, `O${i}`, { tags: i < 20 ? ['promo'] : [] });
    accounts.push(id);
    const member = await seedMember(t, id, `OM${i}`);
    // A portal session is for a proven e-mail address, so the member needs one.
    await t.database.db.updateTable('members').set({ email: `${member}@example.com` } as never).where('id', '=', member).execute();
    members.push(member);
  }
  const seg = await t.call('POST', '/v1/segments', { key: 'promo', name: 'Promo', definition: { field: 'tags', op: 'hasAny', value: ['promo'] } });
  expect(seg.statusCode, seg.body).toBe(201);
  const res = await t.call('POST', '/v1/campaigns', {
    name: 'Dubbla poäng i november',
    segmentKeys: ['promo'],
    startsAt: '2026-11-01T00:00:00+01:00',
    endsAt: '2026-12-01T00:00:00+01:00',
    effects: [{ type: 'multiplier', factor: 2 }],
    budgetPoints: 10_000,
    controlPercent: 30,
  });
  expect(res.statusCode, res.body).toBe(201);
  campaignId = res.json().id;
});
afterAll(async () => t.close());

const heldOut = () => accounts.findIndex((id, i) => i < 20 && controlBucket(campaignId, id) < 30);
const treated = () => accounts.findIndex((id, i) => i < 20 && controlBucket(campaignId, id) >= 30);

describe('the member’s offers and history', () => {
  it('offers the campaign to a treated member in their language, and never to the held-out group or outside the segment', async () => {
    expect(heldOut()).toBeGreaterThanOrEqual(0);
    expect(treated()).toBeGreaterThanOrEqual(0);
    await t.database.db.updateTable('members').set({ language: 'sv' } as never).where('id', '=', members[treated()]!).execute();
    const offers = (await portal(members[treated()]!, '/portal/v1/campaigns')).data;
    expect(offers).toEqual([
      expect.objectContaining({ id: campaignId, name: 'Dubbla poäng i november', endsAt: '2026-11-30T23:00:00.000Z', earn: ['Dubbla poäng på varje köp'] }),
    ]);
    expect((await portal(members[heldOut()]!, '/portal/v1/campaigns')).data).toEqual([]);
    expect((await portal(members[22]!, '/portal/v1/campaigns')).data).toEqual([]);
  });

  it('tells the payout in the history as the campaign’s extra points for the purchase', async () => {
    const i = treated();
    const res = await t.call('POST', '/v1/events', { id: 'OFFER-1', type: 'purchase', occurredAt: '2026-11-20T10:00:00Z', account: `O${i}`, member: `OM${i}`, lines: [{ sku: 'PAINT', quantity: 1, amount: 30_000 }] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().points).toBe(60);
    const items = (await portal(members[i]!, '/portal/v1/history')).items as Array<{ points: number; text: string; campaign: string | null }>;
    const payout = items.find((x) => x.campaign !== null);
    expect(payout).toMatchObject({ points: 30, campaign: 'Dubbla poäng i november', text: 'Extrapoäng från kampanjen ”Dubbla poäng i november” för ditt köp OFFER-1' });
    expect(items.filter((x) => x.campaign === null)).toHaveLength(1);
  });
});

describe('stopping and extending', () => {
  it.each([
    ['an end before the current one', '2026-11-28T00:00:00Z', 422, 'campaign_end_not_later'],
    ['the same end', '2026-12-01T00:00:00+01:00', 422, 'campaign_end_not_later'],
  ])('refuses to extend to %s', async (_n, endsAt, status, code) => {
    const res = await t.call('POST', `/v1/campaigns/${campaignId}/extend`, { endsAt });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().code).toBe(code);
  });

  it('extends a running campaign; a stopped one pays nothing more, leaves the offers and cannot be stopped or extended again', async () => {
    const extended = await t.call('POST', `/v1/campaigns/${campaignId}/extend`, { endsAt: '2026-12-15T00:00:00+01:00' });
    expect(extended.statusCode, extended.body).toBe(200);
    expect(extended.json()).toMatchObject({ endsAt: '2026-12-14T23:00:00.000Z', stoppedAt: null, report: { status: 'running' } });

    const stopped = await t.call('POST', `/v1/campaigns/${campaignId}/stop`);
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(stopped.json()).toMatchObject({ endsAt: '2026-12-14T23:00:00.000Z', stoppedAt: '2026-11-25T12:00:00.000Z', report: { status: 'stopped', budget: { planned: 10_000, spent: 30 } } });
    expect(stopped.json().report.window.to).toBe('2026-11-25T12:00:00.000Z');

    t.clock.advance(60_000);
    const i = treated();
    const late = await t.call('POST', '/v1/events', { id: 'OFFER-2', type: 'purchase', occurredAt: '2026-11-25T12:00:30Z', account: `O${i}`, member: `OM${i}`, lines: [{ sku: 'PAINT', quantity: 1, amount: 30_000 }] });
    expect(late.statusCode, late.body).toBe(201);
    expect(late.json().points).toBe(30);
    expect((await portal(members[i]!, '/portal/v1/campaigns')).data).toEqual([]);

    for (const [url, body] of [[`/v1/campaigns/${campaignId}/stop`, undefined], [`/v1/campaigns/${campaignId}/extend`, { endsAt: '2027-01-15T00:00:00Z' }]] as const) {
      const again = await t.call('POST', url, body);
      expect(again.statusCode, again.body).toBe(409);
      expect(again.json().code).toBe('campaign_over');
    }
    expect((await t.call('POST', '/v1/campaigns/00000000-0000-7000-8000-000000000000/stop')).statusCode).toBe(404);
    await expectLedgerConsistent(t.database.db, t.programId);
  });
});
