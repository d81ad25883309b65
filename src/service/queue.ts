/**
 * The staff queue and the reports: requests with their two service-level clocks (first answer, resolution)
 * computed at the application's clock from the state history, filters by type, state, assignee and breach,
 * and the figures per type (volume, first-response and resolution medians and p90, breach rate, CSAT).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import { toRequest, type ServiceRequest } from './requests.js';
import { calendarOf, getServiceSettings, type ServiceSettings } from './setup.js';
import { clockRunsIn, type RequestState } from './workflow.js';
import { slaClock, workingMinutesBetween, type ClockSegment, type SlaClock, type WorkCalendar } from './working-time.js';

export interface RequestSla {
  firstResponse: SlaClock;
  resolution: SlaClock;
  /** The worse of the two: what the queue shows. */
  status: SlaClock['status'];
}

interface StateChange {
  at: Date;
  to: RequestState;
}

/** The running/paused stretches of a request's life from its state changes (oldest first). */
export function segmentsOf(createdAt: Date, changes: readonly StateChange[]): ClockSegment[] {
  const out: ClockSegment[] = [];
  let from = createdAt;
  let state: RequestState = 'new';
  for (const c of changes) {
    out.push({ from, to: c.at, running: clockRunsIn.has(state) });
    from = c.at;
    state = c.to;
  }
  out.push({ from, to: null, running: clockRunsIn.has(state) });
  return out;
}

const rank: Record<SlaClock['status'], number> = { met: 0, paused: 1, ok: 2, near: 3, breached: 4 };

export function requestSla(cal: WorkCalendar, r: ServiceRequest, changes: readonly StateChange[], now: Date, nearPercent: number): RequestSla {
  const segments = segmentsOf(r.createdAt, changes);
  const stopped = r.state === 'resolved' || r.state === 'closed' ? (r.resolvedAt ?? r.closedAt ?? now) : null;
  // A request resolved without a word to the member has had its first answer by then too.
  const firstResponse = slaClock(cal, segments, r.firstResponseMinutes, r.firstResponseAt ?? stopped, now, nearPercent);
  const resolution = slaClock(cal, segments, r.resolutionMinutes, stopped, now, nearPercent);
  const worst = [firstResponse, resolution].reduce((a, b) => (rank[b.status] > rank[a.status] ? b : a));
  return { firstResponse, resolution, status: worst.status };
}

export async function stateChanges(db: Db, programId: string, ids: string[]): Promise<Map<string, StateChange[]>> {
  const out = new Map<string, StateChange[]>();
  if (!ids.length) return out;
  const r = await sql<{ request_id: string; created_at: Date | string; to_state: RequestState }>`
    SELECT request_id, created_at, to_state FROM service_entries
    WHERE program_id = ${programId} AND request_id = ANY(${ids}::uuid[]) AND kind = 'state' ORDER BY created_at, id`.execute(db);
  for (const row of r.rows) {
    const list = out.get(row.request_id) ?? [];
    list.push({ at: new Date(row.created_at), to: row.to_state });
    out.set(row.request_id, list);
  }
  return out;
}

export interface SlaContext {
  cal: WorkCalendar;
  settings: ServiceSettings;
}

export async function slaContext(db: Db, program: Program): Promise<SlaContext> {
  const settings = await getServiceSettings(db, program.id);
  return { settings, cal: calendarOf(settings, program.timeZone) };
}

export async function slaOf(db: Db, program: Program, requests: ServiceRequest[], now: Date, ctx?: SlaContext): Promise<Map<string, RequestSla>> {
  const c = ctx ?? (await slaContext(db, program));
  const changes = await stateChanges(db, program.id, requests.map((r) => r.id));
  return new Map(requests.map((r) => [r.id, requestSla(c.cal, r, changes.get(r.id) ?? [], now, c.settings.nearBreachPercent)]));
}

export interface QueueFilter {
  state?: RequestState[] | undefined;
  type?: string | undefined;
  /** A staff user id, or 'none' for unassigned. */
  assignee?: string | undefined;
  /** Team ids (a request with any of them), or 'none' for requests with no team. */
  teams?: string[] | 'none' | undefined;
  breach?: 'breached' | 'near' | 'at_risk' | undefined;
  memberId?: string | undefined;
  accountIds?: string[] | undefined;
  q?: string | undefined;
}

/** How many requests a breach filter looks through (they are computed, not stored). */
export const BREACH_SCAN_LIMIT = 5000;

