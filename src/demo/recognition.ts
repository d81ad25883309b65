/**
 * The demo's recognition: surprises (birthdays of a tenth of the people, Christmas, the 10th order, gold reached)
 * paid over the past year as the job would have paid them — it runs once a week of the year, and its week of
 * catch-up pays every day between runs exactly once — plus a few referrals between companies, and the inactivity
 * settings (off, so the demo keeps its people).
 */
import { sql } from 'kysely';
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

  // Referrals: P10001 brought in three companies; two bought long enough ago to be paid, one is waiting.
  await saveReferralSettings(db, pid, { enabled: true, referrerPoints: 1000, refereePoints: 500, capCount: 5, capPeriod: 'year' }, yearAgo);
  if (p10001) {
    const code = await referralCodeOf(db, pid, p10001.id, yearAgo);
    const { rows: referees } = await sql<{ id: string; member_id: string | null }>`
      SELECT a.id, (SELECT m.id FROM members m WHERE m.program_id = a.program_id AND m.account_id = a.id AND m.status = 'active' ORDER BY m.external_id LIMIT 1) AS member_id
      FROM accounts a WHERE a.program_id = ${pid} AND a.parent_id IS NULL ORDER BY a.external_id DESC LIMIT 8`.execute(db);
    let recorded = 0;
    for (const r of referees) {
      if (recorded === 3) break;
      try {
        await recordReferral(db, pid, { code, accountId: r.id, memberId: r.member_id }, new Date(now.getTime() - (200 - recorded * 90) * day));
        recorded += 1;
      } catch {
        // A company of P10001's own group or e-mail domain is refused, as it should be. The generated demo people
        // all have addresses at example.com, so today every candidate is refused (noted for the next session).
      }
    }
    await payReferrals(db, program, now);
  }
  await saveInactivitySettings(db, pid, { enabled: false, remindAfterMonths: 11, deactivateAfterMonths: 12, tierWarningDays: 30 }, now);
}
