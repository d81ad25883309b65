/**
 * The audit log: an append-only, hash-chained record of every staff action (who, what, before and after,
 * when, from where). `recordAudit` runs inside the transaction of the action it records, so an action and
 * its entry are written together or not at all, and the per-program head row it locks keeps the chain
 * linear when actions run at once.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { actorRef, type Actor } from '../programs/actor.js';
import { asStored, entryHash, genesisHash, type ChainedEntry } from './chain.js';
import { activeAuditKeyring } from './keys.js';

export { auditCheckpoint, verifyChain, type AuditCheckpoint, type ChainReport } from './verify.js';
export { listAudit, type AuditFilter, type AuditRecord } from './queries.js';

/** Who acts and from where; built once per request (src/http/routes.ts auditContext). */
export interface AuditContext {
  programId: string;
  actor: Actor;
  ip: string | null;
  /** When the action happens, from the application's clock (the request's, the job's, the CLI's). */
  at: Date;
}

export interface AuditEntry extends AuditContext {
  /** `<entity>.<verb>`, e.g. `staff_user.create`, `adjustment.request`, `api_key.revoke`. */
  action: string;
  entity: string;
  entityId?: string | null | undefined;
  before?: unknown;
  after?: unknown;
}

/** A system actor for work nobody asked for over the API (the CLI, the demo seed). */
export const systemContext = (programId: string, label: string, at: Date): AuditContext => ({
  programId,
  actor: { kind: 'api_key', id: '00000000-0000-0000-0000-000000000000', label },
  ip: null,
  at,
});

/** `at` overrides the context's instant where the caller already holds the one its action took effect at. */
export async function recordAudit(trx: Db, entry: AuditEntry, at: Date = entry.at): Promise<{ seq: number; hash: string }> {
  // Taking the next number locks the head row until this transaction ends: the next writer waits for our hash.
  const head = await sql<{ seq: number; hash: string }>`
    INSERT INTO audit_heads (program_id, seq, hash) VALUES (${entry.programId}, 1, ${genesisHash})
    ON CONFLICT (program_id) DO UPDATE SET seq = audit_heads.seq + 1
    RETURNING seq, hash`.execute(trx);
  const { seq, hash: prevHash } = head.rows[0]!;
  const chained: ChainedEntry = {
    programId: entry.programId,
    seq: Number(seq),
    id: uuidv7(),
    at,
    actor: actorRef(entry.actor),
    actorLabel: entry.actor.label,
    actorIp: entry.ip,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    before: asStored(entry.before),
    after: asStored(entry.after),
  };
  const key = activeAuditKeyring().current;
  const hash = entryHash(chained, prevHash, key);
  await trx
    .insertInto('audit_log')
    .values({
      program_id: chained.programId,
      seq: chained.seq,
      id: chained.id,
      at: chained.at,
      actor: chained.actor,
      actor_label: chained.actorLabel,
      actor_ip: chained.actorIp,
      action: chained.action,
      entity: chained.entity,
      entity_id: chained.entityId,
      before: chained.before === null ? null : JSON.stringify(chained.before),
      after: chained.after === null ? null : JSON.stringify(chained.after),
      prev_hash: prevHash,
      hash,
      key_id: key?.id ?? null,
    })
    .execute();
  await trx.updateTable('audit_heads').set({ hash }).where('program_id', '=', entry.programId).execute();
  return { seq: chained.seq, hash };
}

export type AuditAction = Omit<AuditEntry, keyof AuditContext>;

/**
 * Runs a staff action and records it in one transaction. `work` gets the transaction (data functions take
 * it in place of the database, see inTransaction) and returns the result and what to record about it.
 */
export async function audited<T>(db: Db, ctx: AuditContext, work: (trx: Db) => Promise<{ result: T; audit: AuditAction | null }>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const { result, audit } = await work(trx);
    // null: nothing happened worth recording (a replay of an earlier request).
    if (audit) await recordAudit(trx, { ...ctx, ...audit });
    return result;
  });
}

/** The summary entry of a batch import: how many items it had and what became of them (not every item). */
export function batchCounts(results: ReadonlyArray<{ status: string }>): Record<string, number> {
  const count = (status: string) => results.filter((r) => r.status === status).length;
  return { items: results.length, created: count('created'), updated: count('updated'), failed: count('error') };
}
