import type { Readable } from 'node:stream';
import { booleanCell, emptySummary, importCsv, integerCell, itemFrom, type CsvSummary } from '../csv/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/database.js';
import { ensureCategories } from './categories.js';
import { upsertProducts } from './products.js';
import { productUpsertSchema } from './schema.js';

const productColumns: Record<string, string> = {
  sku: 'sku',
  name: 'name',
  category: 'categoryCode',
  category_code: 'categoryCode',
  brand: 'brand',
  margin_class: 'marginClass',
  unit_price: 'unitPrice',
  active: 'active',
};

/**
 * Imports products by SKU. A category the program does not have yet is created with its code as its
 * name (rename it later with PUT /v1/categories/{code}); an invalid code is reported on its row.
 */
export async function importProductsCsv(
  db: Db,
  programId: string,
  input: Readable,
  clock: Clock,
  onProgress?: (rowsDone: number) => void,
): Promise<CsvSummary> {
  return importCsv(
    input,
    {
      columns: productColumns,
      required: ['sku'],
      toItem: (row) => itemFrom(row, { unitPrice: integerCell, active: booleanCell }),
      async write(batch) {
        // Only for rows that will be written, so a rejected row leaves no category behind.
        const codes = batch.flatMap(({ item }) => {
          const product = productUpsertSchema.safeParse(item);
          return product.success && product.data.categoryCode ? [product.data.categoryCode] : [];
        });
        const now = clock();
        await ensureCategories(db, programId, codes, now);
        return upsertProducts(db, programId, batch.map((b) => b.item), now);
      },
    },
    emptySummary(),
    onProgress,
  );
}
