import type { Db } from '../db/database.js';
import { entryHash, genesisHash, type ChainedEntry } from './chain.js';

export interface ChainReport {
  programId: string;
  checked: number;
  /** The first entry whose number, link or hash does not hold; null when the chain is whole. */
  brokenAt: number | null;
  reason: string | null;
}

const PAGE = 1000;

/** Walks a program's chain in seq order, recomputing every hash, and checks that the head points at its end. */
export async function verifyChain(db: Db, programId: string): Promise<ChainReport> {
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let checked = 0;
  const broken = (seq: number, reason: string): ChainReport => ({ programId, checked, brokenAt: seq, reason });
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
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
        actor: r.actor,
        actorLabel: r.actor_label,
        actorIp: r.actor_ip,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        before: r.before,
        after: r.after,
      };
      if (entryHash(entry, prevHash) !== r.hash) return broken(seq, 'the entry does not match its hash');
      prevHash = r.hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < PAGE) break;
  }
  const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('program_id', '=', programId).executeTakeFirst();
  const headSeq = head ? Number(head.seq) : 0;
  if (headSeq !== checked || (head && head.hash !== prevHash)) {
    return broken(Math.min(headSeq, checked) + 1, `the head says ${headSeq} entries, the log holds ${checked}`);
  }
  return { programId, checked, brokenAt: null, reason: null };
}
