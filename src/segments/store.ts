/**
 * Segments: their definitions, their members and how many they had over time. A dynamic segment's members
 * are (re)computed in one statement on the server: the filter's rows are compared with the stored members,
 * the difference is inserted and deleted, and the new count is recorded — no subject row travels to Node.
 * A static segment's members come from an uploaded list (CSV) and change only by upload.
 */
import { sql, type RawBuilder } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { compileFilter, referencedSegments, validateFilter, type Filter, type Subject } from './filter.js';

export type SegmentKind = 'dynamic' | 'static';
export type RefreshTrigger = 'schedule' | 'manual' | 'upload' | 'create';

export interface Segment {
  id: string;
  key: string;
  name: string;
  description: string | null;
  kind: SegmentKind;
  subject: Subject;
  definition: Filter | null;
  system: boolean;
  memberCount: number;
  refreshedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface SegmentRow {
  id: string;
  key: string;
  name: string;
  description: string | null;
  kind: SegmentKind;
  subject: Subject;
  definition: Filter | null;
  system: boolean;
  member_count: number;
  refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toSegment = (r: SegmentRow): Segment => ({
  id: r.id,
  key: r.key,
  name: r.name,
  description: r.description,
  kind: r.kind,
  subject: r.subject,
  definition: r.definition,
  system: r.system,
  memberCount: Number(r.member_count),
  refreshedAt: r.refreshed_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const columns = sql`id, key, name, description, kind, subject, definition, system, member_count, refreshed_at, created_at, updated_at`;

export async function listSegments(db: Db, programId: string): Promise<Segment[]> {
  const { rows } = await sql<SegmentRow>`SELECT ${columns} FROM segments WHERE program_id = ${programId} ORDER BY system DESC, key`.execute(db);
  return rows.map(toSegment);
}

export async function getSegment(db: Db, programId: string, id: string, forUpdate = false): Promise<Segment> {
  const { rows } = await sql<SegmentRow>`
    SELECT ${columns} FROM segments WHERE program_id = ${programId} AND id = ${id} ${forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  if (!rows[0]) throw new LojalError('not_found', { entity: 'segment', id });
  return toSegment(rows[0]);
}

export async function segmentByKey(db: Db, programId: string, key: string): Promise<Segment | undefined> {
  const { rows } = await sql<SegmentRow>`SELECT ${columns} FROM segments WHERE program_id = ${programId} AND key = ${key}`.execute(db);
  return rows[0] && toSegment(rows[0]);
}

export interface SegmentInput {
  key: string;
  name: string;
  description?: string | null | undefined;
  kind: SegmentKind;
  subject: Subject;
  definition?: Filter | null | undefined;
}

function checkInput(input: Pick<SegmentInput, 'kind' | 'subject' | 'definition'>): void {
  if (input.kind === 'dynamic') {
    if (!input.definition) throw new LojalError('segment_definition_required', {});
    validateFilter(input.definition, input.subject);
  } else if (input.definition) throw new LojalError('segment_static_has_no_filter', {});
}

export async function createSegment(trx: Db, programId: string, input: SegmentInput, now: Date, system = false): Promise<Segment> {
  checkInput(input);
  const id = uuidv7();
  const { rows } = await sql<SegmentRow>`
    INSERT INTO segments (program_id, id, key, name, description, kind, subject, definition, system, created_at, updated_at)
    VALUES (${programId}, ${id}, ${input.key}, ${input.name}, ${input.description ?? null}, ${input.kind}, ${input.subject},
            ${input.definition ? JSON.stringify(input.definition) : null}::jsonb, ${system}, ${now}, ${now})
    ON CONFLICT (program_id, key) DO NOTHING
    RETURNING ${columns}`.execute(trx);
  if (!rows[0]) throw new LojalError('segment_key_taken', { key: input.key });
  return toSegment(rows[0]);
}

export interface SegmentPatch {
  name?: string | undefined;
  description?: string | null | undefined;
  definition?: Filter | undefined;
}

export async function updateSegment(trx: Db, programId: string, id: string, patch: SegmentPatch, now: Date): Promise<{ before: Segment; after: Segment }> {
  const before = await getSegment(trx, programId, id, true);
  if (before.system) throw new LojalError('segment_system', { key: before.key });
  if (patch.definition !== undefined) checkInput({ kind: before.kind, subject: before.subject, definition: patch.definition });
  const { rows } = await sql<SegmentRow>`
    UPDATE segments SET
      name = ${patch.name ?? before.name},
      description = ${patch.description === undefined ? before.description : patch.description},
      definition = ${patch.definition !== undefined ? JSON.stringify(patch.definition) : before.definition ? JSON.stringify(before.definition) : null}::jsonb,
      updated_at = ${now}
    WHERE program_id = ${programId} AND id = ${id}
    RETURNING ${columns}`.execute(trx);
  return { before, after: toSegment(rows[0]!) };
}

export async function deleteSegment(trx: Db, programId: string, id: string): Promise<Segment> {
  const seg = await getSegment(trx, programId, id, true);
  if (seg.system) throw new LojalError('segment_system', { key: seg.key });
  await sql`DELETE FROM segments WHERE program_id = ${programId} AND id = ${id}`.execute(trx);
  return seg;
}

const subjectTable = (subject: Subject) => (subject === 'account' ? sql`accounts` : sql`members`);

/** The subjects a filter selects now, as a SELECT of their ids (a subquery for counts and refreshes). */
export function selectMatching(programId: string, subject: Subject, filter: Filter, now: Date) {
  const where = compileFilter(filter, { programId, subject, now });
  return sql`SELECT s.id FROM ${subjectTable(subject)} s WHERE s.program_id = ${programId} AND s.status <> 'closed' AND ${where}`;
}

export interface Preview {
  count: number;
  /** Up to 20 subjects that match, by name. */
  sample: Array<{ id: string; name: string; externalId: string | null }>;
  /** Subjects in the program (not closed): the count's denominator. */
  total: number;
}

/** How many a filter selects now, and a few of them: the builder's live count. Nothing is stored. */
export async function previewFilter(db: Db, programId: string, subject: Subject, filter: Filter, now: Date): Promise<Preview> {
  const matching = selectMatching(programId, subject, filter, now);
  const { rows } = await sql<{ count: string; total: string; sample: Preview['sample'] }>`
    WITH m AS MATERIALIZED (${matching})
    SELECT (SELECT count(*) FROM m) AS count,
           (SELECT count(*) FROM ${subjectTable(subject)} t WHERE t.program_id = ${programId} AND t.status <> 'closed') AS total,
           (SELECT coalesce(json_agg(json_build_object('id', x.id, 'name', x.name, 'externalId', x.external_id)), '[]') FROM (
              SELECT t.id, t.name, t.external_id FROM ${subjectTable(subject)} t JOIN m ON m.id = t.id
              WHERE t.program_id = ${programId} ORDER BY t.name, t.id LIMIT 20) x) AS sample`.execute(db);
  const r = rows[0]!;
  return { count: Number(r.count), total: Number(r.total), sample: r.sample };
}

export interface RefreshResult {
  segmentId: string;
  key: string;
  count: number;
  added: number;
  removed: number;
  at: Date;
}

async function recordCount(trx: Db, programId: string, seg: Segment, r: { count: number; added: number; removed: number }, trigger: RefreshTrigger, now: Date): Promise<RefreshResult> {
  // Two refreshes in the same instant (a test clock) keep the later figures.
  await sql`
    INSERT INTO segment_counts (program_id, segment_id, at, count, added, removed, trigger)
    VALUES (${programId}, ${seg.id}, ${now}, ${r.count}, ${r.added}, ${r.removed}, ${trigger})
    ON CONFLICT (program_id, segment_id, at) DO UPDATE SET count = excluded.count, added = segment_counts.added + excluded.added,
      removed = segment_counts.removed + excluded.removed`.execute(trx);
  await sql`UPDATE segments SET member_count = ${r.count}, refreshed_at = ${now} WHERE program_id = ${programId} AND id = ${seg.id}`.execute(trx);
  return { segmentId: seg.id, key: seg.key, ...r, at: now };
}

/**
 * Recomputes a dynamic segment's members in the caller's transaction: the segment row is locked (two refreshes
 * of one segment wait for each other), the difference to the stored members is written in one statement.
 */
export async function refreshSegmentIn(trx: Db, programId: string, id: string, trigger: RefreshTrigger, now: Date): Promise<RefreshResult> {
  const seg = await getSegment(trx, programId, id, true);
  if (seg.kind !== 'dynamic') throw new LojalError('segment_not_dynamic', { key: seg.key });
  const matching = selectMatching(programId, seg.subject, seg.definition!, now);
  return recordCount(trx, programId, seg, await replaceMembers(trx, programId, id, matching, now), trigger, now);
}

export async function refreshSegment(db: Db, programId: string, id: string, trigger: RefreshTrigger, now: Date): Promise<RefreshResult> {
  return db.transaction().execute((trx) => refreshSegmentIn(trx, programId, id, trigger, now));
}

/**
 * Refreshes every dynamic segment of a program, those another refers to (`inSegment`) first; each in a
 * transaction of its own so a long program never holds locks for all of them at once.
 */
export async function refreshAll(db: Db, programId: string, trigger: RefreshTrigger, now: Date): Promise<RefreshResult[]> {
  const segs = (await listSegments(db, programId)).filter((s) => s.kind === 'dynamic');
  const byKey = new Map(segs.map((s) => [s.key, s]));
  const ordered: Segment[] = [];
  const seen = new Set<string>();
  const visit = (s: Segment, path: Set<string>) => {
    if (seen.has(s.key) || path.has(s.key)) return;
    path.add(s.key);
    for (const k of referencedSegments(s.definition!)) {
      const dep = byKey.get(k);
      if (dep) visit(dep, path);
    }
    seen.add(s.key);
    ordered.push(s);
  };
  for (const s of segs) visit(s, new Set());
  const out: RefreshResult[] = [];
  for (const s of ordered) out.push(await refreshSegment(db, programId, s.id, trigger, now));
  return out;
}

/**
 * Replaces a static segment's members with the given subjects (ids already resolved and checked to be the
 * program's). Same statement shape as a refresh.
 */
export async function replaceStaticMembers(trx: Db, programId: string, id: string, subjectIds: string[], now: Date): Promise<RefreshResult> {
  const seg = await getSegment(trx, programId, id, true);
  if (seg.kind !== 'static') throw new LojalError('segment_not_static', { key: seg.key });
  const ids = [...new Set(subjectIds)];
  return recordCount(trx, programId, seg, await replaceMembers(trx, programId, id, sql`SELECT unnest(${ids}::uuid[]) AS id`, now), 'upload', now);
}

/** Subjects of the program by external id (or id), for a static list: found ids and the references not found. */
export async function resolveSubjects(db: Db, programId: string, subject: Subject, refs: string[]): Promise<Map<string, string>> {
  const uuids = refs.filter((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r));
  const { rows } = await sql<{ id: string; external_id: string | null }>`
    SELECT id, external_id FROM ${subjectTable(subject)} WHERE program_id = ${programId} AND external_id = ANY(${refs}::text[])
    UNION
    SELECT id, external_id FROM ${subjectTable(subject)} WHERE program_id = ${programId} AND id = ANY(${uuids}::uuid[])`.execute(db);
  const out = new Map<string, string>();
  for (const r of rows) {
    if (r.external_id !== null) out.set(r.external_id, r.id);
    out.set(r.id, r.id);
  }
  return out;
}

export interface CountPoint {
  at: Date;
  count: number;
  added: number;
  removed: number;
  trigger: RefreshTrigger;
}

export async function segmentHistory(db: Db, programId: string, id: string, limit: number): Promise<CountPoint[]> {
  await getSegment(db, programId, id);
  const { rows } = await sql<{ at: Date; count: number; added: number; removed: number; trigger: RefreshTrigger }>`
    SELECT at, count, added, removed, trigger FROM (
      SELECT at, count, added, removed, trigger FROM segment_counts WHERE program_id = ${programId} AND segment_id = ${id}
      ORDER BY at DESC LIMIT ${limit}) x ORDER BY at`.execute(db);
  return rows.map((r) => ({ ...r, count: Number(r.count), added: Number(r.added), removed: Number(r.removed) }));
}

export async function segmentMembers(
  db: Db,
  programId: string,
  seg: Segment,
  limit: number,
  after: string | undefined,
): Promise<{ items: Array<{ id: string; name: string; externalId: string | null; addedAt: Date }>; next: string | null }> {
  const { rows } = await sql<{ id: string; name: string; external_id: string | null; added_at: Date }>`
    SELECT t.id, t.name, t.external_id, sm.added_at
    FROM segment_members sm JOIN ${subjectTable(seg.subject)} t ON t.program_id = sm.program_id AND t.id = sm.subject_id
    WHERE sm.program_id = ${programId} AND sm.segment_id = ${seg.id} ${after ? sql`AND sm.subject_id > ${after}` : sql``}
    ORDER BY sm.subject_id LIMIT ${limit + 1}`.execute(db);
  const items = rows.slice(0, limit).map((r) => ({ id: r.id, name: r.name, externalId: r.external_id, addedAt: r.added_at }));
  return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
}

/**
 * The segment keys each subject belongs to (dynamic as last refreshed, and static lists): what the earning
 * path and reward eligibility resolve before they evaluate, so the rules engine itself stays pure.
 */
export async function segmentKeysOf(db: Db, programId: string, subjectIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (subjectIds.length === 0) return out;
  const { rows } = await sql<{ subject_id: string; keys: string[] }>`
    SELECT sm.subject_id, array_agg(sg.key ORDER BY sg.key) AS keys
    FROM segment_members sm JOIN segments sg ON sg.program_id = sm.program_id AND sg.id = sm.segment_id
    WHERE sm.program_id = ${programId} AND sm.subject_id = ANY(${[...new Set(subjectIds)]}::uuid[])
    GROUP BY sm.subject_id`.execute(db);
  for (const r of rows) out.set(r.subject_id, r.keys);
  return out;
}

/** Does the program have any segment at all (the earning path skips the membership look-up when not)? */
export async function hasSegments(db: Db, programId: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM segments WHERE program_id = ${programId} LIMIT 1`.execute(db);
  return rows.length > 0;
}

/**
 * Makes the segment's stored members exactly `target` (a query of `id`s) in one statement that writes only the
 * difference, and answers how many it holds, joined and left.
 */
async function replaceMembers(trx: Db, programId: string, id: string, target: RawBuilder<unknown>, now: Date): Promise<{ count: number; added: number; removed: number }> {
  const { rows } = await sql<{ count: string; added: string; removed: string }>`
    WITH target AS MATERIALIZED (${target}),
    removed AS (
      DELETE FROM segment_members sm WHERE sm.program_id = ${programId} AND sm.segment_id = ${id}
        -- NOT IN over a CTE of ids is a hashed subplan: one pass, where NOT EXISTS on an unindexed CTE loops.
        AND sm.subject_id NOT IN (SELECT t.id FROM target t)
      RETURNING 1),
    added AS (
      INSERT INTO segment_members (program_id, segment_id, subject_id, added_at)
      SELECT ${programId}, ${id}, t.id, ${now} FROM target t
      ON CONFLICT (program_id, segment_id, subject_id) DO NOTHING
      RETURNING 1)
    SELECT (SELECT count(*) FROM target) AS count, (SELECT count(*) FROM added) AS added, (SELECT count(*) FROM removed) AS removed`.execute(trx);
  const r = rows[0]!;
  return { count: Number(r.count), added: Number(r.added), removed: Number(r.removed) };
}
