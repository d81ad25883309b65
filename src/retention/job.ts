/**
 * A program that cleans itself (seeds 000, 001): members inactive for the configured months are reminded once
 * per spell of inactivity, and after more months deactivated — their points follow the program's leaver policy
 * (people/deactivation). Owners of a tier whose period ends soon and who lack what keeping it needs are told how
 * much, once per period. A notice row (member, kind, occasion) is written with its message, so reruns are silent.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { deactivateMember } from '../people/deactivation.js';
import { getProgram, type Program } from '../programs/programs.js';
import { windowEndingAt } from '../tiers/evaluate.js';
import { getTierConfig, qualifyingTotals } from '../tiers/store.js';
import { mailDate } from '../mail/index.js';
import { formatMoney } from '../ledger/explain.js';
import { memberLanguage, notifyMember, type NoticeMember } from '../surprises/notify.js';

export const inactivitySettingsSchema = z
  .object({
    enabled: z.boolean(),
    remindAfterMonths: z.number().int().min(1).max(120).describe('Months without activity (purchase, portal visit) before a reminder'),
    deactivateAfterMonths: z.number().int().min(1).max(120).describe('Months without activity before the member is deactivated; more than remindAfterMonths'),
    tierWarningDays: z.number().int().min(0).max(365).describe('Days before a tier period ends when an owner short of keeping its tier is told what it needs; 0: never'),
  })
  .strict()
  .meta({ id: 'InactivitySettings', description: 'When inactive members are reminded and deactivated, and when tier holders are warned.' });
export type InactivitySettings = z.output<typeof inactivitySettingsSchema>;

const defaults: InactivitySettings = { enabled: false, remindAfterMonths: 11, deactivateAfterMonths: 12, tierWarningDays: 30 };

export async function getInactivitySettings(db: Db, programId: string): Promise<InactivitySettings> {
  const { rows } = await sql<{ enabled: boolean; remind_after_months: number; deactivate_after_months: number; tier_warning_days: number }>`
    SELECT enabled, remind_after_months, deactivate_after_months, tier_warning_days FROM inactivity_settings WHERE program_id = ${programId}`.execute(db);
  const r = rows[0];
  return r ? { enabled: r.enabled, remindAfterMonths: r.remind_after_months, deactivateAfterMonths: r.deactivate_after_months, tierWarningDays: r.tier_warning_days } : defaults;
}

export async function saveInactivitySettings(db: Db, programId: string, s: InactivitySettings, now: Date): Promise<InactivitySettings> {
  if (s.deactivateAfterMonths <= s.remindAfterMonths) throw new LojalError('inactivity_months_reversed', { remind: s.remindAfterMonths, deactivate: s.deactivateAfterMonths });
  await sql`
    INSERT INTO inactivity_settings (program_id, enabled, remind_after_months, deactivate_after_months, tier_warning_days, updated_at)
    VALUES (${programId}, ${s.enabled}, ${s.remindAfterMonths}, ${s.deactivateAfterMonths}, ${s.tierWarningDays}, ${now})
    ON CONFLICT (program_id) DO UPDATE SET enabled = excluded.enabled, remind_after_months = excluded.remind_after_months,
      deactivate_after_months = excluded.deactivate_after_months, tier_warning_days = excluded.tier_warning_days, updated_at = excluded.updated_at`.execute(db);
  return s;
}

export interface RetentionReport {
  reminded: number;
  deactivated: number;
  tierWarnings: number;
}

type Inactive = NoticeMember & { last_active: string };

/** Active members whose latest purchase, portal visit or joining is older than `months`, with that date. */
async function inactiveMembers(db: Db, programId: string, months: number, now: Date): Promise<Inactive[]> {
  const { rows } = await sql<Inactive>`
    SELECT * FROM (
      SELECT m.id, m.name, m.email, m.language,
        to_char(greatest(m.created_at,
          (SELECT max(e.occurred_at) FROM events e WHERE e.program_id = m.program_id AND e.account_id = m.account_id AND e.member_id = m.id),
          (SELECT max(ws.last_seen_at) FROM web_sessions ws WHERE ws.program_id = m.program_id AND ws.kind = 'member' AND ws.member_id = m.id)
        ) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last_active,
        greatest(m.created_at,
          (SELECT max(e.occurred_at) FROM events e WHERE e.program_id = m.program_id AND e.account_id = m.account_id AND e.member_id = m.id),
          (SELECT max(ws.last_seen_at) FROM web_sessions ws WHERE ws.program_id = m.program_id AND ws.kind = 'member' AND ws.member_id = m.id)) AS at
      FROM members m WHERE m.program_id = ${programId} AND m.status = 'active') x
    WHERE x.at < ${now}::timestamptz - make_interval(months => ${months})
    ORDER BY x.id LIMIT 5000`.execute(db);
  return rows;
}

async function claimNotice(trx: Db, programId: string, memberId: string, kind: string, occasion: string, now: Date): Promise<boolean> {
  const { rows } = await sql`
    INSERT INTO retention_notices (program_id, member_id, kind, occasion, sent_at) VALUES (${programId}, ${memberId}, ${kind}, ${occasion}, ${now})
    ON CONFLICT DO NOTHING RETURNING member_id`.execute(trx);
  return rows.length > 0;
}

