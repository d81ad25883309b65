import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { entryHash, genesisHash, type ChainedEntry } from './chain.js';
import { activeAuditKeyring, type AuditKeyring } from './keys.js';

export interface ChainReport {
  programId: string;
  checked: number;
  /** Entries chained with a plain hash: anyone able to write the database could have rewritten them. */
  unkeyed: number;
  /** The first entry whose number, link, hash or checkpoint does not hold; null when the chain is whole. */
  brokenAt: number | null;
  reason: string | null;
}

/**
 * A chain's head as seen at one moment, kept outside the database (a file, a ticket, another system): a later
 * verification proves the log still holds that entry with that hash, so cutting the newest entries is caught.
 */
export interface AuditCheckpoint {
  programId: string;
  seq: number;
  hash: string;
  at: string;
}

const PAGE = 1000;

/** The program's chain head now, as a checkpoint to keep elsewhere (seq 0 and the genesis hash when empty). */
export async function auditCheckpoint(db: Db, programId: string, now: Date): Promise<AuditCheckpoint> {
  const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('program_id', '=', programId).executeTakeFirst();
  return { programId, seq: head ? Number(head.seq) : 0, hash: head?.hash ?? genesisHash, at: now.toISOString() };
}

/**
 * Walks a program's chain in seq order, recomputing every hash (HMAC under the key each entry names), checks
 * that the head points at its end and that every checkpoint given still holds.
 */
export async function verifyChain(
  db: Db,
  programId: string,
  options: { checkpoints?: readonly AuditCheckpoint[]; keyring?: AuditKeyring } = {},
): Promise<ChainReport> {
  const keyring = options.keyring ?? activeAuditKeyring();
  const checkpoints = new Map((options.checkpoints ?? []).filter((c) => c.programId === programId && c.seq > 0).map((c) => [c.seq, c]));
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let checked = 0;
  let unkeyed = 0;
  let keyedSince: number | null = null;
  const broken = (seq: number, reason: string): ChainReport => ({ programId, checked, unkeyed, brokenAt: seq, reason });
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      // The timestamp as stored, to the microsecond: a keyed hash covers all of it.
      .select(sql<string>`to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('at_stored'))
      .where('program_id', '=', programId)
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing`);
      if (r.prev_hash !== prevHash) return broken(seq, 'prev_hash does not match the previous entry');
      const entry: ChainedEntry = {
        programId: r.program_id,
        seq,
        id: r.id,
        at: new Date(r.at),
        atStored: r.at_stored,
        actor: r.actor,
        actorLabel: r.actor_label,
        actorIp: r.actor_ip,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        before: r.before,
        after: r.after,
      };
      if (r.key_id) {
        const key = keyring.byId.get(r.key_id);
        if (!key) return broken(seq, `the entry is signed with audit key ${r.key_id}, which is not configured (LOJAL_AUDIT_KEY or LOJAL_AUDIT_PREVIOUS_KEYS)`);
        if (entryHash(entry, prevHash, key) !== r.hash) return broken(seq, 'the entry does not match its keyed hash');
        keyedSince ??= seq;
      } else {
        // Once entries are keyed, a plain one after them can only have been written without the key.
        if (keyedSince !== null) return broken(seq, `an unkeyed entry follows keyed entries (keyed since ${keyedSince})`);
        if (entryHash(entry, prevHash) !== r.hash) return broken(seq, 'the entry does not match its hash');
        unkeyed++;
      }
      const checkpoint = checkpoints.get(seq);
      if (checkpoint && checkpoint.hash !== r.hash) return broken(seq, `the entry differs from the checkpoint taken at ${checkpoint.at}`);
      prevHash = r.hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < PAGE) break;
  }
  const beyond = [...checkpoints.values()].filter((c) => c.seq > checked).sort((a, b) => b.seq - a.seq)[0];
  if (beyond) return broken(checked + 1, `the log ends at entry ${checked}, but the checkpoint taken at ${beyond.at} saw entry ${beyond.seq}: entries were removed`);
  const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('program_id', '=', programId).executeTakeFirst();
  const headSeq = head ? Number(head.seq) : 0;
  if (headSeq !== checked || (head && head.hash !== prevHash)) {
    return broken(Math.min(headSeq, checked) + 1, `the head says ${headSeq} entries, the log holds ${checked}`);
  }
  return { programId, checked, unkeyed, brokenAt: null, reason: null };
}
