/**
 * `lojal demo-seed` (hidden): seeds the demo program and saves its admin key, then exits. `serve --demo` runs it as
 * a child process on first start, so that the memory the seed takes (a year of history built in this process, the
 * seed's modules, the heap and allocator space they leave behind) goes with the child instead of staying in the
 * server's resident memory for the server's whole life.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { openConfiguredDatabase } from '../db/open.js';
import { ensureDemoProgram } from '../demo/index.js';
import { configuredEvidenceStore } from '../evidence/configured.js';
import { seedProgress } from './seed-progress.js';

const demoKeyFile = (config: Config) => path.join(config.dataDir, 'demo-api-key.txt');

export async function seedDemoProgram(config: Config, now: Date): Promise<void> {
  const { database } = await openConfiguredDatabase(config);
  try {
    const evidence = await configuredEvidenceStore(config);
    const keyFile = demoKeyFile(config);
    let progress: ReturnType<typeof seedProgress> | undefined;
    await ensureDemoProgram(database.db, async (key) => {
      await fs.mkdir(config.dataDir, { recursive: true });
      await fs.writeFile(keyFile, key + '\n', { mode: 0o600 });
    }, async () => undefined, now, evidence, {
      step(label) {
        if (!progress) {
          console.log('Seeding the demo program (first start only; a minute or so):');
          progress = seedProgress();
        }
        progress.step(label);
      },
      count: (done, total) => progress?.count(done, total),
    });
    progress?.end();
  } finally {
    await database.close();
  }
}
