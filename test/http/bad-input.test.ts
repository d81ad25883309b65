/**
 * No input answers 5xx: text PostgreSQL cannot store (NUL, half a surrogate pair) in every string field, query
 * parameter and path parameter of every operation of the app's own OpenAPI document; broken form bodies on the
 * upload routes; the same checklist replaced concurrently; points past 2^53 − 1; and database errors that are
 * nobody's input never quote SQL back.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientErrorOfDatabase } from '../../src/db/errors.js';
import { sendProblem, toLojalError } from '../../src/http/problem.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { purchase, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';
import { multipartBody } from '../support/multipart.js';
import { operationsOf, sampleOf, stringPaths, withAt, type Operation } from '../support/openapi.js';

let t: TestApp;
let member: { cookie: string; csrf: string };
let account: string;

beforeAll(async () => {
  t = await startTestApp();
  await seedCatalog(t);
  account = await seedAccount(t, 'C-1');
  const memberId = await seedMember(t, account, 'M-1');
  // The portal's session speaks for the member whose e-mail it was started for.
  await t.database.db.updateTable('members').set({ email: 'm-1@example.com' }).where('id', '=', memberId).execute();
  const { token, session } = await createSession(t.database.db, { kind: 'member', email: 'm-1@example.com' }, t.clock());
  await chooseSessionMember(t.database.db, session.id, t.programId, memberId);
  member = { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
});
afterAll(async () => t.close());

/** Strings no database text can hold, as JSON carries them. */
const badStrings = ['a\u0000b', 'x\ud800', '\udfff'];
/** The same (and broken UTF-8) as a URL carries them. */
const badUrlText = ['a%00b', '%ED%A0%80', '%FF'];

