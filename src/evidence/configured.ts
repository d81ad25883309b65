import type { Config } from '../config/index.js';
import { S3EvidenceStore } from './s3.js';
import { DiskEvidenceStore, type EvidenceStore } from './store.js';

/** The store the configuration names: the S3 bucket when LOJAL_EVIDENCE_S3_BUCKET is set, else the disk. */
export function configuredEvidenceStore(config: Config): EvidenceStore {
  return config.evidenceS3 ? new S3EvidenceStore(config.evidenceS3) : new DiskEvidenceStore(config.evidenceDir);
}
