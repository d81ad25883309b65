/**
 * What one portal member may upload per clock hour, files and bytes together, by program setting
 * (`memberUploadFilesPerHour`, `memberUploadBytesPerHour`). Hours are those of the application's clock.
 * A file is counted once it is received whole, by a single conditional upsert: two uploads at once cannot
 * both take the last place, whichever process serves them.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';

const HOUR_MS = 3_600_000;

export interface UploadAllowance {
  /** Files and bytes still allowed this hour. */
  files: number;
  bytes: number;
  /** Seconds until the hour turns and the allowance is whole again. */
  retryAfterSeconds: number;
}

const hourOf = (now: Date) => new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
const secondsLeft = (now: Date) => Math.max(1, Math.ceil((hourOf(now).getTime() + HOUR_MS - now.getTime()) / 1000));

export function uploadLimitExceeded(retryAfterSeconds: number): LojalError {
  return new LojalError('upload_limit_exceeded', { retryAfterSeconds });
}

async function limitsOf(db: Db, programId: string) {
  const p = await db
    .selectFrom('programs')
    .select(['member_upload_files_per_hour as files', 'member_upload_bytes_per_hour as bytes'])
    .where('id', '=', programId)
    .executeTakeFirstOrThrow();
  return { files: p.files, bytes: Number(p.bytes) };
}

/** What the member may still upload in this hour. */
export async function uploadAllowance(db: Db, programId: string, memberId: string, now: Date): Promise<UploadAllowance> {
  const limits = await limitsOf(db, programId);
  const used = await db
    .selectFrom('member_upload_usage')
    .select(['files', 'bytes'])
    .where('program_id', '=', programId)
    .where('member_id', '=', memberId)
    .where('hour_start', '=', hourOf(now))
    .executeTakeFirst();
  return {
    files: Math.max(0, limits.files - (used?.files ?? 0)),
    bytes: Math.max(0, limits.bytes - Number(used?.bytes ?? 0)),
    retryAfterSeconds: secondsLeft(now),
  };
}

/** Counts one received file against the member's hour, or refuses it (429) when it would pass either limit. */
export async function countUpload(db: Db, programId: string, memberId: string, bytes: number, now: Date): Promise<void> {
  const limits = await limitsOf(db, programId);
  const hour = hourOf(now);
  const counted = await sql<{ files: number }>`
    INSERT INTO member_upload_usage AS u (program_id, member_id, hour_start, files, bytes)
    SELECT ${programId}, ${memberId}, ${hour}, 1, ${bytes}
    WHERE 1 <= ${limits.files}::int AND ${bytes}::bigint <= ${limits.bytes}::bigint
    ON CONFLICT (program_id, member_id, hour_start) DO UPDATE SET files = u.files + 1, bytes = u.bytes + EXCLUDED.bytes
    WHERE u.files + 1 <= ${limits.files}::int AND u.bytes + EXCLUDED.bytes <= ${limits.bytes}::bigint
    RETURNING u.files`.execute(db);
  if (counted.rows.length === 0) throw uploadLimitExceeded(secondsLeft(now));
  await db.deleteFrom('member_upload_usage').where('program_id', '=', programId).where('member_id', '=', memberId).where('hour_start', '<', hour).execute();
}
