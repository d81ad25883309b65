import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRules, purchase, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent, wallet } from '../support/ledger.js';
import { refusalOf, type ReferralFacts } from '../../src/referrals/rules.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';

describe('referral refusals (pure)', () => {
  const base: ReferralFacts = {
    code: 'ABCD2345',
    referrer: { memberId: 'm1', accountId: 'a1', email: 'anna@bygg.se', groupId: 'a1' },
    referee: { accountId: 'a2', memberId: 'm2', emails: ['olle@tak.se'], groupId: 'a2' },
    existing: null,
    referrerAncestry: [],
  };
  const facts = (over: { referrer?: Partial<ReferralFacts['referrer']>; referee?: Partial<ReferralFacts['referee']>; existing?: ReferralFacts['existing']; referrerAncestry?: string[] }): ReferralFacts => ({
    ...base,
    referrer: { ...base.referrer, ...over.referrer },
    referee: { ...base.referee, ...over.referee },
    existing: over.existing ?? null,
    referrerAncestry: over.referrerAncestry ?? [],
  });
  it.each([
    ['a new company with its own domain', facts({}), null],
    ['the referrer themselves', facts({ referee: { memberId: 'm1' } }), 'referral_self'],
    ['the referrer’s own address at another company', facts({ referee: { emails: ['ANNA@bygg.se'] } }), 'referral_self'],
    ['the referrer’s company', facts({ referee: { accountId: 'a1', groupId: 'a1' } }), 'referral_same_company'],
    ['a branch of the referrer’s group', facts({ referee: { groupId: 'a1' } }), 'referral_same_company'],
    ['the same e-mail domain', facts({ referee: { emails: ['per@bygg.se'] } }), 'referral_same_domain'],
    ['the same public mail provider is no reason', facts({ referrer: { email: 'anna@gmail.com' }, referee: { emails: ['per@gmail.com'] } }), null],
    ['a company that referred the referrer', facts({ referrerAncestry: ['a2'] }), 'referral_circular'],
    ['a company further up the referrer’s chain', facts({ referrerAncestry: ['a9', 'a2'] }), 'referral_circular'],
    ['the same code used twice by a company', facts({ existing: { code: 'ABCD2345' } }), 'referral_code_reused'],
    ['a company that came with another code', facts({ existing: { code: 'ZZZZ9999' } }), 'referral_already_referred'],
    ['no referrer address', facts({ referrer: { email: null } }), null],
    ['applied in the portal by a company that already bought', { ...facts({}), refereeHasPurchased: true }, 'referral_too_late'],
    ['applied in the portal by a company that has not bought', { ...facts({}), refereeHasPurchased: false }, null],
  ])('%s', (_name, f, expected) => {
    expect(refusalOf(f)?.code ?? null).toBe(expected);
  });
});

let t: TestApp;
const ids: Record<string, string> = {};
const setEmail = (id: string, email: string) => sql`UPDATE members SET email = ${email}, status = 'active' WHERE program_id = ${t.programId} AND id = ${id}`.execute(t.database.db);
const codeOf = async (member: string) => (await t.call('GET', `/v1/members/${member}/referral-code`)).json().code as string;
const refer = (code: string, accountId: string, memberId?: string) => t.call('POST', '/v1/referrals', { code, accountId, ...(memberId && { memberId }) });

beforeAll(async () => {
  t = await startTestApp();
  // A 30-day return window: a referral qualifies 30 days after the referred company's first purchase.
  await sql`UPDATE programs SET pending_days = 30 WHERE id = ${t.programId}`.execute(t.database.db);
  await seedCatalog(t);
  await createRules(t);
  for (const a of ['A', 'B', 'C', 'D', 'E']) {
    ids[a] = await seedAccount(t, `R${a}`);
    ids[`m${a}`] = await seedMember(t, ids[a]!, `RM${a}`);
    await setEmail(ids[`m${a}`]!, `person@${a.toLowerCase()}-company.se`);
  }
  ids.mA2 = await seedMember(t, ids.A!, 'RMA2');
  await setEmail(ids.mA2!, 'second@a-company.se');
  // E's person shares A's domain.
  await setEmail(ids.mE!, 'someone@a-company.se');
});
afterAll(async () => t.close());

