/**
 * `npm run test:dates`: the test suite run with the machine's calendar set to instants that catch date bugs —
 * the night Europe changes to summer time (2027-03-28 01:30 in Stockholm, an hour that does not exist there)
 * and half an hour before a new year (2026-12-31 23:30 in Stockholm, already 2027 nowhere yet in UTC but a new
 * local day soon) — with the processes' time zone Europe/Stockholm, so code that reads the machine's zone is
 * caught too. The clock runs on from each instant.
 *
 * libfaketime is not needed: scripts/shifted-date.mjs is preloaded into every Node process of the run (vitest,
 * its workers, CLI processes the tests spawn; PGlite's now() reads Date.now) through NODE_OPTIONS, with one
 * offset fixed here. A PostgreSQL server keeps its own clock, so the run uses the embedded database.
 *
 * Which tests: every test file except the browser tests (test/browser: chromium's clock is not shifted, and
 * pages are not where business time is decided). Arguments replace that choice and go to vitest as filters,
 * e.g. `npm run test:dates -- test/ledger test/tiers`. The application itself runs on the injected clock
 * (tests start it at TEST_NOW), so what this proves is that nothing reads the machine's date behind its back.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const instants = [
  { label: 'DST change, 2027-03-28 01:30 Europe/Stockholm', utc: '2027-03-28T00:30:00Z' },
  { label: 'year end, 2026-12-31 23:30 Europe/Stockholm', utc: '2026-12-31T22:30:00Z' },
];
const preload = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'shifted-date.mjs')).href;
const filters = process.argv.slice(2);
const selection = filters.length ? filters : ['--exclude', 'test/browser/**'];

let failed = 0;
for (const { label, utc } of instants) {
  const offset = Date.parse(utc) - Date.now();
  console.log(`\n== the suite with the clock at ${label} (${utc})`);
  const run = spawnSync('npx', ['vitest', 'run', ...selection], {
    stdio: 'inherit',
    env: {
      ...process.env,
      TZ: 'Europe/Stockholm',
      LOJAL_DATE_OFFSET_MS: String(offset),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
    },
  });
  if (run.status !== 0) {
    failed++;
    console.log(`== failed at ${label}`);
  }
}
process.exit(failed ? 1 : 0);
