/**
 * Evidence in an S3-compatible bucket (AWS S3, MinIO, Ceph, Cloudflare R2, …), for servers without a
 * durable shared disk. Same content addressing as the disk store: `<prefix>/<programId>/<accountId>/<sha256>`.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable, Transform } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { EvidenceS3Config } from '../config/index.js';
import { EvidenceMissingError, keySegments, spool, type EvidenceKey, type EvidenceStore, type StagedBytes } from './store.js';

const statusOf = (err: unknown) => (err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined);

export class S3EvidenceStore implements EvidenceStore {
  private readonly client: S3Client;

  constructor(private readonly config: EvidenceS3Config) {
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // The SDK's default integrity headers (CRC32 on every request) are newer than many S3-compatible
      // servers; checksums only where the API demands them keeps those working. The object's key is
      // the SHA-256 Lojal computed of the bytes, so a later reader can still tell a damaged copy.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  get description(): string {
    return `S3 bucket ${this.config.bucket}${this.config.endpoint ? ` at ${this.config.endpoint}` : ` (${this.config.region})`}, keys under ${this.config.prefix}/`;
  }

  keyOf(key: EvidenceKey): string {
    return [this.config.prefix, ...keySegments(key)].join('/');
  }

  async put(key: EvidenceKey, bytes: Uint8Array): Promise<void> {
    const Key = this.keyOf(key);
    if (await this.exists(Key)) return;
    await this.upload(Key, bytes, bytes.length);
  }

  private async upload(Key: string, Body: Uint8Array | Readable, ContentLength: number): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.config.bucket,
        Key,
        Body,
        ContentLength,
        ContentType: 'application/octet-stream',
        ...(this.config.serverSideEncryption ? { ServerSideEncryption: this.config.serverSideEncryption } : {}),
        ...(this.config.kmsKeyId ? { SSEKMSKeyId: this.config.kmsKeyId } : {}),
      }),
    );
  }

  /**
   * An upload is spooled to a local temporary file first: its key (the SHA-256) is known only at its end, and
   * a bucket never sees a partial object. Keeping it streams the file up with its length.
   */
  async stage(source: Readable, check: Transform): Promise<StagedBytes> {
    const tmp = path.join(os.tmpdir(), `lojal-upload-${randomBytes(12).toString('hex')}.part`);
    const discard = () => fs.rm(tmp, { force: true });
    await spool(source, check, tmp);
    return {
      keep: async (key) => {
        try {
          const Key = this.keyOf(key);
          if (await this.exists(Key)) return;
          await this.upload(Key, createReadStream(tmp), (await fs.stat(tmp)).size);
        } finally {
          await discard();
        }
      },
      discard,
    };
  }

  private async exists(Key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key }));
      return true;
    } catch (err) {
      // Without permission to list the bucket, S3 answers a missing object with 403 rather than 404;
      // writing it again is harmless (same key, same bytes), so both mean "write it".
      if (err instanceof NotFound || statusOf(err) === 404 || statusOf(err) === 403) return false;
      throw err;
    }
  }

  async open(key: EvidenceKey): Promise<Readable> {
    const Key = this.keyOf(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key }));
      // In Node the body is the HTTP response itself, a Readable.
      return res.Body as Readable;
    } catch (err) {
      if (err instanceof NoSuchKey || statusOf(err) === 404) throw new EvidenceMissingError(key, { cause: err });
      throw err;
    }
  }

  /** S3 answers a delete of a missing key with success, so a repeat is harmless. */
  async remove(key: EvidenceKey): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(key) }));
  }

  /** Closes the client's connections (server shutdown, tests). */
  close(): void {
    this.client.destroy();
  }
}
