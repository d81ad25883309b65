import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { apiLanguage } from '../http/problem.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { getProgram } from '../programs/programs.js';
import { localDate } from '../rules/calendar.js';
import { defaultRange, latestActivityDate, programOverview, reportIntervals } from './overview.js';

/** Long enough for a three-year trend by month; longer ranges would only be slow for the same chart. */
export const maxRangeDays = 3 * 366;

const count = z.number().int();
const overviewOut = z
  .object({
  from: z.string(),
  to: z.string(),
  interval: z.enum(reportIntervals),
  currency: z.string(),
  series: z.array(z.object({ start: z.string().describe('first day of the interval'), issued: count, redeemed: count, expired: count })),
  totals: z.object({ issued: count, redeemed: count, expired: count }),
  activeAccounts: count.describe('accounts with a ledger entry in the range on their own wallet or one of their members\' wallets'),
  activeMembers: count.describe('members with any ledger entry in the range'),
  members: count.describe('members in the program now, active or not (0: a program of accounts only)'),
  tiers: z.array(z.object({ code: z.string(), name: z.string().describe("in the reader's language"), rank: count, accounts: count, members: count })),
  topAccounts: z.array(
    z.object({
      accountId: z.uuid(),
      name: z.string(),
      externalId: z.string().nullable(),
      points: count.describe('net: earned in the range less what returns in the range took back; the ranking'),
      earned: count.describe('earned in the range (with its members\' earnings)'),
      reversed: count.describe('taken back by returns dated in the range'),
    }),
  ),
  latestActivity: z.iso.date().nullable().describe("the program-local date of the latest ledger entry, null if none: the end of the data's last period"),
  outstanding: z.object({ outstandingAvailable: count, outstandingPending: count, liabilityMinor: count.describe('minor units of the currency') }),
  })
  .meta({ id: 'ProgramOverview', description: 'The program\'s points, activity, tiers and top accounts over a date range.' });

const dayMs = 86_400_000;

export async function reportRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.get(
    '/v1/reports/overview',
    {
      config: { scope: 'read', errors: ['report_range_reversed', 'report_range_too_long'] },
      schema: {
        operationId: 'getProgramOverview',
        tags: ['reports'],
        summary: 'Points issued, redeemed and expired over a date range, with activity, tiers and top accounts',
        description:
          'Points issued, redeemed and expired per day, week or month of a date range (program time zone, both dates inclusive), ' +
          'active accounts and members, the top 10 accounts by net points (earned less returned) in the range, tier distribution ' +
          'and outstanding points now. Without from and to: the last 30 days, or, when nothing happened in them, the 30 days ' +
          'ending on the latest activity (the answer says which range it took). At most three years.',
        querystring: z
          .object({
            from: z.iso.date().optional().describe('YYYY-MM-DD, inclusive; give both from and to, or neither'),
            to: z.iso.date().optional().describe('YYYY-MM-DD, inclusive'),
            interval: z.enum(reportIntervals).default('day').describe('The length of each point of `series`; default day'),
          })
          .strict()
          .refine((q) => (q.from === undefined) === (q.to === undefined), { path: ['to'], message: 'give both from and to, or neither' }),
        response: { 200: overviewOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const { interval } = req.query;
      let { from, to } = req.query;
      if (from === undefined || to === undefined) {
        const t = localDate(clock(), program.timeZone);
        const today = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
        ({ from, to } = defaultRange(today, await latestActivityDate(db, program)));
      }
      const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs;
      if (days < 0) throw new LojalError('report_range_reversed', { from, to });
      if (days + 1 > maxRangeDays) throw new LojalError('report_range_too_long', { days: days + 1, max: maxRangeDays });
      return programOverview(db, program, { from, to, interval, language: apiLanguage(req) });
    },
  );
}
