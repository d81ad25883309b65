/**
 * A 204 answer with no body at all. Routes declare it as `response: { 204: z.null() }`, which types `send` to want
 * a `null`, but a `null` payload goes through the serializer and becomes the text "null"; this sends nothing.
 */
import type { FastifyReply } from 'fastify';

export const sendNoContent = (reply: { status(code: number): unknown }): FastifyReply => (reply.status(204) as FastifyReply).send();
