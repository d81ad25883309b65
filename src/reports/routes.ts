import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { apiLanguage } from '../http/problem.js';
import { caller } from '../http/routes.js';
import type { AppContext } from '../http/server.js';
import { getProgram } from '../programs/programs.js';
import { programOverview, reportIntervals } from './overview.js';

/** Long enough for a three-year trend by month; longer ranges would only be slow for the same chart. */
export const maxRangeDays = 3 * 366;

const count = z.number().int();
const overviewOut = z.object({
  from: z.string(),
  to: z.string(),
  interval: z.enum(reportIntervals),
  currency: z.string(),
  series: z.array(z.object({ start: z.string().describe('first day of the interval'), issued: count, redeemed: count, expired: count })),
  totals: z.object({ issued: count, redeemed: count, expired: count }),
  activeMembers: count.describe('members with any ledger entry in the range'),
  tiers: z.array(z.object({ code: z.string(), name: z.string().describe("in the reader's language"), rank: count, accounts: count, members: count })),
  topAccounts: z.array(z.object({ accountId: z.uuid(), name: z.string(), externalId: z.string().nullable(), points: count })),
  outstanding: z.object({ outstandingAvailable: count, outstandingPending: count, liabilityMinor: count.describe('minor units of the currency') }),
});

const dayMs = 86_400_000;

export async function reportRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/reports/overview',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['reports'],
        summary:
          'Points issued, redeemed and expired per day, week or month of a date range (program time zone, both dates inclusive), ' +
          'active members and the top 10 accounts by points earned in the range, tier distribution and outstanding points now',
        querystring: z
          .object({
            from: z.iso.date().describe('YYYY-MM-DD, inclusive'),
            to: z.iso.date().describe('YYYY-MM-DD, inclusive'),
            interval: z.enum(reportIntervals).default('day'),
          })
          .strict(),
        response: { 200: overviewOut },
      },
    },
    async (req) => {
      const { from, to, interval } = req.query;
      const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs;
      if (days < 0) throw new LojalError('report_range_reversed', { from, to });
      if (days + 1 > maxRangeDays) throw new LojalError('report_range_too_long', { days: days + 1, max: maxRangeDays });
      const program = (await getProgram(db, caller(req).programId))!;
      return programOverview(db, program, { from, to, interval, language: apiLanguage(req) });
    },
  );
}
