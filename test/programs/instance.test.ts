/**
 * Programs made while the server runs: an instance administrator creates one from the console, becomes its
 * owner with the same sign-in, and switches between the two; nobody else can, and nothing else is reachable.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/audit/index.js';
import { setInstanceAdmin } from '../../src/programs/instance.js';
import { setStaffPasswordByEmail } from '../../src/sessions/staff-sign-in.js';
import { startTestApp, type TestApp } from '../support/app.js';

const password = 'a long and private passphrase 42';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  for (const [email, role] of [['ingrid@lojal.test', 'owner'], ['olle@lojal.test', 'owner']] as const) {
    const created = await t.call('POST', '/v1/staff-users', { email, name: email.split('@')[0], role });
    expect(created.statusCode, created.body).toBe(201);
    await setStaffPasswordByEmail(t.database.db, t.programId, email, password, systemContext(t.programId, 'test', t.clock()));
  }
  expect(await setInstanceAdmin(t.database.db, 'Ingrid@lojal.test', true)).toBe(1);
});
afterAll(async () => t.close());

interface Console {
  cookie: string;
  csrf: string;
  body: Record<string, unknown>;
}

async function signIn(email: string, programId?: string): Promise<Console> {
  const res = await t.call('POST', '/auth/staff/sign-in', { email, password, ...(programId && { programId }) }, null);
  expect(res.statusCode, res.body).toBe(200);
  return sessionOf(res);
}

function sessionOf(res: LightMyRequestResponse): Console {
  const cookie = res.cookies.find((c) => c.name.endsWith('lojal_staff'))!;
  return { cookie: `${cookie.name}=${cookie.value}`, csrf: res.json().csrfToken, body: res.json() };
}

function asStaff(c: Console, method: string, url: string, body?: unknown) {
  return t.app.inject({
    method: method as 'GET',
    url,
    headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });
}

describe('creating programs while the server runs', () => {
  let ingrid: Console;
  let second: string;

  it('an instance administrator creates a program from the console and becomes its owner', async () => {
    ingrid = await signIn('ingrid@lojal.test');
    expect(ingrid.body).toMatchObject({ instanceAdmin: true, programs: [{ id: t.programId, role: 'owner' }] });
    const res = await asStaff(ingrid, 'POST', '/v1/programs', { name: 'Dealer club Norway', currency: 'NOK', defaultLanguage: 'nb', timeZone: 'Europe/Oslo' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Dealer club Norway', currency: 'NOK', defaultLanguage: 'nb', timeZone: 'Europe/Oslo', pointsName: expect.any(String) });
    second = res.json().id;
    const listed = (await asStaff(ingrid, 'GET', '/v1/programs')).json().data;
    expect(listed.map((p: { name: string }) => p.name).sort()).toEqual(['Dealer club Norway', 'Test program']);
    const owner = await t.database.db.selectFrom('staff_users').select(['role', 'instance_admin']).where('program_id', '=', second).executeTakeFirstOrThrow();
    expect(owner).toEqual({ role: 'owner', instance_admin: true });
    // Recorded where it was asked for and as the new program's first entry.
    for (const programId of [t.programId, second]) {
      const entry = await t.database.db.selectFrom('audit_log').select(['action', 'entity_id']).where('program_id', '=', programId).where('action', '=', 'program.create').executeTakeFirst();
      expect(entry, programId).toEqual({ action: 'program.create', entity_id: second });
    }
  });

  it('switches the console to the new program: a new session there, the old one ended', async () => {
    const res = await asStaff(ingrid, 'POST', '/auth/staff/switch', { programId: second });
    expect(res.statusCode, res.body).toBe(200);
    const there = sessionOf(res);
    expect(there.body).toMatchObject({ program: { id: second, name: 'Dealer club Norway' }, staff: { role: 'owner' } });
    expect((await asStaff(there, 'GET', '/v1/program')).json()).toMatchObject({ id: second });
    expect((await asStaff(ingrid, 'GET', '/v1/program')).statusCode).toBe(401);
    const back = await asStaff(there, 'POST', '/auth/staff/switch', { programId: t.programId });
    expect(back.statusCode, back.body).toBe(200);
    ingrid = sessionOf(back);
  });

  it('the same password now signs in to either, asking which first', async () => {
    const res = await t.call('POST', '/auth/staff/sign-in', { email: 'ingrid@lojal.test', password }, null);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: 'choose_program' });
    expect(res.json().programs).toHaveLength(2);
    expect((await signIn('ingrid@lojal.test', second)).body).toMatchObject({ program: { id: second } });
  });

  it('is refused to staff who are not instance administrators, to API keys, and for bad settings', async () => {
    const olle = await signIn('olle@lojal.test');
    expect(olle.body).toMatchObject({ instanceAdmin: false });
    const refused = await asStaff(olle, 'POST', '/v1/programs', { name: 'Mine', currency: 'SEK' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('instance_admin_required');
    const byKey = await t.call('POST', '/v1/programs', { name: 'By key', currency: 'SEK' });
    expect(byKey.statusCode).toBe(403);
    expect(byKey.json().code).toBe('instance_admin_required');
    const bad = await asStaff(ingrid, 'POST', '/v1/programs', { name: 'Bad', currency: 'kronor' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ path: 'body.currency' });
    const count = await t.database.db.selectFrom('programs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('switching to a program where the person is not staff answers 404 and keeps the session', async () => {
    const olle = await signIn('olle@lojal.test');
    const res = await asStaff(olle, 'POST', '/auth/staff/switch', { programId: second });
    expect(res.statusCode).toBe(404);
    expect((await asStaff(olle, 'GET', '/v1/program')).statusCode).toBe(200);
    // Another program's staff user with the same e-mail but a password of their own is another sign-in.
    const other = await t.newProgram();
    await t.call('POST', '/v1/staff-users', { email: 'olle@lojal.test', name: 'Olle', role: 'viewer' }, other.key);
    await setStaffPasswordByEmail(t.database.db, other.programId, 'olle@lojal.test', password, systemContext(other.programId, 'test', t.clock()));
    expect((await asStaff(olle, 'POST', '/auth/staff/switch', { programId: other.programId })).statusCode).toBe(404);
  });
});
