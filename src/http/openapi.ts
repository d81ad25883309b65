/**
 * The OpenAPI document as integrators need it. @fastify/swagger and the zod transform build the paths from each
 * route's schema; this module finishes the document from what the routes declare in their `config`: who may call
 * them (security), the problems they answer with (by status, each with its `code` values), answers that are files,
 * the examples recorded from the demo program, the webhooks Lojal sends, and the servers and tags around them.
 */
import { readFileSync } from 'node:fs';
import type { FastifyContextConfig, FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { Config } from '../config/index.js';
import { errorStatus, type ErrorCode } from '../errors/index.js';
import { webhookPayloads } from '../webhooks/payloads.js';
import { apiTags } from './openapi-tags.js';

type Json = Record<string, unknown>;
type SecurityScheme = OpenAPIV3_1.SecuritySchemeObject;
type OpenApi = Json & { paths: Record<string, Record<string, Json>>; components: Json & { schemas: Record<string, Json> } };

/** What the document needs to know of a route that its schema does not say. */
export interface DocumentedRoute {
  method: string;
  /** In the document's form: `/v1/accounts/{id}`. */
  path: string;
  config: FastifyContextConfig;
  pathParams: boolean;
  write: boolean;
}

export const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Keeps each documented route's config as it is declared, for finishDocument. */
export function recordRoutes(app: FastifyInstance): Map<string, DocumentedRoute> {
  const routes = new Map<string, DocumentedRoute>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as { hide?: boolean; params?: unknown } | undefined;
    if (schema?.hide || !route.url.startsWith('/')) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const path = openapiPath(route.url);
      routes.set(`${method.toLowerCase()} ${path}`, {
        method: method.toLowerCase(),
        path,
        config: (route.config ?? {}) as FastifyContextConfig,
        pathParams: /\{/.test(path),
        write: !['GET', 'HEAD', 'OPTIONS'].includes(method),
      });
    }
  });
  return routes;
}

/** The codes a route can answer with because of its kind, whatever its handler does. */
export function implicitErrors(route: DocumentedRoute): ErrorCode[] {
  const codes: ErrorCode[] = ['validation_failed', 'invalid_characters', 'malformed_url'];
  if (route.pathParams) codes.push('path_parameter_too_long', 'not_found');
  if (route.write) {
    codes.push('malformed_json', 'unsupported_media_type', 'payload_too_large');
    codes.push('invalid_input', 'value_out_of_range', 'value_too_large', 'concurrent_conflict');
  }
  const { config } = route;
  if (config.member) {
    codes.push('session_required');
    if (config.member === true) codes.push('member_not_chosen');
  } else if (config.staffSession) {
    codes.push('session_required', 'insufficient_scope');
  } else if (config.scope) {
    codes.push('unauthenticated', 'invalid_api_key', 'insufficient_scope', 'session_required');
  }
  if (route.write && (config.member || config.staffSession || config.scope)) codes.push('csrf_token_invalid');
  // A read's figures (a program's totals above all) could pass 2^53 − 1 only after absurd amounts were recorded.
  if (!route.write) codes.push('figures_out_of_range');
  return codes;
}

export function declaredErrors(route: DocumentedRoute): ErrorCode[] {
  return [...new Set([...implicitErrors(route), ...(route.config.errors ?? []), 'internal_error' as const])];
}

const securitySchemes: Record<string, SecurityScheme> = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key of the program (`lj_…`), made in the console or with `lojal key create`. The key decides the program and its scopes.',
  },
  staffSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'lojal_staff',
    description: 'The console\'s session cookie, set by `POST /auth/staff/sign-in`. Writes also send `x-csrf-token`.',
  },
  memberSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'lojal_member',
    description: 'The portal\'s session cookie, set when a member signs in. Writes also send `x-csrf-token`.',
  },
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'x-csrf-token',
    description: 'The session\'s anti-forgery token (`csrfToken` in the session answer), required on writes made with a session cookie.',
  },
};

function securityOf(route: DocumentedRoute): Json[] {
  const csrf = route.write ? { csrfToken: [] } : {};
  if (route.config.member) return [{ memberSession: [], ...csrf }];
  if (route.config.staffSession) return [{ staffSession: [], ...csrf }];
  if (route.config.scope) return [{ apiKey: [] }, { staffSession: [], ...csrf }];
  return [];
}

