/**
 * Referrals: each member's code, the companies recorded as referred with it, and paying both sides once the
 * referred company's first purchase is past the return window — through the ledger, keyed per referral and side,
 * in one transaction with the referral's status, so a rerun pays nothing twice.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { chainRoots } from '../accounts/hierarchy.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { planExpiry } from '../ledger/expiry.js';
import type { CreditJournal } from '../ledger/types.js';
import { writeCredits } from '../ledger/writer.js';
import { getProgram, systemWalletId, type Program } from '../programs/programs.js';
import { periodKey } from '../rules/calendar.js';
import { notifyMember } from '../surprises/notify.js';
import { refusalOf, type Refusal } from './rules.js';

export const referralSettingsSchema = z
  .object({
    enabled: z.boolean(),
    referrerPoints: z.number().int().min(0).max(1_000_000).describe('Points for the member whose code was used'),
    refereePoints: z.number().int().min(0).max(1_000_000).describe('Points for the referred company (its member named on the referral, else the company wallet)'),
    capCount: z.number().int().min(1).max(10_000).nullable().describe('At most this many paid referrals per referrer and period; null: no cap'),
    capPeriod: z.enum(['month', 'year', 'lifetime']).describe('The period of the cap, in the program’s time zone'),
  })
  .strict()
  .meta({ id: 'ReferralSettings', description: 'What a referral pays each side, and the cap per referrer.' });
export type ReferralSettings = z.output<typeof referralSettingsSchema>;

const defaults: ReferralSettings = { enabled: false, referrerPoints: 500, refereePoints: 250, capCount: 5, capPeriod: 'year' };

export async function getReferralSettings(db: Db, programId: string): Promise<ReferralSettings> {
  const { rows } = await sql<{ enabled: boolean; referrer_points: number; referee_points: number; cap_count: number | null; cap_period: ReferralSettings['capPeriod'] }>`
    SELECT enabled, referrer_points, referee_points, cap_count, cap_period FROM referral_settings WHERE program_id = ${programId}`.execute(db);
  const r = rows[0];
  return r ? { enabled: r.enabled, referrerPoints: r.referrer_points, refereePoints: r.referee_points, capCount: r.cap_count, capPeriod: r.cap_period } : defaults;
}

export async function saveReferralSettings(db: Db, programId: string, s: ReferralSettings, now: Date): Promise<ReferralSettings> {
  await sql`
    INSERT INTO referral_settings (program_id, enabled, referrer_points, referee_points, cap_count, cap_period, updated_at)
    VALUES (${programId}, ${s.enabled}, ${s.referrerPoints}, ${s.refereePoints}, ${s.capCount}, ${s.capPeriod}, ${now})
    ON CONFLICT (program_id) DO UPDATE SET enabled = excluded.enabled, referrer_points = excluded.referrer_points, referee_points = excluded.referee_points,
      cap_count = excluded.cap_count, cap_period = excluded.cap_period, updated_at = excluded.updated_at`.execute(db);
  return s;
}

/** No 0/O, 1/I/L: a code read aloud or typed from paper still works. */
const codeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const newCode = () => Array.from({ length: 8 }, () => codeAlphabet[randomInt(codeAlphabet.length)]).join('');

