/**
 * GDPR erasure of one member. What identifies the person goes for good: name, e-mail, phone, external id,
 * tags and attributes on the member; the end customer and notes on their claims; descriptions of their
 * co-op claims; delivery address, tracking and notes on their orders; their evidence files (names and
 * bytes); the mails to their address; their sessions; the IP addresses on their consent records.
 *
 * What stays, because the program's books and other people's figures rest on it: the member row itself
 * (id, account, role, tier, dates, closed), every ledger journal and entry, orders with their points and
 * states, claims with their amounts and decisions, the consent records (the program's proof of a lawful
 * basis, without IP), and the audit log. The ledger is never written here except by the leaver policy
 * (the existing closing path), so every balance still sums.
 *
 * The audit log is hash-chained: rewriting an entry would break `audit verify`, so erasure does not touch
 * earlier entries (see docs/privacy.md for what they may hold) and records itself with counts only.
 *
 * Idempotent: the member_erasures row is written once, under the member's row lock.
 */
import { sql } from 'kysely';
import { erasedMemberName, pseudonymiseMember } from '../accounts/erasure.js';
import { lockMember } from '../accounts/index.js';
import { recordAudit, systemContext, type AuditContext } from '../audit/index.js';
import { eraseClaimTexts } from '../claims/erasure.js';
import { eraseCoopClaimTexts } from '../coop/erasure.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { eraseEvidenceRows, removeErasedBytes } from '../evidence/erasure.js';
import type { EvidenceStore } from '../evidence/store.js';
import { eraseMailsTo } from '../mail/erasure.js';
import { deactivateMember } from '../people/deactivation.js';
import { getProgram } from '../programs/programs.js';
import { eraseOrderDetails } from '../rewards/erasure.js';
import { deleteMemberSessions } from '../sessions/erasure.js';
import { blankConsentIps } from './consent.js';
import { eraseSmsTo } from '../messages/sms-outbox.js';
import { eraseInbox } from '../messages/inbox.js';
import { eraseMemberPreferences } from '../messages/channels.js';
import { forgetLastTip } from '../messages/tips.js';
import { eraseBirthday } from '../surprises/store.js';

export { findErasure, requireNotErased, type Erasure, type ErasureCounts, type ErasureReason } from './erased.js';
import { findErasure, type Erasure, type ErasureCounts, type ErasureReason, toErasure, type ErasureRow } from './erased.js';

export interface EraseOptions {
  reason: ErasureReason;
  /** Who asked, as journals record actors (`staff:<id>`, `member:<id>`, `system:retention`). */
  requestedBy: string;
  audit: AuditContext;
  now: Date;
}

