import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import multipart from '@fastify/multipart';
import cookie from '@fastify/cookie';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { v7 as uuidv7 } from 'uuid';
import { systemClock, type Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/database.js';
import { clientErrorOfDatabase } from '../db/errors.js';
import { checkStorableText } from '../errors/characters.js';
import { LojalError } from '../errors/index.js';
import { configuredEvidenceStore } from '../evidence/configured.js';
import type { EvidenceStore } from '../evidence/store.js';
import { authenticate, requireScope } from '../programs/api-keys.js';
import { listenForSettings } from '../cache/listener.js';
import { auditKeyringOf, useAuditKeyring } from '../audit/keys.js';
import { isWrite, SettingsCache, settingsVersion, type ProgramSettingsView } from '../cache/settings.js';
import { createMetrics } from './metrics.js';
import { finishDocument, recordRoutes, swaggerOptions, swaggerUiOptions } from './openapi.js';
import type { AppContext } from './context.js';
import { maxPathParameterLength, sendProblem, toLojalError } from './problem.js';
import { discardUploads, hasUploads } from '../evidence/multipart.js';
import { pageFor, registerWeb, sendPage, webBuilt } from './web.js';
import { logAnswered, loggerOptions } from './logging.js';
import { hasSessionCookie, memberOfSession, sessionOfRequest, staffAuthOfSession } from '../sessions/http.js';

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** `evidence` defaults to the store the configuration names; the caller passing one shares it (serve, demo seeding). */
export interface ServerOptions {
  demo?: boolean;
  evidence?: EvidenceStore;
  clock?: Clock;
  /** The modules' routes (src/app.ts): the server knows none of them. */
  registerRoutes: (app: FastifyInstance, ctx: AppContext) => Promise<void>;
}

export async function buildServer(database: Database, config: Config, options: ServerOptions): Promise<FastifyInstance> {
  const evidence = options.evidence ?? (await configuredEvidenceStore(config));
  const app = Fastify({
    logger: await loggerOptions(config),
    // One line per request, written when it is answered (logAnswered), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : uuidv7();
    },
    ajv: { customOptions: { coerceTypes: false } },
    routerOptions: { maxParamLength: maxPathParameterLength },
    // Errors the router raises before any route (a URL it cannot decode, an overlong parameter): problems too.
    frameworkErrors: (err, req, reply) => {
      reply.header('x-request-id', req.id);
      return sendProblem(req, reply, toLojalError(err, config.bodyLimitBytes));
    },
    // Off unless configured: otherwise anyone could claim to be any client, over https, by header.
    // A hop count as the function fastify's types accept: trust the nearest `n` proxies.
    trustProxy: typeof config.trustProxy === 'number' ? ((n) => (_address: string, hop: number) => hop < n)(config.trustProxy) : config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // No route takes plain text: a body sent as text/plain is the wrong media type (415), as form or XML bodies are,
  // not a string that fails the route's JSON schema (400).
  app.removeContentTypeParser('text/plain');

  // The audit chain's key comes from this server's configuration (src/audit/keys.ts).
  useAuditKeyring(auditKeyringOf(config));
  const settings = new SettingsCache();
  const listener = listenForSettings(database, settings, (message) => app.log.warn(message));
  const settingsOf = async (req: FastifyRequest): Promise<ProgramSettingsView> => {
    const programId = req.auth!.programId;
    // A write authenticated otherwise (a console session) reads the version here.
    const version = req.settingsVersion ?? (isWrite(req.method) ? await settingsVersion(database.db, programId) : undefined);
    return settings.view(programId, version);
  };
  const bearer = (req: FastifyRequest) => {
    const header = req.headers.authorization;
    // The scheme's name is case-insensitive (RFC 9110 §11.1): some clients send "bearer".
    return header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  };
  const checkKey = async (req: FastifyRequest, token: string, deferrable: boolean) => {
    const found = await authenticate(database.db, token, settings, isWrite(req.method), deferrable);
    req.auth = found.auth;
    req.settingsVersion = found.settingsVersion;
    req.keyCheckDeferred = found.deferred === true;
    if (found.program) settings.view(found.auth.programId, found.settingsVersion).seedProgram(found.program);
    return found.auth;
  };
  const confirmKey = async (req: FastifyRequest) => {
    const token = bearer(req);
    if (!token) throw new Error('confirmKey: the request has no API key');
    const auth = await checkKey(req, token, false);
    requireScope(auth, req.routeOptions.config!.scope!, { partners: req.routeOptions.config?.partners === true });
  };
  const ctx: AppContext = { database, config, metrics: createMetrics(), settings, settingsOf, confirmKey, demo: options.demo === true, evidence, clock: options.clock ?? systemClock };
  app.addHook('onClose', async () => {
    await listener.stop();
    await evidence.close?.();
  });

  // The document is finished from what each route declares (src/http/openapi.ts); routes are recorded as added.
  const documented = recordRoutes(app);
  await app.register(swagger, { ...swaggerOptions(config), transform: jsonSchemaTransform, transformObject: finishDocument(documented) });
  await app.register(swaggerUi, swaggerUiOptions);
  // Claim evidence uploads; each route reads its parts with its own limits (src/evidence/multipart.ts).
  await app.register(multipart);

  app.decorateRequest('auth', undefined);
  app.decorateRequest('session', undefined);
  app.decorateRequest('member', undefined);
  app.decorateRequest('settingsVersion', undefined);
  app.decorateRequest('keyCheckDeferred', false);
  app.decorateRequest('clock', ctx.clock);
  // Session cookies of the console and the portal (src/sessions); API keys never travel in cookies.
  await app.register(cookie);
  app.decorate('lojalSecureCookies', config.secureCookies);
  // The portal's reads take their program and tier ladder from here (src/portal/context.ts).
  app.decorate('lojalSettings', settings);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const config = req.routeOptions.config;
    if (config?.member) {
      req.session = await sessionOfRequest(database.db, req, 'member', ctx.clock());
      if (config.member === true) req.member = await memberOfSession(database.db, req.session);
      return;
    }
    if (config?.staffSession) {
      req.session = await sessionOfRequest(database.db, req, 'staff', ctx.clock());
      req.auth = await staffAuthOfSession(database.db, req.session);
      return;
    }
    const scope = config?.scope;
    if (!scope) return;
    const token = bearer(req);
    if (token) {
      req.auth = await checkKey(req, token, config?.deferKeyCheck === true);
    } else if (hasSessionCookie(req, 'staff')) {
      // The console: a signed-in staff user calls the same routes with the scopes of their role.
      req.session = await sessionOfRequest(database.db, req, 'staff', ctx.clock());
      req.auth = await staffAuthOfSession(database.db, req.session);
    } else {
      throw new LojalError('unauthenticated');
    }
    requireScope(req.auth, scope, { partners: config?.partners === true });
  });

  // The hooks below run on every request and, for nearly all of them, have nothing to wait for (no uploads, no
  // bad characters): written with callbacks, they answer at once instead of through a promise each.
  // Before any validation or handler: text PostgreSQL cannot store is refused here once, for every route.
  app.addHook('preValidation', (req, _reply, done) => {
    try {
      checkStorableText({ params: req.params, querystring: req.query, body: req.body });
    } catch (err) {
      return done(err as Error);
    }
    done();
  });

  // Uploaded files a request received but did not keep (a refused claim) leave nothing in the store: removed
  // before the answer goes out, so a client that reads the answer finds them gone (and again, should the answer fail).
  app.addHook('onRequestAbort', discardUploads);
  app.addHook('onSend', (req, _reply, payload, done) => {
    if (!hasUploads(req)) return done(null, payload);
    discardUploads(req).then(() => done(null, payload), done);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const answered = () => {
      ctx.metrics.httpDuration
        .labels(req.method, req.routeOptions.url ?? 'unmatched', String(reply.statusCode))
        .observe(reply.elapsedTime / 1000);
      logAnswered(req, reply);
      done();
    };
    if (!hasUploads(req)) return answered();
    discardUploads(req).then(answered, done);
  });

  const withPages = webBuilt();
  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    const page = withPages ? pageFor(req) : undefined;
    if (page) return sendPage(reply, page);
    return sendProblem(req, reply, new LojalError('route_not_found', { method: req.method, url: req.url.split('?')[0]! }));
  };

  app.setErrorHandler((err, req, reply) => {
    // An address no route matched falls to the file server's catch-all, which refuses one with empty or dot
    // segments ("/v1/rules//versions/..") with a bare 403: to the client it names nothing, like any unknown address.
    if (req.routeOptions.url === '/*' && (err as { statusCode?: unknown }).statusCode === 403 && !(err instanceof LojalError)) {
      return notFound(req, reply);
    }
    const lojalError = toLojalError(err, config.bodyLimitBytes, { body: req.body, querystring: req.query, params: req.params, headers: req.headers });
    if (lojalError.status >= 500) req.log.error({ err }, 'request failed');
    // A database refusal answered as the client's fault is still worth a look: validation could have caught it.
    else if (!(err instanceof LojalError) && clientErrorOfDatabase(err)) {
      req.log.warn({ err }, `database refused the input: ${lojalError.code}`);
    }
    return sendProblem(req, reply, lojalError);
  });

  app.setNotFoundHandler(notFound);

  app.get('/health', { schema: { hide: true } }, async (req, reply) => {
    try {
      await database.db.selectFrom('programs').select('id').limit(1).execute();
      return { status: 'ok', database: database.kind };
    } catch (err) {
      // The cause goes to the log; the answer, which anyone may read, does not quote the database.
      req.log.error({ err }, 'health check: the database does not answer');
      reply.status(503);
      return { status: 'unavailable', database: database.kind };
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await options.registerRoutes(app, ctx);
  await registerWeb(app);
  // Reads answer from the cache only once notifications flow; until then they go to the database.
  await listener.ready;
  return app;
}
