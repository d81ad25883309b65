/**
 * CSV imports from the console: upload a file (multipart, part `file`), poll the job for its progress and
 * the lines it could not import.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../audit/index.js';
import type { CsvError } from '../csv/index.js';
import { checkStorableText, invalidCharacters } from '../errors/characters.js';
import { errorStatus, LojalError } from '../errors/index.js';
import { receiveCsvUpload, type SpooledCsv } from '../csv/upload.js';
import { multipartFailure } from '../evidence/multipart.js';
import { apiLanguage, localizedIssues } from '../http/problem.js';
import { actor, auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { batchLanesOn } from '../events/ingest.js';
import { translator, type Language } from '../i18n/index.js';
import { actorRef } from '../programs/actor.js';
import { requireScope } from '../programs/api-keys.js';
import { getProgram } from '../programs/programs.js';
import { getImportJob, importKinds, listImportJobs, startImportJob, type ImportJob, type ImportKind } from './jobs.js';

/** A console upload is spooled to a temporary file (never held in memory) while it imports; larger files go through the CLI (`lojal import`). */
export const maxImportBytes = 20 * 1024 * 1024;

const tags = ['imports'];
const jobOut = z.object({
  id: z.uuid(),
  kind: z.enum(importKinds),
  fileName: z.string().nullable().describe('The name of the uploaded file'),
  state: z.enum(['running', 'finished', 'failed']).describe('failed: the whole import stopped (see failure); lines that failed alone are in errors'),
  total: z.number().int().describe('data rows in the file'),
  done: z.number().int().describe('rows handled so far'),
  created: z.number().int().describe('rows that created a record'),
  updated: z.number().int().describe('rows that updated a record'),
  replayed: z.number().int().describe('events sent before: nothing booked again'),
  failed: z.number().int().describe('rows not imported'),
  errors: z.array(z.object({ line: z.number().int(), code: z.string(), message: z.string() })).describe('the first 100 problems, by line of the file (the header is line 1)'),
  errorCount: z.number().int().describe('all problems, also those beyond the first 100'),
  failure: z.object({ code: z.string(), message: z.string().describe("in the reader's language") }).nullable().describe('why the whole import stopped'),
  startedBy: z.string().describe('staff:<id> or api-key:<id>'),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
}).meta({ id: 'ImportJob', description: 'A CSV import: its state, progress, counts and the lines it could not import.' });

/**
 * A line's problem in the reader's language: each field's message where the check was recorded, else the code's
 * message with its values; a message only the importer wrote (a broken file, a short row) stays as written.
 */
function lineMessage(e: CsvError, lng: Language): string {
  if (e.issues?.length) return localizedIssues(e.issues, lng, e.params).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  if (e.params && e.code in errorStatus) return translator(lng)(`errors:${e.code}`, e.params);
  return e.message;
}

