import pg from 'pg';

/**
 * Refreshes the planner's statistics of the database at `url`, as autovacuum's analyze would on a server with its
 * default settings. Benches call it after making their data and after each warm-up: on a server with autovacuum off
 * (this project's CI machines: /etc/postgresql/15/main/conf.d/90-ci.conf) nothing else ever does, and the plans a
 * connection keeps for foreign-key checks stay those made for the empty tables it first saw (sequential scans), so a
 * run would measure tables growing under stale plans, not the code. Returns whether autovacuum is on.
 */
export async function refreshStatistics(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE');
    return (await client.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]!.autovacuum === 'on';
  } finally {
    await client.end();
  }
}
