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
 * e.g. `npm run test:dates -- test/ledger test/tiers`. LOJAL_DATES_ONLY=dst or LOJAL_DATES_ONLY=year-end runs
 * one instant only (each takes 10–20 minutes of a loaded 2-core machine for the whole suite). The application
 * itself runs on the injected clock (tests start it at TEST_NOW), so what this proves is that nothing reads the
 * machine's date behind its back.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const allInstants = [
  { name: 'dst', label: 'DST change, 2027-03-28 01:30 Europe/Stockholm', utc: '2027-03-28T00:30:00Z' },
  { name: 'year-end', label: 'year end, 2026-12-31 23:30 Europe/Stockholm', utc: '2026-12-31T22:30:00Z' },
];
const only = process.env.LOJAL_DATES_ONLY;
const instants = only ? allInstants.filter((i) => i.name === only) : allInstants;
if (!instants.length) {
  console.error(`LOJAL_DATES_ONLY must be one of ${allInstants.map((i) => i.name).join(', ')}`);
  process.exit(2);
}
const preload = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'shifted-date.mjs')).href;
const filters = process.argv.slice(2);
// vitest's --exclude does not reach the projects of vitest.config.ts; the config reads LOJAL_TEST_EXCLUDE instead.
const excluded = filters.length ? '' : 'test/browser/**';

let failed = 0;
for (const { label, utc } of instants) {
  const offset = Date.parse(utc) - Date.now();
  console.log(`\n== the suite with the clock at ${label} (${utc})`);
  const started = performance.now();
  const run = spawnSync('npx', ['vitest', 'run', ...filters], {
    stdio: 'inherit',
    env: {
      ...process.env,
      TZ: 'Europe/Stockholm',
      LOJAL_TEST_EXCLUDE: [process.env.LOJAL_TEST_EXCLUDE, excluded].filter(Boolean).join(','),
      LOJAL_DATE_OFFSET_MS: String(offset),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
    },
  });
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  if (run.status !== 0) {
    failed++;
    console.log(`== failed at ${label} (${minutes} min)`);
  } else {
    console.log(`== passed at ${label} (${minutes} min)`);
  }
}
process.exit(failed ? 1 : 0);
