/**
 * Links to set a staff password: asked for by the person (reset, 1 hour) or sent when an admin adds them to
 * the team or sends it again (invite, longer). Only the token's hash is stored; a link works once, before
 * it expires, and a new password kills every open link of that person.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../audit/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import { enqueueMails } from '../mail/index.js';
import { signInLimits } from './limits.js';
import { newLinkToken, sha256 } from './passwords.js';
import { storeStaffPassword } from './staff-sign-in.js';

type Purpose = 'reset' | 'invite';

/** A date and time as the recipient reads it, in the program's time zone: a 1-hour link needs the hour. */
const mailDateTime = (at: Date, language: Language, timeZone: string) =>
  new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(at);

/** Issues a link and queues its mail (in the program's language) inside the caller's transaction. */
export async function sendStaffPasswordLink(
  trx: Db,
  programId: string,
  staffUserId: string,
  purpose: Purpose,
  publicUrl: string,
  now: Date,
): Promise<void> {
  const row = await trx
    .selectFrom('staff_users as s')
    .innerJoin('programs as p', 'p.id', 's.program_id')
    .select(['s.id', 's.name', 's.email', 'p.name as program_name', 'p.default_language', 'p.time_zone'])
    .where('s.program_id', '=', programId)
    .where('s.id', '=', staffUserId)
    .executeTakeFirstOrThrow();
  const token = newLinkToken();
  const expiresAt = new Date(now.getTime() + (purpose === 'reset' ? signInLimits.staffResetLinkMs : signInLimits.staffInviteLinkMs));
  await trx
    .insertInto('staff_password_resets')
    .values({ program_id: programId, id: uuidv7(), staff_user_id: staffUserId, purpose, token_hash: sha256(token), expires_at: expiresAt, created_at: now })
    .execute();
  const language = row.default_language as Language;
  await enqueueMails(trx, programId, [
    {
      template: purpose === 'reset' ? 'staff_password_reset' : 'staff_invitation',
      to: row.email,
      language,
      params: {
        name: row.name,
        email: row.email,
        program: row.program_name,
        link: `${publicUrl}/admin/reset-password?token=${token}`,
        expires: mailDateTime(expiresAt, language, row.time_zone),
      },
    },
  ], now);
}

/**
 * "Forgot my password": a link to every active user with the address (in the program asked for, or in all).
 * The caller answers the same whatever happens here; beyond the hourly limit nothing more is sent.
 */
export async function requestStaffPasswordReset(
  db: Db,
  input: { email: string; programId?: string | undefined },
  publicUrl: string,
  now: Date,
): Promise<void> {
  const users = await db
    .selectFrom('staff_users')
    .select(['program_id', 'id'])
    .where(sql<string>`lower(email)`, '=', input.email.trim().toLowerCase())
    .where('active', '=', true)
    .$if(input.programId !== undefined, (q) => q.where('program_id', '=', input.programId!))
    .execute();
  const since = new Date(now.getTime() - 3600_000);
  for (const u of users) {
    await db.transaction().execute(async (trx) => {
      // Serializes requests for one person so that the count below holds.
      await trx.selectFrom('staff_users').select('id').where('program_id', '=', u.program_id).where('id', '=', u.id).forUpdate().execute();
      const recent = await trx
        .selectFrom('staff_password_resets')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('program_id', '=', u.program_id)
        .where('staff_user_id', '=', u.id)
        .where('created_at', '>', since)
        .executeTakeFirstOrThrow();
      if (Number(recent.n) >= signInLimits.staffResetsPerHour) return;
      await sendStaffPasswordLink(trx, u.program_id, u.id, 'reset', publicUrl, now);
    });
  }
}

/** Sets the password with a link's token; every session of the person ends (they sign in afresh). */
export async function confirmStaffPasswordReset(db: Db, input: { token: string; password: string }, ip: string | null, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom('staff_password_resets as r')
      .innerJoin('staff_users as s', (j) => j.onRef('s.program_id', '=', 'r.program_id').onRef('s.id', '=', 'r.staff_user_id'))
      .select(['r.program_id', 'r.id', 'r.used_at', 'r.expires_at', 's.id as user_id', 's.name', 's.email', 's.active'])
      .where('r.token_hash', '=', sha256(input.token))
      .forUpdate()
      .executeTakeFirst();
    if (!link || !link.active) throw new LojalError('reset_link_expired');
    if (link.used_at) throw new LojalError('reset_link_used');
    if (link.expires_at <= now) throw new LojalError('reset_link_expired');
    const audit: AuditContext = { programId: link.program_id, actor: { kind: 'staff', id: link.user_id, label: link.name }, ip, at: now };
    await storeStaffPassword(trx, { programId: link.program_id, id: link.user_id, email: link.email }, input.password, {
      field: 'password',
      audit,
      action: 'staff_user.password_reset',
    }, now);
  });
}
