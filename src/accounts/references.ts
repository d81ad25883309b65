/**
 * Bulk look-ups for a batch (of events, say): the accounts and members it names, by our id or by the
 * client's external id, with what the rules engine needs to know of them, in one query each.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { EngineAccount, EngineMember } from '../rules/types.js';

export interface AccountRef extends EngineAccount {
  externalId: string | null;
  status: string;
}
export interface MemberRef extends EngineMember {
  accountId: string;
  externalId: string | null;
  status: string;
}

export async function loadAccounts(db: Db, programId: string, externalIds: string[], ids: string[]) {
  const rows = await sql<{ id: string; external_id: string | null; status: string; segment: string | null; tags: string[]; tier: string | null; country: string | null }>`
    SELECT id, external_id, status, segment, tags, tier, country FROM accounts
    WHERE program_id = ${programId} AND (external_id = ANY(${externalIds}::text[]) OR id = ANY(${ids}::uuid[]))`.execute(db);
  const byExternal = new Map<string, AccountRef>();
  const byId = new Map<string, AccountRef>();
  for (const r of rows.rows) {
    const a: AccountRef = { id: r.id, externalId: r.external_id, status: r.status, segment: r.segment, tags: r.tags, tier: r.tier, country: r.country };
    byId.set(a.id, a);
    if (a.externalId !== null) byExternal.set(a.externalId, a);
  }
  return { byExternal, byId };
}

export async function loadMembers(db: Db, programId: string, externalIds: string[], ids: string[]) {
  const rows = await sql<{ id: string; account_id: string; external_id: string | null; status: string; role: string | null; tags: string[]; tier: string | null }>`
    SELECT id, account_id, external_id, status, role, tags, tier FROM members
    WHERE program_id = ${programId} AND (external_id = ANY(${externalIds}::text[]) OR id = ANY(${ids}::uuid[]))`.execute(db);
  const byExternal = new Map<string, MemberRef>();
  const byId = new Map<string, MemberRef>();
  for (const r of rows.rows) {
    const m: MemberRef = { id: r.id, accountId: r.account_id, externalId: r.external_id, status: r.status, role: r.role, tags: r.tags, tier: r.tier };
    byId.set(m.id, m);
    if (m.externalId !== null) byExternal.set(m.externalId, m);
  }
  return { byExternal, byId };
}

