import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('HTTP basics', () => {
  it('reports health with the database kind', async () => {
    const res = await t.call('GET', '/health', undefined, null);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ok');
  });

  it('serves an OpenAPI 3.1 document and the docs page', async () => {
    const doc = (await t.call('GET', '/openapi.json', undefined, null)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/program');
    const docs = await t.call('GET', '/docs/', undefined, null);
    expect(docs.statusCode).toBe(200);
  });

  it('exposes Prometheus metrics', async () => {
    const res = await t.call('GET', '/metrics', undefined, null);
    expect(res.body).toContain('lojal_http_request_duration_seconds');
  });

  it('refuses a request without a key as problem+json with a code and request id', async () => {
    const res = await t.call('GET', '/v1/program', undefined, null);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('unauthenticated');
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it('refuses a forged key', async () => {
    const forged = t.key.slice(0, -4) + '0000';
    const res = await t.call('GET', '/v1/program', undefined, forged);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_api_key');
  });

  it('answers with the program the key belongs to', async () => {
    const res = await t.call('GET', '/v1/program');
    expect(res.statusCode).toBe(200);
    // A JSON body sent as plain text is the wrong media type.
    const plain = await t.app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${t.key}`, 'content-type': 'text/plain' }, payload: '{}' });
    expect(plain.statusCode, plain.body).toBe(415);
    expect(plain.json().code).toBe('unsupported_media_type');
    // The scheme's name in any case, as HTTP allows.
    const lower = await t.app.inject({ method: 'GET', url: '/v1/program', headers: { authorization: `bearer ${t.key}` } });
    expect(lower.statusCode, lower.body).toBe(200);
    expect(res.json()).toMatchObject({ id: t.programId, currency: 'SEK', timeZone: 'Europe/Stockholm' });
  });

  it('rejects malformed JSON with malformed_json', async () => {
    const res = await t.call('PATCH', '/v1/program', '{"name": ');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('malformed_json');
  });

  it('rejects unknown fields and wrong types with validation_failed naming the field', async () => {
    const res = await t.call('PATCH', '/v1/program', { name: 5, colour: 'red' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.errors.map((e: { path: string }) => e.path).join(' ')).toMatch(/name/);
  });

  it('localizes the message by Accept-Language but keeps the code', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/program', headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    expect(res.json().code).toBe('unauthenticated');
  });

  it('creates a key shown once, lists it without the secret, and revokes it', async () => {
    const created = await t.call('POST', '/v1/api-keys', { name: 'ERP', scopes: ['events:write'] });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json();
    expect((await t.call('GET', '/v1/program', undefined, key)).statusCode).toBe(200);
    expect((await t.call('PATCH', '/v1/program', { name: 'x' }, key)).json().code).toBe('insufficient_scope');
    const list = (await t.call('GET', '/v1/api-keys')).json();
    expect(JSON.stringify(list)).not.toContain(key.slice(-20));
    const revoked = await t.call('DELETE', `/v1/api-keys/${id}`);
    expect(revoked.statusCode).toBe(200);
    expect((await t.call('GET', '/v1/program', undefined, key)).json().code).toBe('invalid_api_key');
    // Revoking again changes nothing: the key stopped working at the first revocation.
    t.clock.advance(60_000);
    const again = await t.call('DELETE', `/v1/api-keys/${id}`);
    expect([again.statusCode, again.json().revokedAt]).toEqual([200, revoked.json().revokedAt]);
  });

  it('answers an unknown route with route_not_found', async () => {
    const res = await t.call('GET', '/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('route_not_found');
  });

  it('answers an address with an empty or a dot segment that no route takes with route_not_found, not a 500', async () => {
    // The file server's catch-all gets these and refuses them as unsafe file paths (a fuzz run found the 500s).
    for (const url of ['/v1/rules//versions/..', '/v1/accounts//', '/portal/v1/claims//evidence/%2e%2e?m=1', '/assets//x.js']) {
      const res = await t.call('GET', url);
      expect([res.statusCode, res.json().code], url).toEqual([404, 'route_not_found']);
    }
  });
});
