/**
 * Accounts: the companies in a program (customers, dealers, installers), with their chains and branches.
 * Creating an account opens its company wallet in the same transaction.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import type { AccountsTable } from '../db/schema.js';
import { LojalError } from '../errors/index.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { accountCreate, type AccountInput } from './schemas.js';
import { isUniqueViolation, itemError, type BatchResult } from './batch.js';
import type { z } from 'zod';
import type { accountPatch } from './schemas.js';

export interface Account {
  id: string;
  externalId: string | null;
  name: string;
  legalName: string | null;
  orgNumber: string | null;
  vatNumber: string | null;
  country: string | null;
  segment: string | null;
  tags: string[];
  parentId: string | null;
  status: string;
  keyAccountManager: string | null;
  tier: string | null;
  attributes: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

type Row = { [K in keyof AccountsTable]: AccountsTable[K] extends { __select__: infer S } ? S : AccountsTable[K] };

const toAccount = (r: Row): Account => ({
  id: r.id,
  externalId: r.external_id,
  name: r.name,
  legalName: r.legal_name,
  orgNumber: r.org_number,
  vatNumber: r.vat_number,
  country: r.country,
  segment: r.segment,
  tags: r.tags,
  parentId: r.parent_id,
  status: r.status,
  keyAccountManager: r.key_account_manager,
  tier: r.tier,
  attributes: r.attributes as Record<string, unknown>,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

function columns(input: Partial<AccountInput>) {
  return {
    ...(input.externalId !== undefined && { external_id: input.externalId }),
    ...(input.name !== undefined && { name: input.name }),
    ...(input.legalName !== undefined && { legal_name: input.legalName }),
    ...(input.orgNumber !== undefined && { org_number: input.orgNumber }),
    ...(input.vatNumber !== undefined && { vat_number: input.vatNumber }),
    ...(input.country !== undefined && { country: input.country }),
    ...(input.segment !== undefined && { segment: input.segment }),
    ...(input.tags !== undefined && { tags: input.tags }),
    ...(input.parentId !== undefined && { parent_id: input.parentId }),
    ...(input.status !== undefined && { status: input.status }),
    ...(input.keyAccountManager !== undefined && { key_account_manager: input.keyAccountManager }),
    ...(input.attributes !== undefined && { attributes: JSON.stringify(input.attributes) }),
  };
}

async function checkParent(db: Db, programId: string, id: string | null, parentId: string | null | undefined) {
  if (!parentId) return;
  const parent = await db.selectFrom('accounts').select('id').where('program_id', '=', programId).where('id', '=', parentId).executeTakeFirst();
  if (!parent) throw new LojalError('unknown_parent_account', { parent: parentId });
  if (!id) return;
  // Walk up from the new parent: meeting the account itself would make it its own ancestor.
  const loop = await sql<{ id: string }>`
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM accounts WHERE program_id = ${programId} AND id = ${parentId}
      UNION ALL
      SELECT a.id, a.parent_id, up.depth + 1 FROM accounts a JOIN up ON a.program_id = ${programId} AND a.id = up.parent_id WHERE up.depth < 100
    ) SELECT id FROM up WHERE id = ${id} LIMIT 1`.execute(db);
  if (loop.rows.length) throw new LojalError('parent_cycle', { account: id });
}

export async function createAccount(db: Db, programId: string, input: AccountInput): Promise<Account> {
  const id = uuidv7();
  try {
    await db.transaction().execute(async (trx) => {
      await checkParent(trx, programId, null, input.parentId);
      await trx.insertInto('accounts').values({ program_id: programId, id, tags: [], attributes: '{}', ...columns(input), name: input.name } as never).execute();
      await trx.insertInto('wallets').values({ program_id: programId, id, kind: 'account' }).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new LojalError('duplicate_external_id', { entity: 'account', externalId: input.externalId ?? '' });
    throw err;
  }
  return getAccount(db, programId, id);
}

export async function updateAccount(db: Db, programId: string, id: string, patch: z.infer<typeof accountPatch>): Promise<Account> {
  await getAccount(db, programId, id);
  try {
    await db.transaction().execute(async (trx) => {
      await checkParent(trx, programId, id, patch.parentId);
      await trx.updateTable('accounts').set({ ...columns(patch), updated_at: sql`now()` } as never).where('program_id', '=', programId).where('id', '=', id).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new LojalError('duplicate_external_id', { entity: 'account', externalId: patch.externalId ?? '' });
    throw err;
  }
  return getAccount(db, programId, id);
}

export async function getAccount(db: Db, programId: string, id: string): Promise<Account> {
  const row = await db.selectFrom('accounts').selectAll().where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'account', id });
  return toAccount(row as Row);
}

export async function getAccountByExternalId(db: Db, programId: string, externalId: string): Promise<Account> {
  const row = await db.selectFrom('accounts').selectAll().where('program_id', '=', programId).where('external_id', '=', externalId).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'account', id: externalId });
  return toAccount(row as Row);
}

export interface AccountFilter {
  q?: string | undefined;
  segment?: string | undefined;
  tag?: string | undefined;
  status?: string | undefined;
  country?: string | undefined;
  parentId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listAccounts(db: Db, programId: string, f: AccountFilter): Promise<{ data: Account[]; nextCursor: string | null }> {
  let q = db.selectFrom('accounts').selectAll().where('program_id', '=', programId);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', like), eb(eb.fn('lower', ['external_id']), 'like', like), eb(eb.fn('lower', ['org_number']), 'like', like)]));
  }
  if (f.segment) q = q.where('segment', '=', f.segment);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.country) q = q.where('country', '=', f.country);
  if (f.parentId) q = q.where('parent_id', '=', f.parentId);
  if (f.tag) q = q.where(sql<boolean>`${f.tag} = ANY(tags)`);
  const after = decodeCursor(f.cursor, 2);
  if (after) q = q.where((eb) => eb.or([eb('name', '>', String(after[0])), eb.and([eb('name', '=', String(after[0])), eb('id', '>', String(after[1]))])]));
  const rows = (await q.orderBy('name').orderBy('id').limit(f.limit + 1).execute()) as Row[];
  const page = rows.slice(0, f.limit).map(toAccount);
  const last = page[page.length - 1];
  return { data: page, nextCursor: rows.length > f.limit && last ? encodeCursor([last.name, last.id]) : null };
}

/**
 * Creates or updates many accounts by their external id in a few statements. Each item is validated on
 * its own; the valid ones are written together, the others answered with what is wrong.
 * `parentExternalId` may name an account of the same batch, in any order.
 */
