import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { parseItems, toResults, type BatchItemResult } from '../batch/index.js';
import { inTransaction, type Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { memberColumns, memberDefaults, memberUpsertSchema, toMember, type Member, type MemberRow } from './member-schema.js';
import { duplicateMember } from './members.js';
import type { Outcome } from './account-batch.js';
import { openWallets } from '../ledger/wallets.js';

type Parsed = ReturnType<typeof memberUpsertSchema.parse>;

interface Item {
  index: number;
  m: Parsed;
  existing: MemberRow | undefined;
  accountId?: string;
  error?: LojalError;
}

/**
 * Creates or updates members by external id, like upsertAccounts: all items are checked, then the
 * valid ones are written in one multi-row statement. A new member needs a name and an account.
 */
export async function upsertMemberItems(db: Db, programId: string, inputs: readonly unknown[], now: Date): Promise<Outcome[]> {
  const { items: checked, outcomes } = parseItems<Parsed, Exclude<Outcome, LojalError>>(inputs, memberUpsertSchema, (x) => x.externalId, duplicateMember);
  const parsed = checked.map(({ index, item }) => ({ index, m: item }));
  if (parsed.length) await inTransaction(db, (trx) => writeItems(trx, programId, parsed, outcomes, now));
  return outcomes;
}

async function writeItems(trx: Db, programId: string, parsed: Array<{ index: number; m: Parsed }>, outcomes: Outcome[], now: Date) {
  // Rows are locked and written in key order, so concurrent batches that overlap wait instead of deadlocking.
  const existing = await trx
    .selectFrom('members')
    .selectAll()
    .where('program_id', '=', programId)
    .where(sql<boolean>`external_id = ANY(${parsed.map((p) => p.m.externalId)}::text[])`)
    .orderBy('external_id')
    .forUpdate()
    .execute();
  const byExternalId = new Map(existing.map((r) => [r.external_id!, r]));
  const accounts = await accountIds(trx, programId, parsed.map((p) => p.m));

  const items: Item[] = parsed.map(({ index, m }) => {
    const row = byExternalId.get(m.externalId);
    const ref = m.accountId ?? m.accountExternalId;
    const accountId = ref === undefined ? row?.account_id : m.accountId ? accounts.byId.get(ref) : accounts.byExternalId.get(ref);
    const missing = [...(row || m.name ? [] : ['name']), ...(row || ref ? [] : ['accountId'])];
    if (missing.length) {
      const issues = missing.map((path) => ({ path, message: 'is required to create a member', fieldCode: 'required' as const }));
      return { index, m, existing: row, error: new LojalError('validation_failed', {}, issues) };
    }
    if (!accountId) return { index, m, existing: row, error: new LojalError('unknown_account', { account: ref! }) };
    return { index, m, existing: row, accountId };
  });
  const live = items.filter((i) => !i.error).sort((x, y) => (x.m.externalId < y.m.externalId ? -1 : 1));
  for (const i of items) if (i.error) outcomes[i.index] = i.error;
  if (!live.length) return;

  const written = await trx
    .insertInto('members')
    .values(live.map((i) => rowFor(programId, i, now)))
    .onConflict((oc) =>
      oc.columns(['program_id', 'external_id']).doUpdateSet((eb) => ({
        account_id: eb.ref('excluded.account_id'),
        email: eb.ref('excluded.email'),
        name: eb.ref('excluded.name'),
        phone: eb.ref('excluded.phone'),
        role: eb.ref('excluded.role'),
        language: eb.ref('excluded.language'),
        tags: eb.ref('excluded.tags'),
        status: eb.ref('excluded.status'),
        attributes: eb.ref('excluded.attributes'),
        updated_at: now,
      })),
    )
    .returning(['id', 'external_id', sql<boolean>`(xmax = 0)`.as('inserted')])
    .execute();
  const created = written.filter((w) => w.inserted);
  await openWallets(trx, programId, 'member', created.map((w) => w.id));
  const result = new Map(written.map((w) => [w.external_id!, w]));
  for (const i of live) {
    const w = result.get(i.m.externalId)!;
    outcomes[i.index] = { status: w.inserted ? 'created' : 'updated', id: w.id };
  }
}

/** The accounts the items name, in one query. */
async function accountIds(trx: Db, programId: string, items: Parsed[]) {
  const ids = [...new Set(items.flatMap((m) => (m.accountId ? [m.accountId] : [])))];
  const externalIds = [...new Set(items.flatMap((m) => (m.accountExternalId ? [m.accountExternalId] : [])))];
  const byId = new Map<string, string>();
  const byExternalId = new Map<string, string>();
  if (ids.length || externalIds.length) {
    const rows = await trx
      .selectFrom('accounts')
      .select(['id', 'external_id'])
      .where('program_id', '=', programId)
      .where(sql<boolean>`(id = ANY(${ids}::uuid[]) OR external_id = ANY(${externalIds}::text[]))`)
      .execute();
    for (const r of rows) {
      byId.set(r.id, r.id);
      if (r.external_id !== null) byExternalId.set(r.external_id, r.id);
    }
  }
  return { byId, byExternalId };
}

function rowFor(programId: string, i: Item, now: Date) {
  const e = i.existing;
  const stored = e && {
    external_id: e.external_id,
    email: e.email,
    name: e.name,
    phone: e.phone,
    role: e.role,
    language: e.language,
    tags: e.tags,
    status: e.status,
    tier: e.tier,
    attributes: JSON.stringify(e.attributes),
  };
  return {
    ...memberDefaults,
    name: '',
    ...stored,
    ...memberColumns(i.m),
    created_at: now,
    updated_at: now,
    program_id: programId,
    id: e?.id ?? uuidv7(),
    account_id: i.accountId!,
    external_id: i.m.externalId,
  };
}

export async function upsertMembers(db: Db, programId: string, inputs: readonly unknown[], now: Date): Promise<BatchItemResult[]> {
  return toResults(await upsertMemberItems(db, programId, inputs, now));
}

export async function upsertMemberByExternalId(
  db: Db,
  programId: string,
  externalId: string,
  fields: Record<string, unknown>,
  now: Date,
): Promise<{ member: Member; created: boolean }> {
  const [outcome] = await upsertMemberItems(db, programId, [{ ...fields, externalId }], now);
  if (outcome instanceof LojalError) throw outcome;
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('program_id', '=', programId)
    .where('id', '=', outcome!.id)
    .executeTakeFirstOrThrow();
  return { member: toMember(row), created: outcome!.status === 'created' };
}
