/**
 * `npm run test:dates`: the embedded-database suite run with the whole process tree's clock set to instants
 * that catch date bugs — the night Europe changes to summer time (2027-03-28 01:30 in Stockholm) and half an
 * hour before a new year (2026-12-31 23:30 in Stockholm) — through libfaketime (Debian's `faketime`). The
 * clock runs on from there. Extra arguments go to vitest (e.g. a test file).
 */
import { spawnSync } from 'node:child_process';

const instants = ['2027-03-28 00:30:00', '2026-12-31 22:30:00']; // UTC: 01:30 and 23:30 in Stockholm
if (spawnSync('faketime', ['--version']).error) {
  console.error('test:dates needs libfaketime: apt-get install faketime');
  process.exit(1);
}
let failed = 0;
for (const at of instants) {
  console.log(`\n== the suite with the clock at ${at} UTC`);
  const run = spawnSync('faketime', [at, 'npx', 'vitest', 'run', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TZ: 'UTC' },
  });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
