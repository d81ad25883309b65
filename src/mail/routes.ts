import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { listOutbox } from './outbox.js';

const mailOut = z.object({
  id: z.uuid(),
  template: z.string(),
  to: z.string(),
  language: z.string(),
  subject: z.string(),
  body: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.date().nullable(),
  lastError: z.string().nullable(),
  sentAt: z.date().nullable(),
  createdAt: z.date(),
});

export async function mailRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/v1/outbox',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['mail'],
        summary: 'Mails the program sent or will send, newest first: pending until delivered (or kept here when no SMTP server is configured)',
        querystring: pageQuery
          .extend({ status: z.enum(['pending', 'sent', 'failed']).optional(), to: z.string().trim().min(3).max(254).optional() })
          .strict(),
        response: { 200: pageOf(mailOut) },
      },
    },
    async (req) => listOutbox(database.db, caller(req).programId, req.query),
  );
}
