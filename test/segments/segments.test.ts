import { recordCsat } from '../../src/surveys/csat.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';
import { multipartBody } from '../support/multipart.js';
import { runRelevanceJobs } from '../../src/segments/job.js';

let t: TestApp;
const ids: Record<string, string> = {};

const buy = (id: string, account: string, occurredAt: string, lines: Array<{ sku: string; quantity: number; amount: number }>, attributes?: Record<string, unknown>) => ({
  id,
  type: 'purchase',
  occurredAt,
  account,
  lines,
  ...(attributes && { attributes }),
});
const tools = (amount: number) => [{ sku: 'DRILL', quantity: 1, amount }];
const paint = (amount: number) => [{ sku: 'PAINT', quantity: 1, amount }];

async function post(events: unknown[]) {
  const res = await t.call('POST', '/v1/events', { events });
  if (res.statusCode >= 300) throw new Error(res.body);
  return res.json();
}

beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  await createRules(t, [
    {
      name: 'Points per SEK',
      effectiveFrom: '2020-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'account' } },
    },
  ]);
  ids.A = await seedAccount(t, 'A', { tags: ['key-account'], segment: 'installer' });
  ids.B = await seedAccount(t, 'B', { segment: 'builder' });
  ids.C = await seedAccount(t, 'C');
  ids.D = await seedAccount(t, 'D', { status: 'closed' });
  ids.AM = await seedMember(t, ids.A, 'A-1');
  await sql`UPDATE accounts SET country = CASE external_id WHEN 'B' THEN 'NO' ELSE 'SE' END, attributes = CASE external_id WHEN 'A' THEN '{"employees": 40, "region": "north"}'::jsonb ELSE '{}'::jsonb END
    WHERE program_id = ${t.programId}`.execute(t.database.db);
  // A buys tools every month and recently; B bought paint 200 days ago only; C never bought.
  await post([
    buy('A-1', 'A', '2026-11-20T10:00:00Z', tools(80_000)),
    buy('A-2', 'A', '2026-10-15T10:00:00Z', tools(30_000)),
    buy('A-3', 'A', '2026-09-15T10:00:00Z', tools(30_000)),
    buy('B-1', 'B', '2026-05-09T10:00:00Z', paint(20_000), { campaign: 'spring' }),
  ]);
  // B rated two service requests (CSAT 5 and 4) in November, through the surveys module; A rated one a year ago.
  await recordCsat(t.database.db, t.programId, { source: 'service_desk', sourceRef: 'sr-1', score: 5, accountId: ids.B, occurredAt: new Date('2026-11-10T10:00:00Z') });
  await recordCsat(t.database.db, t.programId, { source: 'service_desk', sourceRef: 'sr-2', score: 4, accountId: ids.B, occurredAt: new Date('2026-11-12T10:00:00Z') });
  await recordCsat(t.database.db, t.programId, { source: 'service_desk', sourceRef: 'sr-3', score: 2, accountId: ids.A, occurredAt: new Date('2025-10-01T10:00:00Z') });
});
afterAll(async () => t.close());

const preview = async (definition: unknown, subject = 'account') => {
  const res = await t.call('POST', '/v1/segments/preview', { subject, definition });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().sample as Array<{ externalId: string }>).map((s) => s.externalId).sort();
};