describe('referrals over HTTP', () => {
  it('refuses everything while referrals are off', async () => {
    const r = await refer(await codeOf(ids.mA!), ids.B!);
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('referrals_disabled');
  });

  it('records, refuses with distinct codes and pays both sides after the return window, once', async () => {
    const s = await t.call('PUT', '/v1/referrals/settings', { enabled: true, referrerPoints: 500, refereePoints: 200, capCount: 1, capPeriod: 'year' });
    expect(s.statusCode, s.body).toBe(200);
    const codeA = await codeOf(ids.mA!);
    expect(await codeOf(ids.mA!)).toBe(codeA);
    const ok = await refer(codeA.toLowerCase(), ids.B!, ids.mB);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ status: 'pending', refereeName: 'Company RB' });

    const refusals: Array<[Promise<Awaited<ReturnType<typeof refer>>>, number, string]> = [
      [refer(codeA, ids.B!), 409, 'referral_code_reused'],
      [refer(await codeOf(ids.mC!), ids.B!), 409, 'referral_already_referred'],
      [refer(codeA, ids.A!), 422, 'referral_same_company'],
      [refer(codeA, ids.A!, ids.mA), 422, 'referral_self'],
      [refer(codeA, ids.E!), 422, 'referral_same_domain'],
      [refer('NOSUCHCODE', ids.C!), 422, 'referral_code_unknown'],
      // B was referred by A: B's person cannot refer A back.
      [refer(await codeOf(ids.mB!), ids.A!), 422, 'referral_circular'],
    ];
    for (const [pending, status, code] of refusals) {
      const r = await pending;
      expect({ status: r.statusCode, code: r.json().code }).toEqual({ status, code });
      expect(r.json().detail).toBeTruthy();
    }

    // B's first purchase on 25 November, inside the 30-day return window until 25 December.
    const ev = await t.call('POST', '/v1/events', purchase('ref-b-1', 'RB', undefined, '2026-11-25T10:00:00+01:00'));
    expect(ev.statusCode, ev.body).toBeLessThan(300);
    t.clock.set('2026-12-01T12:00:00Z');
    expect((await t.call('POST', '/v1/referrals/run', {})).json()).toEqual({ paid: 0, capped: 0 });
    t.clock.set('2027-01-10T12:00:00Z');
    expect((await t.call('POST', '/v1/referrals/run', {})).json()).toEqual({ paid: 1, capped: 0 });
    expect((await t.call('POST', '/v1/referrals/run', {})).json()).toEqual({ paid: 0, capped: 0 });
    expect(Number((await wallet(t.database.db, t.programId, ids.mA!)).available)).toBe(500);
    expect(Number((await wallet(t.database.db, t.programId, ids.mB!)).available)).toBe(200);
    const list = (await t.call('GET', `/v1/referrals?referrerMemberId=${ids.mA}`)).json().data;
    expect(list).toMatchObject([{ status: 'paid', referrerPoints: 500, refereePoints: 200 }]);
  });

  it('caps the referrer per period: over the cap only the referred side is paid', async () => {
    const codeA = await codeOf(ids.mA!);
    expect((await refer(codeA, ids.D!, ids.mD)).statusCode).toBe(201);
    const ev = await t.call('POST', '/v1/events', purchase('ref-d-1', 'RD', undefined, '2026-11-25T11:00:00+01:00'));
    expect(ev.statusCode, ev.body).toBeLessThan(300);
    t.clock.set('2027-02-20T12:00:00Z');
    expect((await t.call('POST', '/v1/referrals/run', {})).json()).toEqual({ paid: 0, capped: 1 });
    expect(Number((await wallet(t.database.db, t.programId, ids.mA!)).available)).toBe(500);
    expect(Number((await wallet(t.database.db, t.programId, ids.mD!)).available)).toBe(200);
    await expectLedgerConsistent(t.database.db, t.programId);
  });

  it('keeps every refused attempt with its reason, newest first (an unknown code is not kept)', async () => {
    const r = await t.call('GET', '/v1/referrals/refusals');
    expect(r.statusCode, r.body).toBe(200);
    const reasons = (r.json().data as Array<{ reason: string; reasonText: string; source: string }>).map((x) => x.reason);
    expect(reasons.sort()).toEqual(
      ['referral_already_referred', 'referral_circular', 'referral_code_reused', 'referral_same_company', 'referral_same_domain', 'referral_self'].sort(),
    );
    const first = r.json().data[0];
    expect(first).toMatchObject({ source: 'api', refereeName: expect.any(String) });
    expect(first.reasonText.length).toBeGreaterThan(10);
  });

  it('the shared link opens the portal at its root, carrying the code', async () => {
    const r = (await t.call('GET', `/v1/members/${ids.mA}/referral-code`)).json();
    expect(r.link).toBe(`${t.config.publicUrl}/?ref=${r.code}`);
  });

  it('a member applies the code they came with once; a company that already bought is too late', async () => {
    const portal = async (memberId: string, body: unknown) => {
      const { rows } = await sql<{ email: string }>`SELECT email FROM members WHERE program_id = ${t.programId} AND id = ${memberId}`.execute(t.database.db);
      const { token, session } = await createSession(t.database.db, { kind: 'member', email: rows[0]!.email }, t.clock());
      await chooseSessionMember(t.database.db, session.id, t.programId, memberId);
      return t.app.inject({ method: 'POST', url: '/portal/v1/referral', headers: { cookie: `lojal_member=${token}`, 'x-csrf-token': csrfTokenFor(session) }, payload: body as object });
    };
    const codeA = await codeOf(ids.mA!);
    const ok = await portal(ids.mC!, { code: codeA });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ status: 'pending', referrerCompany: 'Company RA' });
    const again = await portal(ids.mC!, { code: codeA });
    expect({ status: again.statusCode, code: again.json().code }).toEqual({ status: 409, code: 'referral_code_reused' });

    ids.F = await seedAccount(t, 'RF');
    ids.mF = await seedMember(t, ids.F, 'RMF');
    await setEmail(ids.mF, 'person@f-company.se');
    const bought = await t.call('POST', '/v1/events', purchase('ref-f-1', 'RF', undefined, '2026-11-26T10:00:00+01:00'));
    expect(bought.statusCode, bought.body).toBeLessThan(300);
    const late = await portal(ids.mF, { code: codeA });
    expect({ status: late.statusCode, code: late.json().code }).toEqual({ status: 409, code: 'referral_too_late' });
    const refusals = (await t.call('GET', '/v1/referrals/refusals?limit=2')).json().data;
    expect(refusals[0]).toMatchObject({ reason: 'referral_too_late', source: 'portal', refereeName: 'Company RF' });
    expect(refusals[1]).toMatchObject({ reason: 'referral_code_reused', source: 'portal' });
  });
});
