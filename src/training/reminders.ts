/**
 * The reminder job: a member whose certificate expires within 30 days is told once per certificate — by
 * mail through the outbox (when they have an address) and in the portal (the certificate shows as expiring
 * soon from then on). The mark and the mail are written in one conditional update and its transaction, so
 * two workers running the job at once, or a run repeated, tell each member once. The mail links to the course in
 * the portal, where the member renews the certificate (src/training/renewals.ts).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isLanguage, type Language } from '../i18n/index.js';
import { enqueueMails, mailDate, type MailRequest } from '../mail/index.js';
import { REMIND_DAYS } from './certificates.js';

const BATCH = 500;

export interface ReminderReport {
  reminded: number;
  mailed: number;
}

/** `publicUrl` (LOJAL_PUBLIC_URL) makes the mail's link to the course, where the member renews the certificate. */
export async function runCertificateReminders(db: Db, now: Date, publicUrl = ''): Promise<ReminderReport> {
  const report: ReminderReport = { reminded: 0, mailed: 0 };
  const until = new Date(now.getTime() + REMIND_DAYS * 86_400_000);
  for (;;) {
    const n = await db.transaction().execute(async (trx) => {
      const due = await sql<{ program_id: string; id: string; course_title: string; expires_at: Date; language: string; email: string | null; name: string; time_zone: string; program_name: string; code: string; course_id: string }>`
        WITH due AS (
          SELECT program_id, id FROM certificates
          WHERE reminded_at IS NULL AND revoked_at IS NULL AND replaced_by IS NULL AND expires_at > ${now} AND expires_at <= ${until}
          ORDER BY program_id, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED
        )
        UPDATE certificates c SET reminded_at = ${now}
        FROM due, members m, programs p
        WHERE c.program_id = due.program_id AND c.id = due.id
          AND m.program_id = c.program_id AND m.id = c.member_id AND p.id = c.program_id
        RETURNING c.program_id, c.id, c.course_id, c.course_title, c.expires_at, c.language, c.code, m.email, m.name, p.time_zone, p.name AS program_name`.execute(trx);
      const byProgram = new Map<string, MailRequest[]>();
      for (const r of due.rows) {
        if (!r.email) continue;
        const language: Language = isLanguage(r.language) ? r.language : 'en';
        const mails = byProgram.get(r.program_id) ?? [];
        mails.push({
          template: 'certificate_expiring',
          to: r.email,
          language,
          params: { name: r.name, course: r.course_title, program: r.program_name, expires: mailDate(new Date(r.expires_at), language, r.time_zone), code: r.code, link: `${publicUrl}/courses/${r.course_id}` },
        });
        byProgram.set(r.program_id, mails);
      }
      for (const [programId, mails] of byProgram) {
        await enqueueMails(trx, programId, mails, now);
        report.mailed += mails.length;
      }
      return due.rows.length;
    });
    report.reminded += n;
    if (n < BATCH) return report;
  }
}
