import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { pageQuery } from '../http/pagination.js';
import { caller } from '../http/routes.js';
import type { AppContext } from '../http/server.js';
import { categoryInput, getProduct, listCategories, listProducts, productInput, skuSchema, upsertCategories, upsertProducts } from './catalog.js';

export async function catalogRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const pid = (req: Parameters<typeof caller>[0]) => caller(req).programId;

  app.put(
    '/v1/categories/:code',
    { config: { scope: 'catalog:write' }, schema: { tags: ['catalog'], summary: 'Create or rename a product category', params: z.object({ code: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/) }), body: categoryInput } },
    async (req) => {
      await upsertCategories(db, pid(req), [{ code: req.params.code, ...req.body }]);
      return { code: req.params.code, name: req.body.name, parentCode: req.body.parentCode ?? null };
    },
  );
  app.get('/v1/categories', { config: { scope: 'read' }, schema: { tags: ['catalog'], summary: 'All product categories' } }, async (req) => ({ data: await listCategories(db, pid(req)) }));
  app.put(
    '/v1/products/:sku',
    { config: { scope: 'catalog:write' }, schema: { tags: ['catalog'], summary: 'Create or replace a product by SKU', params: z.object({ sku: skuSchema }), body: productInput } },
    async (req, reply) => {
      const [r] = await upsertProducts(db, pid(req), [{ sku: req.params.sku, ...req.body }]);
      if (r!.status === 'error') {
        if (r!.error.code === 'unknown_category') throw new LojalError('unknown_category', { category: req.body.categoryCode ?? '' });
        throw new LojalError('validation_failed', {}, r!.error.errors);
      }
      reply.status(r!.status === 'created' ? 201 : 200);
      return getProduct(db, pid(req), req.params.sku);
    },
  );
  app.get('/v1/products/:sku', { config: { scope: 'read' }, schema: { tags: ['catalog'], summary: 'A product', params: z.object({ sku: skuSchema }) } }, async (req) =>
    getProduct(db, pid(req), req.params.sku),
  );
  app.get(
    '/v1/products',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['catalog'],
        summary: 'List products by SKU with filters and cursor pages',
        querystring: z.object({ ...pageQuery, categoryCode: z.string().optional(), brand: z.string().optional(), marginClass: z.string().optional(), q: z.string().max(200).optional() }).strict(),
      },
    },
    async (req) => listProducts(db, pid(req), req.query),
  );
  app.post(
    '/v1/products/batch',
    { config: { scope: 'catalog:write' }, schema: { tags: ['catalog'], summary: 'Create or replace up to 1,000 products; answers per item', body: z.object({ items: z.array(z.unknown()) }).strict() } },
    async (req) => {
      if (req.body.items.length > 1000) throw new LojalError('batch_too_large', { max: 1000, count: req.body.items.length });
      return { results: await upsertProducts(db, pid(req), req.body.items) };
    },
  );
}
