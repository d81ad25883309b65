/**
 * Reads a multipart/form-data request whole: its text fields and its files, each file held in memory up
 * to the evidence size limit. Limits are the program's protection against a request that never ends.
 */
import type { FastifyRequest } from 'fastify';
import { checkStorableText } from '../errors/characters.js';
import { LojalError } from '../errors/index.js';
import type { UploadedFile } from './files.js';

export const MAX_FILES_PER_REQUEST = 10;

export interface MultipartBody {
  fields: Map<string, string>;
  files: UploadedFile[];
}

export async function readMultipart(req: FastifyRequest, maxFileBytes: number): Promise<MultipartBody> {
  if (!req.isMultipart()) throw new LojalError('unsupported_media_type', { type: String(req.headers['content-type'] ?? 'none') });
  const fields = new Map<string, string>();
  const files: UploadedFile[] = [];
  try {
    for await (const part of req.parts({ limits: { fileSize: maxFileBytes, files: MAX_FILES_PER_REQUEST, fields: 20, fieldSize: 65_536 } })) {
      if (part.type === 'file') files.push({ fileName: part.filename || null, bytes: await part.toBuffer() });
      else fields.set(part.fieldname, String(part.value));
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new LojalError('evidence_too_large', { limit: maxFileBytes });
    if (code === 'FST_FILES_LIMIT') throw new LojalError('validation_failed', {}, [{ path: 'files', message: `at most ${MAX_FILES_PER_REQUEST} files per request`, fieldCode: 'too_large' }]);
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new LojalError('validation_failed', {}, [{ path: 'body', message: 'too many form fields' }]);
    throw multipartFailure(err);
  }
  checkStorableText({ fields: Object.fromEntries(fields), files: files.map((f) => ({ fileName: f.fileName })) });
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
export async function readClaimWithFiles(req: FastifyRequest, maxFileBytes: number): Promise<{ raw: unknown; files: UploadedFile[] }> {
  if (!req.isMultipart()) return { raw: req.body, files: [] };
  const body = await readMultipart(req, maxFileBytes);
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
