import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { cancelMail, listOutbox, resendMail } from './outbox.js';
import { audited } from '../audit/index.js';

const mailOut = z
  .object({
    id: z.uuid(),
    template: z.string().describe('Which mail, e.g. invitation, registration_request, sign_in_code'),
    to: z.string().describe('The address it is sent to'),
    language: z.string(),
    subject: z.string(),
    body: z.string().describe('The text of the mail'),
    status: z.enum(['pending', 'sent', 'failed', 'cancelled']).describe('pending: not delivered yet (retried); failed: given up; cancelled: stopped in the console before it went'),
    attempts: z.number().int().describe('Delivery attempts so far'),
    nextAttemptAt: z.date().nullable().describe('When delivery is tried next, while pending'),
    lastError: z.string().nullable().describe("The mail server's answer to the last failed attempt"),
    sentAt: z.date().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'OutboxMail', description: 'A mail Lojal sent or will send, with its delivery state.' });

export async function mailRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/v1/outbox',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listOutbox',
        tags: ['mail'],
        summary: 'List the outbox of mails',
        description:
          'Mails the program sent or will send, newest first: invitations, sign-in codes, approvals, notices. A mail ' +
          'stays pending until delivered (or is only kept here when no SMTP server is configured). Cursor-paginated.',
        querystring: pageQuery
          .extend({
            status: z.enum(['pending', 'sent', 'failed', 'cancelled']).optional().describe('Only mails in this delivery state'),
            to: z.string().trim().min(3).max(254).optional().describe('Only mails to this address'),
          })
          .strict(),
        response: { 200: pageOf(mailOut) },
      },
    },
    async (req) => listOutbox(database.db, caller(req).programId, req.query),
  );

  const mailId = z.object({ id: z.uuid().describe('The mail’s id from the outbox list') });

  app.post(
    '/v1/outbox/:id/cancel',
    {
      config: { scope: 'admin', errors: ['outbox_mail_not_pending'] },
      schema: {
        operationId: 'cancelOutboxMail',
        tags: ['mail'],
        summary: 'Cancel a mail that has not gone yet',
        description: 'Stops a pending mail: delivery skips it from now on. A mail already sent or failed answers 409 `outbox_mail_not_pending`.',
        params: mailId,
        response: { 200: mailOut },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      return audited(database.db, auditContext(req), async (trx) => {
        const mail = await cancelMail(trx, programId, req.params.id);
        return { result: mail, audit: { action: 'mail.cancel', entity: 'mail', entityId: mail.id, after: { status: mail.status } } };
      });
    },
  );

  app.post(
    '/v1/outbox/:id/resend',
    {
      config: { scope: 'admin', errors: ['outbox_mail_not_resendable', 'member_erased'] },
      schema: {
        operationId: 'resendOutboxMail',
        tags: ['mail'],
        summary: 'Send a mail again',
        description:
          'Queues a copy of a sent, failed or cancelled mail (same recipient, subject and text) and answers the copy; the original stays in the list as it was. ' +
          'A pending mail answers 409 `outbox_mail_not_resendable` (it goes anyway); a mail to an erased member answers 410 `member_erased`.',
        params: mailId,
        response: { 201: mailOut },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const mail = await audited(database.db, auditContext(req), async (trx) => {
        const copy = await resendMail(trx, programId, req.params.id, clock());
        return { result: copy, audit: { action: 'mail.resend', entity: 'mail', entityId: copy.id, after: { copyOf: req.params.id } } };
      });
      reply.status(201);
      return mail;
    },
  );
}
