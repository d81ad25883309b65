/**
 * How a request is answered: to staff (everything, internal notes and both SLA clocks included) and to a
 * member (the public timeline only — internal entries are not even read from the database for them).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { Language } from '../i18n/index.js';
import { csatOf, timeline, type ServiceRequest, type TimelineEntry } from './requests.js';
import type { RequestSla } from './queue.js';
import { priceText, quotesOf, quoteStatuses } from './quotes.js';
import { fieldsOf, localized, type ServiceType } from './setup.js';
import { nextStates, requestStates, type Party } from './workflow.js';

const slaClockOut = z.object({
  targetMinutes: z.number(),
  elapsedMinutes: z.number(),
  dueAt: z.date().nullable(),
  status: z.enum(['met', 'ok', 'near', 'breached', 'paused']),
});
export const slaOut = z
  .object({ firstResponse: slaClockOut, resolution: slaClockOut, status: slaClockOut.shape.status.describe('The worse of the two clocks') })
  .meta({ id: 'ServiceSla', description: 'A request\'s two SLA clocks (first answer, resolution) in working minutes, each `met`, `ok`, `near` (breach), `breached` or `paused` (waiting for the customer).' });

const attachmentOut = z.object({ id: z.uuid(), fileName: z.string().nullable(), contentType: z.string(), sizeBytes: z.number(), sha256: z.string(), url: z.string() });

export const entryOut = z.object({
  id: z.uuid(),
  kind: z.enum(['created', 'comment', 'state', 'assignment']),
  internal: z.boolean(),
  authorName: z.string().nullable(),
  byStaff: z.boolean(),
  body: z.string().nullable(),
  fromState: z.enum(requestStates).nullable(),
  toState: z.enum(requestStates).nullable(),
  assigneeName: z.string().nullable().optional(),
  teamName: z.string().nullable().optional(),
  attachments: z.array(attachmentOut),
  createdAt: z.date(),
});

const fieldOut = z.object({ key: z.string(), label: z.string(), value: z.union([z.string(), z.number()]) });

export const quoteOut = z
  .object({
    id: z.uuid(),
    points: z.number().int().nullable().describe('The price in points; null for a money quote'),
    amountMinor: z.number().int().nullable().describe('The price in minor units of `currency`; null for a points quote'),
    currency: z.string().nullable(),
    price: z.string().describe('The price as the reader\'s language writes it'),
    quantity: z.number().int(),
    description: z.string(),
    validUntil: z.date().describe('The quote may be accepted before this moment (the end of its last local day)'),
    status: z.enum(quoteStatuses),
    expired: z.boolean().describe('Open, but its last day has passed'),
    orderId: z.uuid().nullable().describe('The shop order made when it was accepted'),
    decidedAt: z.date().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'ServiceQuote', description: 'A special order\'s quote in points or money; accepting it makes a shop order (points: paid from the wallet; money: invoiced).' });

export const requestSummaryOut = z
  .object({
  id: z.uuid(),
  number: z.number(),
  type: z.object({ code: z.string(), kind: z.string(), name: z.string() }),
  subject: z.string(),
  state: z.enum(requestStates),
  member: z.object({ id: z.uuid(), name: z.string() }),
  account: z.object({ id: z.uuid(), name: z.string() }),
  assignee: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  team: z.object({ id: z.uuid(), name: z.string() }).nullable().optional().describe('The team the request is with (staff only)'),
  tier: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  sla: slaOut.optional(),
  })
  .meta({ id: 'ServiceRequestSummary', description: 'A service request as the queue lists it: number, type, subject, state, member, account, assignee and SLA.' });

export const requestOut = requestSummaryOut
  .extend({
  body: z.string(),
  fields: z.array(fieldOut),
  language: z.string(),
  firstResponseAt: z.date().nullable(),
  resolvedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
  timeline: z.array(entryOut),
  nextStates: z.array(z.enum(requestStates)),
  csat: z.object({ score: z.number(), comment: z.string().nullable(), createdAt: z.date() }).nullable(),
  /** Portal: whether the member may still rate it. */
  canRate: z.boolean(),
  quotes: z.array(quoteOut).describe('A special order\'s quotes, oldest first; the open one may be accepted or declined in the portal'),
  })
  .meta({ id: 'ServiceRequest', description: 'A service request with its fields and whole timeline (for the program team: internal notes too), both SLA clocks and the satisfaction answer.' });

export type RequestSummaryOut = z.infer<typeof requestSummaryOut>;

interface Names {
  teams: Map<string, string>;
  members: Map<string, string>;
  accounts: Map<string, string>;
  staff: Map<string, string>;
  types: Map<string, ServiceType>;
}

