/**
 * Members-only content: articles and files the program shows to some members (by tier, role, the account's
 * segment, tags) and to the best tiers first (early access). A member opening an item leaves a read receipt
 * (first and last read, how often), which the console sums into participation: readers, reads, and the
 * share of the members it was open to.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { gate, type Audience, type Gate, type Reader } from './audience.js';
import { json, tdb, type Status } from './tables.js';
import { localizedText, optionalLocalizedText, type LocalizedText } from './texts.js';

const list = z.array(z.string().trim().min(1).max(100)).max(50).default([]);

export const contentInputSchema = z
  .object({
    kind: z.enum(['article', 'file']),
    title: localizedText(200),
    summary: optionalLocalizedText(1000).default({}),
    body: optionalLocalizedText(50_000).default({}).describe('the article (plain text with paragraphs); for a file, what it is'),
    fileId: z.uuid().nullable().default(null).describe('kind file: a file uploaded with POST /v1/training/files'),
    audience: z
      .object({
        tiers: list.describe('tier level codes; empty: every tier and none'),
        roles: list,
        segments: list.describe("the account's segment field"),
        tags: list.describe("the member's or the account's tags"),
      })
      .strict()
      .default({ tiers: [], roles: [], segments: [], tags: [] }),
    earlyAccess: z
      .record(z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/), z.number().int().min(0).max(365))
      .default({})
      .describe('tier code → days a member of that tier sees it before availableAt, e.g. {"platinum": 7}'),
    availableAt: z.iso.datetime({ offset: true }).nullable().default(null).describe('when it opens for everyone in the audience; null: on publishing'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.kind === 'file' && !c.fileId) ctx.addIssue({ code: 'custom', path: ['fileId'], message: 'a file item needs fileId' });
    if (c.kind === 'article' && c.fileId) ctx.addIssue({ code: 'custom', path: ['fileId'], message: 'an article has no file; use kind file' });
    if (c.kind === 'article' && Object.keys(c.body).length === 0) ctx.addIssue({ code: 'custom', path: ['body'], message: 'an article needs its text in at least one language' });
  });
export type ContentInput = z.output<typeof contentInputSchema>;

export interface ContentItem {
  id: string;
  kind: 'article' | 'file';
  title: LocalizedText;
  summary: LocalizedText;
  body: LocalizedText;
  fileId: string | null;
  audience: { tiers: string[]; roles: string[]; segments: string[]; tags: string[] };
  earlyAccess: Record<string, number>;
  availableAt: Date | null;
  status: Status;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = Awaited<ReturnType<typeof selectItems>>[number];
const selectItems = (db: Db, programId: string) => tdb(db).selectFrom('content_items').selectAll().where('program_id', '=', programId).execute();

const toItem = (r: Row): ContentItem => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  summary: r.summary,
  body: r.body,
  fileId: r.file_id,
  audience: { tiers: r.tiers, roles: r.roles, segments: r.segments, tags: r.tags },
  earlyAccess: r.early_access,
  availableAt: r.available_at,
  status: r.status,
  publishedAt: r.published_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const audienceOf = (c: ContentItem): Audience => ({ ...c.audience, earlyAccess: c.earlyAccess, availableAt: c.availableAt, publishedAt: c.publishedAt, status: c.status });

async function checkRefs(db: Db, programId: string, input: ContentInput): Promise<void> {
  if (input.fileId) {
    const f = await tdb(db).selectFrom('training_files').select('id').where('program_id', '=', programId).where('id', '=', input.fileId).executeTakeFirst();
    if (!f) throw new LojalError('unknown_training_file', { file: input.fileId }, [{ path: 'fileId', message: 'is not a file uploaded with POST /v1/training/files', code: 'unknown_training_file' }]);
  }
  const codes = [...new Set([...input.audience.tiers, ...Object.keys(input.earlyAccess)])];
  if (codes.length === 0) return;
  const known = new Set((await db.selectFrom('tier_levels').select('code').where('program_id', '=', programId).execute()).map((r) => r.code));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length) {
    throw new LojalError('unknown_tier_level', { level: unknown.join(', ') }, unknown.map((c) => ({ path: input.audience.tiers.includes(c) ? 'audience.tiers' : `earlyAccess.${c}`, message: `${c} is not a level of this program's tiers`, code: 'unknown_tier_level' as const })));
  }
}

const values = (input: ContentInput) => ({
  kind: input.kind,
  title: json(input.title),
  summary: json(input.summary),
  body: json(input.body),
  file_id: input.fileId,
  tiers: input.audience.tiers,
  roles: input.audience.roles,
  segments: input.audience.segments,
  tags: input.audience.tags,
  early_access: json(input.earlyAccess),
  available_at: input.availableAt ? new Date(input.availableAt) : null,
});

export async function createContent(db: Db, programId: string, input: ContentInput, now: Date): Promise<ContentItem> {
  await checkRefs(db, programId, input);
  const id = uuidv7();
  await tdb(db).insertInto('content_items').values({ program_id: programId, id, ...values(input), created_at: now, updated_at: now }).execute();
  return requireContent(db, programId, id);
}

export async function updateContent(db: Db, programId: string, id: string, input: ContentInput, now: Date): Promise<ContentItem> {
  await checkRefs(db, programId, input);
  const old = await requireContent(db, programId, id);
  if (old.status === 'archived') throw new LojalError('content_archived', { content: id });
  await tdb(db).updateTable('content_items').set({ ...values(input), updated_at: now }).where('program_id', '=', programId).where('id', '=', id).execute();
  return requireContent(db, programId, id);
}

export async function setContentStatus(db: Db, programId: string, id: string, to: 'published' | 'archived', now: Date): Promise<ContentItem> {
  const c = await requireContent(db, programId, id);
  if (c.status === to) return c;
  if (to === 'published' && c.status !== 'draft') throw new LojalError('content_state_conflict', { content: id, state: c.status });
  await tdb(db)
    .updateTable('content_items')
    .set({ status: to, updated_at: now, ...(to === 'published' && { published_at: now }) })
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .execute();
  return requireContent(db, programId, id);
}

export async function findContent(db: Db, programId: string, id: string): Promise<ContentItem | undefined> {
  const r = await tdb(db).selectFrom('content_items').selectAll().where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  return r && toItem(r);
}

export async function requireContent(db: Db, programId: string, id: string): Promise<ContentItem> {
  const c = await findContent(db, programId, id);
  if (!c) throw new LojalError('not_found', { entity: 'content', id });
  return c;
}

export async function listContent(db: Db, programId: string, opts: { status?: Status[]; after?: string; limit?: number } = {}): Promise<ContentItem[]> {
  let q = tdb(db).selectFrom('content_items').selectAll().where('program_id', '=', programId);
  if (opts.status?.length) q = q.where('status', 'in', opts.status);
  if (opts.after) q = q.where('id', '<', opts.after);
  return (await q.orderBy('id', 'desc').limit(opts.limit ?? 500).execute()).map(toItem);
}

/** What gating looks at for a member: their tiers (own and company's), role, the account's segment, tags. */
export async function readerOf(db: Db, programId: string, memberId: string): Promise<(Reader & { accountId: string }) | undefined> {
  const r = await db
    .selectFrom('members as m')
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'm.program_id').onRef('a.id', '=', 'm.account_id'))
    .select(['m.account_id', 'm.role', 'm.tier as member_tier', 'm.tags as member_tags', 'a.tier as account_tier', 'a.segment', 'a.tags as account_tags'])
    .where('m.program_id', '=', programId)
    .where('m.id', '=', memberId)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    accountId: r.account_id,
    tiers: [...new Set([r.member_tier, r.account_tier].filter((t): t is string => t !== null))],
    role: r.role,
    segment: r.segment,
    tags: [...new Set([...r.member_tags, ...r.account_tags])],
  };
}

