import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { CategoriesTable, ProductsTable } from '../db/schema.js';
import { attributes, slug, text } from '../fields/index.js';

/** Category codes are keys in URLs and rules, so they are taken as given, never re-cased. */
export const categoryCode = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, _ or - (at most 64), such as power-tools');

/** SKUs are the customer's own article numbers: kept exactly, but limited to characters safe in a URL path. */
export const sku = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:+-]{0,63}$/, 'must be letters, digits and . _ : + - (at most 64)');

export const categoryUpsertSchema = z.strictObject({
  code: categoryCode,
  name: text(200).optional(),
  parentCode: categoryCode.nullable().optional(),
});
/** PUT /categories/{code}: the code is in the path. */
export const categoryPutSchema = categoryUpsertSchema.omit({ code: true });
export type CategoryUpsert = z.input<typeof categoryUpsertSchema>;

export const categorySchema = z.object({
  code: z.string(),
  name: z.string(),
  parentCode: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Category = z.infer<typeof categorySchema>;

export const toCategory = (r: Selectable<CategoriesTable>): Category => ({
  code: r.code,
  name: r.name,
  parentCode: r.parent_code,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const productFields = {
  name: text(200),
  categoryCode: categoryCode.nullable(),
  brand: text(100).nullable(),
  /** e.g. high, standard, low: what up-sell rules reason about. */
  marginClass: slug.nullable(),
  /** In the program currency's minor units (öre, grosz, cent). */
  unitPrice: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
  active: z.boolean(),
  attributes,
};
export const productPutSchema = z.strictObject(productFields).partial();
export const productUpsertSchema = productPutSchema.extend({ sku });
export type ProductUpsert = z.input<typeof productUpsertSchema>;
export type ProductFields = z.output<typeof productPutSchema>;

export const productSchema = z.object({
  sku: z.string(),
  name: z.string(),
  categoryCode: z.string().nullable(),
  brand: z.string().nullable(),
  marginClass: z.string().nullable(),
  unitPrice: z.number().int().nullable(),
  active: z.boolean(),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Product = z.infer<typeof productSchema>;
export type ProductRow = Selectable<ProductsTable>;

export const toProduct = (r: ProductRow): Product => ({
  sku: r.sku,
  name: r.name,
  categoryCode: r.category_code,
  brand: r.brand,
  marginClass: r.margin_class,
  // bigint: a number from pg's parser, a bigint from PGlite's.
  unitPrice: r.unit_price === null ? null : Number(r.unit_price),
  active: r.active,
  attributes: r.attributes as Record<string, unknown>,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function productColumns(f: ProductFields) {
  return {
    ...(f.name !== undefined && { name: f.name }),
    ...(f.categoryCode !== undefined && { category_code: f.categoryCode }),
    ...(f.brand !== undefined && { brand: f.brand }),
    ...(f.marginClass !== undefined && { margin_class: f.marginClass }),
    ...(f.unitPrice !== undefined && { unit_price: f.unitPrice }),
    ...(f.active !== undefined && { active: f.active }),
    ...(f.attributes !== undefined && { attributes: JSON.stringify(f.attributes) }),
  };
}
