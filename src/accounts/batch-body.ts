import { z } from 'zod';
import { batchBody } from '../batch/schema.js';

/**
 * The body of a batch upsert: the items are checked one by one by the data function (a bad item is answered in
 * its result, it does not reject the batch), so validation takes any item; the document still shows each item as
 * the named schema `item` (fastify-type-provider-zod names a request schema `<id>Input` in components).
 */
export function typedBatchBody(what: string, item: z.ZodType) {
  const id = z.globalRegistry.get(item)?.id;
  if (!id) throw new Error(`the batch item schema for ${what} needs a meta id`);
  const items = batchBody(what).shape.items;
  return z.strictObject({ items: items.meta({ items: { $ref: `#/components/schemas/${id}Input` } }) });
}
