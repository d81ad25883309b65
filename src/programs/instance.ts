/**
 * The instance: the programs one Lojal server runs. Instance administrators (staff users flagged
 * `instance_admin`) create programs while the server runs; the creator becomes the new program's owner with
 * the same e-mail, name and password, so one sign-in reaches both and the console can switch between them.
 *
 * "The same person" across programs means: an active staff user with the same e-mail whose password hash is
 * the very same string. argon2 salts every hash, so equal strings come only from a copy made here; someone who
 * set a different password in another program signs in there on its own.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { recordAudit, type AuditContext } from '../audit/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { createProgram, createProgramSchema, type Program } from './programs.js';

/** What a new program needs (the rest takes the defaults and is changed later in its settings). */
export const newProgramSchema = createProgramSchema
  .pick({ name: true, currency: true, defaultLanguage: true, timeZone: true, pointsName: true })
  .required({ name: true, currency: true })
  .strict();

export interface ProgramChoice {
  id: string;
  name: string;
  role: string;
}

/** The staff row behind a session, with what decides where it may go. */
async function staffRow(db: Db, programId: string, staffUserId: string) {
  const row = await db
    .selectFrom('staff_users')
    .select(['program_id', 'id', 'email', 'name', 'role', 'password_hash', 'instance_admin', 'active'])
    .where('program_id', '=', programId)
    .where('id', '=', staffUserId)
    .executeTakeFirst();
  if (!row || !row.active) throw new LojalError('session_required');
  return row;
}

/** The programs the signed-in person can switch to (the current one included), by name. */
export async function programsOfStaff(db: Db, programId: string, staffUserId: string): Promise<ProgramChoice[]> {
  const me = await staffRow(db, programId, staffUserId);
  if (!me.password_hash) return (await db.selectFrom('programs').select(['id', 'name']).where('id', '=', programId).execute()).map((p) => ({ ...p, role: me.role }));
  return db
    .selectFrom('staff_users as s')
    .innerJoin('programs as p', 'p.id', 's.program_id')
    .select(['p.id', 'p.name', 's.role'])
    .where(sql<string>`lower(s.email)`, '=', me.email.toLowerCase())
    .where('s.active', '=', true)
    .where('s.password_hash', '=', me.password_hash)
    .orderBy('p.name')
    .orderBy('p.id')
    .execute();
}

export async function isInstanceAdmin(db: Db, programId: string, staffUserId: string): Promise<boolean> {
  return (await staffRow(db, programId, staffUserId)).instance_admin;
}

/** The person's staff row in another program they may switch to; refused as not_found otherwise. */
export async function staffUserInProgram(db: Db, from: { programId: string; staffUserId: string }, target: string): Promise<{ programId: string; staffUserId: string }> {
  const me = await staffRow(db, from.programId, from.staffUserId);
  const row = me.password_hash
    ? await db
        .selectFrom('staff_users')
        .select(['program_id', 'id'])
        .where('program_id', '=', target)
        .where(sql<string>`lower(email)`, '=', me.email.toLowerCase())
        .where('active', '=', true)
        .where('password_hash', '=', me.password_hash)
        .executeTakeFirst()
    : undefined;
  if (!row) throw new LojalError('not_found', { entity: 'program', id: target });
  return { programId: row.program_id, staffUserId: row.id };
}

/**
 * Creates a program for an instance administrator and makes them its owner (and an instance administrator
 * there too). Recorded in both programs' audit logs: where it was asked for, and in the new one as its first entry.
 */
export async function createProgramAsStaff(
  db: Db,
  creator: { programId: string; staffUserId: string; ip: string | null },
  input: z.output<typeof newProgramSchema>,
  now: Date,
): Promise<{ program: Program; staffUserId: string }> {
  const me = await staffRow(db, creator.programId, creator.staffUserId);
  if (!me.instance_admin) throw new LojalError('instance_admin_required');
  return db.transaction().execute(async (trx) => {
    const program = await createProgram(trx, input);
    const staffUserId = uuidv7();
    await trx
      .insertInto('staff_users')
      .values({
        program_id: program.id,
        id: staffUserId,
        email: me.email,
        name: me.name,
        role: 'owner',
        password_hash: me.password_hash,
        instance_admin: true,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const after = { id: program.id, name: program.name, currency: program.currency, defaultLanguage: program.defaultLanguage, timeZone: program.timeZone };
    const asked: AuditContext = { programId: creator.programId, actor: { kind: 'staff', id: me.id, label: me.name }, ip: creator.ip, at: now };
    await recordAudit(trx, { ...asked, action: 'program.create', entity: 'program', entityId: program.id, after }, now);
    await recordAudit(
      trx,
      { programId: program.id, actor: { kind: 'staff', id: staffUserId, label: me.name }, ip: creator.ip, at: now, action: 'program.create', entity: 'program', entityId: program.id, after: { ...after, owner: me.email } },
      now,
    );
    return { program, staffUserId };
  });
}

/** Grants or takes back the right to create programs, for every staff row with the e-mail; how many rows changed. */
export async function setInstanceAdmin(db: Db, email: string, admin: boolean): Promise<number> {
  const res = await db
    .updateTable('staff_users')
    .set({ instance_admin: admin })
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
