/**
 * Evidence files: what a claim's proof is (type by content, size, hash), and the rows that describe them.
 * The type is decided by the bytes, never by the name or the client's content type: a renamed .exe is not a PDF.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { fileTypeStream } from 'file-type';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { EvidenceStore, StagedBytes } from './store.js';

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

/** A file received from a request: checked, hashed and written aside, not yet kept under its key. */
export interface UploadedFile {
  fileName: string | null;
  /** Judged from the first bytes. */
  contentType: EvidenceType;
  sha256: string;
  sizeBytes: number;
  staged: StagedBytes;
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

/** How much of the file may be read, and what to answer past it (413 by default, 429 at an hourly allowance). */
export interface ReadLimit {
  bytes: number;
  exceeded?: () => LojalError;
}

/** Enough of the start of a file to tell every allowed type apart (file-type reads no further). */
const SNIFF_BYTES = 4100;

/**
 * Receives a file as a stream into the store's staging area: the type is judged from its first bytes (a 415
 * before anything is written), the SHA-256 is computed as the bytes pass, and reading stops one byte past the
 * limit. On any failure nothing is left in the store. `truncated` says whether the form parser cut it short.
 */
export async function receiveFile(
  store: EvidenceStore,
  source: Readable,
  fileName: string | null,
  limit: ReadLimit,
  truncated: () => boolean = () => false,
): Promise<UploadedFile> {
  const tooLarge = limit.exceeded ?? (() => new LojalError('evidence_too_large', { limit: limit.bytes }));
  const sniffed = await fileTypeStream(source, { sampleSize: SNIFF_BYTES });
  const mime = sniffed.fileType?.mime as string | undefined;
  if (!mime || !(evidenceTypes as readonly string[]).includes(mime)) {
    // Stop reading: the rest of the file is never wanted.
    source.destroy();
    sniffed.destroy();
    throw new LojalError('evidence_type_not_allowed', { file: fileName ?? '-', detected: mime ?? 'unknown' });
  }
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sizeBytes += chunk.length;
      if (sizeBytes > limit.bytes) return done(tooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  sniffed.on('error', (err) => meter.destroy(err));
  // The store may wait (a directory made) before it reads; an error meanwhile waits for it in the stream's state.
  meter.on('error', () => {});
  const staged = await store.stage(sniffed.pipe(meter));
  if (truncated()) {
    await staged.discard();
    throw tooLarge();
  }
  return { fileName, contentType: mime as EvidenceType, sha256: hash.digest('hex'), sizeBytes, staged };
}

/** A file already in memory (demo data, tests), received as an upload would be. */
export function receiveBytes(store: EvidenceStore, bytes: Uint8Array, fileName: string | null = null): Promise<UploadedFile> {
  return receiveFile(store, Readable.from([Buffer.from(bytes)]), fileName, { bytes: Number.MAX_SAFE_INTEGER });
}

/**
 * Keeps the received files under their keys and writes their rows. The rows go in the caller's transaction
 * (a claim submitted with its files is one write); the bytes are content-addressed, so bytes left behind by
 * a failed transaction are harmless and reused by a retry.
 */
export async function storeEvidence(
  trx: Db,
  store: EvidenceStore,
  programId: string,
  accountId: string,
  files: UploadedFile[],
  actor: string,
): Promise<EvidenceFile[]> {
  const out: EvidenceFile[] = [];
  for (const f of files) {
    await f.staged.keep({ programId, accountId, sha256: f.sha256 });
    const row = await sql<Row>`
      INSERT INTO evidence_files (program_id, id, account_id, sha256, content_type, size_bytes, file_name, uploaded_by)
      VALUES (${programId}, ${uuidv7()}, ${accountId}, ${f.sha256}, ${f.contentType}, ${f.sizeBytes}, ${f.fileName}, ${actor})
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
