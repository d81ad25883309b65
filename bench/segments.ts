/**
 * Segments and scores on PostgreSQL with a program of 50,000 accounts (and a year of purchases generated with
 * set-returning SQL into the real tables): the live count of a few filters, a segment refresh (members written)
 * and the nightly scores. Prints a table; asserts nothing.
 *
 *   npx tsx bench/segments.ts            (alone; also runs at the end of `npm run bench`)
 *   BENCH_SEGMENT_ACCOUNTS=50000         accounts (default 50,000); BENCH_SEGMENT_PURCHASES per account (default 6)
 */
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createProgram } from '../src/programs/programs.js';
import type { Filter } from '../src/segments/filter.js';
import { computeScores } from '../src/segments/scores.js';
import { createSegment, previewFilter, refreshSegment } from '../src/segments/store.js';

const ACCOUNTS = Number(process.env.BENCH_SEGMENT_ACCOUNTS ?? 50_000);
const PURCHASES = Number(process.env.BENCH_SEGMENT_PURCHASES ?? 6);

const filters: Array<[string, Filter]> = [
  ['country = SE', { field: 'country', op: 'eq', value: 'SE' }],
  ['bought tools in 90 days', { field: 'lastPurchase', op: 'withinDays', days: 90, category: 'tools' }],
  ['no purchase in 60 days and tag', { all: [{ field: 'lastPurchase', op: 'notWithinDays', days: 60 }, { field: 'tags', op: 'hasAny', value: ['key'] }] }],
  ['purchase amount ≥ 5,000 in 365 days', { field: 'purchaseAmount', op: 'gte', value: 500_000, days: 365 }],
  ['points earned > 100 in 90 days', { field: 'pointsEarned', op: 'gt', value: 100, days: 90 }],
];

export async function benchSegments(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await admin.connect();
  const name = `lojal_bench_segments_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 4);
  const rows: Array<{ what: string; result: string; seconds: number }> = [];
  const time = async (what: string, f: () => Promise<string>) => {
    const t0 = performance.now();
    const result = await f();
    rows.push({ what, result, seconds: (performance.now() - t0) / 1000 });
  };
  try {
    await migrate(database);
    const db = database.db;
    const now = new Date('2026-11-25T12:00:00Z');
    const program = await createProgram(db, { name: 'Bench segments', currency: 'SEK', timeZone: 'Europe/Stockholm' });
    const pid = program.id;
    const t0 = performance.now();
    await sql`INSERT INTO categories (program_id, code, name) VALUES (${pid}, 'tools', 'Tools'), (${pid}, 'paint', 'Paint')`.execute(db);
    await sql`
      INSERT INTO accounts (program_id, id, external_id, name, country, tags, segment)
      SELECT ${pid}, gen_random_uuid(), 'A' || i, 'Company ' || i, CASE WHEN i % 3 = 0 THEN 'NO' ELSE 'SE' END,
             CASE WHEN i % 10 = 0 THEN ARRAY['key'] ELSE '{}' END, CASE WHEN i % 2 = 0 THEN 'installer' ELSE 'builder' END
      FROM generate_series(1, ${ACCOUNTS}) i`.execute(db);
    await sql`INSERT INTO wallets (program_id, id, kind) SELECT program_id, id, 'account' FROM accounts WHERE program_id = ${pid}`.execute(db);
    // Purchases: a skewed number per account over the year, one line each.
    await sql`
      WITH ev AS (
        SELECT a.id AS account_id, gen_random_uuid() AS id, ${now}::timestamptz - (random() * 365 || ' days')::interval AS at,
               (1000 + floor(random() * 200000))::bigint AS amount, k
        FROM accounts a, generate_series(1, ${PURCHASES}) k
        WHERE a.program_id = ${pid} AND random() < 0.8),
      ins AS (
        INSERT INTO events (program_id, id, external_id, type, occurred_at, account_id, amount, body_hash)
        SELECT ${pid}, id, id::text, 'purchase', at, account_id, amount, 'x' FROM ev RETURNING id)
      INSERT INTO event_lines (program_id, event_id, line_no, account_id, occurred_at, is_purchase, sku, category_code, quantity, amount)
      SELECT ${pid}, ev.id, 1, ev.account_id, ev.at, true, 'SKU', CASE WHEN k % 2 = 0 THEN 'tools' ELSE 'paint' END, 1, ev.amount FROM ev`.execute(db);
    await sql`ANALYZE`.execute(db);
    const { rows: n } = await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE program_id = ${pid}`.execute(db);
    console.log(`\nSegments and scores: ${ACCOUNTS.toLocaleString('en')} accounts, ${Number(n[0]!.n).toLocaleString('en')} purchases (made in ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);

    for (const [what, f] of filters) await time(`live count: ${what}`, async () => String((await previewFilter(db, pid, 'account', f, now)).count));
    const seg = await db.transaction().execute((trx) =>
      createSegment(trx, pid, { key: 'lapsed', name: 'Lapsed', kind: 'dynamic', subject: 'account', definition: { field: 'lastPurchase', op: 'notWithinDays', days: 60 } }, now),
    );
    await time('refresh (first: all members written)', async () => {
      const r = await refreshSegment(db, pid, seg.id, 'manual', now);
      return `${r.count} members, +${r.added}`;
    });
    await time('refresh (a day later: the difference)', async () => {
      const r = await refreshSegment(db, pid, seg.id, 'manual', new Date(now.getTime() + 86_400_000));
      return `${r.count} members, +${r.added} −${r.removed}`;
    });
    await time('nightly scores (RFM, loyalty types)', async () => `${await computeScores(db, pid, 'Europe/Stockholm', now)} accounts`);
    await time('live count: score.rankPercent 15–84 (middle band)', async () =>
      String((await previewFilter(db, pid, 'account', { field: 'score.rankPercent', op: 'between', value: [15, 84] }, now)).count),
    );
    console.log('| what | result | seconds |');
    console.log('|---|---:|---:|');
    for (const r of rows) console.log(`| ${r.what} | ${r.result} | ${r.seconds.toFixed(2)} |`);
  } finally {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

if (process.argv[1]?.endsWith('segments.ts')) await benchSegments(process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
