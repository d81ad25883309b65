import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { MembersTable } from '../db/schema.js';
import { attributes, externalId, lifecycleStatus, slug, tags, text } from '../fields/index.js';
import { languages, type Language } from '../i18n/index.js';

/** A member may also wait for a manager's approval after asking to join ('pending'); only that workflow sets it. */
export const memberStatuses = ['invited', 'pending', 'active', 'suspended', 'closed'] as const;
export type MemberStatus = (typeof memberStatuses)[number];

const writable = {
  externalId: externalId.nullable(),
  /** The member's account, by our id or by the account's external id (input only). */
  accountId: z.uuid(),
  accountExternalId: externalId,
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('must be an e-mail address')).nullable(),
  name: text(200),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()./-]{2,38}$/, 'must be a phone number: digits, optionally a leading + and spaces ( ) . / -')
    .nullable(),
  /** Free, program-defined: owner, manager, buyer, sales_rep, engineer, foreman… */
  role: slug.nullable(),
  language: z.enum(languages).nullable(),
  tags,
  status: lifecycleStatus,
  attributes,
};

const oneAccountReference = (m: { accountId?: unknown; accountExternalId?: unknown }) =>
  m.accountId === undefined || m.accountExternalId === undefined;
const oneAccountMessage = { message: 'give accountId or accountExternalId, not both', path: ['accountExternalId'] };
const optional = z.object(writable).partial().shape;

export const memberCreateSchema = z
  .strictObject({ ...optional, name: writable.name })
  .refine(oneAccountReference, oneAccountMessage)
  .refine((m) => m.accountId !== undefined || m.accountExternalId !== undefined, {
    message: 'give the account: accountId or accountExternalId',
    path: ['accountId'],
  });

/** Giving an account moves the member to it. */
export const memberPatchSchema = z.strictObject(writable).partial().refine(oneAccountReference, oneAccountMessage);

export const memberUpsertSchema = z.strictObject({ ...optional, externalId }).refine(oneAccountReference, oneAccountMessage);

const { externalId: _key, ...putFields } = optional;
/** The body of PUT /members/by-external-id/{externalId}: the key is in the path. */
export const memberPutSchema = z.strictObject(putFields).refine(oneAccountReference, oneAccountMessage);

export type MemberCreate = z.input<typeof memberCreateSchema>;
export type MemberPatch = z.input<typeof memberPatchSchema>;
export type MemberUpsert = z.input<typeof memberUpsertSchema>;
type ParsedFields = z.output<typeof memberPatchSchema>;

export const memberSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  externalId: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string(),
  phone: z.string().nullable(),
  role: z.string().nullable(),
  language: z.enum(languages).nullable(),
  tags: z.array(z.string()),
  status: z.enum(memberStatuses),
  tier: z.string().nullable().describe('Set by tier evaluation; read-only here'),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export type Member = z.infer<typeof memberSchema>;
export type MemberRow = Selectable<MembersTable>;

export function toMember(r: MemberRow): Member {
  return {
    id: r.id,
    accountId: r.account_id,
    externalId: r.external_id,
    email: r.email,
    name: r.name,
    phone: r.phone,
    role: r.role,
    language: r.language as Language | null,
    tags: r.tags,
    status: r.status as MemberStatus,
    tier: r.tier,
    attributes: r.attributes as Record<string, unknown>,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export const memberDefaults = {
  external_id: null,
  email: null,
  phone: null,
  role: null,
  language: null,
  tags: [] as string[],
  status: 'active',
  tier: null,
  attributes: '{}',
};

/** Columns for the given fields; the account is resolved elsewhere. */
export function memberColumns(f: Omit<ParsedFields, 'accountId' | 'accountExternalId'>) {
  return {
    ...(f.externalId !== undefined && { external_id: f.externalId }),
    ...(f.email !== undefined && { email: f.email }),
    ...(f.name !== undefined && { name: f.name }),
    ...(f.phone !== undefined && { phone: f.phone }),
    ...(f.role !== undefined && { role: f.role }),
    ...(f.language !== undefined && { language: f.language }),
    ...(f.tags !== undefined && { tags: f.tags }),
    ...(f.status !== undefined && { status: f.status }),
    ...(f.attributes !== undefined && { attributes: JSON.stringify(f.attributes) }),
  };
}