/** The member's code, made on first ask (a clash with another member's code picks another). */
export async function referralCodeOf(db: Db, programId: string, memberId: string, now: Date): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { rows } = await sql<{ code: string }>`
      WITH made AS (
        INSERT INTO referral_codes (program_id, member_id, code, created_at) VALUES (${programId}, ${memberId}, ${newCode()}, ${now})
        ON CONFLICT DO NOTHING RETURNING code)
      SELECT code FROM made UNION ALL SELECT code FROM referral_codes WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(db);
    if (rows[0]) return rows[0].code;
  }
  throw new Error('could not make a unique referral code');
}

export const normaliseCode = (code: string) => code.trim().toUpperCase().replace(/[\s-]/g, '');

export interface Referral {
  id: string;
  code: string;
  referrerMemberId: string;
  referrerName: string;
  refereeAccountId: string;
  refereeName: string;
  refereeMemberId: string | null;
  status: 'pending' | 'paid' | 'capped';
  referrerPoints: number;
  refereePoints: number;
  createdAt: Date;
  qualifiedAt: Date | null;
}

interface Row {
  id: string; code: string; referrer_member_id: string; referrer_name: string; referee_account_id: string; referee_name: string;
  referee_member_id: string | null; status: Referral['status']; referrer_points: number; referee_points: number; created_at: Date | string; qualified_at: Date | string | null;
}
const toReferral = (r: Row): Referral => ({
  id: r.id,
  code: r.code,
  referrerMemberId: r.referrer_member_id,
  referrerName: r.referrer_name,
  refereeAccountId: r.referee_account_id,
  refereeName: r.referee_name,
  refereeMemberId: r.referee_member_id,
  status: r.status,
  referrerPoints: r.referrer_points,
  refereePoints: r.referee_points,
  createdAt: new Date(r.created_at),
  qualifiedAt: r.qualified_at === null ? null : new Date(r.qualified_at),
});

export async function listReferrals(db: Db, programId: string, opts: { referrerMemberId?: string | undefined; limit: number }): Promise<Referral[]> {
  const { rows } = await sql<Row>`
    SELECT r.id, r.code, r.referrer_member_id, m.name AS referrer_name, r.referee_account_id, a.name AS referee_name, r.referee_member_id,
           r.status, r.referrer_points, r.referee_points, r.created_at, r.qualified_at
    FROM referrals r
    JOIN members m ON m.program_id = r.program_id AND m.id = r.referrer_member_id
    JOIN accounts a ON a.program_id = r.program_id AND a.id = r.referee_account_id
    WHERE r.program_id = ${programId} ${opts.referrerMemberId ? sql`AND r.referrer_member_id = ${opts.referrerMemberId}` : sql``}
    ORDER BY r.created_at DESC, r.id DESC LIMIT ${opts.limit}`.execute(db);
  return rows.map(toReferral);
}

/** Accounts up the referrer's chain of referrals: who referred this account, who referred that one, and so on. */
async function ancestryOf(db: Db, programId: string, accountId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    WITH RECURSIVE up (id, depth) AS (
      SELECT referrer_account_id, 1 FROM referrals WHERE program_id = ${programId} AND referee_account_id = ${accountId}
      UNION
      SELECT r.referrer_account_id, up.depth + 1 FROM referrals r JOIN up ON r.program_id = ${programId} AND r.referee_account_id = up.id WHERE up.depth < 100
    ) SELECT DISTINCT id FROM up`.execute(db);
  return rows.map((r) => r.id);
}

export interface ReferralInput {
  code: string;
  accountId: string;
  memberId?: string | null | undefined;
  /** Where the attempt came from; from the portal the referred company must not have bought yet. */
  source?: 'api' | 'portal';
}

/**
 * Records that a company came through a member's code, or refuses it with the reason's code. A refusal for a
 * reason about the referral (self, same company or domain, circular, reused, too late) is kept in
 * `referral_refusals` after the attempt is rolled back, so the console shows what was turned away and why.
 */
export async function recordReferral(db: Db, programId: string, input: ReferralInput, now: Date): Promise<Referral> {
  const settings = await getReferralSettings(db, programId);
  if (!settings.enabled) throw new LojalError('referrals_disabled');
  const code = normaliseCode(input.code);
  // Set inside the transaction when a rule refuses; kept once the transaction has rolled back.
  const refused: { refusal: Refusal; referrerMemberId: string }[] = [];
  try {
    return await attemptReferral(db, programId, input, code, now, refused);
  } catch (err) {
    for (const r of refused) await keepRefusal(db, programId, { ...input, code }, r.refusal, r.referrerMemberId, now);
    throw err;
  }
}

