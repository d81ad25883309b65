import type { Db } from '../db/database.js';
import { pageSize, toPage, type Page } from '../http/pagination.js';

export interface AuditFilter {
  entity?: string | undefined;
  entityId?: string | undefined;
  actor?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit?: number | undefined;
  /** The seq of the last entry of the previous page (newest first). */
  beforeSeq?: number | undefined;
}

export interface AuditRecord {
  seq: number;
  id: string;
  at: Date;
  actor: string;
  actorLabel: string;
  actorIp: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

/** Newest first. `from` inclusive, `to` exclusive. */
export async function listAudit(db: Db, programId: string, f: AuditFilter): Promise<Page<AuditRecord>> {
  const limit = pageSize(f);
  let q = db.selectFrom('audit_log').selectAll().where('program_id', '=', programId);
  if (f.entity) q = q.where('entity', '=', f.entity);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.actor) q = q.where('actor', '=', f.actor);
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<', f.to);
  if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
  const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
  return toPage(
    rows,
    limit,
    (r) => [Number(r.seq)],
    (r) => ({
      seq: Number(r.seq),
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
      prevHash: r.prev_hash,
      hash: r.hash,
    }),
  );
}
