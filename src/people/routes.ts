import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getAccount, requireManagerIfActing } from '../accounts/index.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { caller } from '../http/routes.js';
import type { AppContext } from '../http/server.js';
import { teamOf } from './team.js';

const tags = ['people'];
const idParams = z.object({ id: z.uuid() });
const instant = z.iso.datetime({ offset: true });
/** Set when an account manager acts through the portal; absent when program staff act. */
export const byMemberId = z.uuid().optional().describe('The member acting (must be a manager of the account); absent: program staff');

const teamMemberOut = z.object({
  memberId: z.uuid(),
  accountId: z.uuid(),
  name: z.string(),
  role: z.string().nullable(),
  status: z.string(),
  earned: z.number().int().describe('Points earned in the period, less reversals'),
  spent: z.number().int().describe('Points spent (redeemed) in the period'),
  received: z.number().int().describe('Company points transferred to the member in the period'),
  given: z.number().int().describe('Points transferred away in the period'),
  available: z.number().int().describe('Spendable now'),
  pending: z.number().int().describe('Earned, not yet spendable'),
});

/** The actor of a staff or manager action: the API key, and the member when a manager acts. */
export const actorOf = (req: FastifyRequest, memberId?: string) =>
  memberId ? `member:${memberId} via api-key:${caller(req).keyId}` : `api-key:${caller(req).keyId}`;

export async function peopleRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/accounts/:id/team',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The members of the account and of its branches, with points earned, spent and given in a period and their balance',
        params: idParams,
        querystring: pageQuery
          .extend({
            from: instant.optional().describe('Start of the period (default: 1 January of this year, UTC)'),
            to: instant.optional().describe('End of the period, exclusive (default: now)'),
            byMemberId,
          })
          .strict(),
        response: { 200: pageOf(teamMemberOut) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      await getAccount(db, programId, req.params.id);
      await requireManagerIfActing(db, programId, req.query.byMemberId, req.params.id);
      const now = new Date();
      const from = req.query.from ? new Date(req.query.from) : new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
      const to = req.query.to ? new Date(req.query.to) : now;
      return teamOf(db, programId, req.params.id, { from, to, limit: req.query.limit, cursor: req.query.cursor });
    },
  );
}
