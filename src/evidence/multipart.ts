/**
 * Reads a multipart/form-data request: its text fields, and its files streamed into the evidence store's
 * staging area as they arrive (src/evidence/files.ts: type from the first bytes, SHA-256 on the way, reading
 * stopped at the limit), so no file is ever held whole in memory. A portal member's files also count against
 * the program's hourly allowance (src/evidence/upload-limits.ts). Files not kept by the time the request is
 * answered are removed (`discardUploads`, called by the server when it answers).
 */
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../clock/index.js';
import type { Database } from '../db/database.js';
import { checkStorableText } from '../errors/characters.js';
import { LojalError } from '../errors/index.js';
import { receiveFile, type UploadedFile } from './files.js';
import type { EvidenceStore } from './store.js';
import { countUpload, uploadAllowance, uploadLimitExceeded } from './upload-limits.js';

export const MAX_FILES_PER_REQUEST = 10;
/** Longer names are no file system's (255 bytes is the common limit): refused rather than stored. */
export const MAX_FILE_NAME_LENGTH = 255;

export interface MultipartBody {
  fields: Map<string, string>;
  files: UploadedFile[];
}

/** What reading uploads needs from the application context. */
export interface UploadContext {
  database: Database;
  evidence: EvidenceStore;
  clock: Clock;
}

const received = new WeakMap<FastifyRequest, UploadedFile[]>();

/** The request has staged files that `discardUploads` would remove (most requests have none). */
export const hasUploads = (req: FastifyRequest): boolean => received.has(req);

/** Removes the request's staged files that were not kept (a refused claim, a failed form): nothing is left behind. */
export async function discardUploads(req: FastifyRequest): Promise<void> {
  const files = received.get(req);
  if (!files) return;
  received.delete(req);
  await Promise.all(files.map((f) => f.staged.discard()));
}

export async function readMultipart(req: FastifyRequest, ctx: UploadContext, maxFileBytes: number): Promise<MultipartBody> {
  if (!req.isMultipart()) throw new LojalError('unsupported_media_type', { type: String(req.headers['content-type'] ?? 'none') });
  const fields = new Map<string, string>();
  const files: UploadedFile[] = [];
  received.set(req, files);
  const member = req.member;
  const db = ctx.database.db;
  try {
    // A member with nothing left this hour is refused before a byte of the file is read.
    let allowance = member ? await uploadAllowance(db, member.programId, member.memberId, ctx.clock()) : undefined;
    if (allowance && (allowance.files === 0 || allowance.bytes === 0)) throw uploadLimitExceeded(allowance.retryAfterSeconds);
    // busboy's own limit one byte past ours: our meter stops the stream first and says which limit it was.
    for await (const part of req.parts({ limits: { fileSize: maxFileBytes + 1, files: MAX_FILES_PER_REQUEST, fields: 20, fieldSize: 65_536 } })) {
      if (part.type !== 'file') {
        fields.set(part.fieldname, String(part.value));
        continue;
      }
      checkStorableText({ fileName: part.filename });
      if (part.filename.length > MAX_FILE_NAME_LENGTH) {
        throw new LojalError('validation_failed', {}, [{ path: 'files', message: `a file name of at most ${MAX_FILE_NAME_LENGTH} characters`, fieldCode: 'too_large' }]);
      }
      if (allowance && (allowance.files === 0 || allowance.bytes === 0)) throw uploadLimitExceeded(allowance.retryAfterSeconds);
      const byAllowance = allowance !== undefined && allowance.bytes < maxFileBytes;
      const limit = byAllowance ? { bytes: allowance!.bytes, exceeded: () => uploadLimitExceeded(allowance!.retryAfterSeconds) } : { bytes: maxFileBytes };
      const file = await receiveFile(ctx.evidence, part.file, part.filename || null, limit, () => part.file.truncated);
      files.push(file);
      if (member) {
        await countUpload(db, member.programId, member.memberId, file.sizeBytes, ctx.clock());
        allowance = await uploadAllowance(db, member.programId, member.memberId, ctx.clock());
      }
    }
  } catch (err) {
    await discardUploads(req);
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new LojalError('evidence_too_large', { limit: maxFileBytes });
    if (code === 'FST_FILES_LIMIT') throw new LojalError('validation_failed', {}, [{ path: 'files', message: `at most ${MAX_FILES_PER_REQUEST} files per request`, fieldCode: 'too_large' }]);
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new LojalError('validation_failed', {}, [{ path: 'body', message: 'too many form fields' }]);
    throw multipartFailure(err);
  }
  checkStorableText({ fields: Object.fromEntries(fields) });
  return { fields, files };
}

/**
 * What reading a form body failed with, once the limits are told apart: a body the parser cannot read (no
 * boundary, a broken part header, a form that stops mid-part) is the client's, never an internal error.
 */
export function multipartFailure(err: unknown): LojalError {
  return err instanceof LojalError ? err : new LojalError('malformed_multipart');
}

/**
 * A claim sent either as JSON, or as multipart with the claim as JSON in a form field named `claim` and
 * its evidence files beside it: the claim still to be validated, and the files.
 */
export async function readClaimWithFiles(req: FastifyRequest, ctx: UploadContext, maxFileBytes: number): Promise<{ raw: unknown; files: UploadedFile[] }> {
  if (!req.isMultipart()) return { raw: req.body, files: [] };
  const body = await readMultipart(req, ctx, maxFileBytes);
  const json = body.fields.get('claim');
  if (json === undefined) throw new LojalError('validation_failed', {}, [{ path: 'claim', message: 'send the claim as JSON in a form field named claim', fieldCode: 'required' }]);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new LojalError('malformed_json', { detail: (err as Error).message });
  }
  // JSON escapes can say what the form field itself could not (\u0000).
  checkStorableText({ claim: raw });
  return { raw, files: body.files };
}
