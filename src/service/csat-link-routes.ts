/**
 * The rating links of a request's resolve and close mails (src/service/mails.ts): public, no sign-in, the signed
 * token is the credential. Opening one records its score once (a browser gets a small page in the member's
 * language with a comment form; anything else JSON), and sending the form adds the comment. A changed token is
 * 400 `service_csat_link_invalid`, an old one 410 `service_csat_link_expired`; a browser gets those as a page too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { checkStorableText } from '../errors/characters.js';
import { isLojalError, LojalError } from '../errors/index.js';
import { validationError } from '../events/ingest.js';
import { readMultipart } from '../evidence/multipart.js';
import type { AppContext } from '../http/context.js';
import { apiLanguage } from '../http/problem.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { problemPage, ratedPage } from './csat-page.js';
import { verifyCsatLink } from './csat-links.js';
import { passThrough } from './http.js';
import { rateByLink, type LinkAnswer } from './requests.js';

const tags = ['service'];
const params = z.object({ token: z.string().min(10).max(200).describe('The signed token from the link in the mail') });
const answerOut = z
  .object({
    requestNumber: z.number().int(),
    score: z.number().int().min(1).max(5).describe('The score that counts: this link\'s, or the one given first'),
    comment: z.string().nullable(),
    recorded: z.boolean().describe('false: the request had been rated before, and that answer stands'),
    portalUrl: z.string().describe('The request in the member portal'),
  })
  .meta({ id: 'ServiceCsatLinkAnswer', description: 'What a rating link from a request\'s mail recorded.' });
const commentIn = z.object({ comment: z.string().trim().max(2000).describe('An optional comment to the score; empty: none') }).strict();

export async function csatLinkRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const { database, config, clock } = ctx;
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;
  const wantsPage = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');
  const portalUrl = (requestId?: string) => `${config.publicUrl}/requests${requestId ? `/${requestId}` : ''}`;

  const memberLanguage = async (a: LinkAnswer): Promise<Language> => {
    const m = await sql<{ language: string | null }>`SELECT language FROM members WHERE program_id = ${a.programId} AND id = ${a.request.memberId}`.execute(db);
    const l = m.rows[0]?.language;
    return isLanguage(l) ? l : a.request.language;
  };

  const answer = async (req: FastifyRequest, reply: FastifyReply, token: string, comment: string | null) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
    try {
      const claims = await verifyCsatLink(db, token, clock());
      const a = await rateByLink(db, claims.programId, claims.requestId, claims.score, comment, clock());
      const out = { requestNumber: a.request.number, score: a.score, comment: a.comment, recorded: a.recorded, portalUrl: portalUrl(a.request.id) };
      if (!wantsPage(req)) return out;
      const view = { number: a.request.number, subject: a.request.subject, score: a.score, comment: a.comment, recorded: a.recorded, commentSaved: comment !== null, portalUrl: out.portalUrl };
      return reply.type('text/html; charset=utf-8').send(ratedPage(view, await memberLanguage(a)));
    } catch (err) {
      if (!wantsPage(req) || !isLojalError(err)) throw err;
      const language = apiLanguage(req);
      return reply.status(err.status).type('text/html; charset=utf-8').send(problemPage(translator(language)(`errors:${err.code}`, err.params), language, portalUrl()));
    }
  };

  app.get('/rate/:token', {
    config: { produces: ['text/html'], errors: ['service_csat_link_invalid', 'service_csat_link_expired', 'service_csat_not_open'] },
    schema: {
      operationId: 'rateServiceRequestByLink',
      tags,
      summary: 'Rate a request from the link in its mail',
      description:
        'Public, no sign-in: one of the five links (scores 1–5) in the mail a member gets when their request is resolved or closed. The first opening ' +
        'records the score once, in the same CSAT figures as the portal\'s answer; opening it (or another of the five) again changes nothing and ' +
        'answers the score that counts. A browser (Accept: text/html) gets a small page in the member\'s language with a comment form. A changed ' +
        'token is 400 `service_csat_link_invalid`, one past its 30 days 410 `service_csat_link_expired`, a request reopened since 409 `service_csat_not_open`.',
      params,
      response: { 200: answerOut },
    },
  }, async (req, reply) => answer(req, reply, req.params.token, null));

  app.post('/rate/:token', {
    config: { produces: ['text/html'], errors: ['service_csat_link_invalid', 'service_csat_link_expired', 'service_csat_not_open', 'malformed_multipart', 'evidence_type_not_allowed', 'evidence_too_large'] },
    validatorCompiler: passThrough,
    schema: {
      operationId: 'commentServiceRatingByLink',
      tags,
      summary: 'Add a comment to a rating given by link',
      description:
        'Public, no sign-in, the same token as GET: JSON `{ comment }`, or the page\'s form (multipart/form-data with a `comment` field). Records the ' +
        'link\'s score if nothing was recorded yet, then keeps the comment with the answer (a second comment replaces the first; the score stays). ' +
        'Answers like GET.',
      consumes: ['application/json', 'multipart/form-data'],
      params,
      body: commentIn,
      response: { 200: answerOut },
    },
  }, async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw validationError(p.error.issues);
    let raw: unknown = req.body;
    if (req.isMultipart()) {
      const form = await readMultipart(req, ctx, 1);
      if (form.files.length) throw new LojalError('validation_failed', {}, [{ path: 'comment', message: 'send only a comment, no files' }]);
      raw = { comment: form.fields.get('comment') ?? '' };
      checkStorableText({ body: raw });
    }
    const parsed = commentIn.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error.issues, raw);
    return answer(req, reply, p.data.token, parsed.data.comment || null);
  });
}
