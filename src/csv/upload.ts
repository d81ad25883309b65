/**
 * A CSV file uploaded in a multipart form (imports, static segment lists), received as a stream: written to a
 * temporary file as it arrives, never held whole in memory. The form parser stops the file at the limit (the
 * rest of the part is read and dropped, not kept), other file parts are drained unread, and NUL bytes are looked
 * for chunk by chunk, so the caller can refuse the file with the same answers as before without a buffer.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { spool } from '../evidence/store.js';

export interface SpooledCsv {
  /** The name the file was sent with; null if none. */
  fileName: string | null;
  /** Where the bytes are; gone after discard(). */
  path: string;
  /** Whether a NUL byte was seen (PostgreSQL cannot store one in text); the bytes after it are not kept. */
  containsNul: boolean;
  /** The bytes as a stream. */
  open(): Readable;
  /** Removes the file; harmless a second time. */
  discard(): Promise<void>;
}

export interface CsvUploadLimits {
  /** Bytes of the file; one more is refused (the form parser's FST_REQ_FILE_TOO_LARGE, as `toBuffer()` threw it). */
  fileSize: number;
  files: number;
  fields: number;
}

const tooLarge = () => Object.assign(new Error('request file too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });

/** Reads a stream to its end and drops what it reads. */
const drain = (source: Readable) => pipeline(source, new Writable({ write: (_chunk, _encoding, done) => done() }));

/**
 * Reads the request's parts and spools the file part named `field` to a temporary file. Fields are ignored and
 * other file parts drained. Answers undefined when no such part came. Errors of the form parser (limits, a broken
 * body) are thrown as it throws them, with nothing left on disk; the caller says what they mean.
 */
export async function receiveCsvUpload(req: FastifyRequest, limits: CsvUploadLimits, field = 'file'): Promise<SpooledCsv | undefined> {
  let upload: SpooledCsv | undefined;
  try {
    for await (const part of req.parts({ limits })) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== field || upload) {
        await drain(part.file);
        if (part.file.truncated) throw tooLarge();
        continue;
      }
      const tmp = path.join(os.tmpdir(), `lojal-csv-${randomBytes(12).toString('hex')}.part`);
      let containsNul = false;
      const check = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          if (!containsNul && chunk.includes(0)) containsNul = true;
          // After a NUL the file will be refused: the rest is read (to say what is wrong in the usual order) but not kept.
          done(null, containsNul ? undefined : chunk);
        },
      });
      await spool(part.file, check, tmp);
      const spooled: SpooledCsv = {
        fileName: part.filename || null,
        path: tmp,
        containsNul,
        open: () => createReadStream(tmp),
        discard: () => fs.rm(tmp, { force: true }),
      };
      upload = spooled;
      if (part.file.truncated) throw tooLarge();
    }
  } catch (err) {
    await upload?.discard();
    throw err;
  }
  return upload;
}
