/**
 * "Did you know…" tips: a program's pool of short texts per language, each for everyone or for one segment,
 * rotated into earn notices. A member never sees the same tip twice in a row: the next tip is the one after
 * the last shown in the pool's order, and a pool of one tip is shown every other time.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import { segmentByKey, segmentKeysOf } from '../segments/store.js';

export interface Tip {
  id: string;
  language: Language;
  /** Only members of this segment (by key) get it; null: everyone. */
  segmentKey: string | null;
  text: string;
  active: boolean;
  createdAt: Date;
}

interface Row {
  id: string;
  language: Language;
  segment_key: string | null;
  text: string;
  active: boolean;
  created_at: Date | string;
}
const toTip = (r: Row): Tip => ({ id: r.id, language: r.language, segmentKey: r.segment_key, text: r.text, active: r.active, createdAt: new Date(r.created_at) });

export async function listTips(db: Db, programId: string): Promise<Tip[]> {
  const { rows } = await sql<Row>`SELECT id, language, segment_key, text, active, created_at FROM message_tips WHERE program_id = ${programId} ORDER BY language, id`.execute(db);
  return rows.map(toTip);
}

export async function addTip(trx: Db, programId: string, input: { language: Language; segmentKey?: string | null | undefined; text: string }, now: Date): Promise<Tip> {
  if (input.segmentKey && !(await segmentByKey(trx, programId, input.segmentKey))) throw new LojalError('not_found', { entity: 'segment', id: input.segmentKey });
  const { rows } = await sql<Row>`
    INSERT INTO message_tips (program_id, id, language, segment_key, text, created_at)
    VALUES (${programId}, ${uuidv7()}, ${input.language}, ${input.segmentKey ?? null}, ${input.text}, ${now})
    RETURNING id, language, segment_key, text, active, created_at`.execute(trx);
  return toTip(rows[0]!);
}

export async function setTipActive(trx: Db, programId: string, id: string, active: boolean): Promise<Tip> {
  const { rows } = await sql<Row>`
    UPDATE message_tips SET active = ${active} WHERE program_id = ${programId} AND id = ${id}
    RETURNING id, language, segment_key, text, active, created_at`.execute(trx);
  if (!rows[0]) throw new LojalError('not_found', { entity: 'tip', id });
  return toTip(rows[0]);
}

/** Pure: the tip after `lastId` in the pool's order, never `lastId` itself; null when none is left. */
export function nextTip<T extends { id: string }>(pool: readonly T[], lastId: string | null): T | null {
  const sorted = [...pool].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const candidates = sorted.filter((t) => t.id !== lastId);
  if (candidates.length === 0) return null;
  return candidates.find((t) => lastId !== null && t.id > lastId) ?? candidates[0]!;
}

/** Picks the member's next tip in their language and segments and remembers it; null when the pool is empty. */
export async function takeTip(trx: Db, programId: string, memberId: string, language: Language, now: Date): Promise<Tip | null> {
  const { rows } = await sql<Row>`
    SELECT id, language, segment_key, text, active, created_at FROM message_tips
    WHERE program_id = ${programId} AND language = ${language} AND active`.execute(trx);
  if (rows.length === 0) return null;
  const keys = rows.some((r) => r.segment_key) ? ((await segmentKeysOf(trx, programId, [memberId])).get(memberId) ?? []) : [];
  const pool = rows.filter((r) => r.segment_key === null || keys.includes(r.segment_key)).map(toTip);
  const last = await sql<{ tip_id: string }>`SELECT tip_id FROM member_last_tip WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
  const tip = nextTip(pool, last.rows[0]?.tip_id ?? null);
  if (tip) {
    await sql`
      INSERT INTO member_last_tip (program_id, member_id, tip_id, shown_at) VALUES (${programId}, ${memberId}, ${tip.id}, ${now})
      ON CONFLICT (program_id, member_id) DO UPDATE SET tip_id = excluded.tip_id, shown_at = excluded.shown_at`.execute(trx);
  }
  return tip;
}

/** Erasure: which tip the member saw last is forgotten. */
export async function forgetLastTip(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await sql`DELETE FROM member_last_tip WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}
