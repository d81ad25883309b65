import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnboardingJobs } from '../../src/onboarding/complete.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { expectLedgerConsistent } from '../support/ledger.js';
import { peopleWorld, type PeopleWorld } from './world.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const n = (en: string, sv: string) => ({ en, sv, nb: `${en} (nb)`, pl: `${en} (pl)`, de: `${en} (de)` });
const checklist = {
  steps: [
    { code: 'complete_profile', names: n('Complete your profile', 'Fyll i din profil'), points: 50, completion: { kind: 'profile', fields: ['email', 'phone', 'language'] } },
    { code: 'first_order', names: n('First order', 'Första beställningen'), points: 100, completion: { kind: 'event', eventType: 'purchase' } },
    { code: 'first_login', names: n('First login', 'Första inloggningen'), points: 10, completion: { kind: 'event', eventType: 'app.login' } },
    { code: 'safety_course', names: n('Safety course', 'Säkerhetskursen'), points: 40, completion: { kind: 'event', eventType: 'training.completed', attribute: 'course', equals: 'safety' } },
  ],
};
const recently = () => new Date(t.clock().getTime() - 60_000).toISOString();
const order = (id: string, account: string, member: string) => ({ id, type: 'purchase', occurredAt: recently(), account, member, lines: [{ sku: 'PLANK', quantity: 1, amount: 1000 }] });
const onboardingJournals = async (w: PeopleWorld) =>
  (await t.database.db.selectFrom('journals').select('idempotency_key').where('program_id', '=', w.programId).where('idempotency_key', 'like', 'onboarding:%').execute()).map((j) => j.idempotency_key).sort();

describe('the checklist', () => {
  it('is refused with a code twice or a name missing, and turned off by an empty list', async () => {
    const w = await peopleWorld(t);
    expect((await w.call('GET', '/v1/onboarding')).json().code).toBe('onboarding_not_configured');
    const twice = await w.call('PUT', '/v1/onboarding', { steps: [checklist.steps[1], checklist.steps[1]] });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().code).toBe('invalid_onboarding');
    const noGerman = structuredClone(checklist);
    delete (noGerman.steps[0]!.names as Partial<Record<string, string>>).de;
    expect((await w.call('PUT', '/v1/onboarding', noGerman)).json().code).toBe('validation_failed');
    expect((await w.call('PUT', '/v1/onboarding', checklist)).statusCode).toBe(200);
    expect((await w.call('GET', '/v1/onboarding')).json().steps.map((s: { code: string }) => s.code)).toEqual(checklist.steps.map((s) => s.code));
    expect((await w.call('GET', '/v1/program')).statusCode).toBe(200);
    expect((await w.call('PUT', '/v1/onboarding', { steps: [] })).statusCode).toBe(200);
    expect((await w.call('GET', `/v1/members/${w.mem.staff1}/onboarding`)).json().code).toBe('onboarding_not_configured');
    // Off again: events earn as without a checklist.
    expect((await w.call('POST', '/v1/events', order('E0', 'BR-1', 'P-S1'))).statusCode).toBe(201);
    expect(await onboardingJournals(w)).toEqual([]);
  });
});