/** The published items a member may see now, newest first, each with its gate. */
export async function visibleContent(db: Db, programId: string, reader: Reader, now: Date): Promise<Array<{ item: ContentItem; gate: Extract<Gate, { open: true }> }>> {
  const items = await listContent(db, programId, { status: ['published'] });
  const out = [];
  for (const item of items) {
    const g = gate(audienceOf(item), reader, now);
    if (g.open) out.push({ item, gate: g });
  }
  return out.sort((a, b) => b.gate.opensAt.getTime() - a.gate.opensAt.getTime());
}

/** A read receipt: the first read, the last, and how many. */
export async function recordRead(db: Db, programId: string, contentId: string, member: { memberId: string; accountId: string }, now: Date): Promise<void> {
  await sql`
    INSERT INTO content_reads (program_id, content_id, member_id, account_id, first_read_at, last_read_at, reads)
    VALUES (${programId}, ${contentId}, ${member.memberId}, ${member.accountId}, ${now}, ${now}, 1)
    ON CONFLICT (program_id, content_id, member_id) DO UPDATE SET last_read_at = EXCLUDED.last_read_at, reads = content_reads.reads + 1`.execute(db);
}

export async function readIds(db: Db, programId: string, memberId: string): Promise<Set<string>> {
  const rows = await tdb(db).selectFrom('content_reads').select('content_id').where('program_id', '=', programId).where('member_id', '=', memberId).execute();
  return new Set(rows.map((r) => r.content_id));
}

/**
 * Participation per item: distinct readers, reads, accounts reached, and the members the item is open to
 * now (its audience among active members), so the console can show the share that read it.
 */
export async function contentFigures(db: Db, programId: string, items: ContentItem[], now: Date) {
  const reads = new Map<string, { readers: number; reads: number; accounts: number }>();
  if (items.length === 0) return { reads, audience: new Map<string, number>() };
  const rows = await sql<{ content_id: string; readers: string; reads: string; accounts: string }>`
    SELECT content_id, count(*) AS readers, sum(reads) AS reads, count(DISTINCT account_id) AS accounts FROM content_reads
    WHERE program_id = ${programId} AND content_id IN (${sql.join(items.map((i) => i.id))}) GROUP BY content_id`.execute(db);
  for (const r of rows.rows) reads.set(r.content_id, { readers: Number(r.readers), reads: Number(r.reads), accounts: Number(r.accounts) });
  // The audience: every active member's facts once, gated in memory (a program's members, not its history).
  const members = await db
    .selectFrom('members as m')
    .innerJoin('accounts as a', (j) => j.onRef('a.program_id', '=', 'm.program_id').onRef('a.id', '=', 'm.account_id'))
    .select(['m.role', 'm.tier as member_tier', 'm.tags as member_tags', 'a.tier as account_tier', 'a.segment', 'a.tags as account_tags'])
    .where('m.program_id', '=', programId)
    .where('m.status', '=', 'active')
    .execute();
  const readers: Reader[] = members.map((r) => ({
    tiers: [r.member_tier, r.account_tier].filter((t): t is string => t !== null),
    role: r.role,
    segment: r.segment,
    tags: [...r.member_tags, ...r.account_tags],
  }));
  const audience = new Map<string, number>();
  for (const item of items) {
    const a = audienceOf(item);
    audience.set(item.id, item.status === 'draft' ? 0 : readers.filter((rd) => gate({ ...a, status: 'published' }, rd, now).open).length);
  }
  return { reads, audience };
}
