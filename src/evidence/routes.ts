import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadAccounts } from '../accounts/index.js';
import { LojalError } from '../errors/index.js';
import { actor, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { evidenceTypes, getEvidence, storeEvidence, type EvidenceFile } from './files.js';
import { readMultipart } from './multipart.js';
import { EvidenceMissingError, type EvidenceStore } from './store.js';

export const evidenceOut = z
  .object({
    id: z.uuid(),
    accountId: z.uuid().describe('the account the file belongs to'),
    sha256: z.string().describe('the content\'s SHA-256 in hex; the same bytes uploaded twice are one file'),
    contentType: z.enum(evidenceTypes).describe('judged by the content, not the name'),
    sizeBytes: z.number(),
    fileName: z.string().nullable().describe('the name it was uploaded with'),
    uploadedBy: z.string().describe('staff:<id>, api-key:<id> or member:<id>'),
    createdAt: z.date(),
    url: z.string().describe('where its content is read'),
  })
  .meta({ id: 'Evidence', description: 'An evidence file (receipt, photo, PDF) of an account, referred to from claims and fund requests.' });

export const presentEvidence = (f: EvidenceFile, url = `/v1/evidence/${f.id}/content`) => ({ ...f, url });

/** Streams a stored file with its type, for the program team's route and the portal's alike. */
export async function sendEvidence(reply: FastifyReply, store: EvidenceStore, programId: string, f: EvidenceFile): Promise<FastifyReply> {
  const stream = await store.open({ programId, accountId: f.accountId, sha256: f.sha256 }).catch((err: unknown) => {
    // A store that cannot be reached is a failure of its own (logged as such), not a missing file.
    throw err instanceof EvidenceMissingError ? new LojalError('evidence_missing', { id: f.id }) : err;
  });
  const ext = f.contentType.split('/')[1]!.replace('jpeg', 'jpg');
  reply
    .type(f.contentType)
    .header('content-length', String(f.sizeBytes))
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', `inline; filename="evidence-${f.id}.${ext}"`);
  return reply.send(stream);
}

const passThrough = () => (data: unknown) => ({ value: data });

export async function evidenceRoutes(fastify: FastifyInstance, { database, config, evidence: store, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/evidence',
    {
      config: { scope: 'claims:write', errors: ['unknown_account', 'evidence_too_large', 'evidence_type_not_allowed', 'malformed_multipart'] },
      validatorCompiler: passThrough,
      schema: {
        operationId: 'uploadEvidence',
        tags: ['claims'],
        summary: 'Upload evidence files (PDF, JPEG, PNG, WebP, HEIC) for an account, to refer to from claims',
        description:
          `multipart/form-data with one or more file parts. The type is judged by the content; at most ${config.evidenceMaxBytes} bytes per file ` +
          '(413 `evidence_too_large`), other types are 415 `evidence_type_not_allowed`. Name the owner account with `?account=` (external id) or `?accountId=`.',
        consumes: ['multipart/form-data'],
        querystring: z
          .object({
            account: z.string().trim().min(1).max(200).optional().describe("The owner account's external id; or `accountId`"),
            accountId: z.uuid().optional().describe("The owner account's id; or `account`"),
          })
          .strict(),
        response: { 201: z.object({ data: z.array(evidenceOut).describe('the files, in the order of their parts') }) },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const q = z.object({ account: z.string().trim().min(1).max(200).optional(), accountId: z.uuid().optional() }).strict().safeParse(req.query);
      if (!q.success || !q.data.account === !q.data.accountId) {
        throw new LojalError('validation_failed', {}, [{ path: 'querystring.account', message: 'give exactly one of account (external id) or accountId' }]);
      }
      const accounts = await loadAccounts(db, programId, q.data.account ? [q.data.account] : [], q.data.accountId ? [q.data.accountId] : []);
      const account = q.data.account ? accounts.byExternal.get(q.data.account) : accounts.byId.get(q.data.accountId!);
      if (!account) throw new LojalError('unknown_account', { account: q.data.account ?? q.data.accountId! });
      const body = await readMultipart(req, { database, evidence: store, clock }, config.evidenceMaxBytes);
      if (body.files.length === 0) throw new LojalError('validation_failed', {}, [{ path: 'files', message: 'attach at least one file' }]);
      const files = await db.transaction().execute((trx) => storeEvidence(trx, store, programId, account.id, body.files, actorRef(actor(req))));
      reply.status(201);
      return { data: files.map((f) => presentEvidence(f)) };
    },
  );

  app.get(
    '/v1/evidence/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getEvidence',
        tags: ['claims'],
        summary: 'An evidence file’s description',
        description: 'Its type, size, checksum and owner account; the bytes are at `url`.',
        params: z.object({ id: z.uuid().describe("The evidence file's id") }),
        response: { 200: evidenceOut },
      },
    },
    async (req) => presentEvidence(await getEvidence(db, caller(req).programId, req.params.id)),
  );

  app.get(
    '/v1/evidence/:id/content',
    {
      config: { scope: 'read', errors: ['evidence_missing'], produces: evidenceTypes },
      schema: {
        operationId: 'getEvidenceContent',
        tags: ['claims'],
        summary: 'An evidence file’s content, streamed with its type',
        description:
          'Served inline with its own content type (PDF, JPEG, PNG, WebP or HEIC). A file whose bytes were erased with their owner\'s ' +
          'personal data answers 410 `evidence_missing`.',
        params: z.object({ id: z.uuid().describe("The evidence file's id") }),
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      return sendEvidence(reply, store, programId, await getEvidence(db, programId, req.params.id));
    },
  );
}
