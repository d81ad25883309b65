import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { batchBody, batchResponse, batchSummary } from '../batch/schema.js';
import { searchText, slug, text } from '../fields/index.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { listCategories, upsertCategory } from './categories.js';
import { getProduct, listProducts, upsertProduct, upsertProducts } from './products.js';
import { categoryCode, categoryPutSchema, categorySchema, productPutSchema, productSchema, sku } from './schema.js';

const tags = ['catalog'];
const skuParams = z.object({ sku });

const productListQuery = pageQuery
  .extend({
    categoryCode: categoryCode.optional(),
    brand: text(100).optional(),
    marginClass: slug.optional(),
    active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    q: searchText.optional().describe('Contained in SKU or name, any case'),
  })
  .strict();

export async function catalogRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.put(
    '/v1/categories/:code',
    {
      config: { scope: 'catalog:write' },
      schema: {
        tags,
        summary: 'Create (201) or update (200) a category; fields left out keep their value',
        params: z.object({ code: categoryCode }),
        body: categoryPutSchema,
        response: { 200: categorySchema, 201: categorySchema },
      },
    },
    async (req, reply) => {
      const { category, created } = await upsertCategory(db, caller(req).programId, req.params.code, req.body);
      return reply.status(created ? 201 : 200).send(category);
    },
  );

  app.get(
    '/v1/categories',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List categories by code',
        querystring: pageQuery.extend({ parentCode: categoryCode.optional() }).strict(),
        response: { 200: pageOf(categorySchema) },
      },
    },
    async (req) => listCategories(db, caller(req).programId, req.query),
  );

  app.put(
    '/v1/products/:sku',
    {
      config: { scope: 'catalog:write' },
      schema: {
        tags,
        summary: 'Create (201) or update (200) a product; fields left out keep their value',
        params: skuParams,
        body: productPutSchema,
        response: { 200: productSchema, 201: productSchema },
      },
    },
    async (req, reply) => {
      const { product, created } = await upsertProduct(db, caller(req).programId, req.params.sku, req.body);
      return reply.status(created ? 201 : 200).send(product);
    },
  );

  app.get(
    '/v1/products/:sku',
    { config: { scope: 'read' }, schema: { tags, summary: 'Get a product', params: skuParams, response: { 200: productSchema } } },
    async (req) => getProduct(db, caller(req).programId, req.params.sku),
  );

  app.get(
    '/v1/products',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'List products by SKU, with filters', querystring: productListQuery, response: { 200: pageOf(productSchema) } },
    },
    async (req) => listProducts(db, caller(req).programId, req.query),
  );

  app.post(
    '/v1/products/batch',
    {
      config: { scope: 'catalog:write' },
      schema: {
        tags,
        summary: 'Create or update up to 1,000 products by SKU; each item is answered on its own',
        body: batchBody('products'),
        response: { 200: batchResponse },
      },
    },
    async (req) => batchSummary(await upsertProducts(db, caller(req).programId, req.body.items)),
  );
}
