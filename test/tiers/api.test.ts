import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTiers } from '../../src/tiers/job.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newWorld, type World } from '../support/ledger.js';

let t: TestApp;
const DAY = 86_400_000;
const MONTH = 31 * DAY;
const names = (en: string, sv: string, nb: string, pl: string, de: string) => ({ en, sv, nb, pl, de });
const benefits = (text: string) => ({ en: [text], sv: [`${text} (sv)`], nb: [`${text} (nb)`], pl: [`${text} (pl)`], de: [`${text} (de)`] });

const ladder = (settings: Record<string, unknown>) => ({
  settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 0, ...settings },
  levels: [
    { code: 'bronze', rank: 1, threshold: 50, names: names('Bronze', 'Brons', 'Bronse', 'Brązowy', 'Bronze') },
    {
      code: 'silver',
      rank: 2,
      threshold: 400,
      names: names('Silver', 'Silver', 'Sølv', 'Srebrny', 'Silber'),
      multiplierHundredths: 125,
      discountBasisPoints: 250,
      rewardTags: ['silver-catalog'],
      benefits: benefits('Free delivery'),
    },
    { code: 'gold', rank: 3, threshold: 1000, names: names('Gold', 'Guld', 'Gull', 'Złoty', 'Gold'), multiplierHundredths: 150 },
  ],
});

/** A purchase a day ago: the standard rules pay the account 449 points and the member 46. */
const recentPurchase = (id: string, account: string, member?: string) => ({
  id,
  type: 'purchase',
  occurredAt: new Date(t.clock().getTime() - DAY).toISOString(),
  account,
  ...(member && { member }),
  lines: [
    { sku: 'DRILL', quantity: 2, amount: 50000 },
    { sku: 'PAINT', quantity: 1, amount: 20000 },
  ],
});

const historyOf = async (w: World, path: string) => (await w.call('GET', `${path}/tier/history?limit=50`)).json().data as Array<{ from: string | null; to: string | null; reason: string }>;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('the ladder', () => {
  it('is refused with thresholds out of order, or a name missing in one language', async () => {
    const w = await newWorld(t);
    const bad = ladder({});
    bad.levels[2]!.threshold = 400;
    const res = await w.call('PUT', '/v1/tiers', bad);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('invalid_tier_ladder');
    expect(res.json().detail).toMatch(/gold \(rank 3\) needs a higher threshold than silver \(400\)/);

    const noPolish = ladder({});
    delete (noPolish.levels[0]!.names as Partial<ReturnType<typeof names>>).pl;
    const res2 = await w.call('PUT', '/v1/tiers', noPolish);
    expect(res2.statusCode).toBe(400);
    expect(res2.json().errors.map((e: { path: string }) => e.path)).toEqual(['body.levels.0.names.pl']);

    expect((await w.call('GET', '/v1/tiers')).json().code).toBe('tiers_not_configured');
    expect((await w.call('GET', `/v1/accounts/${w.accounts[0]!.id}/tier`)).statusCode).toBe(404);
  });

  it('is stored whole and read back', async () => {
    const w = await newWorld(t);
    expect((await w.call('PUT', '/v1/tiers', ladder({}))).statusCode).toBe(200);
    const replaced = await w.call('PUT', '/v1/tiers', ladder({ graceDays: 14 }));
    expect(replaced.json().settings).toEqual({ basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 14 });
    const got = (await w.call('GET', '/v1/tiers')).json();
    expect(got.levels.map((l: { code: string; threshold: number }) => [l.code, l.threshold])).toEqual([
      ['bronze', 50],
      ['silver', 400],
      ['gold', 1000],
    ]);
    expect(got.levels[1]).toMatchObject({ multiplierHundredths: 125, discountBasisPoints: 250, rewardTags: ['silver-catalog'] });
  });
});

