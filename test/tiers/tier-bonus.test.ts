import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/rules/engine.js';
import type { EngineContext, RuleVersion } from '../../src/rules/types.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newWorld, type World } from '../support/ledger.js';
import { ACCOUNT, MEMBER, purchase, TZ } from '../rules/fixtures.js';

const rule = (id: string, definition: RuleVersion['definition'], priority = 100): RuleVersion => ({ id, version: 1, name: id, priority, definition });
const split = rule('per-sek', { conditions: {}, effect: { type: 'perAmount', points: 1, per: 100 }, recipient: { type: 'split', accountPercent: 70 } });
const double = rule('double', { conditions: {}, effect: { type: 'multiplier', factor: 2 }, recipient: { type: 'account' } });
const ctx = (over: Partial<EngineContext>): EngineContext => ({
  event: purchase(),
  account: ACCOUNT,
  member: MEMBER,
  history: { categoriesBought: new Set(), usage: () => undefined },
  rules: [split],
  timeZone: TZ,
  ...over,
});
const paid = (c: EngineContext) => evaluate(c).postings.map((p) => [p.ruleId, p.recipient, p.points, p.explanation.key]);

describe('the tier bonus in the engine', () => {
  // 1 500 SEK at 1 point per SEK = 1 500: 1 050 to the account, 450 to the member.
  it.each<[string, EngineContext['tierBonus'], RuleVersion[], Array<[string, string, number, string]>]>([
    ['none', undefined, [split], [['per-sek', 'account', 1050, 'explain.perAmount'], ['per-sek', 'member', 450, 'explain.perAmount']]],
    ['×1 pays nothing extra', { account: { tier: 'Bronze', hundredths: 100 } }, [split], [['per-sek', 'account', 1050, 'explain.perAmount'], ['per-sek', 'member', 450, 'explain.perAmount']]],
    [
      'each wallet by its own owner’s tier, rounded down',
      { account: { tier: 'Gold', hundredths: 150 }, member: { tier: 'Silver', hundredths: 133 } },
      [split],
      [
        ['per-sek', 'account', 1050, 'explain.perAmount'],
        ['per-sek', 'member', 450, 'explain.perAmount'],
        ['per-sek', 'account', 525, 'explain.tierBonus'],
        ['per-sek', 'member', 148, 'explain.tierBonus'],
      ],
    ],
    [
      'on the base posting, not on rule multipliers',
      { account: { tier: 'Gold', hundredths: 150 } },
      [split, double],
      [
        ['per-sek', 'account', 1050, 'explain.perAmount'],
        ['per-sek', 'member', 450, 'explain.perAmount'],
        ['double', 'account', 1050, 'explain.multiplier'],
        ['double', 'member', 450, 'explain.multiplier'],
        ['per-sek', 'account', 525, 'explain.tierBonus'],
      ],
    ],
  ])('%s', (_name, tierBonus, rules, expected) => {
    expect(paid(ctx({ rules, ...(tierBonus && { tierBonus }) }))).toEqual(expected);
  });

  it('uses no cap counters', () => {
    const capped = rule('capped', { conditions: {}, effect: { type: 'fixed', points: 100 }, recipient: { type: 'account' }, caps: [{ scope: 'account', period: 'day', maxPoints: 100 }] });
    const r = evaluate(ctx({ rules: [capped], tierBonus: { account: { tier: 'Gold', hundredths: 200 } } }));
    expect(r.postings.map((p) => p.points)).toEqual([100, 100]);
    expect(r.usage.map((u) => u.points)).toEqual([100]);
  });
});

describe('the tier bonus on events', () => {
  let t: TestApp;
  let w: World;
  const DAY = 86_400_000;
  const names = (en: string, de: string) => ({ en, sv: `${en} sv`, nb: `${en} nb`, pl: `${en} pl`, de });
  const buy = (id: string) => ({
    id,
    type: 'purchase',
    occurredAt: new Date(t.clock().getTime() - DAY).toISOString(),
    account: 'C-0',
    member: 'M-0',
    lines: [
      { sku: 'DRILL', quantity: 2, amount: 50000 },
      { sku: 'PAINT', quantity: 1, amount: 20000 },
    ],
  });
  beforeAll(async () => {
    t = await startTestApp();
    w = await newWorld(t);
    const put = await w.call('PUT', '/v1/tiers', {
      settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both' },
      levels: [
        { code: 'bronze', rank: 1, threshold: 50, names: names('Bronze', 'Bronze') },
        { code: 'silver', rank: 2, threshold: 400, names: names('Silver', 'Silber'), multiplierHundredths: 125 },
      ],
    });
    expect(put.statusCode, put.body).toBe(200);
  });
  afterAll(async () => t.close());

  it('pays the tier the account holds: none on the purchase that reached it, 25 % on the next', async () => {
    const first = (await w.call('POST', '/v1/events', buy('INV-1'))).json();
    expect(first.points).toBe(495);
    const simulated = await w.call('POST', '/v1/events/simulate', buy('INV-2'));
    expect(simulated.statusCode, simulated.body).toBe(200);
    expect(simulated.json().postings.map((p: { points: number }) => p.points)).toEqual([49, 21, 25, 12]);
    const res = await w.call('POST', '/v1/events', buy('INV-2'));
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    // Points per SEK 49 (account) + 21 (member), High margin 25 (member), no cross-sell; silver account: +12 on 49.
    expect(body.postings.map((p: { ruleName: string; wallet: string; points: number }) => [p.ruleName, p.wallet, p.points])).toEqual([
      ['Points per SEK', 'account', 49],
      ['Points per SEK', 'member', 21],
      ['High margin', 'member', 25],
      ['Points per SEK', 'account', 12],
    ]);
    expect(body.points).toBe(107);
    expect(body.postings[3].reason).toBe('12 tier bonus points: Silver — ×1.25 on Points per SEK');
  });

  it('explains it in the reader’s language, and a return takes it back with its purchase', async () => {
    const history = await t.app.inject({ method: 'GET', url: `/v1/accounts/${w.accounts[0]!.id}/history`, headers: { authorization: `Bearer ${w.key}`, 'accept-language': 'de' } });
    // Like rule names, the level is named in the program's language (here English) inside the sentence.
    expect(history.json().data[0].details.map((d: { description: string }) => d.description)).toEqual([
      expect.stringMatching(/^49 Punkte/),
      '12 Stufenbonuspunkte: Silver – ×1,25 auf Points per SEK',
    ]);
    const ret = await w.call('POST', '/v1/events', { id: 'RET-2', type: 'return', occurredAt: new Date(t.clock().getTime() - 1000).toISOString(), account: 'C-0', originalId: 'INV-2' });
    expect(ret.statusCode, ret.body).toBe(201);
    expect(ret.json().points).toBe(-107);
    expect((await w.call('GET', `/v1/accounts/${w.accounts[0]!.id}/tier`)).json().qualifying.total).toBe(449);
  });
});