describe('segment filters evaluated on the server', () => {
  it.each([
    ['country', { field: 'country', op: 'eq', value: 'SE' }, ['A', 'C']],
    ['country not in', { field: 'country', op: 'notIn', value: ['SE'] }, ['B']],
    ['segment label', { field: 'segment', op: 'in', value: ['installer', 'builder'] }, ['A', 'B']],
    ['tags', { field: 'tags', op: 'hasAny', value: ['key-account'] }, ['A']],
    ['no tags', { field: 'tags', op: 'hasNone', value: ['key-account'] }, ['B', 'C']],
    ['bought in 30 days', { field: 'lastPurchase', op: 'withinDays', days: 30 }, ['A']],
    ['not in 30 days', { field: 'lastPurchase', op: 'notWithinDays', days: 30 }, ['B', 'C']],
    ['never bought', { field: 'lastPurchase', op: 'never' }, ['C']],
    ['bought paint ever in a year', { field: 'lastPurchase', op: 'withinDays', days: 365, category: 'paint' }, ['B']],
    ['tools amount in 90 days', { field: 'purchaseAmount', op: 'gte', value: 100_000, days: 90, category: 'tools' }, ['A']],
    ['purchases in 90 days', { field: 'purchaseCount', op: 'between', value: [2, 5], days: 90 }, ['A']],
    ['points earned in 30 days', { field: 'pointsEarned', op: 'gt', value: 0, days: 30 }, ['A']],
    ['categories bought', { field: 'categoriesBought', op: 'hasAll', value: ['paint'] }, ['B']],
    ['custom number', { field: 'attributes.employees', op: 'gte', value: 10 }, ['A']],
    ['custom text', { field: 'attributes.region', op: 'eq', value: 'north' }, ['A']],
    ['name contains', { field: 'name', op: 'contains', value: 'company c' }, ['C']],
    ['any', { any: [{ field: 'country', op: 'eq', value: 'NO' }, { field: 'lastPurchase', op: 'never' }] }, ['B', 'C']],
    ['not', { not: { field: 'country', op: 'eq', value: 'SE' } }, ['B']],
    ['not over a missing value', { not: { field: 'attributes.employees', op: 'gte', value: 10 } }, ['B', 'C']],
    ['all', { all: [{ field: 'country', op: 'eq', value: 'SE' }, { field: 'lastPurchase', op: 'notWithinDays', days: 30 }] }, ['C']],
    ['CSAT mean in 90 days', { field: 'survey.csat', op: 'gte', value: 4, days: 90 }, ['B']],
    ['CSAT mean over two years', { field: 'survey.csat', op: 'lt', value: 3, days: 730 }, ['A']],
    ['not a good CSAT (no score counts as not good)', { not: { field: 'survey.csat', op: 'gte', value: 4, days: 90 } }, ['A', 'C']],
    ['NPS without answers matches nobody', { field: 'survey.nps', op: 'gte', value: 0, days: 365 }, []],
  ])('%s', async (_name, definition, expected) => {
    expect(await preview(definition)).toEqual(expected);
  });

  it('member filters', async () => {
    expect(await preview({ field: 'role', op: 'eq', value: 'buyer' }, 'member')).toEqual(['A-1']);
    expect(await preview({ field: 'country', op: 'eq', value: 'SE' }, 'member')).toEqual(['A-1']);
  });

  it.each([
    [{ field: 'shoeSize', op: 'eq', value: 42 }, 'segment_field_unknown'],
    [{ field: 'role', op: 'eq', value: 'buyer' }, 'segment_field_unknown'],
    [{ field: 'tags', op: 'eq', value: 'x' }, 'segment_operator_invalid'],
    [{ field: 'pointsEarned', op: 'gt', value: 1 }, 'segment_value_invalid'],
    [{ field: 'survey.nps', op: 'gte', value: 9 }, 'segment_value_invalid'],
    [{ field: 'purchaseCount', op: 'between', value: [5, 1], days: 30 }, 'segment_value_invalid'],
    [{ field: 'country', op: 'eq', value: 'SE', category: 'tools' }, 'segment_value_invalid'],
    [{ field: 'country', op: 'eq', value: 'SE', extra: true }, 'validation_failed'],
  ])('refuses %j with %s', async (definition, code) => {
    const res = await t.call('POST', '/v1/segments/preview', { definition });
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json().code).toBe(code);
  });

  it('an unknown field is refused on create too, and nothing is stored', async () => {
    const res = await t.call('POST', '/v1/segments', { key: 'bad', name: 'Bad', definition: { field: 'nope', op: 'eq', value: 1 } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'segment_field_unknown' });
    expect(res.json().detail ?? res.json().title).toMatch(/nope/);
    expect((await t.call('GET', '/v1/segments')).json().data).toHaveLength(0);
  });

  it('deletes a segment with an empty 204', async () => {
    const made = await t.call('POST', '/v1/segments', { key: 'short-lived', name: 'Short-lived', definition: { field: 'tier', op: 'exists' } });
    expect(made.statusCode, made.body).toBe(201);
    const r = await t.call('DELETE', `/v1/segments/${made.json().id}`);
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect((await t.call('GET', '/v1/segments')).json().data).toHaveLength(0);
  });
});

