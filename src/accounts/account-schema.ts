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
  externalId: externalId.nullable(),
  name: text(200),
  legalName: text(200).nullable(),
  orgNumber: companyNumber.nullable(),
  vatNumber: companyNumber.nullable(),
  country: country.nullable(),
  segment: text(100).nullable(),
  tags,
  parentId: z.uuid().nullable(),
  /** Input only: the parent by its external id, for integrations that do not know our ids. */
  parentExternalId: externalId.nullable(),
  status: lifecycleStatus,
  keyAccountManager: text(200).nullable(),
  attributes,
};

const oneParentReference = (a: { parentId?: unknown; parentExternalId?: unknown }) =>
  a.parentId === undefined || a.parentExternalId === undefined;
const oneParentMessage = { message: 'give parentId or parentExternalId, not both', path: ['parentExternalId'] };

export const accountCreateSchema = z
  .strictObject({ ...z.object(writable).partial().shape, name: writable.name })
  .refine(oneParentReference, oneParentMessage);

export const accountPatchSchema = z.strictObject(writable).partial().refine(oneParentReference, oneParentMessage);

/** An item of a batch or a PUT by external id: the external id is the key; name is needed only to create. */
export const accountUpsertSchema = z
  .strictObject({ ...z.object(writable).partial().shape, externalId })
  .refine(oneParentReference, oneParentMessage);

const { externalId: _key, ...putFields } = z.object(writable).partial().shape;
/** The body of PUT /accounts/by-external-id/{externalId}: the key is in the path. */
export const accountPutSchema = z.strictObject(putFields).refine(oneParentReference, oneParentMessage);

export type AccountCreate = z.input<typeof accountCreateSchema>;
export type AccountPatch = z.input<typeof accountPatchSchema>;
export type AccountUpsert = z.input<typeof accountUpsertSchema>;
type ParsedFields = z.output<typeof accountPatchSchema>;

export const accountSchema = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  name: z.string(),
  legalName: z.string().nullable(),
  orgNumber: z.string().nullable(),
  vatNumber: z.string().nullable(),
  country: z.string().nullable(),
  segment: z.string().nullable(),
  tags: z.array(z.string()),
  parentId: z.uuid().nullable(),
  status: z.enum(lifecycleStatuses),
  keyAccountManager: z.string().nullable(),
  tier: z.string().nullable().describe('Set by tier evaluation; read-only here'),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: z.date(),
  updatedAt: z.date(),
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
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
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
  };
}
