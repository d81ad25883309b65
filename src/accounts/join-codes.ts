/**
 * Join codes: a short code an account hands its staff, so that a person can ask to join it without knowing
 * its id. One code per account; asking again replaces it (the old one stops working).
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';

// No 0/O, 1/I/L: the code is read aloud and typed on phones.
const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const newCode = () => Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('');

export async function renewJoinCode(db: Db, programId: string, accountId: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const code = newCode();
    try {
      await db
        .insertInto('account_join_codes')
        .values({ program_id: programId, code, account_id: accountId })
        .onConflict((oc) => oc.columns(['program_id', 'account_id']).doUpdateSet({ code, created_at: sql`now()` }))
        .execute();
      return code;
    } catch (err) {
      // 31^8 codes: a clash is rare, and a new draw settles it.
      if (!isUniqueViolation(err) || attempt >= 5) throw err;
    }
  }
}

/** The account a person names when asking to join: by join code (any case) or by the account's external id. */
export async function accountForJoining(db: Db, programId: string, code: string): Promise<string | undefined> {
  const byCode = await db
    .selectFrom('account_join_codes')
    .select('account_id')
    .where('program_id', '=', programId)
    .where('code', '=', code.trim().toUpperCase())
    .executeTakeFirst();
  if (byCode) return byCode.account_id;
  const byExternal = await db.selectFrom('accounts').select('id').where('program_id', '=', programId).where('external_id', '=', code.trim()).executeTakeFirst();
  return byExternal?.id;
}
