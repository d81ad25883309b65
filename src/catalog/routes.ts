import type { FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { maxBatchItems } from '../batch/index.js';
import { batchBody, batchResponse, batchSummary } from '../batch/schema.js';
import { searchText, slug, text } from '../fields/index.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { listCategories, upsertCategory } from './categories.js';
import { getProduct, listProducts, upsertProduct, upsertProducts } from './products.js';
import { categoryCode, categoryPutSchema, categorySchema, productPutSchema, productSchema, productUpsertSchema, sku } from './schema.js';

const tags = ['catalog'];
const skuParams = z.object({ sku: sku.describe('The product\'s SKU (your article number): letters, digits and . _ : + -, at most 64') });

const category = categorySchema.meta({ id: 'Category', description: 'A product category; categories form a tree by `parentCode`, and rules can pay on a category and all below it.' });
const product = productSchema.meta({
  id: 'Product',
  description: 'A product by its SKU: what purchase lines refer to, with the category, brand and margin class rules can pay on.',
});
const productFields = productPutSchema.meta({
  id: 'ProductFields',
  description: 'A product\'s fields; those left out keep their stored value. A new product needs at least `name`.',
});

/** The batch as documented: each item is a product with its SKU. */
const productBatchDoc = z.strictObject({
  items: z
    .array(
      productUpsertSchema.meta({ id: 'ProductBatchItem', description: 'A product as in `PUT /v1/products/{sku}`, with its `sku`.' }),
    )
    .describe(`Up to ${maxBatchItems} products, each as in the single-item PUT with its \`sku\`; more is 413 \`batch_too_large\``),
});
/**
 * The batch's body is documented with its items typed but checked as a list of anything: each item is checked on
 * its own by the data function, so one bad item is answered in the results instead of refusing the batch.
 */
const batchChecked = batchBody('products');
const bodyCheckedWith = (check: z.ZodType) => (route: Parameters<typeof validatorCompiler>[0] | { schema: unknown; httpPart?: string }) =>
  validatorCompiler({ ...route, schema: route.httpPart === 'body' ? check : route.schema } as Parameters<typeof validatorCompiler>[0]);

const productListQuery = pageQuery
  .extend({
    categoryCode: categoryCode.optional().describe('Only products of this category (not of its subcategories)'),
    brand: text(100).optional().describe('Only products of this brand, exactly as stored'),
    marginClass: slug.optional().describe('Only products of this margin class, e.g. high, standard or low'),
    active: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('Only active (`true`) or inactive (`false`) products; default both'),
    q: searchText.optional().describe('Contained in SKU or name, any case'),
  })
  .strict();

export async function catalogRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.put(
    '/v1/categories/:code',
    {
      config: { scope: 'catalog:write', errors: ['unknown_category', 'category_cycle'] },
      schema: {
        operationId: 'upsertCategory',
        tags,
        summary: 'Create (201) or update (200) a category; fields left out keep their value',
        description:
          'A new category needs a `name`. `parentCode` places it under another category (422 `unknown_category` if there is none, ' +
          '`category_cycle` if it would be its own ancestor); `null` makes it a top category.',
        params: z.object({ code: categoryCode.describe('The category\'s code: lower-case letters, digits, _ or -, such as power-tools') }),
        body: categoryPutSchema,
        response: { 200: category, 201: category },
      },
    },
    async (req, reply) => {
      const { category, created } = await upsertCategory(db, caller(req).programId, req.params.code, req.body, req.clock());
      return reply.status(created ? 201 : 200).send(category);
    },
  );

  app.get(
    '/v1/categories',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listCategories',
        tags,
        summary: 'List categories by code',
        description: "Paginated: pass the answer's `nextCursor` as `cursor` for the next page.",
        querystring: pageQuery.extend({ parentCode: categoryCode.optional().describe('Only the direct subcategories of this category') }).strict(),
        response: { 200: pageOf(category) },
      },
    },
    async (req) => listCategories(db, caller(req).programId, req.query),
  );

  app.put(
    '/v1/products/:sku',
    {
      config: { scope: 'catalog:write', errors: ['unknown_category'] },
      schema: {
        operationId: 'upsertProduct',
        tags,
        summary: 'Create (201) or update (200) a product; fields left out keep their value',
        description:
          'A new product needs a `name` (400 `validation_failed` naming it otherwise). A `categoryCode` must name an existing category ' +
          '(422 `unknown_category`). Events\' purchase lines refer to products by SKU; an unknown SKU refuses the event.',
        params: skuParams,
        body: productFields,
        response: { 200: product, 201: product },
      },
    },
    async (req, reply) => {
      const { product, created } = await upsertProduct(db, caller(req).programId, req.params.sku, req.body, req.clock());
      return reply.status(created ? 201 : 200).send(product);
    },
  );

  app.get(
    '/v1/products/:sku',
    {
      config: { scope: 'read' },
      schema: { operationId: 'getProduct', tags, summary: 'Get a product', description: 'By its SKU, exactly as stored (SKUs are case-sensitive).', params: skuParams, response: { 200: product } },
    },
    async (req) => getProduct(db, caller(req).programId, req.params.sku),
  );

  app.get(
    '/v1/products',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listProducts',
        tags,
        summary: 'List products by SKU, with filters',
        description: "Filters combine (all must hold). Paginated: pass the answer's `nextCursor` as `cursor` for the next page.",
        querystring: productListQuery,
        response: { 200: pageOf(product) },
      },
    },
    async (req) => listProducts(db, caller(req).programId, req.query),
  );

  app.post(
    '/v1/products/batch',
    {
      config: { scope: 'catalog:write', errors: ['batch_too_large'] },
      validatorCompiler: bodyCheckedWith(batchChecked),
      schema: {
        operationId: 'upsertProductBatch',
        tags,
        summary: 'Create or update up to 1,000 products by SKU; each item is answered on its own',
        description:
          'Each item is checked and written on its own: a refused item is answered in `results` with its problem, and the others ' +
          'are still written. Fields an item leaves out keep their stored value; a new product needs a `name`.',
        body: productBatchDoc,
        response: { 200: batchResponse },
      },
    },
    async (req) => batchSummary(await upsertProducts(db, caller(req).programId, req.body.items, req.clock())),
  );
}
