/** Text messages over HTTP: length and encoding of a text, sending to a member, the SMS outbox. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getMember } from '../accounts/index.js';
import { audited } from '../audit/index.js';
import { LojalError } from '../errors/index.js';
import { actor, auditContext, caller, type AppContext } from '../http/context.js';
import { actorRef } from '../programs/actor.js';
import { getProgram } from '../programs/programs.js';
import { quietHoursZone } from './channels.js';
import { cancelSms, listSms, queueSms } from './sms-outbox.js';
import { smsLength } from './sms.js';
import { recordDeliveryReport } from './sms-reports.js';
import { inboxChannel, inboxSignals, listInbox, markInbox, postToInbox, signalInbox, unreadCount } from './inbox.js';
import { me } from '../portal/context.js';
import { requireNotErased } from '../privacy/erased.js';
import type { ServerResponse } from 'node:http';

const tags = ['messages'];

const lengthOut = z.object({
  encoding: z.enum(['gsm7', 'ucs2']).describe('gsm7: 160 characters in one part, 153 per part; ucs2 (any character outside GSM 03.38, e.g. ł): 70 and 67'),
  units: z.number().int().describe('length in the encoding’s units (a GSM-7 escape such as € counts 2)'),
  segments: z.number().int().describe('parts the message is sent (and billed) as'),
  remaining: z.number().int().describe('units left in the last part'),
});
const kind = z.enum(['transactional', 'marketing']).describe('marketing needs the member’s marketing consent for the channel');
const smsOut = z
  .object({
    id: z.uuid(),
    memberId: z.uuid().nullable(),
    to: z.string().describe('the number, E.164; blanked when the member is erased'),
    body: z.string(),
    encoding: z.enum(['gsm7', 'ucs2']),
    segments: z.number().int(),
    kind,
    status: z.enum(['pending', 'sent', 'failed', 'cancelled']),
    heldUntil: z.date().nullable().describe("set when the message was written in the recipient's quiet hours (21–08 in the program's time zone)"),
    attempts: z.number().int().describe('delivery attempts so far'),
    nextAttemptAt: z.date().describe('when the delivery job tries next (pending messages)'),
    providerId: z.string().nullable().describe('the provider’s id of the sent message'),
    cost: z.number().int().nullable().describe('what the provider charged, as it reports it'),
    lastError: z.string().nullable(),
    sentAt: z.date().nullable(),
    delivery: z.enum(['delivered', 'failed']).nullable().describe("what the carrier's delivery report said; null until one came"),
    deliveredAt: z.date().nullable().describe('when the carrier delivered it, as the report says'),
    createdBy: z.string(),
    createdAt: z.date(),
  })
  .meta({ id: 'SmsMessage', description: 'A text message in the SMS outbox, with its delivery state.' });
const message = z.string().trim().min(1).max(1600).describe('The text, up to 1,600 characters');

export async function messageRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/sms/length',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'measureSms',
        tags,
        summary: 'Measure how many parts a text message takes',
        description:
          'How many parts and in which encoding, for a counter beside a message field; nothing is sent or stored. Å, ä, ö, æ, ø, ü and ß keep GSM-7; ł, ę, ś or an emoji make the whole message UCS-2.',
        body: z.object({ message: z.string().max(1600).describe('The text as typed so far') }).strict(),
        response: { 200: lengthOut },
      },
    },
    async (req) => smsLength(req.body.message),
  );

  app.post(
    '/v1/members/:id/sms',
    {
      config: { scope: 'accounts:write', errors: ['phone_not_e164', 'consent_missing', 'member_erased'] },
      schema: {
        operationId: 'sendMemberSms',
        tags,
        summary: "Send a text message to a member's phone",
        description:
          'Queued in the SMS outbox and sent by the delivery job through the configured provider (46elks). The number must be E.164 (422 `phone_not_e164`); ' +
          '`marketing` needs the member’s marketing consent for SMS (422 `consent_missing`). Written in quiet hours (21:00–08:00) it waits until 08:00 in the ' +
          'member’s time zone (set with PUT /v1/members/{id}/message-preferences), else the program’s. ' +
          '`idempotencyKey` is required (400 `validation_failed` without it): a text message costs money, so no request may risk sending twice. ' +
          'A repeat with the same `idempotencyKey` answers 200 with the message queued first.',
        params: z.object({ id: z.uuid() }),
        body: z
          .object({
            message,
            kind: kind.default('transactional'),
            idempotencyKey: z.string().trim().min(8).max(200).describe('Required: your unique key for this message, 8–200 characters; a retry with it sends nothing twice'),
          })
          .strict(),
        response: { 200: smsOut, 201: smsOut },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const member = await getMember(db, programId, req.params.id);
      await requireNotErased(db, programId, member.id);
      const program = (await getProgram(db, programId))!;
      if (!member.phone) throw new LojalError('phone_not_e164', { phone: '' });
      const { message: sms, created } = await audited(db, auditContext(req), async (trx) => {
        const r = await queueSms(
          trx,
          programId,
          await quietHoursZone(trx, programId, member.id, program.timeZone),
          { memberId: member.id, to: member.phone!, body: req.body.message, kind: req.body.kind, idempotencyKey: `api:${req.body.idempotencyKey}`, createdBy: actorRef(actor(req)) },
          clock(),
        );
        return { result: r, audit: r.created ? { action: 'sms.queue', entity: 'sms', entityId: r.message.id, after: { memberId: member.id, kind: r.message.kind, segments: r.message.segments } } : null };
      });
      reply.status(created ? 201 : 200);
      return sms;
    },
  );

  app.get(
    '/v1/sms',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSms',
        tags,
        summary: 'List the SMS outbox',
        description:
          'Newest first: pending (with when the next attempt is, and whether held for quiet hours), sent (with the provider’s id and cost), failed (with the last error) ' +
          'and cancelled messages. The latest `limit`, not paged.',
        querystring: z
          .object({
            status: z.enum(['pending', 'sent', 'failed', 'cancelled']).optional().describe('Only messages in this state; default all'),
            limit: z.coerce.number().int().min(1).max(500).default(100).describe('How many, 1–500; default 100'),
          })
          .strict(),
        response: { 200: z.object({ data: z.array(smsOut) }) },
      },
    },
    async (req) => ({ data: await listSms(db, caller(req).programId, req.query.status, req.query.limit) }),
  );

  app.post(
    '/v1/sms/:id/cancel',
    {
      config: { scope: 'accounts:write' },
      schema: {
        operationId: 'cancelSms',
        tags,
        summary: 'Cancel a text message that has not gone yet',
        description: 'A pending message is not sent. A sent, failed or already cancelled message is answered unchanged, so a repeat is harmless.',
        params: z.object({ id: z.uuid().describe('The message’s id') }),
        response: { 200: smsOut },
      },
    },
    async (req) => cancelSms(db, caller(req).programId, req.params.id),
  );

  // ---------------------------------------------------------------- delivery reports from 46elks

  // 46elks posts its reports form-encoded; the parser is scoped to this one route.
  await fastify.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/v1/sms/delivery-reports/:token',
      {
        config: { errors: ['sms_report_token_invalid', 'sms_report_mismatch'] },
        schema: {
          operationId: 'reportSmsDelivery',
          tags,
          summary: 'Receive an SMS delivery report (46elks)',
          description:
            'Public, for 46elks: each message is sent with a `whendelivered` URL ending in a token signed with the program’s link key, and 46elks posts the carrier’s ' +
            'report there (form-encoded or JSON: `id`, `status` sent/delivered/failed, `delivered` time). A changed or made-up token answers 400 `sms_report_token_invalid`; ' +
            'a report about another message than the token names answers 409 `sms_report_mismatch`. A repeated report changes nothing; delivered stays delivered.',
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          params: z.object({ token: z.string().min(10).max(200).describe('The signed token from the `whendelivered` URL') }),
          body: z
            .object({
              id: z.string().trim().min(1).max(100).describe('46elks’ id of the message'),
              status: z.enum(['sent', 'delivered', 'failed']),
              delivered: z.string().max(64).optional().describe('When it was delivered, UTC (with status delivered)'),
            })
            .strict(),
          response: { 200: z.object({ delivery: z.enum(['delivered', 'failed']).nullable().describe('What the message’s delivery state is now') }) },
        },
      },
      async (req) => recordDeliveryReport(db, req.params.token, req.body, clock()),
    );
  });

  // ---------------------------------------------------------------- the in-app inbox

  const inboxOut = z
    .object({
      id: z.uuid(),
      kind,
      title: z.string(),
      body: z.string(),
      createdAt: z.date(),
      readAt: z.date().nullable().describe('null: unread'),
    })
    .meta({ id: 'InboxMessage', description: 'A message in a member’s in-app inbox.' });

  app.post(
    '/v1/members/:id/inbox',
    {
      config: { scope: 'accounts:write', errors: ['consent_missing', 'member_erased'] },
      schema: {
        operationId: 'postMemberInbox',
        tags,
        summary: "Put a message in a member's in-app inbox",
        description: 'The member sees it in the portal at once (the unread count updates live). `marketing` needs the member’s marketing consent for the inbox (422 `consent_missing`).',
        params: z.object({ id: z.uuid() }),
        body: z
          .object({
            title: z.string().trim().min(1).max(200),
            body: z.string().trim().min(1).max(5000).describe('Plain text, up to 5,000 characters'),
            kind: kind.default('transactional'),
          })
          .strict(),
        response: { 201: inboxOut },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const member = await getMember(db, programId, req.params.id);
      const message = await audited(db, auditContext(req), async (trx) => {
        const m = await postToInbox(trx, programId, member.id, { ...req.body, createdBy: actorRef(actor(req)) }, clock());
        return { result: m, audit: { action: 'inbox.post', entity: 'member', entityId: member.id, after: { id: m.id, kind: m.kind } } };
      });
      signalInbox(programId, member.id);
      reply.status(201);
      return message;
    },
  );

  app.get(
    '/portal/v1/inbox',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListInbox',
        tags: ['portal'],
        summary: 'My inbox: the latest messages and how many are unread',
        description: 'The signed-in member’s latest messages, newest first, up to `limit`; not paged.',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50).describe('How many messages, 1–200; default 50') }).strict(),
        response: { 200: z.object({ unread: z.number().int().describe('unread messages in all'), data: z.array(inboxOut) }) },
      },
    },
    async (req) => {
      const m = me(req);
      return { unread: await unreadCount(db, m.programId, m.memberId), data: await listInbox(db, m.programId, m.memberId, req.query.limit) };
    },
  );

  app.post(
    '/portal/v1/inbox/read',
    {
      config: { member: true, errors: ['not_found'] },
      schema: {
        operationId: 'portalMarkInbox',
        tags: ['portal'],
        summary: 'Mark one message read or unread, or all read',
        description: 'Without `id`, every unread message becomes read. Another member’s message is a 404. Open live streams get the new unread count.',
        body: z
          .object({
            id: z.uuid().optional().describe('The message; leave out to mark every message read'),
            read: z.boolean().default(true).describe('false marks the message unread again; default true'),
          })
          .strict(),
        response: { 200: z.object({ unread: z.number().int().describe('unread messages left') }) },
      },
    },
    async (req) => {
      const m = me(req);
      await markInbox(db, m.programId, m.memberId, req.body.id ?? null, req.body.read, clock());
      signalInbox(m.programId, m.memberId);
      return { unread: await unreadCount(db, m.programId, m.memberId) };
    },
  );

  const streams = new Set<ServerResponse>();
  fastify.addHook('onClose', async () => {
    for (const s of streams) s.end();
  });

  app.get(
    '/portal/v1/inbox/stream',
    {
      config: { member: true, errors: ['event_stream_only'], produces: ['text/event-stream'] },
      schema: {
        operationId: 'portalStreamInbox',
        tags: ['portal'],
        summary: 'Follow my unread count live (Server-Sent Events)',
        description:
          'An `unread` event with `{"unread": n}` at once and whenever the count changes; a comment line every 25 seconds keeps proxies from closing the stream. ' +
          'Needs `Accept: text/event-stream` (406 `event_stream_only` otherwise), which EventSource sends.',
      },
    },
    async (req, reply) => {
      const m = me(req);
      // A plain request (not EventSource) would wait on a stream that never ends: refuse it plainly.
      if (!/\btext\/event-stream\b/.test(String(req.headers.accept ?? ''))) throw new LojalError('event_stream_only', {});
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      streams.add(raw);
      let last = -1;
      let busy = Promise.resolve();
      const push = () => {
        busy = busy
          .then(async () => {
            const n = await unreadCount(db, m.programId, m.memberId);
            if (n !== last && !raw.writableEnded) {
              last = n;
              raw.write(`event: unread\ndata: ${JSON.stringify({ unread: n })}\n\n`);
            }
          })
          .catch((err) => req.log.warn({ err }, 'inbox stream'));
      };
      const channel = inboxChannel(m.programId, m.memberId);
      inboxSignals.on(channel, push);
      // Also re-read now and then: a message written by another server process signals only there.
      const timer = setInterval(() => {
        if (!raw.writableEnded) raw.write(': keep-alive\n\n');
        push();
      }, 25_000);
      timer.unref();
      raw.on('close', () => {
        inboxSignals.off(channel, push);
        clearInterval(timer);
        streams.delete(raw);
      });
      push();
    },
  );
}