describe('points basis, account and member', () => {
  let w: World;
  let account: string;
  let member: string;
  beforeAll(async () => {
    w = await newWorld(t);
    account = w.accounts[0]!.id;
    member = w.members[0]!.id;
    expect((await w.call('PUT', '/v1/tiers', ladder({}))).statusCode).toBe(200);
    expect((await w.call('POST', '/v1/events', recentPurchase('INV-1', 'C-0', 'M-0'))).statusCode).toBe(201);
  });

  it('upgrades at event time, past a level, and sets the account and member tier', async () => {
    const res = await w.call('GET', `/v1/accounts/${account}/tier`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ level: { code: 'silver' }, frozen: null, qualifying: { basis: 'points', total: 449 }, progress: { nextLevel: { code: 'gold' }, missing: 551, until: null } });
    expect(await historyOf(w, `/v1/accounts/${account}`)).toMatchObject([{ from: null, to: 'silver', reason: 'threshold_reached' }]);
    // The member's 46 points are short of bronze (50) by 4.
    expect((await w.call('GET', `/v1/members/${member}/tier`)).json()).toMatchObject({ level: null, qualifying: { total: 46 }, progress: { nextLevel: { code: 'bronze' }, missing: 4 } });
    expect(await historyOf(w, `/v1/members/${member}`)).toEqual([]);
    expect((await w.call('GET', `/v1/accounts/${account}`)).json().tier).toBe('silver');
    expect((await w.call('GET', `/v1/members/${member}`)).json().tier).toBeNull();
  });

  it('the job then finds nothing to do, however often it runs', async () => {
    const now = t.clock();
    expect(await evaluateTiers(t.database.db, w.programId, now)).toEqual({ evaluated: 2, upgrades: 0, downgrades: 0 });
    expect(await evaluateTiers(t.database.db, w.programId, now)).toEqual({ evaluated: 2, upgrades: 0, downgrades: 0 });
    expect(await historyOf(w, `/v1/accounts/${account}`)).toHaveLength(1);
  });

  it("answers the level in the reader's language, with benefits and what is missing for the next", async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/accounts/${account}/tier`, headers: { authorization: `Bearer ${w.key}`, 'accept-language': 'de' } });
    const body = res.json();
    expect(body.level).toEqual({
      code: 'silver',
      rank: 2,
      name: 'Silber',
      threshold: 400,
      multiplierHundredths: 125,
      discountBasisPoints: 250,
      rewardTags: ['silver-catalog'],
      benefits: ['Free delivery (de)'],
    });
    expect(body.progress).toEqual({ nextLevel: { code: 'gold', name: 'Gold' }, missing: 551, until: null });
    expect(new Date(body.periodEnd).getTime() - t.clock().getTime()).toBeGreaterThan(360 * DAY);
  });

  it('takes returns off the qualifying total, but does not downgrade before the period ends', async () => {
    const ret = await w.call('POST', '/v1/events', { id: 'RET-1', type: 'return', occurredAt: new Date(t.clock().getTime() - 1000).toISOString(), account: 'C-0', originalId: 'INV-1', lines: [{ sku: 'DRILL', quantity: 1 }] });
    expect(ret.statusCode, ret.body).toBe(201);
    // 449 − 17 − 142 (see the earn-and-return test).
    expect((await w.call('GET', `/v1/accounts/${account}/tier`)).json().qualifying.total).toBe(290);
    expect((await w.call('GET', `/v1/members/${member}/tier`)).json().qualifying.total).toBe(46 - 7 - 12);
    expect(await evaluateTiers(t.database.db, w.programId, t.clock())).toMatchObject({ downgrades: 0 });
    expect((await w.call('GET', `/v1/accounts/${account}/tier`)).json().level.code).toBe('silver');
  });

  it('downgrades one level at a time at period ends, and a re-run writes nothing', async () => {
    const later = new Date(t.clock().getTime() + 13 * MONTH);
    expect(await evaluateTiers(t.database.db, w.programId, later)).toEqual({ evaluated: 1, upgrades: 0, downgrades: 1 });
    expect(await evaluateTiers(t.database.db, w.programId, later)).toEqual({ evaluated: 1, upgrades: 0, downgrades: 0 });
    const evenLater = new Date(t.clock().getTime() + 26 * MONTH);
    expect(await evaluateTiers(t.database.db, w.programId, evenLater)).toEqual({ evaluated: 1, upgrades: 0, downgrades: 1 });
    expect((await historyOf(w, `/v1/accounts/${account}`)).map((h) => [h.from, h.to, h.reason])).toEqual([
      ['bronze', null, 'period_end'],
      ['silver', 'bronze', 'period_end'],
      [null, 'silver', 'threshold_reached'],
    ]);
    expect((await w.call('GET', `/v1/accounts/${account}`)).json().tier).toBeNull();
  });

  it('pages the history by cursor', async () => {
    const first = (await w.call('GET', `/v1/accounts/${account}/tier/history?limit=2`)).json();
    expect(first.data.map((h: { to: string | null }) => h.to)).toEqual([null, 'bronze']);
    const second = (await w.call('GET', `/v1/accounts/${account}/tier/history?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second).toMatchObject({ data: [{ to: 'silver' }], nextCursor: null });
    expect((await w.call('GET', `/v1/accounts/${account}/tier/history?cursor=nope!`)).statusCode).toBe(400);
  });
});

