/**
 * The shop's program-wide set-up: the approval threshold and the categories. Writes to `reward_settings` and
 * `reward_categories` go through here, whoever asks (the API, the demo seed).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** Orders costing at least this many points wait for staff approval; null: none do. */
export async function setApprovalThreshold(db: Db, programId: string, threshold: number | null): Promise<void> {
  await db
    .insertInto('reward_settings')
    .values({ program_id: programId, approval_threshold_points: threshold })
    .onConflict((oc) => oc.column('program_id').doUpdateSet({ approval_threshold_points: threshold, updated_at: sql`now()` }))
    .execute();
}

/** Creates the category with this code, or replaces its names and position (idempotent). */
export async function upsertRewardCategory(db: Db, programId: string, code: string, names: Record<string, string>, position: number): Promise<void> {
  await db
    .insertInto('reward_categories')
    .values({ program_id: programId, code, names: JSON.stringify(names), position })
    .onConflict((oc) => oc.columns(['program_id', 'code']).doUpdateSet({ names: JSON.stringify(names), position }))
    .execute();
}