async function remindAndDeactivate(db: Db, program: Program, s: InactivitySettings, now: Date, report: RetentionReport): Promise<void> {
  for (const m of await inactiveMembers(db, program.id, s.remindAfterMonths, now)) {
    const sent = await db.transaction().execute(async (trx) => {
      if (!(await claimNotice(trx, program.id, m.id, 'inactivity_reminder', m.last_active, now))) return false;
      const months = s.deactivateAfterMonths - s.remindAfterMonths;
      await notifyMember(trx, program, m, { titleKey: 'retention:reminder.title', bodyKey: 'retention:reminder.body', params: { months, program: program.name } }, 'system:inactivity', now);
      return true;
    });
    if (sent) report.reminded++;
  }
  for (const m of await inactiveMembers(db, program.id, s.deactivateAfterMonths, now)) {
    // Only after the reminder of this same spell of inactivity, and as long after it as the reminder said: a member
    // inactive for years when the setting is switched on is still warned first.
    const { rows } = await sql`SELECT 1 FROM retention_notices WHERE program_id = ${program.id} AND member_id = ${m.id} AND kind = 'inactivity_reminder'
      AND occasion = ${m.last_active} AND sent_at <= ${now}::timestamptz - make_interval(months => ${s.deactivateAfterMonths - s.remindAfterMonths})`.execute(db);
    if (rows.length === 0) continue;
    const out = await deactivateMember(db, program, m.id, 'system:inactivity', now);
    if (out.changed) {
      await sql`INSERT INTO retention_notices (program_id, member_id, kind, occasion, sent_at) VALUES (${program.id}, ${m.id}, 'inactivity_deactivated', ${m.last_active}, ${now})
        ON CONFLICT DO NOTHING`.execute(db);
      report.deactivated++;
    }
  }
}

/** Tier owners whose period ends within the warning days and whose total in the deciding window is short of their level. */
async function warnTierHolders(db: Db, program: Program, s: InactivitySettings, now: Date, report: RetentionReport): Promise<void> {
  if (s.tierWarningDays === 0) return;
  const config = await getTierConfig(db, program.id);
  if (!config) return;
  const { rows } = await sql<{ owner_kind: 'account' | 'member'; owner_id: string; level_code: string; period_end: Date | string }>`
    SELECT owner_kind, owner_id, level_code, period_end FROM tier_status
    WHERE program_id = ${program.id} AND level_code IS NOT NULL AND period_end > ${now}
      AND period_end <= ${now}::timestamptz + make_interval(days => ${s.tierWarningDays}) AND (frozen_until IS NULL OR frozen_until < period_end)`.execute(db);
  for (const r of rows) {
    const level = config.levels.find((l) => l.code === r.level_code);
    if (!level) continue;
    const periodEnd = new Date(r.period_end);
    const window = windowEndingAt(config.settings, periodEnd, program.timeZone);
    const total = (await qualifyingTotals(db, program.id, config.settings.basis, r.owner_kind, window, [r.owner_id], config.chain)).get(r.owner_id) ?? 0;
    const missing = level.threshold - total;
    if (missing <= 0) continue;
    const { rows: people } = await sql<NoticeMember>`
      SELECT id, name, email, language FROM members WHERE program_id = ${program.id} AND status = 'active'
        AND ${r.owner_kind === 'account' ? sql`account_id = ${r.owner_id}` : sql`id = ${r.owner_id}`} ORDER BY id`.execute(db);
    for (const m of people) {
      const lng = memberLanguage(m, program.defaultLanguage);
      const sent = await db.transaction().execute(async (trx) => {
        if (!(await claimNotice(trx, program.id, m.id, 'tier_at_risk', `${r.owner_kind}:${r.owner_id}:${periodEnd.toISOString()}`, now))) return false;
        const params = { level: level.names[lng] ?? level.code, missing: config.settings.basis === 'amount' ? formatMoney(missing, program.currency, lng) : String(missing), until: mailDate(periodEnd, lng, program.timeZone), basis: config.settings.basis };
        await notifyMember(trx, program, m, { titleKey: 'retention:tier.title', bodyKey: `retention:tier.${config.settings.basis}`, params }, 'system:tiers', now);
        return true;
      });
      if (sent) report.tierWarnings++;
    }
  }
}

export async function runRetention(db: Db, now: Date, only?: { programId: string }): Promise<RetentionReport> {
  const report: RetentionReport = { reminded: 0, deactivated: 0, tierWarnings: 0 };
  const { rows } = await sql<{ program_id: string }>`
    SELECT program_id FROM inactivity_settings WHERE enabled ${only ? sql`AND program_id = ${only.programId}` : sql``} ORDER BY 1`.execute(db);
  for (const { program_id } of rows) {
    const program = (await getProgram(db, program_id))!;
    const s = await getInactivitySettings(db, program_id);
    await remindAndDeactivate(db, program, s, now, report);
    await warnTierHolders(db, program, s, now, report);
  }
  return report;
}