/** Erases the member; `created` is false when they had been erased before (nothing done this time). */
export async function eraseMember(db: Db, store: EvidenceStore, programId: string, memberId: string, opts: EraseOptions): Promise<{ erasure: Erasure; created: boolean }> {
  const program = await getProgram(db, programId);
  if (!program) throw new LojalError('not_found', { entity: 'program', id: programId });
  const earlier = await findErasure(db, programId, memberId);
  if (earlier) return { erasure: earlier, created: false };
  // Closing first, through the people module, so the leaver policy moves the member's points as it does for
  // anyone who leaves (a ledger transfer or expiry; a no-op when closed already).
  await deactivateMember(db, program, memberId, opts.requestedBy, opts.now);

  const done = await db.transaction().execute(async (trx) => {
    const member = await lockMember(trx, programId, memberId);
    if (!member) throw new LojalError('not_found', { entity: 'member', id: memberId });
    const again = await findErasure(trx, programId, memberId);
    if (again) return { erasure: again, created: false, keys: [] };
    const evidence = await eraseEvidenceRows(trx, programId, memberId);
    const counts: ErasureCounts = {
      claims: await eraseClaimTexts(trx, programId, memberId),
      coopClaims: await eraseCoopClaimTexts(trx, programId, memberId),
      orders: await eraseOrderDetails(trx, programId, memberId),
      evidenceFiles: evidence.files,
      mails: member.email ? await eraseMailsTo(trx, programId, member.email) : 0,
      sessions: await deleteMemberSessions(trx, programId, memberId),
      consentRecords: await blankConsentIps(trx, programId, memberId),
      sms: await eraseSmsTo(trx, programId, memberId),
      inbox: await eraseInbox(trx, programId, memberId),
    };
    // A birthday is personal data; the surprises it paid stay in the ledger like any other posting.
    await eraseBirthday(trx, programId, memberId);
    // The member's channel choice and time zone, and which tip they saw last, say something about them too.
    await eraseMemberPreferences(trx, programId, memberId);
    await forgetLastTip(trx, programId, memberId);
    await pseudonymiseMember(trx, programId, memberId, opts.now);
    const rows = await sql<ErasureRow>`
      INSERT INTO member_erasures (program_id, member_id, reason, requested_by, erased_at, counts)
      VALUES (${programId}, ${memberId}, ${opts.reason}, ${opts.requestedBy}, ${opts.now}, ${JSON.stringify(counts)})
      RETURNING member_id, reason, requested_by, erased_at, counts`.execute(trx);
    // Counts only: an entry naming the person would keep in the chain what the erasure takes away.
    await recordAudit(
      trx,
      { ...opts.audit, action: 'member.erase', entity: 'member', entityId: memberId, before: null, after: { reason: opts.reason, name: erasedMemberName, counts } },
      opts.now,
    );
    return { erasure: toErasure(rows.rows[0]!), created: true, keys: evidence.keys };
  });
  // After the commit: a rolled-back erasure must not have lost its files.
  await removeErasedBytes(store, done.keys);
  return { erasure: done.erasure, created: done.created };
}

// ---------------------------------------------------------------- retention

export async function getRetentionMonths(db: Db, programId: string): Promise<number | null> {
  const rows = await sql<{ retention_months: number | null }>`SELECT retention_months FROM privacy_settings WHERE program_id = ${programId}`.execute(db);
  const v = rows.rows[0]?.retention_months;
  return v === undefined || v === null ? null : Number(v);
}

export async function setRetentionMonths(db: Db, programId: string, months: number | null, now: Date): Promise<void> {
  await sql`
    INSERT INTO privacy_settings (program_id, retention_months, updated_at) VALUES (${programId}, ${months}, ${now})
    ON CONFLICT (program_id) DO UPDATE SET retention_months = EXCLUDED.retention_months, updated_at = EXCLUDED.updated_at`.execute(db);
}

/** `now` minus whole calendar months (the last day of a shorter month when the day does not exist). */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * The retention job: in every program with a retention setting, erases the members closed (and unchanged
 * since) longer than that many months ago. Safe to repeat and to run in several processes: an erased
 * member has a member_erasures row and is skipped, and eraseMember checks again under the row lock.
 */
export async function runRetention(db: Db, store: EvidenceStore, now: Date, programId?: string): Promise<number> {
  const programs = await sql<{ program_id: string; retention_months: number }>`
    SELECT program_id, retention_months FROM privacy_settings
    WHERE retention_months IS NOT NULL ${programId ? sql`AND program_id = ${programId}` : sql``}`.execute(db);
  let erased = 0;
  for (const p of programs.rows) {
    const cutoff = monthsBefore(now, Number(p.retention_months));
    const due = await sql<{ id: string }>`
      SELECT m.id FROM members m
      WHERE m.program_id = ${p.program_id} AND m.status = 'closed' AND m.updated_at < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM member_erasures e WHERE e.program_id = m.program_id AND e.member_id = m.id)
      ORDER BY m.id`.execute(db);
    for (const { id } of due.rows) {
      const audit = systemContext(p.program_id, 'retention job', now);
      const r = await eraseMember(db, store, p.program_id, id, { reason: 'retention', requestedBy: 'system:retention', audit, now });
      if (r.created) erased++;
    }
  }
  return erased;
}
