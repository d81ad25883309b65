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
const levelOut = z
  .object({
    threshold: z.number().int().describe('the purchased volume (minor units, or pieces) the level needs in the period'),
    basisPoints: z.number().int().describe('the discount: 200 = 2 %'),
  })
  .meta({ id: 'VolumeDiscountLevel', description: 'A volume discount level: the discount from a purchased volume on.' });
const configOut = z
  .object({
    basis: z.enum(['amount', 'quantity']).describe('amount: minor units of money (öre, cents); quantity: pieces'),
    periodKind: z.enum(['calendar_year', 'quarter', 'rolling']),
    periodMonths: z.number().int().describe("for 'rolling': the window's length in months"),
    levels: z.array(levelOut).describe('lowest threshold first'),
  })
  .meta({ id: 'VolumeDiscounts', description: 'The program\'s volume discount levels and the period purchases count in.' });
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
}).meta({ id: 'VolumeDiscountStanding', description: 'The discount an account has earned by its purchases in the current period, and what is missing for the next level.' });

export async function volumeRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.put(
    '/v1/volume-discounts',
    {
      config: { scope: 'admin', errors: ['invalid_volume_discounts'] },
      schema: {
        operationId: 'replaceVolumeDiscounts',
        tags,
        summary: 'Replace the volume discount levels: discounts (basis points) by purchased amount or quantity in a period',
        description:
          'Thresholds and discounts must both ascend (422 `invalid_volume_discounts` otherwise). Takes effect at once for every account\'s standing; ' +
          'credit notes for a closed period are paid by the period-end job.',
        body: volumeConfigSchema,
        response: { 200: configOut },
      },
    },
    async (req) => replaceVolumeConfig(db, caller(req).programId, req.body),
  );

  app.get(
    '/v1/volume-discounts',
    {
      config: { scope: 'read', errors: ['volume_discounts_not_configured'] },
      schema: {
        operationId: 'getVolumeDiscounts',
        tags,
        summary: 'The volume discount levels',
        description: 'A program without volume discounts answers 404 `volume_discounts_not_configured`.',
        response: { 200: configOut },
      },
    },
    async (req) => requireVolumeConfig(db, caller(req).programId),
  );

  app.get(
    '/v1/accounts/:id/volume-discount',
    {
      config: { scope: 'read', errors: ['volume_discounts_not_configured'] },
      schema: {
        operationId: 'getAccountVolumeDiscount',
        tags,
        summary: 'The discount the account has earned by volume now, the next level, what is missing and until when',
        description:
          'For the ERP or e-shop to apply at checkout. Counts purchases less returns in the current period; with chains rolled up, ' +
          'the whole chain\'s purchases count for each of its accounts.',
        params: z.object({ id: z.uuid().describe("The account's id") }),
        response: { 200: standingOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      await getAccount(db, program.id, req.params.id);
      const config = await requireVolumeConfig(db, program.id);
      const period = volumePeriod(config, clock(), program.timeZone);
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