const statusText: Record<number, string> = {
  200: 'Success',
  201: 'Created',
  202: 'Accepted: the work goes on in the background',
  204: 'Done; no content',
  400: 'The request is malformed or a field is refused',
  401: 'Not signed in, or the credential is not valid',
  403: 'Signed in, but not allowed to do this',
  404: 'Nothing with this id in the program',
  405: 'Method not allowed',
  409: 'Conflicts with the current state',
  410: 'Gone: expired or removed',
  413: 'Too large',
  414: 'A path parameter is too long',
  415: 'Unsupported media type: send application/json (or multipart/form-data for uploads)',
  422: 'Understood, but refused by the program\'s rules',
  423: 'Locked',
  429: 'Too many attempts; wait and retry',
  500: 'Internal error: the server failed (retry a write with the same idempotency key)',
  502: 'An upstream service failed',
  503: 'Unavailable',
};

/** Problem answers by status, each listing the codes it can carry. */
function errorResponses(codes: ErrorCode[]): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const sorted = [...list].sort();
    responses[String(status)] = {
      description: `${statusText[status] ?? 'Error'}. \`code\`: ${sorted.map((c) => `\`${c}\``).join(', ')}.`,
      content: {
        'application/problem+json': {
          schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { type: 'string', enum: sorted } } }] },
        },
      },
    };
  }
  return responses;
}

const problemSchema = z
  .object({
    type: z.string().describe('`urn:lojal:problem:` and the code'),
    title: z.string().describe('The code in words'),
    status: z.int().describe('The HTTP status'),
    detail: z.string().describe('What went wrong, in the reader\'s language (Accept-Language or the member\'s)'),
    code: z.string().describe('Stable and machine-readable: switch on this'),
    requestId: z.string().describe('Quote it when asking for help; the server\'s log line carries it too'),
    instance: z.string().describe('The path that was requested'),
    errors: z
      .array(
        z.object({
          path: z.string().describe('The refused field, as a JSON path (`items[2].quantity`)'),
          message: z.string(),
          code: z.string().describe('required, unknown_field, invalid_type, too_small, too_large, invalid_format, invalid_value, invalid_characters or an error code'),
        }),
      )
      .optional()
      .describe('Each refused field, on validation_failed'),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'An error answer (RFC 9457 problem details) with a stable `code`.' });

const webhookHeaders = [
  ['lojal-event-id', 'The event\'s id; the same on every retry, so deduplicate by it'],
  ['lojal-event-type', 'The event type, as in `type`'],
  ['lojal-timestamp', 'Unix seconds when this attempt was signed; refuse old ones to stop replays'],
  ['lojal-signature', '`v1=` and the hex HMAC-SHA256 of `{lojal-timestamp}.{raw body}` with the subscription\'s secret'],
] as const;

function webhooksSection(): Record<string, Json> {
  const section: Record<string, Json> = {};
  for (const [type, { data, summary }] of Object.entries(webhookPayloads)) {
    const dataId = z.globalRegistry.get(data)?.id;
    section[type] = {
      post: {
        operationId: `on${type.split(/[._]/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`,
        tags: ['webhooks'],
        summary,
        description:
          `Sent to every active subscription that wants \`${type}\`, as a signed POST. Answer 2xx within 10 s; ` +
          'otherwise the delivery is retried after 1 min, 5 min, 30 min, 2 h and 12 h with the same event id.',
        parameters: webhookHeaders.map(([name, description]) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } })),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['id', 'type', 'programId', 'occurredAt', 'data'],
                properties: {
                  id: { type: 'string', format: 'uuid', description: 'The event id' },
                  type: { type: 'string', const: type },
                  programId: { type: 'string', format: 'uuid' },
                  occurredAt: { type: 'string', format: 'date-time' },
                  data: { $ref: `#/components/schemas/${dataId}` },
                },
              },
            },
          },
        },
        responses: {
          '200': { description: 'Received; any 2xx will do' },
          default: { description: 'Any other status, or no answer within 10 s, is retried' },
        },
      },
    };
  }
  return section;
}

