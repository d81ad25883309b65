import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { browser, outbox, resetTokenIn } from './helpers.js';

let t: TestApp;
const password = 'correct horse battery';

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

/** A staff user who set a password through the mailed "set your password" link. */
async function staffUser(email: string, role: string, programId = t.programId, key = t.key) {
  const res = await t.call('POST', '/v1/staff-users', { email, name: `User ${role}`, role }, key);
  expect(res.statusCode, res.body).toBe(201);
  const [mail] = await outbox(t, programId, email);
  expect(mail!.template).toBe('staff_invitation');
  const confirm = await t.call('POST', '/auth/staff/password-reset/confirm', { token: resetTokenIn(mail!), password }, null);
  expect(confirm.statusCode, confirm.body).toBe(204);
  return res.json().id as string;
}

const signIn = (b: ReturnType<typeof browser>, email: string, pw = password, programId?: string) =>
  b.send('POST', '/auth/staff/sign-in', { email, password: pw, ...(programId && { programId }) });

describe('staff sign-in', () => {
  it('signs in with a cookie, reads and writes the API with the anti-forgery token, signs out', async () => {
    const id = await staffUser('owner@example.com', 'owner');
    const b = browser(t, 'staff');
    const res = await signIn(b, 'Owner@Example.com');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ staff: { id, email: 'owner@example.com', role: 'owner' }, program: { id: t.programId, currency: 'SEK' } });
    const cookie = res.cookies.find((c) => c.name === 'lojal_staff')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');

    expect((await b.send('GET', '/auth/staff/session')).json().staff.id).toBe(id);
    expect((await b.send('GET', '/v1/program')).statusCode).toBe(200);
    const noToken = await b.send('PATCH', '/v1/program', { pointsName: 'stars' }, { csrf: false });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().code).toBe('csrf_token_invalid');
    const withToken = await b.send('PATCH', '/v1/program', { pointsName: 'stars' });
    expect(withToken.statusCode, withToken.body).toBe(200);
    // The change is recorded as the person's.
    const audit = await t.database.db.selectFrom('audit_log').select(['actor', 'action']).where('program_id', '=', t.programId).where('action', '=', 'program.update').execute();
    expect(audit.at(-1)!.actor).toBe(`staff:${id}`);

    expect((await b.send('POST', '/auth/staff/sign-out')).statusCode).toBe(204);
    expect(b.state.cookie).toBeUndefined();
    const after = await t.app.inject({ method: 'GET', url: '/auth/staff/session', headers: { cookie: `lojal_staff=${cookie.value}` } });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('session_required');
  });

  it('a viewer may read but not write', async () => {
    await staffUser('viewer@example.com', 'viewer');
    const b = browser(t, 'staff');
    expect((await signIn(b, 'viewer@example.com')).statusCode).toBe(200);
    expect((await b.send('GET', '/v1/program')).statusCode).toBe(200);
    const write = await b.send('PATCH', '/v1/program', { pointsName: 'nope' });
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe('insufficient_scope');
  });

  it('unknown address, wrong password and no password give one answer', async () => {
    await t.call('POST', '/v1/staff-users', { email: 'nopassword@example.com', name: 'No Password', role: 'support' });
    for (const [email, pw] of [['nobody@example.com', password], ['owner@example.com', 'wrong password!'], ['nopassword@example.com', password]] as const) {
      const res = await signIn(browser(t, 'staff'), email, pw);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('invalid_credentials');
      expect(res.cookies).toHaveLength(0);
    }
  });

  it('locks after 5 failures in a row, even for the right password, until the lock runs out', async () => {
    const id = await staffUser('locked@example.com', 'manager');
    const b = browser(t, 'staff');
    for (let i = 0; i < 4; i++) expect((await signIn(b, 'locked@example.com', 'wrong password!')).statusCode).toBe(401);
    const fifth = await signIn(b, 'locked@example.com', 'wrong password!');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json()).toMatchObject({ code: 'account_locked', minutes: 15 });
    expect(fifth.json().detail).toContain('15');
    const right = await signIn(b, 'locked@example.com');
    expect(right.statusCode).toBe(423);
    const actions = await t.database.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).execute();
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['staff_user.sign_in_failed', 'staff_user.locked']));

    // The lock runs out (the clock moved on): the right password works and the count starts afresh.
    await t.database.db.updateTable('staff_users').set({ locked_until: new Date(t.clock().getTime() - 1000) }).where('id', '=', id).execute();
    expect((await signIn(b, 'locked@example.com')).statusCode).toBe(200);
    const row = await t.database.db.selectFrom('staff_users').select(['failed_sign_ins', 'locked_until']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_sign_ins: 0, locked_until: null });
    // A success between failures resets the count: four more failures do not lock.
    for (let i = 0; i < 4; i++) expect((await signIn(b, 'locked@example.com', 'wrong password!')).statusCode).toBe(401);
    expect((await signIn(b, 'locked@example.com')).statusCode).toBe(200);
  });

  it('failures counted at the same moment are all counted', async () => {
    const id = await staffUser('racing@example.com', 'support');
    const results = await Promise.all(Array.from({ length: 5 }, () => signIn(browser(t, 'staff'), 'racing@example.com', 'wrong password!')));
    expect(results.map((r) => r.statusCode).filter((s) => s === 423).length).toBeGreaterThanOrEqual(1);
    const row = await t.database.db.selectFrom('staff_users').select('failed_sign_ins').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.failed_sign_ins).toBe(5);
  });

  it('password reset by mailed link: weak passwords refused, used once, expires', async () => {
    await staffUser('reset@example.com', 'support');
    expect((await t.call('POST', '/auth/staff/password-reset', { email: 'reset@example.com' }, null)).statusCode).toBe(202);
    expect((await t.call('POST', '/auth/staff/password-reset', { email: 'unknown@example.com' }, null)).statusCode).toBe(202);
    expect(await outbox(t, t.programId, 'unknown@example.com')).toHaveLength(0);
    const [mail] = await outbox(t, t.programId, 'reset@example.com');
    expect(mail!.template).toBe('staff_password_reset');
    const token = resetTokenIn(mail!);
    const stored = await t.database.db.selectFrom('staff_password_resets').select('token_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    for (const weak of ['short', 'reset@example.com']) {
      const res = await t.call('POST', '/auth/staff/password-reset/confirm', { token, password: weak }, null);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'password_too_weak', errors: [{ path: 'password', code: 'password_too_weak' }] });
    }
    expect((await t.call('POST', '/auth/staff/password-reset/confirm', { token, password: 'a brand new secret' }, null)).statusCode).toBe(204);
    const reused = await t.call('POST', '/auth/staff/password-reset/confirm', { token, password: 'another new secret' }, null);
    expect(reused.statusCode).toBe(409);
    expect(reused.json().code).toBe('reset_link_used');
    expect((await signIn(browser(t, 'staff'), 'reset@example.com', 'a brand new secret')).statusCode).toBe(200);

    await t.call('POST', '/auth/staff/password-reset', { email: 'reset@example.com' }, null);
    const [second] = await outbox(t, t.programId, 'reset@example.com');
    const secondToken = resetTokenIn(second!);
    expect(secondToken).not.toBe(token);
    await t.database.db.updateTable('staff_password_resets').set({ expires_at: new Date(t.clock().getTime() - 1000) }).where('used_at', 'is', null).execute();
    const expired = await t.call('POST', '/auth/staff/password-reset/confirm', { token: secondToken, password: 'yet another secret' }, null);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().code).toBe('reset_link_expired');
  });

  it('an admin sends the link again', async () => {
    const created = await t.call('POST', '/v1/staff-users', { email: 'again@example.com', name: 'Again', role: 'viewer' });
    const res = await t.call('POST', `/v1/staff-users/${created.json().id}/password-reset`);
    expect(res.statusCode).toBe(202);
    expect((await outbox(t, t.programId, 'again@example.com')).map((m) => m.template)).toEqual(['staff_invitation', 'staff_invitation']);
  });

  it('changing the password ends the other sessions, not this one', async () => {
    await staffUser('change@example.com', 'manager');
    const one = browser(t, 'staff');
    const two = browser(t, 'staff');
    await signIn(one, 'change@example.com');
    await signIn(two, 'change@example.com');
    const wrong = await one.send('POST', '/auth/staff/password', { currentPassword: 'not my password', newPassword: 'changed password 1' });
    expect(wrong.statusCode).toBe(401);
    const weak = await one.send('POST', '/auth/staff/password', { currentPassword: password, newPassword: 'short' });
    expect(weak.json().errors[0].path).toBe('newPassword');
    expect((await one.send('POST', '/auth/staff/password', { currentPassword: password, newPassword: 'changed password 1' })).statusCode).toBe(204);
    expect((await one.send('GET', '/auth/staff/session')).statusCode).toBe(200);
    expect((await two.send('GET', '/auth/staff/session')).statusCode).toBe(401);
    expect((await signIn(browser(t, 'staff'), 'change@example.com', 'changed password 1')).statusCode).toBe(200);
    const audit = await t.database.db.selectFrom('audit_log').select('action').where('action', '=', 'staff_user.password_change').execute();
    expect(audit).toHaveLength(1);
  });

  it('a deactivated person’s session stops working', async () => {
    const id = await staffUser('leaver@example.com', 'manager');
    const b = browser(t, 'staff');
    await signIn(b, 'leaver@example.com');
    expect((await b.send('GET', '/v1/program')).statusCode).toBe(200);
    expect((await t.call('PATCH', `/v1/staff-users/${id}`, { active: false })).statusCode).toBe(200);
    expect((await b.send('GET', '/v1/program')).statusCode).toBe(401);
    expect((await signIn(browser(t, 'staff'), 'leaver@example.com')).statusCode).toBe(401);
  });

  it('the same address and password in two programs: choose the program', async () => {
    const other = await t.newProgram({ name: 'Other program' });
    await staffUser('both@example.com', 'owner');
    await staffUser('both@example.com', 'viewer', other.programId, other.key);
    const res = await signIn(browser(t, 'staff'), 'both@example.com');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('choose_program');
    expect(res.json().programs.map((p: { id: string }) => p.id).sort()).toEqual([t.programId, other.programId].sort());
    const chosen = await signIn(browser(t, 'staff'), 'both@example.com', password, other.programId);
    expect(chosen.statusCode).toBe(200);
    expect(chosen.json().staff.role).toBe('viewer');
  });
});
