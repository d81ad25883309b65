/**
 * Evidence files: what a claim's proof is (type by content, size, hash), and the rows that describe them.
 * The type is decided by the bytes, never by the name or the client's content type: a renamed .exe is not a PDF.
 */
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { EvidenceStore } from './store.js';

export const evidenceTypes = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic'] as const;
export type EvidenceType = (typeof evidenceTypes)[number];

export interface EvidenceFile {
  id: string;
  accountId: string;
  sha256: string;
  contentType: EvidenceType;
  sizeBytes: number;
  fileName: string | null;
  uploadedBy: string;
  createdAt: Date;
}

export interface UploadedFile {
  fileName: string | null;
  bytes: Buffer;
}

interface Row {
  id: string;
  account_id: string;
  sha256: string;
  content_type: string;
  size_bytes: number;
  file_name: string | null;
  uploaded_by: string;
  created_at: Date;
}

const toFile = (r: Row): EvidenceFile => ({
  id: r.id,
  accountId: r.account_id,
  sha256: r.sha256,
  contentType: r.content_type as EvidenceType,
  sizeBytes: Number(r.size_bytes),
  fileName: r.file_name,
  uploadedBy: r.uploaded_by,
  createdAt: r.created_at,
});

/** The file's type judged by its content, or a 415 naming what it looks like instead. */
export async function checkEvidenceType(file: UploadedFile): Promise<EvidenceType> {
  const found = await fileTypeFromBuffer(file.bytes);
  const mime = found?.mime as string | undefined;
  if (!mime || !(evidenceTypes as readonly string[]).includes(mime)) {
    throw new LojalError('evidence_type_not_allowed', { file: file.fileName ?? '-', detected: mime ?? 'unknown' });
  }
  return mime as EvidenceType;
}

/**
 * Checks every file first and stores none unless all pass, then writes the bytes and the rows. The rows
 * go in the caller's transaction (a claim submitted with its files is one write); the bytes are
 * content-addressed, so bytes left behind by a failed transaction are harmless and reused by a retry.
 */
export async function storeEvidence(
  trx: Db,
  store: EvidenceStore,
  programId: string,
  accountId: string,
  files: UploadedFile[],
  actor: string,
): Promise<EvidenceFile[]> {
  const checked = [];
  for (const f of files) {
    if (f.bytes.length === 0) throw new LojalError('evidence_type_not_allowed', { file: f.fileName ?? '-', detected: 'empty' });
    checked.push({ ...f, type: await checkEvidenceType(f), sha256: createHash('sha256').update(f.bytes).digest('hex') });
  }
  const out: EvidenceFile[] = [];
  for (const f of checked) {
    await store.put({ programId, accountId, sha256: f.sha256 }, f.bytes);
    const row = await sql<Row>`
      INSERT INTO evidence_files (program_id, id, account_id, sha256, content_type, size_bytes, file_name, uploaded_by)
      VALUES (${programId}, ${uuidv7()}, ${accountId}, ${f.sha256}, ${f.type}, ${f.bytes.length}, ${f.fileName}, ${actor})
      RETURNING id, account_id, sha256, content_type, size_bytes, file_name, uploaded_by, created_at`.execute(trx);
    out.push(toFile(row.rows[0]!));
  }
  return out;
}

export async function getEvidence(db: Db, programId: string, id: string): Promise<EvidenceFile> {
  const rows = await sql<Row>`
    SELECT id, account_id, sha256, content_type, size_bytes, file_name, uploaded_by, created_at
    FROM evidence_files WHERE program_id = ${programId} AND id = ${id}`.execute(db);
  if (!rows.rows[0]) throw new LojalError('not_found', { entity: 'evidence file', id });
  return toFile(rows.rows[0]);
}

/** Evidence files by id, all of which must exist and belong to the account (a claim may not borrow another company's proof). */
export async function requireAccountEvidence(db: Db, programId: string, accountId: string, ids: string[]): Promise<EvidenceFile[]> {
  if (ids.length === 0) return [];
  const rows = await sql<Row>`
    SELECT id, account_id, sha256, content_type, size_bytes, file_name, uploaded_by, created_at
    FROM evidence_files WHERE program_id = ${programId} AND id = ANY(${ids}::uuid[])`.execute(db);
  const byId = new Map(rows.rows.map((r) => [r.id, toFile(r)]));
  return ids.map((id) => {
    const f = byId.get(id);
    if (!f || f.accountId !== accountId) throw new LojalError('unknown_evidence', { id });
    return f;
  });
}
