/** Reading a request or comment sent as JSON, or as multipart with the JSON in one form field and files beside it. */
import type { FastifyRequest } from 'fastify';
import { checkStorableText } from '../errors/characters.js';
import { LojalError } from '../errors/index.js';
import { readMultipart, type UploadContext } from '../evidence/multipart.js';
import type { UploadedFile } from '../evidence/files.js';

export async function readJsonWithFiles(req: FastifyRequest, ctx: UploadContext, field: string, maxFileBytes: number): Promise<{ raw: unknown; files: UploadedFile[] }> {
  if (!req.isMultipart()) return { raw: req.body, files: [] };
  const body = await readMultipart(req, ctx, maxFileBytes);
  const json = body.fields.get(field);
  if (json === undefined) throw new LojalError('validation_failed', {}, [{ path: field, message: `send the ${field} as JSON in a form field named ${field}`, fieldCode: 'required' }]);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new LojalError('malformed_json', { detail: (err as Error).message });
  }
  checkStorableText({ [field]: raw });
  return { raw, files: body.files };
}

/** Accepts whatever came; the handler validates after reading multipart. */
export const passThrough = () => (data: unknown) => ({ value: data });
