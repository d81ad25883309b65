/**
 * CSV imports started from the console run as jobs: the upload is answered at once with the job, the import
 * runs in this process, and its progress (rows done of rows in the file), counts and line errors are kept in
 * `import_jobs` for the page to poll. The importers are the CLI's (upsert by external id, events by their id),
 * so uploading the same file again updates rows or replays events and never books points twice.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Clock } from '../clock/index.js';
import { parse } from 'csv-parse';
import { v7 as uuidv7 } from 'uuid';
import { importAccountsCsv, importMembersCsv } from '../accounts/csv.js';
import type { CsvError } from '../csv/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Program } from '../programs/programs.js';
import { importEventsCsv } from './csv.js';

export const importKinds = ['accounts', 'members', 'events'] as const;
export type ImportKind = (typeof importKinds)[number];
export type ImportState = 'running' | 'finished' | 'failed';

export interface ImportJob {
  id: string;
  kind: ImportKind;
  fileName: string | null;
  state: ImportState;
  total: number;
  done: number;
  created: number;
  updated: number;
  replayed: number;
  failed: number;
  errors: CsvError[];
  errorCount: number;
  failure: { code: string; params: Record<string, unknown> } | null;
  startedBy: string;
  createdAt: Date;
  finishedAt: Date | null;
}

interface Outcome {
  created: number;
  updated: number;
  replayed: number;
  failed: number;
  errors: CsvError[];
  errorCount: number;
}

/**
 * Data rows in the file (header and blank lines left out), so progress has a denominator before the import runs.
 * Read as a stream, record by record; a file broken part way still imports up to the break, so its non-blank
 * lines are counted instead.
 */
export async function countDataRows(open: () => Readable): Promise<number> {
  try {
    let records = 0;
    for await (const _ of open().pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }))) records++;
    return Math.max(records - 1, 0);
  } catch {
    let lines = 0;
    let rest = '';
    const decoder = new StringDecoder('utf8');
    const count = (text: string) => {
      const parts = (rest + text).split('\n');
      rest = parts.pop()!;
      for (const l of parts) if (l.trim() !== '') lines++;
    };
    for await (const chunk of open()) count(decoder.write(chunk as Buffer));
    count(decoder.end());
    if (rest.trim() !== '') lines++;
    return Math.max(lines - 1, 0);
  }
}

async function runImporter(
  db: Db,
  program: Program,
  kind: ImportKind,
  input: Readable,
  clock: Clock,
  onProgress: (rows: number) => void,
  lanes: number,
  futureToleranceSeconds: number,
): Promise<Outcome> {
  if (kind === 'events') {
    const s = await importEventsCsv(db, program, input, clock, onProgress, lanes, futureToleranceSeconds);
    return { created: s.created, updated: s.updated, replayed: s.replayed, failed: s.failed, errors: s.errors, errorCount: s.errorCount };
  }
  const importer = kind === 'accounts' ? importAccountsCsv : importMembersCsv;
  const s = await importer(db, program.id, input, clock, onProgress);
  return { created: s.created, updated: s.updated, replayed: 0, failed: s.failed, errors: s.errors, errorCount: s.errorCount };
}

/** The uploaded file the job reads (src/csv/upload.ts); the job removes it when it ends, however it ends. */
export interface ImportFile {
  open(): Readable;
  discard(): Promise<void>;
}

type Row = {
  id: string;
  kind: ImportKind;
  file_name: string | null;
  state: ImportState;
  total_rows: number;
  done_rows: number;
  created: number;
  updated: number;
  replayed: number;
  failed: number;
  errors: CsvError[];
  error_count: number;
  failure_code: string | null;
  failure_params: Record<string, unknown> | null;
  started_by: string;
  created_at: Date;
  finished_at: Date | null;
};

const toJob = (r: Row): ImportJob => ({
  id: r.id,
  kind: r.kind,
  fileName: r.file_name,
  state: r.state,
  total: r.total_rows,
  done: r.done_rows,
  created: r.created,
  updated: r.updated,
  replayed: r.replayed,
  failed: r.failed,
  errors: r.errors,
  errorCount: r.error_count,
  failure: r.failure_code ? { code: r.failure_code, params: r.failure_params ?? {} } : null,
  startedBy: r.started_by,
  createdAt: new Date(r.created_at),
  finishedAt: r.finished_at && new Date(r.finished_at),
});

/**
 * Records the job and starts the import; answers the job as recorded and the promise of its end (which never
 * rejects: a failure is written to the job).
 */
