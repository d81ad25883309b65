import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { peopleWorld, type PeopleWorld } from './world.js';

let t: TestApp;
let w: PeopleWorld;

beforeAll(async () => {
  t = await startTestApp();
  w = await peopleWorld(t, { name: 'Byggklubben' });
});
afterAll(async () => t.close());

type Mail = { to: string; subject: string; body: string; template: string; language: string };
const outbox = async (to?: string) =>
  (await w.call('GET', `/v1/outbox?limit=500${to ? `&to=${encodeURIComponent(to)}` : ''}`)).json().data as Mail[];
const tokenIn = (mail: Mail) => /\/invitations\/(inv_[A-Za-z0-9_-]+)/.exec(mail.body)![1]!;
const memberCount = async () => (await w.call('GET', '/v1/members?limit=500')).json().data.length as number;

describe('invitations', () => {
  it('invite, mail with the link in the person’s language, accept once', async () => {
    const res = await w.call('POST', `/v1/accounts/${w.acc.br1}/invitations`, {
      email: 'Lisa.Holm@Example.se', name: 'Lisa', role: 'installer', language: 'sv', byMemberId: w.mem.br1Manager,
    });
    expect(res.statusCode, res.body).toBe(201);
    const inv = res.json();
    expect(inv).toMatchObject({ email: 'lisa.holm@example.se', status: 'invited', accountId: w.acc.br1 });
    expect(new Date(inv.expiresAt).getTime()).toBeGreaterThan(t.clock().getTime() + 13 * 86_400_000);
    expect((await w.call('GET', `/v1/members/${inv.memberId}`)).json()).toMatchObject({ status: 'invited', name: 'Lisa', role: 'installer' });

    const [mail] = await outbox('lisa.holm@example.se');
    expect(mail).toMatchObject({ template: 'invitation', language: 'sv', subject: 'Du är inbjuden till Byggklubben' });
    expect(mail!.body).toContain('Company BR-1');
    expect(mail!.body).toMatch(/^Hej Lisa,/);
    const token = tokenIn(mail!);
    // Only the hash is stored.
    const stored = await t.database.db.selectFrom('invitations').select('token_hash').where('program_id', '=', w.programId).execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    const accepted = await w.call('POST', `/v1/invitations/${token}/accept`, { name: 'Lisa Holm', language: 'nb' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ id: inv.memberId, status: 'active', name: 'Lisa Holm', language: 'nb' });

    const again = await w.call('POST', `/v1/invitations/${token}/accept`, { name: 'Someone Else', language: 'en' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('invitation_used');
    expect((await w.call('GET', `/v1/members/${inv.memberId}`)).json().name).toBe('Lisa Holm');

    const twice = await w.call('POST', `/v1/accounts/${w.acc.br1}/invitations`, { email: 'lisa.holm@example.se' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('member_already_exists');
  });

  it('refuses an expired token and an unknown one', async () => {
    const inv = (await w.call('POST', `/v1/accounts/${w.acc.br2}/invitations`, { email: 'late@example.se', expiresInDays: 1 })).json();
    const token = tokenIn((await outbox('late@example.se'))[0]!);
    await t.database.db.updateTable('invitations').set({ expires_at: new Date(t.clock().getTime() - 1000) }).where('program_id', '=', w.programId).where('member_id', '=', inv.memberId).execute();
    const expired = await w.call('POST', `/v1/invitations/${token}/accept`, { name: 'Late', language: 'sv' });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().code).toBe('invitation_expired');
    expect((await w.call('GET', `/v1/members/${inv.memberId}`)).json().status).toBe('invited');

    const unknown = await w.call('POST', '/v1/invitations/inv_nothing-like-it/accept', { name: 'X', language: 'sv' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('not_found');

    // Invited again: a new link works, and the old one is spent with it.
    const again = await w.call('POST', `/v1/accounts/${w.acc.br2}/invitations`, { email: 'late@example.se' });
    expect(again.json().memberId).toBe(inv.memberId);
    const mails = await outbox('late@example.se');
    expect(mails).toHaveLength(2);
    expect((await w.call('POST', `/v1/invitations/${tokenIn(mails[0]!)}/accept`, { name: 'Late Comer', language: 'sv' })).statusCode).toBe(200);
  });

  it('refuses a non-manager, and a token of another program, and writes nothing', async () => {
    const members = await memberCount();
    const mails = (await outbox()).length;
    for (const by of [w.mem.buyer, w.mem.staff1, w.mem.soloManager]) {
      const res = await w.call('POST', `/v1/accounts/${w.acc.br1}/invitations`, { email: 'nope@example.se', byMemberId: by });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('not_a_manager');
    }
    const bad = await w.call('POST', `/v1/accounts/${w.acc.br1}/invitations`, { email: 'not-an-address' });
    expect(bad.json().code).toBe('validation_failed');
    expect(await memberCount()).toBe(members);
    expect((await outbox()).length).toBe(mails);

    await w.call('POST', `/v1/accounts/${w.acc.solo}/invitations`, { email: 'other@example.se' });
    const token = tokenIn((await outbox('other@example.se'))[0]!);
    const other = await t.newProgram();
    const res = await t.call('POST', `/v1/invitations/${token}/accept`, { name: 'X', language: 'sv' }, other.key);
    expect(res.json().code).toBe('not_found');
  });
});

describe('self-registration', () => {
  it('asks by join code; the managers above get a mail; a manager approves', async () => {
    const code = await w.call('POST', `/v1/accounts/${w.acc.br1}/join-code`, { byMemberId: w.mem.chainManager });
    expect(code.statusCode, code.body).toBe(200);
    expect(code.json().code).toMatch(/^[2-9A-Z]{8}$/);
    const reg = await w.call('POST', '/v1/registrations', { account: code.json().code.toLowerCase(), email: 'Nils@example.se', name: 'Nils Strand', language: 'de' });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json()).toMatchObject({ status: 'pending', accountId: w.acc.br1, email: 'nils@example.se' });
    const toManagers = (await outbox()).filter((m) => m.template === 'registration_request');
    expect(toManagers.map((m) => m.to).sort()).toEqual(['p-bm@example.se', 'p-cm@example.se']);
    expect(toManagers[0]!.subject).toBe('Nils Strand vill gå med i Company BR-1');

    const dup = await w.call('POST', '/v1/registrations', { account: 'BR-1', email: 'nils@example.se', name: 'Nils', language: 'de' });
    expect(dup.json().code).toBe('member_already_exists');

    for (const by of [w.mem.buyer, w.mem.soloManager, w.mem.staff2]) {
      const res = await w.call('POST', `/v1/members/${reg.json().id}/approve`, { byMemberId: by });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('not_a_manager');
    }
    const ok = await w.call('POST', `/v1/members/${reg.json().id}/approve`, { byMemberId: w.mem.br1Manager });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('active');
    const again = await w.call('POST', `/v1/members/${reg.json().id}/approve`, { byMemberId: w.mem.br1Manager });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('member_not_pending');
    const [welcome] = await outbox('nils@example.se');
    expect(welcome).toMatchObject({ template: 'registration_approved', subject: 'Willkommen bei Byggklubben' });

    // A new code replaces the old one.
    await w.call('POST', `/v1/accounts/${w.acc.br1}/join-code`, {});
    const old = await w.call('POST', '/v1/registrations', { account: code.json().code, email: 'x@example.se', name: 'X', language: 'sv' });
    expect(old.statusCode).toBe(422);
    expect(old.json().code).toBe('unknown_join_code');
  });

  it('asks by external id; staff reject with a reason the person reads', async () => {
    const reg = (await w.call('POST', '/v1/registrations', { account: 'SOLO', email: 'wrong@example.se', name: 'Wrong Person', language: 'pl' })).json();
    expect((await outbox('p-sm@example.se')).map((m) => m.template)).toContain('registration_request');
    const res = await w.call('POST', `/v1/members/${reg.id}/reject`, { reason: 'Nie pracujesz w tej firmie.' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('closed');
    const [mail] = await outbox('wrong@example.se');
    expect(mail!.template).toBe('registration_rejected');
    expect(mail!.body).toContain('Powód: Nie pracujesz w tej firmie.');
    expect((await w.call('GET', `/v1/members?status=pending&accountId=${w.acc.solo}`)).json().data).toEqual([]);
  });
});

describe.runIf(onPostgres)('joining under concurrency (PostgreSQL)', () => {
  it('one open membership per address: concurrent requests and invitations make one member', async () => {
    const asks = await Promise.all(
      Array.from({ length: 4 }, () => w.call('POST', '/v1/registrations', { account: 'BR-2', email: 'twin@example.se', name: 'Tvilling', language: 'sv' })),
    );
    expect(asks.map((a) => a.statusCode).sort()).toEqual([201, 409, 409, 409]);
    const invites = await Promise.all(
      Array.from({ length: 4 }, () => w.call('POST', `/v1/accounts/${w.acc.br2}/invitations`, { email: 'invitee@example.se' })),
    );
    expect(invites.every((r) => r.statusCode === 201)).toBe(true);
    expect(new Set(invites.map((r) => r.json().memberId)).size).toBe(1);
  });
});
