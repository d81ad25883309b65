import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AccountsTable } from '../db/schema.js';
import { attributes, country, externalId, lifecycleStatus, lifecycleStatuses, tags, text, type LifecycleStatus } from '../fields/index.js';

const companyNumber = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ./-]*$/u, 'may contain letters, digits, spaces, . / and -');

/** Every writable account field; `tier` is absent on purpose: the tiers module sets it. */
const writable = {
  externalId: externalId.nullable().describe("The account's id in your own system (ERP customer number), unique in the program"),
  name: text(200).describe('Display name'),
  legalName: text(200).nullable().describe('Registered company name, when it differs from the display name'),
  orgNumber: companyNumber.nullable().describe('Company registration number (organisationsnummer)'),
  vatNumber: companyNumber.nullable().describe('VAT registration number'),
  country: country.nullable().describe('ISO 3166-1 alpha-2 country code, e.g. SE (lower case is accepted)'),
  segment: text(100).nullable().describe('Free customer segment, e.g. installer or dealer; rules and filters may use it'),
  tags: tags.describe('Labels rules and filters match exactly; duplicates are dropped'),
  parentId: z.uuid().nullable().describe('The parent account (head office) of this branch; null makes it a top-level account'),
  /** Input only: the parent by its external id, for integrations that do not know our ids. */
  parentExternalId: externalId.nullable().describe("The parent account by its external id (instead of parentId)"),
  status: lifecycleStatus.describe('Only active accounts earn and spend; default active'),
  keyAccountManager: text(200).nullable().describe('Who looks after the account on your side (name or e-mail)'),
  attributes: attributes.describe('Free key/value data for the program (at most 50 keys, 16 KiB); rules may read it'),
  joinedOn: z.iso
    .date()
    .nullable()
    .describe('YYYY-MM-DD: the day the company joined the program (default: the day it is created); null: a customer that is not a member, kept to compare with (ROI)'),
};

const oneParentReference = (a: { parentId?: unknown; parentExternalId?: unknown }) =>
  a.parentId === undefined || a.parentExternalId === undefined;
const oneParentMessage = { message: 'give parentId or parentExternalId, not both', path: ['parentExternalId'] };

export const accountCreateSchema = z
  .strictObject({ ...z.object(writable).partial().shape, name: writable.name })
  .refine(oneParentReference, oneParentMessage)
  .meta({ id: 'AccountCreate', description: 'A new account: only `name` is required.' });

export const accountPatchSchema = z
  .strictObject(writable)
  .partial()
  .refine(oneParentReference, oneParentMessage)
  .meta({ id: 'AccountPatch', description: 'Fields to change on an account: those sent are set (null clears), those left out keep their value.' });

/** An item of a batch or a PUT by external id: the external id is the key; name is needed only to create. */
export const accountUpsertSchema = z
  .strictObject({ ...z.object(writable).partial().shape, externalId: externalId.describe('The key: the account\'s id in your own system') })
  .refine(oneParentReference, oneParentMessage)
  .meta({
    id: 'AccountUpsert',
    description:
      'An account of a batch, keyed by `externalId`: created when the external id is new (then `name` is required), ' +
      'otherwise updated with the fields sent; fields left out keep their value.',
  });

const { externalId: _key, ...putFields } = z.object(writable).partial().shape;
/**
 * The body of PUT /accounts/by-external-id/{externalId}: the key is in the path. `name` is required, as it is
 * to create; a change of a few fields of an existing account is a PATCH of `/v1/accounts/ext:{externalId}`.
 */
export const accountPutSchema = z
  .strictObject({ ...putFields, name: writable.name })
  .refine(oneParentReference, oneParentMessage)
  .meta({
    id: 'AccountPut',
    description:
      'The account as your system knows it, keyed by the external id in the path: `name` is required; other fields ' +
      'left out keep their stored value (an ERP sync does not undo a suspension it knows nothing of).',
  });

