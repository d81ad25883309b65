/**
 * Evidence files: what a claim's proof is (type by content, size, hash), and the rows that describe them.
 * The type is decided by the bytes, never by the name or the client's content type: a renamed .exe is not a PDF.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
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

/** Enough of the start of a file to tell every allowed type apart (file-type looks no further for them). */
const SNIFF_BYTES = 4100;

const refusedType = (fileName: string | null, detected: string) => new LojalError('evidence_type_not_allowed', { file: fileName ?? '-', detected });

/**
 * Receives a file as a stream into the store's staging area, in one pipeline (source -> check -> store), so a
 * source that fails or ends early rejects at once instead of leaving a reader waiting. The first bytes are held
 * back until the type is judged from them: a wrong type is refused (415) before a byte is written, and before
 * the size limit is looked at, so a file that is both says what is wrong with it first. Then the bytes pass
 * through, hashed on the way, and reading stops one byte past the limit. On any failure nothing is left in the
 * store. `truncated` says whether the form parser cut the file short at its own limit.
 */
export async function receiveFile(
  store: EvidenceStore,
  source: Readable,
  fileName: string | null,
  limit: ReadLimit,
  truncated: () => boolean = () => false,
): Promise<UploadedFile> {
  const tooLarge = limit.exceeded ?? (() => new LojalError('evidence_too_large', { limit: limit.bytes }));
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let contentType: EvidenceType | undefined;
  let head: Buffer[] = [];
  let headBytes = 0;

  // Judges the held-back start and lets it through, or fails the pipeline with the reason.
  const release = async (check: Transform): Promise<Error | undefined> => {
    const start = Buffer.concat(head, headBytes);
    head = [];
    if (start.length === 0) return refusedType(fileName, 'empty');
    const mime = (await fileTypeFromBuffer(start))?.mime as string | undefined;
    if (!mime || !(evidenceTypes as readonly string[]).includes(mime)) return refusedType(fileName, mime ?? 'unknown');
    contentType = mime as EvidenceType;
    return pass(check, start);
  };
  const pass = (check: Transform, chunk: Buffer): Error | undefined => {
    sizeBytes += chunk.length;
    if (sizeBytes > limit.bytes) return tooLarge();
    hash.update(chunk);
    check.push(chunk);
    return undefined;
  };
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (contentType) return done(pass(this, chunk));
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < SNIFF_BYTES) return done();
      release(this).then(done, done);
    },
    flush(done) {
      if (contentType) return done();
      release(this).then(done, done);
    },
  });
  const staged = await store.stage(source, check);
  if (truncated()) {
    await staged.discard();
    throw tooLarge();
  }
  return { fileName, contentType: contentType!, sha256: hash.digest('hex'), sizeBytes, staged };
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
