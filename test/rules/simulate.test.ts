import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newWorld, type World } from '../support/ledger.js';

let t: TestApp;
let w: World;
let ruleIds: Map<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  w = await newWorld(t);
  const list = (await w.call('GET', '/v1/rules?limit=50')).json().data as Array<{ id: string; name: string }>;
  ruleIds = new Map(list.map((r) => [r.name, r.id]));
});
afterAll(async () => t.close());

/** Rows in every table of the database: a simulation must leave every count as it was. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(t.database.db);
  const counts: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    const r = await sql<{ n: string | number }>`SELECT count(*) AS n FROM ${sql.table(table_name)}`.execute(t.database.db);
    counts[table_name] = Number(r.rows[0]!.n);
  }
  return counts;
}

const sample = () => ({
  accountId: w.accounts[0]!.id,
  memberId: w.members[0]!.id,
  lines: [
    { sku: 'DRILL', quantity: 2, amount: 50000 },
    { sku: 'PAINT', quantity: 1, amount: 20000 },
  ],
});

interface Answer {
  ruleSet: string;
  points: number;
  byRecipient: { account: number; member: number };
  postings: Array<{ ruleName: string; recipient: string; points: number; reason: string }>;
  trace: Array<{ ruleName: string; outcome: string; reason: string }>;
}

async function simulate(body: Record<string, unknown>, lng = 'en', key = w.key) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/rules/simulate',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'accept-language': lng },
    payload: JSON.stringify(body),
  });
}

describe('POST /v1/rules/simulate', () => {
  it('prices a sample purchase with the live rules, per recipient and with the reasons, and writes nothing', async () => {
    const before = await rowCounts();
    const res = await simulate(sample());
    expect(res.statusCode, res.body).toBe(200);
    const a: Answer = res.json();
    expect(a.ruleSet).toBe('live');
    // Points per SEK: 70 split 49/21; high margin: 25 to the member; cross-sell: 2 new categories × 200 to the company.
    expect(a.byRecipient).toEqual({ account: 449, member: 46 });
    expect(a.points).toBe(495);
    expect(a.postings.find((p) => p.ruleName === 'Cross-sell')?.reason).toBe('400 points: Cross-sell — first purchase in tools, paint');
    expect(a.trace.find((r) => r.ruleName === 'App login')).toMatchObject({ outcome: 'not_matched', reason: 'App login: does not apply to “purchase” events' });
    expect(await rowCounts()).toEqual(before);
  });

  it('answers in the reader’s language', async () => {
    const a: Answer = (await simulate(sample(), 'sv')).json();
    expect(a.postings.find((p) => p.ruleName === 'Cross-sell')?.reason).toBe('400 poäng: Cross-sell – första köpet i tools, paint');
  });

  it('judges a rule being edited in place of its saved self, or alone, without saving it', async () => {
    const before = await rowCounts();
    const definition = {
      conditions: { eventTypes: ['purchase'] },
      effect: { type: 'perAmount', points: 2, per: 1000 },
      recipient: { type: 'split', accountPercent: 70 },
    };
    const draft = { id: ruleIds.get('Points per SEK'), name: 'Points per SEK', definition };
    const withLive: Answer = (await simulate({ ...sample(), draft })).json();
    expect(withLive.ruleSet).toBe('liveWithDraft');
    // 140 points split 98/42, the other live rules as before; the saved version does not pay as well.
    expect(withLive.byRecipient).toEqual({ account: 98 + 400, member: 42 + 25 });
    expect(withLive.postings.filter((p) => p.ruleName === 'Points per SEK').map((p) => p.points)).toEqual([98, 42]);

    const alone: Answer = (await simulate({ ...sample(), draft: { name: 'Launch bonus', definition: { conditions: {}, effect: { type: 'fixed', points: 100 }, recipient: { type: 'member' } } }, draftOnly: true })).json();
    expect(alone.ruleSet).toBe('draft');
    expect(alone.byRecipient).toEqual({ account: 0, member: 100 });
    expect(alone.trace).toEqual([expect.objectContaining({ ruleName: 'Launch bonus', outcome: 'paid', reason: '100 points: Launch bonus' })]);
    expect(await rowCounts()).toEqual(before);
  });

  it('names the field of a bad draft or a bad line, like saving would', async () => {
    const bad = await simulate({ ...sample(), draft: { name: 'X', definition: { conditions: {}, effect: { type: 'fixed', points: 0 }, recipient: { type: 'member' } } } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'invalid_rule', errors: [{ path: 'definition.effect.points', message: 'points must be a whole number from 1 to 1000000000' }] });

    const badLine = await simulate({ ...sample(), lines: [{ sku: 'DRILL', quantity: 0, amount: 100 }] });
    expect(badLine.statusCode).toBe(400);
    expect(badLine.json().errors).toEqual([{ path: 'lines.0.quantity', message: 'quantity must be at least 1', code: 'too_small' }]);

    const unknownSku = await simulate({ ...sample(), lines: [{ sku: 'NOPE', quantity: 1, amount: 100 }] });
    expect(unknownSku.json().code).toBe('unknown_sku');
  });

  it('needs only the read scope', async () => {
    const reader = await t.keyWith(['read'], w.programId);
    expect((await simulate(sample(), 'en', reader)).statusCode).toBe(200);
  });
});

describe('GET /v1/rules?eventType', () => {
  it('lists the rules that can pay on the event type: those naming it and those naming none', async () => {
    const any = await w.call('POST', '/v1/rules', { name: 'Any event', definition: { conditions: {}, effect: { type: 'fixed', points: 1 }, recipient: { type: 'account' } } });
    expect(any.statusCode, any.body).toBe(201);
    const names = async (type: string) => ((await w.call('GET', `/v1/rules?eventType=${type}`)).json().data as Array<{ name: string }>).map((r) => r.name).sort();
    expect(await names('app.login')).toEqual(['Any event', 'App login']);
    expect(await names('purchase')).toEqual(['Any event', 'Cross-sell', 'High margin', 'Points per SEK']);
    expect((await w.call('GET', '/v1/rules?eventType=Bad Type')).statusCode).toBe(400);
  });
});
