/**
 * The demo's recognition: surprises (birthdays of a tenth of the people, Christmas, the 10th order, gold reached)
 * paid over the past year as the job would have paid them — it runs once a week of the year, and its week of
 * catch-up pays every day between runs exactly once — plus a few referrals between companies, and the inactivity
 * settings (off, so the demo keeps its people).
 */
import { sql } from 'kysely';
import { upsertAccounts, upsertMembers } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import { localDate } from '../rules/calendar.js';
import { payReferrals, recordReferral, referralCodeOf, saveReferralSettings } from '../referrals/store.js';
import { saveInactivitySettings } from '../retention/job.js';
import { runSurprises } from '../surprises/job.js';
import { saveSurprise, setBirthday, surpriseInputSchema } from '../surprises/store.js';

const day = 86_400_000;

export async function seedRecognition(db: Db, program: Program, now: Date): Promise<void> {
  const pid = program.id;
  const yearAgo = new Date(now.getTime() - 365 * day);
  const { rows: people } = await sql<{ id: string; external_id: string }>`
    SELECT id, external_id FROM members WHERE program_id = ${pid} AND status = 'active' ORDER BY external_id`.execute(db);
  // P10001 (the portal's demo member) had a birthday 40 days ago; every tenth person has one spread over the year.
  const p10001 = people.find((p) => p.external_id === 'P10001');
  for (const [i, p] of people.entries()) {
    if (p !== p10001 && i % 10 !== 3) continue;
    const at = localDate(new Date(now.getTime() - (p === p10001 ? 40 : (i * 37) % 365) * day), program.timeZone);
    await setBirthday(db, pid, p.id, { month: at.month, day: at.day, year: i % 20 === 3 ? 1970 + (i % 30) : null }, yearAgo);
  }
  const save = (s: Record<string, unknown>, at: Date) => saveSurprise(db, program, surpriseInputSchema.parse(s), at);
  await save({ key: 'birthday', kind: 'birthday', points: 500, message: { sv: 'Grattis på födelsedagen, {{name}}! Vi har satt in {{points}} poäng på ditt konto.' } }, yearAgo);
  await save({ key: 'christmas', kind: 'seasonal', month: 12, day: 24, points: 200 }, yearAgo);
  await save({ key: 'anniversary', kind: 'anniversary', points: 300 }, yearAgo);
  for (let at = yearAgo.getTime() + 7 * day; at <= now.getTime(); at += 7 * day) await runSurprises(db, new Date(at), { programId: pid });
  // Milestones are paid when they are reached: switched on today, they celebrate what the history reached.
  await save({ key: 'tenth-order', kind: 'orders', threshold: 10, points: 250 }, now);
  await save({ key: 'gold', kind: 'tier', tierKey: 'gold', points: 1000 }, now);
  await save({ key: 'points-100k', kind: 'lifetime_points', threshold: 100_000, points: 2000 }, now);
  await runSurprises(db, now, { programId: pid });

  // Referrals: P10001 brought in three companies. Two bought long enough ago to be paid; the third, a roofing firm
  // that joined through the link three weeks ago, has not bought yet and is waiting. Three attempts were refused,
  // each kept with its reason: a branch of P10001's own chain, a referred company trying to refer P10001's chain
  // back, and a company that was already buying when its person applied a code in the portal.
  await saveReferralSettings(db, pid, { enabled: true, referrerPoints: 1000, refereePoints: 500, capCount: 5, capPeriod: 'year' }, yearAgo);
  if (p10001) {
    const code = await referralCodeOf(db, pid, p10001.id, yearAgo);
    const { rows: referees } = await sql<{ id: string; external_id: string; member_id: string | null }>`
      SELECT a.id, a.external_id, (SELECT m.id FROM members m WHERE m.program_id = a.program_id AND m.account_id = a.id AND m.status = 'active' ORDER BY m.external_id LIMIT 1) AS member_id
      FROM accounts a WHERE a.program_id = ${pid} AND a.parent_id IS NULL AND a.external_id LIKE 'K2%' ORDER BY a.external_id DESC LIMIT 3`.execute(db);
    const attempt = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch {
        // Refused: kept in the refusals with its reason, which is what the demo shows.
      }
    };
    for (const [i, r] of referees.slice(0, 2).entries()) {
      await attempt(() => recordReferral(db, pid, { code, accountId: r.id, memberId: r.member_id }, new Date(now.getTime() - (200 - i * 90) * day)));
    }
    await upsertAccounts(db, pid, [{ externalId: 'K4001', name: 'Takläggarna i Norr AB', segment: 'installer', country: 'SE', tags: ['referred'] }], now);
    await upsertMembers(db, pid, [{ externalId: 'P40001', accountExternalId: 'K4001', name: 'Hanna Lundgren', email: 'hanna.lundgren@taklaggarna-i-norr-k4001.example', role: 'owner', language: 'sv' }], now);
    const { rows: newco } = await sql<{ id: string; member_id: string }>`
      SELECT a.id, m.id AS member_id FROM accounts a JOIN members m ON m.program_id = a.program_id AND m.account_id = a.id
      WHERE a.program_id = ${pid} AND a.external_id = 'K4001' AND m.external_id = 'P40001'`.execute(db);
    if (newco[0]) await attempt(() => recordReferral(db, pid, { code, accountId: newco[0]!.id, memberId: newco[0]!.member_id, source: 'portal' }, new Date(now.getTime() - 21 * day)));

    const { rows: ownBranch } = await sql<{ id: string }>`
      SELECT a.id FROM accounts a JOIN members m ON m.program_id = a.program_id AND m.account_id = a.parent_id
      WHERE a.program_id = ${pid} AND m.id = ${p10001.id} ORDER BY a.external_id LIMIT 1`.execute(db);
    if (ownBranch[0]) await attempt(() => recordReferral(db, pid, { code, accountId: ownBranch[0]!.id }, new Date(now.getTime() - 150 * day)));
    const first = referees[0];
    if (first?.member_id) {
      const back = await referralCodeOf(db, pid, first.member_id, now);
      const { rows: own } = await sql<{ account_id: string }>`SELECT account_id FROM members WHERE program_id = ${pid} AND id = ${p10001.id}`.execute(db);
      await attempt(() => recordReferral(db, pid, { code: back, accountId: own[0]!.account_id }, new Date(now.getTime() - 60 * day)));
    }
    const buying = referees[2];
    if (buying) await attempt(() => recordReferral(db, pid, { code, accountId: buying.id, memberId: buying.member_id, source: 'portal' }, new Date(now.getTime() - 10 * day)));
    await payReferrals(db, program, now);
  }
  await saveInactivitySettings(db, pid, { enabled: false, remindAfterMonths: 11, deactivateAfterMonths: 12, tierWarningDays: 30 }, now);
}
