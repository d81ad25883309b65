import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import multipart from '@fastify/multipart';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../config/index.js';
import type { Database } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { configuredEvidenceStore } from '../evidence/configured.js';
import type { EvidenceStore } from '../evidence/store.js';
import { authenticate, KeyCache, requireScope, type AuthContext, type Scope } from '../programs/api-keys.js';
import { createMetrics, type Metrics } from './metrics.js';
import { sendProblem, toLojalError } from './problem.js';
import { registerRoutes } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | undefined;
  }
  interface FastifyContextConfig {
    /** The scope a route needs (any one of a list); routes without one are public (health, metrics, docs). */
    scope?: Scope | readonly Scope[];
    /** The route also serves coalition partners' keys (see requireScope). */
    partners?: boolean;
  }
}

export interface AppContext {
  database: Database;
  config: Config;
  metrics: Metrics;
  keyCache: KeyCache;
  /** Where claim evidence bytes are kept (disk or S3, by configuration). */
  evidence: EvidenceStore;
}

export type App = FastifyInstance & { withTypeProvider(): FastifyInstance };

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** `evidence` defaults to the store the configuration names; the caller passing one shares it (serve, demo seeding). */
export async function buildServer(database: Database, config: Config, evidenceStore?: EvidenceStore): Promise<FastifyInstance> {
  const evidence = evidenceStore ?? (await configuredEvidenceStore(config));
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : uuidv7();
    },
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const ctx: AppContext = { database, config, metrics: createMetrics(), keyCache: new KeyCache(), evidence };
  app.addHook('onClose', async () => evidence.close?.());

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lojal API',
        version: '1',
        description:
          'B2B loyalty and partner-incentive engine. Authenticate with `Authorization: Bearer <API key>`; ' +
          'the key decides the program. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Claim evidence uploads; each route reads its parts with its own limits (src/evidence/multipart.ts).
  await app.register(multipart);

  app.decorateRequest('auth', undefined);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const scope = req.routeOptions.config?.scope;
    if (!scope) return;
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new LojalError('unauthenticated');
    req.auth = await authenticate(database.db, token, ctx.keyCache);
    requireScope(req.auth, scope, { partners: req.routeOptions.config?.partners === true });
  });

  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.httpDuration
      .labels(req.method, req.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err, req, reply) => {
    const lojalError = toLojalError(err, config.bodyLimitBytes);
    if (lojalError.status >= 500) req.log.error({ err }, 'request failed');
    return sendProblem(req, reply, lojalError);
  });

  app.setNotFoundHandler((req, reply) =>
    sendProblem(req, reply, new LojalError('route_not_found', { method: req.method, url: req.url.split('?')[0]! })),
  );

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await database.db.selectFrom('programs').select('id').limit(1).execute();
      return { status: 'ok', database: database.kind };
    } catch (err) {
      reply.status(503);
      return { status: 'unavailable', database: database.kind, detail: (err as Error).message };
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await registerRoutes(app, ctx);
  return app;
}