interface RecordedExample {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  form?: Record<string, string>;
  response?: { status: number; body: unknown };
  error?: { status: number; body: unknown };
}

const examplesFile = new URL('./openapi-examples.json', import.meta.url);
function recordedExamples(): Record<string, RecordedExample> {
  try {
    return JSON.parse(readFileSync(examplesFile, 'utf8'));
  } catch {
    return {};
  }
}

/** Parameters many routes share, described once. */
const commonParameters: Record<string, string> = {
  cursor: 'Where the page starts: the previous page\'s `nextCursor`. Leave out for the first page.',
  limit: 'How many items a page holds (default 50, at most 200).',
};

const gettingStarted = [
  'Lojal is an open-source B2B loyalty and partner-incentive engine: customer companies (accounts) and their people (members)',
  'earn points for purchases and behaviours, climb tiers, spend points in a rewards shop, answer surveys and submit claims.',
  '',
  '## Getting started',
  '1. Start Lojal with the demo program (`npm start`); it prints an admin API key (`lj_…`).',
  '2. Send it as `Authorization: Bearer lj_…` on every `/v1` request; the key decides the program.',
  '3. Upsert an account and a member by their ERP numbers (`PUT /v1/accounts/ext:C-1001`), send a purchase event',
  '   (`POST /v1/events` with an `idempotencyKey`), and read the balance (`GET /v1/accounts/ext:C-1001/balance`).',
  '',
  'A typed TypeScript client generated from this document lives in `packages/client`.',
  '',
  '## Conventions',
  '- Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`; a refused field is listed in',
  '  `errors` with its `path`, a `message` in the reader\'s language and a field `code`.',
  '- Writes that may be retried take an idempotency key: a retry answers as the first call did and never pays twice.',
  '- Lists are paged by cursor: pass the answer\'s `nextCursor` as `cursor` until it is null.',
  '- Every `/v1/accounts/{id}` and `/v1/members/{id}` path also takes `ext:` and the external id.',
  '- Answers speak the request\'s `Accept-Language` (en, sv, nb, pl, de), else English.',
  '- Webhooks are signed (see the `webhooks` section and `lojal-signature`).',
].join('\n');

export function swaggerOptions(config: Config): { openapi: Partial<OpenAPIV3_1.Document> } {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lojal API',
        version: '1',
        description: gettingStarted,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: config.publicUrl, description: 'This Lojal server (LOJAL_PUBLIC_URL)' }],
      tags: apiTags.map((t) => ({ ...t })),
      components: { securitySchemes },
      security: [{ apiKey: [] }],
    },
  };
}

/** Reads once: the problem schema and the webhook payloads register themselves in zod's registry on import. */
void problemSchema;

function referencedSchemas(doc: Json, schemas: Record<string, Json>): Set<string> {
  const used = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        const name = v.slice('#/components/schemas/'.length);
        if (!used.has(name)) {
          used.add(name);
          visit(schemas[name]);
        }
      } else visit(v);
    }
  };
  const { components, ...rest } = doc;
  visit(rest);
  return used;
}