export type AccountCreate = z.input<typeof accountCreateSchema>;
export type AccountPatch = z.input<typeof accountPatchSchema>;
export type AccountUpsert = z.input<typeof accountUpsertSchema>;
type ParsedFields = z.output<typeof accountPatchSchema>;

export const accountSchema = z
  .object({
    id: z.uuid().describe("Lojal's id of the account, also the id of its company wallet"),
    externalId: z.string().nullable().describe("The account's id in your own system (ERP customer number)"),
    name: z.string(),
    legalName: z.string().nullable(),
    orgNumber: z.string().nullable().describe('Company registration number'),
    vatNumber: z.string().nullable(),
    country: z.string().nullable().describe('ISO 3166-1 alpha-2 country code'),
    segment: z.string().nullable(),
    tags: z.array(z.string()),
    parentId: z.uuid().nullable().describe('The parent account (head office), null for a top-level account'),
    status: z.enum(lifecycleStatuses).describe('Only active accounts earn and spend'),
    keyAccountManager: z.string().nullable(),
    tier: z.string().nullable().describe('The tier level code; set by tier evaluation, read-only here'),
    attributes: z.record(z.string(), z.unknown()).describe('Free key/value data kept for the program'),
    joinedOn: z.string().nullable().describe('YYYY-MM-DD the company joined the program; null: not a member (a customer kept for comparison)'),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'Account',
    description: 'A customer company of the program: it has a company wallet of points, members, and may be a branch of a parent account.',
  });

export type Account = z.infer<typeof accountSchema>;
export type AccountRow = Selectable<AccountsTable>;

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    externalId: r.external_id,
    name: r.name,
    legalName: r.legal_name,
    orgNumber: r.org_number,
    vatNumber: r.vat_number,
    country: r.country,
    segment: r.segment,
    tags: r.tags,
    parentId: r.parent_id,
    status: r.status as LifecycleStatus,
    keyAccountManager: r.key_account_manager,
    tier: r.tier,
    attributes: r.attributes as Record<string, unknown>,
    joinedOn: dateOnly(r.joined_on),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A `date` column as YYYY-MM-DD: the drivers hand it over as a Date at midnight (UTC or local) or as text. */
export function dateOnly(v: Date | string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.slice(0, 10);
  const utc = v.getUTCHours() === 0 && v.getUTCMinutes() === 0;
  const y = utc ? v.getUTCFullYear() : v.getFullYear();
  const m = (utc ? v.getUTCMonth() : v.getMonth()) + 1;
  const d = utc ? v.getUTCDate() : v.getDate();
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Column values of a new account for the fields a create leaves out. */
export const accountDefaults = {
  external_id: null,
  legal_name: null,
  org_number: null,
  vat_number: null,
  country: null,
  segment: null,
  tags: [] as string[],
  parent_id: null,
  status: 'active',
  key_account_manager: null,
  tier: null,
  attributes: '{}',
};

/** The columns to write for the given fields; fields left out are not touched (parent is resolved elsewhere). */
export function accountColumns(f: Omit<ParsedFields, 'parentId' | 'parentExternalId'>) {
  return {
    ...(f.externalId !== undefined && { external_id: f.externalId }),
    ...(f.name !== undefined && { name: f.name }),
    ...(f.legalName !== undefined && { legal_name: f.legalName }),
    ...(f.orgNumber !== undefined && { org_number: f.orgNumber }),
    ...(f.vatNumber !== undefined && { vat_number: f.vatNumber }),
    ...(f.country !== undefined && { country: f.country }),
    ...(f.segment !== undefined && { segment: f.segment }),
    ...(f.tags !== undefined && { tags: f.tags }),
    ...(f.status !== undefined && { status: f.status }),
    ...(f.keyAccountManager !== undefined && { key_account_manager: f.keyAccountManager }),
    ...(f.attributes !== undefined && { attributes: JSON.stringify(f.attributes) }),
    ...(f.joinedOn !== undefined && { joined_on: f.joinedOn }),
  };
}