function attemptReferral(
  db: Db,
  programId: string,
  input: ReferralInput,
  code: string,
  now: Date,
  refused: { refusal: Refusal; referrerMemberId: string }[],
): Promise<Referral> {
  return db.transaction().execute(async (trx) => {
    const { rows: owners } = await sql<{ member_id: string; account_id: string; email: string | null; status: string }>`
      SELECT c.member_id, m.account_id, m.email, m.status FROM referral_codes c JOIN members m ON m.program_id = c.program_id AND m.id = c.member_id
      WHERE c.program_id = ${programId} AND c.code = ${code} FOR UPDATE OF c`.execute(trx);
    const owner = owners[0];
    if (!owner || owner.status !== 'active') throw new LojalError('referral_code_unknown', { code });
    const account = await sql<{ id: string }>`SELECT id FROM accounts WHERE program_id = ${programId} AND id = ${input.accountId}`.execute(trx);
    if (account.rows.length === 0) throw new LojalError('not_found', { entity: 'account', id: input.accountId });
    const memberId = input.memberId ?? null;
    if (memberId) {
      const m = await sql`SELECT 1 FROM members WHERE program_id = ${programId} AND id = ${memberId} AND account_id = ${input.accountId}`.execute(trx);
      if (m.rows.length === 0) throw new LojalError('not_found', { entity: 'member', id: memberId });
    }
    // Serialise referrals of one company, so two requests cannot both find it unreferred.
    await sql`SELECT 1 FROM accounts WHERE program_id = ${programId} AND id = ${input.accountId} FOR NO KEY UPDATE`.execute(trx);
    const existing = await sql<{ code: string }>`SELECT code FROM referrals WHERE program_id = ${programId} AND referee_account_id = ${input.accountId}`.execute(trx);
    const emails = await sql<{ email: string }>`
      SELECT email FROM members WHERE program_id = ${programId} AND account_id = ${input.accountId} AND email IS NOT NULL
        ${memberId ? sql`AND id = ${memberId}` : sql``}`.execute(trx);
    const roots = await chainRoots(trx, programId, [owner.account_id, input.accountId]);
    const refusal = refusalOf({
      code,
      referrer: { memberId: owner.member_id, accountId: owner.account_id, email: owner.email, groupId: roots.get(owner.account_id) ?? owner.account_id },
      referee: { accountId: input.accountId, memberId, emails: emails.rows.map((r) => r.email), groupId: roots.get(input.accountId) ?? input.accountId },
      existing: existing.rows[0] ?? null,
      referrerAncestry: await ancestryOf(trx, programId, owner.account_id),
      refereeHasPurchased: input.source === 'portal' ? await hasPurchased(trx, programId, input.accountId, now) : false,
    });
    if (refusal) {
      refused.push({ refusal, referrerMemberId: owner.member_id });
      throw new LojalError(refusal.code, refusal.params);
    }
    const id = uuidv7();
    await sql`
      INSERT INTO referrals (program_id, id, code, referrer_member_id, referrer_account_id, referee_account_id, referee_member_id, status, created_at)
      VALUES (${programId}, ${id}, ${code}, ${owner.member_id}, ${owner.account_id}, ${input.accountId}, ${memberId}, 'pending', ${now})`.execute(trx);
    const { rows } = await sql<Row>`
      SELECT r.id, r.code, r.referrer_member_id, m.name AS referrer_name, r.referee_account_id, a.name AS referee_name, r.referee_member_id,
             r.status, r.referrer_points, r.referee_points, r.created_at, r.qualified_at
      FROM referrals r JOIN members m ON m.program_id = r.program_id AND m.id = r.referrer_member_id
      JOIN accounts a ON a.program_id = r.program_id AND a.id = r.referee_account_id
      WHERE r.program_id = ${programId} AND r.id = ${id}`.execute(trx);
    return toReferral(rows[0]!);
  });
}

/** The name of the company a member belongs to (the referrer's, shown to whom they referred). */
export async function referrerCompanyOf(db: Db, programId: string, memberId: string): Promise<string> {
  const { rows } = await sql<{ name: string }>`
    SELECT a.name FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id WHERE m.program_id = ${programId} AND m.id = ${memberId}`.execute(db);
  return rows[0]?.name ?? '';
}

async function hasPurchased(db: Db, programId: string, accountId: string, now: Date): Promise<boolean> {
  const { rows } = await sql`
    SELECT 1 FROM events WHERE program_id = ${programId} AND account_id = ${accountId} AND type = 'purchase' AND occurred_at <= ${now} LIMIT 1`.execute(db);
  return rows.length > 0;
}

async function keepRefusal(db: Db, programId: string, input: ReferralInput, refusal: Refusal, referrerMemberId: string, now: Date): Promise<void> {
  await sql`
    INSERT INTO referral_refusals (program_id, id, code, reason, params, referrer_member_id, referee_account_id, referee_member_id, source, refused_at)
    VALUES (${programId}, ${uuidv7()}, ${input.code}, ${refusal.code}, ${JSON.stringify(refusal.params)}::jsonb, ${referrerMemberId}, ${input.accountId},
            ${input.memberId ?? null}, ${input.source ?? 'api'}, ${now})`.execute(db);
}

