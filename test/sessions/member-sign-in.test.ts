import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { peopleWorld, type PeopleWorld } from '../people/world.js';
import { memberPasswordMatches } from '../../src/sessions/member-sign-in.js';
import { browser, codeIn, linkTokenIn, outbox } from './helpers.js';

let t: TestApp;
let w: PeopleWorld;

beforeAll(async () => {
  t = await startTestApp();
  w = await peopleWorld(t, { name: 'Byggklubben', defaultLanguage: 'sv' });
});
afterAll(async () => t.close());

const emailOf = (ext: string) => `${ext.toLowerCase()}@example.se`;
/** Asks for a code and returns the mail that brought it. */
async function askCode(email: string, programId = w.programId) {
  const res = await t.call('POST', '/auth/member/start', { email }, null);
  expect(res.statusCode, res.body).toBe(202);
  return (await outbox(t, programId, email.toLowerCase()))[0]!;
}

describe('member sign-in by code', () => {
  it('a code from the mail signs in; one member is chosen at once; portal session and sign-out', async () => {
    const mail = await askCode('P-S1@Example.se');
    expect(mail).toMatchObject({ template: 'member_sign_in_code', language: 'sv' });
    const b = browser(t, 'member');
    const res = await b.send('POST', '/auth/member/verify', { email: emailOf('P-S1'), code: codeIn(mail) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      email: emailOf('P-S1'),
      member: { id: w.mem.staff1, accountId: w.acc.br1, programId: w.programId, programName: 'Byggklubben', isManager: false, language: 'sv' },
      choices: [{ memberId: w.mem.staff1 }],
    });
    expect((await b.send('GET', '/auth/member/session')).json().member.id).toBe(w.mem.staff1);
    // Used once.
    const again = await t.call('POST', '/auth/member/verify', { email: emailOf('P-S1'), code: codeIn(mail) }, null);
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('invalid_sign_in_code');
    const noToken = await b.send('POST', '/auth/member/sign-out', undefined, { csrf: false });
    expect(noToken.statusCode).toBe(403);
    expect((await b.send('POST', '/auth/member/sign-out')).statusCode).toBe(204);
    expect((await b.send('GET', '/auth/member/session')).statusCode).toBe(401);
  });

  it('an unknown address gets the same answer and no mail', async () => {
    expect((await t.call('POST', '/auth/member/start', { email: 'nobody@example.se' }, null)).statusCode).toBe(202);
    const mails = await t.database.db.selectFrom('mail_outbox').select('id').where('to_address', '=', 'nobody@example.se').execute();
    expect(mails).toHaveLength(0);
  });

  it('five wrong codes kill it; the right one is then refused', async () => {
    const mail = await askCode(emailOf('P-S2'));
    const wrong = codeIn(mail) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await t.call('POST', '/auth/member/verify', { email: emailOf('P-S2'), code: wrong }, null);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('invalid_sign_in_code');
    }
    const right = await t.call('POST', '/auth/member/verify', { email: emailOf('P-S2'), code: codeIn(mail) }, null);
    expect(right.statusCode).toBe(429);
    expect(right.json().code).toBe('too_many_attempts');
    // Its link died with it.
    expect((await t.call('POST', '/auth/member/verify', { token: linkTokenIn(mail) }, null)).statusCode).toBe(429);
  });

  it('an expired code and link are refused; the link signs in while valid', async () => {
    const mail = await askCode(emailOf('P-B'));
    await t.database.db.updateTable('member_sign_in_codes').set({ expires_at: new Date(t.clock().getTime() - 1000) }).where('email', '=', emailOf('P-B')).execute();
    const expired = await t.call('POST', '/auth/member/verify', { email: emailOf('P-B'), code: codeIn(mail) }, null);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().code).toBe('sign_in_code_expired');
    expect((await t.call('POST', '/auth/member/verify', { token: linkTokenIn(mail) }, null)).statusCode).toBe(410);

    const fresh = await askCode(emailOf('P-B'));
    const b = browser(t, 'member');
    const res = await b.send('POST', '/auth/member/verify', { token: linkTokenIn(fresh) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().member.id).toBe(w.mem.buyer);
    expect((await t.call('POST', '/auth/member/verify', { token: linkTokenIn(fresh) }, null)).statusCode).toBe(401);
  });

  it('at most 5 codes per address and hour', async () => {
    const email = 'flood@example.se';
    for (let i = 0; i < 5; i++) expect((await t.call('POST', '/auth/member/start', { email }, null)).statusCode).toBe(202);
    const sixth = await t.call('POST', '/auth/member/start', { email }, null);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().code).toBe('too_many_attempts');
  });

  it('a person in two accounts chooses; a pending membership cannot be chosen', async () => {
    const email = 'two.hats@example.se';
    const chainRow = await w.call('POST', '/v1/members', { accountId: w.acc.chain, externalId: 'P-TH1', name: 'Two Hats', role: 'manager', email });
    const soloRow = await w.call('POST', '/v1/members', { accountId: w.acc.solo, externalId: 'P-TH2', name: 'Two Hats', role: 'buyer', email });
    const pendingRow = await w.call('POST', '/v1/members', { accountId: w.acc.br2, externalId: 'P-TH3', name: 'Two Hats', role: 'buyer', email });
    await t.database.db.updateTable('members').set({ status: 'pending' }).where('id', '=', pendingRow.json().id).execute();

    const mail = await askCode(email);
    const b = browser(t, 'member');
    const res = await b.send('POST', '/auth/member/verify', { email, code: codeIn(mail) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().member).toBeNull();
    expect(res.json().choices.map((c: { memberId: string }) => c.memberId).sort()).toEqual([chainRow.json().id, soloRow.json().id].sort());
    // A portal route needs the choice first.
    const session = await b.send('GET', '/auth/member/session');
    expect(session.json().member).toBeNull();

    const pending = await b.send('POST', '/auth/member/choose', { memberId: pendingRow.json().id });
    expect(pending.statusCode).toBe(403);
    expect(pending.json().code).toBe('member_pending_approval');
    const foreign = await b.send('POST', '/auth/member/choose', { memberId: w.mem.staff1 });
    expect(foreign.statusCode).toBe(404);
    const chosen = await b.send('POST', '/auth/member/choose', { memberId: chainRow.json().id });
    expect(chosen.statusCode, chosen.body).toBe(200);
    expect(chosen.json().member).toMatchObject({ accountId: w.acc.chain, isManager: true });
    expect((await b.send('GET', '/auth/member/session')).json().member.id).toBe(chainRow.json().id);
  });

  it('a person whose only membership awaits approval is told so', async () => {
    const email = 'waiting@example.se';
    const row = await w.call('POST', '/v1/members', { accountId: w.acc.br1, externalId: 'P-W', name: 'Waiting', email });
    await t.database.db.updateTable('members').set({ status: 'pending' }).where('id', '=', row.json().id).execute();
    const mail = await askCode(email);
    const res = await t.call('POST', '/auth/member/verify', { email, code: codeIn(mail) }, null);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('member_pending_approval');
  });

  it('an invited member becomes active by signing in with a code', async () => {
    const res = await w.call('POST', `/v1/accounts/${w.acc.solo}/invitations`, { email: 'invited@example.se', name: 'Invited', language: 'sv' });
    expect(res.statusCode, res.body).toBe(201);
    const codeMail = await askCode('invited@example.se');
    expect(codeMail.template).toBe('member_sign_in_code');
    const b = browser(t, 'member');
    expect((await b.send('POST', '/auth/member/verify', { email: 'invited@example.se', code: codeIn(codeMail) })).statusCode).toBe(200);
    expect((await w.call('GET', `/v1/members/${res.json().memberId}`)).json().status).toBe('active');
  });
});

