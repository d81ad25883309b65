import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface ProductRef {
  sku: string;
  category: string | null;
  brand: string | null;
  marginClass: string | null;
}

/** What the rules engine needs to know of the SKUs a batch of events names, in one query. */
export async function loadProducts(db: Db, programId: string, skus: string[]): Promise<Map<string, ProductRef>> {
  const rows = await sql<{ sku: string; category_code: string | null; brand: string | null; margin_class: string | null }>`
    SELECT sku, category_code, brand, margin_class FROM products
    WHERE program_id = ${programId} AND sku = ANY(${skus}::text[])`.execute(db);
  return new Map(rows.rows.map((r) => [r.sku, { sku: r.sku, category: r.category_code, brand: r.brand, marginClass: r.margin_class }]));
}