export interface ReferralRefusal {
  id: string;
  code: string;
  reason: Refusal['code'];
  params: Record<string, string>;
  referrerMemberId: string | null;
  referrerName: string | null;
  refereeAccountId: string;
  refereeName: string;
  refereeMemberId: string | null;
  source: 'api' | 'portal';
  refusedAt: Date;
}

/** Refused referrals, newest first. */
export async function listRefusals(db: Db, programId: string, opts: { limit: number }): Promise<ReferralRefusal[]> {
  const { rows } = await sql<{
    id: string; code: string; reason: Refusal['code']; params: Record<string, string>; referrer_member_id: string | null; referrer_name: string | null;
    referee_account_id: string; referee_name: string; referee_member_id: string | null; source: 'api' | 'portal'; refused_at: Date | string;
  }>`
    SELECT f.id, f.code, f.reason, f.params, f.referrer_member_id, m.name AS referrer_name, f.referee_account_id, a.name AS referee_name,
           f.referee_member_id, f.source, f.refused_at
    FROM referral_refusals f
    JOIN accounts a ON a.program_id = f.program_id AND a.id = f.referee_account_id
    LEFT JOIN members m ON m.program_id = f.program_id AND m.id = f.referrer_member_id
    WHERE f.program_id = ${programId}
    ORDER BY f.refused_at DESC, f.id DESC LIMIT ${opts.limit}`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    reason: r.reason,
    params: r.params,
    referrerMemberId: r.referrer_member_id,
    referrerName: r.referrer_name,
    refereeAccountId: r.referee_account_id,
    refereeName: r.referee_name,
    refereeMemberId: r.referee_member_id,
    source: r.source,
    refusedAt: new Date(r.refused_at),
  }));
}

export interface ReferralRunReport {
  paid: number;
  capped: number;
}

interface Pending {
  id: string;
  referrer_member_id: string;
  referee_account_id: string;
  referee_member_id: string | null;
  event_id: string;
}

/**
 * Pays the referrals whose referred company has a purchase past the return window (its first one that was not
 * returned). The referrer's code row is locked while the cap is counted, so two runs never both pay past it.
 */
export async function payReferrals(db: Db, program: Program, now: Date): Promise<ReferralRunReport> {
  const settings = await getReferralSettings(db, program.id);
  const report: ReferralRunReport = { paid: 0, capped: 0 };
  if (!settings.enabled) return report;
  const windowEnd = new Date(now.getTime() - program.pendingDays * 86_400_000);
  const { rows } = await sql<Pending>`
    SELECT r.id, r.referrer_member_id, r.referee_account_id, r.referee_member_id, e.id AS event_id
    FROM referrals r
    CROSS JOIN LATERAL (
      SELECT e.id, e.occurred_at FROM events e
      WHERE e.program_id = r.program_id AND e.account_id = r.referee_account_id AND e.type = 'purchase'
        AND NOT EXISTS (SELECT 1 FROM events ret WHERE ret.program_id = e.program_id AND ret.original_event_id = e.id)
      ORDER BY e.occurred_at, e.id LIMIT 1) e
    WHERE r.program_id = ${program.id} AND r.status = 'pending' AND e.occurred_at <= ${windowEnd}
    ORDER BY r.created_at LIMIT 1000`.execute(db);
  const capKey = periodKey(settings.capPeriod, now, program.timeZone);
  for (const p of rows) {
    const outcome = await db.transaction().execute((trx) => payOne(trx, program, settings, p, capKey, now));
    if (outcome === 'paid') report.paid++;
    if (outcome === 'capped') report.capped++;
  }
  return report;
}

