/**
 * Staff users: the people of the program team. API keys may be issued to them (and, later, they sign in to
 * the console); their role bounds what any of their keys can do (api-keys.ts roleScopes).
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import type { StaffRole } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { text } from '../fields/index.js';
import { pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';

export const staffRoles = ['owner', 'manager', 'support', 'viewer'] as const satisfies readonly StaffRole[];

export const staffUserCreateSchema = z
  .object({
    email: z
      .email()
      .max(254)
      .transform((e) => e.trim())
      .describe('Their e-mail address: the console sign-in and where the password link goes; unique in the program'),
    name: text(200).describe("The person's name"),
    role: z.enum(staffRoles).describe('owner: everything; manager: the daily work; support: members and their questions; viewer: reads only'),
  })
  .strict()
  .meta({ id: 'StaffUserCreate', description: 'A new person of the program team.' });
export const staffUserPatchSchema = z
  .object({
    name: text(200).describe("The person's name"),
    role: z.enum(staffRoles).describe('Their new role; their keys follow at once'),
    active: z.boolean().describe('false deactivates the person: their keys and console sessions stop working'),
  })
  .partial()
  .strict()
  .meta({ id: 'StaffUserPatch', description: 'Fields to change on a staff user; those left out keep their value.' });

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type Row = { id: string; email: string; name: string; role: StaffRole; active: boolean; created_at: Date; updated_at: Date };
const toUser = (r: Row): StaffUser => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  active: r.active,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function createStaffUser(db: Db, programId: string, input: z.output<typeof staffUserCreateSchema>, now: Date): Promise<StaffUser> {
  try {
    const row = await db
      .insertInto('staff_users')
      .values({ program_id: programId, id: uuidv7(), email: input.email, name: input.name, role: input.role, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  } catch (err) {
    if (isUniqueViolation(err, 'staff_users_email')) throw new LojalError('staff_email_taken', { email: input.email });
    throw err;
  }
}

/** The user, optionally locked for an update in the caller's transaction; 404 when not in this program. */
export async function getStaffUser(db: Db, programId: string, id: string, forUpdate = false): Promise<StaffUser> {
  let q = db.selectFrom('staff_users').selectAll().where('program_id', '=', programId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'staff user', id });
  return toUser(row);
}

export async function updateStaffUser(db: Db, programId: string, id: string, patch: z.output<typeof staffUserPatchSchema>, now: Date): Promise<StaffUser> {
  const row = await db
    .updateTable('staff_users')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.active !== undefined && { active: patch.active }),
      updated_at: now,
    })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'staff user', id });
  return toUser(row);
}

/** By e-mail address (ids break ties), so a page stays stable while users are added. */
export async function listStaffUsers(db: Db, programId: string, params: PageParams & { after?: [string, string] | undefined }): Promise<Page<StaffUser>> {
  const limit = pageSize(params);
  let q = db.selectFrom('staff_users').selectAll().where('program_id', '=', programId);
  if (params.after) {
    const [email, id] = params.after;
    q = q.where((eb) => eb.or([eb('email', '>', email), eb.and([eb('email', '=', email), eb('id', '>', id)])]));
  }
  const rows = await q.orderBy('email').orderBy('id').limit(limit + 1).execute();
  return toPage(rows, limit, (r) => [r.email, r.id], toUser);
}
