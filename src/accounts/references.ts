/**
 * Bulk look-ups for a batch (of events, say): the accounts and members it names, by our id or by the
 * client's external id, with what the rules engine needs to know of them, in one query each. Each query is a
 * UNION of two index lookups, by external id and by id: an OR across both makes PostgreSQL read every
 * account (or member) of the program.
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

/** The accounts statement, apart so that a test can EXPLAIN it. */
export function accountsStatement(programId: string, externalIds: string[], ids: string[]) {
  return sql<{ id: string; external_id: string | null; status: string; segment: string | null; tags: string[]; tier: string | null; country: string | null }>`
    SELECT id, external_id, status, segment, tags, tier, country FROM accounts WHERE program_id = ${programId} AND external_id = ANY(${externalIds}::text[])
    UNION
    SELECT id, external_id, status, segment, tags, tier, country FROM accounts WHERE program_id = ${programId} AND id = ANY(${ids}::uuid[])`;
}

/** The members statement, apart so that a test can EXPLAIN it. */
export function membersStatement(programId: string, externalIds: string[], ids: string[]) {
  return sql<{ id: string; account_id: string; external_id: string | null; status: string; role: string | null; tags: string[]; tier: string | null }>`
    SELECT id, account_id, external_id, status, role, tags, tier FROM members WHERE program_id = ${programId} AND external_id = ANY(${externalIds}::text[])
    UNION
    SELECT id, account_id, external_id, status, role, tags, tier FROM members WHERE program_id = ${programId} AND id = ANY(${ids}::uuid[])`;
}

export async function loadAccounts(db: Db, programId: string, externalIds: string[], ids: string[]) {
  const rows = await accountsStatement(programId, externalIds, ids).execute(db);
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
  const rows = await membersStatement(programId, externalIds, ids).execute(db);
  const byExternal = new Map<string, MemberRef>();
  const byId = new Map<string, MemberRef>();
  for (const r of rows.rows) {
    const m: MemberRef = { id: r.id, accountId: r.account_id, externalId: r.external_id, status: r.status, role: r.role, tags: r.tags, tier: r.tier };
    byId.set(m.id, m);
    if (m.externalId !== null) byExternal.set(m.externalId, m);
  }
  return { byExternal, byId };
}

