import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { createRules, purchase, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';

let t: TestApp;
let account: string;

beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  account = await seedAccount(t, 'C-1');
  await seedMember(t, account, 'M-1');
  const other = await seedAccount(t, 'C-2');
  await seedMember(t, other, 'M-2');
  await seedAccount(t, 'C-SUSP', { status: 'suspended' });
  await createRules(t);
});
afterAll(async () => t.close());

const base = purchase('E-1', 'C-1', 'M-1');
const future = new Date(Date.parse(TEST_NOW) + 3_600_000).toISOString();

/** Each case: what is sent, the status and code expected, and (for validation) a field the message must name. */
const cases: Array<[string, unknown, number, string, string?]> = [
  ['unknown account', { ...base, account: 'NOPE' }, 422, 'unknown_account'],
  ['unknown member', { ...base, member: 'NOPE' }, 422, 'unknown_member'],
  ['member of another account', { ...base, member: 'M-2' }, 422, 'member_not_in_account'],
  ['suspended account', { ...base, account: 'C-SUSP', member: undefined }, 422, 'account_not_active'],
  ['unknown SKU', { ...base, lines: [{ sku: 'NOPE', quantity: 1, amount: 100 }] }, 422, 'unknown_sku'],
  ['zero quantity', { ...base, lines: [{ sku: 'DRILL', quantity: 0, amount: 100 }] }, 400, 'validation_failed', 'lines.0.quantity'],
  ['negative quantity', { ...base, lines: [{ sku: 'DRILL', quantity: -2, amount: 100 }] }, 400, 'validation_failed', 'lines.0.quantity'],
  ['fractional quantity', { ...base, lines: [{ sku: 'DRILL', quantity: 1.5, amount: 100 }] }, 400, 'validation_failed', 'lines.0.quantity'],
  ['negative amount', { ...base, lines: [{ sku: 'DRILL', quantity: 1, amount: -100 }] }, 400, 'validation_failed', 'lines.0.amount'],
  ['amount past 2^53', { ...base, lines: [{ sku: 'DRILL', quantity: 1, amount: 2 ** 53 + 2 }] }, 400, 'validation_failed', 'lines.0.amount'],
  [
    'lines adding up past 2^53',
    { ...base, lines: [{ sku: 'DRILL', quantity: 1, amount: Number.MAX_SAFE_INTEGER }, { sku: 'PAINT', quantity: 1, amount: 10 }] },
    422,
    'amount_out_of_range',
  ],
  ['amount as a string', { ...base, lines: [{ sku: 'DRILL', quantity: 1, amount: '100' }] }, 400, 'validation_failed', 'lines.0.amount'],
  ['unknown field on the event', { ...base, colour: 'red' }, 400, 'validation_failed', 'colour'],
  ['unknown field on a line', { ...base, lines: [{ sku: 'DRILL', quantity: 1, amount: 100, discount: 5 }] }, 400, 'validation_failed', 'discount'],
  ['purchase without lines', { ...base, lines: [] }, 400, 'validation_failed', 'lines'],
  ['lines on a behaviour event', { ...base, type: 'app.login' }, 400, 'validation_failed', 'lines'],
  ['bad event type', { ...base, type: 'Purchase!' }, 400, 'validation_failed', 'type'],
  ['date without time zone', { ...base, occurredAt: '2026-11-20T10:00:00' }, 400, 'validation_failed', 'occurredAt'],
  ['date in the future', { ...base, occurredAt: future }, 422, 'occurred_in_future'],
  ['both account and accountId', { ...base, accountId: '01900000-0000-7000-8000-000000000001' }, 400, 'validation_failed', 'account'],
  ['no account at all', { ...base, account: undefined }, 400, 'validation_failed', 'account'],
  ['other currency', { ...base, currency: 'EUR' }, 400, 'validation_failed', 'currency'],
  ['id too long', { ...base, id: 'x'.repeat(201) }, 400, 'validation_failed', 'id'],
  ['an array instead of an object', [base], 400, 'validation_failed'],
];

