/** Sales claims by the member: report a sale with a photo or PDF of the invoice, follow what became of it. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { claimOut, presentClaim } from '../claims/present.js';
import { claimEvidence, claimStates, listClaims, requireClaim } from '../claims/store.js';
import { claimInputSchema, submitClaim } from '../claims/submit.js';
import { LojalError } from '../errors/index.js';
import { validationError } from '../events/ingest.js';
import { evidenceTypes } from '../evidence/files.js';
import { readClaimWithFiles } from '../evidence/multipart.js';
import { sendEvidence } from '../evidence/routes.js';
import { decodeCursor, encodeCursor, pageQuery } from '../http/pagination.js';
import type { AppContext } from '../http/context.js';
import { me, memberActorRef, ownKey, programOf, requireVisible } from './context.js';

const tags = ['portal'];
const passThrough = () => (data: unknown) => ({ value: data });
const idParams = z.object({ id: z.uuid().describe('the claim id') });
const portalPage = pageQuery.extend({
  limit: pageQuery.shape.limit.describe('claims per page, 1–500 (default 50)'),
  cursor: pageQuery.shape.cursor.describe("the previous page's `nextCursor`"),
});

/** Where a member (or their manager) fetches a claim's file: the portal's route, which checks they may see the claim. */
export const portalEvidenceUrl = (claimId: string, fileId: string) => `/portal/v1/claims/${claimId}/evidence/${fileId}`;

export async function portalClaimRoutes(fastify: FastifyInstance, { database, config, evidence: store, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  // The member's file goes where the program team's are kept (disk or S3-compatible storage, as configured).

  app.post(
    '/portal/v1/claims',
    {
      // JSON or multipart: read and checked in the handler (as /v1/claims does).
      validatorCompiler: passThrough,
      schema: {
        operationId: 'portalCreateClaim',
        tags,
        summary: 'Report a sale with its evidence',
        description:
          'A photo of the invoice taken on the phone, or a PDF. JSON (`sku`, `quantity`, `amount` in minor units, `saleDate`, `invoiceNumber`, `endCustomer`, `evidenceIds` of files uploaded before, ' +
          'optional `idempotencyKey`), or multipart/form-data with that JSON in a part named `claim` and the files (PDF, JPEG, PNG, WebP, HEIC) as ' +
          'file parts. The claim is always the signed-in member\'s: it names no member. 201 with the points it would earn (pending until approved); ' +
          'a retry with the same `idempotencyKey` answers 200 with the same claim. The same invoice and product twice is 409 `duplicate_claim`.',
        consumes: ['application/json', 'multipart/form-data'],
        // What the document shows; the handler reads and checks it (JSON or the multipart `claim` part).
        body: z.object(claimInputSchema.shape).omit({ member: true, memberId: true }).strict(),
        response: { 200: claimOut, 201: claimOut },
      },
      config: {
        member: true,
        errors: [
          'idempotency_conflict',
          'sale_date_in_future',
          'unknown_sku',
          'evidence_required',
          'unknown_evidence',
          'duplicate_claim',
          'evidence_too_large',
          'evidence_type_not_allowed',
          'malformed_multipart',
          'upload_limit_exceeded',
        ],
      },
    },
    async (req, reply) => {
      const m = me(req);
      const { raw, files } = await readClaimWithFiles(req, { database, evidence: store, clock }, config.evidenceMaxBytes);
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new LojalError('validation_failed', {}, [{ path: 'body', message: 'send the claim as a JSON object' }]);
      const claim = raw as Record<string, unknown>;
      for (const key of ['member', 'memberId']) {
        if (key in claim) throw new LojalError('validation_failed', {}, [{ path: key, message: 'a claim in the portal is always your own; leave out the member' }]);
      }
      const parsed = claimInputSchema.safeParse({ ...claim, memberId: m.memberId });
      if (!parsed.success) throw validationError(parsed.error.issues);
      const program = await programOf(db, req);
      const input = { ...parsed.data, ...(parsed.data.idempotencyKey && { idempotencyKey: ownKey(req, parsed.data.idempotencyKey) }) };
      const result = await submitClaim(db, store, program, input, files, memberActorRef(req), clock());
      reply.status(result.created ? 201 : 200);
      return presentClaim(db, program, result.claim, m.language, true, portalEvidenceUrl);
    },
  );

  app.get(
    '/portal/v1/claims',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListClaims',
        tags,
        summary: 'My sales claims, newest first, with their state and points',
        description: 'The member\'s own claims (their evidence is in GET /portal/v1/claims/{id}). Paginated: pass `nextCursor` as `cursor` for the next page.',
        querystring: portalPage.extend({ state: z.enum(claimStates).optional().describe('only claims in this state') }).strict(),
        response: { 200: z.object({ items: z.array(claimOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const after = decodeCursor(req.query.cursor, z.tuple([z.uuid()]));
      const rows = await listClaims(db, program.id, { memberId: m.memberId, state: req.query.state }, req.query.limit, after?.[0]);
      const shown = rows.slice(0, req.query.limit);
      return {
        items: await Promise.all(shown.map((c) => presentClaim(db, program, c, m.language, false))),
        nextCursor: rows.length > req.query.limit ? encodeCursor([shown[shown.length - 1]!.id]) : null,
      };
    },
  );

  app.get(
    '/portal/v1/claims/:id',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetClaim',
        tags,
        summary: 'One of my claims',
        description: 'A manager also sees their staff\'s claims. With the points it earns or earned and links to its files. Anyone else\'s claim is 404, as if it did not exist.',
        params: idParams,
        response: { 200: claimOut },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const claim = await requireClaim(db, program.id, req.params.id);
      await requireVisible(db, req, claim, 'sales claim', req.params.id);
      return presentClaim(db, program, claim, m.language, true, portalEvidenceUrl);
    },
  );

  app.get(
    '/portal/v1/claims/:id/evidence/:fileId',
    {
      config: { member: true, produces: evidenceTypes, errors: ['evidence_missing'] },
      schema: {
        operationId: 'portalGetClaimEvidence',
        tags,
        summary: 'A file of one of my claims',
        description: 'A photo or PDF attached to the claim; a manager also gets their staff\'s. The bytes, streamed with their type (judged from the content on upload). 410 `evidence_missing` when the file was erased with its owner\'s personal data.',
        params: z.object({ id: z.uuid().describe('the claim id'), fileId: z.uuid().describe('the evidence file id, from the claim\'s `evidence`') }),
      },
    },
    async (req, reply) => {
      const program = await programOf(db, req);
      const claim = await requireClaim(db, program.id, req.params.id);
      await requireVisible(db, req, claim, 'sales claim', req.params.id);
      const file = (await claimEvidence(db, program.id, claim.id)).find((f) => f.id === req.params.fileId);
      if (!file) throw new LojalError('not_found', { entity: 'evidence', id: req.params.fileId });
      return sendEvidence(reply, store, program.id, file);
    },
  );
}
