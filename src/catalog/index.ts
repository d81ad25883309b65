/** The catalog module: products and their categories, brands and margin classes, which rules reason about. */
export { upsertCategories, upsertCategory, ensureCategories, listCategories } from './categories.js';
export {
  upsertProducts,
  upsertProduct,
  getProduct,
  listProducts,
  resolveProducts,
  type ProductFilters,
  type ProductRef,
} from './products.js';
export type { Category, CategoryUpsert, Product, ProductUpsert } from './schema.js';
export { importProductsCsv } from './csv.js';
