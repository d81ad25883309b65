/**
 * Special orders answered with a quote. Staff quote a price in points or in money (the program's currency),
 * a quantity, a text and a last day; the member accepts or declines it in the portal. Accepting makes a shop
 * order through the rewards module's ledger path (src/rewards/orders.ts `placeQuotedOrder`) in the same
 * transaction as the quote's new status, under the request's row lock and the quote's own idempotency key,
 * so two accepts at once make one order and an accept that fails (too few points) stores nothing.
 *
 * A money quote's order pays no points: it carries the amount for the ERP to invoice (`invoice` on the order).
 */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { instantOfLocalTime } from '../clock/local-time.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { languages, translator, type Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { ensureHiddenReward } from '../rewards/catalogue.js';
import { placeQuotedOrder } from '../rewards/orders.js';
import { publishServiceChange } from './events.js';
import { queueServiceMail, type MailLinks } from './mails.js';
import { addServiceEntry, findRequest, requireRequest, type ServiceActor } from './requests.js';
import { getType } from './setup.js';
import { acceptsComments } from './workflow.js';

dayjs.extend(utc);

export const quoteStatuses = ['open', 'accepted', 'declined', 'withdrawn'] as const;
export type QuoteStatus = (typeof quoteStatuses)[number];

export interface Quote {
  id: string;
  requestId: string;
  points: number | null;
  amountMinor: number | null;
  currency: string | null;
  quantity: number;
  description: string;
  validUntil: Date;
  status: QuoteStatus;
  orderId: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export const quoteInputSchema = z
  .object({
    points: z.number().int().min(1).max(1_000_000_000).optional().describe('The price in points, paid from the member\'s wallet on acceptance'),
    amountMinor: z.number().int().min(1).max(1_000_000_000_000).optional().describe('The price in minor units of the program\'s currency (öre, cents), invoiced on acceptance'),
    quantity: z.number().int().min(1).max(100_000).default(1).describe('How many the price is for; default 1'),
    description: z.string().trim().min(1).max(4000).describe('What is offered, as the member reads it'),
    validUntil: z.iso.date().describe('The last day (in the program\'s time zone) on which the member may accept, YYYY-MM-DD'),
  })
  .strict()
  .refine((q) => (q.points === undefined) !== (q.amountMinor === undefined), { path: ['points'], message: 'give either points or amountMinor' });
export type QuoteInput = z.infer<typeof quoteInputSchema>;

/** The hidden reward every accepted quote is booked on: inactive, so it is never in the shop. */
export const specialOrderRewardCode = 'service-special-order';

interface QuoteRow {
  id: string;
  request_id: string;
  points: string | number | null;
  amount_minor: string | number | null;
  currency: string | null;
  quantity: number;
  description: string;
  valid_until: Date | string;
  status: QuoteStatus;
  order_id: string | null;
  decided_at: Date | string | null;
  created_at: Date | string;
}

const toQuote = (r: QuoteRow): Quote => ({
  id: r.id,
  requestId: r.request_id,
  points: r.points === null ? null : Number(r.points),
  amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
  currency: r.currency?.trim() ?? null,
  quantity: r.quantity,
  description: r.description,
  validUntil: new Date(r.valid_until),
  status: r.status,
  orderId: r.order_id,
  decidedAt: r.decided_at === null ? null : new Date(r.decided_at),
  createdAt: new Date(r.created_at),
});

export async function quotesOf(db: Db, programId: string, requestId: string): Promise<Quote[]> {
  const r = await sql<QuoteRow>`SELECT * FROM service_quotes WHERE program_id = ${programId} AND request_id = ${requestId} ORDER BY created_at, id`.execute(db);
  return r.rows.map(toQuote);
}

/** The first moment after the quote's last local day (midnight in the program's time zone): it may be accepted before this. */
export function quoteDeadline(validUntil: string, timeZone: string): Date {
  const dayAfter = dayjs.utc(validUntil).add(1, 'day').format('YYYY-MM-DD');
  return instantOfLocalTime(dayAfter, '00:00', timeZone);
}

export function priceText(q: Pick<Quote, 'points' | 'amountMinor' | 'currency'>, language: Language): string {
  const t = translator(language);
  if (q.points !== null) return t('service:quote.points', { points: new Intl.NumberFormat(language).format(q.points) });
  return new Intl.NumberFormat(language, { style: 'currency', currency: q.currency ?? 'EUR' }).format((q.amountMinor ?? 0) / 100);
}

export async function createQuote(db: Db, program: Program, requestId: string, input: QuoteInput, who: ServiceActor, now: Date): Promise<Quote> {
  const deadline = quoteDeadline(input.validUntil, program.timeZone);
  if (deadline <= now) throw new LojalError('validation_failed', {}, [{ path: 'validUntil', message: 'a day from today on' }]);
  return db.transaction().execute(async (trx) => {
    const r = await requireRequest(trx, program.id, requestId, true);
    const type = (await getType(trx, program.id, r.typeId))!;
    if (type.kind !== 'special_order') throw new LojalError('service_quote_not_special_order', { number: r.number });
    if (!acceptsComments(r.state)) throw new LojalError('service_request_closed', { number: r.number });
    await sql`UPDATE service_quotes SET status = 'withdrawn', decided_at = ${now}, decided_by = ${who.ref}
      WHERE program_id = ${program.id} AND request_id = ${r.id} AND status = 'open'`.execute(trx);
    const id = uuidv7();
    const currency = input.amountMinor !== undefined ? program.currency : null;
    await sql`INSERT INTO service_quotes (program_id, id, request_id, points, amount_minor, currency, quantity, description, valid_until, status, created_by, created_at)
      VALUES (${program.id}, ${id}, ${r.id}, ${input.points ?? null}, ${input.amountMinor ?? null}, ${currency}, ${input.quantity}, ${input.description}, ${deadline}, 'open', ${who.ref}, ${now})`.execute(trx);
    const quote = (await quotesOf(trx, program.id, r.id)).find((q) => q.id === id)!;
    // The quote is the answer: a public comment in the request's language, so the first-answer clock stops and
    // the member is mailed; the request then waits for the customer (its clocks pause) until they decide.
    const line = translator(r.language)('service:quote.line', {
      price: priceText(quote, r.language),
      quantity: input.quantity,
      item: String(r.fields.item ?? r.subject),
      validUntil: input.validUntil,
    });
    const body = `${input.description}\n\n${line}`;
    await addServiceEntry(trx, program.id, r.id, who, { kind: 'comment', body }, now);
    const waits = r.state !== 'waiting_customer';
    if (waits) await addServiceEntry(trx, program.id, r.id, who, { kind: 'state', fromState: r.state, toState: 'waiting_customer' }, now);
    await sql`UPDATE service_requests SET updated_at = ${now}, state = 'waiting_customer', resolved_at = NULL
      ${r.firstResponseAt === null ? sql`, first_response_at = ${now}` : sql``}
      WHERE program_id = ${program.id} AND id = ${r.id}`.execute(trx);
    const updated = (await findRequest(trx, program.id, r.id))!;
    await queueServiceMail(trx, program, updated, type, { kind: 'answered', body }, now);
    await publishServiceChange(trx, program.id, updated, type, { change: 'commented', entry: { body, byStaff: true } }, now);
    return quote;
  });
}

/** The program's hidden special-order reward, made on first use (texts in every language). */
async function specialOrderReward(trx: Db, programId: string): Promise<string> {
  const texts = Object.fromEntries(languages.map((l) => [l, { name: translator(l)('service:quote.title'), description: '' }]));
  return ensureHiddenReward(trx, programId, specialOrderRewardCode, texts);
}

export interface Decision {
  quote: Quote;
  /** False when the same decision had already been taken (a retry, or a second accept at once). */
  changed: boolean;
}

/**
 * The member accepts or declines an open quote on their request. Accepting twice answers the first
 * acceptance and its order; anything else on a decided quote is `service_quote_not_open`, and after its last
 * day `service_quote_expired`. Too few points is the ledger's `insufficient_points`, and nothing is stored.
 */
export async function decideQuote(db: Db, program: Program, requestId: string, quoteId: string, decision: 'accept' | 'decline', who: ServiceActor, now: Date, links?: MailLinks): Promise<Decision> {
  return db.transaction().execute(async (trx) => {
    // The request's row lock orders two decisions on it: the second sees the first one's outcome.
    const r = await requireRequest(trx, program.id, requestId, true);
    const found = await sql<QuoteRow>`SELECT * FROM service_quotes WHERE program_id = ${program.id} AND request_id = ${r.id} AND id = ${quoteId} FOR UPDATE`.execute(trx);
    if (!found.rows[0]) throw new LojalError('not_found', { entity: 'quote', id: quoteId });
    const q = toQuote(found.rows[0]);
    const wanted: QuoteStatus = decision === 'accept' ? 'accepted' : 'declined';
    if (q.status === wanted) return { quote: q, changed: false };
    if (q.status !== 'open') throw new LojalError('service_quote_not_open', { status: q.status });
    if (now >= q.validUntil) throw new LojalError('service_quote_expired', { validUntil: new Date(q.validUntil.getTime() - 1).toISOString().slice(0, 10) });
    const type = (await getType(trx, program.id, r.typeId))!;
    let orderId: string | null = null;
    if (decision === 'accept') {
      const placed = await placeQuotedOrder(
        trx,
        program,
        {
          rewardId: await specialOrderReward(trx, program.id),
          memberId: r.memberId,
          accountId: r.accountId,
          quantity: q.quantity,
          price: q.points !== null ? { points: q.points } : { amountMinor: q.amountMinor!, currency: q.currency! },
          note: `#${r.number}: ${q.description}`.slice(0, 2000),
          idempotencyKey: `service-quote:${q.id}`,
        },
        who.ref,
        now,
      );
      orderId = placed.orderId;
    }
    await sql`UPDATE service_quotes SET status = ${wanted}, order_id = ${orderId}, decided_at = ${now}, decided_by = ${who.ref}
      WHERE program_id = ${program.id} AND id = ${q.id}`.execute(trx);
    // Accepted: the shop takes it from here, so the request is resolved. Declined: back to the team.
    const to = decision === 'accept' ? 'resolved' : 'in_progress';
    if (r.state !== to) {
      await addServiceEntry(trx, program.id, r.id, who, { kind: 'state', fromState: r.state, toState: to }, now);
      await sql`UPDATE service_requests SET state = ${to}, updated_at = ${now} ${to === 'resolved' ? sql`, resolved_at = ${now}` : sql``}
        WHERE program_id = ${program.id} AND id = ${r.id}`.execute(trx);
      const updated = (await findRequest(trx, program.id, r.id))!;
      await queueServiceMail(trx, program, updated, type, { kind: 'state', from: r.state, note: null }, now, links);
      await publishServiceChange(trx, program.id, updated, type, { change: 'state_changed', entry: null, from: r.state }, now);
    }
    return { quote: { ...q, status: wanted, orderId, decidedAt: now }, changed: true };
  });
}
