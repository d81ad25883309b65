import { z } from 'zod';
import { languages } from '../i18n/index.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const slug = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a lowercase word such as installer, foreman or sales_rep');
const tags = z.array(z.string().trim().min(1).max(60)).max(50);
const attributes = z.record(z.string().max(100), z.unknown()).refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes');
export const statusSchema = z.enum(['invited', 'active', 'suspended', 'closed']);

export const accountFields = z
  .object({
    externalId: text(200).nullable(),
    name: text(200),
    legalName: text(200).nullable(),
    orgNumber: text(50).nullable(),
    vatNumber: text(50).nullable(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code in capitals, e.g. SE').nullable(),
    segment: slug.nullable(),
    tags,
    parentId: z.uuid().nullable(),
    status: statusSchema,
    keyAccountManager: text(200).nullable(),
    attributes,
  })
  .strict();

export const accountCreate = accountFields.partial().required({ name: true }).strict();
export const accountPatch = accountFields.partial().strict();
export type AccountInput = z.infer<typeof accountCreate>;

export const memberFields = z
  .object({
    accountId: z.uuid(),
    externalId: text(200).nullable(),
    email: z.email('a valid e-mail address').max(320).nullable(),
    name: text(200),
    phone: z.string().regex(/^\+?[0-9 ()-]{5,30}$/, 'a phone number such as +46 70 123 45 67').nullable(),
    role: slug.nullable(),
    language: z.enum(languages).nullable(),
    tags,
    status: statusSchema,
    attributes,
  })
  .strict();

export const memberCreate = memberFields.partial().required({ name: true }).extend({ accountExternalId: text(200).optional() }).strict();
export const memberPatch = memberFields.omit({ accountId: true }).partial().strict();
export type MemberInput = z.infer<typeof memberCreate>;