export async function listRequests(db: Db, program: Program, f: QueueFilter, limit: number, before: { createdAt: string; id: string } | undefined, now: Date): Promise<{ rows: ServiceRequest[]; sla: Map<string, RequestSla>; more: boolean }> {
  const numberQuery = f.q && /^#?\d{1,12}$/.test(f.q.trim()) ? Number(f.q.trim().replace('#', '')) : undefined;
  const where = sql`program_id = ${program.id}
    ${f.state?.length ? sql`AND state = ANY(${f.state}::text[])` : sql``}
    ${f.type ? sql`AND type_id = (SELECT id FROM service_types WHERE program_id = ${program.id} AND code = ${f.type})` : sql``}
    ${f.assignee === 'none' ? sql`AND assignee_id IS NULL` : f.assignee ? sql`AND assignee_id = ${f.assignee}::uuid` : sql``}
    ${f.teams === 'none' ? sql`AND team_id IS NULL` : f.teams ? sql`AND team_id = ANY(${f.teams}::uuid[])` : sql``}
    ${f.memberId ? sql`AND member_id = ${f.memberId}::uuid` : sql``}
    ${f.accountIds ? sql`AND account_id = ANY(${f.accountIds}::uuid[])` : sql``}
    ${numberQuery !== undefined ? sql`AND number = ${numberQuery}` : f.q ? sql`AND (subject ILIKE ${'%' + f.q.replace(/[\\%_]/g, (c) => '\\' + c) + '%'})` : sql``}
    ${before ? sql`AND (created_at, id) < (${new Date(before.createdAt)}, ${before.id}::uuid)` : sql``}`;
  const ctx = await slaContext(db, program);
  if (!f.breach) {
    const r = await sql<Parameters<typeof toRequest>[0]>`SELECT * FROM service_requests WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`.execute(db);
    const rows = r.rows.map(toRequest);
    const shown = rows.slice(0, limit);
    return { rows: shown, sla: await slaOf(db, program, shown, now, ctx), more: rows.length > limit };
  }
  // Breaches are a matter of the clock: computed for the open requests, then filtered.
  const r = await sql<Parameters<typeof toRequest>[0]>`SELECT * FROM service_requests WHERE ${where} AND state IN ('new', 'in_progress', 'waiting_customer')
    ORDER BY created_at DESC, id DESC LIMIT ${BREACH_SCAN_LIMIT}`.execute(db);
  const all = r.rows.map(toRequest);
  const sla = await slaOf(db, program, all, now, ctx);
  const wanted = (s: RequestSla) => (f.breach === 'breached' ? s.status === 'breached' : f.breach === 'near' ? s.status === 'near' : s.status === 'breached' || s.status === 'near');
  const matching = all.filter((x) => wanted(sla.get(x.id)!));
  return { rows: matching.slice(0, limit), sla, more: matching.length > limit };
}

// ---------------------------------------------------------------- reports

/** The value below which `p` of the sorted values lie (nearest rank); null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const i = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.min(i, sorted.length - 1)]!;
}

export interface TypeReport {
  type: string;
  volume: number;
  open: number;
  firstResponseMedian: number | null;
  firstResponseP90: number | null;
  resolutionMedian: number | null;
  resolutionP90: number | null;
  /** Of the requests whose clocks ended or ran out: share that breached either target (0..1). */
  breachRate: number | null;
  breached: number;
  csatAverage: number | null;
  csatCount: number;
}

/** Figures per request type for requests raised in [from, to). Times are in working minutes. */
export async function serviceReport(db: Db, program: Program, from: Date, to: Date, now: Date): Promise<{ types: TypeReport[]; total: TypeReport }> {
  const r = await sql<Parameters<typeof toRequest>[0] & { code: string }>`
    SELECT r.*, t.code FROM service_requests r JOIN service_types t ON t.program_id = r.program_id AND t.id = r.type_id
    WHERE r.program_id = ${program.id} AND r.created_at >= ${from} AND r.created_at < ${to} ORDER BY r.created_at`.execute(db);
  const requests = r.rows.map((row) => ({ req: toRequest(row), code: row.code }));
  const ctx = await slaContext(db, program);
  const sla = await slaOf(db, program, requests.map((x) => x.req), now, ctx);
  const csat = await sql<{ request_id: string; score: number }>`
    SELECT c.request_id, c.score FROM service_csat c JOIN service_requests r ON r.program_id = c.program_id AND r.id = c.request_id
    WHERE c.program_id = ${program.id} AND r.created_at >= ${from} AND r.created_at < ${to}`.execute(db);
  const scores = new Map(csat.rows.map((c) => [c.request_id, c.score]));
  const figures = (code: string, list: typeof requests): TypeReport => {
    const fr: number[] = [];
    const res: number[] = [];
    let judged = 0;
    let breached = 0;
    const s: number[] = [];
    for (const { req } of list) {
      const clock = sla.get(req.id)!;
      if (req.firstResponseAt) fr.push(workingMinutesBetween(ctx.cal, req.createdAt, req.firstResponseAt));
      if (req.resolvedAt) res.push(clock.resolution.elapsedMinutes);
      const done = clock.status === 'met' || clock.status === 'breached' || clock.firstResponse.status === 'breached' || clock.resolution.status === 'breached';
      if (done) judged++;
      if (clock.firstResponse.status === 'breached' || clock.resolution.status === 'breached') breached++;
      const score = scores.get(req.id);
      if (score !== undefined) s.push(score);
    }
    fr.sort((a, b) => a - b);
    res.sort((a, b) => a - b);
    const round = (x: number | null) => (x === null ? null : Math.round(x));
    return {
      type: code,
      volume: list.length,
      open: list.filter((x) => x.req.state !== 'resolved' && x.req.state !== 'closed').length,
      firstResponseMedian: round(percentile(fr, 50)),
      firstResponseP90: round(percentile(fr, 90)),
      resolutionMedian: round(percentile(res, 50)),
      resolutionP90: round(percentile(res, 90)),
      breachRate: judged ? Math.round((breached / judged) * 1000) / 1000 : null,
      breached,
      csatAverage: s.length ? Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 100) / 100 : null,
      csatCount: s.length,
    };
  };
  const codes = [...new Set(requests.map((x) => x.code))].sort();
  return { types: codes.map((c) => figures(c, requests.filter((x) => x.code === c))), total: figures('*', requests) };
}