describe('status freeze', () => {
  it('holds the level through a period end, and ends on request', async () => {
    const w = await newWorld(t);
    const account = w.accounts[0]!.id;
    await w.call('PUT', '/v1/tiers', ladder({ downgradeMaxLevels: 3 }));
    await w.call('POST', '/v1/events', recentPurchase('INV-1', 'C-0'));
    const frozen = await w.call('POST', `/v1/accounts/${account}/tier/freeze`, { months: 24, reason: 'Parental leave' });
    expect(frozen.statusCode, frozen.body).toBe(200);
    expect(frozen.json().level.code).toBe('silver');
    expect(frozen.json().frozen.reason).toBe('Parental leave');

    expect(await evaluateTiers(t.database.db, w.programId, new Date(t.clock().getTime() + 13 * MONTH))).toMatchObject({ downgrades: 0 });
    expect((await w.call('GET', `/v1/accounts/${account}`)).json().tier).toBe('silver');

    const thawed = await w.call('DELETE', `/v1/accounts/${account}/tier/freeze`);
    expect(thawed.json().frozen).toBeNull();
    expect(await evaluateTiers(t.database.db, w.programId, new Date(t.clock().getTime() + 13 * MONTH))).toMatchObject({ downgrades: 1 });
    expect((await historyOf(w, `/v1/accounts/${account}`)).map((h) => [h.from, h.to, h.reason])).toEqual([
      ['silver', null, 'period_end'],
      ['silver', 'silver', 'unfreeze'],
      ['silver', 'silver', 'freeze'],
      [null, 'silver', 'threshold_reached'],
    ]);
  });
});

describe('a hold ended', () => {
  it('gives at once a higher level earned while the hold kept the old one', async () => {
    const w = await newWorld(t);
    const account = w.accounts[0]!.id;
    await w.call('PUT', '/v1/tiers', ladder({ downgradeMaxLevels: 3 }));
    expect((await w.call('POST', `/v1/accounts/${account}/tier/freeze`, { months: 24, reason: 'Hold' })).json().level).toBeNull();
    await w.call('POST', '/v1/events', recentPurchase('INV-HOLD-1', 'C-0'));
    // The hold keeps the level where it was, also against a purchase that earns more.
    expect((await w.call('GET', `/v1/accounts/${account}`)).json().tier).toBeNull();
    const thawed = await w.call('DELETE', `/v1/accounts/${account}/tier/freeze`);
    expect(thawed.statusCode, thawed.body).toBe(200);
    expect(thawed.json().level?.code).toBe('silver');
    expect((await w.call('GET', `/v1/accounts/${account}`)).json().tier).toBe('silver');
  });
});

describe('amount basis, per account only', () => {
  it('counts purchase amounts less returns, and refuses member tiers', async () => {
    const w = await newWorld(t);
    const account = w.accounts[0]!.id;
    const ladderAmount = ladder({ basis: 'amount', scope: 'account' });
    ladderAmount.levels[0]!.threshold = 40000;
    ladderAmount.levels[1]!.threshold = 60000;
    ladderAmount.levels[2]!.threshold = 100000;
    expect((await w.call('PUT', '/v1/tiers', ladderAmount)).statusCode).toBe(200);
    await w.call('POST', '/v1/events', recentPurchase('INV-1', 'C-0', 'M-0'));
    await w.call('POST', '/v1/events', { id: 'RET-1', type: 'return', occurredAt: new Date(t.clock().getTime() - 1000).toISOString(), account: 'C-0', originalId: 'INV-1', lines: [{ sku: 'DRILL', quantity: 1 }] });
    // The purchase (70 000) reached silver at once; the return (25 000) does not take it back before the period ends.
    expect(await evaluateTiers(t.database.db, w.programId, t.clock())).toEqual({ evaluated: 1, upgrades: 0, downgrades: 0 });
    const tier = (await w.call('GET', `/v1/accounts/${account}/tier`)).json();
    expect(tier).toMatchObject({ level: { code: 'silver' }, qualifying: { basis: 'amount', total: 45000 }, progress: { nextLevel: { code: 'gold' }, missing: 55000 } });
    const res = await w.call('GET', `/v1/members/${w.members[0]!.id}/tier`);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('tier_scope_disabled');
  });

  it("answers 404 for another program's account", async () => {
    const w = await newWorld(t);
    await w.call('PUT', '/v1/tiers', ladder({}));
    const other = await newWorld(t);
    const res = await w.call('GET', `/v1/accounts/${other.accounts[0]!.id}/tier`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });
});