describe('dynamic segments: stored members, refresh and counts over time, rules', () => {
  let segId: string;
  it('creates, evaluates at once and lists its members', async () => {
    const res = await t.call('POST', '/v1/segments', {
      key: 'recent-buyers',
      name: 'Bought in the last 30 days',
      definition: { field: 'lastPurchase', op: 'withinDays', days: 30 },
    });
    expect(res.statusCode, res.body).toBe(201);
    segId = res.json().id;
    expect(res.json()).toMatchObject({ kind: 'dynamic', subject: 'account', memberCount: 1 });
    const members = await t.call('GET', `/v1/segments/${segId}/members`);
    expect(members.json().data.map((m: { externalId: string }) => m.externalId)).toEqual(['A']);
    const again = await t.call('POST', '/v1/segments', { key: 'recent-buyers', name: 'x', definition: { field: 'tier', op: 'exists' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('segment_key_taken');
  });

  it('a rule on the segment pays its members only; a refresh lets new members in', async () => {
    await createRules(t, [
      {
        name: 'Recent buyers bonus',
        effectiveFrom: '2020-01-01T00:00:00Z',
        definition: { conditions: { eventTypes: ['purchase'], account: { segments: ['recent-buyers'] } }, effect: { type: 'fixed', points: 100 }, recipient: { type: 'account' } },
      },
    ] as never);
    const [a, b] = (await post([buy('A-4', 'A', '2026-11-24T10:00:00Z', tools(10_000)), buy('B-2', 'B', '2026-11-24T10:00:00Z', paint(10_000))])).results;
    expect(a.event.points).toBe(110);
    expect(b.event.points).toBe(10);

    // B's purchase makes it a recent buyer, once the segment is refreshed.
    t.clock.advance(60_000);
    const refreshed = await t.call('POST', `/v1/segments/${segId}/refresh`);
    expect(refreshed.json()).toMatchObject({ count: 2, added: 1, removed: 0 });
    const [b3] = (await post([buy('B-3', 'B', '2026-11-24T11:00:00Z', paint(10_000))])).results;
    expect(b3.event.points).toBe(110);

    const history = await t.call('GET', `/v1/segments/${segId}/history`);
    expect(history.json().data.map((h: { count: number; trigger: string }) => [h.trigger, h.count])).toEqual([
      ['create', 1],
      ['manual', 2],
    ]);
  });

  it('changing the filter recomputes the members; another program sees none of it', async () => {
    const res = await t.call('PATCH', `/v1/segments/${segId}`, { definition: { field: 'country', op: 'eq', value: 'NO' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().memberCount).toBe(1);
    const other = await t.newProgram();
    expect((await t.call('GET', `/v1/segments/${segId}`, undefined, other.key)).statusCode).toBe(404);
    expect((await t.call('POST', `/v1/segments/${segId}/refresh`, undefined, other.key)).statusCode).toBe(404);
    expect((await t.call('GET', '/v1/segments', undefined, other.key)).json().data).toEqual([]);
  });
});

describe('static segments by CSV upload', () => {
  const upload = (id: string, csv: string) => {
    const { body, contentType } = multipartBody([{ name: 'file', fileName: 'list.csv', bytes: Buffer.from(csv) }]);
    return t.app.inject({ method: 'POST', url: `/v1/segments/${id}/members`, headers: { authorization: `Bearer ${t.key}`, 'content-type': contentType }, payload: body });
  };

  it('replaces the list, all or nothing', async () => {
    const res = await t.call('POST', '/v1/segments', { key: 'fair-2026', name: 'Met at the fair', kind: 'static' });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    const first = await upload(id, 'external_id\nA\nC\n');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ count: 2, added: 2, removed: 0 });
    const second = await upload(id, `external_id\nC\n${ids.B}\n`);
    expect(second.json()).toMatchObject({ count: 2, added: 1, removed: 1 });
    const bad = await upload(id, 'external_id\nA\nNOPE\n');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('segment_members_unknown');
    expect((await t.call('GET', `/v1/segments/${id}`)).json().memberCount).toBe(2);
    // A static list has no filter; a dynamic one takes no upload.
    expect((await t.call('POST', `/v1/segments/${id}/refresh`)).json().code).toBe('segment_not_dynamic');
    const middle = await t.call('POST', '/v1/segments', { key: 'x-static', name: 'x', kind: 'static', definition: { field: 'tier', op: 'exists' } });
    expect(middle.json().code).toBe('segment_static_has_no_filter');
  });
});

describe('nightly scores and loyalty types', () => {
  it('scores every open account with RFM quintiles, a type and its reasons; the middle band appears', async () => {
    const run = await t.call('POST', '/v1/scores/run');
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json()).toMatchObject({ runDate: '2026-11-25', accounts: 3 });

    const a = (await t.call('GET', `/v1/accounts/${ids.A}/score`)).json();
    expect(a).toMatchObject({ scoreDate: '2026-11-25', frequency: 4, recencyDays: 1 });
    expect(a.f).toBe(5);
    expect(a.reasons.length).toBeGreaterThan(0);
    expect(a.reasons[0].text).not.toMatch(/reason\./);
    const c = (await t.call('GET', `/v1/accounts/${ids.C}/score`)).json();
    expect(c).toMatchObject({ loyaltyType: 'inactive', r: 0, f: 0, m: 0, rankPercent: 100 });
    expect(c.reasons[0].text).toMatch(/365/);
    expect((await t.call('GET', `/v1/accounts/${ids.D}/score`)).statusCode).toBe(404);

    const overview = (await t.call('GET', '/v1/scores')).json();
    expect(overview.accounts).toBe(3);
    expect(overview.types.find((x: { type: string }) => x.type === 'inactive').count).toBe(1);

    const segments = (await t.call('GET', '/v1/segments')).json().data;
    const middle = segments.find((s: { key: string }) => s.key === 'middle-band');
    expect(middle).toMatchObject({ system: true, kind: 'dynamic' });
    const edit = await t.call('PATCH', `/v1/segments/${middle.id}`, { name: 'mine' });
    expect(edit.json().code).toBe('segment_system');

    const inactive = (await t.call('GET', '/v1/scores/accounts?type=inactive')).json();
    expect(inactive).toMatchObject({ total: 1, data: [{ accountId: ids.C, loyaltyType: 'inactive', loyaltyTypeName: 'Inactive' }] });
    expect(inactive.data[0].reasons[0].text).toMatch(/365/);
    const all = (await t.call('GET', '/v1/scores/accounts?limit=2')).json();
    expect(all.total).toBe(3);
    expect(all.data.map((x: { accountId: string }) => x.accountId)).not.toContain(ids.D);
    expect(all.data[0].rankPercent).toBeLessThanOrEqual(all.data[1].rankPercent);
    // 100 means no purchase: every account that bought ranks below it, the last of them too.
    const ranks = await Promise.all([ids.A, ids.B].map(async (id) => (await t.call('GET', `/v1/accounts/${id}/score`)).json().rankPercent as number));
    expect(Math.max(...ranks)).toBeLessThan(100);
    expect(Math.min(...ranks)).toBe(0);

    const movement = (await t.call('GET', '/v1/scores/movement')).json();
    expect(movement).toMatchObject({ from: '2026-10', to: '2026-11' });
    expect(movement.moves.reduce((s: number, m: { count: number }) => s + m.count, 0)).toBe(3);
  });

  it('the nightly job runs once per program-local day, whichever process asks', async () => {
    const now = new Date('2026-11-26T01:30:00Z'); // 02:30 in Stockholm: the 26th
    const first = await runRelevanceJobs(t.database.db, now, { programId: t.programId });
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ runDate: '2026-11-26', accounts: 3 });
    expect(await runRelevanceJobs(t.database.db, new Date('2026-11-26T05:00:00Z'), { programId: t.programId })).toEqual([]);
    const history = await t.call('GET', `/v1/segments/${(await t.call('GET', '/v1/segments')).json().data[0].id}/history`);
    expect(history.json().data.some((h: { trigger: string }) => h.trigger === 'schedule')).toBe(true);
  });
});

