/**
 * The operations of the app's own OpenAPI document, and sample values for their schemas: what the input tests
 * (bad characters, fuzzing) send to every route without a list of routes to keep up to date.
 */
import type { TestApp } from './app.js';

export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  additionalProperties?: boolean | Schema;
};

export interface Operation {
  method: string;
  /** As in the document, `{name}` for each path parameter. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema }>;
  body: Schema | undefined;
  /** The body is a multipart/form-data form (uploads). */
  multipart: boolean;
  /** Portal routes take a member session instead of an API key. */
  portal: boolean;
}

export async function operationsOf(t: TestApp): Promise<{ operations: Operation[]; resolve: (s: Schema | undefined) => Schema | undefined }> {
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const resolve = (s: Schema | undefined): Schema | undefined => {
    let at = s;
    for (let i = 0; at?.$ref && i < 10; i++) {
      const parts = at.$ref.replace(/^#\//, '').split('/');
      at = parts.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], doc) as Schema | undefined;
    }
    return at;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = raw as { parameters?: Array<{ in: string; name: string; schema: Schema }>; requestBody?: { content: Record<string, { schema: Schema }> } };
      const content = op.requestBody?.content ?? {};
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(p.schema) ?? {} })),
        body: resolve(content['application/json']?.schema),
        multipart: 'multipart/form-data' in content,
        portal: path.startsWith('/portal/'),
      });
    }
  }
  return { operations, resolve };
}

/** A value that fits the schema as far as a plain reading of it goes (first enum value, minimum, one item…). */
export function sampleOf(schema: Schema | undefined, resolve: (s: Schema | undefined) => Schema | undefined, depth = 0): unknown {
  const s = resolve(schema);
  if (!s || depth > 6) return 'x';
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const variant = s.anyOf ?? s.oneOf;
  if (variant?.length) return sampleOf(variant.find((v) => resolve(v)?.type !== 'null') ?? variant[0], resolve, depth + 1);
  if (s.allOf?.length) return Object.assign({}, ...s.allOf.map((a) => sampleOf(a, resolve, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  switch (type ?? (s.properties ? 'object' : 'string')) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = sampleOf(v, resolve, depth + 1);
      return out;
    }
    case 'array':
      return [sampleOf(s.items, resolve, depth + 1)];
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return true;
    default:
      if (s.format === 'uuid') return '01900000-0000-7000-8000-000000000001';
      if (s.format === 'date-time') return '2026-11-20T10:00:00Z';
      if (s.format === 'date') return '2026-11-20';
      if (s.format === 'email') return 'someone@example.com';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
  }
}

/** The paths of every string inside a value (and of each object, whose keys are strings too). */
export function stringPaths(value: unknown, at: Array<string | number> = []): Array<{ path: Array<string | number>; kind: 'value' | 'key' }> {
  if (typeof value === 'string') return [{ path: at, kind: 'value' }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...at, i]));
  if (value && typeof value === 'object') {
    return [{ path: at, kind: 'key' as const }, ...Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...at, k]))];
  }
  return [];
}

/** A copy of `value` with `replace` applied at `path`. */
export function withAt(value: unknown, path: Array<string | number>, replace: (old: unknown) => unknown): unknown {
  if (path.length === 0) return replace(value);
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = withAt(copy[head!], rest, replace);
  return copy;
}
