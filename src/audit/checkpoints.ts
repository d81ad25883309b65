import fs from 'node:fs/promises';
import { z } from 'zod';
import type { AuditCheckpoint } from './verify.js';

const checkpointLine = z.object({
  programId: z.uuid(),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
});

/** Checkpoints kept in a file, one JSON object per line (blank lines skipped); a bad line names its number. */
export async function readCheckpoints(file: string): Promise<AuditCheckpoint[]> {
  const text = await fs.readFile(file, 'utf8');
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (line.trim() === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${file}, line ${i + 1}: not JSON`);
    }
    const result = checkpointLine.safeParse(parsed);
    if (!result.success) throw new Error(`${file}, line ${i + 1}: not a checkpoint (${result.error.issues.map((x) => x.path.join('.') || 'line').join(', ')})`);
    return [result.data];
  });
}
