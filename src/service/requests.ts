/**
 * Service requests: raising one (with the type's fields and attachments), the conversation (public and
 * internal comments), state changes through the workflow, assignment, and the satisfaction answer on close.
 * Each write is one transaction that also queues the member's mail and the webhook event, so a change that
 * rolls back tells nobody and one that commits cannot lose its notice. Internal comments go to neither.
 */
import { createHash } from 'node:crypto';
import { idempotencyKey } from '../fields/index.js';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { requireAccountEvidence, storeEvidence, type EvidenceFile, type UploadedFile } from '../evidence/files.js';
import type { EvidenceStore } from '../evidence/store.js';
import { isLanguage, type Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { recordCsat } from '../surveys/csat.js';
import { queueServiceMail, type MailLinks } from './mails.js';
import { publishServiceChange } from './events.js';
import { fieldsOf, getServiceSettings, listLevels, pickLevel, typeByCode, getType, type ServiceType, type TypeField } from './setup.js';
import { checkTransition, stateAfterComment, acceptsComments, type Party, type RequestState } from './workflow.js';

/** Who acts: a member in the portal, or program staff (a person or an integration key). */
export interface ServiceActor {
  ref: string;
  name: string;
  party: Party;
}

export interface ServiceRequest {
  id: string;
  number: number;
  typeId: string;
  memberId: string;
  accountId: string;
  subject: string;
  body: string;
  fields: Record<string, string | number>;
  state: RequestState;
  assigneeId: string | null;
  /** The team the request is with (besides or instead of a person). */
  teamId: string | null;
  language: Language;
  tier: string | null;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

interface RequestRow {
  id: string;
  number: string | number;
  type_id: string;
  member_id: string;
  account_id: string;
  subject: string;
  body: string;
  fields: Record<string, string | number>;
  state: RequestState;
  assignee_id: string | null;
  team_id: string | null;
  language: Language;
  tier: string | null;
  first_response_minutes: number;
  resolution_minutes: number;
  first_response_at: Date | string | null;
  resolved_at: Date | string | null;
  closed_at: Date | string | null;
  created_by: string;
  idempotency_key: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const date = (d: Date | string | null): Date | null => (d === null ? null : new Date(d));

export const toRequest = (r: RequestRow): ServiceRequest => ({
  id: r.id,
  number: Number(r.number),
  typeId: r.type_id,
  memberId: r.member_id,
  accountId: r.account_id,
  subject: r.subject,
  body: r.body,
  fields: r.fields ?? {},
  state: r.state,
  assigneeId: r.assignee_id,
  teamId: r.team_id ?? null,
  language: r.language,
  tier: r.tier,
  firstResponseMinutes: r.first_response_minutes,
  resolutionMinutes: r.resolution_minutes,
  firstResponseAt: date(r.first_response_at),
  resolvedAt: date(r.resolved_at),
  closedAt: date(r.closed_at),
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export async function findRequest(db: Db, programId: string, id: string, lock = false): Promise<ServiceRequest | undefined> {
  const r = await sql<RequestRow>`SELECT * FROM service_requests WHERE program_id = ${programId} AND id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`.execute(db);
  return r.rows[0] && toRequest(r.rows[0]);
}

export async function requireRequest(db: Db, programId: string, id: string, lock = false): Promise<ServiceRequest> {
  const found = await findRequest(db, programId, id, lock);
  if (!found) throw new LojalError('not_found', { entity: 'service request', id });
  return found;
}

// ---------------------------------------------------------------- timeline

export interface Attachment {
  id: string;
  fileName: string | null;
  contentType: string;
  sizeBytes: number;
  sha256: string;
}

export interface TimelineEntry {
  id: string;
  kind: 'created' | 'comment' | 'state' | 'assignment';
  internal: boolean;
  author: string;
  authorName: string | null;
  byStaff: boolean;
  body: string | null;
  fromState: RequestState | null;
  toState: RequestState | null;
  assigneeId: string | null;
  teamId: string | null;
  attachments: Attachment[];
  createdAt: Date;
}

/**
 * The request's timeline, oldest first. `withInternal` is false for everything a member or a notice reads:
 * internal comments are filtered in the query, so no later step can leak them.
 */
export async function timeline(db: Db, programId: string, requestId: string, withInternal: boolean): Promise<TimelineEntry[]> {
  const rows = await sql<{
    id: string; kind: TimelineEntry['kind']; internal: boolean; author: string; author_name: string | null; by_staff: boolean; body: string | null;
    from_state: RequestState | null; to_state: RequestState | null; assignee_id: string | null; team_id: string | null; created_at: Date | string;
  }>`
    SELECT id, kind, internal, author, author_name, by_staff, body, from_state, to_state, assignee_id, team_id, created_at FROM service_entries
    WHERE program_id = ${programId} AND request_id = ${requestId} ${withInternal ? sql`` : sql`AND NOT internal`}
    ORDER BY created_at, id`.execute(db);
  const files = await sql<{ entry_id: string; id: string; file_name: string | null; content_type: string; size_bytes: string | number; sha256: string }>`
    SELECT a.entry_id, f.id, f.file_name, f.content_type, f.size_bytes, f.sha256 FROM service_attachments a
    JOIN service_entries e ON e.program_id = a.program_id AND e.id = a.entry_id
    JOIN evidence_files f ON f.program_id = a.program_id AND f.id = a.evidence_id
    WHERE a.program_id = ${programId} AND e.request_id = ${requestId} ${withInternal ? sql`` : sql`AND NOT e.internal`}
    ORDER BY f.id`.execute(db);
  const byEntry = new Map<string, Attachment[]>();
  for (const f of files.rows) {
    const list = byEntry.get(f.entry_id) ?? [];
    list.push({ id: f.id, fileName: f.file_name, contentType: f.content_type, sizeBytes: Number(f.size_bytes), sha256: f.sha256.trim() });
    byEntry.set(f.entry_id, list);
  }
  return rows.rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    internal: r.internal,
    author: r.author,
    authorName: r.author_name,
    byStaff: r.by_staff,
    body: r.body,
    fromState: r.from_state,
    toState: r.to_state,
    assigneeId: r.assignee_id,
    teamId: r.team_id,
    attachments: byEntry.get(r.id) ?? [],
    createdAt: new Date(r.created_at),
  }));
}

/** A file attached to the request where the reader may see it (a member: only on public entries). */
export async function requestAttachment(db: Db, programId: string, requestId: string, fileId: string, withInternal: boolean): Promise<EvidenceFile> {
  const r = await sql<{ id: string; account_id: string; sha256: string; content_type: string; size_bytes: string; file_name: string | null; uploaded_by: string; created_at: Date }>`
    SELECT f.id, f.account_id, f.sha256, f.content_type, f.size_bytes, f.file_name, f.uploaded_by, f.created_at FROM service_attachments a
    JOIN service_entries e ON e.program_id = a.program_id AND e.id = a.entry_id
    JOIN evidence_files f ON f.program_id = a.program_id AND f.id = a.evidence_id
    WHERE a.program_id = ${programId} AND e.request_id = ${requestId} AND f.id = ${fileId} ${withInternal ? sql`` : sql`AND NOT e.internal`}`.execute(db);
  const f = r.rows[0];
  if (!f) throw new LojalError('not_found', { entity: 'attachment', id: fileId });
  return { id: f.id, accountId: f.account_id, sha256: f.sha256.trim(), contentType: f.content_type as EvidenceFile['contentType'], sizeBytes: Number(f.size_bytes), fileName: f.file_name, uploadedBy: f.uploaded_by, createdAt: new Date(f.created_at) };
}

interface EntryInput {
  kind: TimelineEntry['kind'];
  internal?: boolean;
  body?: string | null;
  fromState?: RequestState | null;
  toState?: RequestState | null;
  assigneeId?: string | null;
  teamId?: string | null;
}

export async function addServiceEntry(trx: Db, programId: string, requestId: string, who: ServiceActor, e: EntryInput, at: Date, files: EvidenceFile[] = []): Promise<string> {
  const id = uuidv7();
  await sql`
    INSERT INTO service_entries (program_id, id, request_id, kind, internal, author, author_name, by_staff, body, from_state, to_state, assignee_id, team_id, created_at)
    VALUES (${programId}, ${id}, ${requestId}, ${e.kind}, ${e.internal ?? false}, ${who.ref}, ${who.name}, ${who.party === 'staff'}, ${e.body ?? null},
      ${e.fromState ?? null}, ${e.toState ?? null}, ${e.assigneeId ?? null}, ${e.teamId ?? null}, ${at})`.execute(trx);
  for (const f of files) await sql`INSERT INTO service_attachments (program_id, entry_id, evidence_id) VALUES (${programId}, ${id}, ${f.id})`.execute(trx);
  return id;
}

// ---------------------------------------------------------------- raising a request

const text = (max: number) => z.string().trim().min(1).max(max);

export const requestInputSchema = z
  .object({
    /** The type by code (e.g. `complaint`). */
    type: z.string().min(1).max(40).describe('The request type\'s code, e.g. `complaint` (GET /v1/service/types)'),
    subject: text(200).describe('A one-line subject'),
    body: text(10_000).describe('What the member asks or reports'),
    /** The type's own fields by key: text, numbers and dates as strings or numbers. */
    fields: z.record(z.string().max(40), z.union([z.string().max(2000), z.number()])).default({}).describe('The type\'s own fields by key: text, numbers, dates (YYYY-MM-DD) or a choice'),
    evidenceIds: z.array(z.uuid()).max(10).default([]).describe('Evidence files of the member\'s account already uploaded, to attach'),
    idempotencyKey: idempotencyKey.optional().describe('A unique key (at least 8 characters): a retry with it answers the request raised first'),
  })
  .strict();
export type RequestInput = z.infer<typeof requestInputSchema>;

const phone = /^\+?[0-9 ()-]{6,20}$/;

/** The type's fields checked and normalized: required ones present, numbers numbers, dates dates, choices chosen. */
export function checkFields(fields: readonly TypeField[], given: Record<string, string | number>): Record<string, string | number> {
  const issues: { path: string; message: string }[] = [];
  const out: Record<string, string | number> = {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(given)) if (!known.has(key)) issues.push({ path: `fields.${key}`, message: 'this type has no such field' });
  for (const f of fields) {
    const raw = given[f.key];
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === undefined || value === '') {
      if (f.required) issues.push({ path: `fields.${f.key}`, message: 'required' });
      continue;
    }
    switch (f.kind) {
      case 'number': {
        const n = typeof value === 'number' ? value : Number(value);
        if (!Number.isFinite(n) || n < 0 || n > 1e9) issues.push({ path: `fields.${f.key}`, message: 'a number' });
        else out[f.key] = n;
        break;
      }
      case 'date':
        if (typeof value !== 'string' || !z.iso.date().safeParse(value).success) issues.push({ path: `fields.${f.key}`, message: 'a date such as 2026-12-01' });
        else out[f.key] = value;
        break;
      case 'phone':
        if (typeof value !== 'string' || !phone.test(value)) issues.push({ path: `fields.${f.key}`, message: 'a phone number such as +46 70 123 45 67' });
        else out[f.key] = value;
        break;
      case 'choice':
        if (typeof value !== 'string' || !f.options?.includes(value)) issues.push({ path: `fields.${f.key}`, message: `one of ${f.options?.join(', ')}` });
        else out[f.key] = value;
        break;
      default:
        out[f.key] = String(value);
    }
  }
  if (issues.length) throw new LojalError('validation_failed', {}, issues);
  return out;
}

/** The staff user behind the account's key-account manager (matched by e-mail, else by name), if one is active. */
export async function keyAccountManager(db: Db, programId: string, accountId: string): Promise<string | null> {
  const r = await sql<{ id: string }>`
    SELECT s.id FROM accounts a JOIN staff_users s ON s.program_id = a.program_id AND s.active
      AND (lower(s.email) = lower(trim(a.key_account_manager)) OR lower(s.name) = lower(trim(a.key_account_manager)))
    WHERE a.program_id = ${programId} AND a.id = ${accountId} AND a.key_account_manager IS NOT NULL
    ORDER BY (lower(s.email) = lower(trim(a.key_account_manager))) DESC, s.id LIMIT 1`.execute(db);
  return r.rows[0]?.id ?? null;
}

/** The account's tier: the tier engine's level if it keeps one for the account, else the tier written on the account. */
async function accountTier(db: Db, programId: string, accountId: string): Promise<string | null> {
  const r = await sql<{ tier: string | null }>`
    SELECT coalesce((SELECT level_code FROM tier_status WHERE program_id = a.program_id AND owner_kind = 'account' AND owner_id = a.id), a.tier) AS tier
    FROM accounts a WHERE a.program_id = ${programId} AND a.id = ${accountId}`.execute(db);
  return r.rows[0]?.tier ?? null;
}

const fingerprint = (memberId: string, input: RequestInput, files: UploadedFile[]) =>
  createHash('sha256')
    .update(JSON.stringify({ memberId, ...input, idempotencyKey: undefined, files: files.map((f) => f.sha256) }))
    .digest('hex');

export interface CreateResult {
  request: ServiceRequest;
  created: boolean;
}

export async function createRequest(
  db: Db,
  store: EvidenceStore,
  program: Program,
  memberId: string,
  input: RequestInput,
  files: UploadedFile[],
  who: ServiceActor,
  now: Date,
): Promise<CreateResult> {
  const key = input.idempotencyKey ?? null;
  const hash = fingerprint(memberId, input, files);
  const replay = async (): Promise<ServiceRequest | undefined> => {
    if (!key) return undefined;
    const r = await sql<RequestRow & { request_hash: string }>`SELECT * FROM service_requests WHERE program_id = ${program.id} AND idempotency_key = ${key}`.execute(db);
    const row = r.rows[0];
    if (!row) return undefined;
    if (row.request_hash !== hash) throw new LojalError('idempotency_conflict', { key });
    return toRequest(row);
  };
  const earlier = await replay();
  if (earlier) return { request: earlier, created: false };

  const type = await typeByCode(db, program.id, input.type);
  if (!type || !type.active) throw new LojalError('unknown_service_type', { type: input.type });
  const fields = checkFields(fieldsOf(type), input.fields);
  const member = await sql<{ account_id: string; language: string | null; status: string }>`
    SELECT account_id, language, status FROM members WHERE program_id = ${program.id} AND id = ${memberId}`.execute(db);
  const m = member.rows[0];
  if (!m) throw new LojalError('unknown_member', { member: memberId });
  await requireAccountEvidence(db, program.id, m.account_id, input.evidenceIds);
  const tier = await accountTier(db, program.id, m.account_id);
  const level = pickLevel(await listLevels(db, program.id), type.code, tier);
  const assignee = await keyAccountManager(db, program.id, m.account_id);
  const language: Language = isLanguage(m.language) ? m.language : program.defaultLanguage;
  const id = uuidv7();

  try {
    await db.transaction().execute(async (trx) => {
      const n = await sql<{ last_number: string }>`
        INSERT INTO service_counters (program_id, last_number) VALUES (${program.id}, 1)
        ON CONFLICT (program_id) DO UPDATE SET last_number = service_counters.last_number + 1 RETURNING last_number`.execute(trx);
      const stored = await storeEvidence(trx, store, program.id, m.account_id, files, who.ref);
      const attached = [...(await requireAccountEvidence(trx, program.id, m.account_id, input.evidenceIds)), ...stored];
      await sql`
        INSERT INTO service_requests (program_id, id, number, type_id, member_id, account_id, subject, body, fields, state, assignee_id, language, tier,
          first_response_minutes, resolution_minutes, created_by, idempotency_key, request_hash, created_at, updated_at)
        VALUES (${program.id}, ${id}, ${Number(n.rows[0]!.last_number)}, ${type.id}, ${memberId}, ${m.account_id}, ${input.subject.trim()}, ${input.body.trim()},
          ${JSON.stringify(fields)}::jsonb, 'new', ${assignee}, ${language}, ${tier}, ${level.firstResponseMinutes}, ${level.resolutionMinutes},
          ${who.ref}, ${key}, ${hash}, ${now}, ${now})`.execute(trx);
      await addServiceEntry(trx, program.id, id, who, { kind: 'created', body: input.body.trim(), toState: 'new' }, now, attached);
      const request = (await findRequest(trx, program.id, id))!;
      await queueServiceMail(trx, program, request, type, { kind: 'received' }, now);
      await publishServiceChange(trx, program.id, request, type, { change: 'created', entry: null }, now);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'service_requests_idempotency')) {
      const again = await replay();
      if (again) return { request: again, created: false };
    }
    throw err;
  }
  return { request: (await findRequest(db, program.id, id))!, created: true };
}

// ---------------------------------------------------------------- the conversation

export const commentInputSchema = z
  .object({
    body: text(10_000).describe('The answer or note'),
    /** Staff only: a note colleagues read and the member never does. */
    internal: z.boolean().default(false).describe('Staff only: a note colleagues read and the member never does (default false)'),
    evidenceIds: z.array(z.uuid()).max(10).default([]).describe('Evidence files of the request\'s account already uploaded, to attach'),
  })
  .strict();
export type CommentInput = z.infer<typeof commentInputSchema>;

export async function addComment(
  db: Db,
  store: EvidenceStore,
  program: Program,
  requestId: string,
  input: CommentInput,
  files: UploadedFile[],
  who: ServiceActor,
  now: Date,
): Promise<ServiceRequest> {
  const internal = who.party === 'staff' && input.internal;
  return db.transaction().execute(async (trx) => {
    // The row lock orders concurrent writers on one request; each still adds its own entry.
    const r = await requireRequest(trx, program.id, requestId, true);
    if (!acceptsComments(r.state)) throw new LojalError('service_request_closed', { number: r.number });
    const type = (await getType(trx, program.id, r.typeId))!;
    const stored = await storeEvidence(trx, store, program.id, r.accountId, files, who.ref);
    const attached = [...(await requireAccountEvidence(trx, program.id, r.accountId, input.evidenceIds)), ...stored];
    await addServiceEntry(trx, program.id, r.id, who, { kind: 'comment', internal, body: input.body.trim() }, now, attached);
    const next = stateAfterComment(r.state, who.party, internal);
    if (next) await addServiceEntry(trx, program.id, r.id, who, { kind: 'state', fromState: r.state, toState: next }, now);
    const firstAnswer = who.party === 'staff' && !internal && r.firstResponseAt === null;
    await sql`
      UPDATE service_requests SET updated_at = ${now}
        ${next ? sql`, state = ${next}` : sql``}
        ${next === 'in_progress' && r.state === 'resolved' ? sql`, resolved_at = NULL` : sql``}
        ${firstAnswer ? sql`, first_response_at = ${now}` : sql``}
      WHERE program_id = ${program.id} AND id = ${r.id}`.execute(trx);
    const updated = (await findRequest(trx, program.id, r.id))!;
    if (!internal) {
      if (who.party === 'staff') await queueServiceMail(trx, program, updated, type, { kind: 'answered', body: input.body.trim() }, now);
      await publishServiceChange(trx, program.id, updated, type, { change: 'commented', entry: { body: input.body.trim(), byStaff: who.party === 'staff' } }, now);
    }
    return updated;
  });
}

export async function changeState(db: Db, program: Program, requestId: string, to: RequestState, note: string | null, who: ServiceActor, now: Date, links?: MailLinks): Promise<ServiceRequest> {
  const settings = await getServiceSettings(db, program.id);
  return db.transaction().execute(async (trx) => {
    const r = await requireRequest(trx, program.id, requestId, true);
    const check = checkTransition(r.state, to, { by: who.party, closedAt: r.closedAt, reopenDays: settings.reopenDays, now });
    if (!check.ok) throw new LojalError(check.code, { number: r.number, from: r.state, to });
    const type = (await getType(trx, program.id, r.typeId))!;
    await addServiceEntry(trx, program.id, r.id, who, { kind: 'state', fromState: r.state, toState: to, body: note }, now);
    const reopened = to === 'in_progress' && (r.state === 'resolved' || r.state === 'closed');
    await sql`
      UPDATE service_requests SET state = ${to}, updated_at = ${now}
        ${to === 'resolved' ? sql`, resolved_at = ${now}` : sql``}
        ${to === 'closed' ? sql`, closed_at = ${now}, resolved_at = coalesce(resolved_at, ${now})` : sql``}
        ${reopened ? sql`, resolved_at = NULL, closed_at = NULL` : sql``}
      WHERE program_id = ${program.id} AND id = ${r.id}`.execute(trx);
    const updated = (await findRequest(trx, program.id, r.id))!;
    await queueServiceMail(trx, program, updated, type, { kind: 'state', from: r.state, note }, now, links);
    await publishServiceChange(trx, program.id, updated, type, { change: 'state_changed', entry: null, from: r.state }, now);
    return updated;
  });
}

/**
 * Where requests go: a staff user and/or a team. A key left out keeps what the request has; null clears it.
 */
export interface AssignTarget {
  staffUserId?: string | null | undefined;
  teamId?: string | null | undefined;
}

/** Assigns requests to a staff user, a team, or both (null: nobody); the member is not told, the webhook is. */
export async function assignRequests(db: Db, programId: string, ids: string[], target: AssignTarget, who: ServiceActor, now: Date): Promise<number> {
  const { staffUserId, teamId } = target;
  if (staffUserId) {
    const s = await sql`SELECT 1 FROM staff_users WHERE program_id = ${programId} AND id = ${staffUserId} AND active`.execute(db);
    if (!s.rows.length) throw new LojalError('unknown_staff_user', { id: staffUserId });
  }
  if (teamId) {
    const s = await sql`SELECT 1 FROM service_teams WHERE program_id = ${programId} AND id = ${teamId}`.execute(db);
    if (!s.rows.length) throw new LojalError('unknown_service_team', { team: teamId });
  }
  return db.transaction().execute(async (trx) => {
    let changed = 0;
    for (const id of [...new Set(ids)].sort()) {
      const r = await requireRequest(trx, programId, id, true);
      const assignee = staffUserId === undefined ? r.assigneeId : staffUserId;
      const team = teamId === undefined ? r.teamId : teamId;
      if (r.assigneeId === assignee && r.teamId === team) continue;
      await addServiceEntry(trx, programId, r.id, who, { kind: 'assignment', internal: true, assigneeId: assignee, teamId: team }, now);
      await sql`UPDATE service_requests SET assignee_id = ${assignee}, team_id = ${team}, updated_at = ${now} WHERE program_id = ${programId} AND id = ${r.id}`.execute(trx);
      const type = (await getType(trx, programId, r.typeId))!;
      await publishServiceChange(trx, programId, { ...r, assigneeId: assignee, teamId: team }, type, { change: 'assigned', entry: null }, now);
      changed++;
    }
    return changed;
  });
}

// ---------------------------------------------------------------- satisfaction (CSAT)

/** How the service desk's scores are labelled in the program's CSAT figures (`source`). */
export const serviceCsatSource = 'service_desk';

export const csatInputSchema = z.object({ score: z.number().int().min(1).max(5), comment: z.string().trim().min(1).max(2000).optional() }).strict();

export async function rateRequest(db: Db, programId: string, requestId: string, memberId: string, input: z.infer<typeof csatInputSchema>, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const r = await requireRequest(trx, programId, requestId, true);
    if (r.state !== 'closed' && r.state !== 'resolved') throw new LojalError('service_csat_not_open', { number: r.number });
    try {
      await sql`INSERT INTO service_csat (program_id, request_id, member_id, type_id, score, comment, created_at, channel)
        VALUES (${programId}, ${r.id}, ${memberId}, ${r.typeId}, ${input.score}, ${input.comment ?? null}, ${now}, 'portal')`.execute(trx);
    } catch (err) {
      if (isUniqueViolation(err)) throw new LojalError('service_csat_given', { number: r.number });
      throw err;
    }
    // The same score counts in the program's CSAT figures beside the surveys', in this transaction so the two never disagree.
    await recordCsat(trx, programId, { source: serviceCsatSource, sourceRef: r.id, score: input.score, accountId: r.accountId, occurredAt: now });
  });
}

