import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError, type ErrorCode } from '../errors/index.js';
import { apiLanguage } from '../http/problem.js';
import { caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { languages } from '../i18n/index.js';
import { getProgram } from '../programs/programs.js';
import { localDate } from '../rules/calendar.js';
import { exportCsv, exportKinds } from './export.js';
import { periods, segmentFields } from './formulas.js';
import { cohortReport, kpiReport, participation } from './kpis.js';
import { freshness, refreshInsight } from './summary.js';
import { recommendationsFor } from './recommend.js';
import { getAccount } from '../accounts/accounts.js';
import { roiReport } from './roi.js';
import { parseMarginRates } from './roi-formulas.js';
import { accountPotential } from './potential.js';
import { csvStream, type Cell } from './export.js';
import { accountClv } from './clv.js';

const count = z.number().int();
const rate = z.number().nullable().describe('0–1; null when the denominator is 0');
const money = z.number().int().describe('minor units of the program currency');
const freshnessOut = z
  .object({
    refreshedAt: z.string().nullable().describe('when the summary tables were last rebuilt; null: never'),
    stale: z.boolean().describe('events or ledger entries were written since: the figures lag behind by those'),
    tookMs: z.number().int().nullable().describe('how long the last rebuild took, in milliseconds'),
  })
  .meta({ id: 'InsightFreshness', description: 'How current the KPI summary tables are.' });

const kpiRowOut = z
  .object({
  period: z.string().describe('first day of the period'),
  segment: z.string().describe("the segment's value ('' when not segmented or not set)"),
  buyers: count.describe('accounts with ≥ 1 purchase invoice in the period'),
  repeaters: count.describe('accounts with ≥ 2 purchase invoices in the period'),
  newBuyers: count.describe('accounts whose first purchase invoice is in the period'),
  purchases: count.describe('purchase invoices (purchase events)'),
  revenue: money.describe('gross value of the purchase invoices, minor units'),
  returns: count.describe('return events dated in the period'),
  returned: money.describe('value of goods the returns took back, minor units'),
  netRevenue: money,
  cumulativeBuyers: count,
  cumulativeRepeaters: count,
  cumulativeRevenue: money,
  cumulativeReturned: money,
  repeatRate: rate,
  cumulativeRepeatRate: rate,
  purchaseFrequency: z.number().nullable(),
  averageOrderValue: money.nullable(),
  historicalClv: money.nullable(),
  returnRate: rate,
  })
  .meta({ id: 'KpiRow', description: 'The customer KPIs of one period and segment value (formulas: docs/insight.md).' });

const listeningOut = z.object({
  nps: z.number().nullable().describe('net promoter score, −100…100, one decimal; null without answers'),
  npsAnswers: count,
  csatShare: z.number().nullable().describe('share of CSAT answers of 4 or 5, percent, one decimal; null without answers'),
  csatMean: z.number().nullable().describe('mean CSAT score 1–5, two decimals; null without answers'),
  csatAnswers: count,
});

const unavailableOut = z
  .enum(['no_purchases', 'too_short', 'too_few_repeat_buyers', 'fit_failed'])
  .nullable()
  .describe(
    'why there is no model (null when there is one): no purchases yet, under 84 days from the first purchase day to the last, fewer than 10 ' +
      'accounts with a repeat purchase day in the calibration period, or the fit found no maximum',
  );
const clvModelOut = z
  .object({
    fittedAt: z.string().describe('when the insight job fitted the model (ISO 8601)'),
    observedFrom: z.string().describe('YYYY-MM-DD, the first purchase day of the history it was fitted on'),
    observedThrough: z.string().describe('YYYY-MM-DD, the last purchase day; the predictions start after it'),
    horizonWeeks: count.describe('weeks the predictions look ahead'),
    accounts: count.describe('accounts with a purchase by observedThrough'),
    repeatBuyers: count.describe('of them, accounts with a purchase on a day after their first'),
    frequency: z
      .object({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number(), logLikelihood: z.number() })
      .describe('BG/NBD parameters (time in weeks) and the log-likelihood at them'),
    monetary: z
      .object({ p: z.number(), q: z.number(), gamma: z.number(), logLikelihood: z.number(), populationMeanValue: z.number().describe('γp ÷ (q − 1), minor units') })
      .nullable()
      .describe('Gamma-Gamma parameters of the value per purchase day (minor units); null when they give no finite mean'),
    holdout: z
      .object({
        calibrationThrough: z.string().describe('YYYY-MM-DD: the check fitted on purchases up to this day and predicted the days after it'),
        weeks: z.number().describe('length of the holdout period in weeks'),
        customers: count.describe('accounts that had bought by calibrationThrough'),
        actual: count.describe('their purchase days in the holdout period'),
        predicted: z.number().describe('what the calibration fit expected of them'),
        meanAbsoluteError: z.number().describe('mean over those accounts of |predicted − actual| purchase days'),
        aggregateError: z.number().nullable().describe('(predicted − actual) ÷ actual; null when nobody bought in the holdout period'),
      })
      .describe('how well the model, fitted without the last part of the history, predicted it'),
    predicted: z.object({
      purchases: z.number().describe('purchase days expected of every account that has bought, over the horizon'),
      value: money.nullable().describe('their expected value'),
      meanClv: money.nullable().describe('value ÷ accounts: the predicted lifetime value of the average customer over the horizon'),
    }),
  })
  .meta({ id: 'ClvModel', description: 'The BG/NBD + Gamma-Gamma model of predicted customer lifetime value (docs/insight.md#predicted-customer-lifetime-value).' });

const kpisOut = z.object({
  from: z.string().describe('YYYY-MM-DD, the first day covered (widened to the start of its period)'),
  to: z.string().describe('YYYY-MM-DD, the last day covered'),
  period: z.enum(periods),
  segmentBy: z.enum(segmentFields),
  currency: z.string().describe('ISO 4217 code of the program currency'),
  rows: z.array(kpiRowOut),
  totals: kpiRowOut.omit({ period: true, segment: true }).describe('the whole range as one period, segments together: each buyer counted once'),
  points: z
    .array(
      z.object({
        period: z.string().describe('first day of the period'), issued: count, reversed: count, redeemed: count, expired: count, adjusted: count,
        cumulativeIssued: count, cumulativeExpired: count, breakageRate: rate, redemptionRate: rate,
      }),
    )
    .describe('points issued, redeemed and expired per period'),
  tiers: z.object({
    distribution: z.array(z.object({ code: z.string(), rank: z.number().int().nullable(), accounts: count, members: count })),
    migration: z.array(z.object({ period: z.string(), upgrades: count, downgrades: count })),
  }),
  liability: z
    .object({
      outstandingPoints: count.describe('points available in every wallet now'),
      pointValueMicros: count.describe('what one point is worth, in millionths of the currency unit'),
      liabilityMinor: money,
    })
    .describe('what the outstanding points are worth'),
  listening: listeningOut
    .extend({ rows: z.array(listeningOut.extend({ period: z.string().describe('first day of the period') })) })
    .describe('NPS and CSAT in the range and per period, over every survey and every reported CSAT score (as GET /v1/listening/figures counts them)'),
  predictedClv: z
    .object({ model: clvModelOut.nullable(), unavailable: unavailableOut })
    .describe('predicted customer lifetime value over the whole history (not per period), refitted by the insight job'),
  freshness: freshnessOut,
});

const cohortsOut = z.object({
  through: z.string().nullable().describe('the last month (YYYY-MM) the rows reach'),
  cohorts: z.array(
    z.object({
      cohort: z.string().describe('YYYY-MM of the first purchase invoice'),
      size: count.describe('accounts in the cohort'),
      active: z.array(count).describe('accounts that bought in the cohort month and each month after, up to `through`'),
      retention: z.array(rate).describe('`active` as a share of `size`'),
    }),
  ),
  freshness: freshnessOut,
});

const side = z.object({
  all: count.describe('not closed'),
  active: count.describe('earned, spent or signed in within the window'),
  earned: count,
  spent: count,
  loggedIn: count.describe('signed in to the portal'),
  rate: rate.describe('active ÷ all'),
});
const participationOut = z.object({ windowDays: count, since: z.string().describe('start of the window (ISO 8601)'), accounts: side, members: side });

const dayMs = 86_400_000;
/** A range the KPIs cannot cover: reversed, or more rows than the period allows. */
const rangeErrors: ErrorCode[] = ['report_range_reversed', 'report_range_too_long'];
/** Day and week series are for up to three years; months, quarters and years for up to twenty. */
const maxDays = (period: string) => (period === 'day' || period === 'week' ? 3 * 366 : 20 * 366);

const rangeQuery = z
  .object({
    from: z.iso.date().optional().describe('YYYY-MM-DD, program time zone, inclusive; widened to the start of its period'),
    to: z.iso.date().optional().describe('YYYY-MM-DD, inclusive; widened to the end of its period'),
    period: z.enum(periods).default('month').describe('length of each row: day, week, month (default), quarter or year'),
    segmentBy: z.enum(segmentFields).default('none').describe("split by the account's segment, country, current tier, or the buyer's role; default none"),
  })
  .strict()
  .refine((q) => (q.from === undefined) === (q.to === undefined), { path: ['to'], message: 'give both from and to, or neither' });

const groupOut = z.object({
  accounts: count.describe('accounts in the comparison'),
  before: money.nullable().describe('mean per account and month before joining (non-members: the same calendar months), minor units'),
  after: money.nullable().describe('mean per account and month after joining'),
});
const didOut = z
  .object({
    members: groupOut,
    nonMembers: groupOut,
    estimate: money.nullable().describe("members' change − non-members' change, per account and month; null when a group is empty"),
    standardError: money.nullable().describe('cluster-robust (accounts as clusters) standard error of the estimate'),
    low: money.nullable().describe('95 % confidence interval, lower end'),
    high: money.nullable().describe('95 % confidence interval, upper end'),
  })
  .meta({ id: 'DifferenceInDifferences', description: 'Members against non-members, before against after joining (docs/insight.md#roi).' });

const roiOut = z
  .object({
    from: z.string().nullable().describe('YYYY-MM, the first month of the range; null: no purchases yet'),
    to: z.string().nullable().describe('YYYY-MM, the last month of the range'),
    currency: z.string(),
    windowMonths: count.describe('months compared before and after the join month (which is left out)'),
    value: didOut.describe('net purchase value per account and month'),
    margin: didOut.describe('margin per account and month: net value × the margin rate of each line\'s margin class'),
    membersCompared: count.describe('members that joined with a whole window before and after inside the range'),
    memberMonths: count.describe('months of membership after the join month inside the range, over the members that bought in it'),
    cost: z.object({
      redeemedPoints: count,
      campaignPoints: count.describe('points paid out of campaign budgets'),
      orders: count.describe('reward orders not cancelled or rejected'),
      pointValueMicros: count.describe('what one point costs, in millionths of a minor unit'),
      redemptions: money.describe('redeemedPoints × point value'),
      campaigns: money.describe('campaignPoints × point value'),
      fulfilment: money.describe('orders × fulfilment cost per order'),
      total: money,
    }),
    roi: z.object({
      incrementalMargin: money.nullable().describe('margin DiD × memberMonths'),
      incrementalMarginLow: money.nullable(),
      incrementalMarginHigh: money.nullable(),
      roi: z.number().nullable().describe('(incremental margin − cost) ÷ cost; null without cost or estimate'),
      roiLow: z.number().nullable(),
      roiHigh: z.number().nullable(),
    }),
    assumptions: z.object({
      marginRates: z.array(z.object({ marginClass: z.string(), rate: z.number() })).describe('margin rates given per margin class (0–1)'),
      defaultMargin: z.number().describe('margin rate of every other class (0–1)'),
      fulfilmentPerOrder: money,
    }),
    freshness: freshnessOut,
  })
  .meta({ id: 'InsightRoi', description: "The program's return on investment: difference in differences of members against non-members, and the program's cost." });

const potentialLineOut = z.object({
  categoryCode: z.string().describe("the product category ('' for lines without one)"),
  categoryName: z.string().nullable(),
  marginClass: z.string().describe("the margin class ('' for lines without one)"),
  kind: z.enum(['cross-sell', 'up-sell']).describe('cross-sell: the account buys nothing there; up-sell: it buys less than expected'),
  peersBuying: count.describe('loyal peers that bought it in the window'),
  peerMedianSpend: money.describe('their median spend on it in the window'),
  expected: money.describe('peerMedianSpend × the account\'s size ratio'),
  own: money.describe("the account's own spend on it in the window"),
  potential: money.describe('expected − own'),
});
const potentialOut = z
  .object({
    accountId: z.uuid(),
    cluster: z
      .object({
        segment: z.string().describe("the account's segment ('' when none)"),
        sizeBand: count.describe('1–4: quartile of the program\'s buyers by net purchases in the window'),
        accounts: count.describe('accounts in the cluster'),
        loyalPeers: count.describe('loyal accounts of the cluster other than this one'),
        loyal: z.boolean().describe('this account is loyal itself (top tier, or top quarter of the cluster by RFM)'),
        recency: count.describe('1–5 quintile, 5 = bought most recently'),
        frequency: count.describe('1–5 quintile of purchase invoices'),
        monetary: count.describe('1–5 quintile of net purchases'),
        volume: money.describe('net purchases in the window'),
        peerMedianVolume: money.nullable(),
        sizeRatio: z.number().nullable().describe('volume ÷ peerMedianVolume'),
      })
      .nullable()
      .describe('null: the account bought nothing in the window'),
    window: z.object({ from: z.string(), to: z.string() }).nullable().describe('YYYY-MM months compared (the twelve up to the latest purchase)'),
    currency: z.string(),
    lines: z.array(potentialLineOut).describe('ranked by potential, largest first'),
    totalPotential: money,
    freshness: freshnessOut,
  })
  .meta({ id: 'AccountPotential', description: 'What the loyal companies of the account\'s cluster buy that it does not, or buys less of, in money.' });

const marginRatesText = z
  .string()
  .max(1000)
  .refine((v) => parseMarginRates(v) !== null, 'margin class:percent pairs separated by commas, e.g. A:35,B:20 (- for lines without a class)');

export async function insightRoutes(fastify: FastifyInstance, { database, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  const today = (tz: string) => {
    const t = localDate(clock(), tz);
    return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  };
  /** Without a range: the twelve months that end with the latest purchase day (imported history) or today. */
  async function rangeOf(programId: string, tz: string, q: { from?: string | undefined; to?: string | undefined; period: string }) {
    let { from, to } = q;
    if (from === undefined || to === undefined) {
      const r = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('occurred_at').as('latest'))
        .where('program_id', '=', programId)
        .executeTakeFirst();
      const latest = r?.latest ? localDate(new Date(r.latest as Date), tz) : null;
      to = latest ? `${latest.year}-${String(latest.month).padStart(2, '0')}-${String(latest.day).padStart(2, '0')}` : today(tz);
      const d = new Date(Date.parse(`${to}T00:00:00Z`));
      d.setUTCMonth(d.getUTCMonth() - 11, 1);
      from = d.toISOString().slice(0, 10);
    }
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs;
    if (days < 0) throw new LojalError('report_range_reversed', { from, to });
    if (days + 1 > maxDays(q.period)) throw new LojalError('report_range_too_long', { days: days + 1, max: maxDays(q.period) });
    return { from, to };
  }

  app.get(
    '/v1/insight/kpis',
    {
      config: { scope: 'read', errors: rangeErrors },
      schema: {
        operationId: 'getInsightKpis',
        tags: ['insight'],
        summary: 'Get the program KPIs per period and segment',
        description:
          'Repeat-customer rate (in the period and cumulative), purchase frequency, average order value, historical customer lifetime value, ' +
          'returns, points issued/redeemed/expired with breakage and redemption rates, tier distribution and migration, and the liability in money. ' +
          'Read from summary tables a job rebuilds (freshness says when, and whether data came in since). Without from and to: the twelve months ' +
          'ending with the latest purchase. Formulas: docs/insight.md.',
        querystring: rangeQuery,
        response: { 200: kpisOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const { from, to } = await rangeOf(program.id, program.timeZone, req.query);
      return kpiReport(db, program, { from, to, period: req.query.period, segmentBy: req.query.segmentBy });
    },
  );

  app.get(
    '/v1/insight/cohorts',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getInsightCohorts',
        tags: ['insight'],
        summary: 'Get the monthly cohort retention table',
        description:
          'Accounts grouped by the month of their first purchase invoice; for each later month, how many of them bought again and the share of the cohort. ' +
          'Rows end at `through` (YYYY-MM), by default the latest month with a purchase.',
        querystring: z
          .object({ through: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().describe('YYYY-MM, the last month of the table; default the latest month with a purchase') })
          .strict(),
        response: { 200: cohortsOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      return cohortReport(db, program, req.query.through);
    },
  );

  app.get(
    '/v1/insight/participation',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getInsightParticipation',
        tags: ['insight'],
        summary: 'Get the participation rate over the last 90 days',
        description:
          'Share of accounts and members (not closed) that earned points, spent them or signed in to the portal in the 90 days up to now. ' +
          "A member's activity makes their account active too. Computed live from the ledger and the portal sessions.",
        response: { 200: participationOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      return participation(db, program, clock());
    },
  );

  app.post(
    '/v1/insight/refresh',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'refreshInsight',
        tags: ['insight'],
        summary: 'Rebuild the KPI summary tables now',
        description:
          'The job rebuilds them hourly when something changed; this does it at once (after an import, say). Safe to repeat: the result is the same ' +
          'figures, and concurrent refreshes of one program take turns. Needs the admin scope.',
        body: z.object({}).strict().optional(),
        response: {
          200: z.object({
            refreshed: z.boolean().describe('the tables were rebuilt (false: nothing had changed)'),
            tookMs: count,
            accountDays: count.describe('account-day rows written'),
            freshness: freshnessOut,
          }),
        },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const r = await refreshInsight(db, program, clock(), { force: true });
      return { refreshed: r.refreshed, tookMs: r.tookMs, accountDays: r.accountDays, freshness: await freshness(db, program.id) };
    },
  );

  app.get(
    '/v1/accounts/:id/recommendations',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAccountRecommendations',
        tags: ['insight'],
        summary: 'Recommend products for an account',
        description:
          'Item-to-item co-occurrence on purchase invoices (cosine similarity of the products\' invoice sets, summed over what the account has ' +
          'bought), for the e-shop\'s "others who buy what you buy also buy". Products the account has bought are left out; only active products. From ' +
          'the summary tables (see freshness in GET /v1/insight/kpis). Formula: docs/insight.md.',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many products, 1–50; default 10') }).strict(),
        response: {
          200: z.object({
            data: z.array(
              z.object({
                sku: z.string(),
                name: z.string(),
                categoryCode: z.string().nullable(),
                score: z.number().describe('higher is a stronger pairing; only the order means something'),
                because: z
                  .object({ sku: z.string(), name: z.string(), invoices: count.describe('invoices holding both') })
                  .describe('the product the account bought that pairs most strongly with this one'),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      await getAccount(db, programId, req.params.id);
      return { data: await recommendationsFor(db, programId, req.params.id, req.query.limit) };
    },
  );

  app.get(
    '/v1/insight/roi',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getInsightRoi',
        tags: ['insight'],
        summary: "Get the program's return on investment",
        description:
          'Difference in differences of net purchase value and margin per account and month: members before and after the month they joined, ' +
          'against non-members (accounts with no joined date) over the same calendar months, with a cluster-robust 95 % confidence interval. The ' +
          'program cost is points redeemed and campaign points paid, at the point value, plus reward orders × the fulfilment cost per order; ROI = ' +
          '(margin DiD × member-months − cost) ÷ cost. The assumptions come back with the figures. Formulas: docs/insight.md#roi.',
        querystring: z
          .object({
            from: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().describe('YYYY-MM, first month; default the first month with purchases'),
            to: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().describe('YYYY-MM, last month; default the latest month with purchases'),
            windowMonths: z.coerce.number().int().min(1).max(24).default(6).describe('months compared before and after joining, 1–24; default 6'),
            marginRates: marginRatesText.optional().describe('margin percent per margin class, e.g. A:35,B:20 (- for lines without a class)'),
            defaultMargin: z.coerce.number().min(0).max(100).default(25).describe('margin percent of every class not named; default 25'),
            fulfilmentPerOrder: z.coerce.number().int().min(0).max(100_000_000).default(0).describe('handling and shipping per reward order, minor units; default 0'),
          })
          .strict()
          .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to must not be before from' }),
        response: { 200: roiOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const q = req.query;
      return roiReport(db, program, {
        from: q.from,
        to: q.to,
        windowMonths: q.windowMonths,
        marginRates: parseMarginRates(q.marginRates)!,
        defaultMargin: q.defaultMargin / 100,
        fulfilmentPerOrder: q.fulfilmentPerOrder,
      });
    },
  );

  app.get(
    '/v1/accounts/:id/clv',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAccountClv',
        tags: ['insight'],
        summary: "Get an account's predicted customer lifetime value",
        description:
          "The account's purchase history as the model sees it (repeat purchase days, weeks since the first, weeks to the last, mean value of " +
          'the repeat days), the probability that it is still a customer, the purchase days and value expected of it over the next 52 weeks ' +
          '(BG/NBD × Gamma-Gamma), and the program model with its holdout error. Formulas: docs/insight.md#predicted-customer-lifetime-value.',
        params: z.object({ id: z.uuid().describe("Lojal's account id") }),
        response: {
          200: z
            .object({
              accountId: z.uuid(),
              currency: z.string(),
              history: z
                .object({
                  firstPurchase: z.string().describe('YYYY-MM-DD'),
                  repeatPurchases: count.describe('purchase days after the first (x)'),
                  weeksSinceFirst: z.number().describe('from the first purchase day to the model\'s last observed day (T)'),
                  weeksToLast: z.number().describe('from the first purchase day to the last (tx)'),
                  meanRepeatValue: money.nullable().describe('mean gross value of the repeat purchase days; null without any'),
                })
                .nullable()
                .describe('null: the account had not bought by the model\'s last observed day'),
              probabilityAlive: z.number().nullable().describe('0–1: the chance it has not stopped buying'),
              expectedPurchases: z.number().nullable().describe('purchase days expected over the horizon'),
              expectedValuePerPurchase: money.nullable(),
              predictedClv: money.nullable().describe('expectedPurchases × expectedValuePerPurchase'),
              horizonWeeks: count,
              model: clvModelOut.nullable(),
              unavailable: unavailableOut,
            })
            .meta({ id: 'AccountClv', description: "An account's predicted customer lifetime value." }),
        },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      await getAccount(db, program.id, req.params.id);
      return accountClv(db, program, req.params.id);
    },
  );

  app.get(
    '/v1/accounts/:id/potential',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAccountPotential',
        tags: ['insight'],
        summary: "Get an account's up-sell and cross-sell potential",
        description:
          'The account\'s cluster (segment × size band) and its loyal peers (top tier, or top quarter of the cluster by RFM), and per category and ' +
          'margin class that at least half of them buy: their median spend × the account\'s size ratio, less what it spends, ranked by money. ' +
          'Over the twelve months up to the latest purchase, from the summary tables. Formulas: docs/insight.md#clusters-and-potential.',
        params: z.object({ id: z.uuid().describe("Lojal's account id") }),
        response: { 200: potentialOut },
      },
    },
    async (req) => {
      const program = (await getProgram(db, caller(req).programId))!;
      await getAccount(db, program.id, req.params.id);
      return accountPotential(db, program, req.params.id);
    },
  );

  app.get(
    '/v1/accounts/:id/potential/csv',
    {
      config: { scope: 'read', produces: ['text/csv'] },
      schema: {
        operationId: 'exportAccountPotential',
        tags: ['insight'],
        summary: "Download an account's potential as CSV",
        description:
          'The ranked list of GET /v1/accounts/{id}/potential as CSV (UTF-8 with a byte-order mark; numbers in the reader\'s locale as in ' +
          'GET /v1/exports/{what}; money in the currency unit), for a key-account manager\'s visit.',
        params: z.object({ id: z.uuid().describe("Lojal's account id") }),
        querystring: z
          .object({ language: z.enum(languages).optional().describe('Locale of the numbers; default from Accept-Language') })
          .strict(),
      },
    },
    async (req, reply) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const account = await getAccount(db, program.id, req.params.id);
      const p = await accountPotential(db, program, account.id);
      const language = req.query.language ?? apiLanguage(req);
      const rows = (async function* (): AsyncGenerator<Cell[]> {
        let rank = 0;
        for (const l of p.lines) {
          yield [++rank, account.externalId, account.name, l.kind, l.categoryCode, l.categoryName, l.marginClass, l.peersBuying,
            { money: l.peerMedianSpend }, { money: l.expected }, { money: l.own }, { money: l.potential }];
        }
      })();
      const columns = ['rank', 'account_external_id', 'account_name', 'kind', 'category_code', 'category_name', 'margin_class', 'peers_buying',
        'peer_median_spend', 'expected', 'own', 'potential'];
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="potential-${account.externalId ?? account.id}.csv"`.replace(/[^\x20-\x7e]/g, '_'))
        .send(csvStream(columns, rows, language));
    },
  );

  app.get(
    '/v1/exports/:what',
    {
      config: { scope: 'read', errors: rangeErrors, produces: ['text/csv'] },
      schema: {
        operationId: 'exportCsv',
        tags: ['insight'],
        summary: 'Download a list as CSV',
        description:
          'accounts, members, ledger-entries, orders (reward orders), claims (sales claims), kpis or cohorts, streamed with no row limit: UTF-8 with a ' +
          "byte-order mark; numbers in the reader's locale (`language`, else Accept-Language): en with a decimal point and commas between fields, " +
          'sv/nb/pl/de with a decimal comma and semicolons. Money columns are in the currency unit (not minor units). kpis takes from, to, period, segmentBy.',
        params: z.object({ what: z.enum(exportKinds).describe('Which list: accounts, members, ledger-entries, orders, claims, kpis or cohorts') }),
        querystring: z
          .object({
            language: z.enum(languages).optional().describe('Locale of the numbers and headers; default from Accept-Language'),
            from: z.iso.date().optional().describe('kpis only: YYYY-MM-DD, inclusive; give both from and to, or neither (the last twelve months)'),
            to: z.iso.date().optional().describe('kpis only: YYYY-MM-DD, inclusive'),
            period: z.enum(periods).default('month').describe('kpis only: length of each row; default month'),
            segmentBy: z.enum(segmentFields).default('none').describe('kpis only: split the rows by this; default none'),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const program = (await getProgram(db, caller(req).programId))!;
      const language = req.query.language ?? apiLanguage(req);
      const range = req.params.what === 'kpis' ? await rangeOf(program.id, program.timeZone, req.query) : {};
      const stream = exportCsv(db, program, req.params.what, { language, ...range, period: req.query.period, segmentBy: req.query.segmentBy, now: clock() });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.what}-${today(program.timeZone)}.csv"`)
        .send(stream);
    },
  );
}
