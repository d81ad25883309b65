/**
 * Erasure of the mails queued or sent to a person (src/privacy/erasure.ts): the outbox keeps that a mail of
 * a kind was sent and when, not to which address or what it said. Mails not yet sent are cancelled.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export async function eraseMailsTo(trx: Db, programId: string, email: string): Promise<number> {
  const res = await sql`
    UPDATE mail_outbox SET to_address = '[erased]', subject = '[erased]', body = '',
      status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
      last_error = CASE WHEN status = 'pending' THEN 'recipient erased' ELSE last_error END
    WHERE program_id = ${programId} AND lower(to_address) = lower(${email})`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}
