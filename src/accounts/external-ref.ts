/**
 * Every `/v1/accounts/{id}…` and `/v1/members/{id}…` route also takes `ext:` and the external id the integration
 * knows (its ERP customer or contact number): `/v1/accounts/ext:C-1001/balance`. Resolved here, once, for all of
 * them — the routes themselves, in whichever module, only ever see the Lojal id — so a sub-route added later gets
 * it too. An external id with `/` or `?` in it is percent-encoded like any path segment.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { getAccountByExternalId } from './accounts.js';
import { getMemberByExternalId } from './members.js';

export const externalRefPrefix = 'ext:';

/** The routes whose `{id}` is an account's or a member's, and which of the two. */
const refRoute = /^\/v1\/(accounts|members)\/:id(?:\/|$)/;

const refParam = (kind: 'account' | 'member') =>
  z
    .union([z.uuid(), z.string().startsWith(externalRefPrefix).min(externalRefPrefix.length + 1).max(externalRefPrefix.length + 100)])
    .describe(`The ${kind}'s id, or \`ext:\` followed by its external id (e.g. \`ext:C-1001\`)`);

function kindOf(url: string | undefined): 'account' | 'member' | undefined {
  const match = url ? refRoute.exec(url) : null;
  return match ? (match[1] === 'accounts' ? 'account' : 'member') : undefined;
}

export function acceptExternalRefs(app: FastifyInstance, db: Db): void {
  // Widen each such route's `id` (validation and the OpenAPI document) as it is declared, and give it the hook that
  // resolves an external id: only these routes run it, not every request of the server.
  app.addHook('onRoute', (route) => {
    const kind = kindOf(route.url);
    if (!kind) return;
    const params = route.schema?.params;
    if (params instanceof z.ZodObject && 'id' in params.shape) route.schema!.params = params.extend({ id: refParam(kind) });
    // After authentication (the program comes from the credential) and the server's own checks, before validation
    // and the handler: a route's own hooks run after the server's.
    const resolve = resolver(db, kind);
    route.preValidation = [...(route.preValidation === undefined ? [] : [route.preValidation].flat()), resolve];
  });
}

function resolver(db: Db, kind: 'account' | 'member') {
  return async (req: FastifyRequest): Promise<void> => {
    const params = req.params as { id?: unknown };
    if (typeof params.id !== 'string' || !params.id.startsWith(externalRefPrefix) || !req.auth) return;
    const externalId = params.id.slice(externalRefPrefix.length);
    const found = kind === 'account' ? await getAccountByExternalId(db, req.auth.programId, externalId) : await getMemberByExternalId(db, req.auth.programId, externalId);
    params.id = found.id;
  };
}
