/**
 * Where evidence bytes live. The database holds what describes a file; the bytes sit in a store behind
 * this small interface, content-addressed by program, owner account and SHA-256, so one file uploaded
 * twice is stored once. The disk store is the one shipped; an S3-compatible one would implement the same.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';

export interface EvidenceKey {
  programId: string;
  accountId: string;
  sha256: string;
}

export interface EvidenceStore {
  /** Stores the bytes under the key; storing the same key again is a no-op. */
  put(key: EvidenceKey, bytes: Uint8Array): Promise<void>;
  /** The bytes as a stream; throws if they are missing. */
  open(key: EvidenceKey): Promise<Readable>;
}

const safeSegment = /^[0-9a-f-]{1,64}$/;

export class DiskEvidenceStore implements EvidenceStore {
  constructor(private readonly root: string) {}

  private pathOf({ programId, accountId, sha256 }: EvidenceKey): string {
    // Ids and hashes are ours (uuids, hex), but the path is built from them: refuse anything else outright.
    for (const s of [programId, accountId, sha256]) if (!safeSegment.test(s)) throw new Error(`unsafe evidence key segment ${s}`);
    return path.join(this.root, programId, accountId, sha256);
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

  async open(key: EvidenceKey): Promise<Readable> {
    const target = this.pathOf(key);
    await fs.access(target);
    return createReadStream(target);
  }
}
