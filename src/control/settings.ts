/**
 * A program's control settings: the approval threshold and the per-actor daily limit of manual
 * adjustments, and the reason codes an adjustment must carry (with labels in every language).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { translator, languages } from '../i18n/index.js';
import { text } from '../fields/index.js';

const localized = z.object(Object.fromEntries(languages.map((l) => [l, text(100)])) as Record<(typeof languages)[number], ReturnType<typeof text>>).strict();

export const reasonCodeSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a lowercase code such as goodwill or correction'),
    labels: localized,
  })
  .strict();

export const controlSettingsSchema = z
  .object({
    /** |points| at or above which an adjustment waits for a second person; null: never. */
    approvalThreshold: z.number().int().min(1).max(1_000_000_000).nullable(),
    /** Sum of |points| one actor may adjust per program-local day; null: no limit. */
    dailyAdjustmentLimit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable(),
    reasonCodes: z
      .array(reasonCodeSchema)
      .min(1)
      .max(100)
      .refine((list) => new Set(list.map((r) => r.code)).size === list.length, 'each reason code once'),
  })
  .strict();

export type ControlSettings = z.infer<typeof controlSettingsSchema>;
export type ReasonCode = z.infer<typeof reasonCodeSchema>;

/** What a program starts with: no approval, no limit, and the usual reasons. */
export const defaultReasonCodes = ['goodwill', 'correction', 'complaint', 'migration', 'campaign', 'opening'] as const;

export function defaultControlSettings(): ControlSettings {
  return {
    approvalThreshold: null,
    dailyAdjustmentLimit: null,
    reasonCodes: defaultReasonCodes.map((code) => ({
      code,
      labels: Object.fromEntries(languages.map((l) => [l, translator(l)(`control:reasons.${code}`)])) as ReasonCode['labels'],
    })),
  };
}

export async function getControlSettings(db: Db, programId: string, forUpdate = false): Promise<ControlSettings> {
  let q = db.selectFrom('control_settings').selectAll().where('program_id', '=', programId);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) return defaultControlSettings();
  return {
    approvalThreshold: row.approval_threshold === null ? null : Number(row.approval_threshold),
    dailyAdjustmentLimit: row.daily_adjustment_limit === null ? null : Number(row.daily_adjustment_limit),
    reasonCodes: row.reason_codes as ReasonCode[],
  };
}

export async function putControlSettings(db: Db, programId: string, s: ControlSettings): Promise<ControlSettings> {
  const values = {
    approval_threshold: s.approvalThreshold,
    daily_adjustment_limit: s.dailyAdjustmentLimit,
    reason_codes: JSON.stringify(s.reasonCodes),
  };
  await db
    .insertInto('control_settings')
    .values({ program_id: programId, ...values })
    .onConflict((oc) => oc.column('program_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
    .execute();
  return getControlSettings(db, programId);
}
