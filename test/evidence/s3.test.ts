import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configuredEvidenceStore } from '../../src/evidence/configured.js';
import { S3EvidenceStore } from '../../src/evidence/s3.js';
import { DiskEvidenceStore, EvidenceMissingError, type EvidenceKey } from '../../src/evidence/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { aClaim, claimWorld, tinyPdf, tinyPng } from '../claims/world.js';

let s3: TestS3;
let store: S3EvidenceStore;

beforeAll(async () => {
  s3 = await startS3();
  store = (await configuredEvidenceStore(loadConfig({ ...s3.env, LOJAL_EVIDENCE_S3_PREFIX: 'unit/evidence' }))) as S3EvidenceStore;
});
afterAll(async () => {
  store.close();
  await s3.close();
});

const read = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
};
const programId = '0193f0aa-0000-7000-8000-000000000001';
const accountId = '0193f0aa-0000-7000-8000-000000000002';
const keyOf = (bytes: Buffer): EvidenceKey => ({ programId, accountId, sha256: createHash('sha256').update(bytes).digest('hex') });

describe('S3 evidence store (against s3rver)', () => {
  it('is the store chosen when a bucket is configured, and the disk store otherwise', async () => {
    expect(store).toBeInstanceOf(S3EvidenceStore);
    expect(store.description).toContain(`S3 bucket ${s3.bucket} at ${s3.endpoint}`);
    expect(await configuredEvidenceStore(loadConfig({}))).toBeInstanceOf(DiskEvidenceStore);
  });

  it('puts bytes under <prefix>/<program>/<account>/<sha256> and opens them as a stream', async () => {
    const bytes = tinyPdf('S3 unit');
    const key = keyOf(bytes);
    await store.put(key, bytes);
    expect(await s3.keys('unit/')).toContain(`unit/evidence/${programId}/${accountId}/${key.sha256}`);
    expect((await read(await store.open(key))).equals(bytes)).toBe(true);
  });

  it('a second put of the same key leaves the stored object alone', async () => {
    const bytes = tinyPng([4, 2, 0]);
    const key = keyOf(bytes);
    await store.put(key, bytes);
    // Different bytes under the same key would overwrite if put wrote again; content addressing never
    // does this, the test does it to see that the second put wrote nothing.
    await store.put(key, Buffer.from('not the same'));
    expect((await s3.object(store.keyOf(key))).equals(bytes)).toBe(true);
  });

  it('a missing object is an EvidenceMissingError, as on disk', async () => {
    const key = keyOf(Buffer.from('never stored'));
    await expect(store.open(key)).rejects.toBeInstanceOf(EvidenceMissingError);
  });

  it('refuses unsafe key segments before talking to the server', async () => {
    const bytes = tinyPng([7, 7, 7]);
    for (const bad of [{ ...keyOf(bytes), accountId: '../other' }, { ...keyOf(bytes), programId: 'a/b' }, { ...keyOf(bytes), sha256: 'ABC' }]) {
      await expect(store.put(bad, bytes)).rejects.toThrow(/unsafe evidence key segment/);
      await expect(store.open(bad)).rejects.toThrow(/unsafe evidence key segment/);
    }
    expect((await s3.keys()).some((k) => k.includes('..') || k.includes('a/b'))).toBe(false);
  });

  it('refuses a malformed prefix or half the credentials at start', () => {
    expect(() => loadConfig({ ...s3.env, LOJAL_EVIDENCE_S3_PREFIX: 'a/../b' })).toThrow(/LOJAL_EVIDENCE_S3_PREFIX/);
    expect(() => loadConfig({ ...s3.env, LOJAL_EVIDENCE_S3_PREFIX: '/lead' })).toThrow(/LOJAL_EVIDENCE_S3_PREFIX/);
    expect(() => loadConfig({ ...s3.env, LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY: '' })).toThrow(/LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY/);
    const { LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY: _secret, ...half } = s3.env;
    expect(() => loadConfig(half)).toThrow(/set both/);
  });
});

describe('claims with evidence on S3', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(s3.env);
  });
  afterAll(async () => t.close());

  it('a claim’s files go to the bucket, come back byte for byte, and a lost object answers evidence_missing', async () => {
    const w = await claimWorld(t);
    const pdf = tinyPdf('F-S3-1');
    const png = tinyPng([3, 1, 4]);
    const res = await w.submit(aClaim({ invoiceNumber: 'F-S3-1' }), [pdf, png]);
    expect(res.statusCode, res.body).toBe(201);
    const evidence: Array<{ id: string; sha256: string; url: string; contentType: string; accountId: string }> = res.json().evidence;
    expect(evidence).toHaveLength(2);

    for (const e of evidence) {
      const bytes = e.contentType === 'application/pdf' ? pdf : png;
      const key = `evidence/${w.programId}/${e.accountId}/${e.sha256}`;
      expect(await s3.keys(`evidence/${w.programId}/`)).toContain(key);
      expect((await s3.object(key)).equals(bytes)).toBe(true);
      const content = await t.app.inject({ method: 'GET', url: e.url, headers: { authorization: `Bearer ${w.key}` } });
      expect(content.statusCode).toBe(200);
      expect(content.headers['content-type']).toBe(e.contentType);
      expect(content.rawPayload.equals(bytes)).toBe(true);
    }

    // Nothing on the local disk: the S3 store replaced it.
    const disk = new DiskEvidenceStore(t.config.evidenceDir);
    await expect(disk.open({ programId: w.programId, accountId: evidence[0]!.accountId, sha256: evidence[0]!.sha256 })).rejects.toBeInstanceOf(EvidenceMissingError);

    // A row whose object is gone (bucket emptied by hand) answers as a missing file on disk does.
    const orphan = '0193f0aa-0000-7000-8000-0000000000ff';
    await sql`INSERT INTO evidence_files (program_id, id, account_id, sha256, content_type, size_bytes, file_name, uploaded_by)
      VALUES (${w.programId}, ${orphan}, ${evidence[0]!.accountId}, ${'f'.repeat(64)}, 'image/png', 3, NULL, 'test')`.execute(t.database.db);
    const missing = await t.app.inject({ method: 'GET', url: `/v1/evidence/${orphan}/content`, headers: { authorization: `Bearer ${w.key}` } });
    expect(missing.statusCode).toBe(410);
    expect(missing.json().code).toBe('evidence_missing');
  });
});
