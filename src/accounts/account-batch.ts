import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { parseItems, toResults, type BatchItemResult } from '../batch/index.js';
import { inTransaction, type Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { accountColumns, accountDefaults, accountUpsertSchema, dateOnly, toAccount, type Account, type AccountRow } from './account-schema.js';
import { duplicateAccount } from './accounts.js';
import { accountsInCycles } from './hierarchy.js';
import { openWallets } from '../ledger/wallets.js';

type Parsed = ReturnType<typeof accountUpsertSchema.parse>;
export type Outcome = { status: 'created' | 'updated'; id: string } | LojalError;

interface Item {
  index: number;
  a: Parsed;
  id: string;
  existing: AccountRow | undefined;
  /** The resolved new parent: undefined = leave as stored. */
  parent?: string | null;
  error?: LojalError;
}

const nameRequired = () =>
  new LojalError('validation_failed', {}, [{ path: 'name', message: 'is required to create an account', check: { code: 'custom', params: { field: 'required_account' } }, fieldCode: 'required' }]);

/**
 * Creates or updates accounts by external id. Every item is checked first; the valid ones are then
 * written in one transaction with one multi-row statement, whatever happens to the others. Fields an
 * item leaves out keep their stored value (an ERP sync must not undo a suspension it knows nothing of).
 */
export async function upsertAccountItems(db: Db, programId: string, inputs: readonly unknown[], now: Date): Promise<Outcome[]> {
  const { items: checked, outcomes } = parseItems<Parsed, Exclude<Outcome, LojalError>>(inputs, accountUpsertSchema, (x) => x.externalId, duplicateAccount);
  const parsed = checked.map(({ index, item }) => ({ index, a: item }));
  if (parsed.length) await inTransaction(db, (trx) => writeItems(trx, programId, parsed, outcomes, now));
  return outcomes;
}

async function writeItems(trx: Db, programId: string, parsed: Array<{ index: number; a: Parsed }>, outcomes: Outcome[], now: Date) {
  // Rows are locked and written in key order, so concurrent batches that overlap wait instead of deadlocking.
  const existing = await trx
    .selectFrom('accounts')
    .selectAll()
    .where('program_id', '=', programId)
    .where(sql<boolean>`external_id = ANY(${parsed.map((p) => p.a.externalId)}::text[])`)
    .orderBy('external_id')
    .forUpdate()
    .execute();
  const byExternalId = new Map(existing.map((r) => [r.external_id!, r]));
  const items: Item[] = parsed.map(({ index, a }) => {
    const row = byExternalId.get(a.externalId);
    return { index, a, id: row?.id ?? uuidv7(), existing: row, ...(!row && a.name === undefined && { error: nameRequired() }) };
  });
  await resolveParents(trx, programId, items);

  const live = items.filter((i) => !i.error).sort((x, y) => (x.a.externalId < y.a.externalId ? -1 : 1));
  for (const i of items) if (i.error) outcomes[i.index] = i.error;
  if (!live.length) return;
  const written = await trx
    .insertInto('accounts')
    .values(live.map((i) => rowFor(programId, i, now)))
    .onConflict((oc) =>
      oc.columns(['program_id', 'external_id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        legal_name: eb.ref('excluded.legal_name'),
        org_number: eb.ref('excluded.org_number'),
        vat_number: eb.ref('excluded.vat_number'),
        country: eb.ref('excluded.country'),
        segment: eb.ref('excluded.segment'),
        tags: eb.ref('excluded.tags'),
        parent_id: eb.ref('excluded.parent_id'),
        status: eb.ref('excluded.status'),
        key_account_manager: eb.ref('excluded.key_account_manager'),
        attributes: eb.ref('excluded.attributes'),
        joined_on: eb.ref('excluded.joined_on'),
        updated_at: now,
      })),
    )
    // xmax = 0 marks a row this statement inserted, even if another writer created the same external id meanwhile.
    .returning(['id', 'external_id', sql<boolean>`(xmax = 0)`.as('inserted')])
    .execute();
  const created = written.filter((w) => w.inserted);
  await openWallets(trx, programId, 'account', created.map((w) => w.id));
  const result = new Map(written.map((w) => [w.external_id!, w]));
  for (const i of live) {
    const w = result.get(i.a.externalId)!;
    outcomes[i.index] = { status: w.inserted ? 'created' : 'updated', id: w.id };
  }
}

