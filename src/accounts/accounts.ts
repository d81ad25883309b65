import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { inTransaction, type Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { parseInput } from '../errors/validation.js';
import type { LifecycleStatus } from '../fields/index.js';
import { containsPattern, decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import {
  accountColumns,
  accountCreateSchema,
  accountDefaults,
  accountPatchSchema,
  toAccount,
  type Account,
  type AccountCreate,
  type AccountPatch,
} from './account-schema.js';
import { accountsInCycles } from './hierarchy.js';
import { openWallets } from '../ledger/wallets.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that cannot be UUIDs cannot exist; answering not_found beats a cast error from the database. */
export const isUuid = (s: string) => uuidPattern.test(s);

const notFound = (id: string) => new LojalError('not_found', { entity: 'account', id });
export const duplicateAccount = (externalId: string) =>
  new LojalError('duplicate_external_id', { entity: 'account', externalId });

/** The new parent given by id or by external id: undefined = unchanged, null = none. */
async function resolveParent(
  db: Db,
  programId: string,
  ref: { parentId?: string | null | undefined; parentExternalId?: string | null | undefined },
): Promise<string | null | undefined> {
  const byId = ref.parentId !== undefined;
  const key = byId ? ref.parentId : ref.parentExternalId;
  if (key === undefined || key === null) return key;
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .where('program_id', '=', programId)
    .$if(byId, (q) => q.where('id', '=', isUuid(key) ? key : '00000000-0000-0000-0000-000000000000'))
    .$if(!byId, (q) => q.where('external_id', '=', key))
    .executeTakeFirst();
  if (!row) throw new LojalError('unknown_parent_account', { parent: key });
  return row.id;
}

/** Creates an account and its company wallet (the wallet id is the account id) in one transaction. */
export async function createAccount(db: Db, programId: string, input: AccountCreate, now: Date): Promise<Account> {
  const a = parseInput(accountCreateSchema, input);
  return inTransaction(db, async (trx) => {
    const parentId = await resolveParent(trx, programId, a);
    const id = uuidv7();
    try {
      const row = await trx
        .insertInto('accounts')
        .values({ ...accountDefaults, program_id: programId, id, ...accountColumns(a), name: a.name, parent_id: parentId ?? null, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await openWallets(trx, programId, 'account', [id]);
      return toAccount(row);
    } catch (err) {
      if (isUniqueViolation(err) && a.externalId) throw duplicateAccount(a.externalId);
      throw err;
    }
  });
}

/** Changes the given fields; null clears a field, omitted fields keep their value. */
export async function updateAccount(db: Db, programId: string, id: string, patch: AccountPatch, now: Date): Promise<Account> {
  const p = parseInput(accountPatchSchema, patch);
  if (!isUuid(id)) throw notFound(id);
  return inTransaction(db, async (trx) => {
    const current = await trx
      .selectFrom('accounts')
      .select('id')
      .where('program_id', '=', programId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound(id);
    const parentId = await resolveParent(trx, programId, p);
    if (parentId) {
      const looping = await accountsInCycles(trx, programId, new Map([[id, parentId]]));
      if (looping.has(id)) throw new LojalError('parent_cycle', { account: id, parent: parentId });
    }
    try {
      const row = await trx
        .updateTable('accounts')
        .set({ ...accountColumns(p), ...(parentId !== undefined && { parent_id: parentId }), updated_at: now })
        .where('program_id', '=', programId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAccount(row);
    } catch (err) {
      if (isUniqueViolation(err) && p.externalId) throw duplicateAccount(p.externalId);
      throw err;
    }
  });
}

export async function findAccount(db: Db, programId: string, id: string): Promise<Account | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom('accounts')
    .selectAll()
    .where('program_id', '=', programId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toAccount(row);
}

export async function getAccount(db: Db, programId: string, id: string): Promise<Account> {
  const account = await findAccount(db, programId, id);
  if (!account) throw notFound(id);
  return account;
}

export async function getAccountByExternalId(db: Db, programId: string, externalId: string): Promise<Account> {
  const row = await db
    .selectFrom('accounts')
    .selectAll()
    .where('program_id', '=', programId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'account', id: externalId });
  return toAccount(row);
}

export interface AccountFilters {
  /** Case-insensitive "contains" on name, external id, org number and the e-mail addresses of the account's members. */
  q?: string | undefined;
  segment?: string | undefined;
  tag?: string | undefined;
  status?: LifecycleStatus | undefined;
  country?: string | undefined;
  parentId?: string | undefined;
  /** The tier level's code. */
  tier?: string | undefined;
}

const accountCursor = z.tuple([z.string(), z.uuid()]);

/** Accounts ordered by name, then id (so equal names still page deterministically). */
export async function listAccounts(
  db: Db,
  programId: string,
  query: AccountFilters & PageParams = {},
): Promise<Page<Account>> {
  const limit = pageSize(query);
  const after = decodeCursor(query.cursor, accountCursor);
  const { q, segment, tag, status, country, parentId, tier } = query;
  if (parentId !== undefined && !isUuid(parentId)) return { data: [], nextCursor: null };
  const rows = await db
    .selectFrom('accounts')
    .selectAll()
    .where('program_id', '=', programId)
    .$if(!!q, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb('name', 'ilike', containsPattern(q!)),
          eb('external_id', 'ilike', containsPattern(q!)),
          eb('org_number', 'ilike', containsPattern(q!)),
          // Staff often know a person's e-mail, not the company: the account of a member with that address.
          eb.exists(
            eb
              .selectFrom('members as m')
              .select(sql`1`.as('one'))
              .whereRef('m.program_id', '=', 'accounts.program_id')
              .whereRef('m.account_id', '=', 'accounts.id')
              .where('m.email', 'ilike', containsPattern(q!)),
          ),
        ]),
      ),
    )
    .$if(segment !== undefined, (qb) => qb.where('segment', '=', segment!))
    .$if(tag !== undefined, (qb) => qb.where(sql<boolean>`tags @> ${[tag]}::text[]`))
    .$if(status !== undefined, (qb) => qb.where('status', '=', status!))
    .$if(country !== undefined, (qb) => qb.where('country', '=', country!.toUpperCase()))
    .$if(parentId !== undefined, (qb) => qb.where('parent_id', '=', parentId!))
    .$if(tier !== undefined, (qb) => qb.where('tier', '=', tier!.trim().toLowerCase()))
    .$if(after !== undefined, (qb) => qb.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after![0], after![1]))))
    .orderBy('name')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => [r.name, r.id], toAccount);
}

/** For the tiers module: the account's current tier code (null = none). */
export async function setAccountTier(db: Db, programId: string, id: string, tier: string | null, now: Date): Promise<void> {
  const result = await db
    .updateTable('accounts')
    .set({ tier, updated_at: now })
    .where('program_id', '=', programId)
    .where('id', '=', isUuid(id) ? id : '00000000-0000-0000-0000-000000000000')
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw notFound(id);
}

/** Gives every account of the program that has no key-account manager this one (a program's single desk). */
export async function assignUnmanagedAccounts(db: Db, programId: string, keyAccountManager: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('accounts')
    .set({ key_account_manager: keyAccountManager, updated_at: now })
    .where('program_id', '=', programId)
    .where('key_account_manager', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
