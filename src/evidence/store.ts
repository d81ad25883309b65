/**
 * Where evidence bytes live. The database holds what describes a file; the bytes sit in a store behind
 * this small interface, content-addressed by program, owner account and SHA-256, so one file uploaded
 * twice is stored once. The disk store is the default; src/evidence/s3.ts keeps them in an S3-compatible bucket.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

export interface EvidenceKey {
  programId: string;
  accountId: string;
  sha256: string;
}

/**
 * Bytes received from an upload but not yet under a key: the key names the SHA-256, known only once the
 * last byte is in, and the owner, known only once the rest of the form is read.
 */
export interface StagedBytes {
  /** Moves the bytes under the key (a no-op beside bytes already there); the staged copy is gone after. */
  keep(key: EvidenceKey): Promise<void>;
  /** Removes the staged bytes; harmless after keep() or a second time. */
  discard(): Promise<void>;
}

export interface EvidenceStore {
  /** Stores the bytes under the key; storing the same key again is a no-op. */
  put(key: EvidenceKey, bytes: Uint8Array): Promise<void>;
  /**
   * Writes a stream aside as it arrives, through `check` (which may refuse it), never holding it whole, in one
   * pipeline: if the source fails or ends early, or the check refuses (too large, the wrong type, a broken form),
   * what was written is removed and the promise rejects with the reason; it never waits on a dead stream.
   */
  stage(source: Readable, check: Transform): Promise<StagedBytes>;
  /** The bytes as a stream; throws EvidenceMissingError if they are missing. */
  open(key: EvidenceKey): Promise<Readable>;
  /** Deletes the bytes (erasure of the person whose files they are); removing missing bytes is a no-op. */
  remove(key: EvidenceKey): Promise<void>;
  /** Where the bytes go, for the start-up log. */
  readonly description: string;
  /** Lets go of connections, if the store holds any. */
  close?(): void;
}

/** The row exists but the bytes do not (deleted by hand, a store swapped without copying). */
export class EvidenceMissingError extends Error {
  constructor(key: EvidenceKey, options?: ErrorOptions) {
    super(`evidence ${key.programId}/${key.accountId}/${key.sha256} is not in the store`, options);
  }
}

const safeSegment = /^[0-9a-f-]{1,64}$/;

/**
 * The key's parts, checked. Ids and hashes are ours (uuids, hex), but paths and object keys are built
 * from them: anything else is refused outright.
 */
export function keySegments({ programId, accountId, sha256 }: EvidenceKey): [string, string, string] {
  for (const s of [programId, accountId, sha256]) if (!safeSegment.test(s)) throw new Error(`unsafe evidence key segment ${s}`);
  return [programId, accountId, sha256];
}

export class DiskEvidenceStore implements EvidenceStore {
  constructor(private readonly root: string) {}

  get description(): string {
    return `disk, under ${this.root}`;
  }

  private pathOf(key: EvidenceKey): string {
    return path.join(this.root, ...keySegments(key));
  }

  async put(key: EvidenceKey, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    if (await fs.stat(target).then(() => true, () => false)) return;
    await fs.mkdir(path.dirname(target), { recursive: true });
    // Written aside and renamed, so a reader never sees half a file and a crash leaves no torn one.
    const tmp = `${target}.${randomBytes(6).toString('hex')}.part`;
    await fs.writeFile(tmp, bytes, { mode: 0o600 });
    await fs.rename(tmp, target);
  }

  async stage(source: Readable, check: Transform): Promise<StagedBytes> {
    // An error the source meets while the directory is made stays in its state for the pipeline to find.
    source.on('error', () => {});
    // Beside the keys on the same disk, so keeping is a rename; the dot keeps it apart from program ids.
    const dir = path.join(this.root, '.incoming');
    await fs.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `${randomBytes(12).toString('hex')}.part`);
    const discard = () => fs.rm(tmp, { force: true });
    await spool(source, check, tmp);
    return {
      keep: async (key) => {
        const target = this.pathOf(key);
        if (await fs.stat(target).then(() => true, () => false)) return discard();
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.rename(tmp, target);
      },
      discard,
    };
  }

  async open(key: EvidenceKey): Promise<Readable> {
    const target = this.pathOf(key);
    await fs.access(target).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new EvidenceMissingError(key, { cause: err }) : err;
    });
    return createReadStream(target);
  }

  async remove(key: EvidenceKey): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }
}

/**
 * Streams `source` through `check` into the file `tmp`. On failure the file is gone before this rejects: the
 * pipeline can reject while the file stream is still opening, and a file removed then would be created after.
 */
export async function spool(source: Readable, check: Transform, tmp: string): Promise<void> {
  const sink = createWriteStream(tmp, { mode: 0o600 });
  try {
    await pipeline(source, check, sink);
  } catch (err) {
    if (!sink.closed) await once(sink, 'close').catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
