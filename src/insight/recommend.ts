/**
 * "Others who buy what you buy also buy": item-to-item co-occurrence on purchase invoices, computed in SQL from the
 * summary tables (insight_product_pairs, insight_account_products; rebuilt by the insight job). For an account that
 * bought the products A, a product b it has not bought scores
 *
 *     score(b) = Σ_{a ∈ A} co(a, b) ÷ √(n(a) · n(b))
 *
 * where co(a, b) is the number of invoices holding both and n(x) the number holding x: the cosine similarity of
 * the two products' invoice sets, summed over what the account buys. Dividing by n(b) keeps best-sellers from
 * topping every list; pairs seen on fewer than 2 invoices are noise and left out. Only active products are offered.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface Recommendation {
  sku: string;
  name: string;
  categoryCode: string | null;
  score: number;
  /** The account's product that pairs most strongly with it, and on how many invoices they were bought together. */
  because: { sku: string; name: string; invoices: number };
}

export const MIN_PAIR_INVOICES = 2;

export async function recommendationsFor(db: Db, programId: string, accountId: string, limit = 10): Promise<Recommendation[]> {
  const r = await sql<{ sku: string; name: string; category_code: string | null; score: number; because: string; because_name: string; together: number }>`
    WITH mine AS (
      SELECT sku FROM insight_account_products WHERE program_id = ${programId} AND account_id = ${accountId}
    ), c AS (
      SELECT p.sku_b AS sku, p.sku_a AS because, p.invoices AS together,
             p.invoices::float8 / sqrt(na.invoices::float8 * nb.invoices::float8) AS s
      FROM mine
      JOIN insight_product_pairs p ON p.program_id = ${programId} AND p.sku_a = mine.sku
      JOIN insight_product_pairs na ON na.program_id = ${programId} AND na.sku_a = p.sku_a AND na.sku_b = p.sku_a
      JOIN insight_product_pairs nb ON nb.program_id = ${programId} AND nb.sku_a = p.sku_b AND nb.sku_b = p.sku_b
      WHERE p.sku_b <> p.sku_a AND p.invoices >= ${MIN_PAIR_INVOICES}
        AND NOT EXISTS (SELECT 1 FROM mine m2 WHERE m2.sku = p.sku_b)
    ), ranked AS (
      SELECT sku, sum(s) AS score, (array_agg(because ORDER BY s DESC, because))[1] AS because,
             (array_agg(together ORDER BY s DESC, because))[1] AS together
      FROM c GROUP BY sku
    )
    SELECT ranked.sku, pr.name, pr.category_code, ranked.score, ranked.because, pb.name AS because_name, ranked.together
    FROM ranked
    JOIN products pr ON pr.program_id = ${programId} AND pr.sku = ranked.sku AND pr.active
    LEFT JOIN products pb ON pb.program_id = ${programId} AND pb.sku = ranked.because
    ORDER BY ranked.score DESC, ranked.sku
    LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({
    sku: x.sku,
    name: x.name,
    categoryCode: x.category_code,
    score: Math.round(Number(x.score) * 1e6) / 1e6,
    because: { sku: x.because, name: x.because_name ?? x.because, invoices: Number(x.together) },
  }));
}
