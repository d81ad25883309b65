import type { Readable } from 'node:stream';
import { maxBatchItems } from '../batch/index.js';
import { addError, emptySummary, importCsv, itemFrom, splitTags, type CsvSummary } from '../csv/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/database.js';
import { upsertAccounts } from './account-batch.js';
import { upsertMembers } from './member-batch.js';

const accountColumns: Record<string, string> = {
  external_id: 'externalId',
  name: 'name',
  legal_name: 'legalName',
  org_number: 'orgNumber',
  vat_number: 'vatNumber',
  country: 'country',
  segment: 'segment',
  tags: 'tags',
  parent_external_id: 'parentExternalId',
  status: 'status',
  key_account_manager: 'keyAccountManager',
  joined_on: 'joinedOn',
};

/**
 * Imports accounts by external id (empty cells leave stored values alone; `attributes.<key>` columns
 * replace the attributes). Parents are set in a second pass, after every row of the file is written,
 * so a branch may come before its chain. A row whose parent cannot be set stays written without it.
 */
export async function importAccountsCsv(
  db: Db,
  programId: string,
  input: Readable,
  clock: Clock,
  onProgress?: (rowsDone: number) => void,
): Promise<CsvSummary> {
  const parents: Array<{ line: number; externalId: string; parentExternalId: string }> = [];
  const summary = await importCsv(
    input,
    {
      columns: accountColumns,
      required: ['externalId'],
      toItem: (row) => itemFrom(row, { tags: splitTags }),
      async write(batch) {
        const items = batch.map(({ item }) => {
          const { parentExternalId: _later, ...rest } = item;
          return rest;
        });
        const results = await upsertAccounts(db, programId, items, clock());
        results.forEach((r, i) => {
          const { row, item } = batch[i]!;
          if (r.status !== 'error' && typeof item.parentExternalId === 'string') {
            parents.push({ line: row.line, externalId: String(item.externalId), parentExternalId: item.parentExternalId });
          }
        });
        return results;
      },
    },
    emptySummary(),
    onProgress,
  );
  for (let at = 0; at < parents.length; at += maxBatchItems) {
    const chunk = parents.slice(at, at + maxBatchItems);
    const results = await upsertAccounts(
      db,
      programId,
      chunk.map(({ externalId, parentExternalId }) => ({ externalId, parentExternalId })),
      clock(),
    );
    results.forEach((r, i) => {
      if (r.error) addError(summary, { line: chunk[i]!.line, code: r.error.code, message: r.error.message, params: r.error.params, issues: r.error.issues });
    });
  }
  summary.errors.sort((a, b) => a.line - b.line);
  return summary;
}

const memberColumns: Record<string, string> = {
  external_id: 'externalId',
  account_external_id: 'accountExternalId',
  account_id: 'accountId',
  email: 'email',
  name: 'name',
  phone: 'phone',
  role: 'role',
  language: 'language',
  tags: 'tags',
  status: 'status',
};

/** Imports members by external id; each row names its account by account_external_id (or account_id). */
export async function importMembersCsv(
  db: Db,
  programId: string,
  input: Readable,
  clock: Clock,
  onProgress?: (rowsDone: number) => void,
): Promise<CsvSummary> {
  return importCsv(
    input,
    {
      columns: memberColumns,
      required: ['externalId'],
      toItem: (row) => itemFrom(row, { tags: splitTags }),
      write: (batch) => upsertMembers(db, programId, batch.map((b) => b.item), clock()),
    },
    emptySummary(),
    onProgress,
  );
}
