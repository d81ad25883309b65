/**
 * The server's JavaScript build: every file under src/ transpiled by esbuild into build/ (same tree, same depth,
 * so paths a module finds relative to itself, like ../../dist/web or ./migrations, still resolve), the JSON and
 * SQL files copied beside them. bin/lojal.js runs the build when it is current for src/ and the sources through
 * tsx otherwise. Why a build at all: tsx compiles in a loader thread with a V8 heap of its own and keeps the
 * source maps, about 95 MB of a server's resident memory (docs/benchmarks.md, "Memory under a long mixed load").
 *
 * The build is current when build/.build-inputs.json holds the fingerprint of src/ as it is now (each file's
 * path, size and modification time, and tsconfig.json): a changed, added or deleted file makes it stale, and a stale build is never
 * run. Plain JavaScript, so that bin/lojal.js and `npm start` can use it without tsx.
 *
 *   node scripts/server-build.mjs            build if src/ changed (also run by `npm install`)
 *   node scripts/server-build.mjs --force    build anyway
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repository = fileURLToPath(new URL('..', import.meta.url));
const recordName = '.build-inputs.json';
/** Raised when what the build makes changes, so older builds count as stale. */
const FORMAT = 1;

/** @param {string} root */
function places(root) {
  return { root, sourceDir: path.join(root, 'src'), buildDir: path.join(root, 'build') };
}

/** @param {string} sourceDir */
function sourceFiles(sourceDir) {
  return fs
    .readdirSync(sourceDir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(sourceDir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** @param {string} sourceDir @param {string[]} files */
function fingerprint(sourceDir, files) {
  const hash = createHash('sha256');
  hash.update(`format ${FORMAT}\0`);
  for (const file of files) {
    const stat = fs.statSync(path.join(sourceDir, file));
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\0`);
  }
  // The compiler options count too (the build reads them).
  hash.update(fs.readFileSync(path.join(sourceDir, '..', 'tsconfig.json')));
  return hash.digest('hex');
}

/** @param {string} buildDir */
function recordedFingerprint(buildDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(buildDir, recordName), 'utf8')).fingerprint;
  } catch {
    return undefined;
  }
}

/** The URL of build/cli/main.js when the build is current for src/, else undefined. */
export function currentServerBuild(root = repository) {
  const { sourceDir, buildDir } = places(root);
  const recorded = recordedFingerprint(buildDir);
  if (!recorded || recorded !== fingerprint(sourceDir, sourceFiles(sourceDir))) return undefined;
  return pathToFileURL(path.join(buildDir, 'cli', 'main.js')).href;
}

/**
 * Builds into a directory of its own and moves it into place, so a process starting meanwhile finds either the
 * old build or the whole new one.
 */
export async function buildServerIfNeeded(options = {}) {
  const { root, sourceDir, buildDir } = places(options.root ?? repository);
  const files = sourceFiles(sourceDir);
  const print = fingerprint(sourceDir, files);
  if (!options.force && recordedFingerprint(buildDir) === print) return 'current';

  const { build } = await import('esbuild');
  const started = performance.now();
  const next = `${buildDir}.next-${process.pid}`;
  fs.rmSync(next, { recursive: true, force: true });
  const scripts = files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  await build({
    entryPoints: scripts.map((file) => path.join(sourceDir, file)),
    outdir: next,
    outbase: sourceDir,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  for (const file of files.filter((file) => !file.endsWith('.ts'))) {
    fs.mkdirSync(path.dirname(path.join(next, file)), { recursive: true });
    fs.copyFileSync(path.join(sourceDir, file), path.join(next, file));
  }
  fs.writeFileSync(path.join(next, recordName), JSON.stringify({ fingerprint: print }) + '\n');

  const old = `${buildDir}.old-${process.pid}`;
  if (fs.existsSync(buildDir)) fs.renameSync(buildDir, old);
  fs.renameSync(next, buildDir);
  fs.rmSync(old, { recursive: true, force: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (!options.quiet) console.log(`Built the server in ${seconds} s (${scripts.length} modules into build/).`);
  return 'built';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServerIfNeeded({ force: process.argv.includes('--force') });
}
