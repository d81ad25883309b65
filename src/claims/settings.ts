/** The program's claim settings: who approves, the near-duplicate window and the velocity limits. */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';

const limit = z.number().int().min(1).max(10_000).nullable().default(null);

export const claimSettingsSchema = z
  .object({
    /** program: the program team (an API key); manager: the claimant's account manager; either: both may. */
    approver: z.enum(['program', 'manager', 'either']).default('program').describe("program (default): the program team; manager: the claimant's account manager; either: both may"),
    /** Another claim of the same account with the same amount within this many days (of sale date) is flagged. */
    nearDuplicateDays: z.number().int().min(0).max(366).default(30).describe('Another claim of the same account with the same amount within this many days (of sale date) is flagged (default 30)'),
    memberDailyLimit: limit.describe("A member's claims in 24 hours beyond this are flagged; null (default): no limit"),
    memberWeeklyLimit: limit.describe("A member's claims in 7 days beyond this are flagged; null (default): no limit"),
    accountDailyLimit: limit.describe("An account's claims in 24 hours beyond this are flagged; null (default): no limit"),
    accountWeeklyLimit: limit.describe("An account's claims in 7 days beyond this are flagged; null (default): no limit"),
  })
  .strict();

/** The settings as the API answers them: every field, defaults filled in. */
export const claimSettingsOut = z
  .object({
    approver: z.enum(['program', 'manager', 'either']).describe("Who approves: program (the program team), manager (the claimant's account manager, in the portal or with managerId), either"),
    nearDuplicateDays: z.number().int().describe('A claim of the same account with the same amount within this many days (of sale date) is flagged'),
    memberDailyLimit: z.number().int().nullable().describe("A member's claims in 24 hours beyond this are flagged; null: no limit"),
    memberWeeklyLimit: z.number().int().nullable().describe("A member's claims in 7 days beyond this are flagged; null: no limit"),
    accountDailyLimit: z.number().int().nullable().describe("An account's claims in 24 hours beyond this are flagged; null: no limit"),
    accountWeeklyLimit: z.number().int().nullable().describe("An account's claims in 7 days beyond this are flagged; null: no limit"),
  })
  .meta({ id: 'ClaimSettings', description: "The program's sales-claim settings: who approves, the near-duplicate window and the velocity limits that flag a claim for review." });

export type ClaimSettings = z.output<typeof claimSettingsSchema>;
export const defaultClaimSettings: ClaimSettings = claimSettingsSchema.parse({});

interface Row {
  approver: ClaimSettings['approver'];
  near_duplicate_days: number;
  member_daily_limit: number | null;
  member_weekly_limit: number | null;
  account_daily_limit: number | null;
  account_weekly_limit: number | null;
}

export async function getClaimSettings(db: Db, programId: string): Promise<ClaimSettings> {
  const r = (await sql<Row>`SELECT * FROM claim_settings WHERE program_id = ${programId}`.execute(db)).rows[0];
  if (!r) return defaultClaimSettings;
  return {
    approver: r.approver,
    nearDuplicateDays: r.near_duplicate_days,
    memberDailyLimit: r.member_daily_limit,
    memberWeeklyLimit: r.member_weekly_limit,
    accountDailyLimit: r.account_daily_limit,
    accountWeeklyLimit: r.account_weekly_limit,
  };
}

export async function putClaimSettings(db: Db, programId: string, s: ClaimSettings): Promise<ClaimSettings> {
  await sql`
    INSERT INTO claim_settings (program_id, approver, near_duplicate_days, member_daily_limit, member_weekly_limit, account_daily_limit, account_weekly_limit)
    VALUES (${programId}, ${s.approver}, ${s.nearDuplicateDays}, ${s.memberDailyLimit}, ${s.memberWeeklyLimit}, ${s.accountDailyLimit}, ${s.accountWeeklyLimit})
    ON CONFLICT (program_id) DO UPDATE SET approver = excluded.approver, near_duplicate_days = excluded.near_duplicate_days,
      member_daily_limit = excluded.member_daily_limit, member_weekly_limit = excluded.member_weekly_limit,
      account_daily_limit = excluded.account_daily_limit, account_weekly_limit = excluded.account_weekly_limit, updated_at = now()`.execute(db);
  return getClaimSettings(db, programId);
}