describe('member passwords', () => {
  it('only where the program allows them, set with a chosen member session', async () => {
    const mail = await askCode(emailOf('P-SM'));
    const b = browser(t, 'member');
    await b.send('POST', '/auth/member/verify', { email: emailOf('P-SM'), code: codeIn(mail) });
    const off = await b.send('POST', '/auth/member/password', { newPassword: 'my portal password' });
    expect(off.statusCode).toBe(403);
    expect(off.json().code).toBe('member_passwords_disabled');

    expect((await w.call('PATCH', '/v1/program', { memberPasswords: true })).json().memberPasswords).toBe(true);
    const weak = await b.send('POST', '/auth/member/password', { newPassword: 'short' });
    expect(weak.statusCode).toBe(422);
    expect((await b.send('POST', '/auth/member/password', { newPassword: 'my portal password' })).statusCode).toBe(204);

    const p = browser(t, 'member');
    const res = await p.send('POST', '/auth/member/password-sign-in', { email: emailOf('P-SM'), password: 'my portal password' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().member.id).toBe(w.mem.soloManager);
    const wrong = await t.call('POST', '/auth/member/password-sign-in', { email: emailOf('P-SM'), password: 'not the password' }, null);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('invalid_credentials');

    // The program turns passwords off again: the password no longer signs in.
    await w.call('PATCH', '/v1/program', { memberPasswords: false });
    expect((await t.call('POST', '/auth/member/password-sign-in', { email: emailOf('P-SM'), password: 'my portal password' }, null)).statusCode).toBe(401);
  });

  it('five wrong passwords lock the address for a quarter of an hour, even against the right one; unknown addresses alike', async () => {
    await w.call('PATCH', '/v1/program', { memberPasswords: true });
    const b = browser(t, 'member');
    await b.send('POST', '/auth/member/verify', { email: emailOf('P-SM'), code: codeIn(await askCode(emailOf('P-SM'))) });
    expect((await b.send('POST', '/auth/member/password', { newPassword: 'a long portal password' })).statusCode).toBe(204);
    const signIn = (email: string, password: string) => t.call('POST', '/auth/member/password-sign-in', { email, password }, null);
    // A success clears what earlier tests failed for this address.
    expect((await signIn(emailOf('P-SM'), 'a long portal password')).statusCode).toBe(200);

    for (const email of [emailOf('P-SM'), 'nobody-here@example.se']) {
      for (let i = 1; i <= 4; i++) expect((await signIn(email, `wrong guess ${i}`)).json().code).toBe('invalid_credentials');
      const fifth = await signIn(email, 'wrong guess 5');
      expect(fifth.statusCode).toBe(423);
      expect(fifth.json()).toMatchObject({ code: 'account_locked', minutes: 15 });
    }
    const right = await signIn(emailOf('P-SM').toUpperCase(), 'a long portal password');
    expect(right.statusCode).toBe(423);
    expect(right.json().detail).toMatch(/locked for 15 more minutes/);

    // A quarter of an hour later the right password signs in and the count starts afresh.
    const later = new Date(t.clock().getTime() + 16 * 60_000);
    expect(await memberPasswordMatches(t.database.db, { email: emailOf('P-SM'), password: 'a long portal password' }, later)).toEqual([w.mem.soloManager]);
    const row = await t.database.db.selectFrom('member_password_failures').selectAll().execute();
    expect(row).toHaveLength(1);
    await w.call('PATCH', '/v1/program', { memberPasswords: false });
  });
});

