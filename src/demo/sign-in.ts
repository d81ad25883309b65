/**
 * Known passwords for trying the demo in a browser: an owner of the program team for the console, and the
 * head of the first chain (a manager whose company has staff) for the portal. Run on every demo start, so
 * a demo seeded before sign-in existed gets them too; a password already set is left as it is.
 */
import { sql } from 'kysely';
import { getMemberByExternalId } from '../accounts/index.js';
import { setMemberPasswordHash } from '../accounts/members.js';
import { recordAudit, systemContext } from '../audit/index.js';
import type { Db } from '../db/database.js';
import { setInstanceAdmin } from '../programs/instance.js';
import { updateProgram } from '../programs/programs.js';
import { setStaffPasswordHash } from '../programs/staff-credentials.js';
import { createStaffUser } from '../programs/staff-users.js';
import { hashPassword } from '../sessions/passwords.js';

export const demoSignIns = {
  console: { email: 'admin@demo.lojal.example', password: 'lojal-demo-admin' },
  portalPassword: 'lojal-demo-member',
  portalMemberExternalId: 'P10001',
} as const;

export interface DemoSignIns {
  console: { email: string; password: string };
  portal: { email: string; password: string; name: string };
}

export async function ensureDemoSignIns(db: Db, programId: string, now: Date): Promise<DemoSignIns> {
  await updateProgram(db, programId, { memberPasswords: true });

  const { email, password } = demoSignIns.console;
  let admin = await db.selectFrom('staff_users').select(['id', 'password_hash']).where('program_id', '=', programId).where(sql<string>`lower(email)`, '=', email).executeTakeFirst();
  if (!admin) {
    const created = await db.transaction().execute(async (trx) => {
      const user = await createStaffUser(trx, programId, { email, name: 'Demo Admin', role: 'owner' }, now);
      await recordAudit(trx, { ...systemContext(programId, 'demo', now), action: 'staff_user.create', entity: 'staff_user', entityId: user.id, after: user });
      return user;
    });
    admin = { id: created.id, password_hash: null };
  }
  if (!admin.password_hash) {
    await setStaffPasswordHash(db, { programId, id: admin.id }, await hashPassword(password), now);
  }
  // The demo's owner may also create programs, so a newcomer can try that from the console.
  await setInstanceAdmin(db, email, true);

  const member = await getMemberByExternalId(db, programId, demoSignIns.portalMemberExternalId);
  const row = await db.selectFrom('members').select('password_hash').where('program_id', '=', programId).where('id', '=', member.id).executeTakeFirstOrThrow();
  if (!row.password_hash) {
    await setMemberPasswordHash(db, programId, member.id, await hashPassword(demoSignIns.portalPassword), now);
  }
  return { console: { email, password }, portal: { email: member.email!, password: demoSignIns.portalPassword, name: member.name } };
}