function send(op: Operation, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = op.portal ? { cookie: member.cookie, 'x-csrf-token': member.csrf } : { authorization: `Bearer ${t.key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method: op.method as 'GET', url, headers, ...(body !== undefined && { payload: JSON.stringify(body) }) });
}

const urlOf = (op: Operation, param: (name: string) => string = () => 'x') => op.path.replace(/\{(\w+)\}/g, (_m, name: string) => param(name));

/** Every answer below 500, and every 4xx a problem with its code. */
function expectClientAnswer(res: LightMyRequestResponse, what: string) {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) expect(typeof res.json().code, `${what}: ${res.body.slice(0, 300)}`).toBe('string');
}

describe('text no database can store', () => {
  it('is refused as invalid_characters in every string of every JSON body, query and path of /openapi.json', async () => {
    const { operations, resolve } = await operationsOf(t);
    expect(operations.length).toBeGreaterThan(50);
    let sent = 0;
    let refused = 0;
    const tally = (res: LightMyRequestResponse, what: string) => {
      expectClientAnswer(res, what);
      sent++;
      if (res.statusCode === 400 && res.json().code === 'invalid_characters') {
        refused++;
        const problem = res.json();
        expect(problem.errors[0].code).toBe('invalid_characters');
        expect(problem.errors[0].path.length).toBeGreaterThan(0);
        expect(res.body).not.toContain('\\u0000');
      }
    };
    for (const op of operations) {
      const what = `${op.method} ${op.path}`;
      for (const name of op.pathParams) {
        for (const bad of badUrlText) tally(await send(op, urlOf(op, (n) => (n === name ? bad : 'x'))), `${what} path ${name}=${bad}`);
      }
      for (const q of op.query) {
        for (const bad of badUrlText) tally(await send(op, `${urlOf(op)}?${q.name}=${bad}`), `${what} ?${q.name}=${bad}`);
      }
      if (op.body) {
        const sample = sampleOf(op.body, resolve);
        for (const { path, kind } of stringPaths(sample)) {
          for (const bad of kind === 'value' ? badStrings : badStrings.slice(0, 1)) {
            const body = kind === 'value' ? withAt(sample, path, () => bad) : withAt(sample, path, (o) => ({ ...(o as object), [`k${bad}`]: 'v' }));
            const res = await send(op, urlOf(op), body);
            tally(res, `${what} body ${path.join('.')} (${kind})`);
            // JSON carries the bad text intact, so past authentication it is always refused by its own code.
            if (res.statusCode !== 401 && res.statusCode !== 403 && res.statusCode !== 415) {
              expect(res.json().code, `${what} body ${path.join('.')}: ${res.body.slice(0, 200)}`).toBe('invalid_characters');
            }
          }
        }
      }
    }
    console.log(`bad characters: ${sent} requests to ${operations.length} operations, ${refused} refused as invalid_characters, none 5xx`);
    expect(refused).toBeGreaterThan(200);
  }, 600_000);

  it('names the field, also inside lists and in keys', async () => {
    const res = await t.call('POST', '/v1/events', { ...purchase('E-NUL', 'C-1', 'M-1'), attributes: { ['colo\u0000ur']: 'red' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_characters', errors: [{ path: 'body.attributes.colo\uFFFDur', code: 'invalid_characters' }] });
    const line = await t.call('POST', '/v1/events', { ...purchase('E-SUR', 'C-1', 'M-1'), lines: [{ sku: 'DRILL\ud800', quantity: 1, amount: 100 }] });
    expect(line.json().errors[0].path).toBe('body.lines.0.sku');
    const search = await t.call('GET', '/v1/accounts?q=%00');
    expect(search.statusCode).toBe(400);
    expect(search.json().errors[0].path).toBe('querystring.q');
  });

  it('is refused in multipart form fields, file names and JSON inside a form, and in CSV uploads', async () => {
    const claim = multipartBody([{ name: 'claim', value: JSON.stringify({ member: 'M-1\u0000', saleDate: '2026-11-20' }) }]);
    const inForm = await t.app.inject({ method: 'POST', url: '/v1/claims', headers: { authorization: `Bearer ${t.key}`, 'content-type': claim.contentType }, payload: claim.body });
    expect(inForm.json()).toMatchObject({ code: 'invalid_characters', errors: [{ path: 'claim.member' }] });
    const named = multipartBody([{ name: 'file', fileName: 'a\u0000.pdf', bytes: Buffer.from('%PDF-1.4\n') }]);
    const upload = await t.app.inject({ method: 'POST', url: '/v1/evidence?account=C-1', headers: { authorization: `Bearer ${t.key}`, 'content-type': named.contentType }, payload: named.body });
    expect(upload.statusCode, upload.body).toBe(400);
    expect(upload.json().code).toBe('invalid_characters');
    const csv = multipartBody([{ name: 'file', fileName: 'accounts.csv', bytes: Buffer.from('external_id,name\nA-1,Bygg\u0000 AB\n') }]);
    const imported = await t.app.inject({ method: 'POST', url: '/v1/imports/accounts', headers: { authorization: `Bearer ${t.key}`, 'content-type': csv.contentType }, payload: csv.body });
    expect(imported.statusCode, imported.body).toBe(400);
    expect(imported.json()).toMatchObject({ code: 'invalid_characters', errors: [{ path: 'file' }] });
  });
});

describe('broken multipart bodies', () => {
  const uploads = ['/v1/evidence?account=C-1', '/v1/claims', '/v1/coop/claims', '/v1/imports/accounts', '/portal/v1/claims'];
  const boundary = 'XyZ';
  const bodies: Array<[string, string, string]> = [
    ['no boundary', 'multipart/form-data', '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--XyZ--\r\n'],
    ['unfinished part', `multipart/form-data; boundary=${boundary}`, '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF'],
    ['broken part header', `multipart/form-data; boundary=${boundary}`, '--XyZ\r\nContent-Disposition\r\n\r\nb\r\n--XyZ--\r\n'],
    ['garbage', `multipart/form-data; boundary=${boundary}`, '\u0000\u0001garbage'],
    ['empty', `multipart/form-data; boundary=${boundary}`, ''],
  ];
  it.each(uploads)('%s answers 4xx with a code', async (url) => {
    for (const [name, contentType, payload] of bodies) {
      const portal = url.startsWith('/portal/');
      const headers = { 'content-type': contentType, ...(portal ? { cookie: member.cookie, 'x-csrf-token': member.csrf } : { authorization: `Bearer ${t.key}` }) };
      const res = await t.app.inject({ method: 'POST', url, headers, payload });
      expectClientAnswer(res, `${url} ${name}`);
      expect(res.statusCode, `${url} ${name}`).toBeGreaterThanOrEqual(400);
    }
  });

  it('an unfinished form is malformed_multipart', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/evidence?account=C-1',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: bodies[1]![2],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('malformed_multipart');
  });
});

describe('the same checklist sent at once', () => {
  it('PUT /v1/onboarding ×20 concurrently all succeed and leave one checklist', async () => {
    const names = (en: string) => ({ en, sv: en, nb: en, pl: en, de: en });
    const steps = (n: number) => ({
      steps: [
        { code: 'profile', names: names(`Profile ${n}`), points: 100, completion: { kind: 'profile', fields: ['phone'] } },
        { code: 'first-order', names: names('First order'), points: 200, completion: { kind: 'event', eventType: 'purchase' } },
      ],
    });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.call('PUT', '/v1/onboarding', steps(i))));
    for (const res of answers) expect(res.statusCode, res.body).toBe(200);
    const now = (await t.call('GET', '/v1/onboarding')).json();
    expect(now.steps.map((s: { code: string }) => s.code)).toEqual(['profile', 'first-order']);
  });
});

describe('points past 2^53 − 1', () => {
  it('an event a rule would pay more than 2^53 − 1 points for is refused as points_limit_exceeded', async () => {
    const rule = await t.call('POST', '/v1/rules', {
      name: 'Absurd rate',
      effectiveFrom: '2026-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1_000_000_000, per: 1 }, recipient: { type: 'account' } },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const res = await t.call('POST', '/v1/events', { ...purchase('E-HUGE', 'C-1', 'M-1'), lines: [{ sku: 'DRILL', quantity: 1, amount: 10_000_000_000 }] });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('points_limit_exceeded');
    const balance = await t.call('GET', `/v1/accounts/${account}/balance`);
    expect(balance.statusCode, balance.body).toBeLessThan(300);
    await t.call('DELETE', `/v1/rules/${rule.json().id}`);
  });

  it('a simulation judges such amounts and points as ingestion does, with the same 422s', async () => {
    const huge = { sku: 'DRILL', quantity: 1, amount: Number.MAX_SAFE_INTEGER };
    const sample = { ...purchase('E-SIM', 'C-1', 'M-1'), lines: [huge, huge] };
    for (const url of ['/v1/events/simulate', '/v1/rules/simulate']) {
      const body = url === '/v1/events/simulate' ? sample : { accountId: account, lines: sample.lines };
      const res = await t.call('POST', url, body);
      expect(res.statusCode, `${url} ${res.body}`).toBe(422);
      expect(res.json().code).toBe('amount_out_of_range');
    }
    const rule = await t.call('POST', '/v1/rules', {
      name: 'Absurd rate',
      effectiveFrom: '2026-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1_000_000_000, per: 1 }, recipient: { type: 'account' } },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const lines = [{ sku: 'DRILL', quantity: 1, amount: 10_000_000_000 }];
    for (const [url, body] of [['/v1/events/simulate', { ...sample, lines }], ['/v1/rules/simulate', { accountId: account, lines }]] as const) {
      const res = await t.call('POST', url, body);
      expect(res.statusCode, `${url} ${res.body}`).toBe(422);
      expect(res.json().code).toBe('points_limit_exceeded');
    }
    await t.call('DELETE', `/v1/rules/${rule.json().id}`);
  });

  it('a program whose totals pass 2^53 − 1 (every wallet within it) answers its summary 409 figures_out_of_range, not 500', async () => {
    const p = await t.newProgram({});
    const nearly = Number.MAX_SAFE_INTEGER - 10;
    for (const ext of ['HUGE-1', 'HUGE-2']) {
      const id = await seedAccount(t, ext, { programId: p.programId });
      await t.database.db.updateTable('wallets').set({ available: nearly, lifetime_earned: nearly } as never).where('id', '=', id).execute();
    }
    const res = await t.call('GET', '/v1/ledger/summary', undefined, p.key);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().code).toBe('figures_out_of_range');
  });

  it('a wallet whose total would pass 2^53 − 1 refuses the posting, and its balance stays readable', async () => {
    const full = await seedAccount(t, 'C-FULL');
    // As if it had earned almost everything a wallet can hold.
    const nearly = Number.MAX_SAFE_INTEGER - 10;
    await t.database.db.updateTable('wallets').set({ available: nearly, lifetime_earned: nearly } as never).where('id', '=', full).execute();
    const rule = await t.call('POST', '/v1/rules', {
      name: 'Hundred per order',
      effectiveFrom: '2026-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'fixed', points: 100 }, recipient: { type: 'account' } },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const res = await t.call('POST', '/v1/events', { ...purchase('E-FULL', 'C-FULL', 'M-1'), member: undefined });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('points_limit_exceeded');
    const balance = await t.call('GET', `/v1/accounts/${full}/balance`);
    expect(balance.statusCode, balance.body).toBe(200);
    expect(balance.json().available).toBe(nearly);

    // In a batch, the full wallet's event is refused for the same reason and the others are written.
    const batch = await t.call('POST', '/v1/events', {
      events: [{ ...purchase('E-FULL-2', 'C-FULL', 'M-1'), member: undefined }, purchase('E-NOT-FULL', 'C-1', 'M-1')],
    });
    expect(batch.statusCode, batch.body).toBe(200);
    const [full2, other] = batch.json().results;
    expect(full2.status).toBe('rejected');
    expect(full2.error.code).toBe('points_limit_exceeded');
    expect(other.status).toBe('processed');
    await t.call('DELETE', `/v1/rules/${rule.json().id}`);
  });
});

describe('database errors', () => {
  const fake = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('invalid input syntax for type uuid: "x" in SELECT * FROM accounts'), { code, ...extra });

  it('caused by input are 4xx with their own code', () => {
    expect(clientErrorOfDatabase(fake('22P02'))?.code).toBe('invalid_input');
    expect(clientErrorOfDatabase(fake('22021'))?.code).toBe('invalid_input');
    expect(clientErrorOfDatabase(fake('22003'))?.code).toBe('value_out_of_range');
    expect(clientErrorOfDatabase(fake('54000'))?.code).toBe('value_too_large');
    expect(clientErrorOfDatabase(fake('23505'))?.code).toBe('concurrent_conflict');
    expect(clientErrorOfDatabase(fake('40P01'))?.code).toBe('concurrent_conflict');
    expect(clientErrorOfDatabase(fake('23514', { constraint: 'wallets_points_limit' }))?.code).toBe('points_limit_exceeded');
    expect(clientErrorOfDatabase(fake('XX000'))).toBeUndefined();
    expect(clientErrorOfDatabase(new Error('no code'))).toBeUndefined();
  });

  it('of any other kind are internal_error with the request id, never the SQL', async () => {
    const err = toLojalError(fake('XX000'), 1000);
    expect(err.code).toBe('internal_error');
    let sent: { status: number; body: Record<string, unknown> } | undefined;
    const reply = { status(s: number) { sent = { status: s, body: {} }; return reply; }, type() { return reply; }, send(b: Record<string, unknown>) { sent!.body = b; return reply; } };
    sendProblem({ id: 'req-1', url: '/v1/x', headers: {}, member: undefined, auth: undefined } as never, reply as never, err);
    expect(sent!.status).toBe(500);
    expect(sent!.body.code).toBe('internal_error');
    expect(sent!.body.requestId).toBe('req-1');
    expect(JSON.stringify(sent!.body)).not.toMatch(/SELECT|uuid|accounts/);
  });
});

