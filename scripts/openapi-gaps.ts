/**
 * What an operation of the OpenAPI document lacks for an integrator (issue 19): the test in test/http/openapi.test.ts
 * wants none, and `npm run openapi:check` lists them while a route is being described.
 */
import { apiTags } from '../src/http/openapi-tags.js';

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; description?: string; example?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: Json; example?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: Json; example?: unknown }> }>;
}

/** A schema that says nothing about its value: `{}`, or an object with neither properties nor a typed map. */
function untyped(schema: Json | undefined): boolean {
  if (!schema) return true;
  if (schema.$ref || schema.anyOf || schema.oneOf || schema.allOf || schema.enum || schema.const !== undefined) return false;
  if (schema.type === 'object') return !schema.properties && (!schema.additionalProperties || untyped(schema.additionalProperties as Json));
  if (schema.type === 'array') return untyped(schema.items as Json);
  return schema.type === undefined;
}

export function documentGaps(doc: Json & { paths: Record<string, Record<string, Operation>> }): string[] {
  const gaps: string[] = [];
  const ids = new Map<string, string>();
  const tags = new Set(apiTags.map((t) => t.name));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
      const at = `${method.toUpperCase()} ${path}`;
      const gap = (what: string) => gaps.push(`${at}: ${what}`);
      if (!op.operationId) gap('no operationId');
      else if (ids.has(op.operationId)) gap(`operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
      else ids.set(op.operationId, at);
      if (op.tags?.length !== 1 || !tags.has(op.tags[0]!)) gap(`tags ${JSON.stringify(op.tags)}: want one of src/http/openapi-tags.ts`);
      if (!op.summary) gap('no summary');
      if (!op.description) gap('no description');
      for (const p of op.parameters ?? []) if (!p.description) gap(`${p.in} parameter ${p.name} has no description`);
      const request = op.requestBody?.content?.['application/json'];
      if (request && untyped(request.schema)) gap('untyped request body');
      if (request && request.example === undefined) gap('no request example');
      const success = Object.entries(op.responses ?? {}).filter(([status]) => status.startsWith('2'));
      let example = false;
      for (const [status, response] of success) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (type.includes('json') && untyped(media.schema)) gap(`untyped ${status} answer`);
          if (media.example !== undefined || !type.includes('json')) example = true;
        }
        if (!response.content) example = true;
      }
      if (!example) gap('no answer example');
    }
  }
  return gaps;
}
