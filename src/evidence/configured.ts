import type { Config } from '../config/index.js';
import { DiskEvidenceStore, type EvidenceStore } from './store.js';

/**
 * The store the configuration names: the S3 bucket when LOJAL_EVIDENCE_S3_BUCKET is set, else the disk.
 * The AWS SDK is loaded only then: it is large, and every CLI command would otherwise pay for it at start.
 */
export async function configuredEvidenceStore(config: Config): Promise<EvidenceStore> {
  if (!config.evidenceS3) return new DiskEvidenceStore(config.evidenceDir);
  const { S3EvidenceStore } = await import('./s3.js');
  return new S3EvidenceStore(config.evidenceS3);
}