describe('completing steps', () => {
  it('by events, once each, with the condition; by profile through the job', async () => {
    const w = await peopleWorld(t);
    await w.call('PUT', '/v1/onboarding', checklist);
    const start = (await w.call('GET', `/v1/members/${w.mem.staff1}/balance`)).json().available as number;

    const first = await w.call('POST', '/v1/events', order('O1', 'BR-1', 'P-S1'));
    const earnedByRules = first.json().postings.filter((p: { walletId: string }) => p.walletId === w.mem.staff1).reduce((s: number, p: { points: number }) => s + p.points, 0);
    await w.call('POST', '/v1/events', order('O2', 'BR-1', 'P-S1'));
    const second = (await w.call('GET', '/v1/events/O2')).json();
    const secondForAnna = second.postings.filter((p: { walletId: string }) => p.walletId === w.mem.staff1).reduce((s: number, p: { points: number }) => s + p.points, 0);
    await w.call('POST', '/v1/events', { events: [
      { id: 'L1', type: 'app.login', occurredAt: recently(), account: 'BR-1', member: 'P-S1' },
      { id: 'C1', type: 'training.completed', occurredAt: recently(), account: 'BR-1', member: 'P-S1', attributes: { course: 'forklift' } },
    ] });
    let v = (await w.call('GET', `/v1/members/${w.mem.staff1}/onboarding`)).json();
    expect(v.steps.map((s: { code: string; done: boolean }) => [s.code, s.done])).toEqual([
      ['complete_profile', false], ['first_order', true], ['first_login', true], ['safety_course', false],
    ]);
    await w.call('POST', '/v1/events', { id: 'C2', type: 'training.completed', occurredAt: recently(), account: 'BR-1', member: 'P-S1', attributes: { course: 'safety' } });

    // Anna has e-mail and language but no phone: the profile step waits.
    expect(await runOnboardingJobs(t.database.db, t.clock())).toBeGreaterThanOrEqual(0);
    expect((await w.call('GET', `/v1/members/${w.mem.staff1}/onboarding`)).json().steps[0].done).toBe(false);
    await w.call('PATCH', `/v1/members/${w.mem.staff1}`, { phone: '+46 70 123 45 67' });
    await runOnboardingJobs(t.database.db, t.clock());
    await runOnboardingJobs(t.database.db, t.clock());

    v = (await t.call('GET', `/v1/members/${w.mem.staff1}/onboarding`, undefined, w.key)).json();
    expect(v).toMatchObject({ done: 4, total: 4, pointsEarned: 200, pointsToEarn: 0 });
    expect(v.steps[0].name).toBe('Complete your profile');
    const sv = await t.app.inject({ method: 'GET', url: `/v1/members/${w.mem.staff1}/onboarding`, headers: { authorization: `Bearer ${w.key}`, 'accept-language': 'sv' } });
    expect(sv.json().steps.map((s: { name: string }) => s.name)).toEqual(['Fyll i din profil', 'Första beställningen', 'Första inloggningen', 'Säkerhetskursen']);
    const balance = (await w.call('GET', `/v1/members/${w.mem.staff1}/balance`)).json().available as number;
    const loginPoints = 10; // the standard app-login rule
    expect(balance - start).toBe(earnedByRules + secondForAnna + loginPoints + 200);
    expect(await onboardingJournals(w)).toEqual(
      ['complete_profile', 'first_login', 'first_order', 'safety_course'].map((c) => `onboarding:${w.mem.staff1}:${c}`),
    );
    const history = (await w.call('GET', `/v1/members/${w.mem.staff1}/history`)).json().data.map((h: { description: string }) => h.description);
    expect(history).toContain('Onboarding step: Complete your profile');
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});

describe.runIf(onPostgres)('onboarding under concurrency (PostgreSQL)', () => {
  it('pays a step once when its events arrive at the same moment, and the job racing itself pays once', async () => {
    const w = await peopleWorld(t);
    await w.call('PUT', '/v1/onboarding', checklist);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => w.call('POST', '/v1/events', order(`PO${i}`, 'BR-2', 'P-S2'))));
    for (const a of answers) expect(a.statusCode, a.body).toBe(201);
    await w.call('PATCH', `/v1/members/${w.mem.staff2}`, { phone: '+47 912 34 567' });
    await Promise.all([runOnboardingJobs(t.database.db, t.clock()), runOnboardingJobs(t.database.db, t.clock()), runOnboardingJobs(t.database.db, t.clock())]);
    const mine = (await onboardingJournals(w)).filter((k) => k.includes(w.mem.staff2));
    expect(mine).toEqual([`onboarding:${w.mem.staff2}:complete_profile`, `onboarding:${w.mem.staff2}:first_order`]);
    await expectLedgerConsistent(t.database.db, w.programId);
  });
});

describe('what an event paid, said in words', () => {
  it('the answer counts the onboarding points the event paid, and the history names the event and the step in the reader’s language', async () => {
    const w = await peopleWorld(t);
    await w.call('PUT', '/v1/onboarding', checklist);
    const answer = (await w.call('POST', '/v1/events', order('W1', 'BR-1', 'P-S1'))).json();
    expect(answer.onboarding).toEqual([expect.objectContaining({ step: 'first_order', memberId: w.mem.staff1, points: 100, reason: 'Onboarding step: First order' })]);
    expect(answer.totalPoints).toBe(answer.points + 100);

    const sv = { authorization: `Bearer ${w.key}`, 'accept-language': 'sv' };
    const again = (await t.app.inject({ method: 'GET', url: '/v1/events/W1', headers: sv })).json();
    expect(again.totalPoints).toBe(answer.totalPoints);
    expect(again.onboarding[0].reason).toContain('Första beställningen');

    const history = (await t.app.inject({ method: 'GET', url: `/v1/members/${w.mem.staff1}/history`, headers: sv })).json().data as Array<{ kind: string; description: string; eventExternalId: string | null }>;
    expect(history.map((h) => h.description)).toContainEqual(expect.stringContaining('Första beställningen'));
    // The points the rules paid, to the member or the company: the event's kind in words, its id and the rules.
    type Line = { kind: string; description: string; eventExternalId: string | null };
    const lines = async (url: string, headers: Record<string, string>) =>
      ((await t.app.inject({ method: 'GET', url, headers })).json().data as Line[]).filter((h) => h.kind === 'earn' && h.eventExternalId === 'W1');
    const en = { authorization: `Bearer ${w.key}` };
    const earnedEn = [...(await lines(`/v1/members/${w.mem.staff1}/history`, en)), ...(await lines('/v1/accounts/ext:BR-1/history', en))];
    expect(earnedEn.length).toBeGreaterThan(0);
    for (const line of earnedEn) expect(line.description).toMatch(/^Purchase W1: points from \S/);
    const earnedSv = await lines('/v1/accounts/ext:BR-1/history', sv);
    for (const line of earnedSv) expect(line.description).toMatch(/^Köp W1: poäng från \S/);
  });
});
