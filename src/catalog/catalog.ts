/** The products and categories rules reason about: category, brand and margin class per SKU. */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { itemError, type BatchResult } from '../accounts/batch.js';

const code = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a lowercase code such as tools or paint-and-glue');

export const categoryInput = z.object({ name: z.string().trim().min(1).max(200), parentCode: code.nullable().optional() }).strict();
export const productInput = z
  .object({
    name: z.string().trim().min(1).max(300),
    categoryCode: code.nullable().optional(),
    brand: z.string().trim().min(1).max(100).nullable().optional(),
    marginClass: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a lowercase class such as high, standard or low').nullable().optional(),
    unitPrice: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    active: z.boolean().optional(),
    attributes: z.record(z.string().max(100), z.unknown()).optional(),
  })
  .strict();
export const skuSchema = z.string().trim().min(1).max(100);

export interface Category {
  code: string;
  name: string;
  parentCode: string | null;
}
export interface Product {
  sku: string;
  name: string;
  categoryCode: string | null;
  brand: string | null;
  marginClass: string | null;
  unitPrice: number | null;
  active: boolean;
  attributes: Record<string, unknown>;
  updatedAt: Date;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const toProduct = (r: any): Product => ({
  sku: r.sku,
  name: r.name,
  categoryCode: r.category_code,
  brand: r.brand,
  marginClass: r.margin_class,
  unitPrice: r.unit_price,
  active: r.active,
  attributes: r.attributes,
  updatedAt: r.updated_at,
});

export async function upsertCategories(db: Db, programId: string, items: Array<{ code: string } & z.infer<typeof categoryInput>>): Promise<void> {
  if (items.length === 0) return;
  await db
    .insertInto('categories')
    .values(items.map((c) => ({ program_id: programId, code: c.code, name: c.name, parent_code: c.parentCode ?? null })) as never)
    .onConflict((oc) => oc.columns(['program_id', 'code']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), parent_code: eb.ref('excluded.parent_code'), updated_at: sql`now()` })))
    .execute();
}

export async function listCategories(db: Db, programId: string): Promise<Category[]> {
  const rows = await db.selectFrom('categories').select(['code', 'name', 'parent_code']).where('program_id', '=', programId).orderBy('code').execute();
  return rows.map((r) => ({ code: r.code, name: r.name, parentCode: r.parent_code }));
}

export async function getProduct(db: Db, programId: string, sku: string): Promise<Product> {
  const row = await db.selectFrom('products').selectAll().where('program_id', '=', programId).where('sku', '=', sku).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'product', id: sku });
  return toProduct(row);
}

export async function listProducts(
  db: Db,
  programId: string,
  f: { categoryCode?: string | undefined; brand?: string | undefined; marginClass?: string | undefined; q?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ data: Product[]; nextCursor: string | null }> {
  let q = db.selectFrom('products').selectAll().where('program_id', '=', programId);
  if (f.categoryCode) q = q.where('category_code', '=', f.categoryCode);
  if (f.brand) q = q.where('brand', '=', f.brand);
  if (f.marginClass) q = q.where('margin_class', '=', f.marginClass);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', like), eb(eb.fn('lower', ['sku']), 'like', like)]));
  }
  const after = decodeCursor(f.cursor, 1);
  if (after) q = q.where('sku', '>', String(after[0]));
  const rows = await q.orderBy('sku').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit).map(toProduct);
  return { data: page, nextCursor: rows.length > f.limit ? encodeCursor([page[page.length - 1]!.sku]) : null };
}

/** Creates or replaces products by SKU in one statement; unknown categories are refused per item. */
export async function upsertProducts(db: Db, programId: string, items: unknown[]): Promise<BatchResult[]> {
  const results: BatchResult[] = new Array(items.length);
  const valid: Array<{ index: number; sku: string; p: z.infer<typeof productInput> }> = [];
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    const { sku, ...rest } = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const s = skuSchema.safeParse(sku);
    if (!s.success) return (results[index] = itemError(index, undefined, [{ path: 'sku', message: 'every product needs its SKU' }]));
    const r = productInput.safeParse(rest);
    if (!r.success) return (results[index] = itemError(index, r.error));
    if (seen.has(s.data)) return (results[index] = itemError(index, undefined, [{ path: 'sku', message: 'appears twice in this batch' }]));
    seen.add(s.data);
    valid.push({ index, sku: s.data, p: r.data });
  });
  const codes = [...new Set(valid.map((v) => v.p.categoryCode).filter((c): c is string => Boolean(c)))];
  const known = new Set(
    codes.length ? (await db.selectFrom('categories').select('code').where('program_id', '=', programId).where('code', 'in', codes).execute()).map((r) => r.code) : [],
  );
  const ok = valid.filter((v) => {
    if (!v.p.categoryCode || known.has(v.p.categoryCode)) return true;
    results[v.index] = { index: v.index, status: 'error', error: { code: 'unknown_category', message: `Unknown category ${v.p.categoryCode}.`, errors: [{ path: 'categoryCode', message: 'create the category first' }] } };
    return false;
  });
  if (ok.length === 0) return results;
  const written = await db
    .insertInto('products')
    .values(ok.map(({ sku, p }) => ({
      program_id: programId,
      sku,
      name: p.name,
      category_code: p.categoryCode ?? null,
      brand: p.brand ?? null,
      margin_class: p.marginClass ?? null,
      unit_price: p.unitPrice ?? null,
      active: p.active ?? true,
      attributes: JSON.stringify(p.attributes ?? {}),
    })) as never)
    .onConflict((oc) =>
      oc.columns(['program_id', 'sku']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        category_code: eb.ref('excluded.category_code'),
        brand: eb.ref('excluded.brand'),
        margin_class: eb.ref('excluded.margin_class'),
        unit_price: eb.ref('excluded.unit_price'),
        active: eb.ref('excluded.active'),
        attributes: eb.ref('excluded.attributes'),
        updated_at: sql`now()`,
      })),
    )
    .returning(['sku', sql<boolean>`(xmax = 0)`.as('inserted')])
    .execute();
  const inserted = new Map(written.map((w) => [w.sku, w.inserted]));
  for (const v of ok) results[v.index] = { index: v.index, status: inserted.get(v.sku) ? 'created' : 'updated', id: v.sku };
  return results;
}
