/**
 * Coalition partners: companies outside the program (a bank, a hotel chain) whose own API key may post
 * earn events for the program's members and honour redemptions at the partner.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { text } from '../fields/index.js';

export const partnerKinds = ['bank', 'hotel', 'airline', 'retail', 'fuel', 'other'] as const;

export const partnerCreateSchema = z
  .object({
    // Also the prefix of the partner's event ids (`<code>:<id>`), so no colon in it.
    code: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z][a-z0-9_-]{1,39}$/, 'a lowercase code such as nordbank')
      .describe("Unique lowercase code, also the prefix of the partner's event ids (`<code>:<id>`); cannot be changed"),
    name: text(200).describe("The partner's name"),
    kind: z.enum(partnerKinds).describe('What kind of business the partner is'),
  })
  .strict()
  .meta({ id: 'PartnerCreate', description: 'A new coalition partner.' });
export const partnerPatchSchema = z
  .object({
    name: text(200).describe("The partner's name"),
    kind: z.enum(partnerKinds).describe('What kind of business the partner is'),
    active: z.boolean().describe("false deactivates the partner: its keys stop working at once"),
  })
  .partial()
  .strict()
  .meta({ id: 'PartnerPatch', description: 'Fields to change on a partner; those left out keep their value.' });

export type PartnerKind = (typeof partnerKinds)[number];

export interface Partner {
  id: string;
  code: string;
  name: string;
  kind: PartnerKind;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type Row = { id: string; code: string; name: string; kind: string; active: boolean; created_at: Date; updated_at: Date };
const toPartner = (r: Row): Partner => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind as PartnerKind,
  active: r.active,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function createPartner(db: Db, programId: string, input: z.output<typeof partnerCreateSchema>, now: Date): Promise<Partner> {
  try {
    const row = await db
      .insertInto('partners')
      .values({ program_id: programId, id: uuidv7(), code: input.code, name: input.name, kind: input.kind, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPartner(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new LojalError('partner_code_taken', { code: input.code });
    throw err;
  }
}

export async function getPartner(db: Db, programId: string, id: string, forUpdate = false): Promise<Partner> {
  let q = db.selectFrom('partners').selectAll().where('program_id', '=', programId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'partner', id });
  return toPartner(row);
}

export async function updatePartner(db: Db, programId: string, id: string, patch: z.output<typeof partnerPatchSchema>, now: Date): Promise<Partner> {
  const row = await db
    .updateTable('partners')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.kind !== undefined && { kind: patch.kind }),
      ...(patch.active !== undefined && { active: patch.active }),
      updated_at: now,
    })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'partner', id });
  return toPartner(row);
}

/** A program has a handful of partners: all of them, by code. */
export async function listPartners(db: Db, programId: string): Promise<Partner[]> {
  const rows = await db.selectFrom('partners').selectAll().where('program_id', '=', programId).orderBy('code').execute();
  return rows.map(toPartner);
}
