/**
 * Builds the web pages (portal and console) into dist/web, but only when something they are built from changed:
 * `npm start` and `npm test` call this on every run, and a build takes tens of seconds on a small machine.
 *
 * After a build, dist/web/.build-inputs.json records the files Vite actually read (outside node_modules, which the
 * package-lock stands for) with a hash over them. The next run hashes the same files plus every file under web/
 * (so a new page counts too); the same hash means the build in dist/web is current.
 *
 *   tsx scripts/build-web.ts            build if needed
 *   tsx scripts/build-web.ts --force    build anyway
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'dist', 'web');
const recordFile = path.join(outDir, '.build-inputs.json');
/** Read by the build without being modules of it. */
const alwaysHashed = ['vite.config.ts', 'package-lock.json', 'web/tsconfig.json'];

interface BuildRecord {
  hash: string;
  /** Relative to the repository, sorted. */
  inputs: string[];
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(root, dir), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

async function hashOf(inputs: string[]): Promise<string> {
  const files = [...new Set([...inputs, ...alwaysHashed, ...(await filesUnder('web'))])].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file + '\0');
    // A file that is gone hashes differently from any content, so deleting an input rebuilds too.
    hash.update(await fs.readFile(path.join(root, file)).catch(() => Buffer.from('\0missing\0')));
  }
  return hash.digest('hex');
}

async function readRecord(): Promise<BuildRecord | undefined> {
  try {
    const record = JSON.parse(await fs.readFile(recordFile, 'utf8')) as BuildRecord;
    await fs.access(path.join(outDir, 'index.html'));
    await fs.access(path.join(outDir, 'admin', 'index.html'));
    return record;
  } catch {
    return undefined;
  }
}

/** Counts the modules Vite transforms; on a terminal it keeps one line up to date so a long build is not silent. */
function progress(inputs: Set<string>): Plugin {
  const tty = process.stdout.isTTY;
  let shown = 0;
  return {
    name: 'lojal-build-progress',
    transform(_code, id) {
      const file = id.split('?')[0]!;
      if (!file.startsWith('\0') && path.isAbsolute(file) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
        const relative = path.relative(root, file);
        if (!relative.startsWith('..')) inputs.add(relative);
      }
      shown++;
      if (tty && shown % 50 === 0) process.stdout.write(`\rBuilding the web pages… ${shown} modules`);
      return null;
    },
    buildEnd() {
      if (tty) process.stdout.write('\r\x1b[K');
    },
  };
}

export async function buildWebIfNeeded(options: { force?: boolean } = {}): Promise<'built' | 'current'> {
  const record = await readRecord();
  if (!options.force && record && record.hash === (await hashOf(record.inputs))) return 'current';

  const { build } = await import('vite');
  const started = performance.now();
  console.log(record ? 'The web sources changed: building the web pages…' : 'Building the web pages (once; later starts reuse them)…');
  const inputs = new Set<string>();
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', plugins: [progress(inputs)] });
  const list = [...inputs].sort();
  const next: BuildRecord = { hash: await hashOf(list), inputs: list };
  await fs.writeFile(recordFile, JSON.stringify(next, null, 1) + '\n');
  console.log(`Built the web pages in ${((performance.now() - started) / 1000).toFixed(1)} s (${list.length} source files).`);
  return 'built';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWebIfNeeded({ force: process.argv.includes('--force') });
}
