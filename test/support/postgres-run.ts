import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { adminUrl } from './env.js';

/**
 * The PostgreSQL half of `npm test`: the same suite against a real server. Without a reachable server it
 * says so in one line and skips, unless LOJAL_REQUIRE_POSTGRES=1 (CI), where that is a failure.
 */
const url = adminUrl();
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
try {
  await client.connect();
  await client.end();
} catch (err) {
  const line = `PostgreSQL server run skipped: ${new URL(url).host} not reachable (${(err as Error).message}).`;
  if (process.env.LOJAL_REQUIRE_POSTGRES === '1') {
    console.error(line + ' LOJAL_REQUIRE_POSTGRES=1, so this is a failure.');
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}
console.log(`PostgreSQL server run against ${new URL(url).host}`);
const run = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, LOJAL_TEST_DB: 'postgres' },
});
process.exit(run.status ?? 1);
