import { sql, type Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { inTransaction, type Db } from '../db/database.js';
import type { ExpiryPolicyJson, ProgramsTable } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { languages } from '../i18n/index.js';
import { openSystemWallets } from '../ledger/wallets.js';

export const expiryPolicySchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('never') }).strict(),
    z.object({ kind: z.literal('rolling'), months: z.number().int().min(1).max(120).describe('Points expire this many months after they were earned') }).strict(),
    z
      .object({ kind: z.literal('end_of_year'), yearsAfter: z.number().int().min(0).max(10).describe('Points expire at the end of the year this many years after the year they were earned in') })
      .strict(),
  ])
  .meta({ id: 'ExpiryPolicy', description: 'When earned points expire: never, a number of months after earning, or at the end of a year.' });

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Stockholm');

export const programSettingsSchema = z
  .object({
    name: z.string().trim().min(1).max(200).describe("The program's name, shown in the portal and in mails"),
    defaultLanguage: z.enum(languages).describe('The language of mails and pages for a member who has none'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as SEK').describe('ISO 4217 code of the money values, e.g. SEK'),
    pointsName: z.string().trim().min(1).max(40).describe('What members see points called, e.g. Bonuspoäng'),
    timeZone: timeZone.describe('IANA time zone that decides days and periods, e.g. Europe/Stockholm'),
    pendingDays: z.number().int().min(0).max(365).describe('Days earned points wait (the return window) before they can be spent'),
    expiryPolicy: expiryPolicySchema,
    /** What one point costs the program, in millionths of the currency's minor unit (1000000 = 1 öre, 0.01 SEK). */
    pointValueMicros: z
      .number()
      .int()
      .min(0)
      .max(1_000_000_000)
      .describe("What one point costs the program, in millionths of the currency's minor unit (1000000 = 1 öre, 0.01 SEK)"),
    /** Tiers and account caps count per account ('branch', the default) or for the whole chain under its top parent. */
    hierarchyRollup: z.enum(['branch', 'chain']).describe('Tiers and account caps count per account (branch) or for the whole chain under its top parent (chain)'),
    /** A deactivated member's points go back to the company wallet ('return') or expire ('expire'). */
    leaverPoints: z.enum(['return', 'expire']).describe("A deactivated member's points go back to the company wallet (return) or expire (expire)"),
    /** Members may also sign in to the portal with a password (besides one-time codes by e-mail). */
    memberPasswords: z.boolean().describe('Members may also sign in to the portal with a password, besides one-time codes by e-mail'),
    /** What one member may upload from the portal per clock hour (claim evidence, service photos); 0 stops uploads. */
    memberUploadFilesPerHour: z.number().int().min(0).max(100_000).describe('Files one member may upload per clock hour (portal claims and service requests); 0 allows none. Default 60'),
    memberUploadBytesPerHour: z
      .number()
      .int()
      .min(0)
      .max(1024 ** 4)
      .describe('Bytes one member may upload per clock hour, all files together; 0 allows none. Default 262144000 (250 MiB)'),
  })
  .strict();

export type ProgramSettings = z.infer<typeof programSettingsSchema>;
export const createProgramSchema = programSettingsSchema.partial({
  pendingDays: true,
  expiryPolicy: true,
  pointValueMicros: true,
  hierarchyRollup: true,
  leaverPoints: true,
  memberPasswords: true,
  memberUploadFilesPerHour: true,
  memberUploadBytesPerHour: true,
  defaultLanguage: true,
  pointsName: true,
  timeZone: true,
});

export interface Program extends ProgramSettings {
  id: string;
  /** Kept by the onboarding module: event ingestion looks for checklist steps only when set. */
  hasOnboarding: boolean;
  createdAt: Date;
}

/** The program's own wallets, the other side of every posting. Ids are derived so nobody has to look them up. */
export const systemWalletKinds = ['issuance', 'redemption', 'expiry', 'adjustment'] as const;
export type SystemWalletKind = (typeof systemWalletKinds)[number];

export function systemWalletId(programId: string, kind: SystemWalletKind): string {
  // The program id with its last 4 hex digits replaced by the kind's number: unique, stable, still a UUID.
  const n = systemWalletKinds.indexOf(kind) + 1;
  return programId.slice(0, 32) + n.toString(16).padStart(4, '0');
}

export async function createProgram(db: Db, input: z.input<typeof createProgramSchema>): Promise<Program> {
  const s = createProgramSchema.parse(input);
  const id = uuidv7();
  const settings: ProgramSettings = {
    name: s.name,
    defaultLanguage: s.defaultLanguage ?? 'en',
    currency: s.currency,
    pointsName: s.pointsName ?? 'points',
    timeZone: s.timeZone ?? 'UTC',
    pendingDays: s.pendingDays ?? 0,
    expiryPolicy: s.expiryPolicy ?? { kind: 'never' },
    pointValueMicros: s.pointValueMicros ?? 1_000_000,
    hierarchyRollup: s.hierarchyRollup ?? 'branch',
    leaverPoints: s.leaverPoints ?? 'return',
    memberPasswords: s.memberPasswords ?? false,
    memberUploadFilesPerHour: s.memberUploadFilesPerHour ?? 60,
    memberUploadBytesPerHour: s.memberUploadBytesPerHour ?? 250 * 1024 * 1024,
  };
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('programs')
      .values({
        id,
        name: settings.name,
        default_language: settings.defaultLanguage,
        currency: settings.currency,
        points_name: settings.pointsName,
        time_zone: settings.timeZone,
        pending_days: settings.pendingDays,
        expiry_policy: JSON.stringify(settings.expiryPolicy),
        point_value_micros: settings.pointValueMicros,
        hierarchy_rollup: settings.hierarchyRollup,
        leaver_points: settings.leaverPoints,
        member_passwords: settings.memberPasswords,
        member_upload_files_per_hour: settings.memberUploadFilesPerHour,
        member_upload_bytes_per_hour: settings.memberUploadBytesPerHour,
      })
      .execute();
    await openSystemWallets(trx, id, systemWalletKinds.map((kind) => ({ id: systemWalletId(id, kind), kind })));
  });
  return (await getProgram(db, id))!;
}

