import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { MembersTable } from '../db/schema.js';
import { attributes, externalId, lifecycleStatus, slug, tags, text } from '../fields/index.js';
import { languages, type Language } from '../i18n/index.js';

/** A member may also wait for a manager's approval after asking to join ('pending'); only that workflow sets it. */
export const memberStatuses = ['invited', 'pending', 'active', 'suspended', 'closed'] as const;
export type MemberStatus = (typeof memberStatuses)[number];

const writable = {
  externalId: externalId.nullable().describe("The member's id in your own system (CRM contact number), unique in the program"),
  /** The member's account, by our id or by the account's external id (input only). */
  accountId: z.uuid().describe("The member's account; giving another one moves the member"),
  accountExternalId: externalId.describe('The account by its external id (instead of accountId)'),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254)
    .pipe(z.email('must be an e-mail address'))
    .nullable()
    .describe('E-mail address (stored in lower case): portal sign-in and mails go here'),
  name: text(200).describe("The person's name"),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()./-]{2,38}$/, 'must be a phone number: digits, optionally a leading + and spaces ( ) . / -')
    .nullable()
    .describe('Phone number, e.g. +46 70 123 45 67'),
  /** Free, program-defined: owner, manager, buyer, sales_rep, engineer, foreman… */
  role: slug.nullable().describe('Program-defined role, e.g. owner, manager, buyer, sales_rep, installer; rules may use it'),
  language: z.enum(languages).nullable().describe("The member's language for mails and the portal; null: the program's"),
  tags: tags.describe('Labels rules and filters match exactly; duplicates are dropped'),
  status: lifecycleStatus.describe('Only active members earn and spend; default active'),
  attributes: attributes.describe('Free key/value data for the program (at most 50 keys, 16 KiB); rules may read it'),
};

const oneAccountReference = (m: { accountId?: unknown; accountExternalId?: unknown }) =>
  m.accountId === undefined || m.accountExternalId === undefined;
const oneAccountMessage = { message: 'give accountId or accountExternalId, not both', path: ['accountExternalId'] };
const optional = z.object(writable).partial().shape;
/** In the document: one of the two account references is required (the refinement checks it). */
const accountRequired = { anyOf: [{ required: ['accountId'] }, { required: ['accountExternalId'] }] };
const accountGiven = (m: { accountId?: unknown; accountExternalId?: unknown }) => m.accountId !== undefined || m.accountExternalId !== undefined;
const accountMissing = { message: 'give the account: accountId or accountExternalId', path: ['accountId'] };

export const memberCreateSchema = z
  .strictObject({ ...optional, name: writable.name })
  .refine(oneAccountReference, oneAccountMessage)
  .refine(accountGiven, accountMissing)
  .meta({ id: 'MemberCreate', description: 'A new member: `name` and the account (`accountId` or `accountExternalId`) are required.', ...accountRequired });

/** Giving an account moves the member to it. */
export const memberPatchSchema = z
  .strictObject(writable)
  .partial()
  .refine(oneAccountReference, oneAccountMessage)
  .meta({
    id: 'MemberPatch',
    description: 'Fields to change on a member: those sent are set (null clears), those left out keep their value; an account reference moves the member.',
  });

export const memberUpsertSchema = z
  .strictObject({ ...optional, externalId: externalId.describe("The key: the member's id in your own system") })
  .refine(oneAccountReference, oneAccountMessage)
  .meta({
    id: 'MemberUpsert',
    description:
      'A member of a batch, keyed by `externalId`: created when the external id is new (then `name` and the account ' +
      'are required), otherwise updated with the fields sent; fields left out keep their value.',
  });

const { externalId: _key, ...putFields } = optional;
/**
 * The body of PUT /members/by-external-id/{externalId}: the key is in the path. Name and account are required, as
 * they are to create; a change of a few fields of an existing member is a PATCH of `/v1/members/ext:{externalId}`.
 */
export const memberPutSchema = z
  .strictObject({ ...putFields, name: writable.name })
  .refine(oneAccountReference, oneAccountMessage)
  .refine(accountGiven, accountMissing)
  .meta({
    id: 'MemberPut',
    description:
      'The member as your system knows it, keyed by the external id in the path: `name` and the account ' +
      '(`accountId` or `accountExternalId`) are required; other fields left out keep their stored value.',
    ...accountRequired,
  });

export type MemberCreate = z.input<typeof memberCreateSchema>;
export type MemberPatch = z.input<typeof memberPatchSchema>;
export type MemberUpsert = z.input<typeof memberUpsertSchema>;
type ParsedFields = z.output<typeof memberPatchSchema>;

export const memberSchema = z
  .object({
    id: z.uuid().describe("Lojal's id of the member, also the id of the member's wallet"),
    accountId: z.uuid().describe("The member's account"),
    externalId: z.string().nullable().describe("The member's id in your own system"),
    email: z.string().nullable(),
    name: z.string(),
    phone: z.string().nullable(),
    role: z.string().nullable().describe('Program-defined role, e.g. manager, buyer, sales_rep'),
    language: z.enum(languages).nullable(),
    tags: z.array(z.string()),
    status: z
      .enum(memberStatuses)
      .describe('invited: has not accepted yet; pending: asked to join, waits for approval; only active members earn and spend'),
    tier: z.string().nullable().describe('The tier level code; set by tier evaluation, read-only here'),
    attributes: z.record(z.string(), z.unknown()).describe('Free key/value data kept for the program'),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Member', description: 'A person of an account who earns, spends and answers; has a wallet of their own.' });

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
