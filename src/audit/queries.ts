import type { Db } from '../db/database.js';
import { pageSize, toPage, type Page } from '../http/pagination.js';

export interface AuditFilter {
  entity?: string | undefined;
  entityId?: string | undefined;
  actor?: string | undefined;
  /** An action (`account.update`) or a family of them (`account`: every `account.*`). */
  action?: string | undefined;
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
  if (f.action) {
    const action = f.action;
    q = q.where((eb) => eb.or([eb('action', '=', action), eb('action', 'like', `${action.replace(/[\\%_]/g, '\\$&')}.%`)]));
  }
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

export interface AuditFacets {
  actors: Array<{ actor: string; actorLabel: string }>;
  actions: string[];
  entities: string[];
}

/** What the log's filters can choose from: who has acted, and which actions and entities occur. */
export async function auditFacets(db: Db, programId: string): Promise<AuditFacets> {
  const base = db.selectFrom('audit_log').where('program_id', '=', programId);
  const [actors, actions, entities] = await Promise.all([
    base.select(['actor', (eb) => eb.fn.max('actor_label').as('label')]).groupBy('actor').orderBy('label').execute(),
    base.select('action').distinct().orderBy('action').execute(),
    base.select('entity').distinct().orderBy('entity').execute(),
  ]);
  return {
    actors: actors.map((a) => ({ actor: a.actor, actorLabel: String(a.label) })),
    actions: actions.map((a) => a.action),
    entities: entities.map((e) => e.entity),
  };
}
