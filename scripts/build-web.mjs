/**
 * Builds the web pages (portal and console) into dist/web, but only when something they are built from changed:
 * `npm start` and `npm test` call this on every run, and a build takes tens of seconds on a small machine.
 *
 * After a build, dist/web/.build-inputs.json records the files Vite actually read (outside node_modules, which the
 * package-lock stands for) with a hash over them. The next run hashes the same files plus every file under web/
 * (so a new page counts too); the same hash means the build in dist/web is current.
 *
 *   node scripts/build-web.mjs            build if needed
 *   node scripts/build-web.mjs --force    build anyway
 *
 * Plain JavaScript, so that `npm start` runs it without tsx.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'dist', 'web');
const recordFile = path.join(outDir, '.build-inputs.json');
/** Read by the build without being modules of it. */
const alwaysHashed = ['vite.config.ts', 'package-lock.json', 'web/tsconfig.json'];

/** @typedef {{ hash: string, inputs: string[] }} BuildRecord  inputs: relative to the repository, sorted */

/** @param {string} dir @returns {Promise<string[]>} */
async function filesUnder(dir) {
  const entries = await fs.readdir(path.join(root, dir), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** @param {string[]} inputs @returns {Promise<string>} */
async function hashOf(inputs) {
  const files = [...new Set([...inputs, ...alwaysHashed, ...(await filesUnder('web'))])].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file + '\0');
    // A file that is gone hashes differently from any content, so deleting an input rebuilds too.
    hash.update(await fs.readFile(path.join(root, file)).catch(() => Buffer.from('\0missing\0')));
  }
  return hash.digest('hex');
}

/** @returns {Promise<BuildRecord | undefined>} */
async function readRecord() {
  try {
    const record = /** @type {BuildRecord} */ (JSON.parse(await fs.readFile(recordFile, 'utf8')));
    await fs.access(path.join(outDir, 'index.html'));
    await fs.access(path.join(outDir, 'admin', 'index.html'));
    return record;
  } catch {
    return undefined;
  }
}

/** Counts the modules Vite transforms; on a terminal it keeps one line up to date so a long build is not silent. */
/** @param {Set<string>} inputs @returns {import('vite').Plugin} */
function progress(inputs) {
  const tty = process.stdout.isTTY;
  let shown = 0;
  return {
    name: 'lojal-build-progress',
    transform(_code, id) {
      const file = id.split('?')[0];
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

/** @param {{ force?: boolean }} options @returns {Promise<'built' | 'current'>} */
export async function buildWebIfNeeded(options = {}) {
  const record = await readRecord();
  if (!options.force && record && record.hash === (await hashOf(record.inputs))) return 'current';

  const { build } = await import('vite');
  const started = performance.now();
  console.log(record ? 'The web sources changed: building the web pages…' : 'Building the web pages (once; later starts reuse them)…');
  /** @type {Set<string>} */
  const inputs = new Set();
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', plugins: [progress(inputs)] });
  const list = [...inputs].sort();
  /** @type {BuildRecord} */
  const next = { hash: await hashOf(list), inputs: list };
  await fs.writeFile(recordFile, JSON.stringify(next, null, 1) + '\n');
  console.log(`Built the web pages in ${((performance.now() - started) / 1000).toFixed(1)} s (${list.length} source files).`);
  return 'built';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWebIfNeeded({ force: process.argv.includes('--force') });
}