async function payOne(trx: Db, program: Program, s: ReferralSettings, p: Pending, capKey: string, now: Date): Promise<'paid' | 'capped' | null> {
  await sql`SELECT 1 FROM referral_codes WHERE program_id = ${program.id} AND member_id = ${p.referrer_member_id} FOR UPDATE`.execute(trx);
  const still = await sql`SELECT 1 FROM referrals WHERE program_id = ${program.id} AND id = ${p.id} AND status = 'pending' FOR UPDATE`.execute(trx);
  if (still.rows.length === 0) return null;
  const { rows: counted } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM referrals WHERE program_id = ${program.id} AND referrer_member_id = ${p.referrer_member_id}
      AND status = 'paid' AND cap_period_key = ${capKey}`.execute(trx);
  const capped = s.capCount !== null && Number(counted[0]!.n) >= s.capCount;
  const { rows: people } = await sql<{ id: string; name: string; email: string | null; language: string | null; account_name: string }>`
    SELECT m.id, m.name, m.email, m.language, a.name AS account_name FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
    WHERE m.program_id = ${program.id} AND m.id = ANY(${[p.referrer_member_id, ...(p.referee_member_id ? [p.referee_member_id] : [])]}::uuid[])`.execute(trx);
  const referrer = people.find((m) => m.id === p.referrer_member_id)!;
  const referee = p.referee_member_id ? people.find((m) => m.id === p.referee_member_id) ?? null : null;
  const { rows: acc } = await sql<{ name: string }>`SELECT name FROM accounts WHERE program_id = ${program.id} AND id = ${p.referee_account_id}`.execute(trx);
  const company = acc[0]!.name;
  const expiresAt = planExpiry(program.expiryPolicy, now, program.timeZone);
  const referrerPoints = capped ? 0 : s.referrerPoints;
  const journal = (side: 'referrer' | 'referee', walletId: string, points: number, explanation: CreditJournal['explanation']): CreditJournal => ({
    id: uuidv7(),
    idempotencyKey: `referral:${p.id}:${side}`,
    kind: 'earn',
    occurredAt: now,
    eventId: p.event_id,
    actor: 'system:referrals',
    explanation,
    fromWalletId: systemWalletId(program.id, 'issuance'),
    earned: true,
    credits: [{ walletId, points, earnedAt: now, availableAt: now, expiresAt, explanation }],
  });
  const referrerJ = journal('referrer', p.referrer_member_id, referrerPoints, { key: 'referrals:explain.referrer', params: { company, points: referrerPoints } });
  const refereeJ = journal('referee', p.referee_member_id ?? p.referee_account_id, s.refereePoints, {
    key: 'referrals:explain.referee',
    params: { referrer: referrer.account_name, points: s.refereePoints },
  });
  const written = await writeCredits(trx, program.id, [referrerJ, refereeJ], now);
  await sql`
    UPDATE referrals SET status = ${capped ? 'capped' : 'paid'}, qualified_at = ${now}, qualifying_event_id = ${p.event_id},
      cap_period_key = ${capped ? null : capKey}, referrer_points = ${referrerPoints}, referee_points = ${s.refereePoints},
      referrer_journal_id = ${written.has(referrerJ.id) ? referrerJ.id : null}, referee_journal_id = ${written.has(refereeJ.id) ? refereeJ.id : null}
    WHERE program_id = ${program.id} AND id = ${p.id}`.execute(trx);
  const params = { company, points: referrerPoints, referrer: referrer.account_name, refereePoints: s.refereePoints };
  await notifyMember(trx, program, referrer, { titleKey: 'referrals:message.referrer.title', bodyKey: capped ? 'referrals:message.referrer.capped' : 'referrals:message.referrer.body', params }, 'system:referrals', now);
  if (referee && s.refereePoints > 0) {
    await notifyMember(trx, program, referee, { titleKey: 'referrals:message.referee.title', bodyKey: 'referrals:message.referee.body', params }, 'system:referrals', now);
  }
  return capped ? 'capped' : 'paid';
}

export async function runReferrals(db: Db, now: Date, only?: { programId: string }): Promise<ReferralRunReport> {
  const { rows } = await sql<{ program_id: string }>`
    SELECT program_id FROM referral_settings WHERE enabled ${only ? sql`AND program_id = ${only.programId}` : sql``} ORDER BY 1`.execute(db);
  const total: ReferralRunReport = { paid: 0, capped: 0 };
  for (const { program_id } of rows) {
    const r = await payReferrals(db, (await getProgram(db, program_id))!, now);
    total.paid += r.paid;
    total.capped += r.capped;
  }
  return total;
}