export async function importRoutes(fastify: FastifyInstance, { database, config, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const lanes = batchLanesOn(database, config.batchLanes);
  // Imports still running when the server stops are awaited, so a shutdown never cuts one off mid-batch.
  const running = new Set<Promise<void>>();
  fastify.addHook('onClose', async () => {
    await Promise.all([...running]);
  });

  const present = (job: ImportJob, lng: Language) => {
    const { failure, errors, ...rest } = job;
    return {
      ...rest,
      errors: errors.map((e) => ({ line: e.line, code: e.code, message: lineMessage(e, lng) })),
      failure: failure && { code: failure.code, message: translator(lng)(`errors:${failure.code}`, failure.params) },
    };
  };

  /** Reads the upload and starts the job; the two paths below differ only in where the kind is given. */
  const startImport = async (req: FastifyRequest, reply: FastifyReply, kind: ImportKind) => {
    requireScope(caller(req), kind === 'events' ? 'events:write' : 'accounts:write');
    if (!req.isMultipart()) throw new LojalError('unsupported_media_type', { type: String(req.headers['content-type'] ?? 'none') });
    let file: SpooledCsv | undefined;
    try {
      file = await receiveCsvUpload(req, { fileSize: maxImportBytes, files: 1, fields: 5 });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw new LojalError('payload_too_large', { limit: maxImportBytes });
      if (code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') {
        throw new LojalError('validation_failed', {}, [{ path: 'file', message: 'send one CSV file in a part named file' }]);
      }
      throw multipartFailure(err);
    }
    if (!file) throw new LojalError('validation_failed', {}, [{ path: 'file', message: 'send the CSV file in a part named file', fieldCode: 'required' }]);
    const upload = file;
    // Until the job owns the file, a refusal or a failure here removes it.
    let handedOver = false;
    try {
      checkStorableText({ fileName: upload.fileName });
      // PostgreSQL cannot store a NUL in any text (looked for chunk by chunk as the file arrived); UTF-8 decoding never
      // yields half a surrogate pair.
      if (upload.containsNul) throw invalidCharacters('file');
      const program = (await getProgram(db, caller(req).programId))!;
      const started = startImportJob(db, program, { kind, fileName: upload.fileName, file: upload, startedBy: actorRef(actor(req)), lanes, futureToleranceSeconds: config.futureToleranceSeconds }, clock);
      handedOver = true;
      const { job, finished } = await started;
      running.add(finished);
      void finished.finally(() => running.delete(finished));
      await db.transaction().execute((trx) =>
        recordAudit(trx, { ...auditContext(req), action: 'import.start', entity: 'import', entityId: job.id, after: { kind, fileName: job.fileName, rows: job.total } }),
      );
      return reply.status(202).send(present(job, apiLanguage(req)));
    } finally {
      if (!handedOver) await upload.discard();
    }
  };
  const kind = z.enum(importKinds).describe('What the file holds: accounts, members or (purchase) events');

  app.post(
    '/v1/imports',
    {
      config: { scope: ['accounts:write', 'events:write'], errors: ['malformed_multipart'] },
      // The parts are read by the handler: the body schema only tells the document what to send.
      validatorCompiler: (route) => (route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as never)),
      schema: {
        operationId: 'createImport',
        tags,
        summary: 'Start a CSV import',
        description:
          'Uploads a CSV file of accounts, members or purchase events (multipart, the file in a part named `file`, at ' +
          'most 20 MiB) and answers 202 with the job at once; poll GET /v1/imports/{id} for its progress and the lines ' +
          'it could not import. Rows are upserted by external id (events by their id), so uploading the same file ' +
          'again changes nothing twice. Columns as for `lojal import`. Needs `accounts:write`, or `events:write` for events.',
        consumes: ['multipart/form-data'],
        querystring: z.object({ kind }).strict(),
        body: z
          .object({ file: z.file().describe('The CSV file: UTF-8, a header line with the column names first, at most 20 MiB') })
          .meta({ id: 'ImportUpload', description: 'A multipart form with the CSV file in a part named `file`.' }),
        response: { 202: jobOut },
      },
    },
    async (req, reply) => startImport(req, reply, req.query.kind),
  );

  // The path before issue 19, kept for the scripts that use it (docs/console.md showed it); the document shows
  // only POST /v1/imports?kind=…, since `/v1/imports/{kind}` and `/v1/imports/{id}` are one path to OpenAPI.
  app.post(
    '/v1/imports/:kind',
    { config: { scope: ['accounts:write', 'events:write'], errors: ['malformed_multipart'] }, schema: { hide: true, params: z.object({ kind }), response: { 202: jobOut } } },
    async (req, reply) => startImport(req, reply, req.params.kind),
  );

  app.get(
    '/v1/imports/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getImport',
        tags,
        summary: 'Get an import',
        description:
          "The import's state, progress, counts and the first 100 lines it could not import, with messages in the " +
          "reader's language (Accept-Language). Poll it until `state` is no longer running.",
        params: z.object({ id: z.uuid().describe("The import's id, from POST /v1/imports") }),
        response: { 200: jobOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      return present(await getImportJob(db, program.id, req.params.id, clock()), apiLanguage(req));
    },
  );

  app.get(
    '/v1/imports',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listImports',
        tags,
        summary: 'List the latest imports',
        description: 'The latest imports of the program, newest first (not paginated: at most `limit`).',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20).describe('How many, 1 to 100 (default 20)') }).strict(),
        response: { 200: z.object({ data: z.array(jobOut) }) },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const lng = apiLanguage(req);
      return { data: (await listImportJobs(db, program.id, req.query.limit, clock())).map((j) => present(j, lng)) };
    },
  );
}