export interface LinkAnswer {
  programId: string;
  request: ServiceRequest;
  score: number;
  comment: string | null;
  /** False when the request had been rated before (in the portal or by another link): the first answer stands. */
  recorded: boolean;
}

/**
 * A score from a link in the mail (the token was checked by the caller): recorded once per request, in the same
 * CSAT figures as the portal's answer. A second click, of the same or another score, changes nothing and says
 * what was recorded. With `comment`, the comment replaces the answer's comment (the score stays).
 */
export async function rateByLink(db: Db, programId: string, requestId: string, score: number, comment: string | null, now: Date): Promise<LinkAnswer> {
  return db.transaction().execute(async (trx) => {
    const r = await findRequest(trx, programId, requestId, true);
    if (!r) throw new LojalError('service_csat_link_invalid');
    const before = await csatOf(trx, programId, r.id);
    if (!before && r.state !== 'closed' && r.state !== 'resolved') throw new LojalError('service_csat_not_open', { number: r.number });
    if (!before) {
      await sql`INSERT INTO service_csat (program_id, request_id, member_id, type_id, score, comment, created_at, channel)
        VALUES (${programId}, ${r.id}, ${r.memberId}, ${r.typeId}, ${score}, ${comment}, ${now}, 'mail')`.execute(trx);
      await recordCsat(trx, programId, { source: serviceCsatSource, sourceRef: r.id, score, accountId: r.accountId, occurredAt: now });
      return { programId, request: r, score, comment, recorded: true };
    }
    if (comment !== null) await sql`UPDATE service_csat SET comment = ${comment} WHERE program_id = ${programId} AND request_id = ${r.id}`.execute(trx);
    return { programId, request: r, score: before.score, comment: comment ?? before.comment, recorded: false };
  });
}

export async function csatOf(db: Db, programId: string, requestId: string): Promise<{ score: number; comment: string | null; createdAt: Date } | null> {
  const r = await sql<{ score: number; comment: string | null; created_at: Date }>`SELECT score, comment, created_at FROM service_csat WHERE program_id = ${programId} AND request_id = ${requestId}`.execute(db);
  const row = r.rows[0];
  return row ? { score: row.score, comment: row.comment, createdAt: new Date(row.created_at) } : null;
}

export type { ServiceType };
