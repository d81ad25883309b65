/**
 * Programs made by an import of a known data set, found again by the import's stable id: a second run of the
 * import replays into the program the first run made instead of making a second one. The table is the imports
 * module's own; the program itself is made and owned by the programs module.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { getProgram, type Program } from '../programs/programs.js';

export async function programOfImport(db: Db, importId: string): Promise<Program | undefined> {
  const row = await sql<{ program_id: string }>`SELECT program_id FROM import_programs WHERE import_id = ${importId}`.execute(db);
  const id = row.rows[0]?.program_id;
  return id ? getProgram(db, id) : undefined;
}

/**
 * The program recorded for the import, or a new one made by `create` and recorded. Two runs creating at the
 * same moment would each make a program; the second to record it loses and is told which one is recorded
 * (the CLI's embedded database admits one process at a time, so this only concerns a shared PostgreSQL).
 */
export async function findOrCreateImportProgram<T extends { program: Program }>(
  db: Db,
  importId: string,
  create: () => Promise<T>,
): Promise<{ program: Program; created?: T }> {
  const found = await programOfImport(db, importId);
  if (found) return { program: found };
  const created = await create();
  const inserted = await sql<{ program_id: string }>`
    INSERT INTO import_programs (import_id, program_id) VALUES (${importId}, ${created.program.id})
    ON CONFLICT (import_id) DO NOTHING RETURNING program_id`.execute(db);
  if (inserted.rows.length) return { program: created.program, created };
  return { program: (await programOfImport(db, importId))! };
}
