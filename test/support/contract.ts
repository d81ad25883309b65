/**
 * The contract check: every answer a test gets from the app is held against the app's own OpenAPI document —
 * its status must be declared, its media type too, a JSON body must match the schema (ajv, draft 2020-12), and a
 * problem's `code` must be one the operation lists. So the document cannot drift from the server: a new error
 * code, a changed field or an undeclared status fails the test file that met it, naming the operation.
 *
 * On in every file that starts the app with startTestApp (LOJAL_CONTRACT=off turns it off while debugging).
 * Answers of routes the document hides (health, metrics, web pages) and of no route at all are not checked.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { openapiPath } from '../../src/http/openapi.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

type Json = Record<string, unknown>;

export interface Contract {
  /** What did not match, one line each; empty when every answer matched. */
  violations(): string[];
  /** Operations answered at least once, as `get /v1/accounts/{id} 200`. */
  seen(): Set<string>;
}

export const contractEnabled = () => process.env.LOJAL_CONTRACT !== 'off';

/** Compiles schemas taken from the document (ajv, draft 2020-12), their references to its components resolved. */
export function documentSchemas(doc: { components?: unknown }): (schema: unknown) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'lojal', components: doc.components });
  return (schema) => ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"lojal#/components/')));
}

export function attachContract(app: FastifyInstance): Contract {
  const violations = new Set<string>();
  const seen = new Set<string>();
  let doc: Json & { paths: Record<string, Record<string, Json>> };
  let compile: (schema: unknown) => ValidateFunction;
  const validators = new Map<string, ValidateFunction>();

  const validatorOf = (key: string, schema: Json): ValidateFunction => {
    let validate = validators.get(key);
    if (!validate) {
      validate = compile(schema);
      validators.set(key, validate);
    }
    return validate;
  };

  app.addHook('onSend', async (req, reply, payload) => {
    const url = req.routeOptions.url;
    if (!url) return payload;
    doc ??= app.swagger() as never;
    compile ??= documentSchemas(doc as { components?: unknown });
    const path = openapiPath(url);
    const method = req.method.toLowerCase();
    const operation = doc.paths[path]?.[method] as (Json & { responses: Record<string, Json>; operationId?: string }) | undefined;
    if (!operation) return payload;
    const status = reply.statusCode;
    const name = `${method} ${path}`;
    seen.add(`${name} ${status}`);
    const responses = operation.responses;
    const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    const mediaType = String(reply.getHeader('content-type') ?? '').split(';')[0]!.trim();
    const codeOf = () => {
      try {
        return (JSON.parse(text ?? '') as { code?: string }).code;
      } catch {
        return undefined;
      }
    };
    if (!response) {
      violations.add(`${name}: answered ${status}${mediaType.includes('problem') ? ` ${codeOf()}` : ''}, which the document does not declare`);
      return payload;
    }
    const content = response.content as Record<string, { schema?: Json }> | undefined;
    if (!content) {
      if (text) violations.add(`${name}: answered ${status} with a body, but the document declares none`);
      return payload;
    }
    const media = content[mediaType];
    if (!media) {
      violations.add(`${name}: answered ${status} as ${mediaType || 'no media type'}; the document declares ${Object.keys(content).join(', ')}`);
      return payload;
    }
    if (!media.schema || text === undefined || !mediaType.includes('json')) return payload;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      violations.add(`${name}: answered ${status} as ${mediaType} that is not JSON`);
      return payload;
    }
    const validate = validatorOf(`${name} ${status} ${mediaType}`, media.schema);
    if (!validate(body)) {
      const problem = mediaType === 'application/problem+json' ? ` (code ${(body as { code?: string }).code})` : '';
      const first = validate.errors?.[0];
      violations.add(`${name}: answer ${status}${problem} does not match the document at ${first?.instancePath || '/'}: ${first?.message} ${JSON.stringify(first?.params)}`);
    }
    return payload;
  });

  return { violations: () => [...violations].sort(), seen: () => seen };
}