function rowFor(programId: string, i: Item, now: Date) {
  const e = i.existing;
  const stored = e && {
    name: e.name,
    legal_name: e.legal_name,
    org_number: e.org_number,
    vat_number: e.vat_number,
    country: e.country,
    segment: e.segment,
    tags: e.tags,
    parent_id: e.parent_id,
    status: e.status,
    key_account_manager: e.key_account_manager,
    tier: e.tier,
    attributes: JSON.stringify(e.attributes),
    joined_on: dateOnly(e.joined_on),
  };
  return {
    ...accountDefaults,
    name: '',
    ...stored,
    ...accountColumns(i.a),
    ...(i.parent !== undefined && { parent_id: i.parent }),
    created_at: now,
    updated_at: now,
    program_id: programId,
    id: i.id,
    external_id: i.a.externalId,
  };
}

/**
 * Parents may be stored accounts or other items of the same batch (by external id). Rejecting an item
 * can orphan another item that named it as parent, so this repeats until nothing more is rejected.
 */
async function resolveParents(trx: Db, programId: string, items: Item[]) {
  const ids = [...new Set(items.flatMap((i) => (i.a.parentId ? [i.a.parentId] : [])))];
  const externalIds = [...new Set(items.flatMap((i) => (i.a.parentExternalId ? [i.a.parentExternalId] : [])))];
  if (!ids.length && !externalIds.length) return;
  const stored = await trx
    .selectFrom('accounts')
    .select(['id', 'external_id'])
    .where('program_id', '=', programId)
    .where(sql<boolean>`(id = ANY(${ids}::uuid[]) OR external_id = ANY(${externalIds}::text[]))`)
    .execute();
  const storedIds = new Set(stored.map((r) => r.id));
  const storedByExternalId = new Map(stored.map((r) => [r.external_id, r.id]));

  for (;;) {
    const live = items.filter((i) => !i.error);
    const batchByExternalId = new Map(live.map((i) => [i.a.externalId, i.id]));
    const changes = new Map<string, string | null>();
    let rejected = false;
    for (const i of live) {
      const { parentId, parentExternalId } = i.a;
      let parent: string | null | undefined;
      if (parentId !== undefined) parent = parentId === null || storedIds.has(parentId) ? parentId : undefined;
      else if (parentExternalId !== undefined)
        parent =
          parentExternalId === null
            ? null
            : (batchByExternalId.get(parentExternalId) ?? storedByExternalId.get(parentExternalId));
      else continue;
      if (parent === undefined) {
        i.error = new LojalError('unknown_parent_account', { parent: (parentId ?? parentExternalId)! });
        rejected = true;
        continue;
      }
      i.parent = parent;
      changes.set(i.id, parent);
    }
    if (rejected) continue;
    const looping = await accountsInCycles(trx, programId, changes);
    for (const i of live) {
      if (looping.has(i.id)) i.error = new LojalError('parent_cycle', { account: i.a.externalId, parent: (i.a.parentExternalId ?? i.a.parentId)! });
    }
    if (!looping.size) return;
  }
}

export async function upsertAccounts(db: Db, programId: string, inputs: readonly unknown[], now: Date): Promise<BatchItemResult[]> {
  return toResults(await upsertAccountItems(db, programId, inputs, now));
}

/** PUT by external id: one item of the batch path, failing as a whole. */
export async function upsertAccountByExternalId(
  db: Db,
  programId: string,
  externalId: string,
  fields: Record<string, unknown>,
  now: Date,
): Promise<{ account: Account; created: boolean }> {
  const [outcome] = await upsertAccountItems(db, programId, [{ ...fields, externalId }], now);
  if (outcome instanceof LojalError) throw outcome;
  const row = await db
    .selectFrom('accounts')
    .selectAll()
    .where('program_id', '=', programId)
    .where('id', '=', outcome!.id)
    .executeTakeFirstOrThrow();
  return { account: toAccount(row), created: outcome!.status === 'created' };
}
