/**
 * The volume discount ladder of a program, and what an account (or its whole chain, when the program rolls
 * chains up) bought in a period: purchase lines less what was returned of them, by the purchase's time.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { accountAndBelow, chainRoots } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { ladderProblem, type VolumeLevel, type VolumeSettings } from './evaluate.js';

export const volumeConfigSchema = z
  .object({
    basis: z.enum(['amount', 'quantity']).describe('amount: minor units of money (öre, cents); quantity: pieces'),
    periodKind: z.enum(['calendar_year', 'quarter', 'rolling']),
    periodMonths: z.number().int().min(1).max(36).default(12).describe("For 'rolling': the window's length in months"),
    levels: z
      .array(
        z
          .object({
            threshold: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
            basisPoints: z.number().int().min(1).max(10_000).describe('The discount: 200 = 2 %'),
          })
          .strict(),
      )
      .min(1)
      .max(50),
  })
  .strict();

export interface VolumeConfig extends VolumeSettings {
  levels: VolumeLevel[];
}

export async function getVolumeConfig(db: Db, programId: string): Promise<VolumeConfig | null> {
  const s = await db.selectFrom('volume_discount_settings').selectAll().where('program_id', '=', programId).executeTakeFirst();
  if (!s) return null;
  const levels = await db.selectFrom('volume_discount_levels').selectAll().where('program_id', '=', programId).orderBy('threshold').execute();
  return {
    basis: s.basis,
    periodKind: s.period_kind,
    periodMonths: s.period_months,
    levels: levels.map((l) => ({ threshold: Number(l.threshold), basisPoints: l.basis_points })),
  };
}

export async function requireVolumeConfig(db: Db, programId: string): Promise<VolumeConfig> {
  const config = await getVolumeConfig(db, programId);
  if (!config) throw new LojalError('volume_discounts_not_configured');
  return config;
}

export async function replaceVolumeConfig(db: Db, programId: string, input: z.output<typeof volumeConfigSchema>): Promise<VolumeConfig> {
  const problem = ladderProblem(input.levels);
  if (problem) throw new LojalError('invalid_volume_discounts', { detail: problem });
  await db.transaction().execute(async (trx) => {
    const row = { basis: input.basis, period_kind: input.periodKind, period_months: input.periodMonths };
    await trx
      .insertInto('volume_discount_settings')
      .values({ program_id: programId, ...row })
      .onConflict((oc) => oc.column('program_id').doUpdateSet({ ...row, updated_at: sql`now()` }))
      .execute();
    await trx.deleteFrom('volume_discount_levels').where('program_id', '=', programId).execute();
    await trx
      .insertInto('volume_discount_levels')
      .values(input.levels.map((l) => ({ program_id: programId, threshold: l.threshold, basis_points: l.basisPoints })))
      .execute();
  });
  return (await getVolumeConfig(db, programId))!;
}

/** The accounts whose purchases count for `accountId`: itself, or its whole chain when chains roll up. */
export async function countedAccounts(db: Db, programId: string, accountId: string, chain: boolean): Promise<{ countedFor: string; accounts: string[] }> {
  if (!chain) return { countedFor: accountId, accounts: [accountId] };
  const root = (await chainRoots(db, programId, [accountId])).get(accountId) ?? accountId;
  return { countedFor: root, accounts: await accountAndBelow(db, programId, root) };
}

export async function purchasedVolume(db: Db, programId: string, basis: VolumeSettings['basis'], accounts: string[], start: Date, end: Date): Promise<number> {
  const measure = basis === 'amount' ? sql`l.amount - l.returned_amount` : sql`l.quantity - l.returned_quantity`;
  const rows = await sql<{ total: string | number | null }>`
    SELECT sum(${measure})::bigint AS total
    FROM events ev
    JOIN event_lines l ON l.program_id = ev.program_id AND l.event_id = ev.id
    WHERE ev.program_id = ${programId} AND ev.account_id = ANY(${accounts}::uuid[]) AND l.is_purchase
      AND ev.occurred_at >= ${start} AND ev.occurred_at < ${end}`.execute(db);
  return Math.max(0, Number(rows.rows[0]?.total ?? 0));
}
