import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { listOutbox } from './outbox.js';

const mailOut = z
  .object({
    id: z.uuid(),
    template: z.string().describe('Which mail, e.g. invitation, registration_request, sign_in_code'),
    to: z.string().describe('The address it is sent to'),
    language: z.string(),
    subject: z.string(),
    body: z.string().describe('The text of the mail'),
    status: z.enum(['pending', 'sent', 'failed']).describe('pending: not delivered yet (retried); failed: given up'),
    attempts: z.number().int().describe('Delivery attempts so far'),
    nextAttemptAt: z.date().nullable().describe('When delivery is tried next, while pending'),
    lastError: z.string().nullable().describe("The mail server's answer to the last failed attempt"),
    sentAt: z.date().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'OutboxMail', description: 'A mail Lojal sent or will send, with its delivery state.' });

export async function mailRoutes(fastify: FastifyInstance, { database }: AppContext) {
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
            status: z.enum(['pending', 'sent', 'failed']).optional().describe('Only mails in this delivery state'),
            to: z.string().trim().min(3).max(254).optional().describe('Only mails to this address'),
          })
          .strict(),
        response: { 200: pageOf(mailOut) },
      },
    },
    async (req) => listOutbox(database.db, caller(req).programId, req.query),
  );
}
