/**
 * The in-app inbox: messages a member reads in the portal, unread until opened. A message is written in the
 * caller's transaction; after the commit, `inboxSignals` tells the portal streams of this process (Server-Sent
 * Events) so the unread count changes on the member's screen at once. Streams also re-read the count now and
 * then, which covers messages written by another server process.
 */
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { consentHistory, hasConsent, type ConsentPurpose } from '../privacy/consent.js';
import { requireNotErased } from '../privacy/erased.js';

export interface InboxMessage {
  id: string;
  kind: 'transactional' | 'marketing';
  title: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
}

interface Row {
  id: string;
  kind: InboxMessage['kind'];
  title: string;
  body: string;
  created_at: Date | string;
  read_at: Date | string | null;
}
const toMessage = (r: Row): InboxMessage => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  body: r.body,
  createdAt: new Date(r.created_at),
  readAt: r.read_at === null ? null : new Date(r.read_at),
});

/** `<programId>:<memberId>` → a signal that the member's inbox changed. */
export const inboxSignals = new EventEmitter();
inboxSignals.setMaxListeners(0);
export const inboxChannel = (programId: string, memberId: string) => `${programId}:${memberId}`;

export async function postToInbox(
  trx: Db,
  programId: string,
  memberId: string,
  input: { kind: InboxMessage['kind']; title: string; body: string; createdBy: string; purpose?: ConsentPurpose },
  now: Date,
): Promise<InboxMessage> {
  await requireNotErased(trx, programId, memberId);
  const purpose = input.purpose ?? 'marketing';
  if (input.kind === 'marketing' && !hasConsent(await consentHistory(trx, programId, memberId), purpose, 'inbox')) {
    throw new LojalError('consent_missing', { member: memberId, purpose, channel: 'inbox' });
  }
  const rows = await sql<Row>`
    INSERT INTO inbox_messages (program_id, id, member_id, kind, title, body, created_by, created_at)
    VALUES (${programId}, ${uuidv7()}, ${memberId}, ${input.kind}, ${input.title}, ${input.body}, ${input.createdBy}, ${now})
    RETURNING id, kind, title, body, created_at, read_at`.execute(trx);
  return toMessage(rows.rows[0]!);
}

/** Call after the transaction that posted to the inbox has committed. */
export function signalInbox(programId: string, memberId: string): void {
  inboxSignals.emit(inboxChannel(programId, memberId));
}

export async function unreadCount(db: Db, programId: string, memberId: string): Promise<number> {
  const rows = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM inbox_messages WHERE program_id = ${programId} AND member_id = ${memberId} AND read_at IS NULL`.execute(db);
  return Number(rows.rows[0]!.n);
}

export async function listInbox(db: Db, programId: string, memberId: string, limit: number): Promise<InboxMessage[]> {
  const rows = await sql<Row>`
    SELECT id, kind, title, body, created_at, read_at FROM inbox_messages
    WHERE program_id = ${programId} AND member_id = ${memberId} ORDER BY created_at DESC, id DESC LIMIT ${limit}`.execute(db);
  return rows.rows.map(toMessage);
}

/** Marks one message (or, without an id, all) read or unread; another member's message is a 404. */
export async function markInbox(db: Db, programId: string, memberId: string, id: string | null, read: boolean, now: Date): Promise<void> {
  const res = await sql`
    UPDATE inbox_messages SET read_at = ${read ? now : null}
    WHERE program_id = ${programId} AND member_id = ${memberId} ${id ? sql`AND id = ${id}` : sql`AND read_at IS NULL`}`.execute(db);
  if (id && Number(res.numAffectedRows ?? 0) === 0) throw new LojalError('not_found', { entity: 'inbox message', id });
}

/** Erasure: the member's inbox goes with them. */
export async function eraseInbox(trx: Db, programId: string, memberId: string): Promise<number> {
  const res = await sql`DELETE FROM inbox_messages WHERE program_id = ${programId} AND member_id = ${memberId}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}
