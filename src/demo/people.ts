/**
 * Demo data for companies and their people: a manager at the head of every chain (and at a few branches),
 * a manager allocating company points to staff, open invitations and a pending self-registration (their
 * mails wait in the outbox), a leaver, an onboarding checklist with some steps done, and volume discounts.
 */
import { getAccountByExternalId, getMemberByExternalId, renewJoinCode, updateMember } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { ingestEvents } from '../events/ingest.js';
import { adjust, transfer } from '../ledger/operations.js';
import { runOnboardingJobs } from '../onboarding/complete.js';
import { replaceChecklist } from '../onboarding/store.js';
import { getProgram, type Program } from '../programs/programs.js';
import { deactivateMember } from '../people/deactivation.js';
import { invite } from '../people/invitations.js';
import { register } from '../people/registration.js';
import { replaceVolumeConfig } from '../volume/store.js';

const publicUrl = 'http://localhost:3000';
const actor = 'demo';
const names = (en: string, sv: string, nb: string, pl: string, de: string) => ({ en, sv, nb, pl, de });

export async function seedPeople(db: Db, seeded: Program, now: Date): Promise<void> {
  const pid = seeded.id;
  // The demo's members: three per account, P10000 + 3 × account index + k; chains are accounts 0, 4, 8… (K1000…K1015).
  for (let c = 0; c < 16; c++) {
    const head = await getMemberByExternalId(db, pid, `P${10000 + c * 4 * 3 + 1}`);
    await updateMember(db, pid, head.id, { role: 'manager' }, now);
  }
  for (const branch of [1, 2, 5]) await updateMember(db, pid, (await getMemberByExternalId(db, pid, `P${10000 + branch * 3 + 2}`)).id, { role: 'manager' }, now);

  await replaceChecklist(db, pid, [
    { code: 'complete_profile', names: names('Complete your profile', 'Fyll i din profil', 'Fyll ut profilen din', 'Uzupełnij profil', 'Profil vervollständigen'), points: 100, completion: { kind: 'profile', fields: ['email', 'phone', 'language'] } },
    { code: 'first_login', names: names('First login in the app', 'Första inloggningen i appen', 'Første innlogging i appen', 'Pierwsze logowanie w aplikacji', 'Erste Anmeldung in der App'), points: 25, completion: { kind: 'event', eventType: 'app.login' } },
    { code: 'first_order', names: names('First order', 'Första beställningen', 'Første bestilling', 'Pierwsze zamówienie', 'Erste Bestellung'), points: 200, completion: { kind: 'event', eventType: 'purchase' } },
    { code: 'first_survey', names: names('Answer the first survey', 'Svara på första enkäten', 'Svar på den første undersøkelsen', 'Wypełnij pierwszą ankietę', 'Erste Umfrage beantworten'), points: 50, completion: { kind: 'event', eventType: 'survey.completed' } },
  ]);
  const program = (await getProgram(db, pid))!;

  // Staff of the first chain's branches act this week: some steps get done, by events and by a full profile.
  const staff = ['P10004', 'P10005', 'P10007', 'P10008', 'P10010'];
  for (const [i, ext] of staff.entries()) {
    if (i % 2 === 0) await updateMember(db, pid, (await getMemberByExternalId(db, pid, ext)).id, { phone: `+46 70 55${i} 12 3${i}` }, now);
  }
  const recent = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  const member = async (ext: string) => getMemberByExternalId(db, pid, ext);
  const events = [];
  for (const [i, ext] of staff.entries()) {
    const m = await member(ext);
    const account = (await db.selectFrom('accounts').select('external_id').where('program_id', '=', pid).where('id', '=', m.accountId).executeTakeFirstOrThrow()).external_id!;
    events.push({ id: `ONB-LOGIN-${ext}`, type: 'app.login', occurredAt: recent(30 - i), account, member: ext });
    if (i < 3) events.push({ id: `ONB-SURVEY-${ext}`, type: 'survey.completed', occurredAt: recent(20 - i), account, member: ext, attributes: { score: 8 + (i % 3) } });
  }
  await ingestEvents(db, program, events, { now, futureToleranceSeconds: 300 });
  await runOnboardingJobs(db, now);

  // The head of Kedjan A hands company points to a foreman at a branch; the branch got a welcome bonus first.
  const branch = await getAccountByExternalId(db, pid, 'K1000-1');
  await adjust(db, program, { walletId: branch.id, points: 2000, reasonCode: 'welcome', memo: 'Välkomstbonus för filialen', idempotencyKey: 'demo-people-welcome', actor }, now);
  const foreman = await member('P10004');
  const chainHead = await member('P10001');
  await transfer(db, program, { fromWalletId: branch.id, toWalletId: foreman.id, toName: foreman.name, points: 750, memo: 'Bra jobbat med säsongsstarten', idempotencyKey: 'demo-people-allocation', actor: `member:${chainHead.id} via ${actor}` }, now);

  // Invitations waiting to be accepted, and a person asking to join a branch by its join code.
  const invites = [
    ['K1000', 'lisa.holm@kedjan-a.example', 'Lisa Holm', 'buyer', 'sv'],
    ['K2000', 'ola.nordmann@bygg.example', 'Ola Nordmann', 'foreman', 'nb'],
    ['K1003-2', 'jan.kowalski@montage.example', 'Jan Kowalski', 'engineer', 'pl'],
  ] as const;
  for (const [ext, email, name, role, language] of invites) {
    const account = await getAccountByExternalId(db, pid, ext);
    await invite(db, program, account.id, { email, name, role, language, expiresInDays: 14, actor }, publicUrl, now);
  }
  const code = await renewJoinCode(db, pid, branch.id);
  await register(db, program, { account: code, email: 'ida.nystrom@example.com', name: 'Ida Nyström', language: 'sv', role: 'sales_rep' }, now);

  // Someone left a branch of Kedjan B; the program returns leavers' points to the company.
  await deactivateMember(db, program, (await member('P10016')).id, actor, now);

  // Volume discounts for the ERP, on what a company bought this calendar year: 2 % from 1 Mkr, 4 % from 2 Mkr, 6 % from 4 Mkr
  // (the demo's companies buy about 1 Mkr in a typical year, so some reach each level).
  await replaceVolumeConfig(db, pid, {
    basis: 'amount',
    periodKind: 'calendar_year',
    periodMonths: 12,
    levels: [
      { threshold: 100_000_000, basisPoints: 200 },
      { threshold: 200_000_000, basisPoints: 400 },
      { threshold: 400_000_000, basisPoints: 600 },
    ],
  });
}
