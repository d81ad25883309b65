import { sql } from 'kysely';
import { z } from 'zod';
import { parseItems, toResults, type BatchItemResult } from '../batch/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { containsPattern, decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import { productColumns, productUpsertSchema, toProduct, type Product, type ProductRow } from './schema.js';

type Parsed = z.output<typeof productUpsertSchema>;
type Outcome = { status: 'created' | 'updated'; id: string } | LojalError;

/**
 * Creates or updates products by SKU: all items are checked, then the valid ones are written in one
 * multi-row statement. Fields an item leaves out keep their stored value; a new product needs a name.
 */
export async function upsertProductItems(db: Db, programId: string, inputs: readonly unknown[], now: Date): Promise<Outcome[]> {
  const { items: checked, outcomes } = parseItems<Parsed, Exclude<Outcome, LojalError>>(inputs, productUpsertSchema, (x) => x.sku, (sku) => new LojalError('validation_failed', {}, [{ path: 'sku', message: 'appears twice in this batch' }]));
  const parsed = checked.map(({ index, item }) => ({ index, p: item }));
  if (!parsed.length) return outcomes;

  await db.transaction().execute(async (trx) => {
    // Rows are locked and written in key order, so concurrent batches that overlap wait instead of deadlocking.
    const existing = await trx
      .selectFrom('products')
      .selectAll()
      .where('program_id', '=', programId)
      .where(sql<boolean>`sku = ANY(${parsed.map((i) => i.p.sku)}::text[])`)
      .orderBy('sku')
      .forUpdate()
      .execute();
    const bySku = new Map(existing.map((r) => [r.sku, r]));
    const wanted = [...new Set(parsed.flatMap((i) => (i.p.categoryCode ? [i.p.categoryCode] : [])))];
    const categories = new Set(
      wanted.length
        ? (
            await trx
              .selectFrom('categories')
              .select('code')
              .where('program_id', '=', programId)
              .where(sql<boolean>`code = ANY(${wanted}::text[])`)
              .execute()
          ).map((r) => r.code)
        : [],
    );
    parsed.sort((x, y) => (x.p.sku < y.p.sku ? -1 : 1));
    const live = parsed.filter(({ index, p }) => {
      if (!bySku.has(p.sku) && p.name === undefined) {
        outcomes[index] = new LojalError('validation_failed', {}, [{ path: 'name', message: 'is required to create a product', check: { code: 'custom', params: { field: 'required_product' } }, fieldCode: 'required' }]);
      } else if (p.categoryCode && !categories.has(p.categoryCode)) {
        outcomes[index] = new LojalError('unknown_category', { category: p.categoryCode });
      } else return true;
      return false;
    });
    if (!live.length) return;
    const written = await trx
      .insertInto('products')
      .values(live.map(({ p }) => rowFor(programId, p, bySku.get(p.sku), now)))
      .onConflict((oc) =>
        oc.columns(['program_id', 'sku']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          category_code: eb.ref('excluded.category_code'),
          brand: eb.ref('excluded.brand'),
          margin_class: eb.ref('excluded.margin_class'),
          unit_price: eb.ref('excluded.unit_price'),
          active: eb.ref('excluded.active'),
          attributes: eb.ref('excluded.attributes'),
          updated_at: now,
        })),
      )
      .returning(['sku', sql<boolean>`(xmax = 0)`.as('inserted')])
      .execute();
    const inserted = new Map(written.map((w) => [w.sku, w.inserted]));
    for (const { index, p } of live) outcomes[index] = { status: inserted.get(p.sku) ? 'created' : 'updated', id: p.sku };
  });
  return outcomes;
}

function rowFor(programId: string, p: Parsed, e: ProductRow | undefined, now: Date) {
  const stored = e && {
    name: e.name,
    category_code: e.category_code,
    brand: e.brand,
    margin_class: e.margin_class,
    unit_price: e.unit_price === null ? null : Number(e.unit_price),
    active: e.active,
    attributes: JSON.stringify(e.attributes),
  };
  return {
    name: '',
    category_code: null,
    brand: null,
    margin_class: null,
    unit_price: null,
    active: true,
    attributes: '{}',
    ...stored,
    ...productColumns(p),
    program_id: programId,
    sku: p.sku,
    created_at: now,
    updated_at: now,
  };
}

export async function upsertProducts(db: Db, programId: string, inputs: readonly unknown[], now: Date): Promise<BatchItemResult[]> {
  return toResults(await upsertProductItems(db, programId, inputs, now));
}

/** PUT /products/{sku}. */
export async function upsertProduct(
  db: Db,
  programId: string,
  sku: string,
  fields: Record<string, unknown>,
  now: Date,
): Promise<{ product: Product; created: boolean }> {
  const [outcome] = await upsertProductItems(db, programId, [{ ...fields, sku }], now);
  if (outcome instanceof LojalError) throw outcome;
  return { product: await getProduct(db, programId, outcome!.id), created: outcome!.status === 'created' };
}

export async function getProduct(db: Db, programId: string, sku: string): Promise<Product> {
  const row = await db.selectFrom('products').selectAll().where('program_id', '=', programId).where('sku', '=', sku).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'product', id: sku });
  return toProduct(row);
}

export interface ProductFilters {
  categoryCode?: string | undefined;
  brand?: string | undefined;
  marginClass?: string | undefined;
  active?: boolean | undefined;
  /** Case-insensitive "contains" on SKU and name. */
  q?: string | undefined;
}

/** Products ordered by SKU. */
export async function listProducts(db: Db, programId: string, query: ProductFilters & PageParams = {}): Promise<Page<Product>> {
  const limit = pageSize(query);
  const after = decodeCursor(query.cursor, z.tuple([z.string()]));
  const { categoryCode, brand, marginClass, active, q } = query;
  const rows = await db
    .selectFrom('products')
    .selectAll()
    .where('program_id', '=', programId)
    .$if(categoryCode !== undefined, (qb) => qb.where('category_code', '=', categoryCode!))
    .$if(brand !== undefined, (qb) => qb.where('brand', '=', brand!))
    .$if(marginClass !== undefined, (qb) => qb.where('margin_class', '=', marginClass!.trim().toLowerCase()))
    .$if(active !== undefined, (qb) => qb.where('active', '=', active!))
    .$if(!!q, (qb) => qb.where((eb) => eb.or([eb('sku', 'ilike', containsPattern(q!)), eb('name', 'ilike', containsPattern(q!))])))
    .$if(after !== undefined, (qb) => qb.where('sku', '>', after![0]))
    .orderBy('sku')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => [r.sku], toProduct);
}

/** What rules need to know about the products of a purchase. */
export interface ProductRef {
  sku: string;
  categoryCode: string | null;
  brand: string | null;
  marginClass: string | null;
}

/** One query for a whole batch of SKUs; unknown SKUs are absent from the map. */
export async function resolveProducts(db: Db, programId: string, skus: readonly string[]): Promise<Map<string, ProductRef>> {
  const unique = [...new Set(skus)];
  const found = new Map<string, ProductRef>();
  if (!unique.length) return found;
  const rows = await db
    .selectFrom('products')
    .select(['sku', 'category_code', 'brand', 'margin_class'])
    .where('program_id', '=', programId)
    .where(sql<boolean>`sku = ANY(${unique}::text[])`)
    .execute();
  for (const r of rows) found.set(r.sku, { sku: r.sku, categoryCode: r.category_code, brand: r.brand, marginClass: r.margin_class });
  return found;
}