/** The `transformObject` of @fastify/swagger: the zod schemas with ids become components, then the rest is added. */
export function finishDocument(routes: Map<string, DocumentedRoute>) {
  return (input: Parameters<typeof jsonSchemaTransformObject>[0]): ReturnType<typeof jsonSchemaTransformObject> => {
    const doc = jsonSchemaTransformObject(input) as OpenApi;
    const examples = recordedExamples();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of methods) {
        const op = item[method] as (Json & { responses?: Record<string, Json>; parameters?: Json[]; requestBody?: Json }) | undefined;
        if (!op) continue;
        const route = routes.get(`${method} ${path}`);
        if (!route) continue;
        op.security = securityOf(route);
        const responses = (op.responses ??= {});
        for (const [status, response] of Object.entries(responses)) {
          if (response.description === 'Default Response') response.description = statusText[Number(status)] ?? 'Success';
          if (route.config.produces && status.startsWith('2')) {
            // A route that answers JSON too (a list with `format=csv`) keeps its JSON schema beside the file types.
            response.content = {
              ...(response.content as Record<string, Json> | undefined),
              ...Object.fromEntries(
                route.config.produces.map((type) => [type, { schema: type.startsWith('text/') ? { type: 'string' } : { type: 'string', format: 'binary' } }]),
              ),
            };
          }
        }
        // A form body can be broken in ways JSON cannot (src/evidence/multipart.ts).
        const multipart = Boolean((op.requestBody?.content as Record<string, unknown> | undefined)?.['multipart/form-data']);
        Object.assign(responses, errorResponses([...new Set([...declaredErrors(route), ...(multipart ? (['malformed_multipart'] as const) : [])])]));
        // A page for people (the certificate check, a rating link) answers a browser's refusals with a page too.
        if (route.config.produces?.includes('text/html')) {
          for (const [status, response] of Object.entries(responses)) {
            if (!status.startsWith('4')) continue;
            const refusal = response as { content?: Record<string, Json> };
            refusal.content = { ...refusal.content, 'text/html': { schema: { type: 'string' } } };
          }
        }
        for (const parameter of op.parameters ?? []) {
          const name = parameter.name as string;
          if (!parameter.description && commonParameters[name]) parameter.description = commonParameters[name];
        }
        const example = typeof op.operationId === 'string' ? examples[op.operationId] : undefined;
        if (example) attachExample(op, example);
      }
    }
    doc.webhooks = webhooksSection();
    // By name: the registry holds them in the order modules happened to load, and the generated client must not
    // change with that order.
    const schemas = (doc.components.schemas = Object.fromEntries(Object.entries(doc.components.schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    const used = referencedSchemas(doc, schemas);
    for (const name of Object.keys(schemas)) {
      if (!used.has(name)) delete schemas[name];
      // zod names each registered schema's dialect and id; inside a document they would make every reference
      // from one component to another resolve against the wrong base.
      else delete schemas[name]!.$schema, delete schemas[name]!.$id;
    }
    return doc as never;
  };
}

function attachExample(op: Json & { responses?: Record<string, Json>; parameters?: Json[]; requestBody?: Json }, example: RecordedExample) {
  for (const parameter of op.parameters ?? []) {
    const from = parameter.in === 'path' ? example.params : parameter.in === 'query' ? example.query : undefined;
    const value = from?.[parameter.name as string];
    // Recorded from a URL, every value is text; a number parameter shows a number.
    const type = (parameter.schema as Json | undefined)?.type;
    if (value !== undefined) parameter.example = (type === 'integer' || type === 'number') && typeof value === 'string' ? Number(value) : value;
  }
  const requestJson = (op.requestBody?.content as Record<string, Json> | undefined)?.['application/json'];
  if (requestJson && example.body !== undefined) requestJson.example = example.body;
  const requestForm = (op.requestBody?.content as Record<string, Json> | undefined)?.['multipart/form-data'];
  if (requestForm && example.form) {
    // A part the schema takes as a list (several files under one name) is shown as one.
    const fields = ((requestForm.schema as Json | undefined)?.properties ?? {}) as Record<string, Json>;
    requestForm.example = Object.fromEntries(Object.entries(example.form).map(([name, value]) => [name, fields[name]?.type === 'array' ? [value] : value]));
  }
  for (const answer of [example.response, example.error]) {
    if (!answer) continue;
    const content = op.responses?.[String(answer.status)]?.content as Record<string, Json> | undefined;
    const media = content?.['application/json'] ?? content?.['application/problem+json'];
    if (media && answer.body !== undefined) media.example = answer.body;
  }
}

const logo = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32">' +
    '<text x="0" y="25" font-family="Helvetica, Arial, sans-serif" font-size="26" font-weight="700" fill="#ffffff">Lojal</text></svg>',
);

/** /docs: the same document, under the product's name rather than the framework's defaults. */
export const swaggerUiOptions = {
  routePrefix: '/docs',
  logo: { type: 'image/svg+xml', content: logo },
  theme: { title: 'Lojal API reference' },
  uiConfig: { docExpansion: 'none' as const, deepLinking: true, displayOperationId: true, filter: true, tryItOutEnabled: false },
};
