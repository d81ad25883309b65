import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver checks request signatures against these fixed credentials. */
const accessKeyId = 'S3RVER';
const secretAccessKey = 'S3RVER';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** The variables that point Lojal at this server. */
  env: Record<string, string>;
  /** The bucket's keys under a prefix, read back through the S3 API. */
  keys(prefix?: string): Promise<string[]>;
  object(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** A real S3-protocol server (s3rver) on 127.0.0.1, an ephemeral port and a temporary directory, with one bucket. */
export async function startS3(bucket = 'lojal-evidence'): Promise<TestS3> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'lojal-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket,
    env: {
      LOJAL_EVIDENCE_S3_BUCKET: bucket,
      LOJAL_EVIDENCE_S3_ENDPOINT: endpoint,
      LOJAL_EVIDENCE_S3_FORCE_PATH_STYLE: 'on',
      LOJAL_EVIDENCE_S3_ACCESS_KEY_ID: accessKeyId,
      LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY: secretAccessKey,
    },
    async keys(prefix) {
      const res = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}) }));
      return (res.Contents ?? []).map((o) => o.Key!).sort();
    },
    async object(key) {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    async close() {
      client.destroy();
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