export async function upsertAccounts(db: Db, programId: string, items: unknown[]): Promise<BatchResult[]> {
  const results: BatchResult[] = new Array(items.length);
  const valid: Array<{ index: number; input: AccountInput & { externalId: string }; parentExternalId: string | undefined }> = [];
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    const { parentExternalId, ...rest } = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const r = accountCreate.safeParse(rest);
    if (!r.success) return (results[index] = itemError(index, r.error));
    if (!r.data.externalId) return (results[index] = itemError(index, undefined, [{ path: 'externalId', message: 'a batch item needs its externalId' }]));
    if (seen.has(r.data.externalId)) return (results[index] = itemError(index, undefined, [{ path: 'externalId', message: 'appears twice in this batch' }]));
    if (parentExternalId !== undefined && typeof parentExternalId !== 'string') return (results[index] = itemError(index, undefined, [{ path: 'parentExternalId', message: 'must be a string' }]));
    seen.add(r.data.externalId);
    valid.push({ index, input: r.data as AccountInput & { externalId: string }, parentExternalId });
  });
  if (valid.length === 0) return results;
  await db.transaction().execute(async (trx) => {
    const written = await trx
      .insertInto('accounts')
      .values(valid.map(({ input }) => ({ program_id: programId, id: uuidv7(), tags: [], attributes: '{}', ...columns(input), name: input.name }) as never))
      .onConflict((oc) =>
        oc.columns(['program_id', 'external_id']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          legal_name: eb.ref('excluded.legal_name'),
          org_number: eb.ref('excluded.org_number'),
          vat_number: eb.ref('excluded.vat_number'),
          country: eb.ref('excluded.country'),
          segment: eb.ref('excluded.segment'),
          tags: eb.ref('excluded.tags'),
          status: eb.ref('excluded.status'),
          key_account_manager: eb.ref('excluded.key_account_manager'),
          attributes: eb.ref('excluded.attributes'),
          updated_at: sql`now()`,
        })),
      )
      .returning(['id', 'external_id', sql<boolean>`(xmax = 0)`.as('inserted')])
      .execute();
    const byExternal = new Map(written.map((w) => [w.external_id!, w]));
    const fresh = written.filter((w) => w.inserted).map((w) => ({ program_id: programId, id: w.id, kind: 'account' as const }));
    if (fresh.length) await trx.insertInto('wallets').values(fresh).onConflict((oc) => oc.doNothing()).execute();

    const withParent = valid.filter((v) => v.parentExternalId !== undefined);
    if (withParent.length) {
      const parents = await trx.selectFrom('accounts').select(['id', 'external_id']).where('program_id', '=', programId)
        .where('external_id', 'in', withParent.map((v) => v.parentExternalId!)).execute();
      const parentOf = new Map(parents.map((p) => [p.external_id!, p.id]));
      const links: Array<{ id: string; parent: string }> = [];
      for (const v of withParent) {
        const parent = parentOf.get(v.parentExternalId!);
        if (!parent) throw new LojalError('unknown_parent_account', { parent: v.parentExternalId! });
        links.push({ id: byExternal.get(v.input.externalId)!.id, parent });
      }
      await sql`UPDATE accounts a SET parent_id = t.parent FROM unnest(${links.map((l) => l.id)}::uuid[], ${links.map((l) => l.parent)}::uuid[]) AS t(id, parent)
        WHERE a.program_id = ${programId} AND a.id = t.id`.execute(trx);
      const cycle = await sql<{ id: string }>`
        WITH RECURSIVE up(start, id, depth) AS (
          SELECT a.id, a.parent_id, 1 FROM accounts a WHERE a.program_id = ${programId} AND a.id = ANY(${links.map((l) => l.id)}::uuid[])
          UNION ALL
          SELECT up.start, a.parent_id, up.depth + 1 FROM accounts a JOIN up ON a.program_id = ${programId} AND a.id = up.id
          WHERE up.id IS NOT NULL AND up.id <> up.start AND up.depth < 100
        ) SELECT start AS id FROM up WHERE id = start LIMIT 1`.execute(trx);
      if (cycle.rows.length) throw new LojalError('parent_cycle', { account: cycle.rows[0]!.id });
    }
    for (const v of valid) {
      const w = byExternal.get(v.input.externalId)!;
      results[v.index] = { index: v.index, status: w.inserted ? 'created' : 'updated', id: w.id };
    }
  });
  return results;
}
