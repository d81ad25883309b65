/**
 * Everything an event batch needs to know before its transaction, in one statement: which of its ids were
 * received before (the idempotency check; the stored answer is loaded only for those), the accounts,
 * members and products it names, and the program's settings version (which confirms a write's cached API key). Each part is an index lookup: by (program, external id) or by primary key,
 * never an OR across both (which makes PostgreSQL read every account of the program).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { AccountRef, MemberRef } from '../accounts/index.js';
import type { ProductRef } from '../catalog/index.js';

export interface LookupInput {
  eventIds: string[];
  accountExt: string[];
  accountIds: string[];
  memberExt: string[];
  memberIds: string[];
  skus: string[];
}

export interface Lookup {
  /** External id → body hash of events stored before. */
  existing: Map<string, string>;
  accounts: { byExternal: Map<string, AccountRef>; byId: Map<string, AccountRef> };
  members: { byExternal: Map<string, MemberRef>; byId: Map<string, MemberRef> };
  products: Map<string, ProductRef>;
  /** The program's settings version as this statement read it (0 before the first change): see src/cache. */
  settingsVersion: number;
}

type AccountJson = { id: string; external_id: string | null; status: string; segment: string | null; tags: string[]; tier: string | null; country: string | null };
type MemberJson = { id: string; account_id: string; external_id: string | null; status: string; role: string | null; tags: string[]; tier: string | null };
type ProductJson = { sku: string; category_code: string | null; brand: string | null; margin_class: string | null };

type LookupRow = { existing: Array<{ id: string; hash: string }>; accounts: AccountJson[]; members: MemberJson[] | null; products: ProductJson[]; settings_version: number };

/** The statement, apart so that a test can EXPLAIN it. */
export function lookupStatement(programId: string, q: LookupInput) {
  const wantMembers = q.memberExt.length > 0 || q.memberIds.length > 0;
  return sql<LookupRow>`
    SELECT
      (SELECT coalesce(json_agg(json_build_object('id', e.external_id, 'hash', e.body_hash)), '[]')
         FROM events e WHERE e.program_id = ${programId} AND e.external_id = ANY(${q.eventIds}::text[])) AS existing,
      (SELECT coalesce(json_agg(a), '[]') FROM (
         SELECT id, external_id, status, segment, tags, tier, country FROM accounts
         WHERE program_id = ${programId} AND external_id = ANY(${q.accountExt}::text[])
         UNION
         SELECT id, external_id, status, segment, tags, tier, country FROM accounts
         WHERE program_id = ${programId} AND id = ANY(${q.accountIds}::uuid[])) a) AS accounts,
      ${
        wantMembers
          ? sql`(SELECT coalesce(json_agg(m), '[]') FROM (
         SELECT id, account_id, external_id, status, role, tags, tier FROM members
         WHERE program_id = ${programId} AND external_id = ANY(${q.memberExt}::text[])
         UNION
         SELECT id, account_id, external_id, status, role, tags, tier FROM members
         WHERE program_id = ${programId} AND id = ANY(${q.memberIds}::uuid[])) m)`
          : sql`NULL`
      } AS members,
      (SELECT coalesce(json_agg(p), '[]') FROM (
         SELECT sku, category_code, brand, margin_class FROM products
         WHERE program_id = ${programId} AND sku = ANY(${q.skus}::text[])) p) AS products,
      coalesce((SELECT v.version FROM settings_versions v WHERE v.program_id = ${programId}), 0) AS settings_version`;
}

export async function lookUp(db: Db, programId: string, q: LookupInput): Promise<Lookup> {
  const { rows } = await lookupStatement(programId, q).execute(db);
  const r = rows[0]!;
  const out: Lookup = {
    existing: new Map(r.existing.map((e) => [e.id, e.hash])),
    accounts: { byExternal: new Map(), byId: new Map() },
    members: { byExternal: new Map(), byId: new Map() },
    products: new Map(r.products.map((p) => [p.sku, { sku: p.sku, categoryCode: p.category_code, brand: p.brand, marginClass: p.margin_class }])),
    settingsVersion: Number(r.settings_version),
  };
  for (const x of r.accounts) {
    const a: AccountRef = { id: x.id, externalId: x.external_id, status: x.status, segment: x.segment, tags: x.tags, tier: x.tier, country: x.country };
    out.accounts.byId.set(a.id, a);
    if (a.externalId !== null) out.accounts.byExternal.set(a.externalId, a);
  }
  for (const x of r.members ?? []) {
    const m: MemberRef = { id: x.id, accountId: x.account_id, externalId: x.external_id, status: x.status, role: x.role, tags: x.tags, tier: x.tier };
    out.members.byId.set(m.id, m);
    if (m.externalId !== null) out.members.byExternal.set(m.externalId, m);
  }
  return out;
}
