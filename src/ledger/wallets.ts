/**
 * Opening wallets: the ledger owns the `wallets` table, so modules that create what holds points (a program's
 * system wallets, an account, a member) open its wallet here, in their own transaction.
 */
import type { Db } from '../db/database.js';
import type { WalletKind } from '../db/schema.js';

/** Opens one wallet per id; ids that already have one are left as they are (a replayed batch). */
export async function openWallets(trx: Db, programId: string, kind: WalletKind, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .insertInto('wallets')
    .values(ids.map((id) => ({ program_id: programId, id, kind })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The program's own wallets (issuance, redemption, expiry, adjustment), each under its fixed id. */
export async function openSystemWallets(trx: Db, programId: string, wallets: ReadonlyArray<{ id: string; kind: WalletKind }>): Promise<void> {
  await trx
    .insertInto('wallets')
    .values(wallets.map((w) => ({ program_id: programId, id: w.id, kind: w.kind })))
    .execute();
}