/** A programs row as selected, or as `to_json(programs)` gives it (dates as strings, a bigint maybe too). */
export type ProgramRow = Omit<Selectable<ProgramsTable>, 'expiry_policy' | 'point_value_micros' | 'member_upload_bytes_per_hour' | 'created_at' | 'updated_at'> & {
  expiry_policy: unknown;
  point_value_micros: number | string;
  member_upload_bytes_per_hour: number | string;
  created_at: Date | string;
};

export function toProgram(row: ProgramRow): Program {
  return {
    id: row.id,
    name: row.name,
    defaultLanguage: row.default_language as Program['defaultLanguage'],
    currency: row.currency,
    pointsName: row.points_name,
    timeZone: row.time_zone,
    pendingDays: row.pending_days,
    expiryPolicy: row.expiry_policy as ExpiryPolicyJson,
    pointValueMicros: Number(row.point_value_micros),
    hierarchyRollup: row.hierarchy_rollup as Program['hierarchyRollup'],
    leaverPoints: row.leaver_points as Program['leaverPoints'],
    memberPasswords: row.member_passwords,
    memberUploadFilesPerHour: row.member_upload_files_per_hour,
    memberUploadBytesPerHour: Number(row.member_upload_bytes_per_hour),
    hasOnboarding: row.has_onboarding,
    createdAt: new Date(row.created_at),
  };
}

export async function getProgram(db: Db, programId: string): Promise<Program | undefined> {
  const row = await db.selectFrom('programs').selectAll().where('id', '=', programId).executeTakeFirst();
  return row && toProgram(row);
}

export async function updateProgram(db: Db, programId: string, patch: Partial<ProgramSettings>): Promise<Program> {
  const p = programSettingsSchema.partial().parse(patch);
  const result = await db
    .updateTable('programs')
    .set({
      ...(p.name !== undefined && { name: p.name }),
      ...(p.defaultLanguage !== undefined && { default_language: p.defaultLanguage }),
      ...(p.currency !== undefined && { currency: p.currency }),
      ...(p.pointsName !== undefined && { points_name: p.pointsName }),
      ...(p.timeZone !== undefined && { time_zone: p.timeZone }),
      ...(p.pendingDays !== undefined && { pending_days: p.pendingDays }),
      ...(p.expiryPolicy !== undefined && { expiry_policy: JSON.stringify(p.expiryPolicy) }),
      ...(p.pointValueMicros !== undefined && { point_value_micros: p.pointValueMicros }),
      ...(p.hierarchyRollup !== undefined && { hierarchy_rollup: p.hierarchyRollup }),
      ...(p.leaverPoints !== undefined && { leaver_points: p.leaverPoints }),
      ...(p.memberPasswords !== undefined && { member_passwords: p.memberPasswords }),
      ...(p.memberUploadFilesPerHour !== undefined && { member_upload_files_per_hour: p.memberUploadFilesPerHour }),
      ...(p.memberUploadBytesPerHour !== undefined && { member_upload_bytes_per_hour: p.memberUploadBytesPerHour }),
      updated_at: sql`now()`,
    })
    .where('id', '=', programId)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new LojalError('not_found', { entity: 'program', id: programId });
  return (await getProgram(db, programId))!;
}

export async function listPrograms(db: Db): Promise<Program[]> {
  const rows = await db.selectFrom('programs').select('id').orderBy('created_at').execute();
  return Promise.all(rows.map(async (r) => (await getProgram(db, r.id))!));
}

/** Whether the program has an onboarding checklist (kept by the onboarding module when its steps change). */
export async function setHasOnboarding(trx: Db, programId: string, has: boolean): Promise<void> {
  await trx.updateTable('programs').set({ has_onboarding: has }).where('id', '=', programId).execute();
}
