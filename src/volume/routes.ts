import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getAccount } from '../accounts/index.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { getProgram } from '../programs/programs.js';
import { volumePeriod, volumeStanding } from './evaluate.js';
import { countedAccounts, purchasedVolume, replaceVolumeConfig, requireVolumeConfig, volumeConfigSchema } from './store.js';

const tags = ['volume discounts'];
const levelOut = z.object({ threshold: z.number().int(), basisPoints: z.number().int() });
const configOut = z.object({
  basis: z.enum(['amount', 'quantity']),
  periodKind: z.enum(['calendar_year', 'quarter', 'rolling']),
  periodMonths: z.number().int(),
  levels: z.array(levelOut),
});
const standingOut = z.object({
  accountId: z.uuid(),
  countedFor: z.uuid().describe('The account whose purchases count: this one, or its top parent when the program rolls chains up'),
  basis: z.enum(['amount', 'quantity']),
  currency: z.string().nullable().describe('For an amount basis: the currency of the amounts (minor units)'),
  period: z.object({ kind: z.enum(['calendar_year', 'quarter', 'rolling']), start: z.date(), end: z.date() }),
  purchased: z.number().int(),
  current: levelOut.nullable().describe('The discount to apply now; null below the first level'),
  next: levelOut.nullable(),
  missing: z.number().int().describe('What is left to buy to reach the next level (0 at the top)'),
  until: z.date().nullable().describe('The end of the period: the level counts until then, and the missing volume must be bought by then. Null for a rolling window'),
});

export async function volumeRoutes(fastify: FastifyInstance, { database }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.put(
    '/v1/volume-discounts',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Replace the volume discount levels: discounts (basis points) by purchased amount or quantity in a period',
        body: volumeConfigSchema,
        response: { 200: configOut },
      },
    },
    async (req) => replaceVolumeConfig(db, caller(req).programId, req.body),
  );

  app.get(
    '/v1/volume-discounts',
    { config: { scope: 'read' }, schema: { tags, summary: 'The volume discount levels', response: { 200: configOut } } },
    async (req) => requireVolumeConfig(db, caller(req).programId),
  );

  app.get(
    '/v1/accounts/:id/volume-discount',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The discount the account has earned by volume now, the next level, what is missing and until when (for the ERP or e-shop to apply)',
        params: z.object({ id: z.uuid() }),
        response: { 200: standingOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      await getAccount(db, program.id, req.params.id);
      const config = await requireVolumeConfig(db, program.id);
      const period = volumePeriod(config, new Date(), program.timeZone);
      const { countedFor, accounts } = await countedAccounts(db, program.id, req.params.id, program.hierarchyRollup === 'chain');
      const purchased = await purchasedVolume(db, program.id, config.basis, accounts, period.start, period.end);
      const standing = volumeStanding(config.levels, purchased);
      return {
        accountId: req.params.id,
        countedFor,
        basis: config.basis,
        currency: config.basis === 'amount' ? program.currency : null,
        period: { kind: config.periodKind, start: period.start, end: period.end },
        purchased,
        ...standing,
        until: period.resetsAt,
      };
    },
  );
}
