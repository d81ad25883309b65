/**
 * Erasure of a person's evidence files (GDPR erasure, src/privacy/erasure.ts). The rows stay, since claims
 * and co-op claims refer to them and what was decided on them stays on record, but their file names go and
 * the bytes are deleted from the store, unless another person's upload of the same bytes still needs them
 * (bytes are content-addressed per account).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { EvidenceKey, EvidenceStore } from './store.js';

/** The person's files: uploaded by them, or the evidence of their sales claims and co-op claims. */
async function filesOf(trx: Db, programId: string, memberId: string): Promise<Array<{ id: string; account_id: string; sha256: string }>> {
  const rows = await sql<{ id: string; account_id: string; sha256: string }>`
    SELECT f.id, f.account_id, f.sha256 FROM evidence_files f
    WHERE f.program_id = ${programId} AND (
      f.uploaded_by = ${`member:${memberId}`}
      OR f.id IN (SELECT e.evidence_id FROM sale_claim_evidence e JOIN sale_claims c ON c.program_id = e.program_id AND c.id = e.claim_id
                  WHERE e.program_id = ${programId} AND c.member_id = ${memberId})
      OR f.id IN (SELECT proof_evidence_id FROM coop_claims WHERE program_id = ${programId} AND member_id = ${memberId}))
    ORDER BY f.id`.execute(trx);
  return rows.rows;
}

/**
 * Blanks the rows in the caller's transaction and answers which keys' bytes may go; the caller deletes
 * them with `removeErasedBytes` once the transaction has committed (a rolled-back erasure keeps its files).
 */
export async function eraseEvidenceRows(trx: Db, programId: string, memberId: string): Promise<{ files: number; keys: EvidenceKey[] }> {
  const files = await filesOf(trx, programId, memberId);
  if (files.length === 0) return { files: 0, keys: [] };
  const ids = files.map((f) => f.id);
  await sql`UPDATE evidence_files SET file_name = NULL WHERE program_id = ${programId} AND id = ANY(${ids}::uuid[])`.execute(trx);
  const keys: EvidenceKey[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const k = `${f.account_id}/${f.sha256}`;
    if (seen.has(k)) continue;
    seen.add(k);
    // Someone else's row for the same bytes keeps them.
    const other = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM evidence_files
      WHERE program_id = ${programId} AND account_id = ${f.account_id} AND sha256 = ${f.sha256} AND NOT (id = ANY(${ids}::uuid[]))`.execute(trx);
    if (Number(other.rows[0]!.n) === 0) keys.push({ programId, accountId: f.account_id, sha256: f.sha256 });
  }
  return { files: files.length, keys };
}

export async function removeErasedBytes(store: EvidenceStore, keys: readonly EvidenceKey[]): Promise<void> {
  for (const key of keys) await store.remove(key);
}