/** Each field problem's own machine code, and the full path it names (an unknown key included). */
const fieldCodes: Record<string, [string, string]> = {
  'zero quantity': ['lines.0.quantity', 'too_small'],
  'negative quantity': ['lines.0.quantity', 'too_small'],
  'fractional quantity': ['lines.0.quantity', 'invalid_type'],
  'negative amount': ['lines.0.amount', 'too_small'],
  'amount past 2^53': ['lines.0.amount', 'too_large'],
  'amount as a string': ['lines.0.amount', 'invalid_type'],
  'unknown field on the event': ['colour', 'unknown_field'],
  'unknown field on a line': ['lines.0.discount', 'unknown_field'],
  'bad event type': ['type', 'invalid_format'],
  'date without time zone': ['occurredAt', 'invalid_format'],
  'no account at all': ['account', 'required'],
  'id too long': ['id', 'too_large'],
};

describe('field problems have their own code and a full path', () => {
  it.each(Object.entries(fieldCodes))('%s', async (name, [path, fieldCode]) => {
    const body = cases.find((c) => c[0] === name)![1];
    const res = await t.call('POST', '/v1/events', body);
    const problem = res.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors, res.body).toContainEqual({ path, code: fieldCode, message: expect.any(String) });
  });

  it('an amount of 2^60 is too_large in a batch item too', async () => {
    const res = await t.call('POST', '/v1/events', { events: [{ ...base, id: 'E-BIG', lines: [{ sku: 'DRILL', quantity: 1, amount: 2 ** 60 }] }] });
    expect(res.statusCode, res.body).toBeLessThan(500);
    expect(res.body).toContain('too_large');
  });
});

describe('bad events are refused with their own code and nothing is written', () => {
  it.each(cases)('%s', async (_name, body, status, code, field) => {
    const res = await t.call('POST', '/v1/events', body);
    expect(res.statusCode, res.body).toBe(status);
    const problem = res.json();
    expect(problem.code).toBe(code);
    expect(problem.detail.length).toBeGreaterThan(10);
    if (field) expect(JSON.stringify(problem.errors)).toContain(field);
    const bal = (await t.call('GET', `/v1/accounts/${account}/balance`)).json();
    expect(bal.available).toBe(0);
  });

  it('malformed JSON is malformed_json', async () => {
    const res = await t.call('POST', '/v1/events', '{"id": "E-1", ');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('malformed_json');
  });

  it('a body past the size limit is payload_too_large', async () => {
    const huge = JSON.stringify({ ...base, attributes: { blob: 'x'.repeat(5 * 1024 * 1024) } });
    const res = await t.call('POST', '/v1/events', huge);
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('a batch of more than 1,000 is batch_too_large', async () => {
    const events = Array.from({ length: 1001 }, (_, i) => ({ id: `B-${i}`, type: 'app.login', occurredAt: '2026-11-01T10:00:00Z', account: 'C-1' }));
    const res = await t.call('POST', '/v1/events', { events });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('batch_too_large');
  });

  it('a batch answers per event: good ones are written, bad ones say why', async () => {
    const res = await t.call('POST', '/v1/events', {
      events: [
        purchase('BATCH-1', 'C-1'),
        { ...purchase('BATCH-2', 'C-1'), lines: [{ sku: 'NOPE', quantity: 1, amount: 1 }] },
        { ...purchase('BATCH-3', 'C-1'), lines: [{ sku: 'DRILL', quantity: 0, amount: 1 }] },
        purchase('BATCH-1', 'C-1'),
        { ...purchase('BATCH-1', 'C-1'), occurredAt: '2026-11-19T10:00:00Z' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.summary).toEqual({ processed: 1, replayed: 1, rejected: 3 });
    expect(body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status)).toEqual([
      'processed',
      'unknown_sku',
      'validation_failed',
      'replayed',
      'event_conflict',
    ]);
    expect((await t.call('GET', `/v1/accounts/${account}/balance`)).json().available).toBe(body.results[0].event.points);
    expect((await t.call('GET', '/v1/events/BATCH-2')).statusCode).toBe(404);
  });

  it('messages follow Accept-Language', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json', 'accept-language': 'sv-SE' },
      payload: JSON.stringify({ ...base, account: 'NOPE' }),
    });
    expect(res.json().code).toBe('unknown_account');
    expect(res.json().detail).not.toMatch(/^No account/);
  });
});
