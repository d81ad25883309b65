import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { peopleWorld, type PeopleWorld } from './world.js';

/** The portal page an invitation mail links to: no key, no session; the token is the proof. */
let t: TestApp;
let w: PeopleWorld;

beforeAll(async () => {
  t = await startTestApp();
  w = await peopleWorld(t, { name: 'Byggklubben' });
});
afterAll(async () => t.close());

type Mail = { to: string; body: string };
const invite = async (email: string) => {
  const res = await w.call('POST', `/v1/accounts/${w.acc.br1}/invitations`, { email, name: 'Ola', language: 'nb', byMemberId: w.mem.br1Manager });
  expect(res.statusCode, res.body).toBe(201);
  const mails = (await w.call('GET', `/v1/outbox?limit=50&to=${encodeURIComponent(email)}`)).json().data as Mail[];
  return { memberId: res.json().memberId as string, token: /\/invitations\/(inv_[A-Za-z0-9_-]+)/.exec(mails[0]!.body)![1]! };
};
const anonymous = (method: 'GET' | 'POST', url: string, body?: unknown) =>
  t.app.inject({ method, url, ...(body ? { payload: body as object } : {}), headers: { 'accept-language': 'en' } });

describe('invitation links', () => {
  it('shows whom the invitation is for, then accepting activates the member and signs them in', async () => {
    const { memberId, token } = await invite('ola.nordmann@example.no');
    const shown = await anonymous('GET', `/auth/invitations/${token}`);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ programName: 'Byggklubben', accountName: 'Company BR-1', name: 'Ola', email: 'ola.nordmann@example.no', language: 'nb' });

    const accepted = await anonymous('POST', `/auth/invitations/${token}/accept`, { name: 'Ola Nordmann', language: 'nb' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().member).toMatchObject({ id: memberId, name: 'Ola Nordmann', accountName: 'Company BR-1', isManager: false });
    const cookie = accepted.cookies.find((c) => c.name === 'lojal_member');
    expect(cookie?.httpOnly).toBe(true);

    // The cookie is a live portal session for that member.
    const session = await t.app.inject({ method: 'GET', url: '/auth/member/session', cookies: { lojal_member: cookie!.value } });
    expect(session.json().member.id).toBe(memberId);
    expect((await w.call('GET', `/v1/members/${memberId}`)).json()).toMatchObject({ status: 'active', name: 'Ola Nordmann', language: 'nb' });

    // The link works once.
    expect((await anonymous('GET', `/auth/invitations/${token}`)).json().code).toBe('invitation_used');
    const again = await anonymous('POST', `/auth/invitations/${token}/accept`, { name: 'Someone', language: 'en' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('invitation_used');
    expect(again.cookies.find((c) => c.name === 'lojal_member')).toBeUndefined();
  });

  it('an expired or unknown link answers its own code and signs nobody in', async () => {
    const { token } = await invite('late@example.no');
    await t.database.db.updateTable('invitations').set({ expires_at: new Date(t.clock().getTime() - 1000) }).where('program_id', '=', w.programId).execute();
    const expired = await anonymous('POST', `/auth/invitations/${token}/accept`, { name: 'Late', language: 'nb' });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().code).toBe('invitation_expired');
    expect(expired.cookies).toEqual([]);
    expect((await anonymous('GET', '/auth/invitations/inv_nothing-like-this-at-all')).json().code).toBe('not_found');
    const bad = await anonymous('POST', `/auth/invitations/${token}/accept`, { name: '', language: 'xx' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
  });
});
