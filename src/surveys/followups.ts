/** Detractor follow-ups: the console's queue of unhappy answers for the key-account manager to call back. */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';

export interface Followup {
  id: string;
  surveyId: string;
  accountId: string;
  accountName: string | null;
  memberId: string;
  memberName: string | null;
  score: number;
  comment: string | null;
  assignee: string | null;
  status: 'open' | 'closed';
  note: string | null;
  createdAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
}

interface Row {
  id: string;
  survey_id: string;
  account_id: string;
  account_name: string | null;
  member_id: string;
  member_name: string | null;
  score: number;
  comment: string | null;
  assignee: string | null;
  status: Followup['status'];
  note: string | null;
  created_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
}

const toFollowup = (r: Row): Followup => ({
  id: r.id,
  surveyId: r.survey_id,
  accountId: r.account_id,
  accountName: r.account_name,
  memberId: r.member_id,
  memberName: r.member_name,
  score: r.score,
  comment: r.comment,
  assignee: r.assignee,
  status: r.status,
  note: r.note,
  createdAt: r.created_at,
  closedAt: r.closed_at,
  closedBy: r.closed_by,
});

// Names are read from the accounts module's tables in one join for the queue; the follow-up keeps only ids.
const select = (programId: string) => sql`
  SELECT f.*, a.name AS account_name, m.name AS member_name FROM survey_followups f
  LEFT JOIN accounts a ON a.program_id = f.program_id AND a.id = f.account_id
  LEFT JOIN members m ON m.program_id = f.program_id AND m.id = f.member_id
  WHERE f.program_id = ${programId}`;

export async function listFollowups(db: Db, programId: string, status?: Followup['status']): Promise<Followup[]> {
  const r = await sql<Row>`${select(programId)} ${status ? sql`AND f.status = ${status}` : sql``} ORDER BY f.created_at DESC, f.id DESC LIMIT 500`.execute(db);
  return r.rows.map(toFollowup);
}

export async function requireFollowup(db: Db, programId: string, id: string, lock = false): Promise<Followup> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new LojalError('not_found', { entity: 'follow-up', id });
  const r = await sql<Row>`${select(programId)} AND f.id = ${id} ${lock ? sql`FOR UPDATE OF f` : sql``}`.execute(db);
  if (!r.rows[0]) throw new LojalError('not_found', { entity: 'follow-up', id });
  return toFollowup(r.rows[0]);
}

export async function closeFollowup(trx: Db, programId: string, id: string, by: string, note: string | null, now: Date): Promise<{ before: Followup; after: Followup }> {
  const before = await requireFollowup(trx, programId, id, true);
  if (before.status === 'closed') throw new LojalError('followup_closed', { followup: id });
  await sql`UPDATE survey_followups SET status = 'closed', note = ${note}, closed_at = ${now}, closed_by = ${by} WHERE program_id = ${programId} AND id = ${id}`.execute(trx);
  return { before, after: await requireFollowup(trx, programId, id) };
}
