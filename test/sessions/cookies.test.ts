/**
 * Session cookies are Secure, with the `__Host-` prefix, when the public URL is https, or when the request
 * came over https, which a proxy may only say (X-Forwarded-Proto) when LOJAL_TRUST_PROXY trusts it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ConfigError, loadConfig, parseTrustProxy } from '../../src/config/index.js';
import { setStaffPasswordByEmail } from '../../src/sessions/staff-sign-in.js';
import { startTestApp, type TestApp } from '../support/app.js';

const password = 'correct horse battery';
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

async function appWith(env: Record<string, string>) {
  const t = await startTestApp(env);
  apps.push(t);
  const email = 'cookie@example.com';
  expect((await t.call('POST', '/v1/staff-users', { email, name: 'Cookie', role: 'owner' })).statusCode).toBe(201);
  await setStaffPasswordByEmail(t.database.db, t.programId, email, password, {
    programId: t.programId,
    actor: { kind: 'api_key', id: '00000000-0000-0000-0000-000000000000', label: 'test' },
    ip: null,
    at: t.clock(),
  });
  const signIn = (headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/auth/staff/sign-in', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ email, password }) });
  return { t, signIn };
}

describe('LOJAL_TRUST_PROXY', () => {
  it.each([
    ['off', false],
    ['', false],
    ['false', false],
    ['on', true],
    ['TRUE', true],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 192.168.1.1 ,::1', ['10.0.0.0/8', '192.168.1.1', '::1']],
    ['loopback,fd00::/8', ['loopback', 'fd00::/8']],
    ['proxy.example.com', undefined],
    ['10.0.0.0/33', undefined],
    ['0x7f.1', undefined],
    [',', undefined],
  ] as const)('%j → %j', (raw, parsed) => {
    expect(parseTrustProxy(raw)).toEqual(parsed);
  });

  it('is off by default and refused at start when it cannot be read', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(() => loadConfig({ LOJAL_TRUST_PROXY: 'yes please' })).toThrow(ConfigError);
  });
});

describe('session cookies', () => {
  it('on a plain-http deployment: no Secure, no prefix, and a forwarded "https" from an untrusted peer changes nothing', async () => {
    const { signIn } = await appWith({});
    for (const headers of [{}, { 'x-forwarded-proto': 'https' }] as Array<Record<string, string>>) {
      const res = await signIn(headers);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.cookies.map((c) => [c.name, c.secure ?? false])).toEqual([['lojal_staff', false]]);
    }
  });

  it('with an https public URL: __Host-lojal_staff, Secure, path / and no domain; the unprefixed name is not read', async () => {
    const { t, signIn } = await appWith({ LOJAL_PUBLIC_URL: 'https://loyalty.example.com' });
    const res = await signIn();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.cookies).toHaveLength(1);
    const cookie = res.cookies[0]!;
    expect(cookie).toMatchObject({ name: '__Host-lojal_staff', secure: true, path: '/', httpOnly: true, sameSite: 'Lax' });
    expect(cookie.domain).toBeUndefined();
    const csrf = res.json().csrfToken as string;

    const session = (name: string) => t.app.inject({ method: 'GET', url: '/auth/staff/session', headers: { cookie: `${name}=${cookie.value}` } });
    expect((await session('__Host-lojal_staff')).statusCode).toBe(200);
    expect((await session('lojal_staff')).statusCode).toBe(401);
    // The console's API calls with the cookie and its anti-forgery token work as before.
    const write = await t.app.inject({
      method: 'PATCH',
      url: '/v1/program',
      headers: { cookie: `__Host-lojal_staff=${cookie.value}`, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      payload: JSON.stringify({ pointsName: 'stars' }),
    });
    expect(write.statusCode, write.body).toBe(200);
    const noToken = await t.app.inject({ method: 'PATCH', url: '/v1/program', headers: { cookie: `__Host-lojal_staff=${cookie.value}`, 'content-type': 'application/json' }, payload: '{}' });
    expect(noToken.json().code).toBe('csrf_token_invalid');

    const out = await t.app.inject({ method: 'POST', url: '/auth/staff/sign-out', headers: { cookie: `__Host-lojal_staff=${cookie.value}`, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies).toEqual([expect.objectContaining({ name: '__Host-lojal_staff', value: '', secure: true, path: '/' })]);
  });

  it('behind a trusted proxy that says https: Secure and prefixed; the proxy must be trusted', async () => {
    const { t } = await appWith({});
    for (const [trust, secure] of [['true', true], ['1', true], ['127.0.0.1', true], ['loopback', true], ['10.0.0.0/8', false]] as const) {
      // The same database behind servers configured differently (injected requests come from 127.0.0.1).
      const app = await buildApp(t.database, { ...t.config, trustProxy: parseTrustProxy(trust)! }, { clock: t.clock });
      const res = await app.inject({
        method: 'POST',
        url: '/auth/staff/sign-in',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        payload: JSON.stringify({ email: 'cookie@example.com', password }),
      });
      await app.close();
      expect(res.statusCode, res.body).toBe(200);
      expect(res.cookies.map((c) => [c.name, c.secure ?? false]), trust).toEqual([secure ? ['__Host-lojal_staff', true] : ['lojal_staff', false]]);
    }
  });
});