export async function startImportJob(
  db: Db,
  program: Program,
  input: { kind: ImportKind; fileName: string | null; file: ImportFile; startedBy: string; lanes?: number; futureToleranceSeconds?: number },
  /** Heartbeats and the end are stamped by the app's clock, the same one markInterruptedImports judges them by. */
  clock: Clock,
): Promise<{ job: ImportJob; finished: Promise<void> }> {
  const id = uuidv7();
  const startedAt = clock();
  // Until the job runs, a failure removes the file here; from then on the job's end does.
  const row = await (async () => {
    const total = await countDataRows(input.file.open);
    return db
      .insertInto('import_jobs')
      .values({
        program_id: program.id,
        id,
        kind: input.kind,
        file_name: input.fileName,
        total_rows: total,
        errors: '[]',
        started_by: input.startedBy,
        created_at: startedAt,
        heartbeat_at: startedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  })().catch(async (err: unknown) => {
    await input.file.discard();
    throw err;
  });

  // Progress writes are chained so they land in order and the final write comes after all of them.
  let writes: Promise<unknown> = Promise.resolve();
  const write = (set: { done_rows?: number }) => {
    writes = writes.then(() =>
      db.updateTable('import_jobs').set({ ...set, heartbeat_at: clock() }).where('program_id', '=', program.id).where('id', '=', id).execute(),
    );
  };
  const onProgress = (done: number) => write({ done_rows: done });
  // A chunk can take a while without a progress report; the heartbeat says the process is still at it.
  const heartbeat = setInterval(() => write({}), HEARTBEAT_MS);
  heartbeat.unref();
  const finished = (async () => {
    try {
      // The file goes as soon as it is read, before the job says it ended.
      const o = await runImporter(db, program, input.kind, input.file.open(), clock, onProgress, input.lanes ?? 1, input.futureToleranceSeconds ?? 300).finally(() => input.file.discard().catch(() => {}));
      clearInterval(heartbeat);
      await writes;
      await db
        .updateTable('import_jobs')
        .set((eb) => ({
          state: 'finished',
          // Every row was handled; a file whose last rows were all blank still ends at its total.
          done_rows: eb.ref('total_rows'),
          created: o.created,
          updated: o.updated,
          replayed: o.replayed,
          failed: o.failed,
          errors: JSON.stringify(o.errors),
          error_count: o.errorCount,
          finished_at: clock(),
        }))
        .where('program_id', '=', program.id)
        .where('id', '=', id)
        .execute();
    } catch (err) {
      clearInterval(heartbeat);
      await writes.catch(() => {});
      const failure = err instanceof LojalError ? { code: err.code, params: err.params } : { code: 'internal_error', params: { requestId: id } };
      await db
        .updateTable('import_jobs')
        .set({ state: 'failed', failure_code: failure.code, failure_params: JSON.stringify(failure.params), finished_at: clock() })
        .where('program_id', '=', program.id)
        .where('id', '=', id)
        .execute()
        .catch(() => {});
    } finally {
      await input.file.discard().catch(() => {});
    }
  })();
  return { job: toJob(row as Row), finished };
}

/** How often a running import says it is alive, and how long without a sign of life counts as interrupted. */
const HEARTBEAT_MS = 15_000;
const INTERRUPTED_AFTER_MS = 2 * 60_000;

/**
 * Jobs whose process stopped (a restart, a crash) become `failed` with `import_interrupted`: the rows it had
 * written stay, and uploading the file again books nothing twice. Done when jobs are read, so no timer is needed.
 */
export async function markInterruptedImports(db: Db, programId: string, now: Date): Promise<number> {
  const rows = await db
    .updateTable('import_jobs')
    .set({ state: 'failed', failure_code: 'import_interrupted', failure_params: '{}', finished_at: now })
    .where('program_id', '=', programId)
    .where('state', '=', 'running')
    .where('heartbeat_at', '<', new Date(now.getTime() - INTERRUPTED_AFTER_MS))
    .executeTakeFirst();
  return Number(rows.numUpdatedRows);
}

export async function getImportJob(db: Db, programId: string, id: string, now: Date): Promise<ImportJob> {
  await markInterruptedImports(db, programId, now);
  const row = await db.selectFrom('import_jobs').selectAll().where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'import', id });
  return toJob(row as Row);
}

/** The newest jobs first (the console shows the recent ones). */
export async function listImportJobs(db: Db, programId: string, limit: number, now: Date): Promise<ImportJob[]> {
  await markInterruptedImports(db, programId, now);
  const rows = await db
    .selectFrom('import_jobs')
    .selectAll()
    .where('program_id', '=', programId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => toJob(r as Row));
}
