/**
 * Files for courses and members-only content: a handbook PDF, a wiring diagram. The bytes go to the
 * evidence store (disk or S3, as configured), content-addressed under the program's own id as their owner,
 * so they sit apart from every account's claim evidence; the row here says what they are. The type is judged
 * from the bytes (PDF and images), never from the name.
 */
import type { Readable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { UploadedFile } from '../evidence/files.js';
import type { EvidenceStore } from '../evidence/store.js';
import { tdb } from './tables.js';

export interface TrainingFile {
  id: string;
  contentType: string;
  sizeBytes: number;
  fileName: string | null;
  createdAt: Date;
}

const keyOf = (programId: string, sha256: string) => ({ programId, accountId: programId, sha256 });

export async function storeTrainingFiles(db: Db, store: EvidenceStore, programId: string, files: UploadedFile[], actor: string): Promise<TrainingFile[]> {
  if (files.length === 0) throw new LojalError('validation_failed', {}, [{ path: 'file', message: 'attach at least one file', fieldCode: 'required' }]);
  const out: TrainingFile[] = [];
  for (const f of files) {
    await f.staged.keep(keyOf(programId, f.sha256));
    const row = await tdb(db)
      .insertInto('training_files')
      .values({ program_id: programId, id: uuidv7(), sha256: f.sha256, content_type: f.contentType, size_bytes: f.sizeBytes, file_name: f.fileName, uploaded_by: actor })
      .returning(['id', 'content_type', 'size_bytes', 'file_name', 'created_at'])
      .executeTakeFirstOrThrow();
    out.push({ id: row.id, contentType: row.content_type, sizeBytes: Number(row.size_bytes), fileName: row.file_name, createdAt: row.created_at });
  }
  return out;
}

export async function describeFiles(db: Db, programId: string, ids: string[]): Promise<Map<string, TrainingFile>> {
  if (ids.length === 0) return new Map();
  const rows = await tdb(db).selectFrom('training_files').select(['id', 'content_type', 'size_bytes', 'file_name', 'created_at']).where('program_id', '=', programId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, contentType: r.content_type, sizeBytes: Number(r.size_bytes), fileName: r.file_name, createdAt: r.created_at }]));
}

export async function openTrainingFile(db: Db, store: EvidenceStore, programId: string, id: string): Promise<{ file: TrainingFile; stream: Readable }> {
  const r = await tdb(db).selectFrom('training_files').selectAll().where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!r) throw new LojalError('not_found', { entity: 'file', id });
  return {
    file: { id: r.id, contentType: r.content_type, sizeBytes: Number(r.size_bytes), fileName: r.file_name, createdAt: r.created_at },
    stream: await store.open(keyOf(programId, r.sha256)),
  };
}