export async function namesFor(db: Db, programId: string, rs: ServiceRequest[], types: ServiceType[]): Promise<Names> {
  const memberIds = [...new Set(rs.map((r) => r.memberId))];
  const accountIds = [...new Set(rs.map((r) => r.accountId))];
  const m = memberIds.length ? await sql<{ id: string; name: string }>`SELECT id, name FROM members WHERE program_id = ${programId} AND id = ANY(${memberIds}::uuid[])`.execute(db) : { rows: [] };
  const a = accountIds.length ? await sql<{ id: string; name: string }>`SELECT id, name FROM accounts WHERE program_id = ${programId} AND id = ANY(${accountIds}::uuid[])`.execute(db) : { rows: [] };
  const s = await sql<{ id: string; name: string }>`SELECT id, name FROM staff_users WHERE program_id = ${programId}`.execute(db);
  const teams = await sql<{ id: string; name: string }>`SELECT id, name FROM service_teams WHERE program_id = ${programId}`.execute(db);
  return {
    teams: new Map(teams.rows.map((x) => [x.id, x.name])),
    members: new Map(m.rows.map((x) => [x.id, x.name])),
    accounts: new Map(a.rows.map((x) => [x.id, x.name])),
    staff: new Map(s.rows.map((x) => [x.id, x.name])),
    types: new Map(types.map((t) => [t.id, t])),
  };
}

/** `forStaff`: with the team (members are not told which team has their request). */
export function summary(r: ServiceRequest, names: Names, language: Language, sla?: RequestSla, forStaff = false): RequestSummaryOut {
  const type = names.types.get(r.typeId)!;
  return {
    id: r.id,
    number: r.number,
    type: { code: type.code, kind: type.kind, name: localized(type.names, language) },
    subject: r.subject,
    state: r.state,
    member: { id: r.memberId, name: names.members.get(r.memberId) ?? '' },
    account: { id: r.accountId, name: names.accounts.get(r.accountId) ?? '' },
    assignee: r.assigneeId ? { id: r.assigneeId, name: names.staff.get(r.assigneeId) ?? '' } : null,
    ...(forStaff && { team: r.teamId ? { id: r.teamId, name: names.teams.get(r.teamId) ?? '' } : null }),
    tier: r.tier,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(sla && { sla }),
  };
}

export interface PresentOptions {
  party: Party;
  language: Language;
  sla?: RequestSla | undefined;
  /** Where a reader fetches an attachment. */
  fileUrl: (requestId: string, fileId: string) => string;
  /** The application's clock, for whether an open quote has expired. */
  now: Date;
  /** Portal: may this reader still rate the request (it is theirs, closed or resolved, and not rated yet). */
  mayRate?: boolean;
}

export async function presentRequest(db: Db, programId: string, r: ServiceRequest, types: ServiceType[], o: PresentOptions): Promise<z.infer<typeof requestOut>> {
  const names = await namesFor(db, programId, [r], types);
  // A member's view is read without internal entries at all.
  const entries: TimelineEntry[] = await timeline(db, programId, r.id, o.party === 'staff');
  const type = names.types.get(r.typeId)!;
  const labels = new Map(fieldsOf(type).map((f) => [f.key, localized(f.labels, o.language)]));
  const csat = await csatOf(db, programId, r.id);
  return {
    ...summary(r, names, o.language, o.party === 'staff' ? o.sla : undefined, o.party === 'staff'),
    body: r.body,
    fields: Object.entries(r.fields).map(([key, value]) => ({ key, label: labels.get(key) ?? key, value })),
    language: r.language,
    firstResponseAt: r.firstResponseAt,
    resolvedAt: r.resolvedAt,
    closedAt: r.closedAt,
    timeline: entries.map((e) => ({
      id: e.id,
      kind: e.kind,
      internal: e.internal,
      // Members read who on the program's side answered by first name only if staff wrote it; their own side by name.
      authorName: e.authorName,
      byStaff: e.byStaff,
      body: e.body,
      fromState: e.fromState,
      toState: e.toState,
      ...(o.party === 'staff' && {
        assigneeName: e.assigneeId ? (names.staff.get(e.assigneeId) ?? null) : null,
        teamName: e.teamId ? (names.teams.get(e.teamId) ?? null) : null,
      }),
      attachments: e.attachments.map((f) => ({ ...f, url: o.fileUrl(r.id, f.id) })),
      createdAt: e.createdAt,
    })),
    nextStates: nextStates(r.state, o.party),
    csat,
    canRate: !!o.mayRate && !csat && (r.state === 'closed' || r.state === 'resolved'),
    quotes: (await quotesOf(db, programId, r.id)).map((q) => ({
      id: q.id,
      points: q.points,
      amountMinor: q.amountMinor,
      currency: q.currency,
      price: priceText(q, o.language),
      quantity: q.quantity,
      description: q.description,
      validUntil: q.validUntil,
      status: q.status,
      expired: q.status === 'open' && o.now >= q.validUntil,
      orderId: q.orderId,
      decidedAt: q.decidedAt,
      createdAt: q.createdAt,
    })),
  };
}