describe('pointsSpent counts reward orders, net of the ones cancelled', () => {
  it('an order spends, a cancelled one gives back against the order it undoes, not in the window of the refund', async () => {
    const ok = async (method: string, url: string, body?: unknown) => {
      const res = await t.call(method, url, body);
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    };
    const order = (key: string) => ok('POST', '/v1/reward-orders', { reward: 'cap', memberId: ids.AM, idempotencyKey: key });
    await ok('POST', '/v1/rewards', { code: 'cap', type: 'physical', pricePoints: 300, stock: 10, texts: { en: { name: 'Cap' } } });
    // Sixty days ago: points, and an order that is cancelled only today.
    t.clock.set('2026-09-26T12:00:00Z');
    let old: { id: string };
    try {
      await ok('POST', `/v1/members/${ids.AM}/adjustments`, { points: 1_000, reasonCode: 'opening', idempotencyKey: 'spent-opening' });
      old = await order('spent-old-order');
    } finally {
      t.clock.set('2026-11-25T12:00:00Z');
    }
    await order('spent-kept-order');
    const cancelled = await order('spent-cancelled-order');
    await ok('POST', `/v1/reward-orders/${cancelled.id}/cancel`, { reason: 'changed my mind' });
    await ok('POST', `/v1/reward-orders/${old.id}/cancel`, { reason: 'never shipped' });

    const spent = (op: string, value: number, days: number) => ({ field: 'pointsSpent', op, value, days });
    // The last 30 days: the kept order's 300; the order placed and cancelled in them is nothing spent.
    expect(await preview(spent('eq', 300, 30), 'member')).toEqual(['A-1']);
    expect(await preview(spent('eq', 300, 30), 'account')).toEqual(['A']);
    // The old order's refund today does not take 300 off this month's spending…
    expect(await preview(spent('gt', 0, 30), 'member')).toEqual(['A-1']);
    // …it undoes the old order itself: over 90 days the member has spent the kept order's 300, no more.
    expect(await preview(spent('eq', 300, 90), 'member')).toEqual(['A-1']);
  });
});
